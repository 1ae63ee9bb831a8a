"""If/else and conditional expressions whose arms are cheap, printed as a select of both arms
evaluated (tests/emit/test_branch_free_select.py), and arms that must stay behind a branch."""

import math

import numpy as np


def huber(x: np.ndarray, delta: float) -> float:
    total = 0.0
    for i in range(len(x)):
        a = abs(x[i])
        if a <= delta:
            total += 0.5 * x[i] * x[i]
        else:
            total += delta * (a - 0.5 * delta)
    return total


def overflowing_arm(x: np.ndarray, scale: float) -> float:
    # x[i] ** 2 * scale is inf for a huge x[i], where the other arm is taken
    total = 0.0
    for i in range(len(x)):
        if abs(x[i]) < 1e150:
            v = x[i] ** 2 * scale
        else:
            v = scale * 1e150 * abs(x[i])
        total += v
    return total


def leaky(x: np.ndarray, w: float) -> float:
    total = 0.0
    for i in range(len(x)):
        total += x[i] * w if x[i] > 0 else 0.01 * x[i] * w
    return total


def clipped(x: float, low: float, high: float) -> float:
    if x < low:
        y = low - 0.5 * (x - low) * (x - low)
    else:
        y = x * high
    return y * x


def reciprocal_guarded(x: np.ndarray) -> float:
    # a division: a branch, so 1 / 0 is never evaluated (nor its derivative -1 / 0 ** 2)
    total = 0.0
    for i in range(len(x)):
        total += 1.0 / x[i] if x[i] != 0.0 else x[i]
    return total


def root_guarded(x: np.ndarray) -> float:
    total = 0.0
    for i in range(len(x)):
        if x[i] > 0.0:
            total += math.sqrt(x[i])
        else:
            total += x[i] * x[i]
    return total


def log_guarded(x: float, y: float) -> float:
    return math.log(x) * y if x > 0.0 else x * y
