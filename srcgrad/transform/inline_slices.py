"""A slice kept in a loop only for the statements after it, written into them (scalarization's
first step inside a loop: transform.scalarize)."""

from __future__ import annotations

from .. import ir


def inline_slices(body: list, function: ir.Function, ranks: dict) -> list:
    """A slice kept in a loop only for the statements after it (`seg = x[i:i + 3]`, then
    np.sum(seg ** 2)) is substituted into them: its length may change from one iteration to the
    next, so no buffer made before the loop holds it. Only where nothing after it writes what it
    reads, it is assigned nowhere else and read only as a whole there."""
    out = list(body)
    for position, s in enumerate(body):
        if not (isinstance(s, ir.Assign) and s.index is None and s.target in ranks
                and any(isinstance(sub, ir.Call) and sub.func == "getitem" for sub in _subexpressions(s.value))):
            continue
        rest = out[out.index(s) + 1:]
        assignments = [w for w in ir.walk(function.body) if isinstance(w, ir.Assign) and w.target == s.target]
        changed = {w.target for w in ir.walk(rest) if isinstance(w, ir.Assign)} | \
            {w.var for w in ir.walk(rest) if isinstance(w, ir.For)}
        if len(assignments) != 1 or ir.names_in(s.value) & changed \
                or _reads(function.body, s.target) != _reads(rest, s.target) \
                or any(_element_or_slice_of(sub, s.target)
                       for w in ir.walk(rest) for e in ir.reads_of(w) for sub in _subexpressions(e)):
            continue
        _substitute(rest, s.target, s.value)
        out.remove(s)
    return out


def _element_or_slice_of(e: ir.Expr, name: str) -> bool:
    return (isinstance(e, ir.Index) and e.array == name) or (
        isinstance(e, ir.Call) and e.func == "getitem" and e.args[0] == ir.Name(name))


def _reads(stmts, name: str) -> int:
    return sum(1 for s in ir.walk(stmts) for e in ir.reads_of(s) for sub in _subexpressions(e) if sub == ir.Name(name))


def _substitute(stmts, name: str, value: ir.Expr) -> None:
    mapping = {name: value}
    for s in ir.walk(stmts):
        if isinstance(s, ir.Assign):
            s.value = ir.substitute(s.value, mapping)
            s.index = None if s.index is None else tuple(ir.substitute(i, mapping) for i in s.index)
        elif isinstance(s, (ir.If, ir.While, ir.RaiseIf)):
            s.test = ir.substitute(s.test, mapping)
        elif isinstance(s, ir.For):
            s.start, s.stop, s.step = (ir.substitute(b, mapping) for b in (s.start, s.stop, s.step))


def _subexpressions(e):
    yield e
    for c in ir.children(e):
        yield from _subexpressions(c)
