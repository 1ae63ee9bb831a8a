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
or branch as a whole) mentioning them; runs last, on the adjoint body as it will be printed.
"""

from __future__ import annotations

from .. import ir
from .accumulate import fresh
from .in_place import _names_of


def release_dead_arrays(code) -> None:
    """Insert `name = None` into code.adjoint_body (a FunctionCode's) after each owned array's
    last mention."""
    types = {**dict(code.signature.params), **code.locals}
    owned = {s.target for s in code.adjoint_body
             if isinstance(s, ir.GAssign) and isinstance(s.target, str) and types.get(s.target) == ir.NDARRAY
             and s.target not in dict(code.signature.params) and fresh(s.value)}
    if not owned:
        return
    last = {}
    for i, s in enumerate(code.adjoint_body):
        for name in _names_of(s) & owned:
            last[name] = i
    after = {}
    for name, i in last.items():
        after.setdefault(i, []).append(name)
    body = []
    for i, s in enumerate(code.adjoint_body):
        body.append(s)
        if not (isinstance(s, ir.GCall) and s.func == "return"):
            body += [ir.GAssign(name, ir.Const(None)) for name in sorted(after.get(i, ()))]
    code.adjoint_body = body
