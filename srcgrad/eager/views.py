"""NumPy's basic slices (x[1:], a row X[i]) are views of their array; the eager engine's are
copies. A slice remembers its array, the place it was taken from and how often the array had been
written then, so that where a view and a copy would differ the engine behaves as NumPy (`v += 1`
writes into the array) or raises saying why, never silently computes something else."""

from __future__ import annotations

from srcgrad.eager import indexing


def writes(t) -> int:
    """How often t (a MutableTensor) has been written; 0 for a Tensor never written."""
    return getattr(getattr(t, "_cell", None), "writes", 0)


def mark(base, index, out):
    """out = base[index]: a view in NumPy when index is basic and out is not a single element."""
    if out._value.ndim and indexing.is_basic(index):
        out._cell = (base, writes(base), index)
    return out


def check_current(view) -> None:
    base, written, _ = view._cell
    if writes(base) != written:
        raise ValueError("a slice of an array was taken, the array was then written, and the slice used "
                         "afterwards: NumPy's slice is a view that sees the write, the eager engine's is a "
                         "copy that does not. Take the slice after the write, or .copy() it where the old "
                         "values are meant")


def refuse_write_through(view) -> None:
    raise ValueError("writing into an element of a slice of an array (v = x[1:]; v[0] = ...): NumPy writes "
                     "through the view into the array, the eager engine's slice is a copy. Write into the "
                     "array itself (x[1] = ...), or .copy() the slice first")


def in_place(t, result):
    """t op= other gave result: a view's array gets it at the view's place, as NumPy's would
    (`m[1:, 0] += x` reads the view, adds, and stores it back; `v = x[1:]; v += 1` changes x)."""
    view = getattr(t, "_cell", None)
    if view is None:
        return result
    base, _, index = view
    base[index] = result
    return mark(base, index, result)
