"""np.linalg.solve, inv, det and slogdet as people write them: Gaussian and Gaussian-process
log-likelihoods, ridge least squares, a linear ODE stepped implicitly (Crank-Nicolson), a Kalman
update, a Mahalanobis distance, several right-hand sides, the matrix determinant lemma."""

import numpy as np


def gaussian_nll(mu, L, y):
    n = len(y)
    S = L @ L.T + np.eye(n)
    r = y - mu
    alpha = np.linalg.solve(S, r)
    return 0.5 * r @ alpha + 0.5 * np.log(np.linalg.det(S)) + 0.5 * n * np.log(2 * np.pi)


def gp_log_marginal(log_ell, x, y):
    ell = np.exp(log_ell)
    d = x[:, None] - x[None, :]
    K = np.exp(-0.5 * d ** 2 / ell ** 2) + 0.1 * np.eye(len(x))
    sign, logdet = np.linalg.slogdet(K)
    return -0.5 * y @ np.linalg.solve(K, y) - 0.5 * logdet


def log_det_penalty(A, c):
    return np.linalg.slogdet(A @ A.T + c * np.eye(A.shape[0]))[1] + np.linalg.slogdet(A).logabsdet


def ridge_residual(lam, X, y):
    A = X.T @ X + lam * np.eye(X.shape[1])
    beta = np.linalg.solve(A, X.T @ y)
    r = X @ beta - y
    return r @ r + lam * beta @ beta


def crank_nicolson(A, y0, h: float):
    I = np.eye(len(y0))
    M = I - 0.5 * h * A
    N = I + 0.5 * h * A
    y1 = np.linalg.solve(M, N @ y0)
    y2 = np.linalg.solve(M, N @ y1)
    return np.sum(y2 ** 2)


def mahalanobis(x, m, S):
    P = np.linalg.inv(S)
    d = x - m
    return d @ P @ d


def several_right_hand_sides(A, B):
    X = np.linalg.solve(A, B)
    return np.sum(X ** 2) + np.trace(X)


def transposed_system(A, b):
    x = np.linalg.solve(A.T, b)
    return x @ x


def kalman_update(P, H, R, x, z):
    S = H @ P @ H.T + R
    K = P @ H.T @ np.linalg.inv(S)
    x_new = x + K @ (z - H @ x)
    return np.sum(x_new ** 2) + np.log(np.linalg.det(S))


def determinant_lemma(u, v):
    M = np.eye(len(u)) + np.outer(u, v)
    return np.linalg.det(M) - (1.0 + u @ v)


def two_by_two(a, b, c, d):
    M = np.array([[a, b], [c, d]])
    Minv = np.linalg.inv(M)
    return np.linalg.det(M) + Minv[0, 1] * Minv[1, 0] + np.linalg.det(Minv)


def log_det_path(A, ts):
    # a determinant of a matrix made anew on each trip: outlined as reductions in loops are
    s = 0.0
    for t in ts:
        s += np.log(np.linalg.det(np.eye(A.shape[0]) + t * A @ A.T))
    return s


def solution_by_element(A, b):
    # a solution read by element, in a loop and at the ends, and an element of a value
    x = np.linalg.solve(A, b)
    s = x[0] * x[-1]
    for i in range(len(x)):
        s += x[i] ** 2 * (i + 1)
    return s + np.linalg.inv(A)[1, 1]


def gp_cholesky(log_ell, log_noise, x, y):
    ell, noise = np.exp(log_ell), np.exp(log_noise)
    d = x[:, None] - x[None, :]
    K = np.exp(-0.5 * d ** 2 / ell ** 2) + noise * np.eye(len(x))
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
    return 0.5 * y @ alpha + np.sum(np.log(np.diag(L))) + 0.5 * len(x) * np.log(2 * np.pi)


def whitened(S, z):
    # a sample with covariance S from white noise z, and the lower triangle S is read by
    L = np.linalg.cholesky(S)
    return np.sum(np.tanh(L @ z)) + np.sum(L ** 2)
