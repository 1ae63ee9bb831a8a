"""Lists built by appending in a loop, read as float arrays of the loop's length.

    terms = []
    for i in range(n - 1):
        terms.append((x[i + 1] - x[i]) ** 2)
    return sum(terms)

is read as `terms = np.zeros(range_length(0, n - 1, 1))` and `terms[i] = ...` in the loop's body:
every append writes the next element, so after the loop the array holds what the list holds and
`sum(terms)`, `np.sum`, `np.mean`, `np.array(terms)`, `len(terms)` and `terms[i]` read it as array
code does. The length is known before the loop runs where every trip appends the same number of
times: appends at the top level of the loop's body, no break, continue or return. Appends under a
condition (or after a possible break) fill an array as long as the loop could fill, with a counter
of the appends; then only sum, np.sum, np.mean and len may read the list (the zeros after its items
add nothing to a sum; len is the counter). A list literal (`terms = [a]`) is its first items.
`for` over range(...) (reversed too), an array, a list or a tuple (enumerate, zip) all count their
trips. Appends in one inner loop (pairs i < j), unconditional in both, count that loop's trips in a
loop before the outer one (its bounds may read the outer loop's variable, nothing its body
computes). Nothing else in the loops may mention the list: a list built any other way stays a
construct the eager tape runs.
"""

from __future__ import annotations

import libcst as cst

from .. import ir
from .names import collect_target, dotted_name, qualify


class AppendedListReader:
    """Mixin of the function reader: `L = []` followed by a loop appending to L."""

    def plan_appended_lists(self, statements: list) -> None:
        """Find, in one block's statements, each `L = []` (or `L = [a, b]`) that the next
        statement mentioning L fills by appending in a loop, and remember how to read both."""
        plans = self.__dict__.setdefault("_appended", {})
        for index, statement in enumerate(statements):
            name, initial = _list_literal(statement)
            if name is None or self._assigned_elsewhere(name):
                continue
            later = [s for s in statements[index + 1:] if _mentions(s, name)]
            found = _appends_in(later[0], name) if later and isinstance(later[0], cst.For) else None
            if found is not None and found[1] == "bounded" and not self._counted_reads_only(name, found[0]):
                found = None  # a list of unknown length: only its sum, mean and length are read
            if found is None:
                if any(_append_calls(s, name) for s in later):
                    plans[id(statement)] = ("refused", name)
                continue
            appends, mode, last = found
            counter = self._fresh(f"{name}_length")
            self.locals.add(counter)
            for subscript in last:  # name[-1] while it grows: the element the counter last wrote
                plans[id(subscript)] = ("last", (name, counter))
            plans[id(statement)] = ("list", (name, initial, counter, mode != "bounded"))
            plans.setdefault(id(later[0]), ("loop", []))[1].append((name, counter, len(appends), len(initial), mode))
            for call in appends:
                plans[id(call)] = ("append", (name, counter))

    def _counted_reads_only(self, name: str, appends: list) -> bool:
        """Whether every mention of name in the function, other than its list literal and its
        appends, is the argument of sum, np.sum, np.mean or len."""
        allowed = {id(call.func.value) for call in appends}
        mentions = []
        reader = self

        class Reads(cst.CSTVisitor):
            def visit_Call(self, node):
                if reader._counted_read(node, name) is not None:
                    allowed.add(id(node.args[0].value))

            def visit_AssignTarget(self, node):
                allowed.add(id(node.target))

            def visit_Name(self, node):
                if node.value == name:
                    mentions.append(id(node))

        self.function.node.body.visit(Reads())
        return all(m in allowed for m in mentions)

    def _counted_read(self, node, name: str):
        """"sum", "mean" or "len" where node is that call of the list name alone, else None."""
        if not (isinstance(node, cst.Call) and len(node.args) == 1 and isinstance(node.args[0].value, cst.Name)
                and node.args[0].value.value == name and node.args[0].keyword is None and not node.args[0].star):
            return None
        if self._builtin_call(node, "len"):
            return "len"
        if self._builtin_call(node, "sum"):
            return "sum"
        try:
            qualified = qualify(dotted_name(node.func), self.facts)
        except ValueError:
            return None
        return {"numpy.sum": "sum", "numpy.mean": "mean"}.get(qualified)

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
            raise self.unsupported(statement, f"the list '{what}' appended to in an inner loop, read while it grows, "
                                              "or, appended to under a condition, read other than by sum, mean, len")
        line, column = self.where(statement)
        if kind == "list":  # its items now, into locals; the array is allocated before the loop
            name, initial, _, _ = what
            items = [self._fresh(f"{name}_item") for _ in initial]
            self.locals |= set(items)
            self.__dict__.setdefault("_appended_items", {})[name] = items
            return [ir.Assign(line, column, item, self.expr(value)) for item, value in zip(items, initial)]
        loop = self._for(statement)
        for_statement = loop[-1]
        trips = ir.Call("range_length", (for_statement.start, for_statement.stop, for_statement.step))
        before = []
        for name, counter, per_trip, first, mode in what:
            if mode == "nested":
                length = self._nested_count(for_statement, name, per_trip, line, column, before)
            else:
                length = trips if per_trip == 1 else ir.binop("*", trips, ir.Const(per_trip))
            length = length if not first else ir.binop("+", length, ir.Const(first))
            before.append(ir.Assign(line, column, name, ir.Alloc("zeros", (length,))))
            before += [ir.Assign(line, column, name, ir.Name(item), (ir.Const(k),))
                       for k, item in enumerate(self._appended_items.get(name, []))]
            if not (mode == "trip" and _indexed_by_trip(for_statement, name, counter, per_trip, first)):
                before.append(ir.Assign(line, column, counter, ir.Const(first)))
        return loop[:-1] + before + [for_statement]

    def expr(self, node):
        plan = getattr(self, "_appended", {}).get(id(node))
        if plan is not None and plan[0] == "last":
            name, counter = plan[1]
            return ir.Index(name, (ir.binop("-", ir.Name(counter), ir.Const(1)),))
        return super().expr(node)

    def _nested_count(self, outer: ir.For, name: str, per_trip: int, line: int, column: int, before: list):
        """The appends of an inner loop (pairs i < j): a loop before the outer one adds up the
        inner loop's trip counts, whose bounds may read the outer loop's variable only."""
        inner = next(s for s in outer.body if isinstance(s, ir.For)
                     and any(isinstance(w, ir.Assign) and w.target == name for w in ir.walk(s.body)))
        assigned = {s.target for s in ir.walk(outer.body) if isinstance(s, ir.Assign)}
        assigned |= {s.var for s in ir.walk(outer.body) if isinstance(s, ir.For)}
        bounds = (inner.start, inner.stop, inner.step)
        if any(ir.names_in(b) & assigned for b in bounds):
            raise self.unsupported_at(inner, f"the list '{name}' appended to in an inner loop whose bounds the "
                                             "outer loop's body computes")
        total, var = self._fresh(f"{name}_total"), self._fresh(f"{outer.var}_count")
        self.locals |= {total, var}
        per = ir.Call("range_length", tuple(ir.substitute(b, {outer.var: ir.Name(var)}) for b in bounds))
        per = per if per_trip == 1 else ir.binop("*", per, ir.Const(per_trip))
        before += [ir.Assign(line, column, total, ir.Const(0)),
                   ir.For(line, column, var, outer.start, outer.stop, outer.step,
                          [ir.Assign(line, column, total, ir.binop("+", ir.Name(total), per))])]
        return ir.Name(total)

    def _call(self, node):
        """Reads of a list built by appending: np.array(L) and np.asarray(L) a new array of its
        values (L * 1.0, which the list's later element reads do not see written); sum(L) is
        np.sum(L); of a list appended to under a condition (its array longer, zeros after its
        items), len(L) is the count of appends and np.mean(L) the sum over that count."""
        lists = {what[0]: what for kind, what in getattr(self, "_appended", {}).values() if kind == "list"}
        argument = node.args[0].value if len(node.args) == 1 else None
        if not isinstance(argument, cst.Name) or argument.value not in lists or node.args[0].keyword is not None:
            return super()._call(node)
        _, _, counter, exact = lists[argument.value]
        numpy, read = self._numpy_alias(), self._counted_read(node, argument.value)
        if read == "len" and not exact:
            return ir.Name(counter)
        builtin_sum = read == "sum" and self._builtin_call(node, "sum")
        if (builtin_sum or (read == "mean" and not exact)) and numpy is not None:  # inside loops too
            total = self.expr(self._with_operands(node, f"{numpy}.sum(_0)", [argument]))
            return total if read == "sum" else ir.BinOp("/", total, ir.Name(counter))
        try:
            qualified = qualify(dotted_name(node.func), self.facts)
        except ValueError:
            qualified = None
        if qualified in ("numpy.array", "numpy.asarray"):
            return ir.BinOp("*", self.expr(argument), ir.Const(1.0))
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


def _indexed_by_trip(loop: ir.For, name: str, counter: str, per_trip: int, first: int) -> bool:
    """Where the loop counts from a constant by a constant step, the element an append writes is
    the trip's number times the appends per trip, plus the append's place in the body (after the
    list's first items): written so, with no counter to keep for the reverse sweep (a counter
    would be taped each trip)."""
    if not (isinstance(loop.start, ir.Const) and isinstance(loop.step, ir.Const)) or loop.step.value == 0:
        return False
    trip = ir.binop("-", ir.Name(loop.var), loop.start)
    if loop.step.value != 1:
        trip = ir.binop("//", trip, loop.step)
    writes = [s for s in loop.body if isinstance(s, ir.Assign) and s.target == name and s.index is not None]
    for place, write in enumerate(writes):
        write.index = (ir.binop("+", ir.binop("*", trip, ir.Const(per_trip)), ir.Const(first + place)),)
    loop.body = [s for s in loop.body if not (isinstance(s, ir.Assign) and s.target == counter)]
    return True


def _list_literal(statement) -> tuple:
    """(name, [item nodes]) of `name = [a, b, ...]` (no starred item), else (None, None)."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None, None
    small = statement.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name) \
            and isinstance(small.value, cst.List) and all(isinstance(el, cst.Element) for el in small.value.elements) \
            and not any(isinstance(el.value, (cst.List, cst.Tuple)) for el in small.value.elements):
        return small.targets[0].target.value, [el.value for el in small.value.elements]
    return None, None


def _mentions(node, name: str) -> bool:
    found = False

    class Finder(cst.CSTVisitor):
        def visit_Name(self, n):
            nonlocal found
            found = found or n.value == name

    node.visit(Finder())
    return found


def _appends_in(loop: cst.For, name: str):
    """(the calls `name.append(value)` in the loop's body, how the list's length is known):
    "trip", the loop's trip count times their number (at the top level of the body, nothing ending
    an iteration early); "bounded", only when the loop has run (under a condition); "nested", the
    sum of one inner loop's trip counts (appends at the top level of that loop only). None where
    the loop mentions the list otherwise."""
    if loop.orelse is not None or _mentions(loop.iter, name) or _mentions(loop.target, name) \
            or not isinstance(loop.body, cst.IndentedBlock):
        return None
    direct, others = [], []
    for statement in loop.body.body:
        call = _append_call(statement, name)
        (direct if call is not None else others).append(call if call is not None else statement)
    nested = [c for s in others for c in _conditional_appends(s, name)]
    if not direct and not nested:
        return None
    appends = direct + nested
    last = [r for c in appends for r in _last_reads(c.args[0].value, name)]
    if any(_count_mentions(c.args[0].value, name) != len(_last_reads(c.args[0].value, name)) for c in appends):
        return None
    last += [r for s in others for r in _last_reads(s, name)]
    mentions = sum(_count_mentions(s, name) - len(_last_reads(s, name)) for s in others)
    if mentions == len(nested) and not any(_in_inner_loop(s, name) for s in others):
        if nested or any(_jumps(s) for s in others):
            return appends, "bounded", last
        return appends, "counted" if last else "trip", last  # name[-1] reads: written at a counter
    loops = [s for s in others if _mentions(s, name)]
    inner = _appends_in(loops[0], name) if direct == [] and len(loops) == 1 and isinstance(loops[0], cst.For) \
        else None
    if inner is None or inner[1] != "trip" or any(_jumps(s) for s in others):
        return None
    return inner[0], "nested", []  # appends in one inner loop, unconditionally: pairs (i, j)


def _last_reads(node, name: str) -> list:
    """The subscripts name[-1] that node reads (an assignment's target is not read)."""
    found = []

    class Finder(cst.CSTVisitor):
        def visit_AssignTarget(self, n):
            return False

        def visit_AugAssign(self, n):
            n.value.visit(self)
            return False

        def visit_Subscript(self, n):
            if isinstance(n.value, cst.Name) and n.value.value == name and len(n.slice) == 1 \
                    and isinstance(n.slice[0].slice, cst.Index) and _is_minus_one(n.slice[0].slice.value):
                found.append(n)

    node.visit(Finder())
    return found


def _is_minus_one(node) -> bool:
    return isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus) \
        and isinstance(node.expression, cst.Integer) and node.expression.value == "1"


def _conditional_appends(node, name: str) -> list:
    """The statement-level calls name.append(value) anywhere inside node."""
    found = []

    class Finder(cst.CSTVisitor):
        def visit_SimpleStatementLine(self, n):
            call = _append_call(n, name)
            if call is not None:
                found.append(call)

    node.visit(Finder())
    return found


def _count_mentions(node, name: str) -> int:
    count = 0

    class Finder(cst.CSTVisitor):
        def visit_Name(self, n):
            nonlocal count
            count += n.value == name

    node.visit(Finder())
    return count


def _in_inner_loop(node, name: str) -> bool:
    """Whether node mentions name inside a loop or a function of its own."""
    found = False

    class Finder(cst.CSTVisitor):
        def visit_For(self, n):
            nonlocal found
            found = found or _mentions(n, name)
            return False

        visit_While = visit_FunctionDef = visit_Lambda = visit_For

    node.visit(Finder())
    return found


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
