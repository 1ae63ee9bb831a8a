"""Reductions of elementwise expressions outside loops, as NumPy users write objective functions
(tests/transform/test_exact_reductions.py): those whose loop form is the same for every argument
run as element loops; the others stay whole-array code."""

import numpy as np


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def levy_middle(x):
    w = 1.0 + (x - 1.0) / 4.0
    return np.sum((w[:-1] - 1.0) ** 2 * (1.0 + 10.0 * np.sin(np.pi * w[:-1] + 1.0) ** 2)) + w[0]


def styblinski_tang(x):  # x could be a number, a vector or a matrix: read flattened
    return 0.5 * np.sum(x ** 4 - 16.0 * x ** 2 + 5.0 * x)


def rastrigin(x):
    return 10.0 * len(x) + np.sum(x ** 2 - 10.0 * np.cos(2.0 * np.pi * x))


def mean_and_product(x):
    return np.mean(np.exp(-x[::2] ** 2)) * np.prod(1.0 + 0.1 * np.tanh(x[1:]))


def rows_of_a_matrix(X):
    return np.sum((X[1:, :] - X[:-1, :]) ** 2) + np.sum(X[0] * X[-1])


def reversed_and_stepped(x):
    return np.sum(x[::-1] * x) + np.sum(x[1::2] ** 2) * np.sum(x[::2])


def clipped_slices(x):  # x[2:] and x[:-2] have the same length for every n (0 below 2)
    return np.sum(np.sqrt(1.0 + (x[2:] - x[:-2]) ** 2))


def broadcast_of_one_element(x):  # x[:1] broadcasts against x[1:]: stays whole
    return np.sum(x[:1] * x[1:] ** 2)


def two_vectors(x, y):  # lengths the caller decides: stays whole (NumPy broadcasts a length 1)
    return np.sum((x - y) ** 2)


def mismatched_steps(x):  # lengths ceil(n/2) and floor(n/2): stays whole (NumPy raises or broadcasts)
    return np.sum(x[::2] * x[1::2])


def nested_reductions(x):
    return np.sum((x[1:] - np.mean(x)) ** 2) / np.sum(x[:-1] ** 2 + 1.0)


def dixon_price(x):
    i = np.arange(2, len(x) + 1)
    return (x[0] - 1.0) ** 2 + np.sum(i * (2.0 * x[1:] ** 2 - x[:-1]) ** 2)


def weighted_by_position(x):
    i = np.arange(1.0, len(x) + 1.0)
    down = np.arange(len(x), 0, -1)
    return np.sum(i * x ** 2) + np.sum(x / down) + np.sum(np.sqrt(i[::-1]) * x) * 0.0 + x[0]


def positions_in_steps_of_two(x):  # 0, 2, 4, ...: ceil(n / 2) of them, as x[::2]
    even = np.arange(0, len(x), 2)
    return np.sum(even * x[::2] ** 2) + len(even)


def segment_energy(x):  # called in a loop below: stays whole (its caller's loop passes x whole)
    return np.sum((x[1:] - x[:-1]) ** 2)


def energy_over_steps(x, steps: int):
    total = 0.0
    for k in range(steps):
        total += segment_energy(x) * k + np.sum(np.cumsum(x) * 0.1)
    return total


def bead_spring(pos):  # bonds' rank is only what pos[1:] guesses: read flattened, any rank works
    bonds = pos[1:] - pos[:-1]
    return 0.5 * np.sum(bonds * bonds)
