"""jvp_, hvp_ and hessian_ of the functions a generated module leaves to the eager tape, with the
argument checks and result layout of the compiled ones (srcgrad.runtime.arrays)."""

from __future__ import annotations

import numpy as np

from ..eager.fallback import eager_value_and_gradient, positional, traceable
from ..eager.functions import hvp_of, jvp_of
from .arrays import dense_hessian, one_output, per_parameter


def _parameters(args, differentiable) -> tuple:
    return tuple(np.asarray(args[i], dtype=np.float64) if np.ndim(args[i]) else args[i] for i in differentiable)


def _traced(function, name: str, args, keywords) -> tuple:
    """(function as the eager tape runs it, args positionally), as grad_'s fallback takes it:
    its NumPy rebound, so an array it builds takes a Tensor into an element (y[i] = t), which a
    plain ndarray refuses (srcgrad.eager.errors.DroppedGradientError)."""
    return positional(traceable(one_output(function, name)), tuple(args), keywords)


def eager_jvp(function, name: str, args, differentiable: tuple, names: tuple, tangents, keywords=None):
    function, args = _traced(function, name, args, keywords)
    tangents = per_parameter(tangents, _parameters(args, differentiable), names, "tangents")
    return jvp_of(function, args, list(differentiable), tangents)[1]


def eager_hvp(function, name: str, args, differentiable: tuple, names: tuple, v, keywords=None):
    function, args = _traced(function, name, args, keywords)
    return _hvp(function, args, differentiable, names, v)


def _hvp(traced, args: tuple, differentiable: tuple, names: tuple, v):
    v = per_parameter(v, _parameters(args, differentiable), names, "v")
    result = hvp_of(traced, args, list(differentiable), v)
    return result[0] if len(result) == 1 else tuple(result)


def eager_hessian(function, name: str, args, differentiable: tuple, names: tuple, keywords=None):
    function, args = _traced(function, name, args, keywords)
    return dense_hessian(lambda v: _hvp(function, args, differentiable, names, v), _parameters(args, differentiable))


_WARNED = set()  # (module, function, reason): each announced once


def eager_entry(entry: str, function, name: str, args: tuple, keywords: dict, differentiable: tuple, names: tuple,
                trailing, mismatch, module: str):
    """Entry ENTRY ('' for the primal, 'value_and_vjp_', 'jvp_', 'hvp_', 'hessian_') of a compiled
    function called with an array argument of other dimensions than the compiler guessed for it
    (mismatch, a RankMismatch): the original function on the eager tape, with the compiled entry's
    conventions, announced once per function and reason by a FallbackWarning."""
    got = "a number" if mismatch.got == 0 else f"a {mismatch.got}-dimensional array"
    compiled = "a number" if mismatch.ndim == 0 else f"a {mismatch.ndim}-dimensional array"
    reason = (f"{name}: parameter '{mismatch.name}' was compiled as {compiled}, a guess "
              f"(nothing in {name} says how many dimensions it has), and got {got}; {name} uses the eager tape "
              "for such arguments")
    if (module, name, reason) not in _WARNED:
        _WARNED.add((module, name, reason))
        _warn_at_caller(reason, module)
    if entry == "":
        value = function(*args, **keywords)
        return float(value) if np.ndim(value) == 0 else np.asarray(value)
    if entry == "value_and_vjp_":
        return eager_value_and_gradient(one_output(function, name), args, differentiable, trailing, keywords)
    if entry == "jvp_":
        return eager_jvp(function, name, args, differentiable, names, trailing, keywords)
    if entry == "hvp_":
        return eager_hvp(function, name, args, differentiable, names, trailing, keywords)
    return eager_hessian(function, name, args, differentiable, names, keywords)


def _warn_at_caller(message: str, module: str) -> None:
    """A FallbackWarning attributed to the first frame outside srcgrad and the generated module."""
    import os
    import sys
    import warnings

    from ..eager import FallbackWarning

    import srcgrad  # its folder, and the runtime's: frames there are srcgrad deciding, not the user asking

    ours = tuple(os.path.dirname(os.path.abspath(f)) + os.sep for f in (srcgrad.__file__, __file__))
    level, frame = 1, sys._getframe(0)
    while frame is not None and (os.path.abspath(frame.f_code.co_filename).startswith(ours)
                                 or frame.f_globals.get("__name__") == module):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, FallbackWarning, stacklevel=level)
