"""Objectives written with appended lists, np.einsum, np.inner/np.vdot and math.factorial, the way
scripts and notebooks write them (one vector argument x of length 4)."""

import math

import numpy as np

COUPLING = np.array([[2.0, 0.5, 0.0, 0.1],
                     [0.5, 1.5, 0.3, 0.0],
                     [0.0, 0.3, 1.0, 0.2],
                     [0.1, 0.0, 0.2, 3.0]])
SHIFT = np.array([0.5, -1.0, 0.25, 2.0])


def coupled_quadratic(x):
    return 0.5 * np.einsum("i,ij,j->", x, COUPLING, x) - np.einsum("i,i", SHIFT, x)


def gram_penalty(x):
    G = np.einsum("i,j->ij", x, x)
    return np.einsum("ii", G) + 0.1 * np.einsum("ij,ij->", G, COUPLING) + np.inner(x, x[::-1]) - np.vdot(x, SHIFT)


def taylor_exp_per_component(x):
    total = 0.0
    for xi in x:
        total += sum(xi ** k / math.factorial(k) for k in range(8))
    return total


def spring_chain(x):
    energies = []
    for i in range(len(x) - 1):
        stretch = x[i + 1] - x[i] - 1.0
        energies.append(0.5 * stretch ** 2)
    return sum(energies) + np.mean(energies)


def binomial_smoothing(x):
    weights = []
    for k in range(len(x)):
        weights.append(math.comb(len(x) - 1, k) / 2.0 ** (len(x) - 1))
    return np.dot(np.array(weights), x ** 2 + np.sin(x))


def softplus_of_positive_parts(x):
    parts = []
    for v in x:
        if v > 0.0:
            parts.append(v * v)
    return np.log1p(np.sum(parts)) * (1.0 + 0.1 * len(parts)) + np.sum(np.exp(0.3 * x))


def dixon_price_with_list(x):
    terms = [(x[0] - 1.0) ** 2]
    for i in range(1, len(x)):
        terms.append((i + 1) * (2.0 * x[i] ** 2 - x[i - 1]) ** 2)
    return sum(terms)


def rk4_states_mean(x):
    y = x[0]
    ys = []
    for step in range(10):
        k1 = -x[1] * y + x[2]
        k2 = -x[1] * (y + 0.05 * k1) + x[2]
        k3 = -x[1] * (y + 0.05 * k2) + x[2]
        k4 = -x[1] * (y + 0.1 * k3) + x[2]
        y = y + 0.1 / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        ys.append(y * x[3])
    return np.mean(ys) + ys[-1] ** 2
