"""Python's slice rules as integer expressions of the compiler's IR: where `x[a:b:c]` starts
and how many elements it has over an axis of length n (negative bounds count from the end,
bounds past the ends clip), and an integer index counted from the end."""

from __future__ import annotations

from .. import ir


def constant_bound(e: ir.Expr) -> ir.Expr:
    if isinstance(e, ir.Unary) and e.op == "-" and ir.is_const(e.operand):
        return ir.Const(-e.operand.value)
    return e


def from_end(i: ir.Expr, n: ir.Expr) -> ir.Expr:
    """An integer index counted from the end when negative, as Python counts it."""
    if ir.is_const(i):
        return ir.binop("+", n, i) if i.value < 0 else i
    return ir.IfExp(ir.Compare("<", i, ir.Const(0)), ir.binop("+", i, n), i)


def _clamp(bound: ir.Expr, n: ir.Expr, low: int, high: ir.Expr) -> ir.Expr:
    """A slice bound counted from the end when negative, then clipped to [low, high]."""
    if ir.is_const(bound):
        if bound.value < 0:
            return ir.Call("maximum", (ir.binop("+", n, bound), ir.Const(low)))
        return ir.Call("minimum", (bound, high))
    return ir.IfExp(ir.Compare("<", bound, ir.Const(0)), ir.Call("maximum", (ir.binop("+", bound, n), ir.Const(low))),
                    ir.Call("minimum", (bound, high)))


def slice_bounds(lower: ir.Expr, upper: ir.Expr, c: int, n: ir.Expr) -> tuple:
    """(first index, number of elements) of `lower:upper:c` over an axis of length n (Python's
    slice.indices, then the length of that range)."""
    none = ir.Const(None)
    if lower == none and upper == none and c == 1:
        return ir.Const(0), n
    if c > 0:
        start = ir.Const(0) if lower == none else _clamp(lower, n, 0, n)
        stop = n if upper == none else _clamp(upper, n, 0, n)
        span = ir.binop("-", stop, start)
    else:
        last = ir.binop("-", n, ir.Const(1))
        start = last if lower == none else _clamp(lower, n, -1, last)
        stop = ir.Const(-1) if upper == none else _clamp(upper, n, -1, last)
        span = ir.binop("-", start, stop)
    size = abs(c)
    count = span if size == 1 else ir.BinOp("//", ir.binop("+", span, ir.Const(size - 1)), ir.Const(size))
    return start, ir.Call("maximum", (count, ir.Const(0)))
