"""Conversions between the two kinds of arrays compiled code holds: an element-loop array (a typed
buffer that loops index and write) and a whole NumPy array (what vectorised expressions take).

Lowering inserts them where code uses one kind as the other: `y[i] = ...` in a loop, then
`np.sum(y * y)` reads `as_whole(y)`; `z = np.tanh(x)`, then `z[i]` in a loop, writes
`z = as_elements(tanh_value)`. Each copies (runtime/vector.py), so a later element write never
changes a value the reverse sweep reads. Both are linear: the adjoint of one is the other, added
into the operand's adjoint, and the tangent of one is the same conversion of the tangent.
"""

from __future__ import annotations

from .. import ir

AS_WHOLE, AS_ELEMENTS = "as_whole", "as_elements"
CONVERSIONS = (AS_WHOLE, AS_ELEMENTS)


def conversion(e) -> str | None:
    """AS_WHOLE or AS_ELEMENTS if e is that conversion, else None."""
    return e.func if isinstance(e, ir.Call) and e.func in CONVERSIONS else None
