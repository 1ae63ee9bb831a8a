"""Reverse mode: a forward sweep that records on the tape, and a reverse sweep that replays it.

Each statement `v = e` of the lowered function becomes, in the reverse sweep, an optional
restore (`v = pop_double(tape)`, only when the forward sweep had to record v's old value) and
the adjoint of the statement (srcgrad.transform.adjoints): the incoming adjoint `b_v`
propagated through e by the rules of srcgrad.rules, with the values e reads recomputed from
restored variables.

What is recorded is srcgrad.analysis.recording's plan: a variable's old value is pushed before
an assignment only if some adjoint reads that variable and an earlier value can still be needed
(the assignment is in a loop, or the variable was set before). Branches record which arm ran
unless their condition reads only values that never change (then the reverse sweep recomputes
it); loops record their trip count unless the reverse sweep can recompute their range.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import ir
from ..ir import TAPE, GAssign, GBreak, GCall, GComment, GFor, GIf, GRaise, GWhile
from ..analysis import bounds
from ..analysis.activity import active_variables, first_definitions, loop_only_variables, stable_names
from ..analysis.fusion import fusion_plan
from ..analysis.recording import elements_written_once, reader_counts, recomputation_plan, recording_plan
from ..analysis.types import expr_type
from ..diagnostics import Unsupported
from ..rules import conversions
from ..runtime_names import POP, POP_BRANCH, PUSH, PUSH_BRANCH, RESERVE
from .adjoints import StatementAdjoints
from .checkpoint import checkpointed, note_taped
from .fuse import fused_loop
from .lower import Names



@dataclass
class Signature:
    """What callers need to know about a generated function."""

    name: str
    params: list  # [(name, type)]
    return_type: str
    differentiable: list  # parameter names with adjoints (double parameters), in order
    primal: str  # generated primal function name
    adjoint: str  # generated adjoint function name
    jvp: str = ""  # forward mode: (value, directional derivative)
    hvp: str = ""  # forward over reverse: (value, gradient, their directional derivatives)


@dataclass
class FunctionCode:
    signature: Signature
    primal_body: list
    adjoint_body: list
    locals: dict  # name -> type, every local of the adjoint (primal uses a subset)
    primal_locals: dict
    result: str
    adjoint_param: str  # the incoming cotangent's parameter name
    taped: list  # human-readable lines: what the tape records
    line: int
    zero_init: list  # adjoint variables, which start at zero
    adjoint_names: dict  # variable -> its adjoint's name
    names: Names  # every name the function's generated code uses, for further transforms
    notes: list = field(default_factory=list)  # (line, column, message): loops a tape limit leaves taped
    overwritten: frozenset = frozenset()  # array parameters whose adjoint the adjoint writes whole (write_once)


class ReverseMode(StatementAdjoints):
    def __init__(self, function: ir.Function, result: str, names: Names, signatures: dict, constants: dict,
                 tape_limit: int | None = None):
        self.fn = function
        self.result = result
        self.names = names
        self.signatures = signatures
        self.types = dict(function.var_types)
        self.constants = constants
        # activity starts from the parameters the signature differentiates (all float ones by
        # default; fewer when the gradient is asked with respect to some of them only)
        self.active = active_variables(function, result, self._differentiable())
        self.stable = stable_names(function, constants)
        self.loop_only = loop_only_variables(function)
        self.adjoint_names = self._adjoint_names()
        self.temps = {}  # generated locals -> type
        self.taped = []
        self.tape_limit = tape_limit  # bytes: checkpoint loops whose tape would not fit (transform.checkpoint)
        self.checkpoint_notes = []

    # names -------------------------------------------------------------------------------
    def _adjoint_names(self) -> dict:
        mapping = {}
        for var in sorted(self.active | {p for p in self._differentiable()}):
            mapping[var] = self.names.fresh(f"b_{var}")
        return mapping

    def _differentiable(self) -> list:
        return list(self.signatures[self.fn.name].differentiable)

    def adj(self, var: str) -> ir.Name:
        return ir.Name(self.adjoint_names[var])

    def temp(self, base: str, kind: str) -> str:
        name = self.names.fresh(base)
        self.temps[name] = kind
        return name

    def type_of(self, e: ir.Expr) -> str:
        return expr_type(e, {**self.types, **self.temps}, {k: s.return_type for k, s in self.signatures.items()})

    # sweeps ------------------------------------------------------------------------------
    def generate(self) -> FunctionCode:
        self.readers = reader_counts(self.fn)
        self.bounds = bounds.plan(self.fn)
        self.written_once = elements_written_once(self.fn)
        self.first_definitions = first_definitions(self.fn)
        self.find_adjoint_reads()
        self.names_before = set(self._differentiable()) | {p for p, _ in self.fn.params}
        self.record = recording_plan(self.fn, self.adjoint_reads)
        self.recomputed, self.recomputed_vars = recomputation_plan(self.fn, self.stable)
        self._recomputed_here = set()
        self._loop_depth = 0
        self._loop_vars = []
        forward, reverse = self.block(self.fn.body)
        sig = self.signatures[self.fn.name]
        adjoint_param = self.names.fresh(f"b_{self.result}") if self.result not in self.active else \
            self.adjoint_names[self.result]
        locals_ = {}
        params = {p for p, _ in self.fn.params}
        assigned = {x.target for x in ir.walk(self.fn.body) if isinstance(x, ir.Assign)}
        for var, kind in sorted(self.types.items()):
            if var not in params and (var not in self.constants or var in assigned):
                locals_[var] = kind
        primal_locals = dict(locals_)
        for var, name in sorted(self.adjoint_names.items()):
            if name != adjoint_param and not (var in params and ir.array_dims(self.types[var])):
                locals_[name] = self.types[var]  # array parameters' adjoints arrive as parameters
        locals_.update(sorted(self.temps.items()))
        if self.types.get(self.result) == ir.NDARRAY:
            # the output cotangent arrives as a number or an array shaped like the output
            reverse = [GAssign(adjoint_param, ir.Call("cotangent_like", (ir.Name(adjoint_param), ir.Name(self.result))))
                       ] + (reverse or [GComment("(nothing to do)")])
        body = [GComment("forward sweep")] + forward
        body += [GComment("reverse sweep")] + (reverse or [GComment("(nothing to do)")])
        grads = [self.adj(p) for p in sig.differentiable if not ir.array_dims(self.types[p])]
        body.append(GCall("return", (ir.Name(self.result),) + tuple(grads)))
        adjoint_temps = dict(self.temps)
        primal = self.primal_block(self.fn.body) + [GCall("return", (ir.Name(self.result),))]
        primal_locals.update((k, v) for k, v in sorted(self.temps.items()) if k not in adjoint_temps)
        zero_init = sorted(name for name, kind in locals_.items()
                           if name in self.adjoint_names.values() and kind in (ir.DOUBLE, ir.NDARRAY))
        return FunctionCode(sig, primal, body, locals_, primal_locals, self.result, adjoint_param,
                            self.taped or ["nothing"], self.fn.line, zero_init, dict(self.adjoint_names),
                            self.names, list(self.checkpoint_notes))

    def checks(self, s) -> list:
        """Bounds checks that go right before statement s (loops: before the loop)."""
        found = self.bounds.before_loop.get(id(s), []) + self.bounds.before_statement.get(id(s), [])
        return [GIf(c.condition, [GRaise("IndexError", f"index out of range for array '{c.array}' "
                                                     f"(line {c.line})")]) for c in found]

    def primal_block(self, stmts) -> list:
        out = []
        for s in stmts:
            out.extend(self.checks(s))
            if isinstance(s, ir.Assign) and s.index is not None:
                out.append(GAssign(ir.Index(s.target, s.index), s.value))
            elif isinstance(s, ir.Assign):
                out.append(GAssign(s.target, s.value))
            elif isinstance(s, ir.If):
                out.append(GIf(s.test, self.primal_block(s.body), self.primal_block(s.orelse)))
            elif isinstance(s, ir.For):
                body = self.primal_block(s.body)
                if s.exit_flag is not None:
                    body.append(GIf(s.exit_flag, [GBreak()]))
                out.extend(self._range_loop(s, s.start, s.step, body))
            elif isinstance(s, ir.While):
                body = self.primal_block(s.body)
                if s.exit_flag is not None:
                    body.append(GIf(s.exit_flag, [GBreak()]))
                out.append(GWhile(s.test, body))
            elif isinstance(s, ir.RaiseIf):
                out.append(GIf(s.test, [GRaise(s.exception, s.message)]))
        return out

    def block(self, stmts) -> tuple:
        """(forward statements, reverse statements) of a statement list."""
        forward, reverse = [], []
        for s in stmts:
            f, r = self.statement(s)
            forward.extend(self.checks(s))
            forward.extend(f)
            reverse[:0] = r
        return forward, reverse

    def statement(self, s) -> tuple:
        if isinstance(s, ir.Assign):
            return self.assign(s)
        if isinstance(s, ir.If):
            return self.if_(s)
        if isinstance(s, ir.For):
            return self.for_(s)
        if isinstance(s, ir.While):
            return self.while_(s)
        if isinstance(s, ir.RaiseIf):  # the forward sweep checks as the primal does; no adjoint
            return [GIf(s.test, [GRaise(s.exception, s.message)])], []
        raise TypeError(s)

    def _must_record(self, s) -> bool:
        if isinstance(s, ir.Assign) and s.index is None and s.target in self.recomputed_vars:
            return False
        return self.record.get(id(s), False)

    def _record(self, var: str, line: int) -> tuple:
        kind = self.types[var]
        how_often = "per iteration" if self._loop_depth else "once"
        self.taped.append(f"{var}: 1 {'double' if kind == ir.DOUBLE else 'int'} {how_often} (line {line})")
        return (GCall(PUSH[kind], (TAPE, ir.Name(var)), f"{var} is overwritten at line {line}"),
                GAssign(var, ir.Call(POP[kind], (TAPE,)), comment=f"restore {var} (line {line})"))

    def assign(self, s: ir.Assign) -> tuple:
        if s.index is not None:
            return self.assign_element(s)
        if isinstance(s.value, ir.Alloc) or conversions.conversion(s.value) == conversions.AS_ELEMENTS:
            return self.allocate(s)
        forward, reverse = [], []
        if self._must_record(s):
            push, pop = self._record(s.target, s.line)
            forward.append(push)
            reverse.append(pop)
        forward.append(GAssign(s.target, s.value, comment=f"line {s.line}"))
        self.names_before.add(s.target)
        return forward, reverse + self.adjoints[id(s)]

    def assign_element(self, s: ir.Assign) -> tuple:
        element = ir.Index(s.target, s.index)
        forward, reverse = [], []
        if self._must_record(s) and id(s) not in self.written_once:
            how_often = "per iteration" if self._loop_depth else "once"
            self.taped.append(f"{s.target}[...]: 1 double {how_often} (line {s.line})")
            forward.append(GCall(PUSH[ir.DOUBLE], (TAPE, element), f"{s.target}[...] is overwritten at line {s.line}"))
            reverse.append(GAssign(element, ir.Call(POP[ir.DOUBLE], (TAPE,)), comment=f"restore {s.target}[...] "
                                                                                    f"(line {s.line})"))
        forward.append(GAssign(element, s.value, comment=f"line {s.line}"))
        return forward, reverse + self.adjoints[id(s)]

    def allocate(self, s: ir.Assign) -> tuple:
        if self._loop_depth > 0:
            raise Unsupported("allocating an array inside a loop", s.line, s.column)
        if s.target in self.names_before:
            raise Unsupported(f"allocating the array '{s.target}' twice", s.line, s.column)
        self.names_before.add(s.target)
        forward = [GAssign(s.target, s.value, comment=f"line {s.line}")]
        if s.target in self.active:
            forward.append(GAssign(self.adjoint_names[s.target], ir.Alloc("zeros", (), s.target)))
        return forward, self.adjoints[id(s)]

    def _recomputable(self, e: ir.Expr) -> bool:
        if ir.user_calls_in(e):
            return False
        return ir.names_in(e) <= self.stable | set(self._loop_vars) | self._recomputed_here

    def _range_loop(self, s: ir.For, start: ir.Expr, step: ir.Expr, body: list, comment: str = "") -> list:
        """`for var in range(start, s.stop, step)`; a step whose sign is unknown counts iterations
        instead (C needs the direction of a loop when it is compiled)."""
        if isinstance(step, ir.Const):
            return [GFor(s.var, _range_args(ir.For(s.line, s.column, s.var, start, s.stop, step, [])), body, comment)]
        out = []
        if not isinstance(start, (ir.Name, ir.Const)):
            name = self.temp(f"{s.var}_start", ir.INT)
            out.append(GAssign(name, start))
            start = ir.Name(name)
        if not isinstance(step, ir.Name):
            name = self.temp(f"{s.var}_step", ir.INT)
            out.append(GAssign(name, step))
            step = ir.Name(name)
        k = self.temp("iteration", ir.INT)
        count = ir.Call("range_length", (start, s.stop, step))
        return out + [GFor(k, (count,), [GAssign(s.var, start + ir.Name(k) * step)] + body, comment)]

    def _recompute(self, s: ir.For) -> list:
        return [GAssign(x.target, x.value, comment=f"recompute line {x.line}") for x in self.recomputed.get(id(s), [])]

    def if_(self, s: ir.If) -> tuple:
        body_f, body_r = self.block(s.body)
        else_f, else_r = self.block(s.orelse)
        if not body_r and not else_r:
            return [GIf(s.test, body_f, else_f)], []
        if self._recomputable(s.test):
            return [GIf(s.test, body_f, else_f)], [GIf(s.test, body_r, else_r)]
        body_f = body_f + [GCall(PUSH_BRANCH, (TAPE, ir.Const(1)))]
        else_f = else_f + [GCall(PUSH_BRANCH, (TAPE, ir.Const(0)))]
        how_often = "per iteration" if self._loop_depth else "once"
        self.taped.append(f"branch at line {s.line}: 1 byte {how_often}")
        return [GIf(s.test, body_f, else_f)], [GIf(ir.Call(POP_BRANCH, (TAPE,)), body_r, else_r)]

    def for_(self, s: ir.For) -> tuple:
        forward, reverse_after = [], []
        if self._must_record(s) and s.var not in self.loop_only:
            push, pop = self._record(s.var, s.line)
            forward.append(push)
            reverse_after.append(pop)
        simple = (s.exit_flag is None and isinstance(s.step, ir.Const) and s.step.value in (1, -1)
                  and all(self._recomputable(b) for b in (s.start, s.stop)))
        loop_var_fixed = not any(isinstance(x, ir.Assign) and x.target == s.var for x in ir.walk(s.body))
        plan = fusion_plan(self.fn, s, self.result, self.active) \
            if self._loop_depth == 0 and self.result in self.active else None
        taped_mark = len(self.taped)
        self._loop_depth += 1
        if loop_var_fixed:
            self._loop_vars.append(s.var)
        outer_recomputed = self._recomputed_here
        self._recomputed_here = outer_recomputed | {x.target for x in self.recomputed.get(id(s), [])}
        body_f, body_r = self.block(s.body)
        self._recomputed_here = outer_recomputed
        if loop_var_fixed:
            self._loop_vars.pop()
        self._loop_depth -= 1
        self.names_before.add(s.var)
        fused = fused_loop(self, s, plan, body_f, body_r, taped_mark) if plan is not None and body_r else None
        if fused is not None:  # value and adjoint in one pass (transform.fuse)
            return forward + fused, reverse_after
        if body_r:
            body_r = self._recompute(s) + body_r
        if s.exit_flag is not None:
            body_f = body_f + [GIf(s.exit_flag, [GBreak()])]
        comment = f"line {s.line}"
        if not body_r:
            return forward + self._range_loop(s, s.start, s.step, body_f, comment), reverse_after

        if simple:
            taped_f = self._reserve(body_f, _trip_count(s)) + [GFor(s.var, _range_args(s), body_f, comment)]
            if s.step.value == 1:
                args = (s.stop - 1, s.start - 1, ir.Const(-1))
            else:
                args = (s.stop + 1, s.start + 1)
            taped_r = [GFor(s.var, args, body_r, f"line {s.line}, reversed")]
            loop_f, loop_r = checkpointed(self, s, body_f, body_r, taped_f, taped_r)
            return forward + loop_f, loop_r + reverse_after

        if all(self._recomputable(b) for b in (s.start, s.stop, s.step)):
            taped_f, taped_r = self._counted_loop(s, [], body_f, body_r, comment, [])
            loop_f, loop_r = checkpointed(self, s, body_f, body_r, taped_f, taped_r)
            return forward + loop_f, loop_r + reverse_after
        note_taped(self, s, body_f, "its range's bounds or step can change while it runs")
        return self._counted_loop(s, forward, body_f, body_r, comment, reverse_after)

    def _counted_loop(self, s: ir.For, forward: list, body_f: list, body_r: list, comment: str,
                      reverse_after: list) -> tuple:
        """The general case: count the iterations, keep the range's start and step."""
        nested = self._loop_depth > 0
        trips = self.temp("trips", ir.INT)
        start, step = s.start, s.step
        keep = []
        if not self._recomputable(start):
            start_name = self.temp(f"{s.var}_start", ir.INT)
            forward.append(GAssign(start_name, s.start))
            start, keep = ir.Name(start_name), keep + [start_name]
        if not self._recomputable(step):
            step_name = self.temp(f"{s.var}_step", ir.INT)
            forward.append(GAssign(step_name, s.step))
            step, keep = ir.Name(step_name), keep + [step_name]
        forward.append(GAssign(trips, ir.Const(0)))
        if s.exit_flag is None:
            forward += self._reserve(body_f, ir.Call("range_length", (start, s.stop, step)))
        forward += self._range_loop(s, start, step, [GAssign(trips, ir.Const(1), "+=")] + body_f, comment)
        reverse = []
        if nested:
            for name in keep + [trips]:
                forward.append(GCall(PUSH[ir.INT], (TAPE, ir.Name(name))))
                reverse.insert(0, GAssign(name, ir.Call(POP[ir.INT], (TAPE,))))
            self.taped.append(f"trip count of the loop at line {s.line}: 1 int per outer iteration")
        k = self.temp("iteration", ir.INT)
        body = [GAssign(s.var, start + ir.Name(k) * step)] + body_r
        reverse.append(GFor(k, (ir.Name(trips) - 1, ir.Const(-1), ir.Const(-1)), body, f"line {s.line}, reversed"))
        return forward, reverse + reverse_after

    def while_(self, s: ir.While) -> tuple:
        self._loop_depth += 1
        body_f, body_r = self.block(s.body)
        self._loop_depth -= 1
        if s.exit_flag is not None:
            body_f = body_f + [GIf(s.exit_flag, [GBreak()])]
        comment = f"line {s.line}"
        if not body_r:
            return [GWhile(s.test, body_f, comment)], []
        trips = self.temp("trips", ir.INT)
        forward = [GAssign(trips, ir.Const(0)),
                   GWhile(s.test, [GAssign(trips, ir.Const(1), "+=")] + body_f, comment)]
        reverse = []
        if self._loop_depth > 0:
            forward.append(GCall(PUSH[ir.INT], (TAPE, ir.Name(trips))))
            reverse.append(GAssign(trips, ir.Call(POP[ir.INT], (TAPE,))))
            self.taped.append(f"trip count of the loop at line {s.line}: 1 int per outer iteration")
        k = self.temp("iteration", ir.INT)
        reverse.append(GFor(k, (ir.Name(trips),), body_r, f"line {s.line}, reversed"))
        return checkpointed(self, s, body_f, body_r, forward, reverse)

    def _reserve(self, body: list, trip_count: ir.Expr) -> list:
        """Preallocate the tape for a loop whose trip count is known when it starts."""
        counts = _static_pushes(body)
        if counts is None:
            return []
        out = []
        for push, per_iteration in sorted(counts.items()):
            if per_iteration:
                out.append(GCall(RESERVE[push], (TAPE, trip_count * ir.Const(per_iteration))))
        return out


def _static_pushes(body) -> dict | None:
    """Pushes per iteration of a loop body, or None if a nested loop makes it unknown."""
    counts = {}
    for g in body:
        if isinstance(g, GCall) and g.func in RESERVE:
            counts[g.func] = counts.get(g.func, 0) + 1
        elif isinstance(g, GIf):
            arms = [_static_pushes(g.body), _static_pushes(g.orelse)]
            if None in arms:
                return None
            for push in set(arms[0]) | set(arms[1]):
                counts[push] = counts.get(push, 0) + max(arms[0].get(push, 0), arms[1].get(push, 0))
        elif isinstance(g, (GFor, GWhile)):
            if _static_pushes(g.body):
                return None
    return counts


def _range_args(s: ir.For) -> tuple:
    if isinstance(s.step, ir.Const) and s.step.value == 1:
        if isinstance(s.start, ir.Const) and s.start.value == 0:
            return (s.stop,)
        return (s.start, s.stop)
    return (s.start, s.stop, s.step)


def _trip_count(s: ir.For) -> ir.Expr:
    if s.step.value == 1:
        return s.stop - s.start
    return s.start - s.stop


def point_calls_at_primals(stmts, primal_of: dict) -> list:
    """Calls of compiled functions in generated code (user names, as in the lowered source) made
    calls of their generated primal functions; primal_of: user name -> primal function name."""

    def fix(e):
        if isinstance(e, ir.UserCall):
            return ir.UserCall(primal_of.get(e.func, e.func), tuple(fix(a) for a in e.args))
        if not ir.children(e):
            return e
        return ir.rebuild(e, [fix(c) for c in ir.children(e)])

    out = []
    for s in stmts:
        if isinstance(s, GAssign):
            out.append(GAssign(s.target, fix(s.value), s.op, s.comment))
        elif isinstance(s, GCall):
            out.append(GCall(s.func, tuple(fix(a) for a in s.args), s.comment))
        elif isinstance(s, GIf):
            out.append(GIf(fix(s.test), point_calls_at_primals(s.body, primal_of),
                           point_calls_at_primals(s.orelse, primal_of)))
        elif isinstance(s, GFor):
            out.append(GFor(s.var, tuple(fix(a) for a in s.args), point_calls_at_primals(s.body, primal_of), s.comment))
        elif isinstance(s, GWhile):
            out.append(GWhile(fix(s.test), point_calls_at_primals(s.body, primal_of), s.comment))
        else:
            out.append(s)  # a GUnpack already names the adjoint function
    return out
