"""Physics kernels and fixed-step integrators in the styles of simulation notebooks: rows of a
positions array read in pair loops (`d = pos[i] - pos[j]`), np.linalg.norm of a row difference,
all-pairs broadcasting with `[:, None, :]` and np.newaxis, masks built from np.eye, flattened
coordinates reshaped to (-1, 2), np.diff along an axis, `A @ x` inside a time loop, right-hand
sides returning np.array([...]), state vectors unpacked into named components, trajectories
collected in lists. Written for this held-out corpus."""

import numpy as np


def pair_energy_rows(pos, masses):
    n = pos.shape[0]
    energy = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            d = pos[i] - pos[j]
            energy -= masses[i] * masses[j] / np.sqrt(d @ d)
    return energy


def gravity_norm_rows(pos, m):
    energy = 0.0
    for i in range(len(m)):
        for j in range(i):
            energy -= m[i] * m[j] / np.linalg.norm(pos[i] - pos[j])
    return energy


def lennard_jones_broadcast(pos):
    diff = pos[:, None, :] - pos[None, :, :]
    r2 = np.sum(diff ** 2, axis=-1) + np.eye(pos.shape[0])
    inv6 = (1.0 / r2) ** 3
    return 2.0 * np.sum(inv6 ** 2 - inv6)


def coulomb_newaxis(pos, q):
    n = len(q)
    d = pos[:, np.newaxis, :] - pos[np.newaxis, :, :]
    r = np.sqrt((d ** 2).sum(-1) + np.eye(n))
    qq = q[:, None] * q[None, :]
    return 0.5 * np.sum(qq / r * (1 - np.eye(n)))


def spring_network_flat(x, rest=1.0):
    p = x.reshape(-1, 2)
    d = np.diff(p, axis=0)
    lengths = np.sqrt(np.sum(d ** 2, axis=1))
    return 0.5 * np.sum((lengths - rest) ** 2)


def chain_bond_lengths(pos, rest=1.0):
    bonds = np.linalg.norm(pos[1:] - pos[:-1], axis=1)
    return np.sum((bonds - rest) ** 2)


def bead_spring(pos, k=1.0):
    bonds = pos[1:] - pos[:-1]
    return 0.5 * k * np.sum(bonds * bonds)


def linear_ode_euler(A, x0, dt=0.01, steps=20):
    x = x0.copy()
    for _ in range(steps):
        x = x + dt * (A @ x)
    return np.sum(x ** 2)


def _damped_rhs(y, p):
    return np.array([y[1], -p[0] * y[0] - p[1] * y[1]])


def damped_oscillator_rk4(p, y0, dt=0.05, steps=20):
    y = y0
    for _ in range(steps):
        k1 = _damped_rhs(y, p)
        k2 = _damped_rhs(y + 0.5 * dt * k1, p)
        k3 = _damped_rhs(y + 0.5 * dt * k2, p)
        k4 = _damped_rhs(y + dt * k3, p)
        y = y + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    return y[0] ** 2 + y[1] ** 2


def lorenz_euler(params, state0, dt=0.005, steps=30):
    sigma, rho, beta = params
    state = state0
    for _ in range(steps):
        x, y, z = state
        state = state + dt * np.array([sigma * (y - x), x * (rho - z) - y, x * y - beta * z])
    return np.sum(state)


def heat_matrix(u0, alpha, steps=5):
    n = len(u0)
    L = -2.0 * np.eye(n) + np.eye(n, k=1) + np.eye(n, k=-1)
    u = u0
    for _ in range(steps):
        u = u + alpha * L @ u
    return np.sum(u ** 2)


def pendulum_trajectory_misfit(theta0, omega0, target, dt=0.05):
    theta, omega = theta0, omega0
    trajectory = []
    for _ in range(len(target)):
        omega = omega - dt * 9.81 * np.sin(theta)
        theta = theta + dt * omega
        trajectory.append(theta)
    return np.sum((np.array(trajectory) - target) ** 2)


def harmonic_verlet(x0, v0, k, dt=0.05, steps=20):
    x, v = x0, v0
    a = -k * x
    for _ in range(steps):
        x = x + v * dt + 0.5 * a * dt * dt
        a_new = -k * x
        v = v + 0.5 * (a + a_new) * dt
        a = a_new
    return np.sum(0.5 * v ** 2 + 0.5 * k * x ** 2)


def rod_bending(theta, stiffness=2.0):
    return stiffness * np.sum(np.diff(theta) ** 2) - np.sum(np.cos(theta))


def projectile_drag(v0, angle, c, dt=0.02, steps=40):
    vx, vy = v0 * np.cos(angle), v0 * np.sin(angle)
    x, y = 0.0, 0.0
    for _ in range(steps):
        speed = np.sqrt(vx * vx + vy * vy)
        vx, vy = vx - dt * c * speed * vx, vy - dt * (9.81 + c * speed * vy)
        x, y = x + dt * vx, y + dt * vy
    return x + y


def sir_model(beta, gamma, y0, dt=0.1, steps=30):
    S, I, R = y0
    for _ in range(steps):
        infections = beta * S * I
        recoveries = gamma * I
        S, I, R = S - dt * infections, I + dt * (infections - recoveries), R + dt * recoveries
    return I + 0.5 * R


def kinetic_plus_potential(q, p, masses):
    kinetic = np.sum(np.sum(p ** 2, axis=1) / (2 * masses))
    springs = np.sum((q[1:] - q[:-1]) ** 2)
    return kinetic + springs


def trapezoid_work(force, x):
    return np.sum(0.5 * (force[1:] + force[:-1]) * np.diff(x))
