"""A function the compiler leaves to the eager tape (a lambda) that writes what depends on its
parameter into an array it builds (tests/eager/test_fallback_entries.py)."""

import numpy as np


def weighted_powers(x, w):
    square = lambda t: t * t  # noqa: E731 - the construct that makes it fall back
    y = np.zeros(3)
    for i in range(3):
        y[i] = square(x) * w[i] + x ** (i + 1)
    return np.sum(y * y)
