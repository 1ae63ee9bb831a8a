"""`x[i - 1]` at i = 0 is `x[-1]`, the last element, as Python counts: periodic neighbours.

Compiled code indexes typed buffers without wraparound (no test in each access), so an index
that may be negative must say so. In `for i in range(s, ...)` with a constant start s and a
positive constant step, an element index `i - c` with s - c < 0 is negative on the first trips:
it becomes `i - c + len if i - c < 0 else i - c` (a select in C), reads and writes alike, so
the adjoint adds into the element the primal read. Indices below -len still fail the bounds
check, as Python raises IndexError. Any other index keeps its form (and its hoisted check).
"""

from __future__ import annotations

from .. import ir
from ..analysis.ranks import assigned_in


def count_from_the_end(function: ir.Function) -> None:
    """Rewrite, in place, the element indices of function.body that may count from the end."""
    _block(function.body, {})


def _block(stmts: list, starts: dict) -> None:
    for s in stmts:
        if isinstance(s, ir.For):
            s.start, s.stop, s.step = (_rewrite(b, starts) for b in (s.start, s.stop, s.step))
            assigned = assigned_in(s.body)
            inner = {v: start for v, start in starts.items() if v not in assigned}
            inner.pop(s.var, None)
            if _integer(s.start) and _integer(s.step) and s.step.value > 0 and s.var not in assigned:
                inner[s.var] = s.start.value
            _block(s.body, inner)
        elif isinstance(s, ir.While):
            inner = {v: start for v, start in starts.items() if v not in assigned_in(s.body)}
            s.test = _rewrite(s.test, inner)
            _block(s.body, inner)
        elif isinstance(s, ir.If):
            s.test = _rewrite(s.test, starts)
            _block(s.body, starts)
            _block(s.orelse, starts)
        elif isinstance(s, ir.Assign):
            s.value = _rewrite(s.value, starts)
            if s.index is not None:
                s.index = _indices(s.target, tuple(_rewrite(i, starts) for i in s.index), starts)
        elif isinstance(s, ir.RaiseIf):
            s.test = _rewrite(s.test, starts)
        elif isinstance(s, ir.Return) and s.value is not None:
            s.value = _rewrite(s.value, starts)


def _rewrite(e: ir.Expr, starts: dict) -> ir.Expr:
    if not starts:
        return e
    if isinstance(e, ir.Index):
        return ir.Index(e.array, _indices(e.array, tuple(_rewrite(i, starts) for i in e.indices), starts))
    kids = ir.children(e)
    return ir.rebuild(e, [_rewrite(k, starts) for k in kids]) if kids else e


def _indices(array: str, indices: tuple, starts: dict) -> tuple:
    return tuple(_from_the_end(array, axis, index) if _may_be_negative(index, starts) else index
                 for axis, index in enumerate(indices))


def _may_be_negative(index: ir.Expr, starts: dict) -> bool:
    """index is `v - c` (or `v + -c`) of a loop variable v whose first value s has s - c < 0."""
    if not (isinstance(index, ir.BinOp) and index.op in ("+", "-") and isinstance(index.left, ir.Name)
            and index.left.id in starts and _integer(index.right)):
        return False
    offset = index.right.value if index.op == "+" else -index.right.value
    return starts[index.left.id] + offset < 0


def _from_the_end(array: str, axis: int, index: ir.Expr) -> ir.Expr:
    length = ir.Call("shape", (ir.Name(array), ir.Const(axis)))
    return ir.IfExp(ir.Compare("<", index, ir.Const(0)), ir.BinOp("+", index, length), index)


def _integer(e) -> bool:
    return isinstance(e, ir.Const) and isinstance(e.value, int) and not isinstance(e.value, bool)
