"""The adjoint of one statement: the incoming adjoint `b_v` of `v = e` sent through e by the
rules of srcgrad.rules (elementwise partials, whole-array adjoints), with leaf contributions
accumulated into the adjoints of the variables e reads.

StatementAdjoints is mixed into ReverseMode (srcgrad.transform.reverse), which provides the
names (adjoint_names, temp), the types, the activity and the first definitions (whose adjoint
needs no reset) these methods read.
"""

from __future__ import annotations

from .. import ir
from ..diagnostics import Unsupported
from ..analysis.recording import accumulation_increment
from ..ir import TAPE, GAssign, GCall, GFor, GIf, GUnpack
from ..rules import conversions, guards, symbolic
from ..rules.elementwise import ELEMENTWISE
from .lower import safe_everywhere


class StatementAdjoints:
    # expression adjoints -----------------------------------------------------------------
    def is_active(self, e: ir.Expr) -> bool:
        return bool(ir.names_in(e) & self.active)

    def propagate(self, e: ir.Expr, g: ir.Expr, out: list, acc: dict) -> None:
        """Send adjoint g into expression e: leaf contributions go to acc, temporaries to out."""
        if not self.is_active(e):
            return
        if isinstance(e, ir.Name):
            acc.setdefault(e.id, []).append(g)
            return
        if isinstance(e, ir.Index):  # an element of an active array
            acc.setdefault(ir.Index(self.adjoint_names[e.array], e.indices), []).append(g)
            return
        if isinstance(e, ir.IfExp):
            self._select_adjoint(e, g, out, acc)
            return
        kids, partials = self._partials(e)
        active_kids = [(k, p) for k, p in zip(kids, partials) if p is not None and self.is_active(k)]
        # sqrt(u) at 0: a zero g contributes 0, never 0 * inf (the guard reads g twice)
        guarded = guards.unbounded(e) and guards.needs_guard(g)
        if (len(active_kids) > 1 or guarded) and not isinstance(g, (ir.Name, ir.Const)):
            name = self.temp("b_tmp", ir.DOUBLE)
            out.append(GAssign(name, g))
            g = ir.Name(name)
        for kid, partial in active_kids:
            contribution = _scaled(g, partial)
            self.propagate(kid, guards.unless_zero(g, contribution) if guarded else contribution, out, acc)

    def _select_adjoint(self, e: ir.IfExp, g: ir.Expr, out: list, acc: dict) -> None:
        """`c ? a : b` sends g into the arm that was taken only.

        Each arm's contributions are computed with g itself, and every variable receives a select
        of the two arms' contributions: the arm not taken may have partials that are inf or nan
        there (0.5 / sqrt(u) at 0, x * x overflowed, an infinite input), and multiplied by a zero
        cotangent they would give nan (0 * inf), where only the select's choice leaves the arm
        not taken out. Arms safe everywhere (all that lowering turns into selects: + - * of
        elements in bounds) have their temporaries computed unconditionally: straight-line code
        whose cheap selects print branch-free (emit/printer.py). Other arms (a conditional
        expression the user wrote around sqrt, log, a division) compute their temporaries inside
        an `if`, and the arm not taken is never evaluated."""
        arms = []
        for arm in (e.body, e.orelse):
            arm_out, arm_acc = [], {}
            if self.is_active(arm):
                self.propagate(arm, g, arm_out, arm_acc)
            arms.append((arm_out, arm_acc))
        (body_out, body_acc), (else_out, else_acc) = arms
        if safe_everywhere(e.body, None) and safe_everywhere(e.orelse, None):
            out.extend(body_out + else_out)
        elif body_out:
            out.append(GIf(e.test, body_out, else_out))
        elif else_out:
            out.append(GIf(ir.Unary("not", e.test), else_out))
        zero = ir.Const(0.0)
        for key in list(body_acc) + [k for k in else_acc if k not in body_acc]:
            taken = _sum(body_acc[key]) if key in body_acc else zero
            not_taken = _sum(else_acc[key]) if key in else_acc else zero
            acc.setdefault(key, []).append(ir.select(e.test, taken, not_taken))

    def _partials(self, e: ir.Expr):
        """(children, partial derivative of e by each child or None)."""
        if isinstance(e, ir.BinOp):
            rule = {"+": "add", "-": "subtract", "*": "multiply", "/": "true_divide", "**": "power",
                    "//": "floor_divide", "%": "remainder"}[e.op]
            partials = list(ELEMENTWISE[rule].partials(e.left, e.right, e))
            if e.op == "**" and not self.is_active(e.right):
                partials[1] = None
            return (e.left, e.right), [None if p is None else ir.lift(p) for p in partials]
        if isinstance(e, ir.Unary):
            return (e.operand,), [ir.Const(-1.0) if e.op == "-" else None]
        if isinstance(e, ir.IfExp):
            return (e.test, e.body, e.orelse), [None, ir.select(e.test, ir.Const(1.0), ir.Const(0.0)),
                                                 ir.select(e.test, ir.Const(0.0), ir.Const(1.0))]
        if isinstance(e, ir.Call):
            if e.func == "float":
                return e.args, [ir.Const(1.0)]
            rule = ELEMENTWISE.get(e.func)
            if rule is None:  # int(), round(), bool(), floor to int: piecewise constant
                return e.args, [None] * len(e.args)
            return e.args, [None if p is None else ir.lift(p) for p in rule.partials(*e.args, e)]
        return ir.children(e), [None] * len(ir.children(e))

    def statement_adjoint(self, s: ir.Assign) -> list:
        """Adjoint code of `target = value`; empty if the statement carries no derivative."""
        target = s.target
        if target not in self.active:
            return []
        if s.index is not None:
            return self._element_adjoint(s)
        if isinstance(s.value, ir.Alloc):
            return self._copy_adjoint(s)
        if conversions.conversion(s.value):
            return self._conversion_adjoint(s)
        # a call of a module function, whatever its result (a number or a whole array): its adjoint
        if self._is_vector_statement(s) and not isinstance(s.value, ir.UserCall):
            return self._vector_adjoint(s)
        b_target = self.adj(target)
        out, acc = [], {}
        if isinstance(s.value, ir.UserCall):
            self._call_adjoint(s.value, b_target, out, acc)
        else:
            self.propagate(s.value, b_target, out, acc)
        for var in sorted(acc, key=lambda v: self._order(v, s.value)):
            if var == target:
                continue
            out.append(GAssign(self._accumulator(var), _sum(acc[var]), "+="))
        own = acc.get(target)
        if own and _sum(own) != b_target:
            out.append(GAssign(b_target.id, _sum(own)))
        elif not own and id(s) not in self.first_definitions:
            out.append(GAssign(b_target.id, ir.Const(0.0)))  # what comes before sees this value's adjoint as zero
        out = self._shared_calls(out)
        if out:
            source_line = self.fn.source_lines[s.line - 1].strip() if s.line <= len(self.fn.source_lines) else ""
            out[0] = _with_comment(out[0], f"line {s.line}: {source_line}")
        return out

    def _shared_calls(self, out: list) -> list:
        """A math function called twice with the same argument in one adjoint is called once.

        (C compilers keep both calls: exp and log may set errno.) The adjoint of one statement
        only assigns adjoints and temporaries, so the value is the same wherever it is used.
        """
        counts, conditional = {}, set()
        for g in out:
            for call in _calls_in(g):
                counts[call] = counts.get(call, 0) + 1
            conditional |= _calls_in_select_arms(g)
        # a call also made in a select's arm stays there: hoisted, its tangent (hvp_) would be
        # computed everywhere, e.g. 0.5 / sqrt(x) at x = 0 where only max(sqrt(x), 1) ran
        shared = [call for call, n in counts.items() if n > 1 and call.func in ELEMENTWISE and call not in conditional]
        if not shared:
            return out
        mapping, prelude = {}, []
        for call in shared:
            kind = self.type_of(call)  # min/max of integers (an index) stay integers
            name = self.temp(f"{call.func}_value", kind if kind in (ir.INT, ir.BOOL) else ir.DOUBLE)
            prelude.append(GAssign(name, ir.substitute(call, mapping)))
            mapping[call] = ir.Name(name)
        rewritten = []
        for g in out:
            if isinstance(g, GAssign):
                g = GAssign(g.target, ir.substitute(g.value, mapping), g.op, g.comment)
            rewritten.append(g)
        # the statement's comment moves to the first line; an `if` (an unsafe select's arm) has none
        if rewritten and getattr(rewritten[0], "comment", ""):
            prelude[0].comment, rewritten[0].comment = rewritten[0].comment, ""
        return prelude + rewritten

    def _accumulator(self, key):
        return key if isinstance(key, ir.Index) else self.adjoint_names[key]

    def _order(self, key, e: ir.Expr) -> int:
        """Accumulations follow the order the source mentions the variables in."""
        order = []

        def visit(x):
            if isinstance(x, ir.Index) and x.array in self.adjoint_names:
                found = ir.Index(self.adjoint_names[x.array], x.indices)
                if found not in order:
                    order.append(found)
                return
            if isinstance(x, ir.Name) and x.id not in order:
                order.append(x.id)
            for c in ir.children(x):
                visit(c)

        visit(e)
        return order.index(key) if key in order else len(order)

    def _is_vector_statement(self, s: ir.Assign) -> bool:
        e = s.value
        return (self.type_of(e) == ir.NDARRAY or symbolic.rule_of(e) is not None
                or any(self.type_of(c) == ir.NDARRAY for c in ir.children(e)))

    def _vector_adjoint(self, s: ir.Assign) -> list:
        """Adjoint of one whole-array operation, with NumPy broadcasting undone per operand."""
        e, g = s.value, self.adj(s.target)
        out, acc = [], {}

        def send(child, contribution):
            if self.is_active(child):
                self.propagate(child, contribution, out, acc)

        unbroadcast = symbolic.unbroadcast

        if isinstance(e, ir.Name):
            send(e, g)
        elif symbolic.rule_of(e) is not None:  # an array primitive: its adjoints from the table
            for operand in symbolic.constant_operands(e):
                if self._moves_with_parameters(operand) and self.type_of(operand) not in (ir.INT, ir.BOOL):
                    # np.full(n, x[0]): a derivative the table has no rule for
                    raise Unsupported(f"np.{e.func} of a value with a derivative", s.line, s.column)
            for operand, contribution in symbolic.adjoint_calls(e, g, ir.Name(s.target)):
                send(operand, contribution)
        elif isinstance(e, ir.Unary):
            if e.op == "-":
                send(e.operand, -g)
        elif isinstance(e, ir.IfExp):
            send(e.body, unbroadcast(ir.IfExp(e.test, g, ir.Const(0.0)), e.body))
            send(e.orelse, unbroadcast(ir.IfExp(e.test, ir.Const(0.0), g), e.orelse))
        elif isinstance(e, (ir.BinOp, ir.Call)):
            kids = ir.children(e)
            # partials may use the result itself (tanh' = 1 - out^2): it is kept, never recomputed
            partials = self._vector_partials(e, ir.Name(s.target))
            # module array constants (x - P) broadcast too: anything not a number may stretch x
            several = sum(1 for k in kids if self.type_of(k) not in (ir.DOUBLE, ir.INT, ir.BOOL)) > 1
            grouped = {}  # x * x: one contribution g * (x + x), not two
            for kid, partial in zip(kids, partials):
                if partial is not None:
                    grouped[kid] = partial if kid not in grouped else grouped[kid] + partial
            for kid, partial in grouped.items():
                if partial is None:
                    continue
                contribution = g * partial
                if guards.unbounded(e):  # np.sqrt(x) at a 0 element: a zero g[k] contributes 0, not nan
                    contribution = guards.unless_zero(g, contribution)
                if several or self.type_of(kid) != ir.NDARRAY:
                    contribution = unbroadcast(contribution, kid)
                send(kid, contribution)
        for key in sorted(acc, key=lambda k: self._order(k, e)):
            # a whole array read by this statement alone gets its adjoint here, whole: no 0 + g copy
            only_reader = self.types.get(key) == ir.NDARRAY and self.readers.get(key) == 1
            out.append(GAssign(self._accumulator(key), _sum(acc[key]), "=" if only_reader else "+="))
        if self.types.get(s.target) != ir.NDARRAY and s.target not in ir.names_in(e) \
                and id(s) not in self.first_definitions:
            out.append(GAssign(self.adjoint_names[s.target], ir.Const(0.0)))
        if out:
            source_line = self.fn.source_lines[s.line - 1].strip()
            out[0] = _with_comment(out[0], f"line {s.line}: {source_line}")
        return out

    def _moves_with_parameters(self, e: ir.Expr) -> bool:
        """Whether e has a derivative: not where active names are read only through sizes
        (np.arange(1.0, np.size(x) + 1.0): len(x), x.shape[k] and np.size(x) are integers)."""
        if isinstance(e, ir.Call) and (e.func == "shape" or (symbolic.rule_of(e) is not None
                                                             and symbolic.result_is_index(e))):
            return False
        if isinstance(e, (ir.Name, ir.Index)):
            return self.is_active(e)
        return any(self._moves_with_parameters(c) for c in ir.children(e))

    def _vector_partials(self, e, target: ir.Name) -> list:
        if isinstance(e, ir.BinOp):
            rule = {"+": "add", "-": "subtract", "*": "multiply", "/": "true_divide", "**": "power"}.get(e.op)
            if rule is None:
                return [None, None]
            partials = list(ELEMENTWISE[rule].partials(e.left, e.right, target))
            if e.op == "**" and not self.is_active(e.right):
                partials[1] = None
            return [None if p is None else ir.lift(p) for p in partials]
        rule = ELEMENTWISE.get(e.func)
        if rule is None:
            return [ir.Const(1.0) if e.func == "float" else None for _ in e.args]
        return [None if p is None else ir.lift(p) for p in rule.partials(*e.args, target)]

    def _element_adjoint(self, s: ir.Assign) -> list:
        """Adjoint of `y[i] = e`: take b_y[i], clear it, send it into e."""
        element = ir.Index(s.target, s.index)
        b_element = ir.Index(self.adjoint_names[s.target], s.index)
        out, acc = [], {}
        rest = accumulation_increment(s.value, element)
        if rest is not None:  # y[i] += e: b_y[i] passes through unchanged
            increment, sign = rest
            self.propagate(increment, b_element if sign > 0 else -b_element, out, acc)
        else:
            seed = self.temp(f"b_{s.target}_element", ir.DOUBLE)
            out += [GAssign(seed, b_element), GAssign(b_element, ir.Const(0.0))]
            if isinstance(s.value, ir.UserCall):  # y[k] = h(...): the callee's adjoint, as for v = h(...)
                self._call_adjoint(s.value, ir.Name(seed), out, acc)
            else:
                self.propagate(s.value, ir.Name(seed), out, acc)
        for key in sorted(acc, key=lambda k: self._order(k, s.value)):
            out.append(GAssign(self._accumulator(key), _sum(acc[key]), "+="))
        if out:
            source_line = self.fn.source_lines[s.line - 1].strip()
            out[0] = _with_comment(out[0], f"line {s.line}: {source_line}")
        return out

    def _copy_adjoint(self, s: ir.Assign) -> list:
        """Adjoint of `y = x.copy()`: b_x += b_y element by element."""
        like = s.value.like
        if s.value.kind != "copy" or like not in self.active:
            return []
        ndim = ir.array_dims(self.types[s.target])
        counters = [self.temp(f"k{d}", ir.INT) for d in range(ndim)]
        index = tuple(ir.Name(c) for c in counters)
        body = [GAssign(ir.Index(self.adjoint_names[like], index), ir.Index(self.adjoint_names[s.target], index), "+=")]
        for d in reversed(range(ndim)):
            body = [GFor(counters[d], (ir.Call("shape", (ir.Name(self.adjoint_names[s.target]), ir.Const(d))),), body)]
        body[0].comment = f"line {s.line}: {self.fn.source_lines[s.line - 1].strip()}"
        return body

    def _conversion_adjoint(self, s: ir.Assign) -> list:
        """`w = as_whole(y)`: b_y[k] += b_w[k] (b_w spread to y's shape first, as it may still be a
        number); `z = as_elements(w)`: b_w += as_whole(b_z)."""
        (operand,) = s.value.args
        if operand.id not in self.active:
            return []
        comment = f"line {s.line}: {self.fn.source_lines[s.line - 1].strip()}"
        if s.value.func == conversions.AS_ELEMENTS:
            return [GAssign(self.adjoint_names[operand.id], ir.Call(conversions.AS_WHOLE, (self.adj(s.target),)), "+=",
                            comment=comment)]
        kind = self.types[operand.id]
        spread = self.temp(f"b_{s.target}_elements", kind)
        cotangent = ir.Call("cotangent_like", (self.adj(s.target), ir.Name(s.target)))
        counters = [self.temp(f"k{d}", ir.INT) for d in range(ir.array_dims(kind))]
        index = tuple(ir.Name(c) for c in counters)
        body = [GAssign(ir.Index(self.adjoint_names[operand.id], index), ir.Index(spread, index), "+=")]
        for d in reversed(range(len(counters))):
            body = [GFor(counters[d], (ir.Call("shape", (ir.Name(spread), ir.Const(d))),), body)]
        return [GAssign(spread, ir.Call(conversions.AS_ELEMENTS, (cotangent,)), comment=comment)] + body

    def _call_adjoint(self, call: ir.UserCall, b_target: ir.Name, out: list, acc: dict) -> None:
        callee = self.signatures[call.func]
        outputs = [self.temp(f"{call.func}_value", callee.return_type)]
        adjoint_args = []
        for (param, _), arg in zip(callee.params, call.args):
            if param in callee.differentiable:
                kind = dict(callee.params)[param]
                name = self.temp(f"b_{call.func}_{param}", ir.DOUBLE if kind == ir.DOUBLE else ir.NDARRAY)
                outputs.append(name)
                adjoint_args.append((arg, ir.Name(name)))
        out.append(GUnpack(tuple(outputs), ir.UserCall(callee.adjoint, (TAPE,) + call.args + (b_target,))))
        for arg, b_arg in adjoint_args:
            self.propagate(arg, b_arg, out, acc)

    # the to-be-recorded analysis ---------------------------------------------------------
    def find_adjoint_reads(self) -> None:
        """The adjoint of every assignment, generated once before the sweeps (self.adjoints), and
        the variables each one reads (self.adjoint_reads), which the recording plan needs first.
        An adjoint depends only on the statement and the function's activity, types and names,
        never on where the sweep places it, so the reverse sweep takes it from here."""
        self.adjoints, self.adjoint_reads = {}, {}
        for s in ir.walk(self.fn.body):
            if isinstance(s, ir.Assign):
                adjoint = self.adjoints[id(s)] = self.statement_adjoint(s)
                reads = set()
                for g in adjoint:
                    reads |= _reads(g)
                reads -= set(self.adjoint_names.values()) | set(self.temps)
                if self.types.get(s.target) == ir.NDARRAY:
                    reads.discard(s.target)  # its own result, assigned once and kept: no old value to restore
                self.adjoint_reads[id(s)] = reads


def _calls_in(g) -> list:
    """Math-function calls a generated assignment always evaluates, innermost first (not those in
    the arms of a select, which may be evaluated only where they are defined)."""
    found = []

    def visit(e):
        for c in ((e.test,) if isinstance(e, ir.IfExp) else ir.children(e)):
            visit(c)
        if isinstance(e, ir.Call):
            found.append(e)

    if isinstance(g, GAssign):
        visit(g.value)
    return found


def _sum(terms: list) -> ir.Expr:
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total


def _with_comment(g, text: str):
    if isinstance(g, (GAssign, GCall, GUnpack)) and not g.comment:
        g.comment = text
        return g
    return g


def _calls_in_select_arms(g) -> set:
    found = set()

    def visit(e, in_arm):
        if isinstance(e, ir.Call) and in_arm:
            found.add(e)
        if isinstance(e, ir.IfExp):
            visit(e.test, in_arm)
            visit(e.body, True)
            visit(e.orelse, True)
            return
        for c in ir.children(e):
            visit(c, in_arm)

    if isinstance(g, GAssign):
        visit(g.value, False)
    return found


def _scaled(g: ir.Expr, partial: ir.Expr) -> ir.Expr:
    """g * partial; where g is a select with a zero arm (the adjoint of max, of a select) and the
    partial may be undefined (0.5 / sqrt(x) at 0), the product goes inside the select, so the
    partial is evaluated only where g is not that zero. (A safe partial stays outside: the select
    stays a plain conditional move that compilers vectorise.)"""
    if isinstance(g, ir.IfExp) and (ir.is_const(g.body, 0) or ir.is_const(g.orelse, 0)) \
            and not safe_everywhere(partial, None):
        return ir.select(g.test, _scaled(g.body, partial), _scaled(g.orelse, partial))
    return g * partial


def _reads(g) -> set:
    if isinstance(g, GIf):
        names = ir.names_in(g.test)
        for x in g.body + g.orelse:
            names |= _reads(x)
        return names
    if isinstance(g, GAssign):
        if isinstance(g.target, ir.Index):
            return ir.names_in(g.value) | ir.names_in(g.target)
        return ir.names_in(g.value) | ({g.target} if g.op == "+=" else set())
    if isinstance(g, GUnpack):
        return ir.names_in(g.value)
    if isinstance(g, GCall):
        names = set()
        for a in g.args:
            names |= ir.names_in(a)
        return names
    return set()
