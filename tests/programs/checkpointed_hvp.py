"""Loops for tests/transform/test_checkpointed_hvp.py: Hessian-vector products (forward over
reverse) of checkpointed loops must be bit-identical to the taped build's. These are the loops
the hvp tests need beyond those of checkpointing.py (the oscillator, a nested loop, a while loop,
a loop calling a looping function, arrays carried in 1-D and 2-D), which they take from there."""

import math


def strided(x, y, n: int):
    s = x
    for i in range(2, n, 3):
        s = s * 0.97 + math.sin(s * y) * 0.05 + i * 1e-4
    for j in range(n, 1, -2):
        s = s + math.cos(s) * j * 1e-4 * x
    return s * y


def counts_flips(x, y, n: int):
    s = 0.0
    flips = 0
    for i in range(n):
        if s > 1.0:
            s = s * 0.5 - x * 0.1
            flips = flips + 1
        else:
            s = s + x * y + 0.3 * math.sin(s)
    return s + flips * y * y


def stops_early(x, n: int):
    s = x
    for i in range(n):
        s = s * 1.01 + 0.01 * math.sin(s * x)
        if s > 5.0:
            break
    return s * x + s * s


def marked(x, y, n: int):
    s = x
    for i in range(n):  # srcgrad: checkpoint 2K
        s = s * 0.99 + 0.01 * math.cos(s * y)
    return s * s
