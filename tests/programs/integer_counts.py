"""Unannotated counts that range() and a list's length make integers: a series appended term by
term up to n, and loops bounded by n // 2 and 2 * m + 1."""


def alternating_series(x, n):
    terms = []
    for k in range(1, n + 1):
        terms.append((-1) ** (k + 1) * x ** k / k)
    return sum(terms)


def halves(x, n):
    total = 0.0
    for k in range(n // 2):
        total += x ** 2 / (k + 1)
    for j in range(2 * n + 1):
        total += 0.1 * x * j
    return total
