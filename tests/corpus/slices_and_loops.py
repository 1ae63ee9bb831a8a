"""Corpus: slice assignment, slices and whole arrays inside loops, arrays allocated in loops and
3-D arrays, written the way NumPy users write stencils, integrators and smoothing penalties."""

import numpy as np


def explicit_heat_rod(u0, alpha=0.2, steps: int = 5):
    u = u0.copy()
    for _ in range(steps):
        u[1:-1] = u[1:-1] + alpha * (u[2:] - 2.0 * u[1:-1] + u[:-2])
    return np.sum(u ** 2)


def jacobi_smoothing(x, sweeps: int = 3):
    u = x.copy()
    for _ in range(sweeps):
        u[1:-1] = 0.5 * (u[:-2] + u[2:])
    return np.sum((u - x) ** 2) + np.sum(u ** 2)


def padded_laplacian_energy(x):
    p = np.zeros(len(x) + 2)
    p[1:-1] = x
    lap = p[2:] - 2.0 * p[1:-1] + p[:-2]
    return np.sum(lap ** 2)


def cyclic_shift_coupling(x):
    y = np.empty(len(x))
    y[1:] = x[:-1]
    y[0] = x[-1]
    return np.sum((x - y) ** 2) + np.sum(x * y)


def cumulative_trapezoid_energy(x, dx=0.5):
    F = np.zeros(len(x))
    F[1:] = 0.5 * dx * (x[1:] + x[:-1])
    for i in range(1, len(x)):
        F[i] += F[i - 1]
    return np.sum(F ** 2)


def moving_average_residual(x, window: int = 2):
    s = 0.0
    for i in range(len(x) - window + 1):
        m = np.mean(x[i:i + window])
        s += (x[i] - m) ** 2 + m ** 2
    return s


def rolling_variance(x, window: int = 3):
    s = 0.0
    for i in range(len(x) - window + 1):
        mu = np.mean(x[i:i + window])
        s += np.mean((x[i:i + window] - mu) ** 2)
    return s


def autocorrelation_penalty(x, lags: int = 2):
    s = 0.0
    for k in range(1, lags + 1):
        s += np.dot(x[k:], x[:-k]) ** 2
    return s


def prefix_sum_regulariser(x):
    c = np.zeros(len(x))
    for i in range(len(x)):
        c[i] = np.sum(x[:i + 1])
    return np.sum(c ** 2)


def damped_oscillators_euler(y0, dt=0.05, steps: int = 20):
    y = y0
    v = np.zeros(len(y0))
    for _ in range(steps):
        a = -y - 0.1 * v - 0.2 * y ** 3
        v = v + dt * a
        y = y + dt * v
    return np.sum(y ** 2) + np.sum(v ** 2)


def midpoint_integrator(y0, dt=0.1, steps: int = 5):
    y = y0.copy()
    for _ in range(steps):
        k1 = -y ** 3 + np.sin(y)
        mid = y + 0.5 * dt * k1
        k2 = -mid ** 3 + np.sin(mid)
        y = y + dt * k2
    return np.sum(y)


def gradient_descent_unrolled(x, rate=0.1, steps: int = 4):
    for _ in range(steps):
        x = x - rate * (x - np.cos(x))
    return np.sum(x ** 2)


def grid_total_variation(x):
    U = np.zeros((2, 2))
    U[0, :] = x[:2]
    U[1, :] = x[2:]
    return np.sum((U[1:, :] - U[:-1, :]) ** 2) + np.sum((U[:, 1:] - U[:, :-1]) ** 2) + np.sum(U ** 2)


def column_scaled_gram(x):
    n = len(x)
    A = np.zeros((n, n))
    for j in range(n):
        A[:, j] = np.cos(x * (j + 1.0))
    return np.sum(A * A.T) + np.sum(A[::2, 1:] ** 2)


def outer_product_cube(x):
    n = len(x)
    T = np.zeros((n, n, n))
    for i in range(n):
        for j in range(n):
            for k in range(n):
                T[i, j, k] = x[i] * x[j] - 0.5 * x[k]
    s = 0.0
    for i in range(n):
        s += np.sum(T[i, :, :] ** 2)
    return s


def per_step_workspace(x, steps: int = 3):
    s = 0.0
    n = len(x)
    for step in range(steps):
        work = np.zeros(n)
        for i in range(n):
            work[i] = np.tanh(x[i] * (step + 1.0))
        s += np.sum(work * x) + work[0] ** 2
    return s
