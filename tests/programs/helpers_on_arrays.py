"""Helpers written for numbers, called with numbers and with arrays, as NumPy code calls them:
directly (sigmoid(0.3), sigmoid(z)), from whole-array code (sigmoid(X @ w)) and from element
loops (sigmoid(x[i])). tests/building/test_helpers_called_with_arrays.py checks every entry."""

import numpy as np

FLOOR = 1e-4


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def relu(z):
    return np.maximum(z, 0.0)


def softplus(z):
    return np.log1p(np.exp(z))


def cube(x):
    return x * x * x


def smooth_abs(t):
    return np.sqrt(t * t + FLOOR)


def scaled_tanh(x, gain, k: float = 2.0, shift=0.5):
    return gain * np.tanh(k * x) + shift


def shifted_cube(x, *, shift=0.5):
    return (x - shift) ** 3


def gaussian_bump(x, centre, width: float, n: int):
    u = (x - centre) / width
    return n * np.exp(-0.5 * u * u)


def leaky(z):
    if z > 0:
        return z
    return 0.01 * z


def leaky_expression(z):
    return z if z > 0 else 0.01 * z


def clipped(z):
    return max(z, 0.0) + min(z, 1.0)


def log_loss(w, X, y):
    p = sigmoid(X @ w)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def relu_softplus_net(W, v, X):
    h = relu(X @ W)
    return np.sum(softplus(h @ v))


def helpers_in_a_loop(x):
    total = 0.0
    for i in range(x.shape[0]):
        total += sigmoid(x[i]) * cube(x[i]) + smooth_abs(x[i])
    return total


def helper_of_arrays_in_a_loop(x, n: int):
    total = 0.0
    for k in range(n):
        total += np.sum(sigmoid(x - 0.5 * k))
    return total


def curve(p, t):
    return p[0] * np.exp(-p[1] * t) + p[2]


def activation(z, k: float = 2.0):
    return np.tanh(k * z)


def activated_net(w, X, k: float):
    return np.sum(activation(X @ w, k) ** 2) + np.sum(activation(X @ w))
