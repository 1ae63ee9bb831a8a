"""Loops over small sequences counted down, and enumerate over zip
(tests/transform/test_calls_and_sequences.py)."""

import numpy as np

COEFFICIENTS = (1.0, -0.5, 0.25, 2.0)
ALPHA, BETA = 2.0, 0.5  # module constants bound by unpacking a tuple, and by a chained assignment
LOW = HIGH_SCALE = 0.75


def horner(c, t):
    # a polynomial in t by Horner's rule, highest coefficient last
    p = 0.0
    for a in reversed(c):
        p = p * t + a
    return p


def backward_recurrence(x):
    s = 0.0
    for i in reversed(range(len(x))):
        s = np.sin(s) * 0.5 + x[i] * (i + 1)
    return s


def reversed_strided_range(x):
    s = 0.0
    for i in reversed(range(1, len(x), 2)):
        s = s * x[i - 1] + x[i] ** 2
    return s


def reversed_literal_and_constant(x):
    s = 0.0
    for w in reversed([x[0], 2.0 * x[1], x[2] ** 2]):
        s = s * 0.75 + w
    for c in reversed(COEFFICIENTS):
        s = s * x[3] + c
    return s


def enumerated_pairs(x, y):
    s = 0.0
    for i, (a, b) in enumerate(zip(x, y)):
        s += (i + 1) * a * np.tanh(b)
    for k, (a, w) in enumerate(zip(x, COEFFICIENTS)):
        s += w * a ** 2 / (k + 1)
    return s


def list_indexed_by_loop_variable(x):
    # list literals, len of a list, the list indexed by a loop variable and read from its end
    terms = [x[0] - 1.0, 10.0 * (x[1] - x[0] ** 2), x[2] * x[3]]
    weights = (0.5, 1.0, 2.0)
    total = 0.0
    for i in range(len(terms)):
        total += weights[i] * terms[i] ** 2 + terms[len(terms) - 1 - i] * terms[i]
    return total + sum(terms) * terms[-1]


def unpacked_module_constants(x):
    return np.sum(ALPHA * x[1:] - BETA * x[:-1] ** 2) ** 2 + LOW * HIGH_SCALE * x[0]
