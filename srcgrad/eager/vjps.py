"""The eager engine's derivative rules that are not elementwise, and the NumPy API mapped onto them.

Elementwise ufuncs (add, sin, power, maximum, ...) take their partial derivatives from the
shared table `srcgrad.rules.elementwise`; array primitives take their adjoints from
`srcgrad.rules.arrays`, the table the compiler uses too:

    SUM = from_table("sum", lambda x, axis=None, keepdims=False: np.sum(x, axis=axis, keepdims=keepdims))

(the forward function on NumPy values, and the table's adjoint of each argument). Rules only the
eager engine has are written here with `defprim`: one VJP per differentiable argument, mapping
the output cotangent `g` (and the output `ans` and the inputs) to the input's cotangent. Every
VJP uses only NumPy functions and operators, so it runs on plain arrays and, under an outer
tape, on Tensors: the gradient is differentiable again.

Below the rules, `FUNCTION_HANDLERS` maps NumPy functions (`np.sum`, `np.dot`, `np.linalg.norm`,
...) onto primitives or onto compositions of them. A NumPy function with neither a rule nor a
place in `PASSTHROUGH_FUNCTIONS` (functions with non-differentiable results such as `np.argmax`)
raises `MissingRuleError` when called on a Tensor.
"""

from __future__ import annotations

import numpy as np

from srcgrad.eager.core import (
    FUNCTION_HANDLERS,
    PASSTHROUGH_FUNCTIONS,
    UFUNC_HANDLERS,
    _UFUNC_PRIMS,
    Primitive,
    Tensor,
    _new,
    apply,
    mutable,
    value,
)
from srcgrad.eager.errors import MissingRuleError
from srcgrad.rules.arrays import (
    RULES,
    axes_of,
    cumprod_adjoint,
    dot_adjoint_left,
    dot_adjoint_right,
    extremum_adjoint,
    prod_adjoint,
    reduced_count,
    tensordot_adjoint_left,
    tensordot_adjoint_right,
    unbroadcast,
)

_EMPTY: dict = {}


def defprim(name: str, fn, *vjps) -> Primitive:
    """A primitive with one VJP per argument: vjps[i](g, ans, *args, **kwargs) -> cotangent."""

    def vjp(argnums, g, ans, args, kwargs):
        return [vjps[i](g, ans, *args, **kwargs) for i in argnums]

    return Primitive(name, fn, vjp)


def defprim_variadic(name: str, fn, vjp_i) -> Primitive:
    """A primitive of any number of arguments: vjp_i(i, g, ans, *args, **kwargs) -> cotangent."""

    def vjp(argnums, g, ans, args, kwargs):
        return [vjp_i(i, g, ans, *args, **kwargs) for i in argnums]

    return Primitive(name, fn, vjp)


def defrule(name: str, fn, params: str, *adjoints) -> Primitive:
    """A primitive whose VJPs are adjoints of the shared table (srcgrad.rules.arrays), called with
    g, ans and the arguments by name: `params` names the positional ones, options are keywords."""
    names = tuple(params.split())

    def vjp(argnums, g, ans, args, kwargs):
        bound = dict(zip(names, args), g=g, ans=ans, **kwargs)
        return [adjoints[i].apply(bound) for i in argnums]

    return Primitive(name, fn, vjp)


def from_table(name: str, fn) -> Primitive:
    """The table's primitive `name`, computed on NumPy values by `fn`."""
    rule = RULES[name]
    return defrule(name, fn, " ".join(rule.params[:rule.operands]), *rule.vjps)


# --- shape helpers used by the rules --------------------------------------------------------
def _along(axis: int, index):
    return (slice(None),) * axis + (index,)


def _concatenate_vjp(i, g, ans, *xs, axis=0):
    start = sum(x.shape[axis] for x in xs[:i])
    return g[_along(axis, slice(start, start + xs[i].shape[axis]))]


def _clip_vjp_x(g, ans, x, lo, hi):
    inside = np.ones(x.shape, dtype=bool)
    if lo is not None:
        inside &= value(x) >= value(lo)
    if hi is not None:
        inside &= value(x) <= value(hi)
    return g * inside


# --- the rules ------------------------------------------------------------------------------
# name                 forward on NumPy values          VJP of each argument
SUM = from_table("sum", lambda x, axis=None, keepdims=False: np.sum(x, axis=axis, keepdims=keepdims))
MEAN = from_table("mean", lambda x, axis=None, keepdims=False: np.mean(x, axis=axis, keepdims=keepdims))
MAX = defrule("max", lambda x, axis=None, keepdims=False: np.max(x, axis=axis, keepdims=keepdims), "x",
              extremum_adjoint.adjoint)
MIN = defrule("min", lambda x, axis=None, keepdims=False: np.min(x, axis=axis, keepdims=keepdims), "x",
              extremum_adjoint.adjoint)
CUMSUM = from_table("cumsum", lambda x, axis=None: np.cumsum(x, axis=axis))
DIAG = from_table("diag", lambda x, k=0: np.diag(x, k))
TRIL = from_table("tril", lambda x, k=0: np.tril(x, k))
TRIU = from_table("triu", lambda x, k=0: np.triu(x, k))
PROD = defrule("prod", lambda x, axis=None, keepdims=False: np.prod(x, axis=axis, keepdims=keepdims), "x",
               prod_adjoint.adjoint)
CUMPROD = defrule("cumprod", lambda x, axis=0: np.cumprod(x, axis=axis), "x", cumprod_adjoint.adjoint)
RESHAPE = defprim("reshape", lambda x, shape: np.reshape(x, shape),
                  lambda g, ans, x, shape: np.reshape(g, x.shape))
TRANSPOSE = from_table("transpose", lambda x, axes=None: np.transpose(x, axes))
BROADCAST_TO = defprim("broadcast_to", lambda x, shape: np.broadcast_to(x, shape),
                       lambda g, ans, x, shape: unbroadcast(g, x.shape))
COPY = defprim("copy", np.copy, lambda g, ans, x: g)
WHERE = defprim("where", np.where,
                None,  # the condition is not differentiable
                lambda g, ans, c, x, y: unbroadcast(np.where(c, g, 0.0), x.shape),
                lambda g, ans, c, x, y: unbroadcast(np.where(c, 0.0, g), y.shape))
CLIP = defprim("clip", lambda x, lo, hi: np.clip(x, lo, hi),
               _clip_vjp_x,
               lambda g, ans, x, lo, hi: unbroadcast(g * (value(x) < value(lo)), lo.shape),
               lambda g, ans, x, lo, hi: unbroadcast(g * (value(x) > value(hi)), hi.shape))
CONCATENATE = defprim_variadic("concatenate", lambda *xs, axis=0: np.concatenate(xs, axis=axis), _concatenate_vjp)
STACK = defprim_variadic("stack", lambda *xs, axis=0: np.stack(xs, axis=axis),
                         lambda i, g, ans, *xs, axis=0: g[_along(axis, i)])
DOT = defrule("dot", np.dot, "a b", dot_adjoint_left.adjoint, dot_adjoint_right.adjoint)
TENSORDOT = defrule("tensordot", lambda a, b, axes=2: np.tensordot(a, b, axes=axes), "a b",
                    tensordot_adjoint_left.adjoint, tensordot_adjoint_right.adjoint)
MATMUL = from_table("matmul", np.matmul)
INV = from_table("inv", np.linalg.inv)
CHOLESKY = from_table("cholesky", np.linalg.cholesky)
DET = from_table("det", np.linalg.det)
LOGABSDET = from_table("logabsdet", lambda a: np.linalg.slogdet(a)[1])
SOLVE = from_table("solve", np.linalg.solve)


# --- the NumPy API, mapped onto the primitives ----------------------------------------------
def _options(name: str, **given) -> None:
    """Reject options the rules do not cover, rather than silently ignoring them."""
    for key, val in given.items():
        if val is not None and val is not np._NoValue:
            raise MissingRuleError(f"numpy.{name}(..., {key}=...) is not supported on Tensors")


def _keepdims(k) -> bool:
    return False if k is np._NoValue else bool(k)


def handles(*funcs):
    def register(impl):
        for f in funcs:
            FUNCTION_HANDLERS[f] = impl
        return impl

    return register


def _norm_axis(axis, ndim: int):
    if axis is None or isinstance(axis, tuple):
        return None if axis is None else tuple(a % ndim for a in axis)
    return int(axis) % ndim if ndim else int(axis)


def _reduction(prim, name):
    def impl(a, axis=None, dtype=None, out=None, keepdims=np._NoValue, initial=np._NoValue, where=np._NoValue):
        _options(name, dtype=dtype, out=out, initial=initial, where=where)
        a = _tensor(a)
        return apply(prim, (a,), {"axis": _norm_axis(axis, a.ndim), "keepdims": _keepdims(keepdims)})

    return impl


def _tensor(x):
    return x if isinstance(x, Tensor) else _new(np.asarray(x, dtype=np.float64))


FUNCTION_HANDLERS[np.sum] = _reduction(SUM, "sum")
FUNCTION_HANDLERS[np.max] = FUNCTION_HANDLERS[np.amax] = _reduction(MAX, "max")
FUNCTION_HANDLERS[np.min] = FUNCTION_HANDLERS[np.amin] = _reduction(MIN, "min")
FUNCTION_HANDLERS[np.prod] = _reduction(PROD, "prod")


@handles(np.cumprod)
def _cumprod(a, axis=None, dtype=None, out=None):
    _options("cumprod", dtype=dtype, out=out)
    if axis is None:
        a, axis = _ravel(a), 0
    return apply(CUMPROD, (a,), {"axis": int(axis) % np.ndim(value(a))})


def _gathered(a, positions_of):
    """A rearrangement of a's elements (roll, repeat, tile, sort, take): `positions_of` applied
    to the grid of a's flat positions says where each result element comes from. Recorded as
    one indexing of the flattened a, whose VJP scatter-adds (repeated elements sum)."""
    shape = np.shape(value(a))
    grid = np.arange(int(np.prod(shape)), dtype=np.intp).reshape(shape)
    return _ravel(a)[positions_of(grid)]


@handles(np.roll)
def _roll(a, shift, axis=None):
    return _gathered(a, lambda grid: np.roll(grid, shift, axis))


@handles(np.repeat)
def _repeat(a, repeats, axis=None):
    return _gathered(a, lambda grid: np.repeat(grid, value(repeats), axis))


@handles(np.diag)
def _diag(v, k=0):
    return apply(DIAG, (_tensor(v),), {"k": int(k)})


@handles(np.tril)
def _tril(m, k=0):
    return apply(TRIL, (_tensor(m),), {"k": int(k)})


@handles(np.triu)
def _triu(m, k=0):
    return apply(TRIU, (_tensor(m),), {"k": int(k)})


@handles(np.tile)
def _tile(A, reps):
    return _gathered(A, lambda grid: np.tile(grid, reps))


@handles(np.sort)
def _sort(a, axis=-1, kind=None, order=None, **kw):
    _options("sort", order=order, **kw)
    order_of = np.argsort(value(a), axis=axis, kind="stable")
    if axis is None:
        return _gathered(a, lambda grid: np.ravel(grid)[order_of])
    return _gathered(a, lambda grid: np.take_along_axis(grid, order_of, axis=axis))


@handles(np.take)
def _take(a, indices, axis=None, out=None, mode="raise"):
    _options("take", out=out)
    return _gathered(a, lambda grid: np.take(grid, value(indices), axis=axis, mode=mode))


@handles(np.take_along_axis)
def _take_along_axis(arr, indices, axis):
    return _gathered(arr, lambda grid: np.take_along_axis(grid, value(indices), axis=axis))


@handles(np.mean)
def _mean(a, axis=None, dtype=None, out=None, keepdims=np._NoValue, *, where=np._NoValue):
    _options("mean", dtype=dtype, out=out, where=where)
    return apply(MEAN, (a,), {"axis": _norm_axis(axis, np.ndim(value(a))), "keepdims": _keepdims(keepdims)})


@handles(np.var)
def _var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=np._NoValue, *, where=np._NoValue, **kw):
    _options("var", dtype=dtype, out=out, where=where, **kw)
    d = a - np.mean(a, axis=axis, keepdims=True)
    n = reduced_count(np.shape(value(a)), _norm_axis(axis, np.ndim(value(a))))
    return np.sum(d * d, axis=axis, keepdims=_keepdims(keepdims)) / (n - ddof)


@handles(np.std)
def _std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=np._NoValue, *, where=np._NoValue, **kw):
    return np.sqrt(_var(a, axis, dtype, out, ddof, keepdims, where=where, **kw))


@handles(np.average)
def _average(a, axis=None, weights=None, returned=False, *, keepdims=np._NoValue):
    _options("average", returned=returned or None)
    if weights is None:
        return np.mean(a, axis=axis, keepdims=keepdims)
    return np.sum(a * weights, axis=axis, keepdims=_keepdims(keepdims)) / np.sum(
        np.broadcast_to(weights, np.shape(value(a))), axis=axis, keepdims=_keepdims(keepdims))


@handles(np.cumsum)
def _cumsum(a, axis=None, dtype=None, out=None):
    _options("cumsum", dtype=dtype, out=out)
    return apply(CUMSUM, (a,), {"axis": _norm_axis(axis, np.ndim(value(a)))})


@handles(np.reshape)
def _reshape(a, /, shape=None, order="C", *, newshape=None, copy=None):
    shape = newshape if shape is None else shape
    if order != "C":
        raise MissingRuleError("numpy.reshape(..., order=...) is not supported on Tensors")
    shape = tuple(int(n) for n in shape) if isinstance(shape, (tuple, list)) else (int(shape),)
    return apply(RESHAPE, (a, shape), _EMPTY)


@handles(np.ravel)
def _ravel(a, order="C"):
    return _reshape(a, (-1,), order)


@handles(np.transpose)
def _transpose(a, axes=None):
    ndim = np.ndim(value(a))
    return apply(TRANSPOSE, (a,), {"axes": None if axes is None else tuple(int(i) % ndim for i in axes)})


@handles(np.swapaxes)
def _swapaxes(a, axis1, axis2):
    axes = list(range(np.ndim(value(a))))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return _transpose(a, axes)


@handles(np.moveaxis)
def _moveaxis(a, source, destination):
    return _transpose(a, _moveaxis_perm(np.ndim(value(a)), source, destination))


def _moveaxis_perm(ndim: int, source, destination) -> tuple:
    src = [s % ndim for s in (source if isinstance(source, (tuple, list)) else (source,))]
    dst = [d % ndim for d in (destination if isinstance(destination, (tuple, list)) else (destination,))]
    order = [n for n in range(ndim) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return tuple(order)


@handles(np.expand_dims)
def _expand_dims(a, axis):
    shape = np.shape(np.expand_dims(np.empty(np.shape(value(a)), dtype=np.uint8), axis))
    return _reshape(a, shape)


@handles(np.squeeze)
def _squeeze(a, axis=None):
    return _reshape(a, np.shape(np.squeeze(np.empty(np.shape(value(a)), dtype=np.uint8), axis)))


def _atleast_nd(fn):
    def impl(*arys):
        out = [_reshape(a, np.shape(fn(np.empty(np.shape(value(a)), dtype=np.uint8)))) for a in arys]
        return out[0] if len(out) == 1 else out

    return impl


for _fn in (np.atleast_1d, np.atleast_2d, np.atleast_3d):
    FUNCTION_HANDLERS[_fn] = _atleast_nd(_fn)


@handles(np.broadcast_to)
def _broadcast_to(array, shape, subok=False):
    return apply(BROADCAST_TO, (array, tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)), _EMPTY)


@handles(np.copy)
def _copy(a, order="K", subok=False):
    return mutable(apply(COPY, (a,), _EMPTY))  # a fresh array: element assignment is recorded


@handles(np.where)
def _where(condition, x=None, y=None):
    if x is None and y is None:
        return np.where(value(condition))
    return apply(WHERE, (np.asarray(value(condition), dtype=bool), x, y), _EMPTY)


@handles(np.clip)
def _clip(a, a_min=np._NoValue, a_max=np._NoValue, out=None, *, min=np._NoValue, max=np._NoValue, **kw):
    _options("clip", out=out, **kw)
    lo = min if a_min is np._NoValue else a_min
    hi = max if a_max is np._NoValue else a_max
    lo = None if lo is np._NoValue else lo
    hi = None if hi is np._NoValue else hi
    return apply(CLIP, (a, lo, hi), _EMPTY)


@handles(np.concatenate)
def _concatenate(arrays, axis=0, out=None, *, dtype=None, casting=None):
    _options("concatenate", out=out, dtype=dtype)
    arrays = [a if isinstance(a, Tensor) else np.asarray(a) for a in arrays]  # ([0.0], x): lists have no shape
    if axis is None:
        arrays, axis = [_ravel(a) for a in arrays], 0
    ndim = np.ndim(value(arrays[0]))
    return apply(CONCATENATE, tuple(arrays), {"axis": int(axis) % ndim})


@handles(np.stack)
def _stack(arrays, axis=0, out=None, *, dtype=None, casting=None):
    _options("stack", out=out, dtype=dtype)
    arrays = tuple(a if isinstance(a, Tensor) else np.asarray(a) for a in arrays)
    return apply(STACK, arrays, {"axis": int(axis) % (np.ndim(value(arrays[0])) + 1)})


@handles(np.hstack)
def _hstack(tup, *, dtype=None, casting=None):
    arrays = [np.atleast_1d(a) for a in tup]
    return _concatenate(arrays, axis=0 if np.ndim(value(arrays[0])) == 1 else 1)


@handles(np.vstack)
def _vstack(tup, *, dtype=None, casting=None):
    return _concatenate([np.atleast_2d(a) for a in tup], axis=0)


@handles(np.column_stack)
def _column_stack(tup):
    cols = [a if np.ndim(value(a)) >= 2 else _reshape(a, (-1, 1)) for a in tup]
    return _concatenate(cols, axis=1)


@handles(np.append)
def _append(arr, values, axis=None):
    return _concatenate([arr, values], axis=axis)


@handles(np.flip)
def _flipped(m, axis=None):
    ndim = np.ndim(value(m))
    axes = axes_of(ndim, axis)
    return m[tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(ndim))]


@handles(np.diff)
def _diff(a, n=1, axis=-1, prepend=np._NoValue, append=np._NoValue):
    _options("diff", prepend=prepend, append=append)
    axis = int(axis) % np.ndim(value(a))
    for _ in range(n):
        a = a[_along(axis, slice(1, None))] - a[_along(axis, slice(None, -1))]
    return a


@handles(np.trace)
def _trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    _options("trace", dtype=dtype, out=out)
    if np.ndim(value(a)) != 2 or (axis1, axis2) != (0, 1):
        raise MissingRuleError("numpy.trace is supported on 2-D Tensors only")
    rows, cols = np.shape(value(a))
    i = np.arange(max(0, -offset), min(rows, cols - offset))
    return np.sum(a[i, i + offset])


@handles(np.dot)
def _dot(a, b, out=None):
    _options("dot", out=out)
    return apply(DOT, (a, b), _EMPTY)


@handles(np.vdot)
def _vdot(a, b):
    return apply(DOT, (_ravel(a), _ravel(b)), _EMPTY)


@handles(np.inner)
def _inner(a, b):
    if np.ndim(value(a)) == 0 or np.ndim(value(b)) == 0:
        return a * b
    return np.tensordot(a, b, axes=([-1], [-1]))


@handles(np.outer)
def _outer(a, b, out=None):
    _options("outer", out=out)
    return _reshape(a, (-1, 1)) * _reshape(b, (1, -1))


@handles(np.tensordot)
def _tensordot(a, b, axes=2):
    if not isinstance(axes, (int, np.integer)):
        axes = tuple(tuple(int(i) for i in ax) if isinstance(ax, (list, tuple)) else int(ax) for ax in axes)
    return apply(TENSORDOT, (a, b), {"axes": axes})


for _function, _prim in ((np.linalg.inv, INV), (np.linalg.det, DET), (np.linalg.cholesky, CHOLESKY)):
    FUNCTION_HANDLERS[_function] = (lambda prim: lambda a: apply(prim, (a,), _EMPTY))(_prim)


@handles(np.linalg.solve)
def _solve(a, b):
    if np.ndim(value(a)) != 2:
        raise MissingRuleError("numpy.linalg.solve is differentiable for a 2-D matrix only")
    return apply(SOLVE, (a, b), _EMPTY)


@handles(np.linalg.slogdet)
def _slogdet(a):
    """(sign, log |det|) as NumPy gives them; the sign is piecewise constant."""
    found = np.linalg.slogdet(value(a))
    return type(found)(_new(np.asarray(found[0])), apply(LOGABSDET, (a,), _EMPTY))


@handles(np.linalg.norm)
def _norm(x, ord=None, axis=None, keepdims=False):
    ndim = np.ndim(value(x))
    vector = (axis is None and ndim == 1) or isinstance(axis, (int, np.integer)) or (
        isinstance(axis, tuple) and len(axis) == 1)
    if ord is None or (ord == "fro" and not vector) or (ord == 2 and vector):
        return np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdims))
    if vector and isinstance(ord, str):
        raise ValueError(f"Invalid norm order '{ord}' for vectors")
    if vector and ord == 1:
        return np.sum(np.abs(x), axis=axis, keepdims=keepdims)
    if vector and ord == np.inf:
        return np.max(np.abs(x), axis=axis, keepdims=keepdims)
    if vector and ord == -np.inf:
        return np.min(np.abs(x), axis=axis, keepdims=keepdims)
    if vector and ord == 0:  # a count of nonzeros: piecewise constant
        return _new(np.asarray(np.linalg.norm(value(x), ord=0, axis=axis, keepdims=keepdims), dtype=np.float64))
    if vector:
        return np.sum(np.abs(x) ** ord, axis=axis, keepdims=keepdims) ** (1.0 / ord)
    if ord in (1, -1, np.inf, -np.inf):
        rows, cols = (0, 1) if axis is None else tuple(a % ndim for a in axis)
        summed, pick = (rows, cols) if ord in (1, -1) else (cols, rows)  # 1: columns' sums
        extreme = np.max if ord > 0 else np.min
        result = extreme(np.sum(np.abs(x), axis=summed, keepdims=True), axis=pick, keepdims=True)
        return result if keepdims else _reshape(result, tuple(
            n for i, n in enumerate(np.shape(value(result))) if i not in (rows, cols)))
    raise MissingRuleError(f"numpy.linalg.norm(..., ord={ord!r}) is not supported on Tensors")


@handles(np.linspace)
def _linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """start + step * k, differentiable in start and stop (arrays of them too: axis 0 only)."""
    if dtype is not None and np.dtype(dtype) != np.float64 or axis != 0:
        raise MissingRuleError("numpy.linspace(..., dtype=/axis=) is not supported on Tensors")
    div = (num - 1) if endpoint else num
    step = (stop - start) / div if div > 0 else stop - start
    shape = (num,) + (1,) * np.ndim(np.broadcast(value(start), value(stop)))
    ramp = start + step * np.reshape(np.arange(num, dtype=np.float64), shape)
    if endpoint and num > 1:  # the last point is exactly stop, as NumPy makes it
        ramp = np.concatenate([ramp[:-1], np.reshape(stop + 0.0 * start, (1,) + np.shape(ramp)[1:])])
    return (ramp, step) if retstep else ramp


def _constant_like(fill):
    def impl(a, dtype=None, order="K", subok=True, shape=None, *, device=None):
        return _new(np.full(np.shape(value(a)) if shape is None else shape, fill, dtype=np.float64))

    return impl


FUNCTION_HANDLERS[np.zeros_like] = FUNCTION_HANDLERS[np.empty_like] = _constant_like(0.0)
FUNCTION_HANDLERS[np.ones_like] = _constant_like(1.0)
FUNCTION_HANDLERS[np.full_like] = lambda a, fill_value, dtype=None, order="K", subok=True, shape=None, **kw: _new(
    np.full(np.shape(value(a)) if shape is None else shape, value(fill_value), dtype=np.float64))

# Functions whose results are not differentiable (indices, booleans, shapes): plain results.
PASSTHROUGH_FUNCTIONS.update([
    np.shape, np.ndim, np.size, np.argmax, np.argmin, np.argsort, np.argwhere, np.nonzero,
    np.flatnonzero, np.count_nonzero, np.any, np.all, np.isclose, np.allclose, np.array_equal,
    np.array_equiv, np.searchsorted, np.round, np.around, np.result_type, np.iscomplexobj,
    np.isrealobj, np.may_share_memory, np.shares_memory, np.argpartition, np.can_cast,
    np.array_repr, np.array_str,
])

# --- ufuncs that are not elementwise, and ufunc methods ---------------------------------------
UFUNC_HANDLERS[("matmul", "__call__")] = lambda a, b: apply(MATMUL, (a, b), _EMPTY)
UFUNC_HANDLERS[("add", "reduce")] = lambda a, axis=0, dtype=None, out=None, keepdims=False: FUNCTION_HANDLERS[np.sum](
    a, axis=axis, dtype=dtype, out=out, keepdims=keepdims)
UFUNC_HANDLERS[("maximum", "reduce")] = lambda a, axis=0, dtype=None, out=None, keepdims=False: FUNCTION_HANDLERS[np.max](
    a, axis=axis, out=out, keepdims=keepdims)
UFUNC_HANDLERS[("minimum", "reduce")] = lambda a, axis=0, dtype=None, out=None, keepdims=False: FUNCTION_HANDLERS[np.min](
    a, axis=axis, out=out, keepdims=keepdims)
UFUNC_HANDLERS[("multiply", "reduce")] = lambda a, axis=0, dtype=None, out=None, keepdims=False: FUNCTION_HANDLERS[np.prod](
    a, axis=axis, dtype=dtype, out=out, keepdims=keepdims)
UFUNC_HANDLERS[("multiply", "accumulate")] = lambda a, axis=0, dtype=None, out=None: _cumprod(a, axis=axis, dtype=dtype, out=out)
UFUNC_HANDLERS[("add", "accumulate")] = lambda a, axis=0, dtype=None, out=None: _cumsum(a, axis=axis, dtype=dtype, out=out)


def _outer_method(prim):
    def impl(a, b):
        return apply(prim, (_reshape(a, np.shape(value(a)) + (1,) * np.ndim(value(b))), b), _EMPTY)

    return impl


for _ufunc, _prim in _UFUNC_PRIMS.items():
    UFUNC_HANDLERS[(_ufunc.__name__, "outer")] = _outer_method(_prim)
