"""Arrays written element by element, then used whole (issue 10.2), and math domain errors
caught by the caller (issue 10.3). Each function is differentiated by the eager engine; the
ones the compiler accepts are compared with their compiled build."""
import math

import numpy as np


def squares_of_products(x, a):
    n = len(x)
    y = np.zeros(n)
    for i in range(n):
        y[i] = x[i] * a[i]
    return np.sum(y * y)


def running_update(x):
    n = len(x)
    y = np.ones(n)
    for i in range(1, n):
        y[i] = y[i - 1] * x[i] + x[i - 1]
        y[i] *= 1.5
        y[i - 1] += x[i] * x[i]
    return np.sum(y * y) + y[0] * y[n - 1]


def matrix_fill(x):
    n = len(x)
    m = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            m[i, j] = x[i] * x[j] + i - j
    m[0, :] = x * 2.0
    m[1:, 0] += x[1:]
    return np.sum(m * m) + np.sum(m @ x)


def slices_and_copies(x):
    y = x.copy()
    y[1:] = y[:-1] * x[1:]
    z = np.array([x[0], 2.0 * x[1], 3.0])
    z[2] = z[0] * z[1]
    w = np.full(len(x), 0.5)
    w[::2] = x[::2] ** 2
    return np.sum(y * w) + np.sum(z * z)


def constructors(x):
    n = len(x)
    t = np.linspace(0.0, 1.0, n)
    r = np.arange(0.0, n)
    e = np.empty(n)
    o = np.ones_like(x)
    z = np.zeros_like(x)
    for i in range(n):
        t[i] = t[i] * x[i]
        r[i] += x[i] ** 2
        e[i] = math.sin(x[i])
        o[i] = o[i] / (1.0 + x[i] * x[i])
        z[i] = t[i] + r[i]
    return np.sum(t * r) + np.sum(e * o) + np.sum(z)


def guarded_log(x):
    try:
        return math.log(x)
    except ValueError:
        return 0.0


def guarded_sqrt(x):
    try:
        return math.sqrt(x) * x
    except ValueError:
        return -x


def squares_of_products_by_elements(x, a):
    """squares_of_products written in the compiled subset (element reads only)."""
    total = 0.0
    for i in range(len(x)):
        y = x[i] * a[i]
        total += y * y
    return total


def running_update_by_elements(x):
    """running_update written in the compiled subset (no whole-array use of y)."""
    n = len(x)
    y = np.ones(n)
    for i in range(1, n):
        y[i] = y[i - 1] * x[i] + x[i - 1]
        y[i] *= 1.5
        y[i - 1] += x[i] * x[i]
    total = y[0] * y[n - 1]
    for i in range(n):
        total += y[i] * y[i]
    return total
