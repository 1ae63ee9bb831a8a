"""The array rule table's rearrangements (srcgrad.rules.arrays describes an entry): reshapes
(x.reshape, ravel, flatten, atleast_1d/2d, expand_dims), np.roll, np.tile, np.repeat, np.sort,
np.cumprod, triangles (np.tril, np.triu), joins (np.concatenate, np.hstack, np.vstack; np.stack joins expanded operands) and
np.size. Registered in the one table by importing srcgrad.rules (its __init__ imports this).

A join of more than two arrays is a chain of joins of two: np.concatenate([a, b, c]) is
concatenate(concatenate(a, b), c), each an `additive` entry (linear in its operands together).
"""

from __future__ import annotations

import numpy as np

from .arrays import ARRAY, INDEX, _define, adjoint, unbroadcast


# --- rearrangements: reshapes, rolls, sorts, copies, joins ---------------------------------
@adjoint("g")
def reshape_adjoint(g, x):
    """Every reshape (x.reshape, ravel, flatten, atleast_1d/2d, expand_dims) is undone by
    reshaping back (a number stays a number)."""
    if type(g) is np.ndarray and type(x) is np.ndarray:  # the method: np.reshape's dispatch costs a microsecond
        return g.reshape(x.shape)
    return np.reshape(g, np.shape(x))


@adjoint("g")
def flip_adjoint(g, axis=None):
    return np.flip(g, axis)


@adjoint("g")
def roll_adjoint(g, shift, axis=None):
    return np.roll(g, np.negative(shift), axis)


def _flat_positions(x):
    """x's flat positions, in x's shape: a rearrangement of them says where each element goes."""
    return np.reshape(np.arange(np.size(x)), np.shape(x))


def _scatter(g, x, positions):
    """The adjoint of gathering x's elements from flat `positions`: g summed back per element
    (an element gathered twice, by np.tile or np.repeat, adds both)."""
    flat = np.bincount(np.ravel(positions), weights=np.ravel(np.broadcast_to(g, np.shape(positions))),
                       minlength=np.size(x))
    return np.reshape(flat, np.shape(x))


@adjoint("g")
def tril_adjoint(g, x, k=0):
    """np.tril's: g where the result took x's elements (a vector was stretched to rows: summed back)."""
    return unbroadcast(np.tril(g, k), np.shape(x))


@adjoint("g")
def triu_adjoint(g, x, k=0):
    return unbroadcast(np.triu(g, k), np.shape(x))


@adjoint("g")
def diag_adjoint(g, x, k=0):
    """np.diag's: a vector made a diagonal matrix takes back that diagonal; a matrix whose diagonal
    was read gets g on it, zero elsewhere. Written with products and sums, not element writes, so
    the eager engine can differentiate it again."""
    first_row = max(-k, 0)
    if np.ndim(x) == 1:
        return np.sum(g * np.eye(*np.shape(g), k), axis=1)[first_row:first_row + np.shape(x)[0]]
    rows = np.shape(x)[0]
    if np.size(g) == 0:  # an offset past the matrix: np.diag read nothing
        return np.zeros(np.shape(x))
    padded = np.concatenate([np.zeros(first_row), g, np.zeros(rows - first_row - np.shape(g)[0])])
    return np.eye(*np.shape(x), k) * np.reshape(padded, (rows, 1))


@adjoint("g")
def tile_adjoint(g, x, reps):
    return _scatter(g, x, np.tile(_flat_positions(x), reps))


@adjoint("g")
def repeat_adjoint(g, x, repeats, axis=None):
    return _scatter(g, x, np.repeat(_flat_positions(x), repeats, axis))


def _sort_order(x, axis):
    """Where np.sort takes each result from: a stable argsort, as the eager engine's (ties keep
    their order, so both engines give a tie's cotangent to the same element)."""
    return np.argsort(np.ravel(x) if axis is None else x, axis=-1 if axis is None else axis, kind="stable")


@adjoint("g")
def sort_adjoint(g, x, axis=-1):
    """g put back where each sorted element came from. Piecewise constant in x."""
    order = _sort_order(x, axis)
    g = np.broadcast_to(g, np.shape(order))
    if axis is None:
        out = np.zeros(np.size(x))
        out[order] = g
        return np.reshape(out, np.shape(x))
    out = np.zeros(np.shape(x))
    np.put_along_axis(out, order, g, axis)
    return out


@adjoint("t")
def sort_tangent(t, x, axis=-1):
    """np.sort's JVP: the tangent rearranged as x is."""
    t = np.broadcast_to(t, np.shape(x))
    if axis is None:
        return np.ravel(t)[_sort_order(x, axis)]
    return np.take_along_axis(t, _sort_order(x, axis), axis)


def _scanned(v, x, axis):
    """v (a number or x's shape) as an array of x's shape with the scanned axis last."""
    return np.moveaxis(np.broadcast_to(v, np.shape(x)).astype(np.float64), axis, -1)


def _cumprod_parts(g, x, axis):
    """For np.cumprod's adjoint along `axis` (moved last): x, the products before each element
    (x_0 ... x_{i-1}) and s_i = g_i + x_{i+1} s_{i+1}; x_i's cotangent is their product."""
    xs, gs = _scanned(x, x, axis), _scanned(g, x, axis)
    before = np.cumprod(np.concatenate([np.ones(np.shape(xs)[:-1] + (1,)), xs[..., :-1]], axis=-1), axis=-1)
    s = np.array(gs)
    for i in range(np.shape(xs)[-1] - 2, -1, -1):
        s[..., i] = gs[..., i] + xs[..., i + 1] * s[..., i + 1]
    return xs, before, s


def cumprod_adjoint_jvp(g, x, axis, d_g, d_x):
    """The JVP of cumprod_adjoint by differentiating its recurrences (no division)."""
    if axis is None:
        flat_dx = d_x if np.ndim(d_x) == 0 else np.ravel(d_x)
        return np.reshape(cumprod_adjoint_jvp(g, np.ravel(x), 0, d_g, flat_dx), np.shape(x))
    xs, before, s = _cumprod_parts(g, x, axis)
    dxs, dgs = _scanned(d_x, x, axis), _scanned(d_g, x, axis)
    d_before, ds = np.zeros(np.shape(xs)), np.array(dgs)
    n = np.shape(xs)[-1]
    for i in range(1, n):
        d_before[..., i] = d_before[..., i - 1] * xs[..., i - 1] + before[..., i - 1] * dxs[..., i - 1]
    for i in range(n - 2, -1, -1):
        ds[..., i] = dgs[..., i] + dxs[..., i + 1] * s[..., i + 1] + xs[..., i + 1] * ds[..., i + 1]
    return np.moveaxis(d_before * s + before * ds, -1, axis)


@adjoint("g", jvp=cumprod_adjoint_jvp, varying=("g", "x"))
def cumprod_adjoint_exact(g, x, axis=None):
    """np.cumprod's in generated code: no division, so zeros in x give exact cotangents."""
    if axis is None:
        return np.reshape(cumprod_adjoint_exact(g, np.ravel(x), 0), np.shape(x))
    if np.all(x != 0):  # d ans_k / d x_i = ans_k / x_i for k >= i: vectorised, as the eager engine's
        return np.flip(np.cumsum(np.flip(np.broadcast_to(g, np.shape(x)) * np.cumprod(x, axis=axis), axis),
                                 axis=axis), axis) / x
    _, before, s = _cumprod_parts(g, x, axis)
    return np.moveaxis(before * s, -1, axis)


@adjoint("t")
def cumprod_tangent(t, x, axis=None):
    """np.cumprod's JVP: d_k = d_{k-1} x_k + (x_0 ... x_{k-1}) t_k, no division."""
    if axis is None:
        return cumprod_tangent(t if np.ndim(t) == 0 else np.ravel(t), np.ravel(x), 0)
    if np.all(x != 0):  # d ans_k = ans_k * sum_{i <= k} t_i / x_i
        return np.cumprod(x, axis=axis) * np.cumsum(np.broadcast_to(t, np.shape(x)) / x, axis=axis)
    xs, ts = _scanned(x, x, axis), _scanned(t, x, axis)
    before = np.cumprod(np.concatenate([np.ones(np.shape(xs)[:-1] + (1,)), xs[..., :-1]], axis=-1), axis=-1)
    d = np.array(ts)
    for k in range(1, np.shape(xs)[-1]):
        d[..., k] = d[..., k - 1] * xs[..., k] + before[..., k] * ts[..., k]
    return np.moveaxis(d, -1, axis)


def _part(g, axis, start, stop):
    """g's slice start:stop along axis."""
    return g[(slice(None),) * (axis % np.ndim(g)) + (slice(start, stop),)]


@adjoint("g")
def concatenate_adjoint_left(g, a, axis=0):
    return _part(g, axis, 0, np.shape(a)[axis])


@adjoint("g")
def concatenate_adjoint_right(g, b, axis=0):
    n = np.shape(g)[axis]
    return _part(g, axis, n - np.shape(b)[axis], n)


def _stacked_part(g, x, first: bool, at_least):
    """The cotangent of one side of np.hstack/np.vstack((a, b)): its columns (rows) of g, in
    its own shape (a number or a vector made a row by vstack gets its own shape back)."""
    grown = np.shape(at_least(np.empty(np.shape(x), dtype=np.uint8)))
    axis = 0 if at_least is np.atleast_2d or np.ndim(g) == 1 else 1
    n, count = np.shape(g)[axis], grown[axis]
    return np.reshape(_part(g, axis, 0, count) if first else _part(g, axis, n - count, n), np.shape(x))


@adjoint("g")
def hstack_adjoint_left(g, a):
    return _stacked_part(g, a, True, np.atleast_1d)


@adjoint("g")
def hstack_adjoint_right(g, b):
    return _stacked_part(g, b, False, np.atleast_1d)


@adjoint("g")
def vstack_adjoint_left(g, a):
    return _stacked_part(g, a, True, np.atleast_2d)


@adjoint("g")
def vstack_adjoint_right(g, b):
    return _stacked_part(g, b, False, np.atleast_2d)


@adjoint("x", name="one_dimensional")
def one_dimensional(x):
    """x itself, checked to be a vector: the builtin sum(x) is np.sum(x) only then (of a matrix it
    sums the rows), and np.linalg.norm(x, 1) a vector norm only then."""
    if np.ndim(x) != 1:
        raise TypeError(f"compiled for a 1-dimensional array, called with {np.ndim(x)} dimensions")
    return x


@adjoint("g")
def passed_back(g):
    return g


# --- the table ------------------------------------------------------------------------------
_define("reshape", "x shape", ARRAY, "np.reshape", [reshape_adjoint], positional=True)
for _name in ("atleast_1d", "atleast_2d"):
    _define(_name, "x", ARRAY, "np." + _name, [reshape_adjoint])
_define("expand_dims", "x axis", ARRAY, "np.expand_dims", [reshape_adjoint])
_define("roll", "x shift axis", ARRAY, "np.roll", [roll_adjoint])
_define("flip", "x axis", ARRAY, "np.flip", [flip_adjoint])
_define("tile", "x reps", ARRAY, "np.tile", [tile_adjoint])
_define("diag", "x k", ARRAY, "np.diag", [diag_adjoint])
_define("tril", "x k", ARRAY, "np.tril", [tril_adjoint])
_define("triu", "x k", ARRAY, "np.triu", [triu_adjoint])
_define("repeat", "x repeats axis", ARRAY, "np.repeat", [repeat_adjoint])
_define("sort", "x axis", ARRAY, "np.sort", [sort_adjoint], tangent=sort_tangent)
_define("cumprod", "x axis", ARRAY, "np.cumprod", [cumprod_adjoint_exact], tangent=cumprod_tangent)
_define("concatenate", "a b axis", ARRAY, "np.concatenate", [concatenate_adjoint_left, concatenate_adjoint_right],
        additive=True, sequence=True)
_define("hstack", "a b", ARRAY, "np.hstack", [hstack_adjoint_left, hstack_adjoint_right], additive=True, sequence=True)
_define("vstack", "a b", ARRAY, "np.vstack", [vstack_adjoint_left, vstack_adjoint_right], additive=True, sequence=True)
# sizes: integers no derivative reaches
_define("size", "x", INDEX, ".size", [None], linear=(), piecewise_constant=True)
_define("one_dimensional", "x", ARRAY, "_vector.one_dimensional", [passed_back])
# a local array nothing indexes, made like another whose rank nothing says (y = np.zeros_like(a),
# y = a.copy(), then only np.sum(y * a)): whole-array values (transform.lower)
_define("whole_copy", "x", ARRAY, "np.copy", [passed_back])
_define("filled_like", "x fill_value", ARRAY, "np.full_like", [None], linear=(), piecewise_constant=True)
