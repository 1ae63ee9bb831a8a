"""Whole-array temporaries of an adjoint let go after their last read: `power3 = None`.

A generated adjoint keeps each array it made in a local until it returns, where a person's
NumPy drops a temporary as soon as nothing refers to it. With n = 100,000 that is 800 kB an
array: rosenbrock's adjoint held nine at once where its hand gradient holds three. Memory that
large the allocator takes from the system and gives back (glibc trims the heap's free top), so
each call pays page faults for it again: four new 800 kB temporaries cost some thirty times the
same four operations done in place (measured on the loaded 2-core development machine).
Releasing each array the statement after the last one that mentions it lets the next operation
reuse its memory.

Only locals assigned at the top level from operations that make arrays of their own (what
transform/accumulate.py calls fresh) are released, after the last top-level statement (a loop
or branch as a whole) mentioning them. An array whose last reads need its shape alone (the
`like` of unbroadcast and sum_adjoint: the forward sweep's temporaries, read again by the reverse
sweep for their shapes) becomes a placeholder of its shape after its last read for its values
(rules/in_place.shape_placeholder), which lets its memory go before the reverse sweep. Runs last,
on the adjoint body as it will be printed.
"""

from __future__ import annotations

from .. import ir
from .accumulate import fresh
from ..rules import in_place
from .in_place import _names_of, _Reads


def release_dead_arrays(code) -> None:
    """Insert `name = None` into code.adjoint_body (a FunctionCode's) after each owned array's
    last mention, and `name = shape_placeholder(name)` after its last read for its values where
    reads of its shape alone follow."""
    types = {**dict(code.signature.params), **code.locals}
    owned = {s.target for s in code.adjoint_body
             if isinstance(s, ir.GAssign) and isinstance(s.target, str) and types.get(s.target) == ir.NDARRAY
             and s.target not in dict(code.signature.params) and fresh(s.value)}
    if not owned:
        return
    last, last_value, assigned = {}, {}, {}
    for i, s in enumerate(code.adjoint_body):
        for name in _names_of(s) & owned:
            last[name] = i
        for name in set(_Reads(s).values) & owned:
            last_value[name] = i
        for name in _assigned(s) & owned:
            assigned[name] = i
    after = {}
    for name, i in last.items():
        after.setdefault(i, []).append(ir.GAssign(name, ir.Const(None)))
        value = max(last_value.get(name, -1), assigned.get(name, -1))
        if 0 <= value < i:
            after.setdefault(value, []).append(
                ir.GAssign(name, ir.Call(in_place.SHAPE_PLACEHOLDER, (ir.Name(name),)),
                           comment="its memory let go: only its shape is read from here on"))
    body = []
    for i, s in enumerate(code.adjoint_body):
        body.append(s)
        if not (isinstance(s, ir.GCall) and s.func == "return"):
            body += sorted(after.get(i, ()), key=lambda release: release.target)
    code.adjoint_body = body


def _assigned(s) -> set:
    return {x.target for x in ir.walk_generated([s]) if isinstance(x, ir.GAssign) and isinstance(x.target, str)} \
        | {t for x in ir.walk_generated([s]) if isinstance(x, ir.GUnpack) for t in x.targets}
