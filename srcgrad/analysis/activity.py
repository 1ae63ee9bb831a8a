"""Activity: which variables carry derivatives.

A variable is active when it depends on a differentiable parameter (varied) and the result
depends on it (useful). Only active variables get adjoints; only statements that assign an
active variable from an active expression get adjoint code. Flow-insensitive, so it can only
over-approximate, never miss a dependence.
"""

from __future__ import annotations

from .. import ir


def _assignments(function: ir.Function):
    return [s for s in ir.walk(function.body) if isinstance(s, ir.Assign)]


def value_names(e: ir.Expr, measures=("shape", "size")) -> set:
    """The names whose values e reads: not those it only measures (x.shape[k], len(x) and
    np.size(x) carry no derivative: np.arange(1, len(x) + 1) does not vary with x)."""
    if isinstance(e, ir.Call) and e.func in measures:
        return set()
    if isinstance(e, ir.Name):
        return {e.id}
    out = set()
    for c in ir.children(e):
        out |= value_names(c, measures)
    return out


def active_variables(function: ir.Function, result: str, wrt=None) -> set:
    """wrt: the parameters derivatives are taken with respect to (None: every float parameter);
    the others are constants, so activity starts from these alone."""
    types = function.var_types
    floats = {name for name, kind in types.items() if kind in (ir.DOUBLE, ir.NDARRAY) or ir.array_dims(kind)}
    assigns = _assignments(function)

    varied = {name for name, _ in function.params if name in floats and (wrt is None or name in wrt)}
    changed = True
    while changed:
        changed = False
        for s in assigns:
            if s.target in floats and s.target not in varied and value_names(s.value) & varied:
                varied.add(s.target)
                changed = True

    useful = {result} & floats
    changed = True
    while changed:
        changed = False
        for s in assigns:
            if s.target in useful:
                new = (value_names(s.value) & floats) - useful
                if new:
                    useful |= new
                    changed = True
    return varied & useful


def stable_names(function: ir.Function, constants) -> set:
    """Names whose value, once set, never changes during a call.

    Unassigned parameters, module constants, and scalars assigned exactly once outside every
    loop (such a first definition is never taped, so the reverse sweep sees the same value).
    """
    counts, in_loops = {}, set()

    def visit(stmts, in_loop):
        for s in stmts:
            if isinstance(s, ir.Assign):
                counts[s.target] = counts.get(s.target, 0) + 1
                if in_loop or s.index is not None:
                    in_loops.add(s.target)
            elif isinstance(s, ir.For):
                counts[s.var] = counts.get(s.var, 0) + 2
            if isinstance(s, ir.If):
                visit(s.body, in_loop)
                visit(s.orelse, in_loop)
            elif isinstance(s, (ir.For, ir.While)):
                visit(s.body, True)

    visit(function.body, False)
    params = {name for name, _ in function.params}
    once = {name for name, n in counts.items() if n == 1 and name not in in_loops and name not in params
            and not ir.array_dims(function.var_types.get(name))}
    return ((params | set(constants)) - set(counts)) | once


def loop_only_variables(function: ir.Function) -> set:
    """Variables that are only ever `for` loop variables and are read only inside their loops.

    The reverse sweep sets them itself when it replays each loop, so their values between loops
    never need restoring.
    """
    assigned = {s.target for s in ir.walk(function.body) if isinstance(s, ir.Assign)}
    candidates = {s.var for s in ir.walk(function.body) if isinstance(s, ir.For)} - assigned
    outside = set()

    def visit(stmts, loop_vars):
        for s in stmts:
            for e in ir.reads_of(s):
                outside.update((ir.names_in(e) & candidates) - loop_vars)
            if isinstance(s, ir.If):
                visit(s.body, loop_vars)
                visit(s.orelse, loop_vars)
            elif isinstance(s, ir.For):
                visit(s.body, loop_vars | {s.var})
            elif isinstance(s, ir.While):
                if s.exit_flag is not None:
                    outside.update((ir.names_in(s.exit_flag) & candidates) - loop_vars)
                visit(s.body, loop_vars)

    visit(function.body, set())
    return candidates - outside


def first_definitions(function: ir.Function) -> set:
    """The assignments (by id) outside every loop that give a variable its first value: nothing
    earlier in the function (a parameter, an assignment, a loop variable) set it. Nothing before
    such an assignment reads the variable's adjoint, so its adjoint need not be reset there."""
    defined = {name for name, _ in function.params}
    first = set()

    def visit(stmts, in_loop):
        for s in stmts:
            if isinstance(s, ir.Assign) and s.index is None:
                if not in_loop and s.target not in defined:
                    first.add(id(s))
                defined.add(s.target)
            elif isinstance(s, ir.If):
                visit(s.body, in_loop)
                visit(s.orelse, in_loop)
            elif isinstance(s, ir.For):
                defined.add(s.var)
                visit(s.body, True)
            elif isinstance(s, ir.While):
                visit(s.body, True)

    visit(function.body, False)
    return first
