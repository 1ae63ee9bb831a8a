"""The NumPy functions behind the eager engine's indexing primitives (srcgrad.eager.core): element
reads that copy, element writes, and their adjoints. Plain values in and out; during a
backward pass that is itself recorded they receive Tensors, so they use NumPy operations only."""

from __future__ import annotations

import numpy as np

from srcgrad.rules.arrays import unbroadcast


def untake(g, index, shape):
    """The adjoint of `x[index]`: g scattered (added) into zeros of x's shape."""
    out = np.zeros(shape)
    if is_basic(index):
        out[index] = g
    else:
        np.add.at(out, index, g)
    return out


def is_basic(index) -> bool:
    """Whether index selects each element at most once (ints, slices, None, Ellipsis)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in parts)


def check_distinct(index, shape) -> None:
    """Refuse a write through an index array that names an element twice."""
    hits = np.zeros(shape, dtype=np.intp)
    np.add.at(hits, index, 1)
    if hits.max(initial=0) > 1:
        raise ValueError("assigning through an index array that repeats an element is not "
                         "differentiable (NumPy keeps one of the values); write each element once")


def read_copy(x, index):
    """x[index], copied when NumPy gives a view (a read must not see later writes)."""
    out = x[index]
    return out.copy() if isinstance(out, np.ndarray) and out.base is not None else out


def unset(g, index):
    """g with the positions `index` zeroed: the cotangent of the value a write replaced."""
    out = np.array(g, dtype=np.float64)
    out[index] = 0.0
    return out


def setitem(x, index, v):
    """x with `x[index] = v` applied, as a new array."""
    out = x.copy()
    out[index] = v
    return out


def written_part(g, index, v):
    """The cotangent of the value assigned by `x[index] = v`: g at index, summed to v's shape."""
    part = g[index]
    vshape = np.shape(v)
    if len(vshape) > np.ndim(part):  # v had extra leading axes of length 1
        return np.reshape(part, vshape)
    return unbroadcast(part, vshape)
