"""The same kind of test functions written element by element, the way code ported from C,
Fortran or MATLAB reads: ``for i in range(len(x))``, ``math`` functions, accumulators."""

import math

import numpy as np


def sphere_loop(x):
    s = 0.0
    for i in range(len(x)):
        s += x[i] ** 2
    return s


def sphere_iter(x):
    total = 0.0
    for xi in x:
        total += xi * xi
    return total


def sphere_generator(x):
    return sum(xi ** 2 for xi in x)


def sum_squares_loop(x):
    s = 0.0
    for i in range(len(x)):
        s += (i + 1) * x[i] ** 2
    return s


def rastrigin_loop(x):
    n = len(x)
    s = 10.0 * n
    for i in range(n):
        s += x[i] * x[i] - 10.0 * math.cos(2.0 * math.pi * x[i])
    return s


def ackley_loop(x):
    n = len(x)
    sum_sq = 0.0
    sum_cos = 0.0
    for i in range(n):
        sum_sq += x[i] ** 2
        sum_cos += math.cos(2 * math.pi * x[i])
    return -20.0 * math.exp(-0.2 * math.sqrt(sum_sq / n)) - math.exp(sum_cos / n) + 20.0 + math.e


def griewank_loop(x):
    s = 0.0
    p = 1.0
    for i in range(len(x)):
        s += x[i] ** 2 / 4000.0
        p *= math.cos(x[i] / math.sqrt(i + 1))
    return s - p + 1.0


def styblinski_tang_loop(x):
    s = 0.0
    for i in range(len(x)):
        s += x[i] ** 4 - 16 * x[i] ** 2 + 5 * x[i]
    return s / 2


def michalewicz_loop(x, m: int = 10):
    s = 0.0
    for i in range(len(x)):
        s -= math.sin(x[i]) * math.sin((i + 1) * x[i] ** 2 / math.pi) ** (2 * m)
    return s


def dixon_price_loop(x):
    s = (x[0] - 1.0) ** 2
    for i in range(1, len(x)):
        s += (i + 1) * (2 * x[i] ** 2 - x[i - 1]) ** 2
    return s


def levy_loop(x):
    n = len(x)
    w = np.zeros(n)
    for i in range(n):
        w[i] = 1.0 + (x[i] - 1.0) / 4.0
    s = math.sin(math.pi * w[0]) ** 2
    for i in range(n - 1):
        s += (w[i] - 1) ** 2 * (1 + 10 * math.sin(math.pi * w[i] + 1) ** 2)
    s += (w[n - 1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[n - 1]) ** 2)
    return s


def trid_loop(x):
    s1 = 0.0
    s2 = 0.0
    for i in range(len(x)):
        s1 += (x[i] - 1) ** 2
    for i in range(1, len(x)):
        s2 += x[i] * x[i - 1]
    return s1 - s2


def powell_loop(x):
    s = 0.0
    for k in range(len(x) // 4):
        a = x[4 * k]
        b = x[4 * k + 1]
        c = x[4 * k + 2]
        d = x[4 * k + 3]
        s += (a + 10 * b) ** 2 + 5 * (c - d) ** 2 + (b - 2 * c) ** 4 + 10 * (a - d) ** 4
    return s


def zakharov_loop(x):
    s1 = 0.0
    s2 = 0.0
    for i in range(len(x)):
        s1 += x[i] ** 2
        s2 += 0.5 * (i + 1) * x[i]
    return s1 + s2 ** 2 + s2 ** 4


def schwefel_loop(x):
    s = 0.0
    for i in range(len(x)):
        s += x[i] * math.sin(math.sqrt(abs(x[i])))
    return 418.9829 * len(x) - s


def rosenbrock_loop(x):
    total = 0.0
    for i in range(len(x) - 1):
        total += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return total


def rosenbrock_zip(x):
    return sum(100.0 * (b - a ** 2) ** 2 + (1 - a) ** 2 for a, b in zip(x[:-1], x[1:]))


def quartic_loop(x):
    s = 0.0
    for i, xi in enumerate(x):
        s += (i + 1) * xi ** 4
    return s


def qing_loop(x):
    s = 0.0
    for i in range(len(x)):
        s += (x[i] ** 2 - (i + 1)) ** 2
    return s


def rotated_hyper_ellipsoid_loop(x):
    outer = 0.0
    for i in range(len(x)):
        for j in range(i + 1):
            outer += x[j] ** 2
    return outer


def schwefel_1_2_loop(x):
    s = 0.0
    for i in range(len(x)):
        partial = 0.0
        for j in range(i + 1):
            partial += x[j]
        s += partial * partial
    return s


def perm_d_beta_loop(x, beta=0.5):
    d = len(x)
    outer = 0.0
    for i in range(1, d + 1):
        inner = 0.0
        for j in range(1, d + 1):
            inner += (j ** i + beta) * ((x[j - 1] / j) ** i - 1)
        outer += inner ** 2
    return outer


def whitley(x):
    n = len(x)
    s = 0.0
    for i in range(n):
        for j in range(n):
            t = 100.0 * (x[i] ** 2 - x[j]) ** 2 + (1.0 - x[j]) ** 2
            s += t * t / 4000.0 - math.cos(t) + 1.0
    return s


def alpine1_loop(x):
    s = 0.0
    for i in range(len(x)):
        s += abs(x[i] * math.sin(x[i]) + 0.1 * x[i])
    return s


def salomon_loop(x):
    r = 0.0
    for i in range(len(x)):
        r += x[i] * x[i]
    r = math.sqrt(r)
    return 1.0 - math.cos(2.0 * math.pi * r) + 0.1 * r


def sum_of_different_powers_loop(x):
    s = 0.0
    for i in range(len(x)):
        s += abs(x[i]) ** (i + 2)
    return s


def brown_loop(x):
    s = 0.0
    for i in range(len(x) - 1):
        a = x[i] * x[i]
        b = x[i + 1] * x[i + 1]
        s += a ** (b + 1) + b ** (a + 1)
    return s


def exponential_loop(x):
    s = 0.0
    for i in range(len(x)):
        s += x[i] ** 2
    return -math.exp(-0.5 * s)


def schwefel_2_21_loop(x):
    m = abs(x[0])
    for i in range(1, len(x)):
        if abs(x[i]) > m:
            m = abs(x[i])
    return m


def schwefel_2_22_loop(x):
    s = 0.0
    p = 1.0
    for i in range(len(x)):
        s += abs(x[i])
        p *= abs(x[i])
    return s + p


def step_loop(x):
    s = 0.0
    for i in range(len(x)):
        s += math.floor(x[i] + 0.5) ** 2
    return s


def griewank_while(x):
    i = 0
    s = 0.0
    p = 1.0
    while i < len(x):
        s += x[i] * x[i]
        p = p * math.cos(x[i] / math.sqrt(i + 1.0))
        i += 1
    return 1.0 + s / 4000.0 - p
