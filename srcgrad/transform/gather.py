"""Gather instead of scatter: a loop whose adjoint adds into `b_x[i + 1]` and `b_x[i]` carries a
dependence through memory (iteration i writes what iteration i + 1 reads and writes again), and
C compilers do not vectorise it. Transposed (the approach of PerforAD, Hückelheim et al. 2019),
iteration k gathers every contribution to `b_x[k]`: the offset-c term of iteration k - c, its
value recomputed there from the loop variable and values the loop never changes. Each element
is written once, by one statement; the iterations near the range's ends, where a term's source
iteration lies outside the range, are peeled off into short loops that test each term.

For a loop `for i in range(lo, hi)` with offsets c_min <= 0 <= c_max (either may be 0):

    for i in range(lo + c_min, lo):          b_x[i] += terms whose i - c is in range   (c < 0)
    for i in range(lo, i_from):              the body, terms tested                    (c > 0)
    for i in range(i_from, i_to):            the body, every term, one write per element
    for i in range(i_to, hi):                the body, terms tested                    (c < 0)
    for i in range(hi, hi + c_max):          b_x[i] += terms whose i - c is in range   (c > 0)

with i_from = min(lo + c_max, hi) and i_to = max(i_from, hi + c_min): every range is empty when
the loop runs no iteration, and the five cover each element exactly as the original did.

Applies where the array is written only by such `+=` statements of the body's top level, never
read in the loop, and each term of a nonzero offset reads nothing but the loop variable, values
the loop never assigns and the body's single-assignment temporaries (inlined, shifted).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import ir
from ..ir import GAssign, GFor, GIf, GUnpack
from ..runtime_names import POP


@dataclass
class _Term:
    position: int
    offset: int
    value: ir.Expr  # as written (offset 0) or expanded and shifted to read at i = k (offset != 0)


def gathered(mode, loop: GFor) -> list | None:
    """The statements replacing loop (ascending, unit step), or None when nothing is to gather."""
    bounds = _ascending(loop.args)
    if bounds is None:
        return None
    lo, hi = bounds
    i = loop.var
    body = loop.body
    written = written_names(body) | {i}
    temps = _temporaries(body, written)
    plans = {}
    for array in sorted(_candidates(mode, body, i)):
        terms = _terms(body, array, i, written, temps)
        if terms is not None and (len(terms) > 1 or terms[0].offset != 0):
            plans[array] = terms
    if not plans:
        return None
    offsets = [t.offset for terms in plans.values() for t in terms]
    c_min, c_max = min(offsets + [0]), max(offsets + [0])
    if not any(offsets):
        return [GFor(i, loop.args, _merged(body, plans, i, lo, hi, guarded=False), loop.comment)]
    out = []
    start, stop = lo, hi
    if c_max > 0:
        start = ir.Name(mode.temp(f"{i}_from", ir.INT))
        out.append(GAssign(start.id, ir.Call("minimum", (lo + c_max, hi))))
    if c_min < 0:
        stop = ir.Name(mode.temp(f"{i}_to", ir.INT))
        out.append(GAssign(stop.id, ir.Call("maximum", (start, hi + c_min))))
    if c_min < 0:
        out.append(GFor(i, (lo + c_min, lo), _edge(plans, i, lo, hi, lambda c: c < 0), "the elements before the range"))
    if c_max > 0:
        out.append(GFor(i, (lo, start), _merged(body, plans, i, lo, hi, guarded=True), loop.comment + ", first iterations"))
    out.append(GFor(i, (start, stop), _merged(body, plans, i, lo, hi, guarded=False), loop.comment))
    if c_min < 0:
        out.append(GFor(i, (stop, hi), _merged(body, plans, i, lo, hi, guarded=True), loop.comment + ", last iterations"))
    if c_max > 0:
        out.append(GFor(i, (hi, hi + c_max), _edge(plans, i, lo, hi, lambda c: c > 0), "the elements after the range"))
    return out


def _ascending(args: tuple):
    if len(args) == 1:
        return ir.Const(0), args[0]
    if len(args) == 2 or (len(args) == 3 and args[2] == ir.Const(1)):
        return args[0], args[1]
    return None


def written_names(body: list) -> set:
    """Every variable or array that generated statements assign (loop variables included)."""
    return {name for g in ir.walk_generated(body) for name in targets_of(g)}


def _temporaries(body: list, written: set) -> dict:
    """name -> (position, value) of the body's top-level scalars assigned once, from expressions
    that call no module function and pop nothing."""
    counts = {}
    for g in ir.walk_generated(body):
        for name in targets_of(g):
            counts[name] = counts.get(name, 0) + 1
    temps = {}
    for k, g in enumerate(body):
        if isinstance(g, GAssign) and isinstance(g.target, str) and g.op == "=" and counts.get(g.target) == 1 \
                and not ir.user_calls_in(g.value) and not _pops(g.value):
            temps[g.target] = (k, g.value)
    return temps


def targets_of(g) -> list:
    """The names one generated statement assigns (an array for an element)."""
    if isinstance(g, GAssign):
        return [g.target.array if isinstance(g.target, ir.Index) else g.target]
    if isinstance(g, GUnpack):
        return list(g.targets)
    if isinstance(g, GFor):
        return [g.var]
    return []


def _pops(e: ir.Expr) -> bool:
    if isinstance(e, ir.Call) and e.func in POP.values():
        return True
    return any(_pops(c) for c in ir.children(e))


def _offset(index: ir.Expr, i: str):
    if index == ir.Name(i):
        return 0
    if isinstance(index, ir.BinOp) and index.op in "+-" and index.left == ir.Name(i) and ir.is_const(index.right) \
            and isinstance(index.right.value, int):
        return index.right.value if index.op == "+" else -index.right.value
    return None


def _candidates(mode, body: list, i: str) -> set:
    """Adjoint arrays the body writes only by `b[i + c] += e` at its top level and never reads."""
    adjoints = set(mode.adjoint_names.values())
    found, refused = set(), set()
    for k, g in enumerate(body):
        for inner in ir.walk_generated([g]):
            reads = set()
            for e in _expressions(inner):
                reads |= ir.names_in(e)
            refused |= reads
            for name in targets_of(inner):
                target = inner.target if isinstance(inner, GAssign) else None
                simple = (inner is g and isinstance(target, ir.Index) and len(target.indices) == 1
                          and g.op == "+=" and _offset(target.indices[0], i) is not None)
                (found if simple else refused).add(name)
    return (found - refused) & adjoints


def _expressions(g) -> list:
    if isinstance(g, GAssign):
        return [g.value] + (list(g.target.indices) if isinstance(g.target, ir.Index) else [])
    if isinstance(g, GIf):
        return [g.test]
    if isinstance(g, GFor):
        return list(g.args)
    if isinstance(g, (GUnpack,)):
        return [g.value]
    return [a for a in getattr(g, "args", ()) if isinstance(a, ir.Expr)] + \
        ([g.test] if hasattr(g, "test") else [])


def _terms(body: list, array: str, i: str, written: set, temps: dict) -> list | None:
    writes = [(k, g) for k, g in enumerate(body) if isinstance(g, GAssign) and isinstance(g.target, ir.Index)
              and g.target.array == array]
    last = writes[-1][0]
    terms = []
    for k, g in writes:
        offset = _offset(g.target.indices[0], i)
        if offset == 0:
            # stays in its iteration: nothing it reads may change before the merged write
            between = set()
            for h in body[k + 1:last + 1]:
                for inner in ir.walk_generated([h]):
                    between.update(targets_of(inner))
            if ir.names_in(g.value) & (between - {array}):
                return None
            terms.append(_Term(k, 0, g.value))
            continue
        expanded = _expand(g.value, k, temps, written, i)
        if expanded is None:
            return None
        shifted = ir.substitute(expanded, {i: _source(i, offset)})
        terms.append(_Term(k, offset, shifted))
    return terms


def _expand(e: ir.Expr, position: int, temps: dict, written: set, i: str):
    """e with the temporaries it reads inlined, reading only i and what the loop never assigns;
    None if it cannot."""
    mapping = {}
    for name in ir.names_in(e):
        if name == i or name not in written:
            continue
        if name not in temps or temps[name][0] >= position:
            return None
        inner = _expand(temps[name][1], temps[name][0], temps, written, i)
        if inner is None:
            return None
        mapping[name] = inner
    return ir.substitute(e, mapping) if mapping else e


def _source(i: str, offset: int) -> ir.Expr:
    """The iteration whose offset-`offset` term lands on element i."""
    return ir.Name(i) - offset if offset > 0 else ir.Name(i) + (-offset)


def _in_range(index: ir.Expr, lo: ir.Expr, hi: ir.Expr) -> ir.Expr:
    return ir.all_of([ir.compare("<=", lo, index), ir.compare("<", index, hi)])


def _merged(body: list, plans: dict, i: str, lo, hi, guarded: bool) -> list:
    """The body with each gathered array's writes replaced by one, at its last write's place;
    guarded: the terms of nonzero offsets tested for their source iteration being in range."""
    removed = {t.position for terms in plans.values() for t in terms}
    placed = {max(t.position for t in terms): array for array, terms in plans.items()}
    out = []
    for k, g in enumerate(body):
        if k not in removed:
            out.append(g)
            continue
        if k not in placed:
            continue
        array = placed[k]
        element = ir.Index(array, (ir.Name(i),))
        terms = plans[array]
        if not guarded:
            out.append(GAssign(element, _sum(t.value for t in terms), "+="))
            continue
        inside = [t for t in terms if t.offset == 0]
        if inside:
            out.append(GAssign(element, _sum(t.value for t in inside), "+="))
        for t in terms:
            if t.offset != 0:
                out.append(GIf(_in_range(_source(i, t.offset), lo, hi), [GAssign(element, t.value, "+=")]))
    return out


def _edge(plans: dict, i: str, lo, hi, which) -> list:
    out = []
    for array, terms in plans.items():
        element = ir.Index(array, (ir.Name(i),))
        for t in terms:
            if t.offset != 0 and which(t.offset):
                out.append(GIf(_in_range(_source(i, t.offset), lo, hi), [GAssign(element, t.value, "+=")]))
    return out


def _sum(values):
    total = None
    for v in values:
        total = v if total is None else total + v
    return total
