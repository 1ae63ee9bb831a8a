"""N-dimensional optimization test functions, written the vectorised NumPy way.

Each takes a point ``x`` (a 1-D float array) and returns a float. Definitions follow the usual
statements in the global-optimization literature (Jamil & Yang 2013, Surjanovic & Bingham's
virtual library); the code is written from those formulas.
"""

import numpy as np

# Weierstrass parameters (the textbook uses KMAX = 20; with fewer terms central differences can
# still resolve the fastest cosine)
WEIERSTRASS_A = 0.5
WEIERSTRASS_B = 3.0
WEIERSTRASS_KMAX = 4

MICHALEWICZ_M = 10


def sphere(x):
    return np.sum(x ** 2)


def sum_squares(x):
    i = np.arange(1, len(x) + 1)
    return np.sum(i * x ** 2)


def rastrigin(x):
    d = len(x)
    return 10.0 * d + np.sum(x ** 2 - 10.0 * np.cos(2 * np.pi * x))


def ackley(x, a=20.0, b=0.2, c=2 * np.pi):
    d = len(x)
    sum1 = np.sum(x ** 2)
    sum2 = np.sum(np.cos(c * x))
    return -a * np.exp(-b * np.sqrt(sum1 / d)) - np.exp(sum2 / d) + a + np.e


def griewank(x):
    i = np.arange(1, len(x) + 1)
    return 1.0 + np.sum(x ** 2) / 4000.0 - np.prod(np.cos(x / np.sqrt(i)))


def styblinski_tang(x):
    return 0.5 * np.sum(x ** 4 - 16.0 * x ** 2 + 5.0 * x)


def michalewicz(x):
    i = np.arange(1, x.size + 1)
    return -np.sum(np.sin(x) * np.sin(i * x ** 2 / np.pi) ** (2 * MICHALEWICZ_M))


def dixon_price(x):
    d = len(x)
    i = np.arange(2, d + 1)
    return (x[0] - 1) ** 2 + np.sum(i * (2 * x[1:] ** 2 - x[:-1]) ** 2)


def levy(x):
    w = 1 + (x - 1) / 4
    term1 = np.sin(np.pi * w[0]) ** 2
    wi = w[:-1]
    term2 = np.sum((wi - 1) ** 2 * (1 + 10 * np.sin(np.pi * wi + 1) ** 2))
    term3 = (w[-1] - 1) ** 2 * (1 + np.sin(2 * np.pi * w[-1]) ** 2)
    return term1 + term2 + term3


def trid(x):
    return np.sum((x - 1) ** 2) - np.sum(x[1:] * x[:-1])


def powell(x):
    x1 = x[0::4]
    x2 = x[1::4]
    x3 = x[2::4]
    x4 = x[3::4]
    return np.sum((x1 + 10 * x2) ** 2 + 5 * (x3 - x4) ** 2 + (x2 - 2 * x3) ** 4 + 10 * (x1 - x4) ** 4)


def zakharov(x):
    i = np.arange(1, len(x) + 1)
    s1 = np.sum(x ** 2)
    s2 = np.sum(0.5 * i * x)
    return s1 + s2 ** 2 + s2 ** 4


def schwefel(x):
    d = x.shape[0]
    return 418.9829 * d - np.sum(x * np.sin(np.sqrt(np.abs(x))))


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def step(x):
    return np.sum(np.floor(x + 0.5) ** 2)


def quartic(x):
    return np.sum(np.arange(1, len(x) + 1) * x ** 4)


def alpine1(x):
    return np.sum(np.abs(x * np.sin(x) + 0.1 * x))


def salomon(x):
    r = np.sqrt(np.sum(x ** 2))
    return 1 - np.cos(2 * np.pi * r) + 0.1 * r


def qing(x):
    i = np.arange(1, len(x) + 1)
    return np.sum((x ** 2 - i) ** 2)


def rotated_hyper_ellipsoid(x):
    return np.sum(np.cumsum(x ** 2))


def schwefel_1_2(x):
    return np.sum(np.cumsum(x) ** 2)


def sum_of_different_powers(x):
    return np.sum(np.abs(x) ** np.arange(2, len(x) + 2))


def perm_0_d_beta(x, beta=10.0):
    d = len(x)
    j = np.arange(1.0, d + 1)
    total = 0.0
    for i in range(1, d + 1):
        inner = np.sum((j + beta) * (x ** i - 1.0 / j ** i))
        total += inner ** 2
    return total


def exponential(x):
    return -np.exp(-0.5 * np.sum(x ** 2))


def cosine_mixture(x):
    return -0.1 * np.sum(np.cos(5 * np.pi * x)) + np.sum(x ** 2)


def brown(x):
    a = x[:-1] ** 2
    b = x[1:] ** 2
    return np.sum(a ** (b + 1) + b ** (a + 1))


def csendes(x):
    return np.sum(x ** 6 * (2 + np.sin(1 / x)))


def deb1(x):
    return -np.mean(np.sin(5 * np.pi * x) ** 6)


def happy_cat(x, alpha=0.125):
    d = len(x)
    r2 = np.sum(x ** 2)
    return ((r2 - d) ** 2) ** alpha + (0.5 * r2 + np.sum(x)) / d + 0.5


def periodic(x):
    return 1 + np.sum(np.sin(x) ** 2) - 0.1 * np.exp(-np.sum(x ** 2))


def weierstrass(x):
    k = np.arange(WEIERSTRASS_KMAX + 1)
    ak = WEIERSTRASS_A ** k
    bk = WEIERSTRASS_B ** k
    terms = ak[None, :] * np.cos(2 * np.pi * bk[None, :] * (x[:, None] + 0.5))
    offset = len(x) * np.sum(ak * np.cos(np.pi * bk))
    return np.sum(terms) - offset


def high_conditioned_elliptic(x):
    d = len(x)
    weights = 1e6 ** (np.arange(d) / (d - 1))
    return np.sum(weights * x ** 2)


def discus(x):
    return 1e6 * x[0] ** 2 + np.sum(x[1:] ** 2)


def bent_cigar(x):
    return x[0] ** 2 + 1e6 * np.sum(x[1:] ** 2)


def sphere_norm(x):
    return np.linalg.norm(x) ** 2


def chung_reynolds(x):
    return x.dot(x) ** 2


def xin_she_yang_2(x):
    return np.sum(np.abs(x)) * np.exp(-np.sum(np.sin(x ** 2)))


def schwefel_2_22(x):
    return np.sum(np.abs(x)) + np.prod(np.abs(x))


def schwefel_2_21(x):
    return np.max(np.abs(x))


def trigonometric_2(x):
    return 1 + np.sum(8 * np.sin(7 * (x - 0.9) ** 2) ** 2 + 6 * np.sin(14 * (x - 0.9) ** 2) ** 2 + (x - 0.9) ** 2)
