"""Inlining a helper whose body reads as scalar code where a caller passes it a whole array.

`def sigmoid(z): return 1 / (1 + np.exp(-z))` is compiled with `z` a double; `p = sigmoid(X @ w)`
passes it an array, as Python allows. The call is replaced by the helper's (lowered,
straight-line) body, its locals renamed apart from the caller's, so the arithmetic runs on the
array as NumPy broadcasting does in Python and its adjoint is the whole-array rule of each
statement. Only straight-line helpers are inlined: a branch or a conditional on a number would be
an error on an array in Python (the truth value of an array), and loops are element code; a
comparison as a value is elementwise (a mask), as in NumPy.
"""

from __future__ import annotations

from .. import ir
from ..analysis.types import expr_type
from ..diagnostics import Unsupported
from ..rules import conversions
from .lower import Names


def inline_array_calls(function: ir.Function, names: Names, signatures: dict, lowered_callee,
                       array_constants=frozenset(), array_versions=None) -> bool:
    """Replace, in function's lowered body, each `t = f(args)` that passes a whole array to a
    parameter of f typed as a number by f's body. lowered_callee(f) gives a fresh lowered copy of
    f and the name of its result variable, or raises Unsupported saying why f cannot take an array;
    array_constants: the names of the module's array constants (arrays, though no local type says so);
    array_versions: callee -> the name of its array version (its numbers taken as whole arrays),
    called instead where its body cannot be inlined (an annotated parameter: `def act(z, k: float)`).
    Returns whether anything was inlined (the caller's types must then be inferred again)."""
    changed = False
    caller_locals = {p for p, _ in function.params} | {s.target if isinstance(s, ir.Assign) else s.var
                                                        for s in ir.walk(function.body)
                                                        if isinstance(s, (ir.Assign, ir.For))}

    def block(stmts):
        nonlocal changed
        out = []
        for s in stmts:
            if isinstance(s, ir.If):
                s.body, s.orelse = block(s.body), block(s.orelse)
            elif isinstance(s, (ir.For, ir.While)):
                s.body = block(s.body)
            positions = _array_positions(function, s, signatures, array_constants)
            if not positions:
                out.append(s)
                continue
            out.extend(_inlined(s, positions, names, signatures, lowered_callee, caller_locals,
                                function.var_types, array_versions or {}))
            changed = True
        return out

    function.body = block(function.body)
    return changed


def _array_positions(function: ir.Function, s, signatures: dict, array_constants) -> list:
    """The argument positions at which a top-level call of statement s passes a whole array to a
    parameter of the callee typed as a number."""
    if not (isinstance(s, ir.Assign) and s.index is None and isinstance(s.value, ir.UserCall)
            and s.value.func in signatures):
        return []
    return_types = {k: sig.return_type for k, sig in signatures.items()}
    params = signatures[s.value.func].params
    # module array constants are whole arrays too, and np.sum(A) of one a number
    types = {**{name: ir.NDARRAY for name in array_constants}, **function.var_types}
    return [k for k, (arg, (_, kind)) in enumerate(zip(s.value.args, params))
            if kind == ir.DOUBLE and _is_array(expr_type(arg, types, return_types))]


def _is_array(kind) -> bool:
    return kind == ir.NDARRAY or bool(ir.array_dims(kind))


def _inlined(s: ir.Assign, positions: list, names: Names, signatures: dict, lowered_callee,
             caller_locals: set, types: dict, array_versions: dict) -> list:
    call = s.value
    param = signatures[call.func].params[positions[0]][0]
    try:
        callee, result = lowered_callee(call.func)
        _check_straight_line(callee)
    except Unsupported as err:
        if call.func in array_versions:  # its numbers taken as whole arrays: a function of its own
            return [_version_call(s, array_versions[call.func], signatures, types)]
        raise Unsupported(f"a whole array passed to '{call.func}', whose parameter '{param}' is a double "
                          f"({err.construct} there, line {err.line})", s.line, s.column) from err
    if call.func in array_versions and any(ir.user_calls_in(x.value) for x in callee.body):
        # a helper calling helpers: its array version, not its body, whose calls would be
        # inlined in turn (a chain of n helpers inlined n deep in each: cubic in n)
        return [_version_call(s, array_versions[call.func], signatures, types)]
    assigned = {x.target for x in callee.body}
    free = set().union(*(ir.names_in(x.value) for x in callee.body)) - assigned - {p for p, _ in callee.params}
    captured = sorted(free & caller_locals)
    if captured:  # the helper reads a module constant the caller has a local of the same name for
        raise Unsupported(f"a whole array passed to '{call.func}', which reads the module's '{captured[0]}' that "
                          f"the caller's own '{captured[0]}' hides", s.line, s.column)
    renamed, before = {}, []
    for (p, _), arg in zip(callee.params, call.args):
        whole = _as_whole(arg, types)  # an array that loops index is passed as a whole NumPy array
        if isinstance(arg, (ir.Name, ir.Const)) and p not in assigned and whole == arg:
            renamed[p] = arg  # read as it is: no copy
        else:
            renamed[p] = ir.Name(names.fresh(p))
            before.append(ir.Assign(s.line, s.column, renamed[p].id, whole))
    for target in sorted(assigned):
        renamed[target] = ir.Name(names.fresh(f"{call.func}_value" if target == result else target))
    body = [ir.Assign(x.line, x.column, renamed[x.target].id, ir.substitute(x.value, renamed)) for x in callee.body]
    return before + body + [ir.Assign(s.line, s.column, s.target, renamed[result])]


def _version_call(s: ir.Assign, version: str, signatures: dict, types: dict) -> ir.Assign:
    """`t = f(args)` calling f's array version, its array arguments passed whole."""
    whole = tuple(_as_whole(arg, types) if kind == ir.NDARRAY else arg
                  for arg, (_, kind) in zip(s.value.args, signatures[version].params))
    return ir.Assign(s.line, s.column, s.target, ir.UserCall(version, whole))


def _as_whole(e: ir.Expr, types: dict) -> ir.Expr:
    """e with each element-loop array it uses whole read through as_whole (a copy, as lowering
    converts such arrays elsewhere: srcgrad.rules.conversions)."""
    if isinstance(e, ir.Name):
        return ir.Call(conversions.AS_WHOLE, (e,)) if ir.array_dims(types.get(e.id)) else e
    if isinstance(e, (ir.Index, ir.Alloc)) or (isinstance(e, ir.Call) and e.func in ("shape",) + conversions.CONVERSIONS):
        return e
    kids = ir.children(e)
    return ir.rebuild(e, [_as_whole(c, types) for c in kids]) if kids else e


def _check_straight_line(callee: ir.Function) -> None:
    for x in callee.body:
        if not isinstance(x, ir.Assign):
            raise Unsupported("control flow", x.line, x.column)
        if x.index is not None:
            raise Unsupported("an element write", x.line, x.column)
        for e in ir.reads_of(x):
            for sub in _subexpressions(e):
                # a comparison is elementwise on arrays ((x > a) * k: a mask); only its truth value
                # (a conditional, and, or) would be an error there
                if isinstance(sub, (ir.IfExp, ir.BoolOp)):
                    raise Unsupported("a conditional", x.line, x.column)
                if isinstance(sub, ir.Index):
                    raise Unsupported("an element read", x.line, x.column)
                if isinstance(sub, ir.Alloc):
                    raise Unsupported("an array allocation", x.line, x.column)


def _subexpressions(e: ir.Expr):
    yield e
    for c in ir.children(e):
        yield from _subexpressions(c)
