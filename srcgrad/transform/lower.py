"""Lowering: rewrite a function into the simple form the reverse sweep walks.

After lowering, the only control flow is `if`, `for` over a range and `while`, each loop
possibly leaving after a whole iteration (its `exit_flag`). `return`, `break` and `continue`
become assignments to flag variables, and the statements they would skip are guarded by
`if not flag:`, so that every iteration runs its body structurally and the reverse sweep
replays exactly the statements that ran. Calls to sibling functions are hoisted out of
assignments into their own statements, so each call's adjoint is one statement.
"""

from __future__ import annotations

from .. import ir
from ..diagnostics import Unsupported
from ..fresh_names import array_view, fresh_name
from ..rules import conversions, symbolic
from ..rules.elementwise import DOMAIN_LIMITED
from ..analysis.ranks import VIEWS, element_arrays, expr_rank, ranks, shares_written_memory
from .negative_indices import count_from_the_end
from .scalarize import scalarize


class Names:
    """Fresh names that collide with nothing the user wrote or we generated."""

    def __init__(self, taken: set):
        self.taken = set(taken)

    def fresh(self, base: str) -> str:
        return fresh_name(base, self.taken)


def user_names(function: ir.Function) -> set:
    names = {p for p, _ in function.params}
    for s in ir.walk(function.body):
        if isinstance(s, ir.Assign):
            names.add(s.target)
            names |= ir.names_in(s.value)
            for index in s.index or ():
                names |= ir.names_in(index)
        elif isinstance(s, ir.For):
            names.add(s.var)
    return names


def lower(function: ir.Function, names: Names) -> str:
    """Lower function.body in place; returns the name of the variable holding the result."""
    if not _always_returns(function.body):
        raise Unsupported("a path that reaches the end of the function without 'return'",
                          function.line, function.column)
    result = names.fresh("result")
    flags = _Flags(names, result)
    body, _ = flags.block(function.body, None)
    if flags.returned is not None:
        body.insert(0, ir.Assign(function.line, function.column, flags.returned, ir.Const(False)))
    body = _drop_unread_flags(body, flags.created)
    body = _selects(body, set(flags.created))
    function.body = _hoist_calls(body, names)
    count_from_the_end(function)
    _nested_copies_whole(function)
    scalarize(function, names)
    _constants_by_element_through_views(function)
    _unindexed_copies_whole(function)
    convert_mixed_arrays(function, names, result)
    _dots_of_vectors(function)
    assigned = {s.target for s in ir.walk(function.body) if isinstance(s, ir.Assign)}
    for flag in flags.created:
        if flag in assigned:
            function.var_types[flag] = ir.BOOL
    return result


def _nested_copies_whole(function: ir.Function) -> None:
    """A copy inside an expression (np.sin(x.copy()), np.copy(x) * w) is whole_copy, the table's
    primitive whose adjoint passes the cotangent back: an Alloc there is a new array no derivative
    reaches, and gave a gradient of 0. `y = x.copy()` itself keeps its element-wise adjoint."""

    def rewrite(e: ir.Expr, top: bool = True) -> ir.Expr:
        if isinstance(e, ir.Alloc) and e.kind == "copy" and not top:
            return ir.Call("whole_copy", (ir.Name(e.like),))
        kids = ir.children(e)
        return ir.rebuild(e, [rewrite(kid, False) for kid in kids]) if kids else e

    _each_expression(function.body, rewrite)


def _constants_by_element_through_views(function: ir.Function) -> None:
    """The element reads scalarizing wrote of a module array constant (np.sum(A) in a loop) read
    its typed view, as the front end's A[i] does: the name itself is the NumPy array that
    whole-array code reads (np.sum(A) after the loop too)."""
    constants = set(function.array_constants)

    def through_view(e):
        if isinstance(e, ir.Index) and e.array in constants:
            return ir.Index(array_view(e.array), tuple(through_view(i) for i in e.indices))
        if isinstance(e, ir.Call) and e.func == "shape" and isinstance(e.args[0], ir.Name) \
                and e.args[0].id in constants:
            return ir.Call("shape", (ir.Name(array_view(e.args[0].id)),) + e.args[1:])
        kids = ir.children(e)
        return ir.rebuild(e, [through_view(c) for c in kids]) if kids else e

    if constants:
        _each_expression(function.body, through_view)


_WHOLE_ALLOCATIONS = {"zeros": ir.Const(0.0), "ones": ir.Const(1.0)}


def _unindexed_copies_whole(function: ir.Function) -> None:
    """`y = np.zeros_like(a)`, `np.ones_like(a)`, `a.copy()` outside loops where nothing indexes y,
    a, or another array made like them: nothing says their rank, which element loops need, so they
    are whole-array values (np.full_like(a, 0.0), np.copy(a)) that whole-array code reads."""
    linked, ranked = {}, set()  # ranked: indexed, or allocated with a shape
    for s in ir.walk(function.body):
        if isinstance(s, ir.Assign) and s.index is not None:
            ranked.add(s.target)
        if isinstance(s, ir.Assign) and isinstance(s.value, ir.Alloc):
            if s.value.like is None:
                ranked.add(s.target)
            else:
                linked.setdefault(s.target, set()).add(s.value.like)
                linked.setdefault(s.value.like, set()).add(s.target)
        for e in ir.reads_of(s):
            ranked |= {sub.array for sub in _subexpressions(e) if isinstance(sub, ir.Index)}
    todo = list(ranked)
    while todo:  # an array made like a ranked one, or one made like it, has its rank
        for other in linked.get(todo.pop(), ()):
            if other not in ranked:
                ranked.add(other)
                todo.append(other)
    for s in function.body:  # outside loops and branches
        if isinstance(s, ir.Assign) and isinstance(s.value, ir.Alloc) and s.value.like is not None \
                and s.target not in ranked and (s.value.kind == "copy" or s.value.kind in _WHOLE_ALLOCATIONS):
            like = ir.Name(s.value.like)
            s.value = ir.Call("whole_copy", (like,)) if s.value.kind == "copy" else \
                ir.Call("filled_like", (like, _WHOLE_ALLOCATIONS[s.value.kind]))


def _dots_of_vectors(function: ir.Function) -> None:
    """np.dot of two arrays known to be vectors (a 1-D module constant, an array allocated or
    indexed with one index) is a number: the table's dot_of_vectors."""
    known = ranks(function)

    def marked(e):
        kids = ir.children(e)
        e = ir.rebuild(e, [marked(c) for c in kids]) if kids else e
        if isinstance(e, ir.Call) and e.func == "dot" and all(expr_rank(o, known) == 1 for o in e.args):
            return ir.Call("dot_of_vectors", e.args)
        return e

    _each_expression(function.body, marked)


def _each_expression(stmts, rewrite) -> None:
    """Replace, in place, each expression the statements read (and each index they write) by rewrite(it)."""
    for s in ir.walk(stmts):
        if isinstance(s, ir.Assign):
            s.value = rewrite(s.value)
            s.index = None if s.index is None else tuple(rewrite(i) for i in s.index)
        elif isinstance(s, (ir.If, ir.While, ir.RaiseIf)):
            s.test = rewrite(s.test)
        elif isinstance(s, ir.For):
            s.start, s.stop, s.step = (rewrite(b) for b in (s.start, s.stop, s.step))


def _always_returns(stmts) -> bool:
    for s in stmts:
        if isinstance(s, ir.Return):
            return True
        if isinstance(s, ir.If) and s.orelse and _always_returns(s.body) and _always_returns(s.orelse):
            return True
        if isinstance(s, ir.While) and isinstance(s.test, ir.Const) and s.test.value is True \
                and not any(isinstance(x, ir.Break) for x in _same_loop(s.body)):
            return True
    return False


def _same_loop(stmts):
    """Statements of a loop body, not descending into nested loops."""
    for s in stmts:
        yield s
        if isinstance(s, ir.If):
            yield from _same_loop(s.body)
            yield from _same_loop(s.orelse)


class _Loop:
    def __init__(self):
        self.break_flag = None
        self.continue_flag = None


class _Flags:
    def __init__(self, names: Names, result: str):
        self.names = names
        self.result = result
        self.returned = None
        self.created = []

    def _flag(self, base: str) -> str:
        name = self.names.fresh(base)
        self.created.append(name)
        return name

    def block(self, stmts, loop):
        """Lower a statement list; returns (statements, flags that may be set when it ends)."""
        out = []
        for index, s in enumerate(stmts):
            lowered, flags = self.statement(s, loop)
            out.extend(lowered)
            if _always_returns([s]):  # what follows never runs (it may read names only a folded-away arm set)
                return out, flags
            if flags:
                rest, rest_flags = self.block(stmts[index + 1:], loop)
                if rest:
                    out.append(ir.If(rest[0].line, rest[0].column, _none_set(flags), rest, []))
                return out, flags | rest_flags
        return out, set()

    def statement(self, s, loop):
        if isinstance(s, ir.Return):
            assign = ir.Assign(s.line, s.column, self.result, s.value)
            if self.returned is None:
                self.returned = self._flag("returned")
            return [assign, ir.Assign(s.line, s.column, self.returned, ir.Const(True))], {self.returned}
        if isinstance(s, ir.Break):
            if loop.break_flag is None:
                loop.break_flag = self._flag("leave_loop")
            return [ir.Assign(s.line, s.column, loop.break_flag, ir.Const(True))], {loop.break_flag}
        if isinstance(s, ir.Continue):
            if loop.continue_flag is None:
                loop.continue_flag = self._flag("skip_rest")
            return [ir.Assign(s.line, s.column, loop.continue_flag, ir.Const(True))], {loop.continue_flag}
        if isinstance(s, ir.If):
            body, f1 = self.block(s.body, loop)
            orelse, f2 = self.block(s.orelse, loop)
            return [ir.If(s.line, s.column, s.test, body, orelse)], f1 | f2
        if isinstance(s, (ir.For, ir.While)):
            inner = _Loop()
            body, flags = self.block(s.body, inner)
            before = []
            if inner.continue_flag is not None:
                body.insert(0, ir.Assign(s.line, s.column, inner.continue_flag, ir.Const(False)))
            exits = [f for f in (inner.break_flag, self.returned) if f is not None and f in flags]
            if inner.break_flag is not None:
                before.append(ir.Assign(s.line, s.column, inner.break_flag, ir.Const(False)))
            exit_flag = exits[0] if len(exits) == 1 else (ir.BoolOp("or", tuple(ir.Name(f) for f in exits))
                                                         if exits else None)
            if isinstance(exit_flag, str):
                exit_flag = ir.Name(exit_flag)
            if isinstance(s, ir.For):
                loop_stmt = ir.For(s.line, s.column, s.var, s.start, s.stop, s.step, body, exit_flag)
            else:
                loop_stmt = ir.While(s.line, s.column, s.test, body, exit_flag)
            escaping = {self.returned} & flags if self.returned else set()
            return before + [loop_stmt], escaping
        return [s], set()


def _selects(stmts, flags: set, loop_vars: frozenset = frozenset()) -> list:
    """`if c: v = a` / `else: v = b` becomes `v = a if c else b`.

    One assignment per arm to the same variable is a select: C evaluates only the arm it takes,
    the reverse sweep needs no branch record, and compilers turn it into a conditional move that
    vectorises. Calls stay in statements of their own (they are hoisted later), so are excluded.
    Only arms safe to evaluate anywhere qualify (`safe_everywhere`): the derivative code of a
    select, and whole-array selects, evaluate what Python would not have.
    """
    out = []
    for s in stmts:
        if isinstance(s, ir.If):
            s.body, s.orelse = _selects(s.body, flags, loop_vars), _selects(s.orelse, flags, loop_vars)
            if (len(s.body) == 1 and len(s.orelse) == 1 and all(isinstance(x, ir.Assign) for x in s.body + s.orelse)
                    and s.body[0].target == s.orelse[0].target and s.body[0].index == s.orelse[0].index
                    and s.body[0].index is None and s.body[0].target not in flags
                    and not any(ir.user_calls_in(x.value) for x in s.body + s.orelse)
                    and not ir.user_calls_in(s.test)
                    and all(safe_everywhere(x.value, loop_vars) for x in s.body + s.orelse)
                    and not _guards_an_index(s.test, s.body + s.orelse)):
                first, second = s.body[0], s.orelse[0]
                value = ir.IfExp(s.test, first.value, second.value)
                own = ir.Name(first.target)
                if all(isinstance(x.value, ir.BinOp) and x.value.op == "+" and x.value.left == own
                       for x in (first, second)):  # v += a / v += b: v += (a if c else b)
                    value = ir.BinOp("+", own, ir.IfExp(s.test, first.value.right, second.value.right))
                out.append(ir.Assign(first.line, first.column, first.target, value))
                continue
        elif isinstance(s, ir.For):
            s.body = _selects(s.body, flags, loop_vars | {s.var})
        elif isinstance(s, ir.While):
            s.body = _selects(s.body, flags, loop_vars)
        out.append(s)
    return out


_OPERATOR_RULES = {"/": "true_divide", "//": "floor_divide", "%": "remainder", "**": "power"}


def safe_everywhere(e: ir.Expr, loop_vars) -> bool:
    """Whether e can be evaluated, with its derivatives, wherever a condition might have kept it
    from running: no domain-limited primitive (sqrt, log, division, a power other than a constant
    integer >= 0, ...), and no element whose index a condition could be guarding (only indices
    `±i + k` of an enclosing loop's variable i, which the bounds checks cover for the whole loop).
    loop_vars None: elements are not judged.
    """
    if isinstance(e, ir.BinOp) and e.op in _OPERATOR_RULES:
        exponent = e.right
        if not (e.op == "**" and ir.is_const(exponent) and float(exponent.value).is_integer()
                and exponent.value >= 0):
            return False
    if isinstance(e, ir.Call) and e.func in DOMAIN_LIMITED:
        return False
    if isinstance(e, ir.Index):
        if loop_vars is not None and not all(_loop_affine(index, loop_vars) for index in e.indices):
            return False
        return True
    return all(safe_everywhere(c, loop_vars) for c in ir.children(e))


def _guards_an_index(test: ir.Expr, arms: list) -> bool:
    """Whether the condition reads an arm's array or a name its indices use (`if i < len(x):
    r = x[i]`): then the condition may be what keeps the index in bounds."""
    read = ir.names_in(test)
    for arm in arms:
        for element in _elements(arm.value):
            if element.array in read or any(ir.names_in(i) & read for i in element.indices):
                return True
    return False


def _elements(e: ir.Expr) -> list:
    found = [e] if isinstance(e, ir.Index) else []
    for c in ir.children(e):
        found.extend(_elements(c))
    return found


def _loop_affine(index: ir.Expr, loop_vars) -> bool:
    """`i`, `i + k` or `k - i` with i a loop variable and k a constant."""
    if isinstance(index, ir.Name):
        return index.id in loop_vars
    if isinstance(index, ir.BinOp) and index.op in "+-":
        left, right = index.left, index.right
        return ((isinstance(left, ir.Name) and left.id in loop_vars and ir.is_const(right))
                or (isinstance(right, ir.Name) and right.id in loop_vars and ir.is_const(left)))
    return False


def _none_set(flags) -> ir.Expr:
    ordered = sorted(flags)
    if len(ordered) == 1:
        return ir.Unary("not", ir.Name(ordered[0]))
    return ir.Unary("not", ir.BoolOp("or", tuple(ir.Name(f) for f in ordered)))


def _reads(stmts) -> set:
    names = set()
    for s in ir.walk(stmts):
        if isinstance(s, ir.Assign):
            names |= ir.names_in(s.value)
            for index in s.index or ():
                names |= ir.names_in(index)
        elif isinstance(s, (ir.If, ir.While)):
            names |= ir.names_in(s.test)
        if isinstance(s, ir.For):
            names |= ir.names_in(s.start) | ir.names_in(s.stop) | ir.names_in(s.step)
        if isinstance(s, (ir.For, ir.While)) and s.exit_flag is not None:
            names |= ir.names_in(s.exit_flag)
    return names


def _drop_unread_flags(stmts, flags) -> list:
    """A `return` at the end sets a flag nobody reads; drop such dead assignments."""
    unread = set(flags) - _reads(stmts)
    return _filter(stmts, lambda s: not (isinstance(s, ir.Assign) and s.target in unread))


def _filter(stmts, keep) -> list:
    out = []
    for s in stmts:
        if isinstance(s, ir.If):
            s.body, s.orelse = _filter(s.body, keep), _filter(s.orelse, keep)
        elif isinstance(s, (ir.For, ir.While)):
            s.body = _filter(s.body, keep)
        if keep(s):
            out.append(s)
    return out


def _hoist_calls(stmts, names: Names) -> list:
    return _each_assignment(stmts, lambda s, in_loop: _hoist_assign(s, names))


def _each_assignment(stmts, rewrite, in_loop: bool = False) -> list:
    """stmts with every assignment s replaced by the statements rewrite(s, in_loop) gives, inside
    ifs and loops too (their blocks rewritten in place); in_loop: s runs inside a loop."""
    out = []
    for s in stmts:
        if isinstance(s, ir.Assign):
            out.extend(rewrite(s, in_loop))
            continue
        if isinstance(s, ir.If):
            s.body = _each_assignment(s.body, rewrite, in_loop)
            s.orelse = _each_assignment(s.orelse, rewrite, in_loop)
        elif isinstance(s, (ir.For, ir.While)):
            s.body = _each_assignment(s.body, rewrite, True)
        out.append(s)
    return out


def _hoist_assign(s: ir.Assign, names: Names) -> list:
    """`y = sin(g(x))` -> `g_value = g(x); y = sin(g_value)`; a bare `y = g(x)` stays."""
    hoisted = []

    def visit(e, top):
        if isinstance(e, ir.UserCall):
            call = ir.UserCall(e.func, tuple(visit(a, False) for a in e.args))
            if top:
                return call
            temp = names.fresh(f"{e.func}_value")
            hoisted.append(ir.Assign(s.line, s.column, temp, call))
            return ir.Name(temp)
        if not ir.children(e):
            return e
        return ir.rebuild(e, [visit(c, False) for c in ir.children(e)])

    value = visit(s.value, True)
    return hoisted + [ir.Assign(s.line, s.column, s.target, value, s.index)]


_TEMP_NAMES = {"@": "product", "+": "total", "-": "difference", "*": "scaled", "/": "ratio", "**": "power"}


def split_whole_array_expressions(function: ir.Function, names: Names, return_types: dict) -> None:
    """One whole-array operation per statement: `h = np.tanh(X @ W + b)` becomes three.

    Whole-array intermediates are then kept (never recomputed, never taped: each is assigned
    once, outside loops), and each statement's adjoint is a single NumPy-level rule.
    """
    from ..analysis.types import expr_type

    types = function.var_types

    def is_vector(e) -> bool:
        if not ir.children(e) or isinstance(e, (ir.Index, ir.Alloc, ir.UserCall)):
            return False
        return (expr_type(e, types, return_types) == ir.NDARRAY
                or (symbolic.rule_of(e) is not None and not symbolic.result_is_index(e)))  # x.size: a number

    def split(s: ir.Assign, in_loop: bool) -> list:
        hoisted = []

        def visit(e, top):
            if not ir.children(e) or isinstance(e, (ir.Index, ir.Alloc)):
                return e
            rebuilt = ir.rebuild(e, [visit(c, False) for c in ir.children(e)])
            if top or not is_vector(e):
                return rebuilt
            if in_loop:
                raise Unsupported("a whole-array expression inside a loop", s.line, s.column)
            base = _TEMP_NAMES.get(e.op, "value") if isinstance(e, ir.BinOp) else (
                f"{e.func}_value" if isinstance(e, ir.Call) else "selected" if isinstance(e, ir.IfExp) else "mask")
            temp = names.fresh(base)
            types[temp] = expr_type(rebuilt, types, return_types)
            hoisted.append(ir.Assign(s.line, s.column, temp, rebuilt))
            return ir.Name(temp)

        value = visit(s.value, True)
        return hoisted + [ir.Assign(s.line, s.column, s.target, value, s.index)]

    function.body = _each_assignment(function.body, split)


def convert_mixed_arrays(function: ir.Function, names: Names, result: str) -> None:
    """Outside loops, an array that code indexes and also uses whole gets a conversion
    (srcgrad.rules.conversions) where the kinds meet: `np.sum(y * y)` after `y[i] = ...` reads
    `y_whole = as_whole(y)`; `z = np.tanh(x)` with `z[i]` read later becomes `z_value = np.tanh(x);
    z = as_elements(z_value)`. Both copy, so where Python would share memory (`v = y`, `v = y.T`,
    then an element write) nothing is converted and the compiler refuses as before.
    """
    params = {p for p, _ in function.params}
    local = params | {s.target for s in ir.walk(function.body) if isinstance(s, ir.Assign)}
    indexed = element_arrays(function.body) & local
    if not indexed:
        return

    def convert(s: ir.Assign) -> list:
        before, converted = [], {}

        def whole(e):
            if isinstance(e, ir.Name) and e.id in indexed:
                if e.id not in converted:
                    converted[e.id] = names.fresh(f"{e.id}_whole")
                    before.append(ir.Assign(s.line, s.column, converted[e.id],
                                            ir.Call(conversions.AS_WHOLE, (e,))))
                return ir.Name(converted[e.id])
            if isinstance(e, ir.Call) and e.func in ("shape", "size") or isinstance(e, (ir.Index, ir.Alloc)):
                return e
            if isinstance(e, ir.UserCall):  # an element array passed on stays one
                return ir.rebuild(e, [a if isinstance(a, ir.Name) else whole(a) for a in e.args])
            kids = ir.children(e)
            return ir.rebuild(e, [whole(c) for c in kids]) if kids else e

        if s.index is not None or isinstance(s.value, (ir.Alloc, ir.UserCall)) or conversions.conversion(s.value):
            return [s]
        if (_may_alias(s.value) and not (s.target == result and isinstance(s.value, ir.Name))) \
                or shares_written_memory(s.target, s.value, function.body):
            return [s]  # the value may share memory (v = y[1:], then y[1] = ... shows in v), a copy would not
        value = whole(s.value)
        if s.target not in indexed or s.target in params:
            return before + [ir.Assign(s.line, s.column, s.target, value)]
        temp = names.fresh(f"{s.target}_value")
        return before + [ir.Assign(s.line, s.column, temp, value),
                         ir.Assign(s.line, s.column, s.target, ir.Call(conversions.AS_ELEMENTS, (ir.Name(temp),)))]

    def block(stmts) -> list:
        out = []
        for s in stmts:
            if isinstance(s, ir.Assign):
                out.extend(convert(s))
                continue
            if isinstance(s, ir.If):
                s.body, s.orelse = block(s.body), block(s.orelse)
            out.append(s)  # loops: whole arrays there are not compiled yet
        return out

    function.body = block(function.body)


_VIEWS = VIEWS


def _may_alias(e: ir.Expr) -> bool:
    """Whether e's value may be (a view of) an array it reads rather than a new array."""
    if isinstance(e, ir.Name):
        return True
    if isinstance(e, ir.Call) and e.func in _VIEWS:
        return any(_may_alias(a) for a in e.args)
    return False


def _subexpressions(e: ir.Expr):
    yield e
    for c in ir.children(e):
        yield from _subexpressions(c)
