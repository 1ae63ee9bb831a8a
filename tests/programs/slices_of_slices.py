"""A slice of a slice and the length of a slice, as code that works on the even and odd
elements of a vector writes them."""

import numpy as np


def even_head(x):
    return np.sum(x[::2][:2] ** 2)


def pairs_of_even_and_odd(x):
    odd = x[1::2]
    return np.sum(x[::2][:len(odd)] * odd) + np.sum(x[:len(x[1::2])] ** 3)


def reversed_tail(x):
    return np.sum(np.cos(x[::-1][1:]) * x[1:])


def inner_block(X):
    return np.sum(X[1:][:, :-1] ** 2) + len(X[1:]) * X[0, 0]
