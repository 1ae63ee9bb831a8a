"""Function transformations on top of the tape: `gradients_function` and the fallback entry
points that `srcgrad.api` and generated modules call (`grad_of`, `value_and_grad_of`)."""

from __future__ import annotations

import functools
import numbers

import numpy as np

from srcgrad.eager.core import STATE, Tensor, _new
from srcgrad.eager.tape import GradientTape


def _differentiable(x) -> bool:
    """Whether an argument can become a float Tensor (numbers and numeric arrays, not bools)."""
    if isinstance(x, Tensor):
        return True
    if isinstance(x, (bool, np.bool_)):
        return False
    if isinstance(x, numbers.Real):
        return True
    if isinstance(x, np.ndarray):
        return x.dtype.kind in "fiu"
    if isinstance(x, (list, tuple)):
        try:
            return np.asarray(x).dtype.kind in "fiu"
        except ValueError:
            return False
    return False


def _to_tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else _new(np.array(x, dtype=np.float64))


def _value_and_gradients(f, args, kwargs, params, output_gradients=None):
    args = list(args)
    if params is None:
        params = [i for i, a in enumerate(args) if _differentiable(a)]
    with GradientTape() as tape:
        for i in params:
            if not _differentiable(args[i]):
                raise TypeError(f"argument {i} ({type(args[i]).__name__}) cannot be differentiated")
            args[i] = _to_tensor(args[i])
            tape.watch(args[i])
        out = f(*args, **kwargs)
    return out, params, tape.gradient(out, [args[i] for i in params], output_gradients=output_gradients)


def gradients_function(f, params=None):
    """Return a function computing the gradients of `f` with respect to its arguments.

    grad_f = gradients_function(f)
    dx, dy = grad_f(x, y)

    The returned function takes the same arguments as `f` and returns a list with one entry per
    argument (or per index in `params`): a Tensor shaped like that argument, or None when `f`'s
    result does not depend on it. Plain floats and arrays are accepted and turned into Tensors;
    arguments that cannot be numbers (strings, bools, objects) get None. A non-scalar result is
    differentiated as the sum of its elements. Calls nest: `gradients_function` of a function
    that itself calls a gradient function gives higher derivatives.
    """

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        _, idx, grads = _value_and_gradients(f, args, kwargs, params)
        if params is not None:
            return grads
        result = [None] * len(args)
        for i, g in zip(idx, grads):
            result[i] = g
        return result

    return decorated


def value_and_gradients_function(f, params=None):
    """Like `gradients_function`, but the returned function gives `(f(*args), gradients)`."""

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        out, idx, grads = _value_and_gradients(f, args, kwargs, params)
        if params is not None:
            return out, grads
        result = [None] * len(args)
        for i, g in zip(idx, grads):
            result[i] = g
        return out, result

    return decorated


def value_and_grad_of(fn, args, wrt_indices=None, dout=None):
    """Evaluate `fn(*args)` on the eager tape; return `(value, [gradient for each index])`.

    The entry point of the eager fallback (`srcgrad.grad` and generated `grad_NAME` functions
    call it when a function cannot be compiled):

    - `args` is the full argument tuple. The arguments at `wrt_indices` (default: every float,
      int or numeric-array argument) become Tensors; the others are passed unchanged, so an
      `int` used in `range(n)` stays an int.
    - An array-valued result is differentiated as the sum of its elements, or along `dout`
      (a float, or an array shaped like the result) when given: a vector-Jacobian product.
    - A gradient the result does not depend on is zeros shaped like the argument (never None).
    - Results are plain values: a float for a 0-d value, an ndarray otherwise. When a tape of
      this thread is already recording (nested differentiation, e.g. `grad(grad(f))` where the
      inner function fell back), value and gradients are Tensors instead, so the enclosing tape
      differentiates through them.
    """
    plain = not STATE.recording
    args = tuple(args)
    out, idx, grads = _value_and_gradients(fn, args, {}, wrt_indices, dout)
    full = []
    for i, g in zip(idx, grads):
        if g is None:
            g = np.zeros(np.shape(args[i].numpy() if isinstance(args[i], Tensor) else args[i]))
            g = g if plain else _new(g)
        full.append(_plain(g) if plain else g)
    return (_plain(out) if plain else out), full


def grad_of(fn, args, wrt_indices=None, dout=None) -> list:
    """The gradients part of `value_and_grad_of(fn, args, wrt_indices, dout)` (a list)."""
    return value_and_grad_of(fn, args, wrt_indices, dout)[1]


def _plain(x):
    if isinstance(x, Tensor):
        x = x._value
    if isinstance(x, (np.ndarray, np.generic)) and np.ndim(x) == 0:
        return float(x)
    return x
