"""Array adjoints written once: `b_X[i, j] = ...` into uninitialised memory, not `+=` into zeros.

The gradient entries hand an adjoint kernel zeroed arrays for its array parameters, and the
kernel adds into them. Where the kernel's only mention of b_X is one `b_X[i, j] += e` in a nest
of loops that runs exactly once over every element (as logistic's b_X: one contribution per
element, in the fused loop), the addition to zero is a plain write: the kernel stores e, and
value_and_vjp_ allocates b_X with np.empty_like instead of zeroing it first. That is one pass
over the memory where there were three (zeroing, reading, writing), as a careful hand adjoint
writes it. Every other caller (batched rows, hvp) still passes zeros, where a write is equally
right.
"""

from __future__ import annotations

from .. import ir
from ..ir import GAssign, GBreak, GCall, GFor, GIf, GUnpack, GWhile
from .fuse import expressions_of


def overwrite_whole_adjoints(code) -> None:
    """Rewrite code.adjoint_body's single whole-array `+=` of each array parameter's adjoint to
    `=`, and record those parameters in code.overwritten (the wrappers skip their zeroing)."""
    params = dict(code.signature.params)
    overwritten = []
    for p in code.signature.differentiable:
        dims = ir.array_dims(params[p])
        name = code.adjoint_names.get(p)
        if not dims or name is None or _assigned(code.adjoint_body, p):
            continue
        write = _single_whole_write(code.adjoint_body, name, p, dims, code.adjoint_body)
        if write is not None:
            write.op = "="
            overwritten.append(p)
    code.overwritten = frozenset(overwritten)


def _single_whole_write(stmts: list, name: str, array: str, dims: int, body: list):
    """The one statement mentioning `name`, if it is `name[v1, ..., vk] += e` with e not reading
    name, inside exactly k loops (nothing else around it, no break) whose variables v1..vk run
    over the whole of array's dimensions 1..k, each once."""
    found = []
    _find(stmts, name, [], found)
    if len(found) != 1 or found[0][0] is None:
        return None
    write, loops = found[0]
    if not (isinstance(write, GAssign) and write.op == "+=" and isinstance(write.target, ir.Index)
            and len(write.target.indices) == dims == len(loops) and name not in ir.names_in(write.value)):
        return None
    by_var = {loop.var: loop for loop in loops}
    for axis, index in enumerate(write.target.indices):
        loop = by_var.pop(index.id, None) if isinstance(index, ir.Name) else None
        if loop is None or not _covers(loop.args, array, axis, body) \
                or any(isinstance(s, (GBreak, GWhile)) for s in ir.walk_generated(loop.body)):
            return None
    return write


def _find(stmts: list, name: str, enclosing: list, found: list) -> None:
    """(statement, its enclosing loops) for each statement mentioning name; (None, []) for one
    inside anything but a `for` (an if, a while), which need not run once per element."""
    for s in stmts:
        if isinstance(s, GFor):
            if any(name in ir.names_in(a) for a in s.args):
                found.append((None, []))
            _find(s.body, name, enclosing + [s], found)
        elif isinstance(s, (GIf, GWhile)):
            inner = []
            _find(s.body + (s.orelse if isinstance(s, GIf) else []), name, [], inner)
            if inner or name in ir.names_in(s.test):
                found.append((None, []))
        elif _mentions(s, name):
            found.append((s, enclosing))


def _mentions(s, name: str) -> bool:
    if isinstance(s, GAssign) and (s.target == name or isinstance(s.target, ir.Index) and s.target.array == name):
        return True
    if isinstance(s, GUnpack) and name in s.targets:
        return True
    if isinstance(s, GCall) and any(a == name for a in s.args):
        return True
    return any(name in ir.names_in(e) for e in expressions_of(s))


def _covers(args: tuple, array: str, axis: int, body: list) -> bool:
    """Whether range(*args) is 0, 1, ..., array.shape[axis] - 1 (or the same reversed)."""
    if len(args) == 1:
        return _is_extent(args[0], array, axis, body)
    if len(args) in (2, 3) and ir.is_const(args[0], 0) and (len(args) == 2 or ir.is_const(args[2], 1)):
        return _is_extent(args[1], array, axis, body)
    if len(args) == 3 and ir.is_const(args[1], -1) and ir.is_const(args[2], -1):
        start = args[0]
        return isinstance(start, ir.BinOp) and start.op == "-" and ir.is_const(start.right, 1) \
            and _is_extent(start.left, array, axis, body)
    return False


def _is_extent(e: ir.Expr, array: str, axis: int, body: list) -> bool:
    """array.shape[axis], spelt so or as a name assigned it once at the top level and nowhere else."""
    if _is_shape(e, array, axis):
        return True
    if not isinstance(e, ir.Name):
        return False
    assignments = [s for s in ir.walk_generated(body) if _mentions_as_target(s, e.id)]
    return len(assignments) == 1 and any(s is assignments[0] for s in body) \
        and isinstance(assignments[0], GAssign) and assignments[0].op == "=" \
        and _is_shape(assignments[0].value, array, axis)


def _is_shape(e: ir.Expr, array: str, axis: int) -> bool:
    return isinstance(e, ir.Call) and e.func == "shape" and len(e.args) == 2 \
        and e.args[0] == ir.Name(array) and ir.is_const(e.args[1], axis)


def _mentions_as_target(s, name: str) -> bool:
    return isinstance(s, GAssign) and s.target == name or isinstance(s, GUnpack) and name in s.targets \
        or isinstance(s, GFor) and s.var == name


def _assigned(body: list, array: str) -> bool:
    """Whether the adjoint rebinds or writes the parameter itself (its shape could change)."""
    return any(isinstance(s, GAssign) and (s.target == array or isinstance(s.target, ir.Index)
                                           and s.target.array == array)
               or _mentions_as_target(s, array) for s in ir.walk_generated(body))
