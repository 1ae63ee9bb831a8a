"""Loops for tests/transform/test_checkpointed_hvp.py: Hessian-vector products (forward over
reverse) of checkpointed loops must be bit-identical to the taped build's."""

import math

import numpy as np


def oscillator(k, c, x0, v0, dt, steps: int):
    x = x0
    v = v0
    energy = 0.0
    for step in range(steps):
        a = -k * x - c * v - 0.1 * x ** 3
        energy += x * x * dt
        x = x + dt * v
        v = v + dt * a
    return x * x + v * v + energy


def strided(x, y, n: int):
    s = x
    for i in range(2, n, 3):
        s = s * 0.97 + math.sin(s * y) * 0.05 + i * 1e-4
    for j in range(n, 1, -2):
        s = s + math.cos(s) * j * 1e-4 * x
    return s * y


def counts_flips(x, y, n: int):
    s = 0.0
    flips = 0
    for i in range(n):
        if s > 1.0:
            s = s * 0.5 - x * 0.1
            flips = flips + 1
        else:
            s = s + x * y + 0.3 * math.sin(s)
    return s + flips * y * y


def nested(x, y, n: int, m: int):
    a = x
    for i in range(n):
        for j in range(m):
            a = a * math.cos(y) * 0.99 + math.sin(a) * 0.1 + j * 1e-3
        a = a + y * a * 0.01
    return a * a


def falls(h, g):
    t = 0.0
    v = 0.0
    while h > 0.0:
        v = v + g * 0.001
        h = h - v * 0.001 * math.cos(h)
        t = t + 0.001 * v
    return t * t + h * g


def stops_early(x, n: int):
    s = x
    for i in range(n):
        s = s * 1.01 + 0.01 * math.sin(s * x)
        if s > 5.0:
            break
    return s * x + s * s


def marked(x, y, n: int):
    s = x
    for i in range(n):  # srcgrad: checkpoint 2K
        s = s * 0.99 + 0.01 * math.cos(s * y)
    return s * s


def settles(x, n: int):
    s = x
    for i in range(n):
        s = math.sin(s) + x * 0.5
    return s


def calls_a_looping_function(x, y, n: int):
    return settles(x * y, n) * y


def diffuses(u0: np.ndarray, alpha, steps: int):
    u = u0.copy()
    n = len(u)
    new = np.zeros(n)
    for step in range(steps):
        for i in range(1, n - 1):
            new[i] = u[i] + alpha * (u[i - 1] - 2.0 * u[i] + u[i + 1]) + 0.01 * u[i] * u[i]
        for i in range(1, n - 1):
            u[i] = new[i]
    return np.sum(u * u)


def relaxes_a_grid(w: np.ndarray, steps: int):
    g = w.copy()
    for t in range(steps):
        for i in range(g.shape[0]):
            for j in range(g.shape[1]):
                g[i, j] = g[i, j] * 0.9 + 0.1 * math.sin(g[i, j] + t * 0.01)
    return np.sum(g * g)
