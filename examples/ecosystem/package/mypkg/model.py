"""A model whose gradients the package ships: mypkg.model_grad is generated when it is built."""

import math

import numpy as np


def loss(w: np.ndarray, scale: float) -> float:
    """scale times the sum of sin(w_i)^2: one array and one float parameter."""
    total = 0.0
    for i in range(len(w)):
        total += scale * math.sin(w[i]) ** 2
    return total


def cube(x: float) -> float:
    return x * x * x
