"""Chains of whole-array elementwise statements made one expression, for `--fast-math` builds.

`total = product + b1` then `hidden = np.tanh(total)`, total read nowhere else, becomes
`hidden = np.tanh(product + b1)`: the printer (emit/loops.py) then writes one compiled loop
over the elements for it, which GCC vectorises under -ffast-math (tanh, exp, log, sin and cos
through glibc's libmvec), where NumPy makes one pass over memory per operation and runs
float64 tanh one element at a time. Only fast-math builds do this: the default build keeps
NumPy's operation-by-operation results, bit for bit.

Runs on the primal and adjoint bodies before transform/in_place.py, which then decides which
operand each merged expression may write into.
"""

from __future__ import annotations

from collections import Counter

from .. import ir
from ..analysis.types import expr_type
from ..rules import in_place
from .in_place import _Reads, _assigns, _names_of, rewrite_bodies

ELEMENTWISE_OPERATORS = frozenset({"+", "-", "*", "/", "**"})


def merge_elementwise_chains(code, return_types: dict) -> None:
    """Merge code's (a FunctionCode) primal and adjoint chains in place of their lists."""
    rewrite_bodies(code, return_types, _merged)


def _merged(body: list, types: dict, return_types: dict) -> list:
    def type_of(e):
        return expr_type(e, types, return_types)

    body = list(body)
    while True:
        merge = _one_merge(body, type_of)
        if merge is None:
            return body
        i, j, value = merge
        s = body[j]
        body[j] = ir.GAssign(s.target, value, s.op, s.comment)
        body[i] = ir.GComment(f"{body[i].target}: computed within {s.target}'s expression, its only reader")


def _one_merge(body: list, type_of):
    """(i, j, statement j's value with statement i's inlined) for the first mergeable pair, or None."""
    definitions = {s.target: i for i, s in enumerate(body) if _elementwise_definition(s, type_of)}
    if not definitions:
        return None
    assigned = Counter()
    for s in ir.walk_generated(body):
        if isinstance(s, ir.GAssign) and isinstance(s.target, str):
            assigned[s.target] += 1
        elif isinstance(s, ir.GUnpack):
            assigned.update(s.targets)
        elif isinstance(s, ir.GFor):
            assigned[s.var] += 1
    mentions = Counter()
    for s in body:
        mentions.update(_names_of(s))
    for j, s in enumerate(body):
        if not (isinstance(s, ir.GAssign) and isinstance(s.target, str) and type_of(s.value) == ir.NDARRAY):
            continue
        reads = _Reads(s).values
        for name, i in definitions.items():
            if i >= j or reads[name] != 1 or mentions[name] != 2 or assigned[name] != 1 or name == s.target:
                continue
            moved = ir.names_in(body[i].value)
            if s.target not in moved and all(assigned[n] <= 1 and not any(n in _Reads(body[k]).escaping or _assigns(body[k], n)
                                                for k in range(i + 1, j)) for n in moved):
                return i, j, _substituted(s.value, name, body[i].value)
    return None


def _elementwise_definition(s, type_of) -> bool:
    """`t = E` at the top level, E an array computed element by element from names and numbers."""
    return isinstance(s, ir.GAssign) and s.op == "=" and isinstance(s.target, str) \
        and type_of(s.value) == ir.NDARRAY and _elementwise(s.value) and _only_names_and_numbers(s.value)


def _elementwise(e: ir.Expr) -> bool:
    return (isinstance(e, ir.BinOp) and e.op in ELEMENTWISE_OPERATORS) or (isinstance(e, ir.Unary) and e.op == "-") \
        or (isinstance(e, ir.Call) and e.func in in_place.UNARY and len(e.args) == 1)


def _only_names_and_numbers(e: ir.Expr) -> bool:
    if isinstance(e, (ir.Name, ir.Const)):
        return True
    return _elementwise(e) and all(_only_names_and_numbers(k) for k in ir.children(e))


def _substituted(e: ir.Expr, name: str, value: ir.Expr) -> ir.Expr:
    if isinstance(e, ir.Name):
        return value if e.id == name else e
    kids = ir.children(e)
    return ir.rebuild(e, [_substituted(k, name, value) for k in kids]) if kids else e
