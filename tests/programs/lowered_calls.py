"""np.einsum of the specifications people write, np.inner, np.vdot, and integer-valued math
functions (math.factorial, math.comb, math.perm), as physics, statistics and ML code writes them."""

import math

import numpy as np


def einsum_dot(x, y):
    return np.einsum("i,i->", x, y) + np.einsum("i,i", x, x)


def einsum_matvec(A, x):
    y = np.einsum("ij,j->i", A, x)
    return np.sum(np.tanh(y)) + np.sum(np.einsum("j,ij->i", x, A) ** 2)


def einsum_matmul(A, B):
    return np.sum(np.einsum("ij,jk->ik", A, B) ** 2) + np.sum(np.einsum("ij,kj->ik", A, A))


def einsum_frobenius(A, B):
    return np.einsum("ij,ij->", A, B) + np.einsum("ii->", A @ B) + np.einsum("ii", A * A)


def einsum_rearranged(A, x, y):
    outer = np.einsum("i,j->ij", x, y)
    flipped = np.einsum("ij->ji", A)
    rows = np.einsum("ij->i", A)
    return np.sum(np.sin(outer) * flipped) + rows @ x + np.einsum("ij->", A * A)


def einsum_quadratic_form(x, A):
    return 0.5 * np.einsum("i,ij,j->", x, A, x) + np.einsum("ij,j", A, x) @ x


def einsum_batched(A, B):
    return np.sum(np.einsum("bij,bjk->bik", A, B) ** 2)


def einsum_weighted_rows(W, X):
    scaled = np.einsum("ij,j->ij", X, W)
    return np.sum(np.exp(-scaled)) + np.einsum("ij,ij->i", X, X) @ W[:2]


def inner_products(x, y, A):
    return np.inner(x, y) + np.vdot(x, y) ** 2 + np.sum(np.inner(A, x) ** 2)


def inner_of_stacks(A, B):
    """np.inner contracts the last axes of any dimensions: read as A @ B.T, a 3-D B gave a wrong
    value where its last two axes have the same length."""
    return np.sum(np.tanh(np.inner(A, B)) ** 2)


def taylor_exp(x: float):
    return sum(x ** k / math.factorial(k) for k in range(12))


def taylor_sin(x: float):
    total = 0.0
    for k in range(8):
        total += (-1) ** k * x ** (2 * k + 1) / math.factorial(2 * k + 1)
    return total


def bernstein(t: float, w):
    n = len(w) - 1
    value = 0.0
    for k in range(n + 1):
        value += math.comb(n, k) * t ** k * (1.0 - t) ** (n - k) * w[k]
    return value + math.perm(n, 2) * t


def poisson_log_likelihood(rate: float):
    counts = (0, 1, 3, 2, 5)
    total = 0.0
    for k in counts:
        total += k * math.log(rate) - rate - math.log(math.factorial(k))
    return total


def vdot_of_matrices(A, B):
    return np.vdot(A, B) + np.vdot(A, A) ** 2
