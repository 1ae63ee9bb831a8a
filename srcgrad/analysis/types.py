"""Type inference: every variable is a C double, an integer or a bool.

Flow-insensitive and monotone: a variable's type is the join of the types of everything
assigned to it (bool < int < double), as Python's numeric tower promotes. An unannotated
parameter is a double (differentiable) unless it is used directly as a `range` bound (an
integer) or only as a truth value (a bool).
"""

from __future__ import annotations

from .. import ir
from ..diagnostics import Unsupported
from ..rules import conversions, symbolic
from ..rules.elementwise import ELEMENTWISE

_ORDER = {ir.BOOL: 0, ir.INT: 1, ir.DOUBLE: 2}

INT_RESULTS = {"int", "round", "ifloor", "iceil", "itrunc", "range_length"}
BOOL_RESULTS = {"bool"}
SAME_AS_ARGUMENTS = {"absolute", "minimum", "maximum"}


def join(*kinds) -> str:
    kinds = [k for k in kinds if k is not None]
    if not kinds:
        return None
    if any(k not in _ORDER for k in kinds):  # arrays join only with themselves
        return kinds[0] if len(set(kinds)) == 1 else "mixed"
    return max(kinds, key=_ORDER.__getitem__)


def expr_type(e: ir.Expr, var_types: dict, return_types: dict) -> str:
    """The type of an expression; each subexpression is typed once (linear in its size)."""
    if isinstance(e, ir.Const):
        return ir.BOOL if isinstance(e.value, bool) else ir.INT if isinstance(e.value, int) or e.value is None \
            else ir.DOUBLE
    if isinstance(e, ir.Name):
        return var_types.get(e.id)
    if isinstance(e, ir.UserCall):
        return return_types.get(e.func)
    if isinstance(e, ir.Index):
        return ir.DOUBLE
    if isinstance(e, ir.Alloc):
        return var_types.get(e.like) if e.like is not None else ir.array_type(len(e.shape))
    if isinstance(e, ir.Call) and e.func in conversions.CONVERSIONS:  # as_elements: the indexing settles it
        return ir.NDARRAY if e.func == conversions.AS_WHOLE else None
    kinds = [expr_type(c, var_types, return_types) for c in ir.children(e)]
    if symbolic.rule_of(e) is not None:  # an array primitive: its shape rule
        return ir.NDARRAY if symbolic.result_is_array(e) else ir.INT if symbolic.result_is_index(e) else ir.DOUBLE
    if isinstance(e, ir.Call) and e.func == "shape":
        return ir.INT
    if ir.NDARRAY in kinds:  # NumPy broadcasting: a whole array among the operands makes a whole array
        return ir.NDARRAY
    return _node_type(e, kinds)


def _node_type(e: ir.Expr, kinds: list) -> str:
    """The type of e from the types of its children."""
    if isinstance(e, ir.BinOp):
        left, right = kinds
        if e.op == "/":
            return ir.DOUBLE
        if e.op == "**":
            integral = join(left, right) != ir.DOUBLE and isinstance(e.right, ir.Const) and e.right.value >= 0
            return ir.INT if integral else ir.DOUBLE
        kind = join(left, right)
        return ir.INT if kind == ir.BOOL else kind
    if isinstance(e, ir.Unary):
        if e.op == "not":
            return ir.BOOL
        return ir.INT if kinds[0] == ir.BOOL else kinds[0]
    if isinstance(e, (ir.Compare, ir.BoolOp)):
        return ir.BOOL
    if isinstance(e, ir.IfExp):
        return join(kinds[1], kinds[2])
    if isinstance(e, ir.Call):
        if e.func == "float":
            return ir.DOUBLE
        if e.func in INT_RESULTS:
            return ir.INT
        if e.func in BOOL_RESULTS:
            return ir.BOOL
        if e.func in SAME_AS_ARGUMENTS:
            kind = join(*kinds)
            return ir.INT if kind == ir.BOOL else kind
        return ir.DOUBLE
    raise TypeError(e)


def _range_bound_names(stmts) -> set:
    names = set()
    for s in ir.walk(stmts):
        if isinstance(s, ir.For):  # range takes integers: n in range(1, n + 1) is one
            for bound in (s.start, s.stop, s.step):
                names |= _integer_names(bound)
        for e in ir.reads_of(s):
            for sub in _all_subexpressions(e):
                names |= _count_names(sub)
                if isinstance(sub, ir.Call) and sub.func == "range_length":  # a list's length
                    for bound in sub.args:
                        names |= _integer_names(bound)
    return names


def _count_names(e: ir.Expr) -> set:
    """Names counting elements: np.arange's bounds among integers (np.arange(kmax + 1)),
    np.linspace's num: `n` or `n + 1` there is an integer, as NumPy takes it."""
    if not isinstance(e, ir.Call) or e.func not in ("arange", "linspace"):
        return set()
    if e.func == "linspace":  # num is an integer however it is computed: np.linspace(0.0, 1.0, 2 * n + 1)
        return _integer_names(e.args[2]) if len(e.args) > 2 else set()
    counts = e.args
    names = set()
    for count in counts:
        if isinstance(count, ir.BinOp) and count.op in "+-" and isinstance(count.right, ir.Const):
            count = count.left if type(count.right.value) is int else None
        if isinstance(count, ir.Name):
            names.add(count.id)
        elif not (isinstance(count, ir.Const) and type(count.value) is int):
            return set()  # np.arange(0.0, t, dt): float bounds stay floats
    return names


def _integer_names(e: ir.Expr) -> set:
    """The names of e, a count computed with + - * // from names and integer constants (a count
    read from elsewhere, as len(x), adds none)."""
    if isinstance(e, ir.Name):
        return {e.id}
    if isinstance(e, ir.BinOp) and e.op in ("+", "-", "*", "//"):
        return _integer_names(e.left) | _integer_names(e.right)
    return set()


def _truth_value_names(function: ir.Function) -> set:
    """Unannotated parameters used only as truth values (`if same:`, `not flag`, `a and flag`
    in a condition) and never assigned: bools, as the contract's "used as a number" leaves them,
    so they get no gradient entry. Any other use (arithmetic, an argument, a comparison) makes a
    number of them, as before."""
    truth, numbers = set(), set()

    def visit(e: ir.Expr, as_truth: bool) -> None:
        if isinstance(e, ir.Name):
            (truth if as_truth else numbers).add(e.id)
        elif as_truth and isinstance(e, ir.Unary) and e.op == "not":
            visit(e.operand, True)
        elif as_truth and isinstance(e, ir.BoolOp):
            for value in e.values:
                visit(value, True)
        elif isinstance(e, ir.IfExp):
            visit(e.test, True)
            visit(e.body, as_truth)
            visit(e.orelse, as_truth)
        else:
            for child in ir.children(e):
                visit(child, False)

    for s in ir.walk(function.body):
        conditions = isinstance(s, (ir.If, ir.While, ir.RaiseIf))
        for e in ir.reads_of(s):
            visit(e, conditions)
        if isinstance(s, ir.Assign):
            numbers.add(s.target)
    unannotated = {name for name, declared in function.params if declared is None}
    return (truth - numbers) & unannotated


def _all_subexpressions(e):
    yield e
    for c in ir.children(e):
        yield from _all_subexpressions(c)


def array_dimensions(function: ir.Function) -> dict:
    """Arrays and their number of dimensions, from how they are indexed, allocated and copied."""
    dims, likes, shape_reads = {}, [], []

    def settle(name, ndim, s):
        if dims.get(name) not in (None, ndim):
            raise Unsupported(f"the array '{name}' indexed with {dims[name]} and with {ndim} indices", s.line, s.column)
        dims[name] = ndim

    for s in ir.walk(function.body):
        if isinstance(s, ir.Assign) and s.index is not None:
            settle(s.target, len(s.index), s)
        if isinstance(s, ir.Assign) and isinstance(s.value, ir.Alloc):
            if s.value.like is not None:
                likes.append((s.target, s.value.like, s))
            else:
                settle(s.target, len(s.value.shape), s)
        for e in ir.reads_of(s):
            for sub in _all_subexpressions(e):
                if isinstance(sub, ir.Index):
                    settle(sub.array, len(sub.indices), s)
                elif isinstance(sub, ir.Call) and sub.func == "shape" and isinstance(sub.args[0], ir.Name):
                    dims.setdefault(sub.args[0].id, None)
                    shape_reads.append((sub.args[0].id, sub.args[1].value, s))
    changed = True
    while changed:  # a copy has the dimensions of its original, either way round
        changed = False
        for target, like, s in likes:
            for a, b in ((target, like), (like, target)):
                if dims.get(a) is not None and dims.get(b) is None:
                    dims[b] = dims[a]
                    changed = True
    for name, declared in function.params:
        if declared == "array":
            dims.setdefault(name, None)
    numbers = {name for name, declared in function.params if declared in _ORDER}  # x: float in np.dot(x, a)
    for name in _whole_array_operands(function) - numbers:
        dims.setdefault(name, None)
    for name, axis, s in shape_reads:
        # a memoryview reports 0 beyond its dimensions where Python's x.shape[k] raises; a whole
        # array's number of dimensions is known only when it runs, so a high axis needs element loops
        if axis >= (dims[name] or 2):
            raise Unsupported(f"'{name}.shape[{axis}]' of an array not known to have {axis + 1} dimensions",
                              s.line, s.column)
    return dims


def _whole_array_operands(function: ir.Function) -> set:
    """Names used where only an array makes sense: operands of array primitives (@, .T, np.sum, ...)."""
    found = set()
    for s in ir.walk(function.body):
        for e in ir.reads_of(s):
            for sub in _all_subexpressions(e):
                operands = symbolic.array_operands(sub) if symbolic.rule_of(sub) is not None else ()
                found.update(o.id for o in operands if isinstance(o, ir.Name))
    return found


def infer(function: ir.Function, result: str, return_types: dict, constants: dict | None = None) -> None:
    """Fill function.var_types for every variable and set function.return_type.

    An unannotated parameter that flows into a whole-array value (`h = x + y` with h later
    summed or multiplied by @) is taken to be an array itself; annotate `x: float` to say otherwise.
    """
    declared = dict(function.var_types)
    assigned = {s.target for s in ir.walk(function.body) if isinstance(s, ir.Assign)} | \
        {s.var for s in ir.walk(function.body) if isinstance(s, ir.For)} | {p for p, _ in function.params}
    for name, value in (constants or {}).items():  # module constants read as their own type
        if name not in declared and name not in assigned:
            declared[name] = ir.BOOL if isinstance(value, bool) else ir.INT if isinstance(value, int) else ir.DOUBLE
    for name in function.array_constants:  # module arrays read whole: `x[0] * A` is a whole array
        if name not in declared and name not in assigned:
            declared[name] = ir.NDARRAY
    promoted = set()
    while True:
        function.var_types = dict(declared)
        _infer(function, result, return_types, promoted)
        more = _arrays_by_flow(function, promoted)
        if not more:
            return
        promoted |= more


def _arrays_by_flow(function: ir.Function, promoted: set) -> set:
    types = function.var_types
    params = {p for p, _ in function.params}
    unannotated = {p for p, kind in function.params if kind is None and types.get(p) == ir.DOUBLE}
    unannotated |= {name for name, kind in types.items() if kind == ir.DOUBLE and name not in params}
    found = set()
    for s in ir.walk(function.body):
        if not isinstance(s, ir.Assign) or s.index is not None:
            continue
        sources = []
        if types.get(s.target) == ir.NDARRAY and expr_type(s.value, types, {}) != ir.NDARRAY:
            sources.append(s.value)
        if conversions.conversion(s.value) == conversions.AS_ELEMENTS:  # `w = 1 + x / 4` then w[0], w[:-1]
            sources.extend(s.value.args)  # converted from a whole array: x is one too
        for sub in _all_subexpressions(s.value):
            if symbolic.rule_of(sub) is not None:  # operands of array primitives are arrays
                sources.extend(o for o in symbolic.array_operands(sub) if expr_type(o, types, {}) != ir.NDARRAY)
        for e in sources:
            found |= ir.names_in(e) & unannotated
    return (found | _broadcast_parameters(function, unannotated & params)) - promoted


def _elementwise(e: ir.Expr) -> bool:
    """Whether e applies NumPy elementwise (broadcasting) to its operands."""
    return (isinstance(e, ir.BinOp) and e.op not in symbolic.OPERATORS) or isinstance(e, ir.IfExp) \
        or (isinstance(e, ir.Unary) and e.op == "-") or (isinstance(e, ir.Call) and e.func in ELEMENTWISE)


def _broadcast_parameters(function: ir.Function, candidates: set) -> set:
    """Unannotated parameters read only inside elementwise arithmetic with a whole array (`-y * z`
    with z an array): the caller may pass an array, so they are arrays (a number passed for one is
    a 0-d array and broadcasts as in Python). One read elsewhere (`total += y * x[i]`, `if y > 0`)
    makes it a number. A local assigned once, at the top level, and read only so is such an
    operand too: so are the parameters of its elementwise value (`s = np.exp(log_sigma)` then
    `d / s`, d an array)."""
    types = function.var_types
    params = {p for p, _ in function.params}
    assigned = [s.target for s in ir.walk(function.body) if isinstance(s, ir.Assign)]
    once = {s.target: s for s in function.body if isinstance(s, ir.Assign) and s.index is None
            and assigned.count(s.target) == 1 and s.target not in params and types.get(s.target) == ir.DOUBLE}
    spread = set()  # locals whose value is read only as an operand of a whole array's elementwise arithmetic

    def visit(e, array_context, in_arrays, in_scalars):
        if isinstance(e, ir.Name):
            (in_arrays if array_context else in_scalars).add(e.id)
            return
        inner = _elementwise(e) and (array_context or expr_type(e, types, {}) == ir.NDARRAY)
        for c in ir.children(e):
            visit(c, inner and (_elementwise(c) or isinstance(c, ir.Name)), in_arrays, in_scalars)

    while True:
        in_arrays, in_scalars = set(), set()
        for s in ir.walk(function.body):
            spreads = s.target in spread and once.get(s.target) is s if isinstance(s, ir.Assign) else False
            for e in ir.reads_of(s):
                visit(e, spreads and (_elementwise(e) or isinstance(e, ir.Name)), in_arrays, in_scalars)
        more = (set(once) & in_arrays) - in_scalars - spread
        if not more:
            return (in_arrays - in_scalars) & candidates
        spread |= more


def _infer(function: ir.Function, result: str, return_types: dict, promoted: set) -> None:
    types = function.var_types
    int_bounds = _range_bound_names(function.body)
    truth_values = _truth_value_names(function)
    arrays = array_dimensions(function)
    for name in promoted:
        arrays.setdefault(name, None)
    for name, ndim in arrays.items():
        types[name] = ir.NDARRAY if ndim is None else ir.array_type(ndim)
    for name, declared in function.params:
        if name in arrays:
            continue
        if declared is None:
            types[name] = ir.INT if name in int_bounds else ir.BOOL if name in truth_values else ir.DOUBLE
        else:
            types[name] = declared
    fixed = {name for name, _ in function.params}  # parameters keep the type they arrive with
    for s in ir.walk(function.body):
        if isinstance(s, ir.For):
            types[s.var] = ir.INT
            fixed.add(s.var)
    assigns = [s for s in ir.walk(function.body) if isinstance(s, ir.Assign) and s.index is None]
    _check_array_assignments(assigns, arrays)
    fixed |= {name for name, ndim in arrays.items() if ndim is not None}
    changed = True
    while changed:
        changed = False
        for s in assigns:
            kind = expr_type(s.value, types, return_types)
            if kind is None:
                continue
            if s.target in arrays and arrays[s.target] is None:
                continue  # a whole array; its operands are settled by _arrays_by_flow
            if kind == "mixed" or types.get(s.target) == "mixed":
                raise Unsupported(f"'{s.target}' holding both a number and an array", s.line, s.column)
            if kind == ir.NDARRAY and types.get(s.target) in _ORDER and _dots_of_vectors(s, types, return_types):
                kind = expr_type(s.value, types, return_types)
            if s.target in fixed:
                if join(types[s.target], kind) != types[s.target]:
                    raise Unsupported(f"assigning a {kind} value to the {types[s.target]} variable "
                                      f"'{s.target}'", s.line, s.column)
                continue
            new = join(types.get(s.target), kind)
            if new != types.get(s.target):
                types[s.target] = new
                changed = True
    for s in assigns:
        if s.target not in types:
            raise Unsupported(f"the variable '{s.target}' (its type could not be inferred)", s.line, s.column)
    for s in ir.walk(function.body):
        for e in ir.reads_of(s):
            _check_bool_operands(e, types, return_types, s)
            _check_arrays_only_indexed(e, types, s)
        _check_elements(s, types, return_types)
    function.return_type = types.get(result, ir.DOUBLE)
    if ir.array_dims(function.return_type):
        raise Unsupported("returning an array that element loops fill (return a whole-array value instead)",
                          function.line, function.column)
    _check_whole_arrays(function, types)


def _dots_of_vectors(s, types: dict, return_types: dict) -> bool:
    """A number variable assigned np.dot of two arrays of unknown rank (`x += np.dot(a, a)`, a an
    np.ndarray parameter) takes them for vectors: the table's dot_of_vectors, which checks that
    when it runs. s.value rewritten so; whether that made it a number."""
    def marked(e):
        kids = ir.children(e)
        e = ir.rebuild(e, [marked(c) for c in kids]) if kids else e
        if isinstance(e, ir.Call) and e.func == "dot" and all(expr_type(o, types, return_types) == ir.NDARRAY
                                                               for o in e.args):
            return ir.Call("dot_of_vectors", e.args)
        return e

    value = marked(s.value)
    if expr_type(value, types, return_types) not in _ORDER:
        return False
    s.value = value
    return True


def _check_array_assignments(assigns: list, arrays: dict) -> None:
    """An element-loop array is assigned only by np.zeros/copy; an allocation is of an array."""
    for s in assigns:
        if s.target in arrays and arrays[s.target] is None:
            continue
        if s.target in arrays and not isinstance(s.value, ir.Alloc) \
                and conversions.conversion(s.value) != conversions.AS_ELEMENTS:
            raise Unsupported(f"assigning to the array '{s.target}' other than by element or np.zeros/copy",
                              s.line, s.column)
        if isinstance(s.value, ir.Alloc) and s.target not in arrays:
            raise Unsupported("an array that is never indexed", s.line, s.column)


def _check_whole_arrays(function: ir.Function, types: dict) -> None:
    """Whole-array values are computed once: assigned a single time, outside loops."""
    counts = {}

    def visit(stmts, in_loop):
        for s in stmts:
            if isinstance(s, ir.Assign) and types.get(s.target) == ir.NDARRAY:
                if s.index is not None:
                    raise Unsupported(f"writing an element of the whole array '{s.target}'", s.line, s.column)
                if in_loop:
                    raise Unsupported(f"the whole-array value '{s.target}' assigned inside a loop", s.line, s.column)
                counts[s.target] = counts.get(s.target, 0) + 1
                if counts[s.target] > 1 or s.target in {p for p, _ in function.params}:
                    raise Unsupported(f"the whole-array value '{s.target}' assigned twice", s.line, s.column)
            if isinstance(s, ir.If):
                visit(s.body, in_loop)
                visit(s.orelse, in_loop)
            elif isinstance(s, (ir.For, ir.While)):
                visit(s.body, True)
            if isinstance(s, (ir.If, ir.While)) and expr_type(s.test, types, {}) == ir.NDARRAY:
                raise Unsupported("the truth value of a whole array", s.line, s.column)

    visit(function.body, False)


def _check_elements(s, types, return_types):
    """An element is a number read at integer indices: `x[p[k]]` with p a float array, or `p[0] = x`
    with x an array, would differ from Python (a float index raises, an array is no element)."""
    if isinstance(s, ir.Assign) and s.index is not None \
            and expr_type(s.value, types, return_types) not in (ir.DOUBLE, ir.INT, ir.BOOL, None):
        raise Unsupported(f"storing an array as an element of '{s.target}'", s.line, s.column)
    elements = [ir.Index(s.target, s.index)] if isinstance(s, ir.Assign) and s.index is not None else []
    for e in ir.reads_of(s):
        elements += [sub for sub in _all_subexpressions(e) if isinstance(sub, ir.Index)]
    for element in elements:
        if any(expr_type(i, types, return_types) in (ir.DOUBLE, ir.NDARRAY) or ir.array_dims(
                expr_type(i, types, return_types)) for i in element.indices):
            raise Unsupported(f"indexing '{element.array}' by a value that is not an integer", s.line, s.column)


def _check_arrays_only_indexed(e, types, s):
    """Whole-array values may only be indexed, measured or copied; arithmetic on them is vectorised NumPy."""
    if isinstance(e, ir.Name) and ir.array_dims(types.get(e.id)):
        raise Unsupported(f"the array '{e.id}' used as a whole value (vectorised NumPy)", s.line, s.column)
    if isinstance(e, (ir.Index, ir.Alloc)):
        for c in ir.children(e)[1 if isinstance(e, ir.Index) else 0:]:
            if not (isinstance(e, ir.Alloc) and c == ir.Name(e.like or "")):
                _check_arrays_only_indexed(c, types, s)
        return
    if isinstance(e, ir.Call) and e.func in ("shape", "size", conversions.AS_WHOLE):  # x.size: of any array
        return
    for c in ir.children(e):
        _check_arrays_only_indexed(c, types, s)


def _check_bool_operands(e, types, return_types, s):
    """`a or b` yields an operand in Python; compiled code supports it only on truth values."""
    if isinstance(e, ir.BoolOp):
        for v in e.values:
            if expr_type(v, types, return_types) != ir.BOOL:
                raise Unsupported(f"'{e.op}' on a value that is not a comparison or bool", s.line, s.column)
    for c in ir.children(e):
        _check_bool_operands(c, types, return_types, s)


def check_call_arguments(function: ir.Function, parameter_types: dict) -> None:
    """A whole array passed to a module function whose parameter is a number (a helper such as
    sigmoid(z) called as sigmoid(X @ w)) is refused: compiled code would need z to be an array."""
    types = function.var_types
    for s in ir.walk(function.body):
        for e in ir.reads_of(s):
            for sub in _all_subexpressions(e):
                if not isinstance(sub, ir.UserCall) or sub.func not in parameter_types:
                    continue
                for arg, (param, kind) in zip(sub.args, parameter_types[sub.func]):
                    if expr_type(arg, types, {}) == ir.NDARRAY and kind not in (ir.NDARRAY, None):
                        raise Unsupported(f"a whole array passed to '{sub.func}', whose parameter '{param}' "
                                          f"is a {kind}", s.line, s.column)

