"""NumPy for code the eager engine runs: array constructors that make MutableTensors.

NumPy users build arrays and fill them element by element:

    y = np.zeros(n)
    for i in range(n):
        y[i] = x[i] * a[i]
    return np.sum(y * y)

With `x` a Tensor and `y` a plain ndarray, NumPy stores each `x[i] * a[i]` through `float()`
and the gradient is lost. Code the eager engine runs (the compiler's fallback, `srcgrad.grad`
of a function it cannot compile) sees this module as its `np` instead (see
`mathlib.tensor_math`): every attribute is NumPy's, except the constructors below, which return
a `MutableTensor` when the array would be float64, so that element and slice assignment are
recorded (see `srcgrad.eager.core.MutableTensor` for the copy-on-write design). Arrays of
other dtypes (int indices, bool masks) stay plain ndarrays, as NumPy makes them; storing a
recorded Tensor into one raises a TypeError instead of dropping the derivative.

`np.empty` and `np.empty_like` give zeros: unwritten garbage would otherwise reach gradients.
"""

from __future__ import annotations

import numpy as _np

from srcgrad.eager.core import Tensor, _stacked, mutable, value


def __getattr__(name):
    return getattr(_np, name)


def _tracked(arr):
    """A fresh float64 ndarray as a MutableTensor; anything else unchanged."""
    if isinstance(arr, _np.ndarray) and arr.dtype == _np.float64:
        return mutable(arr, exposed=False)
    return arr


def _holds_tensor(obj) -> bool:
    if isinstance(obj, Tensor):
        return True
    return isinstance(obj, (list, tuple)) and any(_holds_tensor(o) for o in obj)


def _float_dtype(dtype) -> bool:
    return dtype is None or _np.dtype(dtype) == _np.float64


def zeros(shape, dtype=float, order="C", **kwargs):
    return _tracked(_np.zeros(value(shape), dtype, order, **kwargs))


def ones(shape, dtype=None, order="C", **kwargs):
    return _tracked(_np.ones(value(shape), dtype, order, **kwargs))


def empty(shape, dtype=float, order="C", **kwargs):
    return _tracked(_np.zeros(value(shape), dtype, order, **kwargs))


def eye(N, M=None, k=0, dtype=float, **kwargs):
    return _tracked(_np.eye(N, M, k, dtype, **kwargs))


def identity(n, dtype=None, **kwargs):
    return _tracked(_np.identity(n, dtype, **kwargs))


def full(shape, fill_value, dtype=None, order="C", **kwargs):
    if isinstance(fill_value, Tensor) and _float_dtype(dtype):
        return mutable(_np.broadcast_to(fill_value, shape), exposed=True)
    return _tracked(_np.full(shape, value(fill_value), dtype, order, **kwargs))


def _like(fill):
    def make(a, dtype=None, order="K", subok=True, shape=None, **kwargs):
        if isinstance(a, Tensor) and _float_dtype(dtype):
            return mutable(_np.full(a.shape if shape is None else shape, fill, dtype=_np.float64), exposed=False)
        return _tracked(_np.full_like(a, fill, dtype, order, subok, shape, **kwargs))

    return make


zeros_like = _like(0.0)
ones_like = _like(1.0)
empty_like = _like(0.0)


def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, **kwargs):
    if (isinstance(a, Tensor) or isinstance(fill_value, Tensor)) and _float_dtype(dtype):
        if not isinstance(a, Tensor) and _np.asarray(a).dtype != _np.float64 and dtype is None:
            return _np.full_like(a, value(fill_value), dtype, order, subok, shape)  # NumPy's dtype: a's
        return full(_np.shape(value(a)) if shape is None else shape, fill_value)
    return _tracked(_np.full_like(a, fill_value, dtype, order, subok, shape, **kwargs))


def arange(*args, dtype=None, **kwargs):
    if any(isinstance(a, Tensor) for a in args):
        # start + step * k: differentiable in start and step (the count is not)
        bounds = [value(a) for a in args]
        count = len(_np.arange(*bounds))
        start = args[0] if len(args) > 1 else 0.0
        step = args[2] if len(args) > 2 else 1.0
        return mutable(start + step * _np.arange(count, dtype=_np.float64), exposed=True)
    return _tracked(_np.arange(*args, dtype=dtype, **kwargs))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    result = _np.linspace(start, stop, num, endpoint, retstep, dtype, axis)  # Tensors: srcgrad.eager.vjps
    return (_adopted(result[0]), result[1]) if retstep else _adopted(result)


def _adopted(result):
    return mutable(result, exposed=True) if isinstance(result, Tensor) else _tracked(result)


def array(obj, dtype=None, *, copy=True, order="K", subok=False, ndmin=0, **kwargs):
    if _holds_tensor(obj) and _float_dtype(dtype):
        built = _stacked(obj) if isinstance(obj, (list, tuple)) else _np.copy(obj)
        if ndmin > _np.ndim(value(built)):
            built = _np.reshape(built, (1,) * (ndmin - _np.ndim(value(built))) + _np.shape(value(built)))
        return mutable(built, exposed=True)
    return _tracked(_np.array(obj, dtype, copy=True, order=order, subok=subok, ndmin=ndmin, **kwargs))


def asarray(a, dtype=None, order=None, **kwargs):
    if isinstance(a, Tensor) and _float_dtype(dtype):
        return a  # no copy, as NumPy's asarray of an array
    if _holds_tensor(a) and _float_dtype(dtype):
        return mutable(_stacked(a), exposed=True)
    result = _np.asarray(a, dtype, order, **kwargs)
    if isinstance(result, _np.ndarray) and result.dtype == _np.float64:
        return mutable(result, exposed=True)  # may be the caller's array: the first write copies it
    return result


asanyarray = asarray


def copy(a, order="K", subok=False):
    if isinstance(a, Tensor):
        return _np.copy(a)  # a MutableTensor, recorded (srcgrad.eager.vjps)
    return _tracked(_np.array(a, copy=True, order=order))


def _stacking_first(name: str, namespace=_np):
    """np.<name> whose first argument may be a list of Tensors (`np.prod([np.cos(v) for v in x])`):
    NumPy would convert the list to a plain array, dropping the gradient; stacked, it is recorded."""
    function = getattr(namespace, name)

    def call(a, *args, **kwargs):
        return function(_stacked(a) if isinstance(a, (list, tuple)) and _holds_tensor(a) else a, *args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = function.__doc__
    return call


_OF_SEQUENCES = ("sum", "mean", "prod", "max", "min", "amax", "amin", "std", "var", "average", "cumsum", "cumprod")
globals().update({_name: _stacking_first(_name) for _name in _OF_SEQUENCES})

class _Linalg:
    """np.linalg, whose norm takes a list of Tensors too (`np.linalg.norm(residuals)`)."""

    norm = staticmethod(_stacking_first("norm", _np.linalg))

    def __getattr__(self, name):
        return getattr(_np.linalg, name)


linalg = _Linalg()

OVERRIDES = ("zeros", "ones", "empty", "eye", "identity", "full", "zeros_like", "ones_like",
             "empty_like", "full_like", "arange", "linspace", "array", "asarray", "asanyarray", "copy") + _OF_SEQUENCES

__all__ = list(OVERRIDES)
