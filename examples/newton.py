"""Newton's method: while loops with a data-dependent condition, break, calls between functions."""

import math


def residual(x, a):
    return x * x * x - a


def slope(x):
    return 3.0 * x * x


def cube_root(a):
    """The real cube root of a > 0 by Newton steps until the residual is tiny."""
    x = a if a > 1.0 else 1.0
    while abs(residual(x, a)) > 1e-13 * a:
        x = x - residual(x, a) / slope(x)
    return x


def kepler(mean_anomaly, eccentricity):
    """Solve Kepler's equation E - e sin E = M; at most 50 steps, leaving early when converged."""
    e_anomaly = mean_anomaly
    for step in range(50):
        delta = (e_anomaly - eccentricity * math.sin(e_anomaly) - mean_anomaly) / (
            1.0 - eccentricity * math.cos(e_anomaly))
        e_anomaly = e_anomaly - delta
        if abs(delta) < 1e-14:
            break
    return e_anomaly


def compound(rate, years: int):
    """Interest compounded yearly by calling a helper inside the loop."""
    value = 1.0
    for year in range(years):
        value = grow(value, rate)
    return value


def grow(value, rate):
    return value * (1.0 + rate)
