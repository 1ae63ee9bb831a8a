"""np.cumsum in compiled code: flat, along an axis, of a transposed matrix, mixed with products."""

import numpy as np


def running_energy(x: np.ndarray, w: np.ndarray) -> float:
    c = np.cumsum(x * w)
    return np.sum(np.sin(c) * c)


def along_axes(A: np.ndarray) -> float:
    return np.sum(np.cumsum(A, axis=1) ** 2) + np.sum(np.cumsum(A.T, axis=0) * A.T)


def flattened(A: np.ndarray, scale: float) -> float:
    return np.sum(np.exp(np.cumsum(A) * scale))


def last_axis(A: np.ndarray, v: np.ndarray) -> float:
    return np.mean(np.tanh(np.cumsum(A, axis=-1) @ v))
