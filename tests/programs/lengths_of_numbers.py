"""Lengths of parameters nothing says are arrays (tests/emit/test_lengths_of_numbers.py): the
compiled code reads them from NumPy's shape tuple, which a number's () does not reach."""

import numpy as np


def scaled_by_length(x):
    return 10.0 * len(x) + np.sum(np.cos(x))


def columns_times_total(X):
    return X.shape[1] * np.sum(X)
