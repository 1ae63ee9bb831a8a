"""Adjoints of whole-array NumPy operations, called by generated code (compiled and pure alike).

Each takes the incoming adjoint `g` of an operation's result and returns the adjoint for one
operand, shaped like that operand. They are the adjoints of the array rule table
(srcgrad.rules.arrays), defined there once for generated code and the eager engine alike; this
module is the name generated code reaches them by (`_vector.<name>`), beside the entry checks.
"""

import numpy as np

from srcgrad.rules import in_place
from srcgrad.rules.arrays import HELPERS
from srcgrad.runtime.loops import loop_layout  # noqa: F401  (--fast-math modules' elementwise loops)

globals().update({name: helper.function for name, helper in HELPERS.items()})
globals().update(in_place.HELPERS)  # subtract_reusing_right(1.0, t): 1.0 - t written into t


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
    """A parameter's gradient as an array of its shape (zeros when nothing reached it; a float
    for a number).

    Adjoint arrays are always fresh results of NumPy operations, never a caller's array, so
    one of the right shape is returned as it is.
    """
    if np.ndim(x) == 0:  # a number passed for a parameter that may be an array: a number back
        return float(np.sum(gradient))
    if isinstance(gradient, np.ndarray) and gradient.shape == np.shape(x) and gradient.dtype == np.float64 \
            and gradient.flags.owndata and gradient.flags.writeable:
        return gradient
    return np.broadcast_to(np.asarray(gradient, dtype=np.float64), np.shape(x)).copy()


def as_whole(elements):
    """An element-loop array's values as a whole NumPy array: a copy, which later element writes
    leave as it was (the reverse sweep may read it after them)."""
    return np.array(elements, dtype=np.float64)


def as_elements(whole):
    """A whole array's values as a new C-contiguous float array that element loops index and write."""
    return np.array(whole, dtype=np.float64, order="C")


def integer_power(x, exponent):
    """x ** exponent for the whole exponents 3 and 4 (given as int or float), by multiplying:
    NumPy's power calls C's pow for each element for any exponent but 2, some 100 times the
    cost of a multiply. Within an ulp or two of pow, as the compiled scalar code's cube is.
    Anything but a float64 array is raised to the power as written."""
    if type(x) is not np.ndarray or x.dtype != np.float64 or not x.ndim:
        return x ** exponent
    out = np.multiply(x, x)
    np.multiply(out, out if exponent == 4 else x, out=out)
    return out


def extent(array, axis: int) -> int:
    """array.shape[axis], as Python reads it: IndexError past the last axis (a number has none),
    which the compiled code's unchecked indexing of the shape tuple would not raise."""
    return array.shape[axis]


def as_float_ndarray(value, name: str):
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"parameter '{name}' must be an array of numbers, not of dtype {array.dtype}")
    return array.astype(np.float64, copy=False)
