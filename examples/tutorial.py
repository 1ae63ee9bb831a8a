"""The tutorial's functions, in the subset srcgrad compiles."""

import math


def square_sin(x):
    """f(x) = sin(x)^2, the tutorial's first example."""
    return math.sin(x) ** 2


def power(x: float, n: int) -> float:
    """x to the n-th power by repeated multiplication."""
    out = 1.0
    for i in range(n):
        out = out * x
    return out


def f(x, y):
    """The tutorial's loop: x multiplied y times, with y a float."""
    output = 1
    for i in range(int(y)):
        output = output * x
    return output
