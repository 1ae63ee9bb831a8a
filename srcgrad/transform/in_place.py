"""Whole-array temporaries written in place: `b_h * (1.0 - h * h)` makes no new array when h is
not read again, as a person writes `h *= h; np.subtract(1, h, out=h); b *= h`.

Generated code runs in Cython, where NumPy's elision of temporaries (which reuses an operand
that nothing else references inside one Python expression) never happens: each elementwise
step of an array expression allocated its result. This pass, run on the primal and adjoint
bodies after everything else, spells an elementwise operation (+ - * /, unary minus, np.tanh
and the other ufuncs of one operand, srcgrad.rules.in_place) as a helper that writes into one
operand, when that operand is

- the result of an operation nested in the same expression (nothing else can see it), or
- a local that is fresh and dead: assigned once, at the top level, from an operation that
  always makes a new array (an elementwise one or @), never read where its memory could
  escape into another value (a plain copy `b = t`, a helper that may return its argument, a
  view, a call, an element access, a return), and read for its values by no later statement
  and in no other operation of this one. Reads of its shape alone (the `like` of unbroadcast,
  matmul's operand whose dimensions it reads) do not count: writing in place keeps the shape.

Only statements at the function's top level are rewritten (not inside loops or branches,
whose statements run again). The helpers check at run time that the operand is a writeable
float64 array whose shape broadcasting keeps, and compute as written otherwise.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from .. import ir
from ..analysis.types import expr_type
from ..rules import in_place

# helper -> positions of the arguments it reads for their shape (and dimensions) alone
SHAPE_ONLY = {"unbroadcast": (1,), "sum_adjoint": (1,), "shape": (0,), "size": (0,),
              # these return memory of their own: their other arguments are read for values only
              "cotangent_like": (1,), "mean_adjoint": (1,), "matmul_adjoint_left": (1,),
              "matmul_adjoint_right": (2,), "getitem_adjoint": (1,), in_place.OUTER_ONE_MINUS_SQUARE: (1,),
              # written by transform/accumulate.py, after this pass: read by transform/release.py
              in_place.GETITEM_ADJOINT_INTO: (2,), in_place.COTANGENT_ELEMENTS: (1,)}
# calls that read their array arguments' values and return new memory (or a number)
CONSUMING_CALLS = frozenset({"sum", "mean", "dot", "dot_of_vectors", "outer", "trace", "float", "cotangent_like",
                             "mean_adjoint", "matmul_adjoint_left", "matmul_adjoint_right", "getitem_adjoint",
                             in_place.OUTER_ONE_MINUS_SQUARE}) \
    | frozenset(name for name in dir(np) if isinstance(getattr(np, name), np.ufunc)) \
    | in_place.UNIFORM_HELPERS
ARITHMETIC = frozenset({"+", "-", "*", "/", "**", "//", "%", "@"})


def reuse_array_memory(code, return_types: dict) -> None:
    """Rewrite code's primal and adjoint bodies (a FunctionCode) in place of their lists."""
    rewrite_bodies(code, return_types, _rewrite_body)


def rewrite_bodies(code, return_types: dict, rewrite) -> None:
    """code's (a FunctionCode) primal and adjoint bodies replaced by rewrite(body, types,
    return_types), each with the types of its own variables."""
    params = dict(code.signature.params)
    code.primal_body = rewrite(code.primal_body, {**params, **code.primal_locals}, return_types)
    adjoint_types = {**params, **code.locals, code.adjoint_param: code.locals.get(code.adjoint_param)}
    code.adjoint_body = rewrite(code.adjoint_body, adjoint_types, return_types)


def _rewrite_body(body: list, types: dict, return_types: dict) -> list:
    def type_of(e):
        return expr_type(e, types, return_types)

    assigned = Counter()
    for s in ir.walk_generated(body):
        if isinstance(s, ir.GAssign) and isinstance(s.target, str):
            assigned[s.target] += 1
        elif isinstance(s, ir.GUnpack):
            assigned.update(s.targets)
        elif isinstance(s, ir.GFor):
            assigned[s.var] += 1
    body = _fuse_outer_product(body, assigned, type_of)
    fresh = {s.target for s in body if isinstance(s, ir.GAssign) and s.op == "=" and isinstance(s.target, str)
             and assigned[s.target] == 1 and types.get(s.target) == ir.NDARRAY and _makes_new_array(s.value, type_of)}
    reads = [_Reads(s) for s in body]
    escaped = set().union(*(r.escaping for r in reads)) if reads else set()
    last_read = {}
    for i, r in enumerate(reads):
        for name in r.values:
            last_read[name] = i
    out = []
    for i, s in enumerate(body):
        if isinstance(s, ir.GAssign) and isinstance(s.target, str) and type_of(s.value) == ir.NDARRAY:
            dead = {n for n in fresh - escaped if last_read.get(n) == i and n != s.target}
            value, _ = _rewrite(s.value, dead, reads[i].values, type_of)
            if value != s.value:
                s = ir.GAssign(s.target, value, s.op, s.comment)
        out.append(s)
    return out


def _fuse_outer_product(body: list, assigned: Counter, type_of) -> list:
    """`b_h = matmul_adjoint_left(g, a, w)` read only by a later `b_h * (1.0 - h * h)`: that
    statement computes both (srcgrad.rules.in_place.outer_times_one_minus_square), moving the
    reads of g, a and w down to it, which is sound when none of them (names assigned at most
    once) is assigned or written between the two statements."""
    reads = [_Reads(s) for s in body]
    out = list(body)
    for j, s in enumerate(body):
        fused = _one_minus_square(s.value, type_of) if isinstance(s, ir.GAssign) and s.op == "=" else None
        if fused is None or not isinstance(fused[0], ir.Name):
            continue
        (b_h, h), i = fused, _definition(body, fused[0].id, j)
        if i is None:
            continue
        moved = [a.id for a in body[i].value.args] + [h.id]
        between = range(i + 1, j)
        elsewhere = any(b_h.id in _names_of(body[k]) for k in range(len(body)) if k not in (i, j))  # shapes too
        if assigned[b_h.id] == 1 and not elsewhere and b_h.id not in moved \
                and all(assigned[n] <= 1 and not any(n in reads[k].escaping or _assigns(body[k], n) for k in between)
                        for n in moved):
            out[i] = ir.GComment(f"{b_h.id}: computed with {s.target}, its only reader")
            out[j] = ir.GAssign(s.target, ir.Call(in_place.OUTER_ONE_MINUS_SQUARE, body[i].value.args + (h,)),
                                s.op, s.comment)
    return out


def _definition(body: list, name: str, before: int):
    """The index of `name = matmul_adjoint_left(g, a, w)` (names all) at the top level before `before`."""
    for i in range(before):
        s = body[i]
        if isinstance(s, ir.GAssign) and s.target == name and s.op == "=" and isinstance(s.value, ir.Call) \
                and s.value.func == "matmul_adjoint_left" and all(isinstance(a, ir.Name) for a in s.value.args):
            return i
    return None


def _names_of(s) -> set:
    """Every name statement s (and the statements in it) mentions, however it reads it."""
    names = set()
    for x in ir.walk_generated([s]):
        for e in [getattr(x, f, None) for f in ("value", "test", "target")] + list(getattr(x, "args", ())):
            if isinstance(e, ir.Expr):
                names |= ir.names_in(e)
            elif isinstance(e, str):
                names.add(e)
    return names


def _assigns(s, name: str) -> bool:
    return any(isinstance(x, ir.GAssign) and x.target == name or isinstance(x, ir.GUnpack) and name in x.targets
               or isinstance(x, ir.GFor) and x.var == name for x in ir.walk_generated([s]))


def _makes_new_array(e: ir.Expr, type_of) -> bool:
    """Whether e, of array type, always evaluates to memory of its own."""
    if isinstance(e, ir.BinOp):
        return e.op in ARITHMETIC
    if isinstance(e, ir.Unary):
        return e.op == "-"
    return isinstance(e, ir.Call) and e.func in in_place.UNARY and len(e.args) == 1


def _operation(e: ir.Expr, type_of):
    """(ufunc name, operands) of an elementwise operation the helpers can write in place, or None."""
    if isinstance(e, ir.BinOp) and e.op in in_place.BINARY and type_of(e) == ir.NDARRAY:
        return in_place.BINARY[e.op], (e.left, e.right)
    if isinstance(e, ir.Unary) and e.op == "-" and type_of(e) == ir.NDARRAY:
        return "negative", (e.operand,)
    if isinstance(e, ir.Call) and e.func in in_place.UNARY and len(e.args) == 1 and type_of(e) == ir.NDARRAY:
        return e.func, e.args
    return None


def _rewrite(e: ir.Expr, dead: set, occurrences: Counter, type_of) -> tuple:
    """(e rewritten, whether its value is an array nothing else references: an operation's result)."""
    if isinstance(e, ir.Call) and e.func == in_place.OUTER_ONE_MINUS_SQUARE:  # (g, a, w, h): into h if free
        h = e.args[3]  # a (position 1) is read for its shape alone
        here = Counter(a.id for k, a in enumerate(e.args) if isinstance(a, ir.Name) and k != 1)
        free = isinstance(h, ir.Name) and h.id in dead and occurrences[h.id] == here[h.id]
        return (ir.Call(in_place.reusing(e.func), e.args) if free else e), True
    fused = _one_minus_square(e, type_of)
    if fused is not None:
        return _rewrite_one_minus_square(*fused, dead, occurrences, type_of), True
    operation = _operation(e, type_of)
    if operation is None:
        kids = [_rewrite(k, dead, occurrences, type_of)[0] for k in ir.children(e)]
        rebuilt = e if not kids else ir.rebuild(e, kids)
        return rebuilt, _makes_new_array(e, type_of) and type_of(e) == ir.NDARRAY
    ufunc, operands = operation
    rewritten = [_rewrite(k, dead, occurrences, type_of) for k in operands]
    args = tuple(k for k, _ in rewritten)
    here = Counter(k.id for k in operands if isinstance(k, ir.Name))

    def reusable(position: int) -> bool:
        operand, temporary = operands[position], rewritten[position][1]
        if temporary:
            return True
        # a dead local read by this operation alone (h * h reads h twice, both here)
        return isinstance(operand, ir.Name) and operand.id in dead and occurrences[operand.id] == here[operand.id]

    if len(operands) == 1:
        return (ir.Call(in_place.reusing(ufunc), args) if reusable(0) else ir.rebuild(e, list(args))), True
    if reusable(0):
        return ir.Call(in_place.reusing_left(ufunc), args), True
    if reusable(1):
        return ir.Call(in_place.reusing_right(ufunc), args), True
    return ir.rebuild(e, list(args)), True


def _one_minus_square(e: ir.Expr, type_of):
    """(g, h) when e is the array g * (1.0 - h * h) or (1.0 - h * h) * g, h a name (tanh's adjoint)."""
    if not (isinstance(e, ir.BinOp) and e.op == "*" and type_of(e) == ir.NDARRAY):
        return None
    for g, factor in ((e.left, e.right), (e.right, e.left)):
        if isinstance(factor, ir.BinOp) and factor.op == "-" and ir.is_const(factor.left, 1.0) \
                and isinstance(factor.right, ir.BinOp) and factor.right.op == "*" \
                and isinstance(factor.right.left, ir.Name) and factor.right.left == factor.right.right:
            return g, factor.right.left
    return None


def _rewrite_one_minus_square(g: ir.Expr, h: ir.Name, dead: set, occurrences: Counter, type_of) -> ir.Expr:
    """One pass (srcgrad.rules.in_place.times_one_minus_square), into h or g where they are free."""
    g, g_temporary = _rewrite(g, dead, occurrences, type_of)
    here = Counter([h.id, h.id] + ([g.id] if isinstance(g, ir.Name) else []))
    if h.id in dead and occurrences[h.id] == here[h.id]:
        return ir.Call(in_place.reusing_right(in_place.ONE_MINUS_SQUARE), (g, h))
    if g_temporary or (isinstance(g, ir.Name) and g.id in dead and occurrences[g.id] == here[g.id]):
        return ir.Call(in_place.reusing_left(in_place.ONE_MINUS_SQUARE), (g, h))
    return ir.Call(in_place.ONE_MINUS_SQUARE, (g, h))


class _Reads:
    """The names a generated statement reads for their values (with how often), and those it
    reads where their memory may become part of another value (escaping)."""

    def __init__(self, s):
        self.values, self.escaping = Counter(), set()
        for stmt in ir.walk_generated([s]):
            self._statement(stmt)

    def _statement(self, s) -> None:
        if isinstance(s, ir.GAssign):
            if isinstance(s.target, ir.Index):  # writing elements: that array's memory is used
                self._escape(s.target)
            elif s.op != "=":
                self._name(s.target, escaping=True)
            self._expr(s.value, escaping=isinstance(s.value, (ir.Name, ir.IfExp)))
        elif isinstance(s, (ir.GCall, ir.GUnpack)):
            for a in (s.args if isinstance(s, ir.GCall) else (s.value,)):
                self._expr(a, escaping=True)
        elif isinstance(s, (ir.GIf, ir.GWhile)):
            self._expr(s.test, escaping=True)
        elif isinstance(s, ir.GFor):
            for a in s.args:
                self._expr(a, escaping=True)

    def _name(self, name: str, escaping: bool) -> None:
        self.values[name] += 1
        if escaping:
            self.escaping.add(name)

    def _escape(self, e: ir.Expr) -> None:
        for name in ir.names_in(e):
            self._name(name, escaping=True)

    def _expr(self, e: ir.Expr, escaping: bool) -> None:
        """escaping: whether e's value, when it is a name, may be kept as (part of) another value."""
        if isinstance(e, ir.Name):
            self._name(e.id, escaping)
        elif isinstance(e, (ir.BinOp, ir.Unary, ir.Compare)) and (not isinstance(e, ir.BinOp) or e.op in ARITHMETIC):
            for k in ir.children(e):
                self._expr(k, escaping=False)
        elif isinstance(e, ir.Call) and (e.func in CONSUMING_CALLS or e.func in SHAPE_ONLY):
            shape_only = SHAPE_ONLY.get(e.func, ())
            for position, k in enumerate(e.args):
                if position in shape_only and isinstance(k, ir.Name):
                    continue
                self._expr(k, escaping=e.func not in CONSUMING_CALLS)
        elif isinstance(e, ir.Alloc) and e.kind != "copy":
            for k in e.shape:
                self._expr(k, escaping=True)
        else:  # anything else may hand back its argument or a view of it
            self._escape(e)
