"""The guard of rules whose partial derivative can be infinite where the primitive is finite
(srcgrad.rules.elementwise.UNBOUNDED_PARTIALS), applied to the compiler's IR.

Reverse mode writes such a contribution `b_u += (b_r * (0.5 / sqrt(u))) if b_r != 0.0 else 0.0`,
forward mode `d_r = (0.5 / sqrt(u) * d_u) if d_u != 0.0 else 0.0`: a zero incoming derivative
contributes exactly 0, and the infinite partial is never evaluated (C's conditional and Python's
evaluate one arm only; arrays take np.where).
"""

from __future__ import annotations

from .. import ir
from .elementwise import has_unbounded_partial


def unbounded(e: ir.Expr) -> bool:
    """Whether e applies a rule whose partial needs the guard."""
    if isinstance(e, ir.BinOp) and e.op == "**":
        exponent = e.right.value if isinstance(e.right, ir.Const) and isinstance(e.right.value, (int, float)) else None
        return has_unbounded_partial("power", exponent)
    return isinstance(e, ir.Call) and has_unbounded_partial(e.func)


def needs_guard(incoming: ir.Expr) -> bool:
    """A constant nonzero incoming derivative needs none."""
    return not (isinstance(incoming, ir.Const) and incoming.value != 0)


def unless_zero(incoming: ir.Expr, contribution: ir.Expr) -> ir.Expr:
    """`contribution if incoming != 0.0 else 0.0`."""
    if not needs_guard(incoming):
        return contribution
    return ir.select(ir.compare("!=", incoming, ir.Const(0.0)), contribution, ir.Const(0.0))
