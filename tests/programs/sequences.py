"""Small Python sequences used as vectors (tests/transform/test_sequences.py)."""

import numpy as np

WEIGHTS = (0.5, 1.5, -0.25)
GRID = np.array([0.1, 0.4, 0.9])


def list_literal(x: np.ndarray):
    p = [x[0] * 2.0, x[1], np.sin(x[2])]
    w = (0.5, 1.5, 2)
    s = 0.0
    for i in range(len(p)):
        s += p[i] * w[i] * p[i]
    return s


def for_over_array(x: np.ndarray, scale):
    s = 0.0
    for a in x:
        s += np.cos(a * scale) * a
    return s


def for_over_literal(x: np.ndarray):
    s = x[0]
    for c in (1.0, 2.0, 3.0):
        s = s * np.tanh(c * x[1]) + c
    for v in [x[0], x[1] * x[2]]:
        s += v * v
    return s


def enumerate_and_zip(x: np.ndarray):
    w = [1.0, -2.0, 0.5, 3.0]
    s = 0.0
    for i, a in enumerate(x):
        s += a * a * (i + 1)
    for a, b in zip(x, w):
        s += np.exp(a * 0.1) * b
    for k, (a) in enumerate(w):
        s += a * x[k] ** 3
    return s


def module_sequences(x: np.ndarray):
    s = 0.0
    for c in WEIGHTS:
        s = s + c * x[0] ** 2
    for g, a in zip(GRID, x):
        s = s + g * np.sin(a)
    return s


def list_in_loop(x: np.ndarray, n: int = 4):
    total = 0.0
    state = [x[0], x[1]]
    for step in range(n):
        state = [state[1], -0.3 * state[0] + 0.9 * state[1] * np.cos(state[0])]
        total += state[0] * state[1]
    return total + len(state) * state[0]


def repeated_list(x: np.ndarray):
    n = len(x)
    y = [0.0] * n
    for i in range(n):
        y[i] = x[i] * x[(i + 1) % n]
    s = 0.0
    for v in y:
        s += v * v
    return s


def unpacked(x: np.ndarray):
    x1, x2, x3 = x
    return (1.5 - x1 + x1 * x2) ** 2 + np.sin(x3) * x2 ** 3


BOUNDS = (-1.0, 0.8)


def unpacked_constant(x: np.ndarray):
    lo, hi = BOUNDS
    total = 0.0
    for a in x:
        total += np.sin(min(max(a, lo), hi)) * a
    return total


def summed_generators(x: np.ndarray, n: int = 3):
    v = x[0] * 3.0
    total = sum(v * v for v in x) + v  # the comprehension's v is its own: the local keeps x[0] * 3
    total += sum(x[i] ** 2 for i in range(n) if x[i] > 0)
    return total * sum([np.sin(v * w) for w in (0.5, 2.0)])


def zipped_slices(x: np.ndarray):
    return sum(100.0 * (b - a ** 2) ** 2 + (1 - a) ** 2 for a, b in zip(x[:-1], x[1:]))
