"""np.linspace whose endpoints have a derivative: quadrature over a differentiable interval, a
grid stretched by a parameter, both ends from one parameter, and grids of one or no point."""

import numpy as np


def trapezoid_area(a, b, n: int):
    h = (b - a) / n
    xs = np.linspace(a, b, n + 1)
    ys = np.exp(-xs ** 2)
    return h * (np.sum(ys) - 0.5 * (ys[0] + ys[-1]))


def simpson(c, n: int):
    xs = np.linspace(0.0, c, 2 * n + 1)
    f = np.sin(xs) / (1.0 + xs * xs)
    h = xs[1] - xs[0]
    return h / 3 * (f[0] + 4 * np.sum(f[1:-1:2]) + 2 * np.sum(f[2:-1:2]) + f[-1])


def stretched_grid(c, x):
    t = np.linspace(0.0, c, len(x))
    return np.sum(np.sin(t) * x)


def both_ends(c):
    return np.sum(np.linspace(-c, 2 * c) ** 2)


def grid_of(a, b, n: int):
    return np.sum(np.cos(np.linspace(a, b * b, n))) + a



def simpson_of_a_count(c, n):
    # n is unannotated: np.linspace's num makes it an integer, as NumPy takes it
    xs = np.linspace(0.0, 1.0, 2 * n + 1)
    f = np.sin(c * xs) / (1.0 + xs)
    return (xs[1] - xs[0]) / 3 * (f[0] + 4 * np.sum(f[1:-1:2]) + 2 * np.sum(f[2:-1:2]) + f[-1])


def half_as_many(a, m):
    return np.sum(np.linspace(a, 2.0, m // 2) ** 2)
