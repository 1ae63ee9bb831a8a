"""Numbers times np.sum's cotangent kept one number: `16.0 * b_scaled` makes no array of 16 g's.

The adjoint of np.sum(t) (and np.mean(t)) is the number g spread over t's shape, a read-only
view of one element (rules/arrays.sum_adjoint), which unbroadcast passes on as it is. An
objective's reverse sweep then scales it by the constants of its expression, `b_power2 = 100.0
* b_scaled`, `b_scaled = -b_difference`, each a pass over a new array holding one number
everywhere, before it meets an array. Such an operation of a number and a name that may hold
that view is spelled `_vector.multiply_uniform(100.0, b_scaled)` (srcgrad.rules.in_place),
which computes the one number (the same operation on the same numbers, so the same bits) and
spreads it again where the operand is such a view, and operates as written otherwise.

Runs on adjoint bodies before transform/in_place.py, which takes these helpers' results for
arrays an operation may not write into (they are read-only views). Not in --fast-math builds,
whose elementwise chains become one compiled loop each (transform/fast_loops.py).
"""

from __future__ import annotations

from .. import ir
from ..analysis.types import expr_type
from ..rules import in_place

_SPREADS = frozenset({"sum_adjoint", "mean_adjoint"})  # their result may be one number spread
_NUMBERS = (ir.DOUBLE, ir.INT)


def keep_uniform_adjoints(code, return_types: dict) -> None:
    """Rewrite code.adjoint_body's (a FunctionCode's) operations of numbers and spread cotangents."""
    types = {**dict(code.signature.params), **code.locals, code.adjoint_param: code.locals.get(code.adjoint_param)}
    rewriter = _Rewriter(types, return_types)
    for s in ir.walk_generated(code.adjoint_body):
        if isinstance(s, ir.GAssign) and isinstance(s.target, str) and types.get(s.target) == ir.NDARRAY:
            s.value, spread = rewriter.expr(s.value)
            if spread and s.op == "=":
                rewriter.spread.add(s.target)


class _Rewriter:
    def __init__(self, types: dict, return_types: dict):
        self.types, self.return_types, self.spread = types, return_types, set()

    def type_of(self, e: ir.Expr):
        return expr_type(e, self.types, self.return_types)

    def expr(self, e: ir.Expr) -> tuple:
        """(e rewritten, whether its value may be one number spread over an array)."""
        if isinstance(e, ir.Name):
            return e, e.id in self.spread
        if isinstance(e, ir.Call) and e.func == "unbroadcast" and len(e.args) == 2:
            g, spread = self.expr(e.args[0])
            return ir.Call(e.func, (g, e.args[1])), spread
        kids = [self.expr(k) for k in ir.children(e)]
        rebuilt = ir.rebuild(e, [k for k, _ in kids]) if kids else e
        if isinstance(e, ir.Call) and e.func in _SPREADS:
            return rebuilt, True
        if isinstance(e, ir.Unary) and e.op == "-" and kids[0][1]:
            return ir.Call(in_place.uniform("negative"), (rebuilt.operand,)), True
        if isinstance(e, ir.BinOp) and e.op in in_place.BINARY and self.type_of(e) == ir.NDARRAY:
            (left, left_spread), (right, right_spread) = kids
            if left_spread and self.type_of(e.right) in _NUMBERS or right_spread and self.type_of(e.left) in _NUMBERS:
                return ir.Call(in_place.uniform(in_place.BINARY[e.op]), (left, right)), True
        return rebuilt, False
