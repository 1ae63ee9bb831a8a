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


def active_variables(function: ir.Function, result: str) -> set:
    types = function.var_types
    floats = {name for name, kind in types.items() if kind == ir.DOUBLE}
    assigns = _assignments(function)

    varied = {name for name, _ in function.params if types[name] == ir.DOUBLE}
    changed = True
    while changed:
        changed = False
        for s in assigns:
            if s.target in floats and s.target not in varied and ir.names_in(s.value) & varied:
                varied.add(s.target)
                changed = True

    useful = {result} & floats
    changed = True
    while changed:
        changed = False
        for s in assigns:
            if s.target in useful:
                new = (ir.names_in(s.value) & floats) - useful
                if new:
                    useful |= new
                    changed = True
    return varied & useful


def stable_names(function: ir.Function, constants) -> set:
    """Names whose value never changes during a call: unassigned parameters and module constants."""
    assigned = set()
    for s in ir.walk(function.body):
        if isinstance(s, ir.Assign):
            assigned.add(s.target)
        elif isinstance(s, ir.For):
            assigned.add(s.var)
    return ({name for name, _ in function.params} | set(constants)) - assigned
