"""An array read both by element and whole, never written: its whole value is a view, not a copy.

`(x[0] - 1.0) ** 2 + np.sum(i * (2.0 * x[1:] ** 2 - x[:-1]) ** 2)` reads x's elements in C and
x whole in NumPy, so the generated code makes `x_whole = as_whole(x)`, a copy that later element
writes would leave as it was (runtime/vector.as_whole). Where nothing writes an element of x, in
the primal or in the adjoint, nor can (x passed to a function of the module, which might), and x
is not assigned again, the copy holds the same values as x throughout: `whole_view(x)` is x's
memory seen as a NumPy array (np.asarray of the typed memoryview), one pass and one array fewer.
Nothing writes into it: transform/in_place.py writes only into arrays an operation made.
"""

from __future__ import annotations

from collections import Counter

from .. import ir
from ..rules import conversions, in_place


def view_unwritten_arrays(code) -> None:
    """Rewrite `as_whole(x)` of code's primal and adjoint bodies (a FunctionCode's) where x is
    never written, assigned at most once (a parameter: never) and passed to no call."""
    for attribute in ("primal_body", "adjoint_body"):
        body = getattr(code, attribute)
        unwritten = _unwritten(body, set(dict(code.signature.params)))
        for s in ir.walk_generated(body):
            if isinstance(s, ir.GAssign) and isinstance(s.value, ir.Call) and s.value.func == conversions.AS_WHOLE \
                    and isinstance(s.value.args[0], ir.Name) and s.value.args[0].id in unwritten:
                s.value = ir.Call(in_place.WHOLE_VIEW, s.value.args)


def _unwritten(body: list, params: set) -> set:
    """Names read in body that no statement writes an element of, passes to a call, or assigns
    more than once or inside a loop or branch (parameters: at all)."""
    assigned, touched, names = Counter(), set(), set()
    top_level = {id(s) for s in body}
    for s in ir.walk_generated(body):
        if isinstance(s, ir.GAssign):
            if isinstance(s.target, ir.Index):
                touched.add(s.target.array)
            elif isinstance(s.target, str):
                assigned[s.target] += 1 if id(s) in top_level else 2
        elif isinstance(s, ir.GUnpack):
            assigned.update({t: 2 for t in s.targets})
        elif isinstance(s, ir.GFor):
            assigned[s.var] += 2
        elif isinstance(s, ir.GCall) and s.func != "return":
            for a in s.args:
                touched |= ir.names_in(a)
        for e in _expressions(s):
            names |= ir.names_in(e)
            touched |= _passed_to_calls(e)
    return {n for n in names if n not in touched and assigned[n] + (n in params) <= 1}


def _expressions(s) -> list:
    found = [getattr(s, f, None) for f in ("value", "test")] + list(getattr(s, "args", ()) or ())
    return [e for e in found if isinstance(e, ir.Expr)]


def _passed_to_calls(e: ir.Expr) -> set:
    """Names passed whole to a function of the module (which may write their elements)."""
    out = set()
    if isinstance(e, ir.UserCall):
        out |= {a.id for a in e.args if isinstance(a, ir.Name)}
    for k in ir.children(e):
        out |= _passed_to_calls(k)
    return out
