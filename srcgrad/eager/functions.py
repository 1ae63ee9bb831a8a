"""Function transformations on top of the tape: `gradients_function` and the fallback entry
points that `srcgrad.api` and generated modules call (`grad_of`, `value_and_grad_of`,
`jvp_of`, `hvp_of`, `hessian_of`)."""

from __future__ import annotations

import functools
import numbers

import numpy as np

from srcgrad.eager.core import STATE, Tensor, _new
from srcgrad.eager.errors import DroppedGradientError
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
        try:
            out = f(*args, **kwargs)
        except ValueError as error:
            _reraise_dropped_gradient(error)
            raise
    return out, params, tape.gradient(out, [args[i] for i in params], output_gradients=output_gradients)


def _reraise_dropped_gradient(error: ValueError) -> None:
    """NumPy reports a failed store of a Tensor into a plain ndarray as 'setting an array element
    with a sequence', caused by our DroppedGradientError: raise that, naming the user's line."""
    cause = error.__cause__
    if not isinstance(cause, DroppedGradientError):
        return
    frame = error.__traceback__
    while frame.tb_next is not None:
        frame = frame.tb_next
    where = f"{frame.tb_frame.f_code.co_filename}:{frame.tb_lineno}"
    raise DroppedGradientError(f"{where}: {cause}") \
        .with_traceback(error.__traceback__) from None


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


def _fallback_inputs(args, wrt_indices):
    args = list(args)
    if wrt_indices is None:
        wrt_indices = [i for i, a in enumerate(args) if _differentiable(a)]
    for i in wrt_indices:
        args[i] = _to_tensor(args[i])
    return args, list(wrt_indices)


def _watched_gradients(fn, args, idx, seed=None):
    """Gradients of fn at args w.r.t. args[idx] (zeros when unconnected), on an inner tape, so
    that a tape recording around the call can differentiate them. `seed(out)`, when given,
    makes the output cotangent."""
    with GradientTape() as inner:
        inner.watch([args[i] for i in idx])
        out = fn(*args)
    grads = inner.gradient(out, [args[i] for i in idx], output_gradients=None if seed is None else seed(out),
                           unconnected_gradients="zero")
    return out, grads


def jvp_of(fn, args, wrt_indices=None, tangents=()):
    """Forward-mode derivative of `fn` at `args` along `tangents` (one per index in
    `wrt_indices`, shaped like the argument): `(value, J @ tangents)`, plain values as in
    `value_and_grad_of`. Computed as the derivative of a VJP with respect to its cotangent."""
    plain = not STATE.recording
    args, idx = _fallback_inputs(args, wrt_indices)
    cotangent = []
    with GradientTape() as outer:

        def seed(out):  # a cotangent the outer tape watches: the VJP is linear in it. Ones, not
            # zeros: an infinite partial is used only where its cotangent is nonzero (core._unless_zero)
            cotangent.append(_new(np.ones(np.shape(out._value if isinstance(out, Tensor) else out))))
            outer.watch(cotangent[0])
            return cotangent[0]

        out, grads = _watched_gradients(fn, args, idx, seed)
        total = sum(np.sum(g * t) for g, t in zip(grads, tangents))
    result = outer.gradient(total, cotangent[0], unconnected_gradients="zero") if cotangent else None
    if result is None or not isinstance(total, Tensor):
        result = _new(np.zeros(np.shape(out._value if isinstance(out, Tensor) else out)))
    return (_plain(out), _plain(result)) if plain else (out, result)


def hvp_of(fn, args, wrt_indices=None, v=()):
    """Hessian-vector product of a scalar `fn` at `args`: a list with one entry per index in
    `wrt_indices`, `v` holding one vector per index (plain values as in `value_and_grad_of`)."""
    plain = not STATE.recording
    args, idx = _fallback_inputs(args, wrt_indices)
    with GradientTape() as outer:
        outer.watch([args[i] for i in idx])
        _, grads = _watched_gradients(fn, args, idx)
        total = sum(np.sum(g * u) for g, u in zip(grads, v))
    hv = outer.gradient(total, [args[i] for i in idx], unconnected_gradients="zero") if isinstance(
        total, Tensor) else [_new(np.zeros(np.shape(args[i].numpy()))) for i in idx]
    return [_plain(h) for h in hv] if plain else hv


def hessian_of(fn, args, wrt_indices=None):
    """The Hessian of a scalar `fn` at `args` with respect to the (scalar) arguments at
    `wrt_indices`: an n x n ndarray (a float for one argument)."""
    args, idx = _fallback_inputs(args, wrt_indices)
    with GradientTape() as outer:
        outer.watch([args[i] for i in idx])
        _, grads = _watched_gradients(fn, args, idx)
        g = np.stack([np.reshape(gi, ()) for gi in grads])
    h = outer.jacobian(g, [args[i] for i in idx], unconnected_gradients="zero")
    matrix = np.stack([np.reshape(h[j].numpy(), (-1,)) for j in range(len(idx))], axis=1)
    return float(matrix[0, 0]) if len(idx) == 1 else matrix
