"""Unconstrained test problems of the least-squares kind (the Moré–Garbow–Hillstrom collection and
CUTEst-style scalable problems), written as a NumPy user writes them: residual vectors built from
slices and np.arange, helpers returning those vectors, `r @ r` or np.sum(r ** 2), module constant
data, small scalar helpers applied to arrays, and counted loops where the definition runs over
bands or degrees. Each was written for this corpus from the problem's mathematical definition."""

import numpy as np

# Bard: 15 observations
BARD_Y = np.array([0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39])
# Gaussian: 15 observations, symmetric about the middle one
GAUSS_Y = np.array([0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989,
                    0.3521, 0.2420, 0.1295, 0.0540, 0.0175, 0.0044, 0.0009])
# Kowalik–Osborne: enzyme reaction rates y at substrate concentrations u
KOWALIK_Y = np.array([0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246])
KOWALIK_U = np.array([4.0, 2.0, 1.0, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625])
PENALTY_A = 1e-5
TRIDIA_ALPHA, TRIDIA_BETA = 2.0, 1.0


def sum_of_squares(r):
    return np.sum(r * r)


def smooth_abs(t):
    return np.sqrt(t * t + 1e-4)


def extended_rosenbrock(x):
    odd, even = x[0::2], x[1::2]
    return np.sum(100.0 * (even - odd ** 2) ** 2 + (1.0 - odd) ** 2)


def extended_powell_singular(x):
    a, b, c, d = x[0::4], x[1::4], x[2::4], x[3::4]
    return np.sum((a + 10 * b) ** 2 + 5 * (c - d) ** 2 + (b - 2 * c) ** 4 + 10 * (a - d) ** 4)


def wood(x):
    x1, x2, x3, x4 = x
    return (100 * (x2 - x1 ** 2) ** 2 + (1 - x1) ** 2 + 90 * (x4 - x3 ** 2) ** 2 + (1 - x3) ** 2
            + 10.1 * ((x2 - 1) ** 2 + (x4 - 1) ** 2) + 19.8 * (x2 - 1) * (x4 - 1))


def broyden_tridiagonal_residuals(x):
    padded = np.concatenate(([0.0], x, [0.0]))
    return (3.0 - 2.0 * x) * x - padded[:-2] - 2.0 * padded[2:] + 1.0


def broyden_tridiagonal(x):
    r = broyden_tridiagonal_residuals(x)
    return r @ r


def broyden_tridiagonal_loop(x):
    n = len(x)
    total = 0.0
    for i in range(n):
        left = x[i - 1] if i > 0 else 0.0
        right = x[i + 1] if i < n - 1 else 0.0
        total += ((3.0 - 2.0 * x[i]) * x[i] - left - 2.0 * right + 1.0) ** 2
    return total


def broyden_banded(x):
    n = len(x)
    total = 0.0
    for i in range(n):
        band = 0.0
        for j in range(max(0, i - 5), min(n, i + 2)):
            if j != i:
                band += x[j] * (1.0 + x[j])
        total += (x[i] * (2.0 + 5.0 * x[i] ** 2) + 1.0 - band) ** 2
    return total


def trigonometric_residuals(x):
    n = len(x)
    i = np.arange(1, n + 1)
    return n - np.sum(np.cos(x)) + i * (1.0 - np.cos(x)) - np.sin(x)


def trigonometric(x):
    return sum_of_squares(trigonometric_residuals(x))


def brown_badly_scaled(x):
    return (x[0] - 1e6) ** 2 + (x[1] - 2e-6) ** 2 + (x[0] * x[1] - 2.0) ** 2


def jennrich_sampson(x):
    i = np.arange(1, 11)
    r = 2.0 + 2.0 * i - (np.exp(i * x[0]) + np.exp(i * x[1]))
    return np.sum(r ** 2)


def helical_valley(x):
    theta = np.arctan2(x[1], x[0]) / (2 * np.pi)
    return 100.0 * ((x[2] - 10.0 * theta) ** 2 + (np.sqrt(x[0] ** 2 + x[1] ** 2) - 1.0) ** 2) + x[2] ** 2


def box_3d(x):
    t = 0.1 * np.arange(1, 11)
    r = np.exp(-t * x[0]) - np.exp(-t * x[1]) - x[2] * (np.exp(-t) - np.exp(-10.0 * t))
    return np.sum(r ** 2)


def bard(x):
    u = np.arange(1, 16)
    v = 16 - u
    w = np.minimum(u, v)
    r = BARD_Y - (x[0] + u / (v * x[1] + w * x[2]))
    return np.sum(r ** 2)


def gaussian_fit(x):
    t = (8.0 - np.arange(1, 16)) / 2.0
    r = x[0] * np.exp(-x[1] * (t - x[2]) ** 2 / 2.0) - GAUSS_Y
    return r @ r


def biggs_exp6(x):
    t = 0.1 * np.arange(1, 14)
    y = np.exp(-t) - 5.0 * np.exp(-10.0 * t) + 3.0 * np.exp(-4.0 * t)
    r = x[2] * np.exp(-t * x[0]) - x[3] * np.exp(-t * x[1]) + x[5] * np.exp(-t * x[4]) - y
    return np.sum(r ** 2)


def kowalik_osborne(x):
    u = KOWALIK_U
    model = x[0] * (u ** 2 + u * x[1]) / (u ** 2 + u * x[2] + x[3])
    return sum_of_squares(KOWALIK_Y - model)


def watson(x):
    n = len(x)
    total = x[0] ** 2 + (x[1] - x[0] ** 2 - 1.0) ** 2
    for i in range(1, 30):
        t = i / 29.0
        derivative_sum = 0.0
        value_sum = 0.0
        for j in range(n):
            if j > 0:
                derivative_sum += j * x[j] * t ** (j - 1)
            value_sum += x[j] * t ** j
        total += (derivative_sum - value_sum ** 2 - 1.0) ** 2
    return total


def chebyquad(x):
    n = len(x)
    y = 2.0 * x - 1.0
    t_previous = np.ones(n)
    t_current = y
    total = 0.0
    for degree in range(1, n + 1):
        integral = -1.0 / (degree ** 2 - 1.0) if degree % 2 == 0 else 0.0
        total += (np.mean(t_current) - integral) ** 2
        t_previous, t_current = t_current, 2.0 * y * t_current - t_previous
    return total


def penalty_1(x):
    return PENALTY_A * np.sum((x - 1.0) ** 2) + (np.sum(x ** 2) - 0.25) ** 2


def penalty_2(x):
    n = len(x)
    i = np.arange(2, n + 1)
    y = np.exp(i / 10.0) + np.exp((i - 1) / 10.0)
    pairs = np.exp(x[1:] / 10.0) + np.exp(x[:-1] / 10.0) - y
    tail = np.exp(x[1:] / 10.0) - np.exp(-0.1)
    weights = np.arange(n, 0, -1)
    return (x[0] - 0.2) ** 2 + PENALTY_A * (np.sum(pairs ** 2) + np.sum(tail ** 2)) \
        + (np.sum(weights * x ** 2) - 1.0) ** 2


def variably_dimensioned(x):
    j = np.arange(1, len(x) + 1)
    s = np.sum(j * (x - 1.0))
    return np.sum((x - 1.0) ** 2) + s ** 2 + s ** 4


def discrete_boundary_value(x):
    n = len(x)
    h = 1.0 / (n + 1)
    t = h * np.arange(1, n + 1)
    padded = np.concatenate(([0.0], x, [0.0]))
    r = 2.0 * x - padded[:-2] - padded[2:] + h ** 2 * (x + t + 1.0) ** 3 / 2.0
    return np.sum(r ** 2)


def discrete_integral_equation(x):
    n = len(x)
    h = 1.0 / (n + 1)
    t = h * np.arange(1, n + 1)
    cube = (x + t + 1.0) ** 3
    left = np.cumsum(t * cube)
    right = np.sum((1.0 - t) * cube) - np.cumsum((1.0 - t) * cube)
    r = x + h / 2.0 * ((1.0 - t) * left + t * right)
    return r @ r


def brown_almost_linear(x):
    n = len(x)
    r = x[:-1] + np.sum(x) - (n + 1)
    return np.sum(r ** 2) + (np.prod(x) - 1.0) ** 2


def linear_full_rank(x, m: int = 6):
    n = len(x)
    s = np.sum(x)
    r = x - 2.0 * s / m - 1.0
    return np.sum(r ** 2) + (m - n) * (2.0 * s / m + 1.0) ** 2


def linear_rank_1(x, m: int = 5):
    j = np.arange(1, len(x) + 1)
    i = np.arange(1, m + 1)
    r = i * np.dot(j, x) - 1.0
    return np.sum(r ** 2)


def arwhead(x):
    return np.sum(-4.0 * x[:-1] + 3.0) + np.sum((x[:-1] ** 2 + x[-1] ** 2) ** 2)


def engval1(x):
    return np.sum((x[:-1] ** 2 + x[1:] ** 2) ** 2) + np.sum(-4.0 * x[:-1] + 3.0)


def nondia(x):
    return (x[0] - 1.0) ** 2 + np.sum(100.0 * (x[0] - x[:-1] ** 2) ** 2)


def tridia(x):
    i = np.arange(2, len(x) + 1)
    return (x[0] - 1.0) ** 2 + np.sum(i * (TRIDIA_ALPHA * x[1:] - TRIDIA_BETA * x[:-1]) ** 2)


def quartc(x):
    return np.sum((x - np.arange(1, len(x) + 1)) ** 4)


def dqdrtic(x):
    return np.sum(x[:-2] ** 2 + 100.0 * x[1:-1] ** 2 + 100.0 * x[2:] ** 2)


def liarwhd(x):
    return np.sum(4.0 * (x ** 2 - x[0]) ** 2 + (x - 1.0) ** 2)


def sinquad(x):
    middle = x[1:-1]
    return (x[0] - 1.0) ** 4 + np.sum((np.sin(middle - x[-1]) - x[0] ** 2 + middle ** 2) ** 2) \
        + (x[-1] ** 2 - x[0] ** 2) ** 2


def edensch(x):
    a, b = x[:-1], x[1:]
    return 16.0 + np.sum((a - 2.0) ** 4 + (a * b - 2.0 * b) ** 2 + (b + 1.0) ** 2)


def cosine_chain(x):
    return np.sum(np.cos(-0.5 * x[1:] + x[:-1] ** 2))


def bdqrtic(x):
    n = len(x)
    total = 0.0
    for i in range(n - 4):
        quartic = x[i] ** 2 + 2 * x[i + 1] ** 2 + 3 * x[i + 2] ** 2 + 4 * x[i + 3] ** 2 + 5 * x[n - 1] ** 2
        total += (-4.0 * x[i] + 3.0) ** 2 + quartic ** 2
    return total


def cragglvy(x):
    a, b, c, d = x[0:-2:2], x[1:-2:2], x[2::2], x[3::2]
    return np.sum((np.exp(a) - b) ** 4 + 100.0 * (b - c) ** 6 + (np.tan(c - d) + c - d) ** 4 + a ** 8
                  + (d - 1.0) ** 2)


def genhumps(x):
    a, b = np.sin(2.0 * x[:-1]), np.sin(2.0 * x[1:])
    return np.sum(a ** 2 * b ** 2 + 0.05 * (x[:-1] ** 2 + x[1:] ** 2))


def smoothed_l1_regression(w, X, y):
    return np.sum(smooth_abs(X @ w - y)) + 0.01 * np.sum(smooth_abs(w))


def horner_fit(c, t_values, y):
    total = 0.0
    for t, target in zip(t_values, y):
        p = 0.0
        for a in reversed(c):
            p = p * t + a
        total += (p - target) ** 2
    return total
