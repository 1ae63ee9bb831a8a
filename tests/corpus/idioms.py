"""Everyday idioms around objective functions: guarded square roots and logs, recurrences that
update an array in place, constants of every kind, defaults and keyword-only options, small
helpers named like math functions, NumPy methods and Python builtins on arrays."""

import math

import numpy as np

MODE = "smooth"
BOUNDS = (-5.0, 5.0)
WEIGHTS = (0.2, 0.3, 0.5)
CENTRE = np.array([1.0, -0.5, 0.25])
SMOOTHING = 0.9


def cube(x):
    return x * x * x


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softplus(z):
    return np.log1p(np.exp(z))


def cubic_sum(x):
    return cube(x[0]) + cube(x[1]) - 2.0 * cube(x[2])


def sigmoid_regression(w, X, t):
    p = sigmoid(X @ w)
    return np.sum((p - t) ** 2)


def softplus_barrier(x):
    return np.sum(softplus(x - 2.0)) + np.sum(softplus(-x - 2.0))


def root_of_either_sign(a):
    if a >= 0:
        r = math.sqrt(a)
    else:
        r = math.sqrt(-a)
    return r * a


def safe_norm(x):
    s = np.sum(x * x)
    if s > 0:
        return math.sqrt(s)
    return 0.0


def guarded_power(x, p=1.5):
    total = 0.0
    for i in range(len(x)):
        if x[i] > 0:
            total += x[i] ** p
        else:
            total += -x[i]
    return total


def log_barrier(x):
    total = 0.0
    for i in range(len(x)):
        if x[i] > -3.0:
            total -= math.log(x[i] + 3.0)
        else:
            total += 1e3
    return total


def box_cox(y, lam):
    if abs(lam) < 1e-12:
        return math.log(y)
    return (y ** lam - 1.0) / lam


def where_sqrt(x):
    return np.sum(np.where(x > 0, np.sqrt(np.abs(x)), -x))


def pseudo_huber(r, delta=1.0):
    return np.sum(delta ** 2 * (np.sqrt(1 + (r / delta) ** 2) - 1))


def prefix_recurrence(x):
    y = x.copy()
    for i in range(1, len(y)):
        y[i] = y[i] + 0.5 * y[i - 1]
    return np.sum(y ** 2)


def exponential_smoothing(x):
    s = np.zeros(len(x))
    s[0] = x[0]
    for i in range(1, len(x)):
        s[i] = SMOOTHING * s[i - 1] + (1 - SMOOTHING) * x[i]
    return np.sum((s - x) ** 2)


def running_product(x):
    p = np.ones(len(x))
    p[0] = x[0]
    for i in range(1, len(x)):
        p[i] = p[i - 1] * x[i]
    return np.sum(p)


def elementwise_then_whole(x):
    y = np.zeros(len(x))
    for i in range(len(x)):
        y[i] = x[i] * CENTRE[i % 3]
    return np.sum(y * y) + np.dot(y, x)


def quadratic_form_loop(A, x):
    n = len(x)
    total = 0.0
    for i in range(n):
        for j in range(n):
            total += A[i, j] * x[i] * x[j]
    return 0.5 * total


def quadratic_form(A, x):
    return 0.5 * x @ A @ x


def clipped_sphere(x):
    lo, hi = BOUNDS
    total = 0.0
    for i in range(len(x)):
        v = min(max(x[i], lo), hi)
        total += v * v
    return total


def weighted_tuple_sum(x):
    total = 0.0
    for i in range(3):
        total += WEIGHTS[i] * x[i] ** 2
    return total


def distance_to_centre(x):
    d = x - CENTRE
    return np.sum(d * d)


def mode_switch(x):
    if MODE == "smooth":
        return np.sum(np.log(np.cosh(x)))
    return np.sum(np.abs(x))


def keyword_scaled(x, *, amplitude=10.0, frequency=2.0):
    return amplitude * len(x) + np.sum(x ** 2 - amplitude * np.cos(frequency * np.pi * x))


def methods_on_arrays(x):
    return x.sum() + (x ** 2).mean() + x.dot(x)


def builtins_on_arrays(x):
    return max(abs(x)) + sum(x)


def statistics(x):
    return np.var(x) + np.std(x) + np.mean(x)


def reshape_pairs(x):
    pairs = x.reshape(-1, 2)
    return np.sum(pairs[:, 0] * pairs[:, 1])


def newton_sqrt(a):
    y = a
    while abs(y * y - a) > 1e-13 * a:
        y = 0.5 * (y + a / y)
    return y


def nested_helper_calls(x):
    return sigmoid(cube(x[0]) - x[1]) + softplus(x[2]) * sigmoid(x[3])


def first_element_as_float(x):
    scale = float(x[0])
    return scale * np.sum(x[1:] ** 2)
