"""Adjoints of whole-array NumPy operations, called by generated code (compiled and pure alike).

Each function takes the incoming adjoint `g` of an operation's result and returns the adjoint
for one operand, shaped like that operand. NumPy broadcasting is undone by summing over the
axes it added or stretched.
"""

import numpy as np


def unbroadcast(value, like):
    """`value` summed down to the shape of `like` (a float when `like` is a number)."""
    shape = np.shape(like)
    value = np.asarray(value, dtype=np.float64)
    if value.shape == shape:
        return value
    if value.ndim == 0:
        return float(value) if not shape else np.full(shape, float(value))
    while value.ndim > len(shape):
        value = value.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and value.shape[axis] != 1:
            value = value.sum(axis=axis, keepdims=True)
    return float(value) if not shape else value


def sum_adjoint(g, x, axis):
    """Adjoint of np.sum(x, axis): g spread back over the summed axis, as a read-only broadcast
    view (no memory; generated code never writes into an adjoint it did not create)."""
    g = np.asarray(g, dtype=np.float64)
    if axis is not None:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, np.shape(x))


def mean_adjoint(g, x, axis):
    count = np.size(x) if axis is None else np.shape(x)[axis]
    return sum_adjoint(np.asarray(g, dtype=np.float64) / count, x, axis)


def matmul_adjoint_left(g, a, b):
    """Adjoint for a in a @ b (or np.dot(a, b)), for vectors and matrices."""
    g, a, b = np.asarray(g, dtype=np.float64), np.asarray(a), np.asarray(b)
    if b.ndim == 1:
        return np.multiply.outer(g, b) if a.ndim > 1 else g * b
    if a.ndim == 1:
        return b @ g
    return g @ b.T


def matmul_adjoint_right(g, a, b):
    """Adjoint for b in a @ b (or np.dot(a, b)), for vectors and matrices."""
    g, a, b = np.asarray(g, dtype=np.float64), np.asarray(a), np.asarray(b)
    if a.ndim == 1:
        return np.multiply.outer(a, g) if b.ndim > 1 else g * a
    if b.ndim == 1:
        return a.T @ g
    return a.T @ g


def outer_adjoint_left(g, b):
    return np.asarray(g) @ np.ravel(b)


def outer_adjoint_right(g, a):
    return np.ravel(a) @ np.asarray(g)


def cotangent_like(g, value):
    """The output cotangent as an array shaped like the function's array output."""
    g = np.asarray(g, dtype=np.float64)
    if g.ndim and g.shape != np.shape(value):
        raise ValueError(f"dout has shape {g.shape}, but the output has shape {np.shape(value)}")
    return np.broadcast_to(g, np.shape(value)).copy()


def gradients_like(gradients, params):
    """`gradient_like` for each parameter; an array already handed out for another one is copied,
    so no two returned gradients share memory."""
    seen, out = set(), []
    for gradient, x in zip(gradients, params):
        gradient = gradient_like(gradient, x)
        if id(gradient) in seen:
            gradient = gradient.copy()
        seen.add(id(gradient))
        out.append(gradient)
    return out


def gradient_like(gradient, x):
    """A parameter's gradient as an array of its shape (zeros when nothing reached it).

    Adjoint arrays are always fresh results of NumPy operations, never a caller's array, so
    one of the right shape is returned as it is.
    """
    if isinstance(gradient, np.ndarray) and gradient.shape == np.shape(x) and gradient.dtype == np.float64 \
            and gradient.flags.owndata and gradient.flags.writeable:
        return gradient
    return np.broadcast_to(np.asarray(gradient, dtype=np.float64), np.shape(x)).copy()


def as_float_ndarray(value, name: str):
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"parameter '{name}' must be an array of numbers, not of dtype {array.dtype}")
    return array.astype(np.float64, copy=False)
