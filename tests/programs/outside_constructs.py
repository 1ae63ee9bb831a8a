"""Constructs of outside numerical code (optimization test collections, AD tools' test
functions) that the compiler reads since issue 12's outside measurement: a module array constant
times an element (`x[0] * A`, written as benchmark collections fit data), np.tril / np.triu, a
size inside np.arange (`np.arange(1.0, np.size(x) + 1.0)`), an integer default counting elements
(`np.arange(kmax + 1)`), np.sum of a list comprehension, nested helper functions that close
over nothing, and slices of expressions (`np.roll(x, -1)[:-1]`)."""

import numpy as np
from numpy import arange, asarray, exp, size, sum, tril, triu

RATES = asarray([0.25, 0.5, 1.0, 2.0, 4.0])
YIELDS = asarray([1.9, 1.6, 1.1, 0.55, 0.2])


def decay_fit(x):
    model = x[0] * exp(-RATES * x[1]) + x[2] * RATES
    return sum((YIELDS - model) ** 2)


def scaled_constant(x):
    return np.sum((x[0] * RATES - x[1]) ** 2) + x[2] * np.sum(RATES * RATES * x[0])


def lower_triangle(x):
    outer = np.outer(x, x)
    return np.sum(tril(outer) * outer) + np.sum(triu(outer, 1) ** 2) - np.sum(tril(x, -1) * outer)


def running_squares(x):
    rows = np.repeat(np.atleast_2d(x), len(x), axis=0)
    partial = np.sum(np.tril(rows), axis=1)
    return np.sum(partial ** 2)


def weighted_by_position(x):
    i = arange(1.0, size(x) + 1.0)
    return np.sum(x ** 2 / i) + np.prod(np.cos(x / np.sqrt(i)))


def truncated_series(x, a=0.5, b=2.0, kmax=3):
    k = np.arange(kmax + 1)
    return np.sum(a ** k * np.cos(b ** k * np.sum(x)))


def comprehension_sum(x):
    return np.sum([xi * 3.0 + xi ** 2 for xi in x]) + np.sum([x[i] * x[i + 1] for i in range(len(x) - 1)])


def nested_helpers(x):
    def bump(t):
        return 1.0 + t * t

    def scaled(t, k=2.0):
        return k * np.tanh(t)

    s = 0.0
    for i in range(len(x)):
        s += bump(x[i]) * scaled(x[i], k=0.5)
    return s + scaled(x[0])


def closes_over_a_local(x, scale=2.0):
    def term(v):
        return scale * v * v

    return term(x[0]) + term(x[1])


def rolled_neighbours(x):
    left = np.roll(x, -1)[:-1]
    return np.sum(len(x) * (x ** 2 + 0.4 * np.sum(x[:-1] * left)))


def sliced_results(x):
    m = np.outer(x, x + 1.0)
    return np.sum(np.sort(x)[1:] ** 2) + np.sum((x - 1.0)[::2]) * np.cumsum(x)[:2].sum() + np.sum(m.T[1:, :])


def growth_curve(x):
    # x[2] * RATES: hvp_ guarded that product's tangent with a Python conditional on RATES
    model = x[0] / (1.0 + np.exp(x[1] - x[2] * RATES)) ** (1.0 / x[3])
    return sum((YIELDS - model) ** 2)
