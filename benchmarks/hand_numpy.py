"""Hand-written NumPy gradient of the vectorised workload (mlp), the reference for grad_mlp.

Written the way a careful person writes it: one pass forward keeping only what the backward
pass reads (the hidden activations h and the residual r), then the backward pass reusing its
buffers in place (no temporaries beyond the ones the maths needs, one BLAS call per product).
"""

import numpy as np


def mlp(W1, b1, W2, b2, X, y):
    h = np.tanh(X @ W1 + b1)
    r = h @ W2 + b2 - y
    return np.mean(r * r)


def value_and_grad_mlp(W1, b1, W2, b2, X, y):
    h = X @ W1                      # (batch, hidden)
    h += b1
    np.tanh(h, out=h)
    r = h @ W2                      # (batch,)
    r += b2
    r -= y
    n = r.shape[0]
    value = float(r @ r) / n
    b_r = r                         # b_r = 2 r / n, in place (r is not needed any more)
    b_r *= 2.0 / n
    b_W2 = h.T @ b_r
    b_b2 = float(b_r.sum())
    b_a = np.multiply.outer(b_r, W2)  # b_h, then b_a = b_h * (1 - h^2) in place
    h *= h
    np.subtract(1.0, h, out=h)
    b_a *= h
    b_W1 = X.T @ b_a
    b_b1 = b_a.sum(axis=0)
    b_X = b_a @ W1.T
    b_y = -b_r
    return value, (b_W1, b_b1, b_W2, b_b2, b_X, b_y)


def value_and_grad_mlp_weights(W1, b1, W2, b2, X, y):
    """The loss and its gradient in the weights alone (W1, b1, W2, b2), what
    value_and_grad(mlp, wrt=(0, 1, 2, 3)) returns: value_and_grad_mlp without b_X and b_y."""
    h = X @ W1
    h += b1
    np.tanh(h, out=h)
    r = h @ W2
    r += b2
    r -= y
    n = r.shape[0]
    value = float(r @ r) / n
    b_r = r
    b_r *= 2.0 / n
    b_W2 = h.T @ b_r
    b_b2 = float(b_r.sum())
    b_a = np.multiply.outer(b_r, W2)
    h *= h
    np.subtract(1.0, h, out=h)
    b_a *= h
    b_W1 = X.T @ b_a
    b_b1 = b_a.sum(axis=0)
    return value, (b_W1, b_b1, b_W2, b_b2)
