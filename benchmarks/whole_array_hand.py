"""Hand-written NumPy gradients of whole_array.py's objectives: the reference for the 1.2x target.

Each value_and_grad_NAME returns (value, gradient) with the conventions of srcgrad's
value_and_grad_NAME for the same function built with corpus.WRT (the losses: the weights only).
Written as a careful person writes them: the forward pass keeps what the gradient reads, the
backward pass works in the forward pass's buffers (out= and in-place operators), one BLAS call
per product, no temporary the maths does not need.
"""

import numpy as np

TWO_PI = 2.0 * np.pi


def value_and_grad_rosenbrock(x):
    head = x[:-1]
    d = head * head                    # d = x[1:] - x[:-1] ** 2
    np.subtract(x[1:], d, out=d)
    u = 1.0 - head
    value = 100.0 * float(d @ d) + float(u @ u)
    g = np.empty_like(x)
    g[0] = 0.0
    np.multiply(d, 200.0, out=g[1:])   # from (x[i+1] - x[i]^2)^2 through x[i+1]
    d *= head                          # through x[i]: -400 d x[i] - 2 (1 - x[i])
    d *= 400.0
    u *= 2.0
    d += u
    g[:-1] -= d
    return value, g


def value_and_grad_rastrigin(x):
    t = x * TWO_PI
    value = 10.0 * x.shape[0] + float(x @ x) - 10.0 * float(np.cos(t).sum())
    np.sin(t, out=t)                   # g = 2 x + 20 pi sin(2 pi x)
    t *= 10.0 * TWO_PI
    t += x
    t += x
    return value, t


def value_and_grad_ackley(x):
    n = x.shape[0]
    r = np.sqrt(float(x @ x) / n)
    t = x * TWO_PI
    c = np.cos(t)
    e_cos = np.exp(float(c.sum()) / n)
    e_r = np.exp(-0.2 * r)
    value = -20.0 * e_r - e_cos + 20.0 + np.e
    np.sin(t, out=t)                   # g = 4 e_r x / (n r) + 2 pi e_cos sin(2 pi x) / n
    t *= TWO_PI * e_cos / n
    np.multiply(x, 4.0 * e_r / (n * r), out=c)
    t += c
    return value, t


def value_and_grad_griewank(x):
    root = np.sqrt(np.arange(1.0, x.shape[0] + 1.0))
    u = x / root
    product = float(np.prod(np.cos(u)))
    value = float(x @ x) / 4000.0 - product + 1.0
    np.tan(u, out=u)                   # d/dx_j of -prod cos(u) is prod * tan(u_j) / sqrt(j)
    u *= product
    u /= root
    g = x / 2000.0
    g += u
    return value, g


def value_and_grad_styblinski_tang(x):
    square = x * x
    value = 0.5 * (float(square @ square) - 16.0 * float(square.sum()) + 5.0 * float(x.sum()))
    square -= 8.0                      # g = 2 x (x^2 - 8) + 2.5
    square *= x
    square *= 2.0
    square += 2.5
    return value, square


def value_and_grad_dixon_price(x):
    n = x.shape[0]
    tail = x[1:]
    r = tail * tail                    # r = 2 x[1:]^2 - x[:-1]
    r *= 2.0
    r -= x[:-1]
    weighted = np.arange(2.0, n + 1.0)
    weighted *= r                      # i r
    value = (x[0] - 1.0) ** 2 + float(weighted @ r)
    g = np.empty_like(x)
    g[0] = 0.0
    np.multiply(weighted, 8.0, out=g[1:])
    g[1:] *= tail                      # 8 i r x[i] through x[1:]
    weighted *= 2.0
    g[:-1] -= weighted                 # -2 i r through x[:-1]
    g[0] += 2.0 * (x[0] - 1.0)
    return value, g


def value_and_grad_levy(x):
    w = x - 1.0
    w *= 0.25
    w += 1.0
    head = w[:-1]
    a = head - 1.0
    t = head * np.pi
    t += 1.0
    m = np.sin(t)                      # m = 1 + 10 sin(pi w + 1)^2
    m *= m
    m *= 10.0
    m += 1.0
    a2 = a * a
    last_w = float(w[-1])
    sin_last = np.sin(TWO_PI * last_w)
    value = (np.sin(np.pi * float(w[0])) ** 2 + float(a2 @ m)
             + (last_w - 1.0) ** 2 * (1.0 + sin_last ** 2))
    g = np.empty_like(x)
    np.multiply(a, m, out=g[:-1])      # d/dw: 2 a m + 10 pi a^2 sin(2 (pi w + 1))
    g[:-1] *= 2.0
    t *= 2.0
    np.sin(t, out=t)
    t *= a2
    t *= 10.0 * np.pi
    g[:-1] += t
    g[-1] = 2.0 * (last_w - 1.0) * (1.0 + sin_last ** 2) + TWO_PI * (last_w - 1.0) ** 2 * np.sin(2.0 * TWO_PI * last_w)
    g[0] += np.pi * np.sin(TWO_PI * float(w[0]))
    g *= 0.25                          # dw/dx
    return value, g


def value_and_grad_softmax_cross_entropy(W, X, Y):
    """For labels Y whose rows sum to one (one-hot or probabilities), as the loss assumes."""
    n = X.shape[0]
    Z = X @ W
    Z -= Z.max(axis=1, keepdims=True)
    E = np.exp(Z)
    s = E.sum(axis=1, keepdims=True)
    value = (float(np.log(s).sum()) - float(np.vdot(Y, Z))) / n
    E /= s                             # softmax, then (softmax - Y) / n through the logits
    E -= Y
    g = X.T @ E
    g /= n
    return value, g


def value_and_grad_least_squares(w, X, y):
    n = X.shape[0]
    r = X @ w
    r -= y
    value = 0.5 * float(r @ r) / n
    g = X.T @ r
    g /= n
    return value, g


def value_and_grad_logistic_loss(w, X, y):
    n = X.shape[0]
    e = X @ w                          # e = exp(-y X w)
    e *= y
    np.negative(e, out=e)
    np.exp(e, out=e)
    one_plus = 1.0 + e
    value = float(np.log(one_plus).sum()) / n
    e /= one_plus                      # d/dw = X.T (-y e / (1 + e)) / n
    e *= y
    g = X.T @ e
    g *= -1.0 / n
    return value, g


def value_and_grad_mlp_layer(W, b, v, X, y):
    n = X.shape[0]
    H = X @ W
    H += b
    np.tanh(H, out=H)
    r = H @ v
    r -= y
    value = float(r @ r) / n
    r *= 2.0 / n                       # d/dprediction
    g_v = H.T @ r
    H *= H                             # the pre-activation's adjoint: outer(r, v) (1 - H^2)
    np.subtract(1.0, H, out=H)
    H *= r[:, None]
    H *= v
    g_W = X.T @ H
    g_b = H.sum(axis=0)
    return value, (g_W, g_b, g_v)
