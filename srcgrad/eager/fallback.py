"""The eager side of generated modules: gradients of functions the compiler refused."""

from __future__ import annotations

import inspect

import weakref

import numpy as np

from .functions import value_and_grad_of
from .mathlib import tensor_math

_TRACEABLE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def traceable(function):
    """`function` as the eager tape runs it: math and NumPy names rebound (mathlib.tensor_math), so
    that math functions record on Tensors and arrays it builds record element assignment."""
    try:
        return _TRACEABLE[function]
    except KeyError:
        _TRACEABLE[function] = traced = tensor_math(function)
        return traced


def positional(function, args: tuple, keywords: dict | None = None):
    """(a function taking every parameter positionally, keyword-only ones last, and `args` with
    `keywords` and the defaults of the parameters left out in that order): the layout compiled
    code takes (`grad_f(x)` of f(x, beta=10.0) differentiates with respect to beta too)."""
    keywords = keywords or {}
    try:
        signature = inspect.signature(function)
        bound = signature.bind(*args, **keywords)
    except TypeError:  # a mismatch: calling the function reports it as Python does
        function(*args, **keywords)
        raise
    except ValueError:  # no signature to read
        return function, tuple(args)
    bound.apply_defaults()
    params = list(signature.parameters.values())
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params):
        if keywords:
            return (lambda *values: function(*values, **keywords)), tuple(args)
        return function, tuple(args)
    keyword_only = [p.name for p in params if p.kind == p.KEYWORD_ONLY]
    values = tuple(bound.arguments[p.name] for p in params)  # keyword-only parameters come last
    if not keyword_only:
        return function, values
    count = len(keyword_only)

    def called_positionally(*values):
        return function(*values[:-count], **dict(zip(keyword_only, values[-count:])))

    called_positionally.__name__ = getattr(function, "__name__", "function")
    return called_positionally, values


def eager_value_and_gradient(function, args, differentiable: tuple, dout=1.0, keywords=None):
    """(value, gradient) with the conventions of compiled `value_and_grad_f`.

    `differentiable` lists the parameter positions that are not annotated int or bool. An
    argument passed there as a Python int or bool (a loop count, say) is used as given and gets
    a zero gradient, since it cannot carry a derivative through `range` or indexing.
    """
    traced_function, args = positional(traceable(function), tuple(args), keywords)
    traced = [i for i in differentiable if not isinstance(args[i], (bool, int))]
    value, gradients = value_and_grad_of(traced_function, args, traced, dout)
    _check_cotangent(dout, value, function)
    by_position = dict(zip(traced, gradients))
    result, seen = [], set()
    for i in differentiable:
        gradient = by_position.get(i, 0.0)
        if id(gradient) in seen and hasattr(gradient, "copy"):
            gradient = gradient.copy()  # no two returned gradients share an array
        seen.add(id(gradient))
        result.append(gradient)
    if len(result) == 1:
        return value, result[0]
    return value, tuple(result)


def _check_cotangent(dout, value, function) -> None:
    """dout pairs with the output as in compiled code: a number for a float output, a number or an
    array of the output's shape for an array. (The tape checks it only where it reaches a
    derivative: an output that depends on no parameter took any dout.)"""
    if np.ndim(dout) == 0 or np.shape(dout) == np.shape(value):
        return
    name = getattr(function, "__name__", "the function")
    output = "a float (shape ())" if np.ndim(value) == 0 else f"of shape {np.shape(value)}"
    raise ValueError(f"dout has shape {np.shape(dout)}, but the output of {name} is {output}")
