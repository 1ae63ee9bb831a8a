"""One whole-array expression per function, at every rank NumPy takes it
(tests/frontend/test_shape_edges.py)."""

import numpy as np


def sum_first_axis(x, y):
    return np.sum(np.sin(np.sum(x, axis=0)))


def mean_last_axis(x, y):
    return np.sum(np.sin(np.mean(x, axis=-1)))


def transposed(x, y):
    return np.sum(np.sin(x.T))


def dot(x, y):
    return np.sum(np.sin(np.dot(x, y)))


def matmul(x, y):
    return np.sum(np.sin(x @ y))


def outer(x, y):
    return np.sum(np.sin(np.outer(x, y)))


def cumsum(x, y):
    return np.sum(np.sin(np.cumsum(x)))


def cumsum_first_axis(x, y):
    return np.sum(np.sin(np.cumsum(x, axis=0)))


def diff(x, y):
    return np.sum(np.sin(np.diff(x)))


def prod_last_axis(x, y):
    return np.sum(np.sin(np.prod(x, axis=-1)))


def max_first_axis(x, y):
    return np.sum(np.sin(np.max(x, axis=0)))


def norm(x, y):
    return np.sum(np.sin(np.linalg.norm(x)))


def norm_last_axis(x, y):
    return np.sum(np.sin(np.linalg.norm(x, axis=-1)))


def sort(x, y):
    return np.sum(np.sin(np.sort(x)))


def roll(x, y):
    return np.sum(np.sin(np.roll(x, 1)))


def roll_first_axis(x, y):
    return np.sum(np.sin(np.roll(x, 1, axis=0)))


def reshaped(x, y):
    return np.sum(np.sin(x.reshape(-1)))


def ravel(x, y):
    return np.sum(np.sin(x.ravel()))


def concatenate(x, y):
    return np.sum(np.sin(np.concatenate([x, y])))


def stack(x, y):
    return np.sum(np.sin(np.stack([x, y])))


def tile(x, y):
    return np.sum(np.sin(np.tile(x, 2)))


def repeat(x, y):
    return np.sum(np.sin(np.repeat(x, 2)))


def tail(x, y):
    return np.sum(np.sin(x[1:]))


def reversed(x, y):
    return np.sum(np.sin(x[::-1]))


def first_column(x, y):
    return np.sum(np.sin(x[:, 0]))


def atleast_2d(x, y):
    return np.sum(np.sin(np.atleast_2d(x)))


def trace(x, y):
    return np.sum(np.sin(np.trace(x)))


def diag(x, y):
    return np.sum(np.sin(np.diag(x)))


def var_first_axis(x, y):
    return np.sum(np.sin(np.var(x, axis=0)))


def clip(x, y):
    return np.sum(np.sin(np.clip(x, -0.5, 0.5)))


def where(x, y):
    return np.sum(np.sin(np.where(x > 0, x, 0.1 * x)))


def maximum(x, y):
    return np.sum(np.sin(np.maximum(x, y)))


def product(x, y):
    return np.sum(np.sin(x * y))


def hstack(x, y):
    return np.sum(np.sin(np.hstack([x, y])))


def vstack(x, y):
    return np.sum(np.sin(np.vstack([x, y])))


def cumprod(x, y):
    return np.sum(np.sin(np.cumprod(x)))


def keepdims(x, y):
    return np.sum(np.sin(np.sum(x, axis=-1, keepdims=True) * x))


def centred(x, y):
    return np.sum(np.sin(x - np.mean(x)))


def transposed_product(x, y):
    return np.sum(np.sin(x.T @ y))


def transpose(x, y):
    return np.sum(np.sin(np.transpose(x)))


def flip(x, y):
    return np.sum(np.sin(np.flip(x)))


def new_axis(x, y):
    return np.sum(np.sin(x[:, None] * y))


def abs_max_method(x, y):
    return np.sum(np.sin(abs(x).max()))


def builtin_max(x, y):
    return np.sum(np.sin(max(abs(x))))


def builtin_min(x, y):
    return np.sum(np.sin(min(x)))


def builtin_sum(x, y):
    return np.sum(np.sin(sum(x)))


def sum_method(x, y):
    return np.sum(np.sin(x.sum(axis=0)))


def dot_method(x, y):
    return np.sum(np.sin(x.dot(y)))


def copy(x, y):
    return np.sum(np.sin(x.copy()))


def np_copy(x, y):
    return np.sum(np.sin(np.copy(x) * y))


def tril(x, y):
    return np.sum(np.sin(np.tril(x)))


def einsum_rows(x, y):
    return np.sum(np.sin(np.einsum('ij,ij->i', x, y)))


def inner(x, y):
    return np.sum(np.sin(np.inner(x, y)))


def norm_1(x, y):
    return np.sum(np.sin(np.linalg.norm(x, 1)))


def logsumexp(x, y):
    return np.sum(np.sin(np.log(np.sum(np.exp(x - np.max(x))))))


def row_times(x, y):
    return np.sum(np.sin(x[0] * y))


def hypot(x, y):
    return np.sum(np.sin(np.hypot(x, y)))


def arctan2(x, y):
    return np.sum(np.sin(np.arctan2(x, y + 3.0)))


def sign(x, y):
    return np.sum(np.sin(np.sign(x) * x))


def mean_keepdims(x, y):
    return np.sum(np.sin(np.mean(x, axis=0, keepdims=True)))


def reversed_cumsum(x, y):
    return np.sum(np.sin(np.cumsum(x[::-1])))
