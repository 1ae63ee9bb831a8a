"""Lists built by appending in a counted loop, read as float arrays of the loop's length.

    terms = []
    for i in range(n - 1):
        terms.append((x[i + 1] - x[i]) ** 2)
    return sum(terms)

is read as `terms = np.zeros(range_length(0, n - 1, 1))`, a counter set to 0, and
`terms[counter] = ...; counter += 1` in the loop's body: every append writes the next element, so
after the loop the array holds what the list holds and `sum(terms)`, `np.sum`, `np.mean`,
`np.array(terms)`, `len(terms)` and `terms[i]` read it as array code does. The size is known
before the loop runs because every iteration appends the same number of times: the appends stand
at the top level of the loop's body (not under a condition, not in an inner loop), the body has no
break, continue or return, and nothing in the loop reads the list while it grows. `for` over
range(...) (reversed too), an array, a list or a tuple (enumerate, zip) all count their trips. A
list built any other way stays what it was: a construct the eager tape runs.
"""

from __future__ import annotations

import libcst as cst

from .. import ir
from .names import collect_target, dotted_name, qualify


class AppendedListReader:
    """Mixin of the function reader: `L = []` followed by a loop appending to L."""

    def plan_appended_lists(self, statements: list) -> None:
        """Find, in one block's statements, each `L = []` that the next statement mentioning L
        fills by appending in a loop, and remember how to read both."""
        plans = self.__dict__.setdefault("_appended", {})
        for index, statement in enumerate(statements):
            name = _empty_list_name(statement)
            if name is None or self._assigned_elsewhere(name):
                continue
            later = [s for s in statements[index + 1:] if _mentions(s, name)]
            appends = _direct_appends(later[0], name) if later and isinstance(later[0], cst.For) else None
            if appends is None:
                if any(_append_calls(s, name) for s in later):
                    plans[id(statement)] = ("refused", name)
                continue
            counter = self._fresh(f"{name}_length")
            self.locals.add(counter)
            plans[id(statement)] = ("empty", name)
            plans.setdefault(id(later[0]), ("loop", []))[1].append((name, counter, len(appends)))
            for call in appends:
                plans[id(call)] = ("append", (name, counter))

    def _assigned_elsewhere(self, name: str) -> bool:
        """Whether the function binds `name` other than by the one `name = []` (a second list, a
        loop variable, an augmented assignment)."""
        targets = []

        class Binds(cst.CSTVisitor):
            def visit_AssignTarget(self, node):
                targets.append(node.target)

            def visit_AugAssign(self, node):
                targets.append(node.target)

            def visit_AnnAssign(self, node):
                targets.append(node.target)

            def visit_For(self, node):
                targets.append(node.target)

        self.function.node.body.visit(Binds())
        count = 0
        for target in targets:
            bound = set()
            collect_target(target, bound)
            count += name in bound
        return count != 1

    def appended_statement(self, statement):
        """The IR of a statement the plan reads otherwise, or None (read it as usual)."""
        plan = getattr(self, "_appended", {}).get(id(statement))
        if plan is None:
            return None
        kind, what = plan
        if kind == "refused":
            raise self.unsupported(statement, f"the list '{what}' appended to other than at the top level of the "
                                              "loop after it (under a condition, in an inner loop, read while it grows)")
        if kind == "empty":
            return []  # allocated before the loop that fills it, at its length
        loop = self._for(statement)
        for_statement = loop[-1]
        if not isinstance(for_statement, ir.For):
            return None
        trips = ir.Call("range_length", (for_statement.start, for_statement.stop, for_statement.step))
        line, column = self.where(statement)
        before = []
        for name, counter, per_trip in what:
            length = trips if per_trip == 1 else ir.binop("*", trips, ir.Const(per_trip))
            before.append(ir.Assign(line, column, name, ir.Alloc("zeros", (length,))))
            if not _indexed_by_trip(for_statement, name, counter, per_trip):
                before.append(ir.Assign(line, column, counter, ir.Const(0)))
        return loop[:-1] + before + [for_statement]

    def _call(self, node):
        """np.array(L) and np.asarray(L) of a list built by appending: a new array of its values
        (L * 1.0), which the list's later element reads do not see written; sum(L) is np.sum(L)."""
        if len(node.args) == 1 and isinstance(node.args[0].value, cst.Name) and node.args[0].keyword is None \
                and ("empty", node.args[0].value.value) in getattr(self, "_appended", {}).values():
            numpy = self._numpy_alias()
            if self._builtin_call(node, "sum") and numpy is not None:  # a vector's sum, inside loops too
                return self.expr(self._with_operands(node, f"{numpy}.sum(_0)", [node.args[0].value]))
            try:
                qualified = qualify(dotted_name(node.func), self.facts)
            except ValueError:
                qualified = None
            if qualified in ("numpy.array", "numpy.asarray"):
                return ir.BinOp("*", self.expr(node.args[0].value), ir.Const(1.0))
        return super()._call(node)

    def appended_element(self, call, line: int, column: int):
        """`L.append(value)` of a planned list: the element at the counter, then the counter
        moved on; None for any other expression statement."""
        plan = getattr(self, "_appended", {}).get(id(call))
        if plan is None:
            return None
        name, counter = plan[1]
        value = self.expr(call.args[0].value)
        return [ir.Assign(line, column, name, value, (ir.Name(counter),)),
                ir.Assign(line, column, counter, ir.binop("+", ir.Name(counter), ir.Const(1)))]


def _indexed_by_trip(loop: ir.For, name: str, counter: str, per_trip: int) -> bool:
    """Where the loop counts from a constant by a constant step, the element an append writes is
    the trip's number times the appends per trip, plus the append's place in the body: written
    so, with no counter to keep for the reverse sweep (a counter would be taped each trip)."""
    if not (isinstance(loop.start, ir.Const) and isinstance(loop.step, ir.Const)) or loop.step.value == 0:
        return False
    trip = ir.binop("-", ir.Name(loop.var), loop.start)
    if loop.step.value != 1:
        trip = ir.binop("//", trip, loop.step)
    writes = [s for s in loop.body if isinstance(s, ir.Assign) and s.target == name and s.index is not None]
    for place, write in enumerate(writes):
        write.index = (ir.binop("+", ir.binop("*", trip, ir.Const(per_trip)), ir.Const(place)),)
    loop.body = [s for s in loop.body if not (isinstance(s, ir.Assign) and s.target == counter)]
    return True


def _empty_list_name(statement):
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name) \
            and isinstance(small.value, cst.List) and not small.value.elements:
        return small.targets[0].target.value
    return None


def _mentions(node, name: str) -> bool:
    found = False

    class Finder(cst.CSTVisitor):
        def visit_Name(self, n):
            nonlocal found
            found = found or n.value == name

    node.visit(Finder())
    return found


def _direct_appends(loop: cst.For, name: str):
    """The calls `name.append(value)` standing as statements at the top level of the loop's body,
    if they are its only mentions of name and nothing ends an iteration early; else None."""
    if loop.orelse is not None or _mentions(loop.iter, name) or _mentions(loop.target, name) \
            or not isinstance(loop.body, cst.IndentedBlock):
        return None
    appends, others = [], []
    for statement in loop.body.body:
        call = _append_call(statement, name)
        if call is not None:
            appends.append(call)
        else:
            others.append(statement)
    if not appends or any(_mentions(s, name) for s in others) or any(_mentions(c.args[0].value, name) for c in appends):
        return None
    if any(_jumps(s) for s in others):
        return None
    return appends


def _append_call(statement, name: str):
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call):
        return None
    call = small.value
    if isinstance(call.func, cst.Attribute) and isinstance(call.func.value, cst.Name) \
            and call.func.value.value == name and call.func.attr.value == "append" and len(call.args) == 1 \
            and call.args[0].keyword is None and not call.args[0].star:
        return call
    return None


def _append_calls(node, name: str) -> bool:
    """Whether node calls name.append anywhere."""
    found = False

    class Finder(cst.CSTVisitor):
        def visit_Call(self, n):
            nonlocal found
            found = found or (isinstance(n.func, cst.Attribute) and isinstance(n.func.value, cst.Name)
                              and n.func.value.value == name and n.func.attr.value == "append")

    node.visit(Finder())
    return found


def _jumps(node) -> bool:
    """Whether a statement may end an iteration or the loop early (break, continue, return)."""
    found = False

    class Finder(cst.CSTVisitor):
        def visit_Break(self, n):
            nonlocal found
            found = True

        visit_Continue = visit_Return = visit_Break

        def visit_FunctionDef(self, n):
            return False

        def visit_For(self, n):  # an inner loop's break and continue end only that loop's trips
            found_inner = _returns(n.body)
            nonlocal found
            found = found or found_inner
            return False

        visit_While = visit_For

    node.visit(Finder())
    return found


def _returns(node) -> bool:
    found = False

    class Finder(cst.CSTVisitor):
        def visit_Return(self, n):
            nonlocal found
            found = True

        def visit_FunctionDef(self, n):
            return False

    node.visit(Finder())
    return found
