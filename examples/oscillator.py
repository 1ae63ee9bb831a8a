"""A damped Duffing oscillator integrated with explicit Euler: state overwritten every step."""


def energy_after(k, c, x0, v0, dt, steps: int):
    """x'' = -k x - c x' - 0.1 x^3; returns the final x^2 + v^2 plus the integral of x^2."""
    x = x0
    v = v0
    acc = 0.0
    for step in range(steps):
        a = -k * x - c * v - 0.1 * x ** 3
        acc += x * x * dt
        x = x + dt * v
        v = v + dt * a
    return x * x + v * v + acc


def pendulum_period(length, gravity, angle0, steps_per_second: int):
    """A quarter period: time until a pendulum released at angle0 first swings through zero."""
    dt = 1.0 / steps_per_second
    theta = angle0
    omega = 0.0
    t = 0.0
    while theta > 0.0:
        omega = omega - dt * gravity / length * math.sin(theta)
        theta = theta + dt * omega
        t = t + dt
    return 4.0 * t + theta / omega * 4.0


import math
