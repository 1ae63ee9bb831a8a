"""The eager tape as the fallback: derivatives of what cannot be compiled ahead of time, each
announced by a FallbackWarning that names the reason and points at the user's line."""

from __future__ import annotations

import os
import sys
import warnings

import numpy as np

from .calls import _Call, _checked_output, _labelled, _Nesting, _no_parameter_message
from .compiled import _describe


# srcgrad/ itself: frames in any of its modules are srcgrad deciding, not the user asking
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _fallback_warning(message: str) -> None:
    """A FallbackWarning attributed to the first frame outside srcgrad: the user's line that
    asked for the derivative, however deep inside srcgrad the decision was taken."""
    from ..eager import FallbackWarning

    level, frame = 1, sys._getframe(0)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, FallbackWarning, stacklevel=level)


def _reason_text(reason: str) -> str:
    """The build warning's text without its 'grad_NAME uses the eager tape' tail (said again here)."""
    return reason.split("; grad_")[0]


def _traceable(f):
    """f as the eager tape runs it: math functions (and f's own calls of them) record on Tensors."""
    import math

    from ..eager import mathlib

    if getattr(f, "__module__", None) == "math" or getattr(math, getattr(f, "__name__", ""), None) is f:
        return getattr(mathlib, f.__name__, f)
    return mathlib.tensor_math(f)


def _flat_call(fn, call: _Call, args, kwargs, wrt, name: str) -> tuple:
    """(fn over the flattened arguments, their values, the positions wrt picks), as the eager
    engine takes a function; TypeError when no argument can be differentiated."""
    values, rebuild = call.flatten(args, kwargs)
    positions = call.positions(values, wrt)
    if not positions:
        raise TypeError(_no_parameter_message(name, call))

    def flat(*flat_values):
        positional, keywords = rebuild(flat_values)
        return _checked_output(fn(*positional, **keywords), name)

    return flat, values, positions


def _eager_value_and_grad(fn, call: _Call, wrt, name: str):
    """`(value, gradient)` of the traceable fn on the eager tape, with grad_f's conventions.
    Inside a recording tape (nested derivatives) value and gradient are Tensors."""
    from ..eager.functions import value_and_grad_of

    def value_and_gradient(*args, **kwargs):
        flat, values, positions = _flat_call(fn, call, args, kwargs, wrt, name)
        value, gradients = value_and_grad_of(flat, values, positions)
        if isinstance(wrt, tuple) or (wrt is None and len(gradients) != 1):
            return value, tuple(gradients)
        return value, gradients[0]

    return value_and_gradient


def _eager_part(value_and_gradient, value_too: bool):
    if value_too:
        return value_and_gradient

    def gradient(*args, **kwargs):
        return value_and_gradient(*args, **kwargs)[1]

    return gradient


def _eager_function(base, fn, call: _Call, wrt, value_too: bool, order: int, reason: str, shown: str):
    """The order `order` derivative of base on the eager tape (fn: the order - 1 one, traceable),
    announced with a FallbackWarning giving the reason."""
    call.check_wrt(wrt)
    tail = "its gradient uses the eager tape" if order == 1 else f"order {order} uses the eager tape"
    _fallback_warning(f"{_describe(base)}: {_reason_text(reason)}; {tail}")
    value_and_gradient = _eager_value_and_grad(fn, call, wrt, shown)
    eager = _eager_part(value_and_gradient, value_too)

    if value_too:
        def differentiated(*args, **kwargs):
            value, gradient = value_and_gradient(*args, **kwargs)
            return _plain_result(value), _plain_result(gradient)
    else:
        def differentiated(*args, **kwargs):
            return _plain_result(value_and_gradient(*args, **kwargs)[1])

    name = getattr(base, "__name__", "f")
    label = f"grad_{name}" if order == 1 else f"derivative_{order}_{name}"
    return _labelled(differentiated, base, label, f"order {order} derivative by the eager tape",
                     _Nesting(base, order, call, eager, fallback=reason))


def _plain_value(x):
    """A float or ndarray, except inside a recording tape, where Tensors stay Tensors."""
    from ..eager.core import STATE, Tensor

    if isinstance(x, Tensor) and not STATE.recording:
        x = x.numpy()
    if isinstance(x, Tensor):
        return x
    return float(x) if np.ndim(x) == 0 else x


def _plain_result(result):
    if isinstance(result, tuple):
        return tuple(_plain_value(r) for r in result)
    return _plain_value(result)


def _when_not_compilable(f, wrt, value_too: bool, reason: str):
    """The one place that decides what happens when f cannot be compiled ahead of time:
    the eager tape computes the gradient, with a FallbackWarning naming the reason."""
    if not callable(f):
        raise TypeError(f"srcgrad.grad needs a function, not {type(f).__name__}")
    return _eager_function(f, _traceable(f), _Call(f), wrt, value_too, 1, reason, _describe(f))
