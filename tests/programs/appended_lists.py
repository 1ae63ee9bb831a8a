"""Lists built by appending in a loop, then summed, averaged, indexed or made arrays, as scripts
and test-function collections write them."""

import numpy as np


def sum_of_appended_squares(x):
    terms = []
    for i in range(len(x)):
        terms.append(x[i] ** 2)
    return sum(terms)


def rosenbrock_terms(x):
    terms = []
    for i in range(len(x) - 1):
        terms.append(100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2)
    return np.sum(terms)


def sines_as_array(x):
    values = []
    for a in x:
        values.append(np.sin(a) * a)
    return np.array(values)


def two_appends_per_trip(x):
    parts = []
    for i in range(3):
        parts.append(x[i] * x[0])
        parts.append(x[i] - 1.0)
    return np.mean(parts) + len(parts) * parts[1] + parts[-1]


def weighted_from_array(x, w):
    scaled = []
    for i, (a, b) in enumerate(zip(x, w)):
        scaled.append(a * b * (i + 1))
    r = np.array(scaled)
    return np.sum(r * r) + np.asarray(scaled) @ w


def odd_pairs(x):
    products = []
    for i in range(1, len(x), 2):
        products.append(x[i] * x[i - 1])
    for k in range(len(products)):
        products[k] = products[k] * 2.0
    return sum(products) + 3.0 * len(products)


def backwards(x):
    doubled = []
    for v in reversed(x):
        doubled.append(v * 2.0)
    return doubled[0] * np.sum(doubled) + doubled[len(doubled) - 1]


def per_row_totals(x):
    total = 0.0
    for j in range(3):
        row = []
        for i in range(len(x)):
            row.append(np.cos(x[i] * (j + 1)))
        total += sum(row) * np.sum(row)
    return total


def path_lengths(points):
    lengths = []
    for k in range(points.shape[0] - 1):
        lengths.append(np.sqrt((points[k + 1, 0] - points[k, 0]) ** 2 + (points[k + 1, 1] - points[k, 1]) ** 2))
    return sum(lengths) / max(len(lengths), 1)


def positive_squares(x):
    kept = []
    for v in x:
        if v > 0.0:
            kept.append(v * v)
    return sum(kept) + len(kept) * x[0] + np.sum(kept) / (len(kept) + 1)


def mean_until_large(x):
    seen = []
    for i in range(len(x)):
        if x[i] > 2.0:
            break
        seen.append(np.exp(x[i]))
        if x[i] < -1.0:
            seen.append(x[i] ** 2)
    return np.mean(seen) * len(seen) + sum(seen)


def dixon_price_terms(x):
    terms = [(x[0] - 1.0) ** 2]
    for i in range(1, len(x)):
        terms.append((i + 1) * (2.0 * x[i] ** 2 - x[i - 1]) ** 2)
    return sum(terms) + 0.5 * terms[0] * len(terms)


def pair_energies(r):
    energies = []
    for i in range(len(r)):
        for j in range(i + 1, len(r)):
            d = r[j] - r[i] + 2.0
            energies.append(1.0 / d ** 6 - 1.0 / d ** 3)
    return sum(energies) + len(energies) * 0.01


def grid_of_products(x, y):
    cells = []
    for a in x:
        for b in y:
            cells.append(a * b)
            cells.append(a - b)
    grid = np.array(cells)
    return np.sum(np.tanh(grid)) + cells[1]


def running_positions(steps):
    positions = [0.0]
    for s in steps:
        positions.append(positions[-1] + s * np.cos(positions[-1]))
    return sum(p ** 2 for p in positions) + positions[-1]


def damped_trajectory(k: float, x0):
    xs = [x0[0]]
    vs = [x0[1]]
    for step in range(25):
        vs.append(vs[-1] - 0.1 * (k * xs[-1] + 0.3 * vs[-1]))
        xs.append(xs[-1] + 0.1 * vs[-1])
    return np.mean(np.array(xs) ** 2) + xs[-1] * vs[-1]
