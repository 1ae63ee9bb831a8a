"""NumPy with the C library's rounding, for the fuzzer's reference run of a program.

Generated code computes np.tanh, np.exp2, np.hypot and np.cbrt of a float with the C library
(`tanh`, `exp2`, ... in compiled modules; `math.tanh`, `2.0 ** x`, ... in pure ones), but NumPy
has its own implementations of these, which differ from the C library's in the last bit for
about 30% of arguments (tanh) or fewer (exp2, hypot). A program that amplifies its error (a sine
of a large multiple, a loop of such steps) then turns one ulp into a difference of 1e-10 and more,
with no bug anywhere. The reference run rounds as the generated code does, everything else is
NumPy itself: a mismatch left is a real one.
"""

from __future__ import annotations

import math
import types

import numpy as np


def _elementwise(scalar_function, arity: int):
    vectorised = np.vectorize(scalar_function, otypes=[float])

    def function(*args):
        if len(args) != arity:
            raise TypeError(f"expected {arity} arguments, got {len(args)}")
        result = vectorised(*args)
        return result[()] if result.ndim == 0 else result  # a scalar stays a np.float64, as NumPy's

    return function


def _exp2(x: float) -> float:
    try:
        return 2.0 ** x
    except OverflowError:  # where NumPy overflows to inf (and C's exp2)
        return math.inf


_LIBM = {
    "tanh": _elementwise(math.tanh, 1),
    "exp2": _elementwise(_exp2, 1),
    "hypot": _elementwise(math.hypot, 2),
    "cbrt": _elementwise(math.cbrt, 1),
}


class _NumPyWithLibmRounding(types.ModuleType):
    def __getattr__(self, name):
        return _LIBM[name] if name in _LIBM else getattr(np, name)


NUMPY = _NumPyWithLibmRounding("numpy")


def rebind_numpy(namespace: dict) -> None:
    """Point every name in `namespace` bound to the numpy module at NUMPY instead."""
    for name, value in list(namespace.items()):
        if value is np:
            namespace[name] = NUMPY
