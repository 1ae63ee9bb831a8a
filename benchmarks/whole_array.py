"""Whole-array objectives as NumPy users write them (issue 12's 1.2x target).

`python benchmarks/corpus.py` builds this file with srcgrad (the losses' gradients taken with
respect to their weights only, as `srcgrad build --wrt` does; see WRT in corpus.py) and times
each grad_NAME against the hand-written NumPy gradient in whole_array_hand.py. Keep these
written the way people write them; do not tune them for the compiler.
"""

import numpy as np


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rastrigin(x):
    return 10.0 * len(x) + np.sum(x ** 2 - 10.0 * np.cos(2.0 * np.pi * x))


def ackley(x):
    n = len(x)
    mean_square = np.sum(x ** 2) / n
    mean_cos = np.sum(np.cos(2.0 * np.pi * x)) / n
    return -20.0 * np.exp(-0.2 * np.sqrt(mean_square)) - np.exp(mean_cos) + 20.0 + np.e


def griewank(x):
    i = np.arange(1, len(x) + 1)
    return np.sum(x ** 2) / 4000.0 - np.prod(np.cos(x / np.sqrt(i))) + 1.0


def styblinski_tang(x):
    return 0.5 * np.sum(x ** 4 - 16.0 * x ** 2 + 5.0 * x)


def dixon_price(x):
    i = np.arange(2, len(x) + 1)
    return (x[0] - 1.0) ** 2 + np.sum(i * (2.0 * x[1:] ** 2 - x[:-1]) ** 2)


def levy(x):
    w = 1.0 + (x - 1.0) / 4.0
    first = np.sin(np.pi * w[0]) ** 2
    middle = np.sum((w[:-1] - 1.0) ** 2 * (1.0 + 10.0 * np.sin(np.pi * w[:-1] + 1.0) ** 2))
    last = (w[-1] - 1.0) ** 2 * (1.0 + np.sin(2.0 * np.pi * w[-1]) ** 2)
    return first + middle + last


def softmax_cross_entropy(W, X, Y):
    logits = X @ W
    logits = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    return -np.sum(Y * log_probs) / X.shape[0]


def least_squares(w, X, y):
    residual = X @ w - y
    return 0.5 * np.mean(residual ** 2)


def logistic_loss(w, X, y):
    margins = y * (X @ w)
    return np.mean(np.log(1.0 + np.exp(-margins)))


def mlp_layer(W, b, v, X, y):
    hidden = np.tanh(X @ W + b)
    prediction = hidden @ v
    return np.mean((prediction - y) ** 2)
