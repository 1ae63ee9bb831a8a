"""How whole-array adjoints add up, written as a hand adjoint writes them.

Reverse mode adds every contribution to an adjoint, `b_x += e`, b_x starting as the number 0.0.
Two of those additions cost a pass over memory and a new array each that a hand adjoint does
not make:

- The adjoint of reading a slice, `b_x += getitem_adjoint(g, x, np.s_[1:])`, makes an array of
  zeros of x's whole shape, copies g into its slice and adds the lot to b_x: three passes over
  all of x for a read of some of its elements. It becomes `b_x = getitem_adjoint_into(b_x, g,
  x, np.s_[1:])` (srcgrad.rules.in_place), which adds g into b_x's slice where b_x is already an
  array of its own (b_x[1:] += g), and is getitem_adjoint's array itself for the first
  contribution. Vectorised code reads slices a lot (rosenbrock's x[1:] and x[:-1]).
- The first contribution, `b_x += e` with b_x still 0.0, copies e into a new array (0.0 + e).
  Where e is an operation's new array that nothing else holds, b_x takes it: `b_x = e`. The
  values are the same but for the sign of a zero (0.0 + -0.0 is 0.0).
- An array read both by element and whole (`w = as_whole(x)`) has its whole adjoint read by
  element: as_elements(cotangent_like(b_w, w)) copied it twice. cotangent_elements(b_w, w)
  hands b_w itself to the loop that reads it where it is already a contiguous float array of
  w's shape, and copies it once otherwise.

Runs after transform/in_place.py, which decides which arrays an operation may write into.
"""

from __future__ import annotations

from .. import ir
from ..rules import conversions, in_place
from .in_place import ARITHMETIC, _names_of

# calls whose result is an array of its own (or a number): a new one, or an operand that
# transform/in_place.py found nothing else reads (not the uniform helpers, which may return a
# read-only view, transform/uniform_adjoints.py, nor those that may return their argument)
_FRESH_CALLS = (frozenset(in_place.HELPERS) | frozenset(in_place.UNARY) | {"integer_power", "getitem_adjoint"}) \
    - in_place.UNIFORM_HELPERS \
    - {in_place.GETITEM_ADJOINT_INTO, in_place.COTANGENT_ELEMENTS, in_place.WHOLE_VIEW, in_place.SHAPE_PLACEHOLDER}


def accumulate_adjoints(code) -> None:
    """Rewrite the additions to whole-array adjoints of code.adjoint_body (a FunctionCode's)."""
    types = {**dict(code.signature.params), **code.locals}
    arrays = {name for name, kind in types.items() if kind == ir.NDARRAY} - {code.adjoint_param}
    for s in ir.walk_generated(code.adjoint_body):
        if _adds(s, arrays) and isinstance(s.value, ir.Call) and s.value.func == "getitem_adjoint" \
                and len(s.value.args) == 3:
            s.value = ir.Call(in_place.GETITEM_ADJOINT_INTO, (ir.Name(s.target),) + tuple(s.value.args))
            s.op = "="
    _take_first_contributions(code.adjoint_body, arrays & set(code.zero_init))
    for s in ir.walk_generated(code.adjoint_body):  # as_elements(cotangent_like(g, w)): one copy, or none
        if isinstance(s, ir.GAssign) and isinstance(s.value, ir.Call) and s.value.func == conversions.AS_ELEMENTS \
                and isinstance(s.value.args[0], ir.Call) and s.value.args[0].func == "cotangent_like":
            s.value = ir.Call(in_place.COTANGENT_ELEMENTS, s.value.args[0].args)


def _adds(s, arrays: set) -> bool:
    """Whether s is `b_x += e`, b_x a whole-array local that e does not read."""
    return isinstance(s, ir.GAssign) and s.op == "+=" and isinstance(s.target, str) and s.target in arrays \
        and s.target not in ir.names_in(s.value)


def _take_first_contributions(body: list, zeros: set) -> None:
    """`b_x += e` -> `b_x = e` for the first statement of body mentioning b_x, at its top level
    (run once, b_x still 0.0 there), where e's value is a new array."""
    seen = set()
    for s in body:
        if _adds(s, zeros) and s.target not in seen and fresh(s.value):
            s.op = "="
        seen |= _names_of(s)


def fresh(e: ir.Expr) -> bool:
    """Whether e's value is an array nothing else holds (or a number)."""
    if isinstance(e, ir.Call) and e.func == "unbroadcast" and len(e.args) == 2:
        return fresh(e.args[0])  # g itself, or a sum of g: new memory either way
    if isinstance(e, ir.BinOp):
        return e.op in ARITHMETIC
    if isinstance(e, ir.Unary):
        return e.op == "-"
    return isinstance(e, ir.Call) and e.func in _FRESH_CALLS
