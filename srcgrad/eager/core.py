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
import weakref

import numpy as np

from srcgrad.eager import indexing, views
from srcgrad.eager.errors import DroppedGradientError, MissingRuleError
from srcgrad.rules.arrays import unbroadcast
from srcgrad.rules.elementwise import ELEMENTWISE, SPECIAL, has_unbounded_partial


class _ThreadState(threading.local):
    def __init__(self) -> None:
        self.recording: list = []  # this thread's tapes that are recording, outermost first
        self.backward = 0  # > 0 while a tape's backward pass runs (VJPs read recorded slices)


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
    if not STATE.backward:  # user code: a slice used after its array was written differs from NumPy
        for a in args:
            if type(a) is Tensor and getattr(a, "_cell", None) is not None:
                views.check_current(a)
    vals = [a._value if isinstance(a, Tensor) else a for a in args]
    out = _new(prim.fn(*vals, **kwargs) if kwargs else prim.fn(*vals))
    tapes = STATE.recording
    if tapes:
        for a in args:
            if type(a) is MutableTensor:  # tapes record the array's current value, never the array
                args = tuple(_node(a) for a in args)
                break
        for tape in tapes:
            tape._record(prim, args, kwargs, out)
    return out


def record(prim: Primitive, args: tuple, kwargs: dict, out) -> None:
    """Record an already computed `out = prim(*args)` on the tapes of this thread."""
    tapes = STATE.recording
    if tapes:
        args = tuple(_node(a) for a in args)
        for tape in tapes:
            tape._record(prim, args, kwargs, out)


def _node(x):
    """The Tensor a tape knows for `x`: a MutableTensor's current value; anything else itself."""
    return x._cell.node if type(x) is MutableTensor else x


def is_recorded(t) -> bool:
    """Whether a tape of this thread that is recording tracks the Tensor t."""
    key = id(_node(t))
    return any(key in tape._tracked for tape in STATE.recording)


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


class Tensor:
    """A float64 NumPy value that gradient tapes can track.

    Arithmetic operators, `@`, indexing and NumPy functions and ufuncs called on Tensors
    (`np.sin(t)`, `np.sum(t, axis=0)`, `np.dot(a, b)`) give Tensors and are recorded on the
    active tapes of the current thread. Comparisons give plain NumPy booleans. A NumPy
    function without a derivative rule raises `MissingRuleError`.
    """

    __slots__ = ("_value", "_cell", "__weakref__")  # _cell: used by MutableTensor only
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
        if STATE.recording and is_recorded(self):
            raise DroppedGradientError(
                "float() of a Tensor that a gradient tape records would drop its derivative (NumPy "
                "does this to store a value into a plain ndarray, and so does code outside the traced "
                "function that converts its inputs): make such arrays with np.zeros/np.array/np.copy/"
                "... inside the differentiated code, whose element assignments are recorded, or call "
                ".numpy() to drop the derivative on purpose"
            )
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
        if STATE.recording and is_recorded(self):
            raise DroppedGradientError(
                "converting a Tensor that a tape is recording to a NumPy array would drop its "
                "gradient (storing it into a plain ndarray does that); assign into a Tensor or an "
                "array made by np.zeros/np.array/... in code the eager engine runs, use "
                "np.stack/np.concatenate to build arrays from Tensors, or .numpy() to drop the "
                "gradient on purpose"
            )
        v = np.asarray(self._value)
        return v.astype(dtype) if dtype is not None and dtype != v.dtype else v

    def __setitem__(self, index, val):
        """`t[index] = val`, recorded on the tapes: t becomes a MutableTensor (see there)."""
        if type(self) is not Tensor:
            raise TypeError(f"{type(self).__name__} does not support index assignment; "
                            "assign into a Tensor (srcgrad.constant(value)) instead")
        if getattr(self, "_cell", None) is not None:
            views.refuse_write_through(self)
        _make_mutable(self)
        MutableTensor.__setitem__(self, index, val)

    # NumPy's `v += 1` on a view v writes through into its array (`m[1:, 0] += x` reads the view,
    # adds in place, and stores it back): the engine writes the result into the array too
    def __iadd__(self, other): return views.in_place(self, self + other)
    def __isub__(self, other): return views.in_place(self, self - other)
    def __imul__(self, other): return views.in_place(self, self * other)
    def __itruediv__(self, other): return views.in_place(self, self / other)
    def __ipow__(self, other): return views.in_place(self, self ** other)

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
    def __divmod__(self, other): return (self // other, self % other)
    def __rdivmod__(self, other): return (other // self, other % self)
    def conjugate(self): return self  # real values, as float.conjugate
    def __pos__(self): return self
    def __abs__(self): return apply(_UFUNC_PRIMS[np.absolute], (self,), _EMPTY)
    def __matmul__(self, other): return np.matmul(self, other)
    def __rmatmul__(self, other): return np.matmul(other, self)

    def __getitem__(self, index):
        index = _plain_index(index)
        return _marked_view(self, index, apply(GETITEM, (self, index), _EMPTY))

    # comparisons are not differentiated: plain NumPy results
    def __lt__(self, other): return self._value < value(other)
    def __le__(self, other): return self._value <= value(other)
    def __gt__(self, other): return self._value > value(other)
    def __ge__(self, other): return self._value >= value(other)
    def __eq__(self, other): return self._value == value(other)
    def __ne__(self, other): return self._value != value(other)
    # == is elementwise (like ndarray), but a Tensor stands for one float in traced code that
    # puts numbers in sets or caches: hashed by identity, as torch.Tensor is
    __hash__ = object.__hash__

    # methods that mirror ndarray's; they dispatch to the NumPy functions
    T = property(lambda self: np.transpose(self))

    def sum(self, axis=None, keepdims=False): return np.sum(self, axis=axis, keepdims=keepdims)
    def mean(self, axis=None, keepdims=False): return np.mean(self, axis=axis, keepdims=keepdims)
    def max(self, axis=None, keepdims=False): return np.max(self, axis=axis, keepdims=keepdims)
    def min(self, axis=None, keepdims=False): return np.min(self, axis=axis, keepdims=keepdims)
    def var(self, axis=None, ddof=0, keepdims=False): return np.var(self, axis=axis, ddof=ddof, keepdims=keepdims)
    def std(self, axis=None, ddof=0, keepdims=False): return np.std(self, axis=axis, ddof=ddof, keepdims=keepdims)
    def cumsum(self, axis=None): return np.cumsum(self, axis=axis)
    def prod(self, axis=None, keepdims=False): return np.prod(self, axis=axis, keepdims=keepdims)
    def cumprod(self, axis=None): return np.cumprod(self, axis=axis)
    def repeat(self, repeats, axis=None): return np.repeat(self, repeats, axis=axis)
    def take(self, indices, axis=None): return np.take(self, indices, axis=axis)

    def sort(self, axis=-1):  # in place, as ndarray.sort (recorded as an assignment)
        self[...] = np.sort(self, axis=axis)
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
        raise MissingRuleError(f"no derivative rule for {MissingRuleError.qualified(func)} (called on a Tensor)")


class Variable(Tensor):
    """A Tensor that every active tape watches without being told (when `trainable`)."""

    __slots__ = ("trainable",)

    def __init__(self, value, trainable: bool = True):
        super().__init__(value)
        self.trainable = trainable


class _Cell:
    """A MutableTensor's state: its current value as the tapes know it (`node`, a Tensor whose
    value is the array's buffer), the node gradients with respect to the array mean (`origin`),
    and whether the buffer may be referenced outside (`exposed`: the next write copies it)."""

    __slots__ = ("node", "origin", "exposed", "writes")

    def __init__(self, node, exposed: bool):
        self.node = node
        self.origin = node
        self.exposed = exposed
        self.writes = 0  # slices taken earlier are stale once this grows (see _marked_view)


_BUFFER = Tensor._value  # the slot behind Tensor._value, read without MutableTensor's bookkeeping


class MutableTensor(Tensor):
    """A Tensor that supports element and slice assignment, recorded on gradient tapes.

    Tapes identify values by the identity of Tensor objects, and a recorded operation reads its
    inputs' values again in the backward pass, so a Tensor that tapes know must never change. A
    MutableTensor is therefore a mutable *reference* to a sequence of immutable values: tapes
    never see the MutableTensor itself, only its current value (`_cell.node`, a plain Tensor).
    `m[index] = v` records `new = setitem(old, index, v)` (the VJP scatters: the old value gets
    the cotangent with the written positions zeroed, `v` gets the cotangent at those positions)
    and makes `new` the current value. Operations on `m` (`m * 2`, `np.sum(m)`) record its
    current value.

    Writes are copy-on-write with one shortcut: the buffer is written in place when nothing but
    setitem and element reads can hold it, since their VJPs need only the shape (an element read
    returns a copy, never a view). Any other use of the value (`_value` read: an operation, a
    conversion) marks the buffer exposed, and the next write copies it. A loop of element writes
    and reads therefore costs O(1) per write, not a copy of the array each time. Every value is a
    snapshot, so NumPy's views do not hold: where that would show (a slice used after its array
    was written, a write into a slice) srcgrad.eager.views raises or, for `v += ...`, writes
    through as NumPy does.

    Gradients with respect to a MutableTensor (as a tape source) are taken with respect to its
    value when it was watched (for a function's argument: its input value, even after the
    function assigned into it); as a target it stands for its current value.

    MutableTensors come from `t[i] = v` on a Tensor (the Tensor becomes one), from `np.copy` /
    `t.copy()` of a Tensor, and from the array constructors of `srcgrad.eager.numpylib`, which
    code run by the eager engine (the compiler's fallback) uses as its `np`.
    """

    __slots__ = ()

    def _exposed_value(self):
        self._cell.exposed = True
        return _BUFFER.__get__(self)

    _value = property(_exposed_value, _BUFFER.__set__)

    shape = property(lambda self: _BUFFER.__get__(self).shape)
    ndim = property(lambda self: _BUFFER.__get__(self).ndim)
    size = property(lambda self: _BUFFER.__get__(self).size)

    def __len__(self) -> int:
        buffer = _BUFFER.__get__(self)
        if not buffer.ndim:
            raise TypeError("len() of a 0-d Tensor")
        return len(buffer)

    def numpy(self):
        v = _BUFFER.__get__(self)
        return v.copy() if v.ndim else np.float64(v)

    def __getitem__(self, index):
        index = _plain_index(index)
        return _marked_view(self, index, apply(_READ, (self._cell.node, index), _EMPTY))

    def __setitem__(self, index, val):
        index = _plain_index(index)
        if isinstance(val, (list, tuple)):
            val = _stacked(val)
        cell = self._cell
        val_node = _node(val)  # before the write: val may be this array
        buffer = _BUFFER.__get__(self)
        written = buffer.copy() if cell.exposed else buffer
        if type(val) is MutableTensor:
            written[index] = _BUFFER.__get__(val)  # copied in: val's buffer is not exposed
        else:
            written[index] = val._value if isinstance(val, Tensor) else val
        if not indexing.is_basic(index) and STATE.recording:
            indexing.check_distinct(index, written.shape)
        cell.exposed = False
        cell.writes += 1
        old, new = cell.node, _new(written)
        _BUFFER.__set__(self, written)
        cell.node = new
        if STATE.recording:
            record(SETITEM, (old, index, val_node), _EMPTY, new)

    def _update(self, result):
        self[...] = result
        return self

    # in-place operators keep the array (and its aliases) the same object, as ndarray's do
    def __iadd__(self, other): return self._update(self + other)
    def __isub__(self, other): return self._update(self - other)
    def __imul__(self, other): return self._update(self * other)
    def __itruediv__(self, other): return self._update(self / other)
    def __ipow__(self, other): return self._update(self ** other)


def _marked_view(base, index, out):
    return views.mark(base, index, out) if type(out) is Tensor else out


def mutable(value, exposed: bool = True) -> MutableTensor:
    """A MutableTensor whose first value is `value` (a Tensor is adopted as that value, an array
    wrapped; `exposed` when something else may hold the buffer, so the first write copies)."""
    if type(value) is MutableTensor:
        node = value._cell.node
        value._cell.exposed = exposed = True  # the two share a buffer until one is written
    elif isinstance(value, Tensor):
        node = value
    else:
        node = _new(np.array(value, dtype=np.float64))
        exposed = False
    t = _new_object(MutableTensor)
    _BUFFER.__set__(t, node._value)
    t._cell = _Cell(node, exposed)
    return t


def _make_mutable(t: Tensor) -> None:
    """Turn the Tensor t into a MutableTensor in place. Records that used t so far must keep
    its current value: they are pointed at a new Tensor holding it, which becomes t's node."""
    node = _new(t._value)
    for tape in list(LIVE_TAPES):
        tape._rename(t, node)
    t._cell = _Cell(node, True)  # records may read the buffer: the first write copies it
    t.__class__ = MutableTensor


def _stacked(values):
    """A list or tuple of numbers and Tensors (nested) as one Tensor, recorded like np.stack."""
    parts = [_stacked(v) if isinstance(v, (list, tuple)) else v for v in values]
    if any(isinstance(p, Tensor) for p in parts):
        return np.stack([p if isinstance(p, Tensor) else _new(np.asarray(p, dtype=np.float64)) for p in parts])
    return np.array(parts, dtype=np.float64)


LIVE_TAPES: "weakref.WeakSet" = weakref.WeakSet()  # every GradientTape, for _make_mutable

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
    # sqrt at 0: a zero cotangent contributes 0, as in compiled code, not 0 * inf
    product = _guarded if has_unbounded_partial(rule.name) else operator.mul

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
                grads.append(unbroadcast(product(g, p), shape))
        return grads

    return vjp


def _guarded_product(g, partial):  # g * partial where g is nonzero, else exactly 0 (never 0 * inf)
    with np.errstate(invalid="ignore"):
        return np.where(np.not_equal(g, 0.0), np.multiply(g, partial), 0.0)


def _guarded(g, partial):
    """Recorded when an outer tape watches the backward pass: the derivative in g is the partial
    even where g is 0 (a Hessian at a zero cotangent), which np.where alone would lose."""
    recorded = isinstance(g, Tensor) or isinstance(partial, Tensor)
    return GUARDED_PRODUCT(g, partial) if recorded else _guarded_product(g, partial)


GUARDED_PRODUCT = Primitive("guarded_product", _guarded_product, lambda argnums, h, ans, args, kwargs: [
    unbroadcast(_guarded(h, args[1]) if i == 0 else h * args[0], np.shape(args[i])) for i in argnums])


def _ufunc_by_name(name: str):  # NumPy's, or srcgrad.rules.special's, which are called as ufuncs are
    f = SPECIAL.get(name, getattr(np, name, None))
    return f if isinstance(f, np.ufunc) or name in SPECIAL else None


_UFUNC_PRIMS: dict = {}  # ufunc -> Primitive, from the shared elementwise table
for _name, _rule in ELEMENTWISE.items():
    _ufunc = _ufunc_by_name(_name)
    if _ufunc is not None and _ufunc not in _UFUNC_PRIMS:
        _UFUNC_PRIMS[_ufunc] = Primitive(_ufunc.__name__, _ufunc, _elementwise_vjp(_rule))

_ADD, _SUB, _MUL, _POW, _NEG = (
    _UFUNC_PRIMS[f] for f in (np.add, np.subtract, np.multiply, np.power, np.negative)
)
_DIV = _UFUNC_PRIMS[np.divide]


# indexing: the only non-ufunc primitives the Tensor class itself needs
GETITEM = Primitive("getitem", operator.getitem)
UNTAKE = Primitive("untake", indexing.untake)  # the adjoint of indexing: scatter-add into zeros
GETITEM.vjp = lambda argnums, g, ans, args, kw: [UNTAKE(g, args[1], args[0].shape)]
UNTAKE.vjp = lambda argnums, g, ans, args, kw: [g[args[1]]]


# element reads of a MutableTensor (copies, never views) and element writes
_READ = Primitive("getitem", indexing.read_copy, GETITEM.vjp)
UNSET = Primitive("unset", indexing.unset)  # g with the written positions zeroed: the old value's VJP
UNSET.vjp = lambda argnums, g, ans, args, kw: [UNSET(g, args[1])]
SETITEM = Primitive("setitem", indexing.setitem)
SETITEM.vjp = lambda argnums, g, ans, args, kw: [
    UNSET(g, args[1]) if i == 0 else indexing.written_part(g, args[1], args[2]) for i in argnums]
