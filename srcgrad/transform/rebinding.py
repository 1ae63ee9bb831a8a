"""Straight-line rebinding: `Z = X @ W` then `Z = Z - Z.max(axis=1, keepdims=True)`, or
`p = np.clip(p, lo, hi)` after `p = sigmoid(X @ w)`.

Reverse mode keeps each whole-array value once (analysis.types refuses a whole array assigned
twice). A local that only the function's top level assigns (more than once; no loop or branch
assigns it, nothing writes its elements) holds one value between two of those assignments,
whatever its type: each assignment after the first gets a fresh name, and the reads up to the
next one read that name, as Python's rebinding means. Parameters keep their names."""

from __future__ import annotations

from collections import Counter

from .. import ir


def rename_rebindings(function: ir.Function, names) -> None:
    """Rename, in place, the rebindings of function's body described above (names: fresh names)."""
    rebound = _rebound(function)
    if not rebound:
        return
    current: dict = {}
    for s in function.body:
        _rename_reads(s, current)
        if isinstance(s, ir.Assign) and s.target in rebound:
            if rebound[s.target]:
                current[s.target] = names.fresh(s.target)
                s.target = current[s.target]
            else:
                rebound[s.target] = True  # the first assignment keeps the name


def _rebound(function: ir.Function) -> dict:
    """The locals to rename -> whether their first assignment has been seen (False)."""
    params = {p for p, _ in function.params}
    top = Counter(s.target for s in function.body if isinstance(s, ir.Assign) and s.index is None)
    elsewhere = {s.target for s in ir.walk(function.body) if isinstance(s, ir.Assign) and s.index is not None}
    for s in function.body:
        if isinstance(s, (ir.If, ir.For, ir.While)):
            nested = [x for x in ir.walk([s]) if x is not s]
            elsewhere |= {x.target for x in nested if isinstance(x, ir.Assign)}
            elsewhere |= {x.var for x in ir.walk([s]) if isinstance(x, ir.For)}
    return {v: False for v, count in top.items() if count > 1 and v not in params and v not in elsewhere}


def _rename_reads(s, current: dict) -> None:
    """The expressions s evaluates, and those of the statements nested in it, read current names."""
    if not current:
        return
    for x in ir.walk([s]):
        if isinstance(x, ir.Assign):
            x.value = _renamed(x.value, current)
            x.index = None if x.index is None else tuple(_renamed(i, current) for i in x.index)
        elif isinstance(x, (ir.If, ir.While, ir.RaiseIf)):
            x.test = _renamed(x.test, current)
        elif isinstance(x, ir.For):
            x.start, x.stop, x.step = (_renamed(b, current) for b in (x.start, x.stop, x.step))
        elif isinstance(x, ir.Return):
            x.value = _renamed(x.value, current)


def _renamed(e: ir.Expr, current: dict) -> ir.Expr:
    if isinstance(e, ir.Name):
        return ir.Name(current.get(e.id, e.id))
    if isinstance(e, ir.Index):
        return ir.Index(current.get(e.array, e.array), tuple(_renamed(i, current) for i in e.indices))
    if isinstance(e, ir.Alloc):
        return ir.Alloc(e.kind, tuple(_renamed(d, current) for d in e.shape), current.get(e.like, e.like))
    kids = ir.children(e)
    return ir.rebuild(e, [_renamed(c, current) for c in kids]) if kids else e
