"""The core of the eager engine: `Tensor`, primitives, and `apply`, which records them.

A `Tensor` wraps a float64 NumPy value. Every differentiable operation on Tensors is a
`Primitive`: a NumPy function `fn` plus a vector-Jacobian product `vjp`. `apply` runs `fn` on
the plain values and appends one record to each tape of this thread that is recording and
tracks one of the inputs. Nothing else happens per operation.

The elementwise primitives come from the shared table `srcgrad.rules.elementwise` (one per
NumPy ufunc); the others are defined in `srcgrad.eager.vjps`.
"""

from __future__ import annotations

import operator
import threading

import numpy as np

from srcgrad.eager.errors import MissingRuleError
from srcgrad.rules.elementwise import ELEMENTWISE


class _ThreadState(threading.local):
    def __init__(self) -> None:
        self.recording: list = []  # this thread's tapes that are recording, outermost first


STATE = _ThreadState()
_EMPTY: dict = {}


class Primitive:
    """A recorded operation.

    `fn(*values, **kwargs)` computes on NumPy values. `vjp(argnums, g, ans, args, kwargs)`
    returns the cotangents of `args[i]` for each `i` in `argnums`, given the output cotangent
    `g` and the output `ans`. During a backward pass `args` and `ans` are plain NumPy values,
    or Tensors when an outer tape records the backward pass (higher-order derivatives), so a
    vjp must be written with NumPy functions and operators only.
    """

    __slots__ = ("name", "fn", "vjp")

    def __init__(self, name: str, fn, vjp=None):
        self.name = name
        self.fn = fn
        self.vjp = vjp

    def __call__(self, *args, **kwargs):
        return apply(self, args, kwargs)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


def apply(prim: Primitive, args: tuple, kwargs: dict):
    """Run `prim` on the values of `args` and record it on every tape that tracks an input."""
    vals = [a._value if isinstance(a, Tensor) else a for a in args]
    out = _new(prim.fn(*vals, **kwargs) if kwargs else prim.fn(*vals))
    tapes = STATE.recording
    if tapes:
        for tape in tapes:
            tape._record(prim, args, kwargs, out)
    return out


def value(x):
    """The NumPy value of a Tensor; anything else unchanged."""
    return x._value if isinstance(x, Tensor) else x


def unwrap(x):
    """`value`, applied through lists, tuples and dicts (for non-differentiable NumPy calls)."""
    if isinstance(x, Tensor):
        return x._value
    if isinstance(x, (list, tuple)):
        return type(x)(unwrap(v) for v in x)
    if isinstance(x, dict):
        return {k: unwrap(v) for k, v in x.items()}
    return x


def unbroadcast(g, shape: tuple):
    """Sum `g` over the axes that broadcasting added or stretched, so it gets `shape`."""
    gshape = g.shape
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and gshape[lead + i] != 1
    )
    if axes:
        g = np.sum(g, axis=axes)
    return np.reshape(g, shape)


class Tensor:
    """A float64 NumPy value that gradient tapes can track.

    Arithmetic operators, `@`, indexing and NumPy functions and ufuncs called on Tensors
    (`np.sin(t)`, `np.sum(t, axis=0)`, `np.dot(a, b)`) give Tensors and are recorded on the
    active tapes of the current thread. Comparisons give plain NumPy booleans. A NumPy
    function without a derivative rule raises `MissingRuleError`.
    """

    __slots__ = ("_value", "__weakref__")
    __array_priority__ = 1000.0  # NumPy defers binary operators to Tensor

    def __init__(self, value):
        self._value = _as_float(value)

    # --- plain views of the value -------------------------------------------------------
    def numpy(self):
        """A copy of the value: an ndarray, or a NumPy float for a 0-d Tensor."""
        v = self._value
        return v.copy() if v.ndim else np.float64(v)

    shape = property(lambda self: self._value.shape)
    dtype = property(lambda self: self._value.dtype)
    ndim = property(lambda self: self._value.ndim)
    size = property(lambda self: self._value.size)

    def item(self) -> float:
        return self._value.item()

    def tolist(self):
        return self._value.tolist()

    def __float__(self) -> float:
        return float(self._value)

    def __int__(self) -> int:
        return int(self._value)

    def __index__(self) -> int:
        v = self._value
        if v.ndim == 0 and float(v).is_integer():
            return int(v)
        raise TypeError(f"only an integral 0-d Tensor can be used as an index, not {self!r}")

    def __round__(self, ndigits=None):  # not differentiated, like int()
        return round(float(self._value), ndigits)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        if not self._value.ndim:
            raise TypeError("len() of a 0-d Tensor")
        return len(self._value)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        v = self._value
        body = np.array2string(np.asarray(v), separator=", ", prefix=type(self).__name__ + "(")
        return f"{type(self).__name__}({body})" if not v.ndim else f"{type(self).__name__}({body}, shape={v.shape})"

    def __array__(self, dtype=None, copy=None):
        for tape in STATE.recording:
            if id(self) in tape._tracked:
                raise TypeError(
                    "converting a Tensor that a tape is recording to a NumPy array would drop its "
                    "gradient; use np.stack/np.concatenate to build arrays from Tensors, or "
                    ".numpy() to drop the gradient on purpose"
                )
        v = np.asarray(self._value)
        return v.astype(dtype) if dtype is not None and dtype != v.dtype else v

    def __setitem__(self, index, val):
        raise TypeError(
            "Tensors are immutable: build the new value with np.where, np.concatenate or "
            "np.stack instead of assigning elements"
        )

    # --- differentiable operations ------------------------------------------------------
    def __add__(self, other): return apply(_ADD, (self, other), _EMPTY)
    def __radd__(self, other): return apply(_ADD, (other, self), _EMPTY)
    def __sub__(self, other): return apply(_SUB, (self, other), _EMPTY)
    def __rsub__(self, other): return apply(_SUB, (other, self), _EMPTY)
    def __mul__(self, other): return apply(_MUL, (self, other), _EMPTY)
    def __rmul__(self, other): return apply(_MUL, (other, self), _EMPTY)
    def __truediv__(self, other): return apply(_DIV, (self, other), _EMPTY)
    def __rtruediv__(self, other): return apply(_DIV, (other, self), _EMPTY)
    def __pow__(self, other): return apply(_POW, (self, other), _EMPTY)
    def __rpow__(self, other): return apply(_POW, (other, self), _EMPTY)
    def __floordiv__(self, other): return apply(_UFUNC_PRIMS[np.floor_divide], (self, other), _EMPTY)
    def __rfloordiv__(self, other): return apply(_UFUNC_PRIMS[np.floor_divide], (other, self), _EMPTY)
    def __mod__(self, other): return apply(_UFUNC_PRIMS[np.remainder], (self, other), _EMPTY)
    def __rmod__(self, other): return apply(_UFUNC_PRIMS[np.remainder], (other, self), _EMPTY)
    def __neg__(self): return apply(_NEG, (self,), _EMPTY)
    def __pos__(self): return self
    def __abs__(self): return apply(_UFUNC_PRIMS[np.absolute], (self,), _EMPTY)
    def __matmul__(self, other): return np.matmul(self, other)
    def __rmatmul__(self, other): return np.matmul(other, self)

    def __getitem__(self, index):
        return apply(GETITEM, (self, _plain_index(index)), _EMPTY)

    # comparisons are not differentiated: plain NumPy results
    def __lt__(self, other): return self._value < value(other)
    def __le__(self, other): return self._value <= value(other)
    def __gt__(self, other): return self._value > value(other)
    def __ge__(self, other): return self._value >= value(other)
    def __eq__(self, other): return self._value == value(other)
    def __ne__(self, other): return self._value != value(other)
    __hash__ = None  # like ndarray: == is elementwise

    # methods that mirror ndarray's; they dispatch to the NumPy functions
    T = property(lambda self: np.transpose(self))

    def sum(self, axis=None, keepdims=False): return np.sum(self, axis=axis, keepdims=keepdims)
    def mean(self, axis=None, keepdims=False): return np.mean(self, axis=axis, keepdims=keepdims)
    def max(self, axis=None, keepdims=False): return np.max(self, axis=axis, keepdims=keepdims)
    def min(self, axis=None, keepdims=False): return np.min(self, axis=axis, keepdims=keepdims)
    def var(self, axis=None, ddof=0, keepdims=False): return np.var(self, axis=axis, ddof=ddof, keepdims=keepdims)
    def std(self, axis=None, ddof=0, keepdims=False): return np.std(self, axis=axis, ddof=ddof, keepdims=keepdims)
    def cumsum(self, axis=None): return np.cumsum(self, axis=axis)
    def dot(self, other): return np.dot(self, other)
    def clip(self, min=None, max=None): return np.clip(self, min, max)
    def ravel(self): return np.ravel(self)
    def flatten(self): return np.ravel(self)
    def copy(self): return np.copy(self)
    def squeeze(self, axis=None): return np.squeeze(self, axis=axis)
    def swapaxes(self, a, b): return np.swapaxes(self, a, b)
    def argmax(self, axis=None): return np.argmax(self._value, axis=axis)
    def argmin(self, axis=None): return np.argmin(self._value, axis=axis)

    def reshape(self, *shape):
        return np.reshape(self, shape[0] if len(shape) == 1 else shape)

    def transpose(self, *axes):
        return np.transpose(self, axes[0] if len(axes) == 1 else (axes or None))

    def astype(self, dtype):
        if np.dtype(dtype) == np.float64:
            return self
        return self._value.astype(dtype)  # other dtypes leave differentiation

    # --- NumPy protocols --------------------------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "__call__" and not kwargs:
            prim = _UFUNC_PRIMS.get(ufunc)
            if prim is not None:
                return apply(prim, inputs, _EMPTY)
        if "out" in kwargs:
            raise TypeError(f"numpy.{ufunc.__name__}(..., out=...): Tensors are immutable")
        if method == "__call__" and ufunc.__name__ in NONDIFFERENTIABLE_UFUNCS:
            return ufunc(*unwrap(inputs), **kwargs)
        handler = UFUNC_HANDLERS.get((ufunc.__name__, method))
        if handler is None:
            what = f"numpy.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
            if kwargs and ufunc in _UFUNC_PRIMS:
                raise MissingRuleError(f"{what} with arguments {sorted(kwargs)} is not differentiable")
            raise MissingRuleError(f"no derivative rule for {what} (called on a Tensor)")
        return handler(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        handler = FUNCTION_HANDLERS.get(func)
        if handler is not None:
            return handler(*args, **kwargs)
        if func in PASSTHROUGH_FUNCTIONS:
            return func(*unwrap(args), **unwrap(kwargs))
        raise MissingRuleError(f"no derivative rule for {_qualname(func)} (called on a Tensor)")


class Variable(Tensor):
    """A Tensor that every active tape watches without being told (when `trainable`)."""

    __slots__ = ("trainable",)

    def __init__(self, value, trainable: bool = True):
        super().__init__(value)
        self.trainable = trainable


_new_object = object.__new__


def _new(value) -> Tensor:
    t = _new_object(Tensor)
    t._value = value
    return t


def _as_float(x) -> np.ndarray:
    if isinstance(x, Tensor):
        return x._value
    arr = np.asarray(x, dtype=np.float64)
    return arr


def constant(value) -> Tensor:
    """A Tensor holding `value` as float64 (a Tensor is returned as it is)."""
    return value if isinstance(value, Tensor) else _new(_as_float(value))


def ones(shape) -> Tensor:
    return _new(np.ones(shape))


def zeros(shape) -> Tensor:
    return _new(np.zeros(shape))


def _qualname(func) -> str:
    module = getattr(func, "__module__", None) or "numpy"
    return f"{module}.{getattr(func, '__name__', repr(func))}"


def _plain_index(index):
    """An index with Tensors replaced by integer arrays (indices are not differentiated)."""
    if isinstance(index, tuple):
        return tuple(_plain_index(i) for i in index)
    if isinstance(index, Tensor):
        v = index._value
        iv = v.astype(np.intp)
        if not np.array_equal(iv, v):
            raise IndexError(f"a Tensor used as an index must hold integers, not {index!r}")
        return iv
    return index


# --- registries, filled here (elementwise ufuncs) and by srcgrad.eager.vjps ------------------
UFUNC_HANDLERS: dict = {}  # (ufunc name, method) -> callable, for other ufuncs and methods
FUNCTION_HANDLERS: dict = {}  # NumPy function -> callable taking the function's arguments
PASSTHROUGH_FUNCTIONS: set = set()  # NumPy functions with plain (non-differentiated) results
NONDIFFERENTIABLE_UFUNCS = frozenset(
    "greater greater_equal less less_equal equal not_equal logical_and logical_or logical_not "
    "logical_xor isfinite isinf isnan isnat signbit".split()
)


def _elementwise_vjp(rule):
    partials = rule.partials

    def vjp(argnums, g, ans, args, kwargs):
        ps = partials(*args, ans)
        grads = []
        for i in argnums:
            p, shape = ps[i], args[i].shape
            if p is None:  # piecewise constant: the derivative is zero
                grads.append(np.zeros(shape))
            elif type(p) is float and p == 1.0:
                grads.append(unbroadcast(g, shape))
            elif type(p) is float and p == -1.0:
                grads.append(unbroadcast(-g, shape))
            else:
                grads.append(unbroadcast(g * p, shape))
        return grads

    return vjp


def _ufunc_by_name(name: str):
    f = getattr(np, name, None)
    return f if isinstance(f, np.ufunc) else None


_UFUNC_PRIMS: dict = {}  # ufunc -> Primitive, from the shared elementwise table
for _name, _rule in ELEMENTWISE.items():
    _ufunc = _ufunc_by_name(_name)
    if _ufunc is not None and _ufunc not in _UFUNC_PRIMS:
        _UFUNC_PRIMS[_ufunc] = Primitive(_ufunc.__name__, _ufunc, _elementwise_vjp(_rule))

_ADD, _SUB, _MUL, _POW, _NEG = (
    _UFUNC_PRIMS[f] for f in (np.add, np.subtract, np.multiply, np.power, np.negative)
)
_DIV = _UFUNC_PRIMS[np.divide]


def _untake(g, index, shape):
    out = np.zeros(shape)
    if _is_basic(index):
        out[index] = g
    else:
        np.add.at(out, index, g)
    return out


def _is_basic(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in parts)


# indexing: the only non-ufunc primitives the Tensor class itself needs
GETITEM = Primitive("getitem", operator.getitem)
UNTAKE = Primitive("untake", _untake)  # the adjoint of indexing: scatter-add into zeros
GETITEM.vjp = lambda argnums, g, ans, args, kw: [UNTAKE(g, args[1], args[0].shape)]
UNTAKE.vjp = lambda argnums, g, ans, args, kw: [g[args[1]]]
