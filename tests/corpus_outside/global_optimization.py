"""Global-optimization test functions in the styles of public benchmark collections (not the
styles srcgrad's own corpus was written in): the argument unpacked into named coordinates,
rescaled or clipped in place, boolean masks multiplied in, `for v in x`, `zip` of neighbours,
`enumerate`, generator and list-comprehension sums, np.prod of a comprehension, broadcasting
with `x[:, None]`, `x.reshape(-1, 2)`, penalty helpers called with arrays. Written for this
held-out corpus from the functions' mathematical definitions."""

import numpy as np

POWER_SUM_TARGETS = np.array([8.0, 18.0, 44.0, 114.0])


def qing(x):
    i = np.arange(1, x.size + 1)
    return np.sum((x ** 2 - i) ** 2)


def exponential(x):
    return -np.exp(-0.5 * np.sum(x ** 2))


def deb1(x):
    return -(1.0 / len(x)) * np.sum(np.sin(5 * np.pi * x) ** 6)


def mishra11(x):
    n = len(x)
    arithmetic = np.sum(np.abs(x)) / n
    geometric = np.prod(np.abs(x)) ** (1.0 / n)
    return (arithmetic - geometric) ** 2


def pinter(x):
    n = len(x)
    i = np.arange(1, n + 1)
    before = np.roll(x, 1)
    after = np.roll(x, -1)
    a = before * np.sin(x) + np.sin(after)
    b = before ** 2 - 2 * x + 3 * after - np.cos(x) + 1
    return np.sum(i * x ** 2) + np.sum(20 * i * np.sin(a) ** 2) + np.sum(i * np.log10(1 + i * b ** 2))


def rana(x):
    xi, xj = x[:-1], x[1:]
    t1 = np.sqrt(np.abs(xj + xi + 1))
    t2 = np.sqrt(np.abs(xj - xi + 1))
    return np.sum((xj + 1) * np.cos(t2) * np.sin(t1) + xi * np.cos(t1) * np.sin(t2))


def trigonometric2(x):
    shifted = (x - 0.9) ** 2
    return 1 + np.sum(8 * np.sin(7 * shifted) ** 2 + 6 * np.sin(14 * shifted) ** 2 + shifted)


def weierstrass(x, a=0.5, b=3.0, kmax=4):
    k = np.arange(kmax + 1)
    inner = np.sum(a ** k * np.cos(2 * np.pi * b ** k * (x[:, None] + 0.5)), axis=1)
    offset = len(x) * np.sum(a ** k * np.cos(np.pi * b ** k))
    return np.sum(inner) - offset


def xin_she_yang4(x):
    s = np.sum(np.sin(x) ** 2) - np.exp(-np.sum(x ** 2))
    return s * np.exp(-np.sum(np.sin(np.sqrt(np.abs(x))) ** 2))


def ackley_2d(x):
    x1, x2 = x
    r = np.sqrt(0.5 * (x1 ** 2 + x2 ** 2))
    return -20 * np.exp(-0.2 * r) - np.exp(0.5 * (np.cos(2 * np.pi * x1) + np.cos(2 * np.pi * x2))) + np.e + 20


def beale_scaled(x):
    x = np.asarray(x) * 1.5
    a, b = x[0], x[1]
    return (1.5 - a + a * b) ** 2 + (2.25 - a + a * b ** 2) ** 2 + (2.625 - a + a * b ** 3) ** 2


def rosenbrock_zip(x):
    return sum(100.0 * (b - a * a) ** 2 + (1 - a) ** 2 for a, b in zip(x[:-1], x[1:]))


def sphere_for(x):
    total = 0.0
    for v in x:
        total += v * v
    return total


def sum_squares_enumerate(x):
    return sum((i + 1) * v ** 2 for i, v in enumerate(x))


def griewank_comprehension(x):
    product = np.prod([np.cos(v / np.sqrt(i + 1)) for i, v in enumerate(x)])
    return 1 + sum(v ** 2 for v in x) / 4000 - product


def _penalty_u(x, a, k, m):
    return k * (x - a) ** m * (x > a) + k * (-x - a) ** m * (x < -a)


def penalized1(x):
    n = len(x)
    y = 1 + (x + 1) / 4
    body = 10 * np.sin(np.pi * y[0]) ** 2 + np.sum((y[:-1] - 1) ** 2 * (1 + 10 * np.sin(np.pi * y[1:]) ** 2))
    return np.pi / n * (body + (y[-1] - 1) ** 2) + np.sum(_penalty_u(x, 1.0, 100.0, 4))


def schwefel_where(x):
    inside = np.where(np.abs(x) <= 500, x * np.sin(np.sqrt(np.abs(x))), 0.0)
    return 418.9829 * len(x) - np.sum(inside)


def rastrigin_clipped(x):
    x = np.clip(x, -5.12, 5.12)
    return 10 * len(x) + np.sum(x ** 2 - 10 * np.cos(2 * np.pi * x))


def perm_d_beta(x, beta=0.5):
    d = len(x)
    j = np.arange(1, d + 1)
    i = np.arange(1, d + 1)[:, None]
    return np.sum(np.sum((j ** i + beta) * ((x / j) ** i - 1), axis=1) ** 2)


def power_sum(x):
    k = np.arange(1, len(x) + 1)[:, None]
    return np.sum((np.sum(x ** k, axis=1) - POWER_SUM_TARGETS) ** 2)


def shubert_nd(x):
    j = np.arange(1, 6)
    return np.prod(np.sum(j * np.cos((j + 1) * x[:, None] + j), axis=1))


def cosine_mixture(x):
    return -0.1 * np.sum(np.cos(5 * np.pi * x)) + np.sum(x ** 2)


def zakharov_dot(x):
    i = np.arange(1, len(x) + 1)
    s = np.dot(0.5 * i, x)
    return x.dot(x) + s ** 2 + s ** 4


def rosenbrock_pairs(x):
    p = x.reshape(-1, 2)
    return np.sum(100 * (p[:, 0] ** 2 - p[:, 1]) ** 2 + (p[:, 0] - 1) ** 2)


def mishra_bird(v):
    x, y = v
    return np.sin(y) * np.exp((1 - np.cos(x)) ** 2) + np.cos(x) * np.exp((1 - np.sin(y)) ** 2) + (x - y) ** 2


def styblinski_tang(x):
    return np.sum(x ** 4 - 16 * x ** 2 + 5 * x) / 2


def schaffer_f6(x):
    x1, x2 = x[0], x[1]
    r2 = x1 ** 2 + x2 ** 2
    return 0.5 + (np.sin(np.sqrt(r2)) ** 2 - 0.5) / (1 + 0.001 * r2) ** 2


def alpine_list(x):
    return sum([abs(v * np.sin(v) + 0.1 * v) for v in x])


def happy_cat(x, alpha=0.125):
    n = len(x)
    r2 = np.sum(x * x)
    return ((r2 - n) ** 2) ** alpha + (0.5 * r2 + np.sum(x)) / n + 0.5


def salomon_norm(x):
    r = np.linalg.norm(x)
    return 1 - np.cos(2 * np.pi * r) + 0.1 * r


def levy_unpacked(x):
    w = 1 + (x - 1) / 4
    head = np.sin(np.pi * w[0]) ** 2
    middle = np.sum((w[:-1] - 1) ** 2 * (1 + 10 * np.sin(np.pi * w[:-1] + 1) ** 2))
    tail = (w[-1] - 1) ** 2 * (1 + np.sin(2 * np.pi * w[-1]) ** 2)
    return head + middle + tail


def dixon_price_loop(x):
    total = (x[0] - 1) ** 2
    for i in range(1, len(x)):
        total += (i + 1) * (2 * x[i] ** 2 - x[i - 1]) ** 2
    return total


def stretched_v_sine_wave(x):
    t = x[1:] ** 2 + x[:-1] ** 2
    return np.sum(t ** 0.25 * (np.sin(50.0 * t ** 0.1) ** 2 + 0.1))
