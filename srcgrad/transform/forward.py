"""Forward mode: tangents carried beside values, on generated code itself.

The transform works on generated statements (srcgrad.ir's G* classes), not on
the user's source, so it applies to the primal (giving jvp_f) and equally to the adjoint
(giving forward-over-reverse Hessian-vector products), and again to its own output (third
derivatives). Every variable whose value depends on the seeded inputs gets a tangent `d_v`:
`v = e` is preceded by `d_v = Σ ∂e/∂u · d_u`, evaluated at the values before the assignment.
Control flow is replayed as it is; the tape records each tangent beside its value.
"""

from __future__ import annotations

from .. import ir
from ..analysis.activity import value_names
from ..analysis.types import expr_type
from ..rules import conversions, guards, symbolic
from ..rules.elementwise import ELEMENTWISE
from ..runtime_names import POP, PUSH
from .checkpoint import with_tangents
from .lower import Names

SCALAR_RULES = {"+": "add", "-": "subtract", "*": "multiply", "/": "true_divide", "**": "power",
                "//": "floor_divide", "%": "remainder"}
TANGENT_TYPES = (ir.DOUBLE, ir.NDARRAY)


def _has_tangent_type(kind) -> bool:
    return kind in TANGENT_TYPES or bool(ir.array_dims(kind))


class Tangents:
    """Forward-mode transform of one generated function body."""

    def __init__(self, types: dict, seeds: set, names: Names, callee_tangents: dict, prefix: str = "d_",
                 read_only=frozenset(), outputs=frozenset()):
        self.types = dict(types)
        # seeds whose tangents are the caller's arrays (not outputs): copied before the body writes
        # into them, as the primal `y[i] *= g` writes into a parameter y
        self.read_only = set(read_only)
        self._depth = 0
        self.names = names
        # generated function name -> (its tangent function, the kinds of its inputs after the tape)
        self.callee_tangents = callee_tangents
        self.prefix = prefix
        self.tangent_names = {}
        self.varied = set(seeds)
        self.outputs = set(outputs)
        self.needed = None  # set by settle(): None, every varying variable's tangent is computed
        self.unbounded = set()  # set by settle(): the variables whose tangents may be infinite
        self.new_locals = {}
        self._before = []  # statements _simple adds before the one being transformed

    # which variables carry tangents -------------------------------------------------------
    def settle(self, stmts) -> None:
        """Flow-insensitive: a variable varies if any assignment gives it a varying value."""
        changed = True
        while changed:
            changed = False
            for s in ir.walk_generated(stmts):
                targets, value = _targets_and_value(s)
                if value is None or not (_measured_names(value) & self.varied):
                    continue
                for target in targets:
                    if target not in self.varied and _has_tangent_type(self.types.get(target)):
                        self.varied.add(target)
                        changed = True
        self.needed = _needed(stmts, self.varied, self.outputs)
        self.unbounded = _unbounded_tangents(stmts, self.varied)


    def d(self, var: str) -> str:
        if var not in self.tangent_names:
            self.tangent_names[var] = self.names.fresh(f"{self.prefix}{var}")
            self.new_locals[self.tangent_names[var]] = self.types.get(var, ir.DOUBLE)
        return self.tangent_names[var]

    # expression tangents -----------------------------------------------------------------
    def tangent(self, e: ir.Expr):
        """The tangent of e, or None where it is zero."""
        if isinstance(e, ir.Name):
            return ir.Name(self.d(e.id)) if e.id in self.varied else None
        if isinstance(e, ir.Index):
            return ir.Index(self.d(e.array), e.indices) if e.array in self.varied else None
        if not (_measured_names(e) & self.varied):
            return None
        if conversions.conversion(e):  # linear: the tangent converted alike
            t = self.tangent(e.args[0])
            return None if t is None else ir.Call(e.func, (t,))
        if symbolic.linear_arguments(e) is not None:  # an array primitive or adjoint: (multi)linear
            return symbolic.tangent(e, self.tangent)
        if isinstance(e, ir.IfExp):
            body, orelse = self.tangent(e.body), self.tangent(e.orelse)
            guard = _linear_guard(e)
            d_guard = None if guard is None else self.tangent(guard)
            if d_guard is not None:
                # the guard `X * P if X != 0.0 else 0.0` still moves with X where X is 0: its tangent
                # there is d_X * P (guarded in turn, P may be infinite), not 0. A Hessian at a zero
                # cotangent (w * sqrt(u) at w = 0) needs it
                d_guard = self._simple(d_guard)
                orelse = guards.unless_zero(d_guard, ir.substitute(e.body, {guard: d_guard}))
            if body is None and orelse is None:
                return None
            return ir.IfExp(e.test, body if body is not None else ir.Const(0.0),
                            orelse if orelse is not None else ir.Const(0.0))
        kids, partials = self._partials(e)
        total = None
        for kid, partial in zip(kids, partials):
            if partial is None:
                continue
            t = self.tangent(kid)
            if t is None:
                continue
            if guards.unbounded(e) and guards.needs_guard(t):  # sqrt(u) at 0: a zero d_u gives 0, not 0 * inf
                t = self._simple(t)
                total = _add(total, guards.unless_zero(t, partial * t))
            elif guards.needs_guard(partial) and _may_be_unbounded(kid, self.unbounded):
                # d(r * r) with r = sqrt(u) at u = 0: the zero partial r times d_r = inf gives 0, as
                # reverse mode takes a zero cotangent times the infinite partial (jvp_ = grad_ . t)
                total = _add(total, guards.unless_zero(partial, partial * t))
            else:
                total = _add(total, partial * t)
        return total

    def _simple(self, t: ir.Expr) -> ir.Expr:
        """t itself if it is a name or a constant, else a new variable holding it, assigned before
        the statement being transformed (a guard reads t twice; nested guards would double it)."""
        if isinstance(t, (ir.Name, ir.Const, ir.Index)):
            return t
        kind = expr_type(t, {**self.types, **self.new_locals}, {})
        name = self.names.fresh(f"{self.prefix}tmp")
        self.new_locals[name] = ir.NDARRAY if kind == ir.NDARRAY or ir.array_dims(kind) else ir.DOUBLE
        self._before.append(ir.GAssign(name, t))
        return ir.Name(name)

    def _partials(self, e):
        if isinstance(e, ir.BinOp):
            rule = SCALAR_RULES[e.op]
            partials = list(ELEMENTWISE[rule].partials(e.left, e.right, e))
            if e.op == "**" and not (ir.names_in(e.right) & self.varied):
                partials[1] = None
            return (e.left, e.right), [None if p is None else ir.lift(p) for p in partials]
        if isinstance(e, ir.Unary):
            return (e.operand,), [ir.Const(-1.0) if e.op == "-" else None]
        if isinstance(e, ir.Call):
            if e.func == "float":
                return e.args, [ir.Const(1.0)]
            rule = ELEMENTWISE.get(e.func)
            if rule is None:
                return e.args, [None] * len(e.args)
            return e.args, [None if p is None else ir.lift(p) for p in rule.partials(*e.args, e)]
        return ir.children(e), [None] * len(ir.children(e))

    # statements --------------------------------------------------------------------------
    def transform(self, stmts) -> list:
        self._depth += 1
        out = []
        for s in stmts:
            out.extend(self.statement(s))
        self._depth -= 1
        if self._depth == 0:
            written = sorted({t.target.array for t in ir.walk_generated(stmts) if isinstance(t, ir.GAssign)
                              and isinstance(t.target, ir.Index) and t.target.array in self.read_only})
            out = [ir.GAssign(self.d(name), ir.Alloc("copy", (), self.d(name)), comment="the caller's tangent stays as it was")
                   for name in written] + out
        return out

    def statement(self, s) -> list:
        """The statements of s with tangents, after those holding guarded tangents (_simple)."""
        outer, self._before = self._before, []
        try:
            out = self._statement(s)
            return self._before + out
        finally:
            self._before = outer

    def _statement(self, s) -> list:
        scheduled = with_tangents(self, s)  # a checkpointed loop's snapshots and sizes
        if scheduled is not None:
            return scheduled
        if isinstance(s, ir.GAssign):
            return self.assign(s)
        if isinstance(s, ir.GUnpack):
            return self.unpack(s)
        if isinstance(s, ir.GIf):
            return [ir.GIf(s.test, self.transform(s.body), self.transform(s.orelse))]
        if isinstance(s, ir.GFor):
            return [ir.GFor(s.var, s.args, self.transform(s.body), s.comment)]
        if isinstance(s, ir.GWhile):
            return [ir.GWhile(s.test, self.transform(s.body), s.comment)]
        if isinstance(s, ir.GCall) and s.func == PUSH[ir.DOUBLE]:
            value = s.args[1]
            t = self.tangent(value) if _varies(value, self.varied) else None
            return [s] + ([ir.GCall(PUSH[ir.DOUBLE], (ir.TAPE, t), "and its tangent")] if t is not None else [])
        if isinstance(s, ir.GCall) and s.func == "return":
            tangents = [self.tangent(a) for a in s.args]
            return [ir.GCall("return", s.args + tuple(t if t is not None else ir.Const(0.0) for t in tangents))]
        return [s]

    def assign(self, s: ir.GAssign) -> list:
        target = s.target
        name = target.array if isinstance(target, ir.Index) else target
        if name not in self.varied:
            return [s]
        is_pop = isinstance(s.value, ir.Call) and s.value.func == POP[ir.DOUBLE]
        if self.needed is not None and name not in self.needed and not is_pop:
            # nothing the function returns reads this tangent: not computed, as it may not even
            # exist (sqrt(x) at 0 of an unused value: Python's 0.5 / 0.0 raises)
            return [s]
        d_target = ir.Index(self.d(name), target.indices) if isinstance(target, ir.Index) else self.d(name)
        if isinstance(s.value, ir.Call) and s.value.func == POP[ir.DOUBLE]:
            return [ir.GAssign(d_target, ir.Call(POP[ir.DOUBLE], (ir.TAPE,))), s]  # pushed after the value
        if isinstance(s.value, ir.UserCall) and s.value.func in self.callee_tangents:
            return self._call(s)
        if isinstance(s.value, ir.Alloc):  # a new array: its tangent is a copy's tangent, or zeros
            like = s.value.like
            if s.value.kind == "copy" and like in self.varied:
                return [s, ir.GAssign(d_target, ir.Alloc("copy", (), self.d(like)))]
            return [s, ir.GAssign(d_target, ir.Alloc("zeros", (), name))]
        t = self.tangent(s.value)
        if t is None:
            if s.op == "+=":
                return [s]
            if not isinstance(target, ir.Index) and ir.array_dims(self.types.get(name)):
                # a typed array whose new value does not vary (t = as_elements(np.linspace(...)),
                # written with varying elements later): its tangent is zeros of its shape, not 0.0
                return [s, ir.GAssign(d_target, ir.Alloc("zeros", (), name))]
            t = ir.Const(0.0)
        return [ir.GAssign(d_target, t, s.op), s]

    def _tangent_arguments(self, call: ir.UserCall) -> tuple:
        function, kinds = self.callee_tangents[call.func]
        inputs = call.args[1:] if call.args and call.args[0] == ir.TAPE else call.args
        tangents = tuple(self._tangent_or_zero(a, kind) for a, kind in zip(inputs, kinds) if _has_tangent_type(kind))
        return ir.UserCall(function, call.args + tangents)

    def _call(self, s: ir.GAssign) -> list:
        """`v = f(args)` -> `v, d_v = f_jvp(args, d_args)`; `y[k] = f(args)` goes through a number
        and its tangent, then stored in y[k] and d_y[k]."""
        if not isinstance(s.target, ir.Index):
            self.varied.add(s.target)
            return [ir.GUnpack((s.target, self.d(s.target)), self._tangent_arguments(s.value), s.comment)]
        value, tangent = self.names.fresh(f"{s.target.array}_element"), self.names.fresh(f"{self.prefix}element")
        self.new_locals[value] = self.new_locals[tangent] = ir.DOUBLE
        d_target = ir.Index(self.d(s.target.array), s.target.indices)
        return [ir.GUnpack((value, tangent), self._tangent_arguments(s.value), s.comment),
                ir.GAssign(d_target, ir.Name(tangent), s.op), ir.GAssign(s.target, ir.Name(value), s.op)]

    def unpack(self, s: ir.GUnpack) -> list:
        """`outputs = f_derived(inputs)` -> `outputs, d_outputs = f_derived_tangent(inputs, d_inputs)`."""
        if s.value.func not in self.callee_tangents:
            return [s]
        for target in s.targets:
            self.varied.add(target)
        return [ir.GUnpack(tuple(s.targets) + tuple(self.d(t) for t in s.targets), self._tangent_arguments(s.value),
                          s.comment)]

    def _tangent_or_zero(self, e, kind):
        t = self.tangent(e)
        return t if t is not None else ir.Const(0.0)


def _unbounded_tangents(stmts, varied: set) -> set:
    """The varying variables whose tangents may be infinite where their values are finite: those
    assigned a rule with an unbounded partial (sqrt(u) at 0), and those assigned from them."""
    found, changed = set(), True
    while changed:
        changed = False
        for s in ir.walk_generated(stmts):
            targets, value = _targets_and_value(s)
            if value is not None and (set(targets) & varied) - found and _may_be_unbounded(value, found):
                found |= set(targets) & varied
                changed = True
    return found


def _linear_guard(e: ir.IfExp):
    """X of a guard `body if X != 0.0 else 0.0` (srcgrad.rules.guards.unless_zero) whose body is
    linear in X, else None."""
    test = e.test
    if not (isinstance(test, ir.Compare) and test.op == "!=" and test.right == ir.Const(0.0)
            and e.orelse == ir.Const(0.0)):
        return None
    return test.left if _linear_in(e.body, test.left) else None


def _linear_in(e, x) -> bool:
    """Whether e is x times (or over) factors that do not read x."""
    if e == x:
        return True
    if isinstance(e, ir.Unary) and e.op == "-":
        return _linear_in(e.operand, x)
    if isinstance(e, ir.BinOp) and e.op in ("*", "/"):
        if _linear_in(e.left, x) and not _reads(e.right, x):
            return True
        return e.op == "*" and _linear_in(e.right, x) and not _reads(e.left, x)
    return False


def _reads(e, x) -> bool:
    return e == x or any(_reads(kid, x) for kid in ir.children(e))


def _may_be_unbounded(e, unbounded: set) -> bool:
    """Whether e's tangent may be infinite: it reads such a variable or applies such a rule."""
    if isinstance(e, ir.Name):
        return e.id in unbounded
    if isinstance(e, ir.Index):
        return e.array in unbounded
    return guards.unbounded(e) or any(_may_be_unbounded(c, unbounded) for c in ir.children(e))


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _measured_names(e) -> set:
    """The names whose values e reads (analysis.activity.value_names), x.shape[k] and len(x) measuring x only:
    np.arange(len(x)) does not vary with x, and its tangent is no array of zeros that
    np.dot(0.0, x) would make one."""
    return value_names(e, measures=("shape",))


def _varies(e, varied) -> bool:
    return bool(_measured_names(e) & varied)


def _needed(stmts, varied: set, outputs: set) -> set:
    """The varying variables whose tangents reach what the function returns (flow-insensitive):
    those returned, pushed, passed to a derived callee or given as output parameters, and those
    the tangent of a needed variable reads."""
    needed = set(outputs) & varied
    for s in ir.walk_generated(stmts):
        if isinstance(s, ir.GCall) and (s.func in ("return", PUSH[ir.DOUBLE])):
            needed |= _names_read(s.args) & varied
        targets, value = _targets_and_value(s)
        if value is not None and ir.user_calls_in(value):
            needed |= ir.names_in(value) & varied
    # what each variable's assignments read, once; then the closure from the needed ones (a
    # fixpoint over the statements took a pass per link of a long chain: quadratic)
    reads_of_target = {}
    for s in ir.walk_generated(stmts):
        targets, value = _targets_and_value(s)
        if value is not None and targets:
            read = ir.names_in(value) & varied
            for target in targets:
                reads_of_target.setdefault(target, set()).update(read)
    todo = list(needed)
    while todo:
        for name in reads_of_target.get(todo.pop(), ()):
            if name not in needed:
                needed.add(name)
                todo.append(name)
    return needed


def _names_read(args) -> set:
    out = set()
    for a in args:
        if isinstance(a, ir.Expr):
            out |= ir.names_in(a)
    return out


def _targets_and_value(s):
    if isinstance(s, ir.GAssign):
        target = s.target.array if isinstance(s.target, ir.Index) else s.target
        return [target], s.value
    if isinstance(s, ir.GUnpack):
        return list(s.targets), s.value
    return [], None
