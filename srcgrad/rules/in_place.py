"""Elementwise NumPy operations that write their result into an operand generated code no longer
needs (transform/in_place.py decides which), instead of allocating an array for it.

`subtract_reusing_right(1.0, t)` is `1.0 - t` written into t's memory, `tanh_reusing(t)` is
`np.tanh(t)` into t. The compiler picks the operand; each helper checks at run time that the
operand can hold the result (a writeable float64 ndarray of at least one dimension whose shape
broadcasting does not change: (3, 1) and (1, 4) make (3, 4), which fits in neither) and
otherwise computes the operation as written. Either way the bits are those of the plain operation:
the same ufunc runs, only its output differs. Generated code reaches them as `_vector.<name>`.

Generated code calls them from Cython, where NumPy does not elide temporaries as it does for
the Python interpreter (`a * (1.0 - h * h)` makes three arrays there, one in Python).
"""

from __future__ import annotations

import operator

import numpy as np

try:  # the compiled loops (setup.py builds them); NumPy operation by operation without them
    from srcgrad.runtime import kernels as _kernels
except ImportError:  # pragma: no cover - a source tree whose extensions were not built
    _kernels = None

from .arrays import _number_everywhere, cotangent_like, getitem_adjoint, matmul_adjoint_left

_FLOAT = np.dtype(np.float64)

# the operators rewritten, and their ufuncs (`**` is not: NumPy's `a ** 2` is np.square, not np.power)
BINARY = {"+": "add", "-": "subtract", "*": "multiply", "/": "true_divide"}
# elementwise rule names of one operand whose NumPy function of the same name is a ufunc
UNARY = ("negative", "exp", "expm1", "log", "log1p", "log2", "log10", "sqrt", "cbrt", "sin", "cos", "tan",
         "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "absolute")


def reusing_left(ufunc_name: str) -> str:
    return f"{ufunc_name}_reusing_left"


def reusing_right(ufunc_name: str) -> str:
    return f"{ufunc_name}_reusing_right"


def reusing(ufunc_name: str) -> str:
    return f"{ufunc_name}_reusing"


def can_hold(out, other) -> bool:
    """Whether `out` can take the result of an elementwise operation of it and `other`."""
    if type(out) is not np.ndarray or (out.dtype is not _FLOAT and out.dtype != _FLOAT) or not out.ndim \
            or not out.flags.writeable:
        return False
    if isinstance(other, (float, int)):  # bool and np.float64 too
        return True
    if type(other) is not np.ndarray or other.ndim > out.ndim \
            or (other.dtype is not _FLOAT and other.dtype != _FLOAT and not np.can_cast(other.dtype, _FLOAT)):
        return False
    if other.shape == out.shape:  # the common case, without a loop in Python
        return True
    shape = out.shape[out.ndim - other.ndim:]
    return all(n == 1 or n == m for n, m in zip(other.shape, shape))


def _binary(ufunc):
    def left(x, y):
        return ufunc(x, y, out=x) if can_hold(x, y) else ufunc(x, y)

    def right(x, y):
        return ufunc(x, y, out=y) if can_hold(y, x) else ufunc(x, y)

    return left, right


def _unary(ufunc):
    def apply(x):
        return ufunc(x, out=x) if can_hold(x, 0.0) else ufunc(x)

    return apply


# g * (1.0 - h * h), tanh's adjoint, in one pass where NumPy makes three (runtime/kernels.pyx)
ONE_MINUS_SQUARE = "times_one_minus_square"


def _fused(g, h, out) -> bool:
    return _kernels is not None and _kernels.times_one_minus_square(g, h, out)


def times_one_minus_square(g, h):
    if type(h) is np.ndarray and h.ndim:
        out = np.empty(h.shape)
        if _fused(g, h, out):
            return out
    return g * (1.0 - h * h)


def times_one_minus_square_reusing_left(g, h):
    """g * (1.0 - h * h) written into g."""
    if _fused(g, h, g):
        return g
    return HELPERS["multiply_reusing_left"](g, 1.0 - h * h)


def times_one_minus_square_reusing_right(g, h):
    """g * (1.0 - h * h) written into h."""
    if _fused(g, h, h):
        return h
    square = HELPERS["multiply_reusing_left"](h, h)
    return HELPERS["multiply_reusing_right"](g, HELPERS["subtract_reusing_right"](1.0, square))


# matmul_adjoint_left(g, a, w) * (1.0 - h * h): a vector-matrix product's adjoint through tanh
# (mlp's h @ W2), g[i] * w[j] * (1 - h[i, j]^2) in one pass, the outer product never in memory
OUTER_ONE_MINUS_SQUARE = "outer_times_one_minus_square"


def _outer_fused(g, a, w, h, out) -> bool:
    return _kernels is not None and type(a) is np.ndarray and type(h) is np.ndarray and a.shape == h.shape \
        and _kernels.outer_times_one_minus_square(g, w, h, out)


def outer_times_one_minus_square(g, a, w, h):
    if type(h) is np.ndarray and h.ndim == 2:
        out = np.empty(h.shape)
        if _outer_fused(g, a, w, h, out):
            return out
    return times_one_minus_square(matmul_adjoint_left(g, a, w), h)


def outer_times_one_minus_square_reusing(g, a, w, h):
    """matmul_adjoint_left(g, a, w) * (1.0 - h * h) written into h."""
    if _outer_fused(g, a, w, h, h):
        return h
    return times_one_minus_square_reusing_right(matmul_adjoint_left(g, a, w), h)


# b_x += getitem_adjoint(g, x, index) (the adjoint of reading x[1:]): g added into b_x's selected
# elements, as a hand adjoint writes b_x[1:] += g, where getitem_adjoint makes a whole array of
# zeros around g for each read and the addition another one
GETITEM_ADJOINT_INTO = "getitem_adjoint_into"


def _overlaps(g, total) -> bool:
    """Whether g may share memory with total (an array that owns its memory cannot, but for total
    itself: the costlier check only for a view)."""
    return type(g) is np.ndarray and (g is total or g.base is not None and np.may_share_memory(total, g))


def getitem_adjoint_into(total, g, x, index):
    """total + getitem_adjoint(g, x, index), written into total where it can hold the sum (a
    writeable float64 array of x's shape that g does not overlap); the first contribution (total
    the number 0) is getitem_adjoint's array itself. The same additions either way: elements
    the read does not select keep total's value, which adding zero leaves as it was."""
    if type(total) is np.ndarray and total.dtype == _FLOAT and total.flags.writeable \
            and total.shape == np.shape(x) and not _overlaps(g, total):
        total[index] += g
        return total
    out = getitem_adjoint(g, x, index)
    if isinstance(total, (int, float)) and total == 0:
        return out
    return total + out


# as_elements(cotangent_like(b_w, w)): a whole array's adjoint read element by element (the
# adjoint of `w = as_whole(x)`, where x is read both by element and whole) copied once, not twice
COTANGENT_ELEMENTS = "cotangent_elements"


def cotangent_elements(g, like):
    """g as a C-contiguous float64 array of like's shape that element loops read (and never
    write): g itself where it is one, which needs no copy, else a copy spread to that shape."""
    if type(g) is np.ndarray and g.dtype == _FLOAT and g.shape == np.shape(like) and g.flags.c_contiguous \
            and g.flags.writeable:
        return g
    return np.array(cotangent_like(g, like), dtype=np.float64, order="C")


# as_whole(x) where nothing writes x's elements (transform/whole_views.py): x's memory, no copy
WHOLE_VIEW = "whole_view"


def whole_view(elements):
    """An element-loop array's values as a whole NumPy array, sharing its memory."""
    return np.asarray(elements, dtype=np.float64)


# an adjoint's array that only reads of its shape follow (transform/release.py): its shape kept,
# its memory let go
SHAPE_PLACEHOLDER = "shape_placeholder"


def shape_placeholder(a):
    """A read-only array of a's shape holding one zero (every stride 0): what unbroadcast,
    sum_adjoint and the other readers of a shape alone need of a, without a's memory (from
    _SPREAD_SIZE elements; a itself below)."""
    if type(a) is np.ndarray and a.size >= _SPREAD_SIZE:
        return _number_everywhere(0.0, a.shape)
    return a  # a small array's memory matters less than making its placeholder


# a number times (plus, minus, over) the cotangent np.sum hands back, which is one number spread
# over the summed shape (a read-only view, every stride 0): the result is one number spread too,
# computed once (the same operation on the same numbers, so the same bits: Python's float
# arithmetic is IEEE double's, as NumPy's is) where NumPy would write it into every element of a
# new array. Below _SPREAD_SIZE elements that costs more than it saves: the operation as written.
def _divide(a, b):
    try:
        return a / b
    except ZeroDivisionError:  # NumPy's inf or nan (and its warning), not Python's exception
        return float(np.float64(a) / np.float64(b))


UNIFORM = {"add": operator.add, "subtract": operator.sub, "multiply": operator.mul, "true_divide": _divide}
_SPREAD_SIZE = 4096


def uniform(ufunc_name: str) -> str:
    return f"{ufunc_name}_uniform"


def _spread_number(a):
    """The number an array of one number spread over every element (every stride 0) holds, or None."""
    if type(a) is np.ndarray and a.size >= _SPREAD_SIZE and not any(a.strides) and a.dtype == _FLOAT:
        return a.item(0)
    return None


def _uniform_binary(operation):
    def apply(x, y):
        if isinstance(x, (float, int)):
            number = _spread_number(y)
            if number is not None:
                return _number_everywhere(operation(x, number), y.shape)
        elif isinstance(y, (float, int)):
            number = _spread_number(x)
            if number is not None:
                return _number_everywhere(operation(number, y), x.shape)
        return x / y if operation is _divide else operation(x, y)

    return apply


def negative_uniform(x):
    number = _spread_number(x)
    return -x if number is None else _number_everywhere(-number, x.shape)


HELPERS = {function.__name__: function for function in (
    getitem_adjoint_into, cotangent_elements, whole_view, shape_placeholder, times_one_minus_square,
    times_one_minus_square_reusing_left, times_one_minus_square_reusing_right, outer_times_one_minus_square,
    outer_times_one_minus_square_reusing)}
for _name in BINARY.values():
    HELPERS[reusing_left(_name)], HELPERS[reusing_right(_name)] = _binary(getattr(np, _name))
for _name in UNARY:
    HELPERS[reusing(_name)] = _unary(getattr(np, _name))
for _name, _operation in UNIFORM.items():
    HELPERS[uniform(_name)] = _uniform_binary(_operation)
HELPERS[uniform("negative")] = negative_uniform
UNIFORM_HELPERS = frozenset(uniform(name) for name in (*UNIFORM, "negative"))
for _name, _function in HELPERS.items():
    _function.__name__ = _function.__qualname__ = _name
