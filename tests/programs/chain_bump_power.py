"""A small module for the build tests (tests/building/test_build_time_features.py, test_split_c.py):
a loop over an array, a straight-line function of numbers and a taped loop."""

import math

import numpy as np


def chain(x: np.ndarray, k: float) -> float:
    total = 0.0
    for i in range(len(x) - 1):
        total += k * (x[i + 1] - x[i]) ** 2 + math.sin(x[i])
    return total


def bump(a: float, b: float) -> float:
    return a * math.exp(-b * b) + b


def power(x: float, n: int) -> float:
    out = 1.0
    for i in range(n):
        out = out * x  # taped: the runtime's push_double
    return out
