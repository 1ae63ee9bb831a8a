"""The array rule table (srcgrad.rules.arrays) applied to the compiler's IR.

A primitive appears in the IR as `ir.Call(name, args)` (or `ir.BinOp("@", a, b)` for matmul),
its static options (an axis) as constants after its operands. An adjoint appears as
`ir.Call(adjoint.name, args)`: a runtime helper, or a primitive of the table itself (transpose).
Reverse mode asks `adjoint_calls`, forward mode `tangent`, type inference `result_is_array`,
the printers `spelled`.
"""

from __future__ import annotations

from .. import ir
from .arrays import ARRAY, HELPERS, INDEX, OPERATORS, RULES, ArrayRule


def rule_of(e: ir.Expr) -> ArrayRule | None:
    """The array primitive e applies, if it is one."""
    if isinstance(e, ir.Call):
        return RULES.get(e.func)
    if isinstance(e, ir.BinOp) and e.op in OPERATORS:
        return RULES[OPERATORS[e.op]]
    return None


def arguments(e: ir.Expr) -> tuple:
    return (e.left, e.right) if isinstance(e, ir.BinOp) else e.args


def operands(e: ir.Expr) -> tuple:
    """The array operands of a primitive application (its options left out)."""
    return arguments(e)[:rule_of(e).operands]


def array_operands(e: ir.Expr) -> tuple:
    """The operands that are arrays with a derivative (np.arange(0, n, 1) has none)."""
    rule = rule_of(e)
    if rule.number_operands:
        return ()
    return tuple(o for o, vjp in zip(operands(e), rule.vjps) if vjp is not None or rule.piecewise_constant)


def constant_operands(e: ir.Expr) -> tuple:
    """The operands the table gives no adjoint (np.arange's bounds, np.full's value)."""
    rule = rule_of(e)
    return () if rule.piecewise_constant else tuple(o for o, vjp in zip(operands(e), rule.vjps) if vjp is None)


def rebuilt(e: ir.Expr, args: tuple) -> ir.Expr:
    return ir.BinOp(e.op, *args) if isinstance(e, ir.BinOp) else ir.Call(e.func, args)


def result_is_array(e: ir.Expr) -> bool:
    """The shape rule: whether the primitive gives a whole array (else a number)."""
    rule = rule_of(e)
    options = [a.value if isinstance(a, ir.Const) else a for a in arguments(e)[rule.operands:]]  # x[a:b]: not constants
    return rule.result(*options) == ARRAY


def result_is_index(e: ir.Expr) -> bool:
    """Whether the primitive gives an integer (np.argmax(x))."""
    rule = rule_of(e)
    return rule.result(*[a.value if isinstance(a, ir.Const) else a for a in arguments(e)[rule.operands:]]) == INDEX


def adjoint_calls(e: ir.Expr, g: ir.Expr, ans: ir.Expr) -> list:
    """[(operand, the expression of its cotangent)] for each differentiable operand, in order."""
    rule = rule_of(e)
    bound = dict(zip(rule.params, arguments(e)), g=g, ans=ans)
    return [(operand, ir.Call(vjp.name, tuple(bound[p] for p in vjp.params if p in bound)))
            for operand, vjp in zip(operands(e), rule.vjps) if vjp is not None]


def linear_arguments(e: ir.Expr) -> tuple | None:
    """The argument positions a primitive or a runtime adjoint is (multi)linear in, or None."""
    rule = rule_of(e)
    if rule is not None:
        return rule.linear
    if isinstance(e, ir.Call) and e.func in HELPERS:
        return HELPERS[e.func].linear
    return None


def tangent(e: ir.Expr, tangent_of) -> ir.Expr | None:
    """The JVP of a (multi)linear application: the sum, over its linear arguments, of e with
    that argument replaced by its tangent (None where every such tangent is zero). A reduction
    that is not linear, and an adjoint with its own JVP helper, say so in the table."""
    args, total = arguments(e), None
    rule = rule_of(e)
    if rule is not None and rule.reduction_jvp:
        t = tangent_of(args[0])
        if t is None:
            return None
        (_, gradient), = adjoint_calls(e, ir.Const(1.0), None)
        return ir.Call("sum", (ir.BinOp("*", gradient, t),) + args[1:])  # the axis, keepdims
    if rule is not None and rule.tangent is not None:  # np.sort, np.linalg.solve: a helper of the tangents
        return _tangent_call(e, rule, tangent_of)
    if rule is not None and rule.additive:  # np.concatenate: of the tangents, zeros where none
        tangents = [tangent_of(o) for o in operands(e)]
        if all(t is None for t in tangents):
            return None
        # zeros where none; a tangent variable may hold the number 0.0 (an operand that varies with
        # nothing, np.ones_like(t)): spread to the operand's shape, which joining needs
        shaped = [ir.Call("cotangent_like", (ir.Const(0.0) if t is None else t, o))
                  if t is None or isinstance(t, ir.Name) else t for t, o in zip(tangents, operands(e))]
        return rebuilt(e, tuple(shaped) + args[rule.operands:])
    helper = HELPERS.get(e.func) if isinstance(e, ir.Call) and rule is None else None
    if helper is not None and helper.jvp is not None:
        tangents = [tangent_of(args[helper.params.index(p)]) for p in helper.varying]
        if all(t is None for t in tangents):
            return None
        return ir.Call(helper.jvp, args + tuple(ir.Const(0.0) if t is None else t for t in tangents))
    for i in linear_arguments(e):
        t = tangent_of(args[i])
        if t is not None:
            term = rebuilt(e, args[:i] + (t,) + args[i + 1:])
            total = term if total is None else total + term
    return total


def _tangent_call(e: ir.Expr, rule: ArrayRule, tangent_of) -> ir.Expr | None:
    """The call of a primitive's JVP helper: its parameter `t` is the first operand's tangent (np.sort,
    np.cumprod), `d_<operand>` that operand's (np.linalg.solve's d_a and d_b; 0.0 where one has
    none), the others the primitive's arguments by name. None where every tangent is zero."""
    args, params = arguments(e), rule.tangent.params
    operand_of = {"t": args[0], **{"d_" + p: a for p, a in zip(rule.params[:rule.operands], args)}}
    tangents = {p: tangent_of(operand_of[p]) for p in params if p in operand_of}
    if all(t is None for t in tangents.values()):
        return None
    bound = dict(zip(rule.params, args), **{p: ir.Const(0.0) if t is None else t for p, t in tangents.items()})
    return ir.Call(rule.tangent.name, tuple(bound[p] for p in params if p in bound))


def spelled(e: ir.Call, printed, atom) -> str:
    """How generated code writes a primitive of the table: `printed(expr)` is an operand's text,
    `atom(expr)` its text as an atom (before an attribute)."""
    rule = RULES[e.func]
    if rule.spelling == "[]":  # x[1:, j]: the index is an ir.Call("index", parts), printed bare
        return f"{atom(e.args[0])}[{subscript(e.args[1], printed)}]"
    if rule.spelling.startswith("."):
        return f"{atom(e.args[0])}{rule.spelling}"
    options = "".join(f", {'' if rule.positional else name + '='}{option_text(a, printed)}"
                      for name, a in zip(rule.params[rule.operands:], e.args[rule.operands:])
                      if not (isinstance(a, ir.Const) and a.value is None))
    operands_text = ", ".join(printed(a) for a in e.args[:rule.operands])
    if rule.sequence:  # np.concatenate((a, b), axis=0)
        operands_text = f"({operands_text})"
    return f"{rule.spelling}({operands_text}{options})"


def option_text(option: ir.Expr, printed) -> str:
    """A static option as generated code writes it: a constant, an integer expression, or a
    tuple of them (`ir.Call("tuple", parts)`: the shape of np.reshape, the reps of np.tile)."""
    if isinstance(option, ir.Const):
        return repr(option.value)
    if isinstance(option, ir.Call) and option.func == "tuple":
        return "(" + ", ".join(printed(part) for part in option.args) + ("," if len(option.args) == 1 else "") + ")"
    return printed(option)


def numpy_functions() -> dict:
    """np.<name> the front end reads as a primitive of the table: name -> number of operands (np.linalg's
    primitives too, under their own names: linalg_functions says which)."""
    return {name: rule.operands for name, rule in RULES.items() if rule.spelling not in ("@", "[]")}


def linalg_functions() -> dict:
    """np.linalg.<name> the front end reads as a primitive of the table: name -> the primitive."""
    return {rule.spelling[len("np.linalg."):]: name for name, rule in RULES.items()
            if rule.spelling.startswith("np.linalg.")}


def takes_axis(name: str) -> bool:
    """Whether np.<name> takes an `axis` (a constant: None or an integer) after its operand."""
    rule = RULES.get(name)
    return rule is not None and rule.params[rule.operands:] in (("axis",), ("axis", "keepdims"))


def takes_keepdims(name: str) -> bool:
    """Whether np.<name> takes keepdims (a constant bool) after its axis."""
    rule = RULES.get(name)
    return rule is not None and rule.params[rule.operands:] == ("axis", "keepdims")


def index(parts) -> ir.Call:
    """The index of a subscript `x[1:, j]`: each part an integer expression or a `slice(start,
    stop, step)` call, with ir.Const(None) for what the source leaves out."""
    return ir.Call("index", tuple(parts))


def subscript(index_: ir.Call, printed) -> str:
    """The text between the brackets: `1:, j`, `::-1`."""
    texts = []
    for part in index_.args:
        if isinstance(part, ir.Call) and part.func == "slice":
            start, stop, step = ("" if b == ir.Const(None) else printed(b) for b in part.args)
            texts.append(f"{start}:{stop}" + (f":{step}" if step else ""))
        else:
            texts.append(printed(part))
    return ", ".join(texts)


# x.<attribute> that is a primitive of the table: attribute -> primitive
ATTRIBUTES = {rule.spelling[1:]: name for name, rule in RULES.items() if rule.spelling.startswith(".")}


def unbroadcast(value: ir.Expr, like: ir.Expr) -> ir.Expr:
    """The adjoint of NumPy broadcasting: `value` summed down to the shape of `like`."""
    return ir.Call("unbroadcast", (value, like))
