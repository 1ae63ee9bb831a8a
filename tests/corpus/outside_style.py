"""Objective functions in the style of a public optimization test collection and an AD tool's test
functions, as their authors write them: names imported from NumPy (`from numpy import ...`), data
as module arrays that element reads of x scale (`x[0] * T`), triangles of repeated rows
(np.tril), weights `arange(1.0, size(x) + 1.0)`, series with an integer default count, list
comprehensions summed by np.sum, small nested helpers. Written for this corpus from the
mathematical definitions."""

import numpy as np
from numpy import arange, asarray, atleast_2d, cos, exp, log, pi, prod, repeat, sin, size, sqrt, sum, tril

# a five-point data set, as fitting problems carry theirs
TIMES = asarray([0.1, 0.4, 0.9, 1.6, 2.5])
READINGS = asarray([0.95, 0.72, 0.51, 0.33, 0.21])
SLOPES = asarray([0.5, 1.0, 1.5, 2.0])


def exponential_fit(x):
    model = x[0] * exp(-x[1] * TIMES) + x[2] * TIMES
    return sum((model - READINGS) ** 2)


def rational_fit(x):
    model = (x[0] + x[1] * TIMES) / (1.0 + x[2] ** 2 * TIMES + x[3] ** 2)
    return sum((READINGS - model) ** 2)


def linear_in_slopes(x):
    return sum((x[0] * SLOPES - x[1] * SLOPES ** 2 + x[2]) ** 2) + x[3] ** 2


def cumulative_rows(x):
    rows = repeat(atleast_2d(x), len(x), axis=0)
    return sum(sum(tril(rows), axis=1) ** 2)


def strictly_lower_coupling(x):
    pairs = np.outer(x, x)
    return sum(tril(pairs, -1) ** 2) + 0.5 * sum(x ** 2)


def position_weighted(x):
    i = arange(1.0, size(x) + 1.0)
    return sum(x ** 2 / 4000.0) - prod(cos(x / sqrt(i))) + 1.0


def index_scaled_squares(x):
    i = arange(1, np.size(x) + 1)
    return sum(i * x ** 2) + sum(i * sin(x) ** 2)


def damped_series(x, a=0.5, b=3.0, kmax=6):
    k = arange(kmax + 1)
    return sum(a ** k * cos(b ** k * pi * (sum(x) * 0.1 + 0.5)))


def listcomp_energy(x):
    return np.sum([xi ** 2 + 0.5 * xi for xi in x]) + np.sum([x[i] * x[i + 1] for i in range(len(x) - 1)])


def penalised_with_helpers(x):
    def penalty(t, width=2.0):
        return log(1.0 + (t / width) ** 2)

    def ridge(t):
        return 0.5 * t * t

    total = 0.0
    for i in range(len(x)):
        total += penalty(x[i]) + ridge(x[i] - 0.5)
    return total
