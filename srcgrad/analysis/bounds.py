"""Bounds checks hoisted out of element loops.

Generated code indexes memoryviews without per-access checks (no Python in loop bodies, and
loops the C compiler can vectorise). Safety comes from checks placed before the loops instead:
an index of the form `±i + offset`, with i the variable of a `for i in range(start, stop)`
loop and offset unchanged by that loop, stays within bounds for the whole loop if it does at
both ends of the range. Such a check is lifted further out through every enclosing loop that
changes none of its names, guarded by that loop running at all. Any other index is checked
right before its statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import ir
from ..diagnostics import Unsupported
from ..fresh_names import viewed_array
from .ranks import assigned_in


@dataclass
class Check:
    condition: ir.Expr  # true when the access is out of bounds
    array: str  # as the user wrote it (a module constant, not its typed view)
    line: int

    def __post_init__(self):
        self.array = viewed_array(self.array)


@dataclass
class BoundsPlan:
    before_loop: dict = field(default_factory=dict)  # id(For/While) -> [Check]
    before_statement: dict = field(default_factory=dict)  # id(Assign/If/While) -> [Check]


def _accesses(s, variables: set) -> list:
    """The array elements statement s reads or writes."""
    if isinstance(s, ir.While):
        if _has_index(s.test):
            raise Unsupported("an array element in a while condition", s.line, s.column)
        return []
    exprs = [s.value, ir.Index(s.target, s.index)] if isinstance(s, ir.Assign) and s.index is not None \
        else ir.reads_of(s)
    found = []

    def visit(e):
        if isinstance(e, ir.Index):
            found.append(e)
        if isinstance(e, ir.IfExp):
            _check_unguarded(e, s, variables)
        for c in ir.children(e):
            visit(c)

    for e in exprs:
        visit(e)
    return found


def _check_unguarded(e: ir.IfExp, s, variables: set) -> None:
    """The checks run before the statement, as if both arms of `a if c else b` were evaluated: an
    element in an arm whose index the condition may be guarding (`x[i + 1] if i < n - 1 else 0.0`)
    would be checked where Python never reads it, and raise where Python runs."""
    guard = ir.names_in(e.test) & variables
    read_anyway = set(_elements_in(e.test))  # x[i] if x[i] > 0 else 0.0: the test reads it first
    for arm in (e.body, e.orelse):
        stack = [arm]
        while stack:
            sub = stack.pop()
            if isinstance(sub, ir.Index) and sub not in read_anyway \
                    and any(ir.names_in(i) & guard and not _wrapped(i) for i in sub.indices):
                raise Unsupported(f"an element of '{viewed_array(sub.array)}' read in a conditional expression whose "
                                  "condition may keep its index in bounds", s.line, s.column)
            stack.extend(ir.children(sub))


def _wrapped(index) -> bool:
    """`k % 3`: in [0, 3) whatever k is, so the condition is not what keeps it in bounds."""
    return isinstance(index, ir.BinOp) and index.op == "%" and isinstance(index.right, ir.Const) \
        and isinstance(index.right.value, int) and index.right.value > 0


def _elements_in(e) -> list:
    found = [e] if isinstance(e, ir.Index) else []
    for c in ir.children(e):
        found.extend(_elements_in(c))
    return found


def _has_index(e) -> bool:
    return isinstance(e, ir.Index) or any(_has_index(c) for c in ir.children(e))


def _affine(e: ir.Expr, var: str):
    """(coefficient, offset) if e == coefficient * var + offset with coefficient ±1, else None."""
    if e == ir.Name(var):
        return 1, ir.Const(0)
    if isinstance(e, ir.BinOp) and e.op in "+-":
        left_has, right_has = var in ir.names_in(e.left), var in ir.names_in(e.right)
        if left_has and not right_has and e.left == ir.Name(var):
            return 1, (e.right if e.op == "+" else ir.neg(e.right))
        if right_has and not left_has and e.right == ir.Name(var):
            return (1 if e.op == "+" else -1), e.left
    return None


def _simple_range(loop) -> bool:
    return isinstance(loop, ir.For) and isinstance(loop.step, ir.Const) and loop.step.value == 1


def plan(function: ir.Function) -> BoundsPlan:
    result = BoundsPlan()
    # the names that can change: a guard on module constants alone (A0[N0 % 3] if N0 > 1 else ...)
    # reads the same element every time, so its check cannot fire where Python's read would not
    variables = {p for p, _ in function.params} | assigned_in(function.body)
    _plan_block(function.body, [], result, 0, variables)
    return result


def _plan_block(stmts, loops, result: BoundsPlan, floor: int, variables: set) -> None:
    """floor: how many of `loops` enclose the innermost `if` around stmts. A check is never
    lifted out of that `if`: the condition may be what keeps the index in bounds
    (`if i < len(x): s += x[i]`), and Python would not raise."""
    for s in stmts:
        for access in _accesses(s, variables):
            for dim, index in enumerate(access.indices):
                _place(index, access.array, dim, s, loops, result, floor)
        if isinstance(s, ir.If):
            _plan_block(s.body, loops, result, len(loops), variables)
            _plan_block(s.orelse, loops, result, len(loops), variables)
        elif isinstance(s, (ir.For, ir.While)):
            _plan_block(s.body, loops + [s], result, floor, variables)


def _place(index: ir.Expr, array: str, dim: int, s, loops: list, result: BoundsPlan, floor: int = 0) -> None:
    size = ir.Call("shape", (ir.Name(array), ir.Const(dim)))
    names = ir.names_in(index)
    # the innermost loop whose variable the index uses
    depth = next((k for k in range(len(loops) - 1, -1, -1)
                  if isinstance(loops[k], ir.For) and loops[k].var in names), None)
    if depth is None:
        condition = ir.any_of((ir.compare("<", index, ir.Const(0)), ir.compare(">=", index, size)))
        _hoist(Check(condition, array, s.line), ir.Const(True), loops, len(loops), s, result, floor)
        return
    loop = loops[depth]
    inside = assigned_in(loop.body) | {loop.var}
    form = _affine(index, loop.var)
    if form is None or depth < floor or not _simple_range(loop) or loop.var in assigned_in(loop.body) \
            or ir.names_in(form[1]) & inside or (ir.names_in(loop.start) | ir.names_in(loop.stop)) & inside \
            or any(isinstance(x, ir.For) and x.var in names and x is not loop for x in loops[depth + 1:]):
        condition = ir.any_of((ir.compare("<", index, ir.Const(0)), ir.compare(">=", index, size)))
        checks = result.before_statement.setdefault(id(s), [])
        if all(c.condition != condition for c in checks):
            checks.append(Check(condition, array, s.line))
        return
    first = ir.substitute(index, {loop.var: loop.start})
    last = ir.substitute(index, {loop.var: loop.stop - 1})
    out_of_bounds = ir.any_of((ir.compare("<", first, ir.Const(0)), ir.compare(">=", first, size),
                               ir.compare("<", last, ir.Const(0)), ir.compare(">=", last, size)))
    if out_of_bounds == ir.Const(False):
        return
    runs = ir.compare("<", loop.start, loop.stop)
    _hoist(Check(out_of_bounds, array, s.line), runs, loops, depth, loop, result, floor)


def _hoist(check: Check, guard: ir.Expr, loops: list, depth: int, anchor, result: BoundsPlan, floor: int = 0) -> None:
    """Place `if guard and condition: raise` before loops[depth] (or anchor), as far out as it stays
    valid and not out of the innermost `if` around the access (loops[floor - 1]'s body)."""
    names = ir.names_in(check.condition) | ir.names_in(guard)
    while depth > floor:
        outer = loops[depth - 1]
        if not _simple_range(outer) or names & (assigned_in(outer.body) | {outer.var}):
            break
        runs = ir.compare("<", outer.start, outer.stop)
        guard = ir.all_of((runs, guard))
        names |= ir.names_in(runs)
        anchor = outer
        depth -= 1
    condition = ir.all_of((guard, check.condition))
    if condition == ir.Const(False):
        return
    placed = Check(condition, check.array, check.line)
    target = result.before_loop if isinstance(anchor, (ir.For, ir.While)) else result.before_statement
    if any(c.condition == condition for c in target.get(id(anchor), [])):
        return
    target.setdefault(id(anchor), []).append(placed)
