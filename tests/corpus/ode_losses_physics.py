"""Small scientific kernels people differentiate: fixed-step ODE integrators (the gradient of a
final state or a trajectory misfit with respect to initial conditions and parameters), training
losses, and physical energies."""

import math

import numpy as np

GRAVITY = 9.81
LENGTH = 1.0
SPRING_K = 3.0
REST_LENGTH = 0.5
EPSILON = 1.0
SIGMA = 1.0


# ---------------------------------------------------------------- ODE integrators

def pendulum_euler(theta0, omega0, dt, steps: int):
    theta = theta0
    omega = omega0
    for _ in range(steps):
        alpha = -GRAVITY / LENGTH * math.sin(theta)
        theta = theta + dt * omega
        omega = omega + dt * alpha
    return theta


def pendulum_semi_implicit(theta0, omega0, dt, steps: int):
    theta, omega = theta0, omega0
    for _ in range(steps):
        omega -= dt * GRAVITY / LENGTH * np.sin(theta)
        theta += dt * omega
    return 0.5 * omega ** 2 + GRAVITY / LENGTH * (1 - np.cos(theta))


def pendulum_rhs(state):
    return np.array([state[1], -GRAVITY / LENGTH * np.sin(state[0])])


def pendulum_rk4(state0, dt, steps: int):
    y = state0.copy()
    for _ in range(steps):
        k1 = pendulum_rhs(y)
        k2 = pendulum_rhs(y + 0.5 * dt * k1)
        k3 = pendulum_rhs(y + 0.5 * dt * k2)
        k4 = pendulum_rhs(y + dt * k3)
        y = y + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    return y[0]


def pendulum_rk4_scalar(theta0, omega0, dt, steps: int):
    th, om = theta0, omega0
    c = GRAVITY / LENGTH
    for _ in range(steps):
        k1t = om
        k1o = -c * math.sin(th)
        k2t = om + 0.5 * dt * k1o
        k2o = -c * math.sin(th + 0.5 * dt * k1t)
        k3t = om + 0.5 * dt * k2o
        k3o = -c * math.sin(th + 0.5 * dt * k2t)
        k4t = om + dt * k3o
        k4o = -c * math.sin(th + dt * k3t)
        th = th + dt / 6 * (k1t + 2 * k2t + 2 * k3t + k4t)
        om = om + dt / 6 * (k1o + 2 * k2o + 2 * k3o + k4o)
    return th


def lotka_volterra_euler(params, prey0, predator0, dt, steps: int):
    alpha, beta, delta, gamma = params[0], params[1], params[2], params[3]
    x = prey0
    y = predator0
    for _ in range(steps):
        dx = alpha * x - beta * x * y
        dy = delta * x * y - gamma * y
        x = x + dt * dx
        y = y + dt * dy
    return x + y


def lotka_volterra_rhs(z, params):
    x, y = z[0], z[1]
    return np.array([params[0] * x - params[1] * x * y, params[2] * x * y - params[3] * y])


def lotka_volterra_rk4(params, z0, dt, steps: int):
    z = z0
    for _ in range(steps):
        k1 = lotka_volterra_rhs(z, params)
        k2 = lotka_volterra_rhs(z + dt / 2 * k1, params)
        k3 = lotka_volterra_rhs(z + dt / 2 * k2, params)
        k4 = lotka_volterra_rhs(z + dt * k3, params)
        z = z + dt * (k1 + 2 * k2 + 2 * k3 + k4) / 6
    return np.sum(z ** 2)


def lotka_volterra_trajectory_misfit(params, z0, observed, dt):
    steps = observed.shape[0]
    x, y = z0[0], z0[1]
    misfit = 0.0
    for k in range(steps):
        x, y = x + dt * (params[0] * x - params[1] * x * y), y + dt * (params[2] * x * y - params[3] * y)
        misfit += (x - observed[k, 0]) ** 2 + (y - observed[k, 1]) ** 2
    return misfit


def decay_rk4(y0, rate, dt, steps: int):
    y = y0
    for _ in range(steps):
        k1 = -rate * y
        k2 = -rate * (y + 0.5 * dt * k1)
        k3 = -rate * (y + 0.5 * dt * k2)
        k4 = -rate * (y + dt * k3)
        y += dt * (k1 + 2 * k2 + 2 * k3 + k4) / 6
    return y


def van_der_pol_euler(x0, v0, mu, dt, steps: int):
    x, v = x0, v0
    for _ in range(steps):
        a = mu * (1 - x * x) * v - x
        x, v = x + dt * v, v + dt * a
    return x * x + v * v


def oscillator_verlet(x0, v0, k, dt, steps: int):
    x = x0
    v = v0
    a = -k * x
    for _ in range(steps):
        x = x + v * dt + 0.5 * a * dt * dt
        a_new = -k * x
        v = v + 0.5 * (a + a_new) * dt
        a = a_new
    return x


# ---------------------------------------------------------------- losses

def logistic_loss(w, X, y):
    z = X @ w
    return np.mean(np.log(1 + np.exp(-y * z)))


def logistic_loss_stable(w, X, y):
    margins = y * np.dot(X, w)
    return np.sum(np.logaddexp(0.0, -margins)) / len(y)


def logistic_loss_loop(w, X, y):
    n, d = X.shape
    total = 0.0
    for i in range(n):
        z = 0.0
        for j in range(d):
            z += X[i, j] * w[j]
        total += math.log(1.0 + math.exp(-y[i] * z))
    return total / n


def softmax_cross_entropy(W, X, Y):
    logits = X @ W
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.sum(Y * log_probs) / X.shape[0]


def softmax_cross_entropy_loop(W, X, Y):
    n, d = X.shape
    k = W.shape[1]
    loss = 0.0
    for i in range(n):
        logits = np.zeros(k)
        for c in range(k):
            for j in range(d):
                logits[c] += X[i, j] * W[j, c]
        top = logits[0]
        for c in range(1, k):
            top = max(top, logits[c])
        norm = 0.0
        for c in range(k):
            norm += math.exp(logits[c] - top)
        for c in range(k):
            loss -= Y[i, c] * (logits[c] - top - math.log(norm))
    return loss / n


def huber(residual, delta=1.0):
    a = np.abs(residual)
    return np.sum(np.where(a <= delta, 0.5 * residual ** 2, delta * (a - 0.5 * delta)))


def huber_loop(residual, delta=1.0):
    total = 0.0
    for i in range(len(residual)):
        r = residual[i]
        if abs(r) <= delta:
            total += 0.5 * r * r
        else:
            total += delta * (abs(r) - 0.5 * delta)
    return total


def squared_hinge(w, X, y):
    margins = 1 - y * (X @ w)
    return np.mean(np.maximum(0.0, margins) ** 2)


def smoothed_hinge(z):
    total = 0.0
    for i in range(len(z)):
        if z[i] >= 1.0:
            loss = 0.0
        elif z[i] <= 0.0:
            loss = 0.5 - z[i]
        else:
            loss = 0.5 * (1.0 - z[i]) ** 2
        total += loss
    return total


def ridge_loss(w, X, y, lam=0.1):
    r = X @ w - y
    return 0.5 * np.dot(r, r) + 0.5 * lam * np.dot(w, w)


def log_cosh_loss(prediction, target):
    return np.sum(np.log(np.cosh(prediction - target)))


def poisson_nll(log_rate, counts):
    return np.sum(np.exp(log_rate) - counts * log_rate)


def gaussian_nll(mu, log_sigma, data):
    sigma = np.exp(log_sigma)
    return np.sum(0.5 * ((data - mu) / sigma) ** 2 + log_sigma + 0.5 * np.log(2 * np.pi))


def mlp_loss(W1, W2, X, y):
    hidden = np.tanh(X @ W1)
    out = hidden @ W2
    return np.mean((out - y) ** 2)


# ---------------------------------------------------------------- physics kernels

def spring_chain_energy(positions):
    stretch = np.diff(positions) - REST_LENGTH
    return 0.5 * SPRING_K * np.sum(stretch ** 2)


def spring_chain_energy_loop(positions, k=3.0, rest=0.5):
    energy = 0.0
    for i in range(len(positions) - 1):
        s = positions[i + 1] - positions[i] - rest
        energy += 0.5 * k * s * s
    return energy


def lennard_jones(coords):
    n = len(coords) // 3
    energy = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            dx = coords[3 * i] - coords[3 * j]
            dy = coords[3 * i + 1] - coords[3 * j + 1]
            dz = coords[3 * i + 2] - coords[3 * j + 2]
            r2 = dx * dx + dy * dy + dz * dz
            sr6 = (SIGMA * SIGMA / r2) ** 3
            energy += 4 * EPSILON * (sr6 * sr6 - sr6)
    return energy


def lennard_jones_matrix(positions):
    n = positions.shape[0]
    energy = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            r = np.sqrt(np.sum((positions[i] - positions[j]) ** 2))
            energy += 4 * EPSILON * ((SIGMA / r) ** 12 - (SIGMA / r) ** 6)
    return energy


def morse_energy(positions, depth=1.0, width=1.5, r0=1.0):
    n = positions.shape[0]
    energy = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            r = math.sqrt((positions[i, 0] - positions[j, 0]) ** 2 + (positions[i, 1] - positions[j, 1]) ** 2)
            energy += depth * (1 - math.exp(-width * (r - r0))) ** 2
    return energy


def coulomb_energy(positions, charges):
    n = len(charges)
    energy = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            d = positions[i] - positions[j]
            energy += charges[i] * charges[j] / np.linalg.norm(d)
    return energy


def heat_stencil(u0, alpha, steps: int):
    u = u0.copy()
    for _ in range(steps):
        u[1:-1] = u[1:-1] + alpha * (u[2:] - 2 * u[1:-1] + u[:-2])
    return np.sum(u ** 2)


def heat_stencil_loop(u0, alpha, steps: int):
    n = len(u0)
    u = u0.copy()
    for _ in range(steps):
        new = u.copy()
        for i in range(1, n - 1):
            new[i] = u[i] + alpha * (u[i + 1] - 2 * u[i] + u[i - 1])
        u = new
    total = 0.0
    for i in range(n):
        total += u[i] * u[i]
    return total


def heat_stencil_inplace(u0, alpha, steps: int):
    n = len(u0)
    u = np.zeros(n)
    for i in range(n):
        u[i] = u0[i]
    for _ in range(steps):
        left = u[0]
        for i in range(1, n - 1):
            centre = u[i]
            u[i] = centre + alpha * (u[i + 1] - 2 * centre + left)
            left = centre
    return np.sum(u * u)


def gravitational_potential(positions, masses):
    n = positions.shape[0]
    energy = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            r = np.sqrt(np.sum((positions[i, :] - positions[j, :]) ** 2) + 0.01)
            energy -= masses[i] * masses[j] / r
    return energy


def wave_leapfrog(u0, c, steps: int):
    n = len(u0)
    previous = u0.copy()
    current = u0.copy()
    for _ in range(steps):
        following = np.zeros(n)
        for i in range(1, n - 1):
            following[i] = 2 * current[i] - previous[i] + c * c * (current[i + 1] - 2 * current[i] + current[i - 1])
        previous = current
        current = following
    return np.sum(current ** 2)
