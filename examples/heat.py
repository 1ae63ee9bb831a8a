"""A 1-D heat equation: an explicit stencil updated in place over time steps."""

import numpy as np


def heat(u0: np.ndarray, alpha: float, steps: int) -> float:
    """Diffuse u0 for `steps` steps with fixed ends; returns the final energy sum(u^2)."""
    u = u0.copy()
    n = len(u)
    new = np.zeros(n)
    for step in range(steps):
        for i in range(1, n - 1):
            new[i] = u[i] + alpha * (u[i - 1] - 2.0 * u[i] + u[i + 1])
        for i in range(1, n - 1):
            u[i] = new[i]
    energy = 0.0
    for i in range(n):
        energy += u[i] * u[i]
    return energy
