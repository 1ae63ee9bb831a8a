"""Fused loops: a sum reduction's value and adjoint in one pass (srcgrad.analysis.fusion proves
when). Each iteration runs its forward statements, then at once its reverse statements, with
the accumulators' adjoints (constant through the loop) known before it starts:

    for i in range(x.shape[0] - 1):  # line 8, value and adjoint in one pass
        total = total + (...)                  # line 9
        b_tmp = 100.0 * b_result * (...)       # its adjoint, b_total known: b_result
        ...

The values an iteration's reverse statements read are those its own forward statements left
(they are what the taped reverse sweep restores), so a variable the loop alone assigns needs
no tape; a value recorded because a later statement of the same iteration overwrites it stays
recorded (pushed and popped in the same iteration, the tape never grows).
"""

from __future__ import annotations

from .. import ir
from ..ir import GAssign, GCall, GFor, GIf, GUnpack, GWhile
from ..rules.elementwise import ELEMENTWISE
from ..runtime_names import POP, PUSH
from .gather import gathered, targets_of, written_names


def fused_loop(mode, s: ir.For, plan, body_f: list, body_r: list, taped_mark: int) -> list | None:
    """The forward-sweep statements of loop s fused with its reverse statements, or None where
    the generated code does not allow it (an accumulator's adjoint written, or its value taped)."""
    adjoint_of = {mode.adjoint_names[a]: a for a in plan.coefficients}
    if written_names(body_r) & set(adjoint_of) or _pushed(body_f) & plan.accumulators:
        return None
    body_f, body_r = _without_dead_records(mode, body_f, body_r, plan.loop_locals, taped_mark)
    prelude, mapping = [], {}
    b_result = ir.Name(mode.adjoint_names[mode.result])
    for name, accumulator in sorted(adjoint_of.items()):
        known = plan.coefficients[accumulator] * b_result
        if known == ir.Name(name):
            continue
        if not isinstance(known, (ir.Name, ir.Const)):  # computed once, before the loop
            temp = mode.temp(f"{name}_in_loop", ir.DOUBLE)
            prelude.append(GAssign(temp, known, comment=f"the adjoint of {accumulator} throughout the loop"))
            known = ir.Name(temp)
        mapping[name] = known
    body_r = substitute_generated(body_r, mapping)
    body_f, body_r = _calls_made_once(mode, body_f, body_r)
    body_r = [_ascending(mode, g, body_r[k + 1:]) for k, g in enumerate(body_r)]
    comment = f"line {s.line}, value and adjoint in one pass"
    loop = mode._range_loop(s, s.start, s.step, _sums_last(mode, body_f + body_r, plan.accumulators), comment)
    if len(loop) == 1 and not plan.loop_variable_read_after:  # the peeled loops leave it elsewhere
        loop = gathered(mode, loop[0]) or loop
    return prelude + loop


def _ascending(mode, g, after: list):
    """A reversed inner loop (`for j in range(d - 1, -1, -1)`) whose iterations are independent
    runs ascending, as its forward loop ran: the elements stream in memory order and C compilers
    vectorise it without reversing vectors. Independent: it takes nothing from the tape, writes
    arrays only by `+=` into elements and scalars only by `+=` (neither read in the loop) or as
    temporaries of one statement's adjoint, and nothing after it reads its variable."""
    if not (isinstance(g, GFor) and len(g.args) == 3 and g.args[2] == ir.Const(-1) and g.comment.endswith("reversed")):
        return g
    if any(isinstance(h, (GFor, GWhile, GUnpack)) or isinstance(h, GCall) for h in ir.walk_generated(g.body)):
        return g
    reads = _reads(g.body)
    for h in ir.walk_generated(g.body):
        if isinstance(h, GIf) and _pops(h.test):
            return g
        if not isinstance(h, GAssign):
            continue
        if _pops(h.value):
            return g
        name = h.target.array if isinstance(h.target, ir.Index) else h.target
        accumulated = h.op == "+=" and name not in reads
        if name == g.var or not (accumulated or (isinstance(h.target, str) and name in mode.temps)):
            return g
    if g.var in _reads(after):
        return g
    start, stop = g.args[1] + 1, g.args[0] + 1
    return GFor(g.var, (start, stop) if start != ir.Const(0) else (stop,), g.body,
                g.comment.replace(", reversed", ", adjoint, in order"))


def _pops(e: ir.Expr) -> bool:
    if isinstance(e, ir.Call) and e.func in set(POP.values()) | {"pop_branch"}:
        return True
    return any(_pops(c) for c in ir.children(e))


def _calls_made_once(mode, body_f: list, body_r: list) -> tuple:
    """A math call the reverse statements make again (`exp_value = exp(-(y[i] * z))`, for
    `loss += log(1.0 + exp(-y[i] * z))`) is made once, by the forward statement, into that
    temporary: nothing between them changes what it reads (C compilers keep both calls: exp may
    set errno). Only calls the forward statement always makes (not in a select's arm) are moved."""
    written_r = [written_names(body_r[:k]) for k in range(len(body_r))]
    for k, g in enumerate(body_r):
        if not (isinstance(g, GAssign) and isinstance(g.target, str) and g.target in mode.temps
                and isinstance(g.value, ir.Call) and g.value.func in ELEMENTWISE):
            continue
        call = ir.substitute(g.value, {})
        reads = ir.names_in(call)
        for m, f in enumerate(body_f):
            if not (isinstance(f, GAssign) and call in _unconditional_calls(f.value)):
                continue
            if reads & (written_names(body_f[m:]) | written_r[k]) or _counts(body_f + body_r, g.target) != 1:
                break
            hoisted = GAssign(g.target, call)
            body_f = body_f[:m] + [hoisted, GAssign(f.target, _replace_call(f.value, call, ir.Name(g.target)), f.op,
                                                    f.comment)] + body_f[m + 1:]
            body_r = [h if h is not g else None for h in body_r]
            break
    return body_f, [h for h in body_r if h is not None]


def _unconditional_calls(e: ir.Expr) -> list:
    """Calls e always makes, canonically spelled (not those in a select's arms)."""
    found = []

    def visit(x):
        if isinstance(x, ir.Call):
            found.append(ir.substitute(x, {}))
        for c in ((x.test,) if isinstance(x, ir.IfExp) else ir.children(x)):
            visit(c)

    visit(e)
    return found


def _replace_call(e: ir.Expr, call: ir.Expr, name: ir.Name) -> ir.Expr:
    if isinstance(e, ir.Call) and ir.substitute(e, {}) == call:
        return name
    if isinstance(e, ir.IfExp) or not ir.children(e):
        return e
    return ir.rebuild(e, [_replace_call(c, call, name) for c in ir.children(e)])


def _counts(stmts: list, name: str) -> int:
    return sum(1 for g in ir.walk_generated(stmts) if name in targets_of(g))


def _sums_last(mode, body: list, accumulators: set) -> list:
    """`acc = acc + e` as `acc_term = e` in its place and `acc = acc + acc_term` at the end of
    the iteration, where a select follows it: GCC threads a later select on the same condition
    through the sum, duplicating it into both arms, and no longer vectorises the reduction
    (huber: "unsupported use in stmt"). The accumulator is read nowhere else in the iteration."""
    out, sums = [], []
    for k, g in enumerate(body):
        increment = _increment_of(g, accumulators)
        if increment is None or not _has_select(body[k + 1:]) or isinstance(increment, (ir.Name, ir.Const)):
            out.append(g)
            continue
        term = mode.temp(f"{g.target}_term", mode.types[g.target])
        out.append(GAssign(term, increment, comment=g.comment))
        sums.append(GAssign(g.target, _with_increment(g.value, g.target, ir.Name(term))))
    return out + sums


def _increment_of(g, accumulators: set):
    if not (isinstance(g, GAssign) and g.op == "=" and g.target in accumulators and isinstance(g.value, ir.BinOp)):
        return None
    own = ir.Name(g.target)
    if g.value.op in "+-" and g.value.left == own and g.target not in ir.names_in(g.value.right):
        return g.value.right
    if g.value.op == "+" and g.value.right == own and g.target not in ir.names_in(g.value.left):
        return g.value.left
    return None


def _with_increment(value: ir.BinOp, target: str, term: ir.Expr) -> ir.Expr:
    if value.left == ir.Name(target):
        return ir.BinOp(value.op, value.left, term)
    return ir.BinOp(value.op, term, value.right)


def _has_select(stmts: list) -> bool:
    for g in ir.walk_generated(stmts):
        if isinstance(g, GIf) or any(_selects(e) for e in expressions_of(g)):
            return True
    return False


def _selects(e: ir.Expr) -> bool:
    return isinstance(e, ir.IfExp) or any(_selects(c) for c in ir.children(e))


def _without_dead_records(mode, body_f: list, body_r: list, loop_locals: set, taped_mark: int) -> tuple:
    """Drop a push of the iteration's top level and its pop when the restored value is read by no
    later reverse statement of the iteration and by nothing outside the loop."""
    pushes = [k for k, g in enumerate(body_f) if isinstance(g, GCall) and g.func in PUSH.values()]
    pops = [k for k, g in enumerate(body_r) if isinstance(g, GAssign) and isinstance(g.value, ir.Call)
            and g.value.func in POP.values()]
    if len(pushes) != len(pops):
        return body_f, body_r
    drop_f, drop_r = set(), set()
    for push, pop in zip(pushes, reversed(pops)):
        pushed = body_f[push].args[1]
        var = body_r[pop].target
        if pushed != ir.Name(var):
            return body_f, body_r  # not the pairs they seem: keep every record
        if var in loop_locals and var not in _reads(body_r[pop + 1:]):
            drop_f.add(push)
            drop_r.add(pop)
            _forget_taped(mode, var, taped_mark)
    return ([g for k, g in enumerate(body_f) if k not in drop_f],
            [g for k, g in enumerate(body_r) if k not in drop_r])


def _forget_taped(mode, var: str, taped_mark: int) -> None:
    for k in range(taped_mark, len(mode.taped)):
        if mode.taped[k].startswith(f"{var}: "):
            del mode.taped[k]
            return


def _pushed(stmts: list) -> set:
    return {g.args[1].id for g in ir.walk_generated(stmts)
            if isinstance(g, GCall) and g.func in PUSH.values() and isinstance(g.args[1], ir.Name)}


def _reads(stmts: list) -> set:
    names = set()
    for g in ir.walk_generated(stmts):
        for e in expressions_of(g):
            names |= ir.names_in(e)
    return names


def expressions_of(g) -> list:
    """The expressions generated statement g itself evaluates (an element target's indices too)."""
    if isinstance(g, GAssign):
        return [g.value] + (list(g.target.indices) if isinstance(g.target, ir.Index) else [])
    if isinstance(g, (GIf, GWhile)):
        return [g.test]
    if isinstance(g, GFor):
        return list(g.args)
    if isinstance(g, GCall):
        return [a for a in g.args if isinstance(a, ir.Expr)]
    if isinstance(g, GUnpack):
        return [g.value]
    return []


def substitute_generated(stmts: list, mapping: dict) -> list:
    """Generated statements with ir.substitute(mapping) applied to every expression they read."""
    if not mapping:
        return stmts

    def sub(e):
        return ir.substitute(e, mapping) if isinstance(e, ir.Expr) else e

    out = []
    for g in stmts:
        if isinstance(g, GAssign):
            target = ir.Index(g.target.array, tuple(sub(i) for i in g.target.indices)) \
                if isinstance(g.target, ir.Index) else g.target
            out.append(GAssign(target, sub(g.value), g.op, g.comment))
        elif isinstance(g, GIf):
            out.append(GIf(sub(g.test), substitute_generated(g.body, mapping), substitute_generated(g.orelse, mapping)))
        elif isinstance(g, GFor):
            out.append(GFor(g.var, tuple(sub(a) for a in g.args), substitute_generated(g.body, mapping), g.comment))
        elif isinstance(g, GWhile):
            out.append(GWhile(sub(g.test), substitute_generated(g.body, mapping), g.comment))
        elif isinstance(g, GCall):
            out.append(GCall(g.func, tuple(sub(a) for a in g.args), g.comment))
        elif isinstance(g, GUnpack):
            out.append(GUnpack(g.targets, sub(g.value), g.comment))
        else:
            out.append(g)
    return out
