"""Array functions for the entry-check tests."""


def pick(x, k: int):
    j = k
    return x[j] * x[j]


def last(x):
    return x[-1] ** 2
