"""Whole-array code whose generated primal and adjoint write elementwise results into
temporaries nothing reads again (tests/emit/test_in_place_arrays.py), and code where they must not."""

import numpy as np


def mlp(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: float, X: np.ndarray, y: np.ndarray) -> float:
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    r = out - y
    return np.mean(r * r)


def logistic_loss(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    return np.sum((p - y) * (p - y))


def hidden_read_again(W: np.ndarray, x: np.ndarray) -> float:
    h = np.tanh(W @ x)
    squares = h * h  # named, then reduced: whole-array code
    s = np.sum(squares)
    sines = np.sin(h)
    return s + np.sum(sines)


def copy_kept(x: np.ndarray, y: np.ndarray) -> float:
    t = x * y
    u = t
    v = np.exp(t)
    return np.sum(v * u)


def view_kept(A: np.ndarray) -> float:
    t = A * 2.0
    u = t.T
    v = np.tanh(t)
    return np.sum(v) + np.sum(u * u)


def broadcast_grows(a: np.ndarray, b: np.ndarray) -> float:
    t = a * 2.0
    s = t + b
    return np.sum(np.sin(s) * s)


def parameters_read_after(x: np.ndarray, c: np.ndarray) -> float:
    t = np.exp(x)
    s = t * x + c
    return np.sum(s * s) + np.sum(x * c)


def array_output(x: np.ndarray, scale: float) -> np.ndarray:
    h = np.tanh(x * scale)
    g = 1.0 - h * h
    return g * x


def matrix_output_layer(W1: np.ndarray, W2: np.ndarray, X: np.ndarray) -> float:
    h = np.tanh(X @ W1)
    out = h @ W2
    return np.sum(out * out)


def hidden_returned_through_the_loss(W1: np.ndarray, w2: np.ndarray, X: np.ndarray) -> float:
    h = np.tanh(X @ W1)
    out = h @ w2
    squares = out * out
    return np.sum(squares) + np.sum(h)
