"""Inlining a helper that reads an array parameter by element where a caller passes it an array.

`def g(x): return x[0] * x[1] + x[2] ** 2`, called as `g(x) + np.sum(x ** 2)`: g is compiled with
x a typed buffer, and its caller holds x as a whole NumPy array (or as a buffer of its own). The
call is replaced, before lowering, by g's body, its locals renamed apart from the caller's and its
parameters read as the arguments, so the caller is compiled as if written with x[0] * x[1]: an
array both indexed and used whole (transform.lower converts between the kinds), whose gradient,
jvp and hvp are the caller's own. Only helpers whose one return ends their body are inlined, and
only calls evaluated whenever their statement runs (not in a conditional expression, `and`/`or`,
or a while test).
"""

from __future__ import annotations

from .. import ir
from ..rules import symbolic

_REDUCTIONS = frozenset({"sum", "mean", "prod", "max", "min", "amax", "amin"})
_DEPTH = 8  # helpers inlined into helpers: beyond this (recursion), calls stay calls


def inline_indexing_helpers(function: ir.Function, names, read_helper, helpers: dict, of_numbers=frozenset()) -> bool:
    """Replace each call of a function in `helpers` (name -> the positions of its parameters it
    reads by element) passing something other than a row (`X[i]`, which the helper takes as it is)
    there by its body; read_helper(name) gives a fresh ir.Function of it, as the front end reads
    it. names: fresh names for the caller (transform.lower.Names). of_numbers: helpers of numbers,
    inlined where a loop reduces what they return (np.sum(sigmoid(X[k] * w)): an array there,
    whose element loops the body then reads as the caller's own; the call itself is no statement
    of its own to inline after lowering, transform.inline). Returns whether anything was inlined."""
    changed = False
    for _ in range(_DEPTH):
        inliner = _Inliner(function, names, read_helper, helpers, of_numbers)
        function.body = inliner.block(function.body)
        if not inliner.changed:
            break
        changed = True
    return changed


class _Inliner:
    def __init__(self, function: ir.Function, names, read_helper, helpers: dict, of_numbers):
        self.function, self.names, self.read_helper, self.helpers = function, names, read_helper, helpers
        self.of_numbers, self.loops = of_numbers, 0
        self.changed = False
        self.caller_names = {p for p, _ in function.params} | {
            s.target if isinstance(s, ir.Assign) else s.var for s in ir.walk(function.body)
            if isinstance(s, (ir.Assign, ir.For))}

    def block(self, stmts: list) -> list:
        out = []
        for s in stmts:
            if isinstance(s, ir.If):
                s.body, s.orelse = self.block(s.body), self.block(s.orelse)
            elif isinstance(s, (ir.For, ir.While)):
                self.loops += 1
                s.body = self.block(s.body)
                self.loops -= 1
            before = []
            if isinstance(s, ir.Assign):
                s.value = self.hoisted(s.value, before)
                s.index = None if s.index is None else tuple(self.hoisted(i, before) for i in s.index)
            elif isinstance(s, ir.Return):
                s.value = self.hoisted(s.value, before)
            elif isinstance(s, ir.If):
                s.test = self.hoisted(s.test, before)
            elif isinstance(s, ir.For):
                s.start, s.stop, s.step = (self.hoisted(e, before) for e in (s.start, s.stop, s.step))
            out.extend(before)
            out.append(s)
        return out

    def hoisted(self, e: ir.Expr, before: list, reduced: bool = False) -> ir.Expr:
        """e with each inlinable call (innermost first) replaced by the variable its inlined body
        assigns, that body appended to before. reduced: e is (part of) what np.sum or np.mean reduces."""
        if isinstance(e, (ir.IfExp, ir.BoolOp)):
            return e  # evaluated only sometimes: the call stays where it is
        kids = ir.children(e)
        reduced = reduced or (isinstance(e, ir.Call) and e.func in ("sum", "mean"))
        if isinstance(e, ir.Index):
            e = ir.Index(e.array, tuple(self.hoisted(i, before) for i in e.indices))
        elif kids:
            e = ir.rebuild(e, [self.hoisted(c, before, reduced) for c in kids])
        if not isinstance(e, ir.UserCall):
            return e
        if (e.func in self.helpers and any(k < len(e.args) and not isinstance(e.args[k], ir.Index)
                                           for k in self.helpers[e.func])) \
                or (e.func in self.of_numbers and reduced and self.loops):
            inlined = self.inlined(e)
            if inlined is not None:
                body, result = inlined
                before.extend(body)
                self.changed = True
                return result
        return e

    def inlined(self, call: ir.UserCall):
        """(the statements of call's helper, renamed, the variable of its result), or None where
        the helper cannot be inlined (a return before its end, keyword arguments' defaults)."""
        helper = self.read_helper(call.func)
        returns = [s for s in ir.walk(helper.body) if isinstance(s, ir.Return)]
        if len(helper.params) != len(call.args) or not helper.body or returns != [helper.body[-1]]:
            return None
        if call.func not in self.helpers and any(isinstance(s, (ir.For, ir.While, ir.If)) for s in helper.body):
            return None  # a helper of numbers with a loop or a branch: its numbers are no arrays there
        if self.loops and any(_axis_reduction(sub) for s in ir.walk(helper.body) for e in _reads(s)
                              for sub in _subexpressions(e)):
            return None  # np.sum(..., axis=1) in a loop is no element code: the call recomputes it
        assigned = {s.target if isinstance(s, ir.Assign) else s.var for s in ir.walk(helper.body)
                    if isinstance(s, (ir.Assign, ir.For))}
        params = {p for p, _ in helper.params}
        read = set()
        for s in ir.walk(helper.body):
            for e in _reads(s):
                read |= ir.names_in(e)
        if (read - assigned - params) & self.caller_names:  # a module constant the caller's local hides
            return None
        line, column = helper.line, helper.column
        mapping, body = {}, []
        for (param, _), arg in zip(helper.params, call.args):
            if isinstance(arg, ir.Name) and param not in assigned:
                mapping[param] = arg  # read as it is (an array as the same array, as Python passes it)
            else:
                mapping[param] = ir.Name(self.names.fresh(f"{call.func}_{param}"))
                body.append(ir.Assign(line, column, mapping[param].id, arg))
        for name in sorted(assigned - params):
            mapping[name] = ir.Name(self.names.fresh(f"{call.func}_{name}"))
        for s in ir.walk(helper.body):
            if isinstance(s, (ir.For, ir.While)) and s.exit_flag:
                mapping.setdefault(s.exit_flag, ir.Name(self.names.fresh(s.exit_flag)))
        result = ir.Name(self.names.fresh(f"{call.func}_value"))
        body += [_renamed_statement(s, mapping) for s in helper.body[:-1]]
        body.append(ir.Assign(returns[0].line, returns[0].column, result.id, _renamed(returns[0].value, mapping)))
        for constant, ndim in helper.array_constants.items():
            self.function.array_constants.setdefault(constant, ndim)
        self.caller_names |= {m.id for m in mapping.values()} | {result.id}
        return body, result


def _axis_reduction(e: ir.Expr) -> bool:
    """np.sum(x, axis=1) and the like, a reduction whose value is an array, or np.outer."""
    return isinstance(e, ir.Call) and (e.func == "outer" or e.func in _REDUCTIONS and symbolic.rule_of(e) is not None
                                       and symbolic.result_is_array(e))


def _subexpressions(e: ir.Expr):
    yield e
    for c in ir.children(e):
        yield from _subexpressions(c)


def _reads(s) -> list:
    if isinstance(s, ir.Return):
        return [s.value]
    return ir.reads_of(s)


def _renamed(e: ir.Expr, mapping: dict) -> ir.Expr:
    if isinstance(e, ir.Name):
        return mapping.get(e.id, e)
    if isinstance(e, ir.Index):
        array = mapping.get(e.array, ir.Name(e.array)).id
        return ir.Index(array, tuple(_renamed(i, mapping) for i in e.indices))
    if isinstance(e, ir.Alloc):
        like = mapping.get(e.like, ir.Name(e.like)).id if e.like is not None else None
        return ir.Alloc(e.kind, tuple(_renamed(d, mapping) for d in e.shape), like)
    kids = ir.children(e)
    return ir.rebuild(e, [_renamed(c, mapping) for c in kids]) if kids else e


def _renamed_statement(s, mapping: dict):
    def name(n):
        return mapping[n].id if n in mapping else n

    if isinstance(s, ir.Assign):
        index = None if s.index is None else tuple(_renamed(i, mapping) for i in s.index)
        return ir.Assign(s.line, s.column, name(s.target), _renamed(s.value, mapping), index)
    if isinstance(s, ir.If):
        return ir.If(s.line, s.column, _renamed(s.test, mapping), [_renamed_statement(x, mapping) for x in s.body],
                     [_renamed_statement(x, mapping) for x in s.orelse])
    if isinstance(s, ir.For):
        return ir.For(s.line, s.column, name(s.var), _renamed(s.start, mapping), _renamed(s.stop, mapping),
                      _renamed(s.step, mapping), [_renamed_statement(x, mapping) for x in s.body],
                      name(s.exit_flag) if s.exit_flag else None)
    if isinstance(s, ir.While):
        return ir.While(s.line, s.column, _renamed(s.test, mapping), [_renamed_statement(x, mapping) for x in s.body],
                        name(s.exit_flag) if s.exit_flag else None)
    if isinstance(s, ir.RaiseIf):
        return ir.RaiseIf(s.line, s.column, _renamed(s.test, mapping), s.exception, s.message)
    if isinstance(s, ir.Return):
        return ir.Return(s.line, s.column, _renamed(s.value, mapping))
    return s  # Break, Continue
