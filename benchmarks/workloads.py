"""The six benchmark workloads, written as plain Python the way a user writes them.

`python benchmarks/run.py` builds this file with `srcgrad build` and times the generated
`grad_*` functions against hand-written adjoints (hand_adjoints.pyx) and other autodiff tools
(anchors.py). Keep these functions in the subset srcgrad compiles; do not tune them for it.
"""

import math

import numpy as np


def power_loop(x: float, n: int) -> float:
    """x to the n-th power by repeated multiplication (the tutorial's loop)."""
    out = 1.0
    for i in range(n):
        out = out * x
    return out


def rosenbrock(x: np.ndarray) -> float:
    """The Rosenbrock function summed over neighbouring elements."""
    total = 0.0
    for i in range(len(x) - 1):
        total += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return total


def oscillator(k, c, x0, v0, dt, steps: int):
    """Explicit Euler of a damped Duffing oscillator x'' = -k x - c x' - 0.1 x^3.

    Returns the final x^2 + v^2 plus the integral of x^2 over time.
    """
    x = x0
    v = v0
    acc = 0.0
    for step in range(steps):
        a = -k * x - c * v - 0.1 * x ** 3
        acc += x * x * dt
        x = x + dt * v
        v = v + dt * a
    return x * x + v * v + acc


def logistic(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    """Mean logistic loss of a linear model; labels y are -1 or +1."""
    n = X.shape[0]
    d = X.shape[1]
    loss = 0.0
    for i in range(n):
        z = 0.0
        for j in range(d):
            z += X[i, j] * w[j]
        loss += math.log(1.0 + math.exp(-y[i] * z))
    return loss / n


def huber(x: np.ndarray, delta: float) -> float:
    """Huber loss of every element: quadratic near zero, linear beyond delta."""
    total = 0.0
    for i in range(len(x)):
        a = abs(x[i])
        if a <= delta:
            total += 0.5 * x[i] * x[i]
        else:
            total += delta * (a - 0.5 * delta)
    return total


def mlp(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: float, X: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error of a one-hidden-layer tanh network on a batch."""
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    r = out - y
    return np.mean(r * r)
