"""Piecewise functions: branches, conditional expressions, abs/min/max, early returns."""

import math

KNEE = 1.5


def smooth_step(x):
    """0 below 0, 1 above 1, a cubic in between."""
    if x <= 0.0:
        return 0.0
    elif x >= 1.0:
        return 1.0
    return x * x * (3.0 - 2.0 * x)


def huber(r, delta):
    """Quadratic near zero, linear in the tails."""
    a = abs(r)
    if a <= delta:
        return 0.5 * r * r
    return delta * (a - 0.5 * delta)


def soft_clip(x, lo, hi):
    y = max(lo, min(x, hi))
    scale = 2.0 if y > KNEE else 1.0
    return scale * y + 0.1 * math.tanh(x)


def tax(income, rate_low, rate_high):
    """A progressive tax: each bracket taxed at its own rate, in a loop over brackets."""
    total = 0.0
    lower = 0.0
    for bracket in range(4):
        upper = 10.0 * (bracket + 1)
        if income <= lower:
            break
        portion = min(income, upper) - lower
        rate = rate_low if bracket < 2 else rate_high
        total += portion * rate
        lower = upper
    if income > lower:
        total += (income - lower) * rate_high * 1.5
    return total
