"""The Rosenbrock function of a vector, with an element loop."""

import numpy as np


def rosenbrock(x: np.ndarray) -> float:
    total = 0.0
    for i in range(len(x) - 1):
        total += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return total
