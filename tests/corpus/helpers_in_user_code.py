"""Objectives that call small helpers of their own: a helper reading a few coordinates, and one
looping over them."""

import numpy as np


def _pair_term(v):
    return (v[0] - v[1]) ** 2 + 0.5 * v[2] * v[3]


def pair_terms_plus_sphere(x):
    return _pair_term(x) + np.sum(x ** 2)


def _weighted_cosines(v):
    s = 0.0
    for i in range(len(v)):
        s += (i + 1) * np.cos(v[i])
    return s


def cosine_weighted_log_sum_exp(x):
    return _weighted_cosines(x) + np.log(np.sum(np.exp(x)))

