"""Loops for checkpointing tests (tests/transform/test_checkpointing.py): each is built taped and
with a small --tape-limit, whose gradients must be bit-identical."""

import math

import numpy as np


def oscillator(k, c, x0, v0, dt, steps: int):
    x = x0
    v = v0
    acc = 0.0
    for step in range(steps):
        a = -k * x - c * v - 0.1 * x ** 3
        acc += x * x * dt
        x = x + dt * v
        v = v + dt * a
    return x * x + v * v + acc


def branches_and_counts(x, y, n: int):
    s = 0.0
    flips = 0
    for i in range(n):
        if s > 1.0:
            s = s * 0.5 - x * 0.1
            flips = flips + 1
        else:
            s = s + x * y + 0.3 * math.sin(s)
    return s + flips * y


def shifted_ranges(x, y, n: int):
    s = x
    for i in range(3, n):
        s = s * 0.9 + math.cos(s * i * 0.01) * y
    for j in range(n, 0, -1):
        s = s + math.sin(s) * j * 1e-3 * x
    return s


def nested(x, y, n: int, m: int):
    a = x
    for i in range(n):
        for j in range(m):
            a = a * math.cos(y) * 0.99 + math.sin(a) * 0.1 + j * 1e-3
        a = a + y * 0.01
    return a


def settle(x, n: int):
    s = x
    for i in range(n):
        s = math.sin(s) + x * 0.5
    return s


def calls_a_looping_function(x, y, n: int):
    return settle(x * y, n) * y


def loop_calling_a_looping_function(x, y, n: int):
    t = x
    for i in range(n):
        t = settle(t, 3) * 0.5 + y
    return t


def reads_an_array(w: np.ndarray, x, n: int):
    s = x
    for i in range(n):
        s = s * 0.8 + w[i % len(w)] * math.tanh(s)
    return s


def writes_an_array(x, n: int):
    out = np.zeros(n)
    s = x
    for i in range(n):
        s = math.sin(s) + 0.5
        out[i] = s * s
    return np.sum(out)


def leaves_early(x, n: int):
    s = x
    for i in range(n):
        s = s * 0.9 + 0.1 * math.sin(s)
        if s > 10.0:
            break
    return s


def marked(x, n: int):
    s = x
    for i in range(n):  # srcgrad: checkpoint 2K
        s = s * 0.99 + 0.01 * math.cos(s)
    return s


def falls(h, g):
    t = 0.0
    v = 0.0
    while h > 0.0:
        v = v + g * 0.001
        h = h - v * 0.001 * math.cos(h)
        t = t + 0.001
    return t + h * g


def returns_inside(x, n: int):
    s = x
    for i in range(n):
        s = s * 0.95 + 0.05 * math.cos(s * i * 0.001)
        if i * x > 150.0:
            return s * 2.0
    return s


def diffuses(u0: np.ndarray, alpha, steps: int):
    u = u0.copy()
    n = len(u)
    new = np.zeros(n)
    for step in range(steps):
        for i in range(1, n - 1):
            new[i] = u[i] + alpha * (u[i - 1] - 2.0 * u[i] + u[i + 1])
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


def rewritten_after(w: np.ndarray, x, n: int):
    v = w.copy()
    s = x
    for i in range(n):
        s = s * 0.9 + v[i % len(v)] * 0.1 * math.cos(s)
    v[0] = s
    return s + v[0] * v[1]
