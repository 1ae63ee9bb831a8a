"""When a loop's reverse sweep can run inside its forward sweep (one fused pass, no tape).

The reverse sweep of a loop normally waits for everything after the loop: the adjoints it
starts from are only known once the function's result is. A sum reduction is the exception a
careful person sees at once:

    total = 0.0
    for i in range(n):
        total += f(x[i], ...)
    return total / n

Proven here, at the level of the lowered source, for a loop at a function's top level:

- the loop carries nothing from one iteration to the next but additive accumulators: every
  variable the body reads before assigning it (in one iteration) and also assigns is
  `acc = acc + e` / `acc = acc - e` / `acc = e + acc` everywhere it is assigned in the body,
  and read nowhere else in the body; so each iteration's adjoint is independent of the others
  and the accumulator's adjoint is the same in every iteration (its adjoint is the identity);
- what follows the loop uses each active accumulator only linearly, in straight-line
  assignments leading to the result, with coefficients that read nothing the loop or the code
  after it assigns: the accumulator's adjoint at the loop is `coefficient * b_result`, known
  before the loop starts;
- nothing after the loop reads a value the loop assigns (besides the accumulators) before
  assigning it anew, and nothing after it assigns a float the loop reads: the code after the
  loop neither needs a value the fused pass leaves behind nor changes a value (or the adjoint of
  one) the pass used;
- the body writes no array element, calls no module function and holds no whole-array value;
  the loop does not break, and its range reads nothing the body assigns.

Anything else keeps two sweeps.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import ir


@dataclass
class FusionPlan:
    """A loop proven fusable: its accumulators, and for each active one the coefficient that
    multiplies the incoming cotangent to give its adjoint at the loop."""

    accumulators: set
    coefficients: dict  # active accumulator -> Expr
    loop_locals: set  # assigned only inside the loop: nothing outside it needs their old values
    loop_variable_read_after: bool


class _NotLinear(Exception):
    pass


def fusion_plan(function: ir.Function, loop: ir.For, result: str, active: set) -> FusionPlan | None:
    """The plan for `loop` (a statement of function.body's top level), or None: two sweeps."""
    if loop.exit_flag is not None or function.var_types.get(result) != ir.DOUBLE:
        return None
    position = next((k for k, s in enumerate(function.body) if s is loop), None)
    if position is None or not _plain_body(loop, function.var_types):
        return None
    assigned = assigned_names(loop.body) - {loop.var}
    if loop.var in {s.target for s in ir.walk(loop.body) if isinstance(s, ir.Assign)}:
        return None
    if any(ir.names_in(e) & (assigned | {loop.var}) for e in (loop.start, loop.stop, loop.step)):
        return None
    carried = live_in(loop.body) & assigned
    if not all(_is_accumulator(loop.body, name) for name in carried):
        return None
    after = function.body[position + 1:]
    read_after, assigned_after = live_in(after), assigned_names(after)
    if (assigned - carried) & read_after:
        return None  # a value the loop leaves is read after it (a later `for j` binds j anew: fine)
    numbers = {n for n in live_in(loop.body) if function.var_types.get(n) not in (ir.INT, ir.BOOL)}
    if numbers & assigned_after:
        return None  # a float from before the loop: the loop adds to its adjoint, which code after resets
    coefficients = {}
    for name in sorted(carried & active):
        coefficient = _coefficient(after, name, result)
        if coefficient is None or ir.names_in(coefficient) & (assigned | assigned_after | {loop.var}):
            return None
        coefficients[name] = coefficient
    before = function.body[:position]
    outside = assigned_names(before) | assigned_after | {p for p, _ in function.params}
    return FusionPlan(carried, coefficients, assigned - carried - outside, loop.var in read_after)


def _plain_body(loop: ir.For, types: dict) -> bool:
    for s in ir.walk(loop.body):
        if isinstance(s, ir.Assign):
            kind = types.get(s.target)
            if s.index is not None or kind == ir.NDARRAY or ir.array_dims(kind) or isinstance(s.value, ir.Alloc):
                return False
        for e in ir.reads_of(s):
            if ir.user_calls_in(e) or any(types.get(n) == ir.NDARRAY for n in ir.names_in(e)):
                return False
    return True


def _is_accumulator(body: list, name: str) -> bool:
    """Every assignment of name in body adds to it a value that does not read it, and no other
    statement reads it."""
    for s in ir.walk(body):
        reads = set()
        for e in ir.reads_of(s):
            reads |= ir.names_in(e)
        if isinstance(s, ir.Assign) and s.target == name:
            if _increment(s.value, name) is None:
                return False
        elif name in reads:
            return False
    return True


def _increment(value: ir.Expr, name: str):
    """e of `name + e`, `name - e` or `e + name`, where e does not read name; else None."""
    if not isinstance(value, ir.BinOp) or value.op not in "+-":
        return None
    own = ir.Name(name)
    if value.left == own and name not in ir.names_in(value.right):
        return value.right
    if value.op == "+" and value.right == own and name not in ir.names_in(value.left):
        return value.left
    return None


def _coefficient(after: list, accumulator: str, result: str):
    """d result / d accumulator through the straight-line code after the loop, as an expression,
    or None where that code uses the accumulator other than linearly (or not on the way to the
    result)."""
    tracked = {accumulator: ir.Const(1.0)}
    for s in after:
        if isinstance(s, ir.Assign) and s.index is None:
            try:
                coefficient = _linear(s.value, tracked)
            except _NotLinear:
                return None
            if coefficient is None:
                tracked.pop(s.target, None)
            else:
                tracked[s.target] = coefficient
            continue
        if (read_names([s]) | assigned_names([s])) & set(tracked):
            return None
    return tracked.get(result)


def _linear(e: ir.Expr, tracked: dict):
    """The coefficient of e in the tracked variables (each stands for its coefficient times the
    accumulator), None if e does not read them; _NotLinear if e is not linear in them."""
    if isinstance(e, ir.Name):
        return tracked.get(e.id)
    if isinstance(e, ir.BinOp) and e.op in ("+", "-", "*", "/"):
        left, right = _linear(e.left, tracked), _linear(e.right, tracked)
        if left is None and right is None:
            return None
        if e.op in "+-":
            left = left if left is not None else ir.Const(0.0)
            right = right if right is not None else ir.Const(0.0)
            return left + right if e.op == "+" else left - right
        if e.op == "*" and (left is None or right is None):
            return left * e.right if right is None else e.left * right
        if e.op == "/" and right is None:
            return left / e.right
        raise _NotLinear
    if isinstance(e, ir.Unary) and e.op == "-":
        inner = _linear(e.operand, tracked)
        return None if inner is None else -inner
    if ir.names_in(e) & set(tracked):
        raise _NotLinear
    return None


def live_in(body: list) -> set:
    """Variables some path through one execution of body reads before body assigns them."""
    found = set()

    def flow(stmts, defined: frozenset) -> frozenset:
        for s in stmts:
            for e in ir.reads_of(s):
                found.update(ir.names_in(e) - defined)
            if isinstance(s, ir.Assign) and s.index is None:
                defined = defined | {s.target}
            elif isinstance(s, ir.If):
                defined = flow(s.body, defined) & flow(s.orelse, defined)
            elif isinstance(s, ir.For):
                flow(s.body, defined | {s.var})  # it may run no iteration: assigns nothing for sure
            elif isinstance(s, ir.While):
                flow(s.body, defined)
        return defined

    flow(body, frozenset())
    return found


def read_names(stmts: list) -> set:
    names = set()
    for s in ir.walk(stmts):
        for e in ir.reads_of(s):
            names |= ir.names_in(e)
    return names


def assigned_names(stmts: list) -> set:
    """Variables (and arrays, by element) the statements assign, loop variables included."""
    names = set()
    for s in ir.walk(stmts):
        if isinstance(s, ir.Assign):
            names.add(s.target)
        elif isinstance(s, ir.For):
            names.add(s.var)
    return names
