"""Elementwise functions NumPy has no ufunc for: math.erf, math.erfc, math.lgamma and math.gamma,
and digamma and trigamma, which their derivatives need (srcgrad.rules.elementwise's rules).

Each is called as a NumPy ufunc is, so that a rule written with it serves every reader of the
table: a Tensor or a symbolic expression (srcgrad.ir.Expr) takes the call through its
__array_ufunc__ (the eager engine records a primitive, the compiler builds ir.Call(name, ...)),
and numbers and arrays are computed element by element by the runtime's Python functions, with
C's results where Python's math raises (the eager engine has raised Python's errors before).
"""

from __future__ import annotations

import math

import numpy as np

from srcgrad.runtime import pyscalar


def _lgamma(x: float) -> float:
    try:
        return math.lgamma(x)
    except ValueError:  # a pole, where C's lgamma gives +inf
        return math.inf


def _tgamma(x: float) -> float:
    try:
        return math.gamma(x)
    except ValueError:  # a pole (C: +-inf at +-0, nan at the negative integers) or -inf (C: nan)
        return math.copysign(math.inf, x) if x == 0.0 else math.nan
    except OverflowError:
        return math.inf


class SpecialFunction:
    """A function of one number, applied elementwise, dispatched as a ufunc."""

    nin, nout = 1, 1

    def __init__(self, name: str, scalar):
        self.__name__ = name
        self.scalar = scalar

    def __call__(self, x):
        if hasattr(type(x), "__array_ufunc__") and not isinstance(x, (np.ndarray, np.generic)):
            result = x.__array_ufunc__(self, "__call__", x)
            if result is NotImplemented:
                raise TypeError(f"{self.__name__} is not defined for {type(x).__name__}")
            return result
        if type(x) in (float, int):  # not np.float64, which stays a NumPy value as a ufunc's result
            return self.scalar(float(x))
        values = np.asarray(x, dtype=np.float64)
        out = np.array([self.scalar(float(v)) for v in values.ravel()], dtype=np.float64).reshape(values.shape)
        return out if values.ndim else out[()]

    def __repr__(self) -> str:
        return f"<special function {self.__name__}>"


SPECIAL = {f.__name__: f for f in (
    SpecialFunction("erf", math.erf), SpecialFunction("erfc", math.erfc), SpecialFunction("lgamma", _lgamma),
    SpecialFunction("gamma", _tgamma), SpecialFunction("digamma", pyscalar.digamma),
    SpecialFunction("trigamma", pyscalar.trigamma))}
erf, erfc, lgamma, gamma, digamma, trigamma = (SPECIAL[name] for name in (
    "erf", "erfc", "lgamma", "gamma", "digamma", "trigamma"))
