"""Whole-array derivative rules: one entry per NumPy primitive that is not elementwise.

An entry (`ArrayRule`) says once what every consumer needs:

- `params`: the primitive's arguments, its array operands first, then static options (an axis);
- `result`: the shape rule, SCALAR or ARRAY from the static options (np.sum(x) is a number,
  np.sum(x, axis=0) an array);
- `spelling`: how generated code (Cython and Python alike) writes it: "np.sum" (a call, options
  as keywords), ".T" (an attribute) or "@" (an operator);
- `vjps`: one adjoint per operand (None where the operand is not differentiable);
- `linear`: the operands the primitive is linear in, jointly (multilinear): its JVP is the sum,
  over them, of the primitive applied with that operand replaced by its tangent.

An adjoint is an `Adjoint`: a function written with NumPy functions and operators only, of the
output cotangent `g`, the output `ans` and the primitive's arguments, named as in `params`. The
same function is what generated code calls (`_vector.<name>(...)`, exported by
srcgrad.runtime.vector, arguments in the order of its parameters), what the eager engine calls
(on Tensors under an outer tape, so gradients are differentiable again) and, through its own
`linear` parameters, what forward mode differentiates: Hessian-vector products of compiled
code need no further rule.

Adding a primitive is one `_define` here plus its tests; srcgrad.rules.symbolic puts the table
to work on the compiler's IR, srcgrad.eager.vjps on Tensors.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

SCALAR, ARRAY, INDEX = "scalar", "array", "index"  # INDEX: an integer (np.argmax)


@dataclass(frozen=True)
class Adjoint:
    name: str  # as generated code calls it
    function: Callable
    params: tuple  # its parameter names: g, ans, or the primitive's own
    linear: tuple  # indices of the parameters it is (multi)linear in; the others give shapes or choices
    # an adjoint not linear in all it varies with (prod's in x) names its JVP: a helper taking the
    # adjoint's parameters, then the tangents of those named in `varying` (0.0 where none)
    jvp: str | None = None
    varying: tuple = ()

    def apply(self, bound: dict):
        """The adjoint on the arguments `bound` names (those it does not name keep their defaults)."""
        return self.function(**{p: bound[p] for p in self.params if p in bound})


@dataclass(frozen=True)
class ArrayRule:
    name: str
    params: tuple
    operands: int
    result: Callable
    spelling: str
    vjps: tuple
    linear: tuple
    # a reduction that is not linear (prod, max): its JVP is sum(vjp(g=1) * tangent) over the axis
    reduction_jvp: bool = False
    # piecewise constant (np.argmax): its operands are arrays whose derivative reaches nothing
    piecewise_constant: bool = False
    # neither linear nor a reduction (np.sort, np.cumprod): its JVP is this helper, linear in `t`
    # (the first operand's tangent), called with t and the primitive's arguments by name
    tangent: Adjoint | None = None
    # linear in its operands together, as addition is (np.concatenate): its JVP is the primitive
    # of the operands' tangents, zeros of an operand's shape where it has none
    additive: bool = False
    # generated code passes the operands as one tuple (np.concatenate((a, b), axis=0)); options
    # are keywords unless `positional` (np.reshape(x, (2, 3)))
    sequence: bool = False
    positional: bool = False
    # its operands are numbers, not arrays (np.linspace's start and stop)
    number_operands: bool = False


RULES: dict[str, ArrayRule] = {}
HELPERS: dict[str, Adjoint] = {}  # the functions generated code calls as _vector.<name>
OPERATORS = {"@": "matmul"}  # IR binary operators that are array primitives


def adjoint(*linear: str, name: str | None = None, helper: bool = True, jvp=None, varying: tuple = ()):
    """Declare an adjoint function, linear in the parameters named (function.adjoint describes it);
    `jvp`, a function, is its JVP in the parameters `varying` (see Adjoint.jvp)."""

    def define(function):
        params = tuple(inspect.signature(function).parameters)
        if jvp is not None:
            HELPERS[jvp.__name__] = Adjoint(jvp.__name__, jvp, tuple(inspect.signature(jvp).parameters), ())
        rule = Adjoint(name or function.__name__, function, params, tuple(params.index(p) for p in linear),
                       None if jvp is None else jvp.__name__, varying)
        if helper:
            HELPERS[rule.name] = rule
        function.adjoint = rule
        return function

    return define


def _define(name, params, result, spelling, vjps, linear=None, operands=None, reduction_jvp=False,
            piecewise_constant=False, tangent=None, additive=False, sequence=False, positional=False,
            number_operands=False):
    operands = len(vjps) if operands is None else operands
    if tangent is not None or additive:
        linear = ()
    RULES[name] = ArrayRule(name, tuple(params.split()), operands,
                            result if callable(result) else (lambda *options: result), spelling,
                            tuple(None if f is None else f.adjoint for f in vjps),
                            tuple(range(operands)) if linear is None else linear, reduction_jvp,
                            piecewise_constant, None if tangent is None else tangent.adjoint, additive,
                            sequence, positional, number_operands)


# --- shapes ---------------------------------------------------------------------------------
def axes_of(ndim: int, axis) -> tuple:
    """The axes a reduction over `axis` (None: all; an int or a tuple of them) reduces."""
    if axis is None:
        return tuple(range(ndim))
    return tuple(sorted(a % ndim for a in (axis if isinstance(axis, tuple) else (axis,))))


def kept_shape(shape: tuple, axis) -> tuple:
    """The shape a reduction over `axis` has with keepdims=True."""
    axes = axes_of(len(shape), axis)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def reduced_count(shape: tuple, axis) -> int:
    """How many elements a reduction over `axis` combines into each result."""
    return math.prod(shape[a] for a in axes_of(len(shape), axis))  # np.prod of a list costs ~10 us


def swap_last(a):
    """The matrix transpose of the last two axes."""
    return np.swapaxes(a, -1, -2)


def unbroadcast(g, shape: tuple):
    """`g` summed over the axes that NumPy broadcasting added or stretched, so it has `shape`."""
    gshape = g.shape
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and gshape[lead + i] != 1)
    if axes:
        g = np.sum(g, axis=axes)
    return g if g.shape == shape else np.reshape(g, shape)


# --- adjoints -------------------------------------------------------------------------------
@adjoint("g", name="unbroadcast")
def unbroadcast_like(g, like):
    """The adjoint of broadcasting `like` in generated code: `g` summed to like's shape (a float
    when like is a number; a number spread over an array when g is one)."""
    if type(g) is np.ndarray and type(like) is np.ndarray and g.ndim and g.shape == like.shape \
            and g.dtype == np.float64:  # the common case, g as it is, without np.shape's dispatch
        return g
    shape = np.shape(like)
    g = np.asarray(g, dtype=np.float64)
    if g.ndim == 0:
        return float(g) if not shape else np.full(shape, float(g))
    if not shape:  # the same reduction as over every axis named, without the reshape
        return float(g.sum())
    g = unbroadcast(g, shape)
    return float(g) if not shape else g


@adjoint("g")
def cotangent_like(g, value):
    """An array function's output cotangent, shaped like the output (a number is spread)."""
    g = np.asarray(g, dtype=np.float64)
    if g.ndim and g.shape != np.shape(value):
        raise ValueError(f"dout has shape {g.shape}, but the output has shape {np.shape(value)}")
    return np.broadcast_to(g, np.shape(value)).copy()


@adjoint("g")
def sum_adjoint(g, x, axis):
    """g spread back over the summed axes, as a read-only broadcast view (no memory: generated
    code never writes into an adjoint it did not create)."""
    if type(g) is float or type(g) is np.float64:  # generated code's number: a read-only view, fast
        return _number_everywhere(g, np.shape(x))
    if np.ndim(g) == 0:  # a number for every result (forward mode's g = 1)
        return np.broadcast_to(g, np.shape(x))
    return np.broadcast_to(np.reshape(g, kept_shape(np.shape(x), axis)), np.shape(x))


def _number_everywhere(value: float, shape: tuple):
    """What np.broadcast_to(value, shape) returns (a read-only array of one number, every stride
    0), in a microsecond instead of ten."""
    spread = np.ndarray(shape, np.float64, np.array([value]), 0, (0,) * len(shape))
    spread.flags.writeable = False
    return spread


@adjoint("g")
def mean_adjoint(g, x, axis):
    return sum_adjoint(g / reduced_count(np.shape(x), axis), x, axis)


@adjoint("g")
def cumsum_adjoint(g, x, axis):
    """A running sum from the end: each x_i reaches every output from i on."""
    return np.reshape(np.flip(np.cumsum(np.flip(g, axis), axis), axis), np.shape(x))


@adjoint("g", name="transpose", helper=False)
def transpose_back(g, axes=None):
    """Transposing is undone by transposing back (the inverse permutation of `axes`)."""
    return np.transpose(g, None if axes is None else tuple(int(i) for i in np.argsort(axes)))


@adjoint("g", "b")
def matmul_adjoint_left(g, a, b):
    """The cotangent of a in a @ b, for vectors, matrices and stacks of them."""
    if np.ndim(b) == 1:  # (..., m, k) @ (k,) -> (..., m)
        return g * b if np.ndim(a) == 1 else unbroadcast(np.reshape(g, np.shape(g) + (1,)) * b, np.shape(a))
    if np.ndim(a) == 1:  # (k,) @ (..., k, n) -> (..., n)
        if np.ndim(b) == 2:
            return np.matmul(b, g)
        return unbroadcast(np.matmul(b, np.reshape(g, np.shape(g) + (1,)))[..., 0], np.shape(a))
    return unbroadcast(np.matmul(g, swap_last(b)), np.shape(a))


@adjoint("g", "a")
def matmul_adjoint_right(g, a, b):
    """The cotangent of b in a @ b, for vectors, matrices and stacks of them."""
    if np.ndim(a) == 1:  # (k,) @ (..., k, n) -> (..., n)
        if np.ndim(b) == 1:
            return g * a
        return unbroadcast(np.reshape(a, np.shape(a) + (1,)) * np.reshape(g, np.shape(g)[:-1] + (1, np.shape(g)[-1])),
                           np.shape(b))
    if np.ndim(b) == 1:  # (..., m, k) @ (k,) -> (..., m)
        if np.ndim(a) == 2:
            return np.matmul(g, a)
        return unbroadcast(np.matmul(np.reshape(g, np.shape(g)[:-1] + (1, np.shape(g)[-1])), a)[..., 0, :], np.shape(b))
    return unbroadcast(np.matmul(swap_last(a), g), np.shape(b))


@adjoint("g")
def diff_adjoint(g, x, axis=None):
    """np.diff's: each x_i is subtracted once (from x_{i+1}) and added once (to x_{i-1})."""
    return -np.diff(g, axis=-1 if axis is None else axis, prepend=0.0, append=0.0)


@adjoint("g", "b")
def outer_adjoint_left(g, a, b):
    """np.outer flattens its operands (a matrix, a number): the cotangent takes a's shape back."""
    return np.reshape(np.matmul(g, np.ravel(b)), np.shape(a))


@adjoint("g", "a")
def outer_adjoint_right(g, a, b):
    return np.reshape(np.matmul(np.ravel(a), g), np.shape(b))


@adjoint("g")
def getitem_adjoint(g, x, index):
    """The adjoint of reading x[index] (slices, integers, negative steps): g placed where the
    elements came from, zeros elsewhere; elements a read never selects get nothing."""
    out = np.zeros(np.shape(x))
    out[index] = g  # a basic index selects each element at most once: no repeats to add up
    return out


def _linspace_weights(g, first, last, num):
    """sum over the points k of g[k] times the weight first + (last - first) k / (num - 1)."""
    return np.tensordot(np.linspace(first, last, num), g, axes=1)[()]


@adjoint("g")
def linspace_adjoint_start(g, start, stop, num=50):
    """np.linspace's point k is start (1 - k/(num-1)) + stop k/(num-1), the last exactly stop."""
    return _linspace_weights(g, 1.0, 0.0, num)


@adjoint("g")
def linspace_adjoint_stop(g, start, stop, num=50):
    return _linspace_weights(g, 0.0, 1.0, num)


@adjoint("g")
def trace_adjoint(g, x):
    """np.trace's: g on the diagonal."""
    return g * np.eye(*np.shape(x))


# The eager engine's alone so far: the compiler has no forward rule for these adjoints yet
# (Hessian-vector products of generated code would need one).
@adjoint("g", helper=False)
def extremum_adjoint(g, ans, x, axis=None):
    """max/min: g reaches the elements equal to the result, shared equally among ties (the
    subgradient JAX takes). Piecewise constant in x: linear in g is its JVP."""
    kept = kept_shape(np.shape(x), axis)
    hit = x == np.reshape(ans, kept)  # a comparison: plain booleans, on Tensors too
    return (g if np.ndim(g) == 0 else np.reshape(g, kept)) * (hit / np.sum(hit, axis=axis, keepdims=True))


@adjoint("g")
def max_adjoint(g, x, axis=None):
    """extremum_adjoint of np.max, the result found again (generated code's adjoint reads no
    result it would have to keep)."""
    return extremum_adjoint(g, np.max(x, axis=axis), x, axis)


@adjoint("g")
def min_adjoint(g, x, axis=None):
    return extremum_adjoint(g, np.min(x, axis=axis), x, axis)


def product_adjoint_jvp(g, x, axis, d_g, d_x):
    """The JVP of prod_adjoint: spread(d_g) * others + spread(g) * d(others), where d(others)_i is
    the sum over j != i of d_x_j times the product of the elements but i and j (no division)."""
    others = product_of_others(x, axis)
    total = 0.0 if np.ndim(d_g) == 0 and d_g == 0.0 else sum_adjoint(d_g, x, axis) * others
    if np.ndim(d_x) == 0 and d_x == 0.0:
        return total
    axes = axes_of(np.ndim(x), axis)
    order = [i for i in range(np.ndim(x)) if i not in axes] + list(axes)
    moved, d_moved = np.transpose(x, order), np.transpose(np.broadcast_to(d_x, np.shape(x)), order)
    lead, count = np.shape(moved)[: np.ndim(x) - len(axes)], reduced_count(np.shape(x), axis)
    flat, d_flat = np.reshape(moved, lead + (count,)), np.reshape(d_moved, lead + (count,))
    rows = []
    for i in range(count):  # row i: the products of all but i and j, for each j (0 at j = i)
        without_i = np.concatenate([flat[..., :i], np.ones(lead + (1,)), flat[..., i + 1:]], axis=-1)
        row = product_of_others(without_i, -1)
        rows.append(np.sum(np.concatenate([row[..., :i], np.zeros(lead + (1,)), row[..., i + 1:]], axis=-1)
                           * d_flat, axis=-1))
    d_others = np.transpose(np.reshape(np.stack(rows, axis=-1), np.shape(moved)),
                            tuple(int(i) for i in np.argsort(order)))
    return total + sum_adjoint(g, x, axis) * d_others


@adjoint("g", jvp=product_adjoint_jvp, varying=("g", "x"))
def product_adjoint(g, x, axis=None):
    """np.prod's in generated code: g times the product of the others, no division (zeros are exact)."""
    return sum_adjoint(g, x, axis) * product_of_others(x, axis)


@adjoint("g", helper=False)
def prod_adjoint(g, ans, x, axis=None):
    gx = sum_adjoint(g, x, axis)
    if np.all(x != 0):  # the product of the others is ans / x
        return gx * sum_adjoint(ans, x, axis) / x
    return gx * product_of_others(x, axis)


def product_of_others(x, axis):
    """For each element, the product of the others in its reduction, without dividing (x may
    hold zeros): exclusive products from the left times exclusive products from the right."""
    axes = axes_of(np.ndim(x), axis)
    kept = [i for i in range(np.ndim(x)) if i not in axes]
    order = kept + list(axes)
    moved = np.transpose(x, order)
    lead = np.shape(moved)[: len(kept)]
    count = reduced_count(np.shape(x), axis)
    if count == 0:
        return np.zeros(np.shape(x))
    flat = np.reshape(moved, lead + (count,))
    ones = np.ones(lead + (1,))
    left = np.concatenate([ones, np.cumprod(flat, axis=-1)[..., :-1]], axis=-1)
    right = np.flip(np.concatenate([ones, np.cumprod(np.flip(flat, len(lead)), axis=-1)[..., :-1]], axis=-1), len(lead))
    others = np.reshape(left * right, np.shape(moved))
    return np.transpose(others, tuple(int(i) for i in np.argsort(order)))


@adjoint("g", helper=False)
def cumprod_adjoint(g, ans, x, axis=0):
    if np.all(x != 0):  # d ans_k / d x_i = ans_k / x_i for k >= i
        return np.flip(np.cumsum(np.flip(g * ans, axis), axis=axis), axis) / x
    # x_i's cotangent is (x_0 ... x_{i-1}) * s_i with s_i = g_i + x_{i+1} s_{i+1}: no division
    xs, gs, ys = (np.moveaxis(v, axis, -1) for v in (x, g, ans))
    n = np.shape(xs)[-1]
    s = [gs[..., n - 1]]
    for i in range(n - 2, -1, -1):
        s.append(gs[..., i] + xs[..., i + 1] * s[-1])
    before = np.concatenate([np.ones(np.shape(ys)[:-1] + (1,)), ys[..., :-1]], axis=-1)
    return np.moveaxis(before * np.stack(s[::-1], axis=-1), -1, axis)


def tensordot_axes(a_ndim: int, b_ndim: int, axes) -> tuple[list, list]:
    if isinstance(axes, (int, np.integer)):
        return list(range(a_ndim - axes, a_ndim)), list(range(axes))
    ia, ib = axes
    ia = [ia] if isinstance(ia, (int, np.integer)) else list(ia)
    ib = [ib] if isinstance(ib, (int, np.integer)) else list(ib)
    return [i % a_ndim for i in ia], [i % b_ndim for i in ib]


@adjoint("g", "b", helper=False)
def tensordot_adjoint_left(g, a, b, axes=2):
    ia, ib = tensordot_axes(np.ndim(a), np.ndim(b), axes)
    a_free = [i for i in range(np.ndim(a)) if i not in ia]
    b_free = [i for i in range(np.ndim(b)) if i not in ib]
    r = np.tensordot(g, b, axes=(list(range(len(a_free), np.ndim(g))), b_free))
    order = a_free + [ia[ib.index(j)] for j in sorted(ib)]  # the axis of a each axis of r is
    return np.transpose(r, tuple(int(i) for i in np.argsort(order)))


@adjoint("g", "a", helper=False)
def tensordot_adjoint_right(g, a, b, axes=2):
    ia, ib = tensordot_axes(np.ndim(a), np.ndim(b), axes)
    a_free = [i for i in range(np.ndim(a)) if i not in ia]
    b_free = [i for i in range(np.ndim(b)) if i not in ib]
    r = np.tensordot(a, g, axes=(a_free, list(range(len(a_free)))))
    order = [ib[ia.index(j)] for j in sorted(ia)] + b_free  # the axis of b each axis of r is
    return np.transpose(r, tuple(int(i) for i in np.argsort(order)))


def dot_axes(a, b):
    return ([np.ndim(a) - 1], [max(np.ndim(b) - 2, 0)])


@adjoint("g", "b")
def dot_adjoint_left(g, a, b):
    """np.dot of any dimensions: a product over the last axis of a and the second-last of b
    (matmul's for b of at most 2 dimensions; a number scales)."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * b, np.shape(a))
    if np.ndim(b) <= 2:
        return matmul_adjoint_left(g, a, b)
    return tensordot_adjoint_left(g, a, b, dot_axes(a, b))


def inner_axes(a, b):
    return ([np.ndim(a) - 1], [np.ndim(b) - 1])


@adjoint("g", "b")
def inner_adjoint_left(g, a, b):
    """np.inner of any dimensions: a product over the last axes of both (a number scales)."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * b, np.shape(a))
    return tensordot_adjoint_left(g, a, b, inner_axes(a, b))


@adjoint("g", "a")
def inner_adjoint_right(g, a, b):
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * a, np.shape(b))
    return tensordot_adjoint_right(g, a, b, inner_axes(a, b))


@adjoint("g", "a")
def dot_adjoint_right(g, a, b):
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * a, np.shape(b))
    if np.ndim(b) <= 2:
        return matmul_adjoint_right(g, a, b)
    return tensordot_adjoint_right(g, a, b, dot_axes(a, b))


@adjoint("a", "b", name="dot_of_vectors")
def dot_of_vectors(a, b):
    """np.dot(a, b) of two vectors, a number: what the compiler makes of np.dot where it knows
    both operands are vectors, or where the code needs a number from arrays of unknown rank
    (then checked here, as one_dimensional checks)."""
    for x in (a, b):
        if np.ndim(x) != 1:
            raise TypeError(f"np.dot compiled for two 1-dimensional arrays, called with {np.ndim(x)} dimensions")
    return np.dot(a, b)


# --- the table ------------------------------------------------------------------------------
def _reduced(axis, keepdims=False):
    return SCALAR if axis is None and not keepdims else ARRAY


#       name         params        result     spelling      adjoint of each operand
_define("sum", "x axis keepdims", _reduced, "np.sum", [sum_adjoint])
_define("mean", "x axis keepdims", _reduced, "np.mean", [mean_adjoint])
_define("cumsum", "x axis", ARRAY, "np.cumsum", [cumsum_adjoint])
_define("transpose", "x", ARRAY, ".T", [transpose_back])
_define("matmul", "a b", ARRAY, "@", [matmul_adjoint_left, matmul_adjoint_right])
_define("dot", "a b", ARRAY, "np.dot", [dot_adjoint_left, dot_adjoint_right])
_define("dot_of_vectors", "a b", SCALAR, "_vector.dot_of_vectors", [dot_adjoint_left, dot_adjoint_right])
_define("outer", "a b", ARRAY, "np.outer", [outer_adjoint_left, outer_adjoint_right])
_define("inner", "a b", ARRAY, "np.inner", [inner_adjoint_left, inner_adjoint_right])
_define("getitem", "x index", ARRAY, "[]", [getitem_adjoint])
_define("trace", "x", SCALAR, "np.trace", [trace_adjoint])
_define("prod", "x axis keepdims", _reduced, "np.prod", [product_adjoint], linear=(), reduction_jvp=True)
for _name in ("max", "min", "amax", "amin"):
    _define(_name, "x axis keepdims", _reduced, "np." + _name[-3:], [max_adjoint if "max" in _name else min_adjoint],
            linear=(), reduction_jvp=True)
_define("diff", "x axis", ARRAY, "np.diff", [diff_adjoint])
for _name in ("argmax", "argmin"):
    _define(_name, "x axis", lambda axis: INDEX if axis is None else ARRAY, "np." + _name, [None], linear=(),
            piecewise_constant=True)
# constants: arrays of numbers no derivative reaches (an operand with one is refused)
_define("arange", "start stop step", ARRAY, "np.arange", [None, None, None], linear=())
# linear in start and stop together: its JVP is np.linspace of their tangents
_define("linspace", "start stop num", ARRAY, "np.linspace", [linspace_adjoint_start, linspace_adjoint_stop],
        additive=True, number_operands=True)
_define("full", "shape fill_value", ARRAY, "np.full", [None, None], linear=())
_define("eye", "n m k", ARRAY, "np.eye", [None, None, None], linear=())  # x[1:], X[:, j]: basic slicing
