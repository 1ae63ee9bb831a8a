"""Elementwise derivative rules: one entry per primitive, readable as the maths it encodes.

Each rule gives the partial derivatives of `out = f(*inputs)` with respect to each input,
written only with Python operators and NumPy functions. The same table therefore serves:

- the eager engine, which calls a rule on Tensors (so gradients are differentiable again), and
- the compiler, which calls it on symbolic expressions (srcgrad.ir.Expr implements the NumPy
  protocols) and prints the result into generated source.

A partial of None means the primitive is piecewise constant in that input (zero derivative).
Keys are NumPy ufunc names; the compiler maps `math.*` and builtins onto them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import special
from .special import SPECIAL  # noqa: F401  (the eager engine's primitives of them)


@dataclass(frozen=True)
class ElementwiseRule:
    name: str
    arity: int
    partials: Callable[..., tuple]  # (*inputs, out) -> one partial per input


ELEMENTWISE: dict[str, ElementwiseRule] = {}


def _define(name: str, arity: int, partials: Callable[..., tuple]) -> None:
    ELEMENTWISE[name] = ElementwiseRule(name, arity, partials)


# arithmetic
_define("add", 2, lambda x, y, out: (1.0, 1.0))
_define("subtract", 2, lambda x, y, out: (1.0, -1.0))
_define("multiply", 2, lambda x, y, out: (y, x))
_define("true_divide", 2, lambda x, y, out: (1.0 / y, -out / y))
_define("negative", 1, lambda x, out: (-1.0,))
_define("positive", 1, lambda x, out: (1.0,))
_define("reciprocal", 1, lambda x, out: (-(out * out),))
_define("square", 1, lambda x, out: (2.0 * x,))
# d/dy x**y = x**y log x, defined (as 0) where x <= 0 so that constant-exponent code never sees log(0)
# d/dx x**y = y x**(y-1), which is 0 (not 0 * inf) for y = 0
_define("power", 2, lambda x, y, out: (np.where(np.equal(y, 0), 0.0, y * x ** (y - 1.0)),
                                       np.where(x > 0, out * np.log(np.where(x > 0, x, 1.0)), 0.0)))
_define("floor_divide", 2, lambda x, y, out: (None, None))
_define("remainder", 2, lambda x, y, out: (1.0, -np.floor_divide(x, y)))
_define("fmod", 2, lambda x, y, out: (1.0, -np.trunc(x / y)))

# roots, exponentials, logarithms
# (partials infinite at finite points divide by reciprocal(), which gives inf at 0 as C does in the
# --pure build too, where Python's 0.5 / 0.0 raises: forward mode computes such a tangent on a path
# a zero-trip loop then cuts off; see UNBOUNDED_PARTIALS)
_define("sqrt", 1, lambda x, out: (0.5 * np.reciprocal(out),))
_define("cbrt", 1, lambda x, out: (np.reciprocal(3.0 * out * out),))
_define("exp", 1, lambda x, out: (out,))
_define("exp2", 1, lambda x, out: (out * np.log(2.0),))
_define("expm1", 1, lambda x, out: (out + 1.0,))
_define("log", 1, lambda x, out: (1.0 / x,))
_define("log2", 1, lambda x, out: (1.0 / (x * np.log(2.0)),))
_define("log10", 1, lambda x, out: (1.0 / (x * np.log(10.0)),))
_define("log1p", 1, lambda x, out: (1.0 / (1.0 + x),))
_define("logaddexp", 2, lambda x, y, out: (np.exp(x - out), np.exp(y - out)))

# trigonometric and hyperbolic
_define("sin", 1, lambda x, out: (np.cos(x),))
_define("cos", 1, lambda x, out: (-np.sin(x),))
_define("tan", 1, lambda x, out: (1.0 + out * out,))
_define("arcsin", 1, lambda x, out: (np.reciprocal(np.sqrt(1.0 - x * x)),))
_define("arccos", 1, lambda x, out: (-np.reciprocal(np.sqrt(1.0 - x * x)),))
_define("arctan", 1, lambda x, out: (1.0 / (1.0 + x * x),))
_define("arctan2", 2, lambda y, x, out: (x * np.reciprocal(x * x + y * y), -y * np.reciprocal(x * x + y * y)))
_define("hypot", 2, lambda x, y, out: (x * np.reciprocal(out), y * np.reciprocal(out)))
_define("sinh", 1, lambda x, out: (np.cosh(x),))
_define("cosh", 1, lambda x, out: (np.sinh(x),))
_define("tanh", 1, lambda x, out: (1.0 - out * out,))
_define("arcsinh", 1, lambda x, out: (1.0 / np.sqrt(x * x + 1.0),))
_define("arccosh", 1, lambda x, out: (np.reciprocal(np.sqrt(x * x - 1.0)),))
_define("arctanh", 1, lambda x, out: (1.0 / (1.0 - x * x),))
_define("deg2rad", 1, lambda x, out: (np.pi / 180.0,))
_define("rad2deg", 1, lambda x, out: (180.0 / np.pi,))

# special functions (srcgrad.rules.special, called as ufuncs are): erf' = 2/sqrt(pi) exp(-x^2),
# which underflows to 0 (not nan) at large |x|; lgamma' = digamma, gamma' = gamma digamma; digamma'
# = trigamma, whose own derivative (a third derivative of lgamma) no rule gives
_TWO_OVER_SQRT_PI = 2.0 / float(np.sqrt(np.pi))
_define("erf", 1, lambda x, out: (_TWO_OVER_SQRT_PI * np.exp(-(x * x)),))
_define("erfc", 1, lambda x, out: (-_TWO_OVER_SQRT_PI * np.exp(-(x * x)),))
_define("lgamma", 1, lambda x, out: (special.digamma(x),))
_define("gamma", 1, lambda x, out: (out * special.digamma(x),))
_define("digamma", 1, lambda x, out: (special.trigamma(x),))


def _no_tetragamma(x, out):
    raise NotImplementedError("no derivative rule for trigamma (the third derivative of math.lgamma, "
                              "the second of digamma): srcgrad differentiates lgamma and gamma twice at most")


_define("trigamma", 1, _no_tetragamma)

# piecewise: the derivative of the arm that is taken (ties go to the first argument)
_define("absolute", 1, lambda x, out: (np.sign(x),))
_define("fabs", 1, lambda x, out: (np.sign(x),))
_define("maximum", 2, lambda x, y, out: (np.where(x >= y, 1.0, 0.0), np.where(x >= y, 0.0, 1.0)))
_define("minimum", 2, lambda x, y, out: (np.where(x <= y, 1.0, 0.0), np.where(x <= y, 0.0, 1.0)))
_define("fmax", 2, lambda x, y, out: (np.where(x >= y, 1.0, 0.0), np.where(x >= y, 0.0, 1.0)))
_define("fmin", 2, lambda x, y, out: (np.where(x <= y, 1.0, 0.0), np.where(x <= y, 0.0, 1.0)))
# copysign(x, y) = |x| s(y), s(y) = copysign(1.0, y): +-1 for y = +-0.0 too (np.sign(0.0) is 0)
_define("copysign", 2, lambda x, y, out: (np.sign(x) * np.copysign(1.0, y), None))

# piecewise constant
for _name in ("sign", "floor", "ceil", "trunc", "rint"):
    _define(_name, 1, lambda x, out: (None,))
# integer-valued functions of integers (math.factorial(k), math.comb(n, k)): no derivative
_define("factorial", 1, lambda n, out: (None,))
_define("comb", 2, lambda n, k, out: (None, None))
_define("perm", 2, lambda n, k, out: (None, None))

# Primitives that fail for some finite arguments: Python's math raises (domain error, division by
# zero, overflow of exp) where C gives nan or inf, and their derivatives blow up there. Code may
# evaluate them only where the source does, so a select (which evaluates both arms' derivatives)
# is never built around them. `power` counts unless its exponent is a constant integer >= 0.
DOMAIN_LIMITED = frozenset({
    "sqrt", "cbrt", "log", "log2", "log10", "log1p", "arcsin", "arccos", "arccosh", "arctanh",
    "true_divide", "floor_divide", "remainder", "fmod", "reciprocal", "power",
    "exp", "exp2", "expm1", "sinh", "cosh", "lgamma", "gamma",
})

# Primitives whose partial derivative is infinite or nan at finite arguments where the primitive
# itself is finite: sqrt and cbrt at 0, arcsin and arccos at +-1, arccosh at 1, x ** p (0 < p < 1
# or a varying p) at 0, hypot and arctan2 at (0, 0). There a zero cotangent (or tangent) times the
# partial is 0 * inf = nan, or a ZeroDivisionError in pure Python, where the contribution is 0:
# the path is cut off (a zero-trip loop, a factor 0.0). Code guards such a product with the
# incoming derivative being nonzero; every other rule multiplies as it is (the hot loops' rules).
UNBOUNDED_PARTIALS = frozenset({"sqrt", "cbrt", "arcsin", "arccos", "arccosh", "power", "hypot", "arctan2"})


def has_unbounded_partial(name: str, exponent=None) -> bool:
    """Whether the rule `name` needs the guard; for power, `exponent` is the constant exponent if
    it is one. An integer exponent has a finite partial wherever x ** p is finite; any other one
    does not: p * x ** (p - 1) is infinite at 0 for p < 1, and for a negative x it is nan in C and
    complex in Python, so a value computed off its domain but never used (zero cotangent) would
    otherwise turn the gradient into nan or 0j."""
    if name != "power" or exponent is None:
        return name in UNBOUNDED_PARTIALS
    return not float(exponent).is_integer()
