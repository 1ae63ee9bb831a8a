"""Which reductions outside loops scalarization may write as element loops, unchanged in meaning.

`np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)` is, as NumPy computes it, a
dozen whole-array temporaries and as many passes over memory; written as one accumulating loop
(transform.scalarize does so inside loops), reverse mode fuses its value and adjoint into a
single pass (analysis.fusion), which is what a careful person writes by hand.

Outside loops the whole-array form is always right, so the loop form is taken only where it
computes the same thing for every argument NumPy accepts:

- every array the reduction reads has a known number of dimensions, or it reads one array of
  unknown rank (a parameter only ever read whole: a number, a vector or a matrix) whole, beside
  numbers: elementwise over it is elementwise over its flattened elements, which the loop reads;
- the operand is elementwise (no products, no user calls, no nested array operations), with
  np.arange of whole numbers kept in a name read as the number start + k * step;
- the extents of the axes the operands are aligned on are equal for every array length: NumPy
  would broadcast an axis of length 1 where element loops would not. Extents are integer
  expressions of one array length n (slice bounds clip and count from the end: piecewise linear
  in n, with breaks at the slice's constants), compared at every n up to past the last break and
  at a run of large n.

Sums then differ from NumPy's by rounding (NumPy sums pairwise), as a hand-written loop does.
"""

from __future__ import annotations

from .. import ir
from ..analysis.ranks import elementwise, is_slice, slice_index
from ..rules.slices import constant_bound, slice_bounds

_REDUCTIONS = ("sum", "mean", "prod")


def loop_form(value: ir.Expr, ranks: dict, unknown: set, aranges: dict, flattenable: set, numbers: set,
              views: set):
    """None where some reduction in value must stay whole (see the module's text), else the
    arrays of unknown rank to read flattened (np.ravel) in the loops; at least one reduction must
    qualify, and a reduction of a bare name stays whole (NumPy's sum of one array is fast)."""
    reductions = [e for e in _subexpressions(value) if _reduction(e)]
    if not reductions or any(isinstance(e, ir.BinOp) and e.op == "@" for e in _subexpressions(value)) \
            or any(isinstance(e, ir.Call) and e.func == "dot" for e in _subexpressions(value)):
        return None
    if all(isinstance(r.args[0], (ir.Name, ir.Const)) for r in reductions):
        return None
    if any(_base(leaf) in views for r in reductions for leaf in (_leaves(r.args[0], ranks, unknown) or ())):
        return None  # element loops read a copy of what is made anew; a view stays what it shows
    flattened, loose = set(), unknown | _maybe_arrays(value, numbers, ranks)
    for reduction in reductions:
        exact = _exact(ir.substitute(reduction.args[0], aranges), ranks, loose)
        if exact is None or not exact <= flattenable:
            return None
        flattened |= exact
    return flattened


def substituted_reads(value: ir.Expr, mapping: dict) -> ir.Expr:
    """value with each reduction's operand reading mapping[name] for a name (its flattened copy,
    or the np.arange it holds)."""
    if _reduction(value):
        return ir.rebuild(value, [ir.substitute(value.args[0], mapping), value.args[1]])
    kids = ir.children(value)
    return ir.rebuild(value, [substituted_reads(k, mapping) for k in kids]) if kids else value


def integer_ranges(body: list) -> dict:
    """Names assigned once, at the function's top level, an np.arange of whole numbers and array
    lengths (`i = np.arange(1, len(x) + 1)`): name -> that np.arange, which element loops read as
    the number start + k * step."""
    assigned = {}
    for s in ir.walk(body):
        if isinstance(s, ir.Assign):
            assigned[s.target] = assigned.get(s.target, 0) + 1
    found = {}
    for s in body:
        if isinstance(s, ir.Assign) and s.index is None and assigned[s.target] == 1 and is_integer_range(s.value):
            found[s.target] = s.value
    return found


def is_integer_range(e) -> bool:
    return isinstance(e, ir.Call) and e.func == "arange" and all(_whole_number_expression(a) for a in e.args) \
        and ir.is_const(e.args[2]) and e.args[2].value != 0


def range_extent(e: ir.Call) -> ir.Expr:
    """The number of elements of np.arange(start, stop, step) of whole numbers."""
    start, stop, step = (_as_int(a) for a in e.args)
    span = ir.binop("-", stop, start) if step.value > 0 else ir.binop("-", start, stop)
    size = abs(step.value)
    count = span if size == 1 else ir.BinOp("//", ir.binop("+", span, ir.Const(size - 1)), ir.Const(size))
    return ir.Call("maximum", (count, ir.Const(0)))


def range_element(e: ir.Call, counter: ir.Expr) -> ir.Expr:
    """np.arange(start, stop, step)[counter], a float (NumPy's integers meet floats as floats)."""
    start, _, step = (_as_int(a) for a in e.args)
    return ir.Call("float", (ir.binop("+", start, ir.binop("*", counter, step)),))


def _whole_number_expression(e) -> bool:
    if isinstance(e, ir.Const):
        return isinstance(e.value, (int, float)) and not isinstance(e.value, bool) and float(e.value).is_integer()
    if isinstance(e, ir.Call) and e.func == "shape":
        return True
    if isinstance(e, ir.BinOp) and e.op in ("+", "-", "*"):
        return _whole_number_expression(e.left) and _whole_number_expression(e.right)
    return isinstance(e, ir.Unary) and e.op == "-" and _whole_number_expression(e.operand)


def _as_int(e):
    """A whole-number expression with its float constants (np.arange(1.0, n + 1.0)) as integers."""
    if isinstance(e, ir.Const):
        return ir.Const(int(e.value))
    kids = ir.children(e)
    return ir.rebuild(e, [_as_int(k) for k in kids]) if kids else e


def _reduction(e) -> bool:
    return isinstance(e, ir.Call) and e.func in _REDUCTIONS and len(e.args) == 2 and e.args[1] == ir.Const(None)


def _exact(operand: ir.Expr, ranks: dict, unknown: set):
    """None where operand's loop form may differ from NumPy's; else the names of unknown rank it
    reads (only ever one, read whole, beside numbers: elementwise over one array of any shape is
    elementwise over its flattened elements)."""
    leaves = _leaves(operand, ranks, unknown)
    if not leaves:
        return None
    loose = {leaf.id for leaf in leaves if isinstance(leaf, ir.Name) and _unknown_rank(leaf.id, ranks, unknown)}
    if loose:
        return loose if len(loose) == 1 and all(isinstance(leaf, ir.Name) and leaf.id in loose
                                                for leaf in leaves) else None
    extents = [_extents(leaf, ranks) for leaf in leaves]
    if any(e is None for e in extents):
        return None
    rank = max(len(e) for e in extents)
    for axis in range(1, rank + 1):  # from the right, as NumPy aligns them
        aligned = [e[-axis] for e in extents if len(e) >= axis]
        if any(not _equal_for_every_length(aligned[0], other) for other in aligned[1:]):
            return None
    return set()


def _maybe_arrays(value: ir.Expr, numbers: set, ranks: dict) -> set:
    """The names value reads that may be arrays though nothing says of what rank."""
    return {n for n in ir.names_in(value) if n not in numbers and n not in ranks}


def _base(leaf) -> str | None:
    if isinstance(leaf, ir.Name):
        return leaf.id
    if isinstance(leaf, ir.Index):
        return leaf.array
    return leaf.args[0].id if isinstance(leaf, ir.Call) and leaf.func == "getitem" else None


def _unknown_rank(name: str, ranks: dict, unknown: set) -> bool:
    return name in unknown or (name in ranks and ranks[name] is None)


def certain_numbers(function: ir.Function, ranks: dict) -> set:
    """The names that hold a number wherever they are read: parameters annotated as numbers, loop
    counters, and names every assignment of which gives a number (from numbers, elements,
    lengths and whole reductions). Any other name may hold an array nothing has said is one."""
    numbers = {p for p, kind in function.params if kind in (ir.DOUBLE, ir.INT, ir.BOOL)}
    values = {}
    for s in ir.walk(function.body):
        if isinstance(s, ir.Assign):
            values.setdefault(s.target, []).append(None if s.index is not None else s.value)
        elif isinstance(s, ir.For):
            numbers.add(s.var)
    params = {p for p, _ in function.params}
    changed = True
    while changed:
        changed = False
        for name, assigned in values.items():
            if name not in numbers and name not in ranks and name not in params \
                    and all(v is not None and _number(v, numbers, ranks) for v in assigned):
                numbers.add(name)
                changed = True
    return numbers


def _number(e: ir.Expr, numbers: set, ranks: dict) -> bool:
    if isinstance(e, ir.Const):
        return True
    if isinstance(e, ir.Name):
        return e.id in numbers
    if isinstance(e, ir.Call) and e.func in ("shape", "size", "float", "int", "len"):
        return e.func in ("shape", "size") or all(_number(a, numbers, ranks) for a in e.args)
    if _reduction(e):
        return True
    if isinstance(e, ir.Index):
        return slice_index(e.indices) is None and ranks.get(e.array) is not None \
            and len(e.indices) == ranks[e.array]
    if isinstance(e, ir.UserCall) or not elementwise(e):
        return False
    return all(_number(child, numbers, ranks) for child in ir.children(e))


def flattenable_names(function: ir.Function) -> set:
    """The names whose value is one array throughout the function, so that a flattened copy
    read by a loop is that array's elements: parameters never assigned, and names assigned once,
    at the function's top level, a value of NumPy operations (not a call of the module, whose
    result may be a number where the call takes numbers)."""
    assigned = {}
    for s in ir.walk(function.body):
        if isinstance(s, ir.Assign):
            assigned[s.target] = assigned.get(s.target, 0) + (2 if s.index is not None else 1)
        elif isinstance(s, ir.For):
            assigned[s.var] = 2
    names = {p for p, _ in function.params if p not in assigned}
    for s in function.body:
        if isinstance(s, ir.Assign) and s.index is None and assigned[s.target] == 1 \
                and not any(isinstance(e, ir.UserCall) for e in _subexpressions(s.value)):
            names.add(s.target)
    return names


def _leaves(e: ir.Expr, ranks: dict, unknown: set):
    """The array operands of an elementwise expression, or None where it is not one."""
    if isinstance(e, ir.Name):
        return [e] if e.id in ranks or e.id in unknown else []
    if isinstance(e, ir.Const):
        return []
    if isinstance(e, ir.Call) and e.func == "shape":
        return []
    if isinstance(e, ir.Call) and e.func == "getitem" and isinstance(e.args[0], ir.Name):
        return [e] if ranks.get(e.args[0].id) is not None and e.args[0].id not in unknown else None
    if isinstance(e, ir.Index):
        if ranks.get(e.array) is None or e.array in unknown:
            return None
        if slice_index(e.indices) is not None:
            return [e]
        return [] if len(e.indices) == ranks[e.array] else None
    if isinstance(e, ir.Call) and _reduction(e):
        return []  # hoisted before the statement, a number here
    if is_integer_range(e):
        return [e]
    if not elementwise(e) or isinstance(e, ir.UserCall):
        return None
    found = []
    for child in ir.children(e):
        more = _leaves(child, ranks, unknown)
        if more is None:
            return None
        found += more
    return found


def _extents(leaf, ranks: dict):
    if is_integer_range(leaf):
        return [range_extent(leaf)]
    if isinstance(leaf, ir.Name):
        return [_shape(leaf.id, d) for d in range(ranks[leaf.id])]
    array, index = (leaf.array, slice_index(leaf.indices)) if isinstance(leaf, ir.Index) \
        else (leaf.args[0].id, leaf.args[1])
    parts = list(index.args)
    if len(parts) > ranks[array]:
        return None
    out = []
    for d in range(ranks[array]):
        part = parts[d] if d < len(parts) else ir.Call("slice", (ir.Const(None),) * 3)
        if not is_slice(part):
            continue
        lower, upper, step = (constant_bound(b) for b in part.args)
        step = ir.Const(1) if step == ir.Const(None) else step
        if not (ir.is_const(step) and isinstance(step.value, int) and step.value != 0):
            return None
        out.append(slice_bounds(lower, upper, step.value, _shape(array, d))[1])
    return out


def _shape(array: str, axis: int) -> ir.Call:
    return ir.Call("shape", (ir.Name(array), ir.Const(axis)))


def _equal_for_every_length(a: ir.Expr, b: ir.Expr) -> bool:
    if a == b:
        return True
    lengths = {e for e in _subexpressions(a) if isinstance(e, ir.Call) and e.func == "shape"} | \
        {e for e in _subexpressions(b) if isinstance(e, ir.Call) and e.func == "shape"}
    if len(lengths) != 1:
        return False  # two arrays' lengths: equal only if the caller makes them so
    (length,) = lengths
    constants = [abs(e.value) for e in list(_subexpressions(a)) + list(_subexpressions(b)) if ir.is_const(e)
                 and isinstance(e.value, int)]
    span = 4 * (max(constants, default=0) + 4)
    try:
        return all(_evaluate(a, length, n) == _evaluate(b, length, n)
                   for n in list(range(span)) + list(range(10 ** 6, 10 ** 6 + span)))
    except _NotInteger:
        return False


class _NotInteger(Exception):
    pass


_OPS = {"+": lambda p, q: p + q, "-": lambda p, q: p - q, "*": lambda p, q: p * q, "//": lambda p, q: p // q}
_COMPARE = {"<": lambda p, q: p < q, "<=": lambda p, q: p <= q, ">": lambda p, q: p > q,
            ">=": lambda p, q: p >= q, "==": lambda p, q: p == q, "!=": lambda p, q: p != q}


def _evaluate(e: ir.Expr, length: ir.Expr, n: int) -> int:
    if e == length:
        return n
    if ir.is_const(e) and isinstance(e.value, int):
        return e.value
    if isinstance(e, ir.BinOp) and e.op in _OPS:
        return _OPS[e.op](_evaluate(e.left, length, n), _evaluate(e.right, length, n))
    if isinstance(e, ir.Unary) and e.op == "-":
        return -_evaluate(e.operand, length, n)
    if isinstance(e, ir.Call) and e.func in ("maximum", "minimum") and len(e.args) == 2:
        pick = max if e.func == "maximum" else min
        return pick(_evaluate(e.args[0], length, n), _evaluate(e.args[1], length, n))
    if isinstance(e, ir.IfExp) and isinstance(e.test, ir.Compare) and e.test.op in _COMPARE:
        test = _COMPARE[e.test.op](_evaluate(e.test.left, length, n), _evaluate(e.test.right, length, n))
        return _evaluate(e.body if test else e.orelse, length, n)
    raise _NotInteger(e)


def _subexpressions(e):
    yield e
    for child in ir.children(e):
        yield from _subexpressions(child)

