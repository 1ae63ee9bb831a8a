"""Parameters used only as truth values (tests/analysis/test_truth_value_parameters.py)."""

import numpy as np


def contrastive(a, b, same, margin):
    d = np.sqrt(np.sum((a - b) ** 2) + 1e-12)
    if same:
        return 0.5 * d * d
    return 0.5 * max(0.0, margin - d) ** 2


def clipped_step(x, lr, clip, verbose):
    if verbose and clip:
        lr = 0.5 * lr
    step = lr * np.tanh(x) if not clip else lr * np.clip(np.tanh(x), -0.5, 0.5)
    return np.sum((x - step) ** 2)


def damped(x, damping, steps: int):
    v = 0.0
    for _ in range(steps):
        v = v + (0.1 * x - 0.5 * v if damping else 0.1 * x)
        x = x - v
    return x


def threshold_as_number(x, level):
    if level:
        return x * level
    return x
