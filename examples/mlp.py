"""A small multilayer perceptron's loss, in vectorised NumPy."""

import numpy as np


def mlp_loss(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: float, X: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error of a tanh hidden layer followed by a linear output."""
    hidden = np.tanh(X @ W1 + b1)
    prediction = hidden @ W2 + b2
    return np.mean((prediction - y) ** 2)
