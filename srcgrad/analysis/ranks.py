"""Which variables are arrays, and of how many dimensions, before type inference: read from how
they are indexed, sliced, allocated, reduced and assigned (transform.scalarize writes whole-array
code element by element with it; analysis.types settles the types afterwards)."""

from __future__ import annotations

from .. import ir
from ..rules import symbolic
from ..rules.elementwise import ELEMENTWISE

_ARRAY_ANNOTATION = "array"  # frontend.names.ARRAY: a parameter annotated np.ndarray
_REDUCTIONS = ("sum", "mean", "prod", "dot")
# primitives whose result may be a view of their operand rather than a new array
VIEWS = frozenset(symbolic.ATTRIBUTES.values()) | {"reshape", "ravel", "transpose"}


def slice_index(index) -> ir.Call | None:
    """The index of a slice assignment target (the front end writes `y[1:] = v` as an
    assignment whose one index is the subscript's `index(...)` call), else None."""
    if index and len(index) == 1 and isinstance(index[0], ir.Call) and index[0].func == "index":
        return index[0]
    return None


SCALAR = "scalar"
_REDUCED = "<reduced>"  # not a name: marks element_reads' way through a reduction's operand


def ranks(function: ir.Function) -> dict:
    """Array variables -> their number of dimensions (None where nothing says)."""
    ranks = {}

    def note(name, rank):
        if ranks.get(name) is None:
            ranks[name] = rank

    def note_elements(name, count):  # X[i] beside X[i, j]: X has two dimensions, X[i] is a row
        if ranks.get(name) is None or ranks[name] < count:
            ranks[name] = count

    ranks.update(function.array_constants)  # module array constants: their own
    numbers = {name for name, kind in function.params if kind in (ir.DOUBLE, ir.INT, ir.BOOL)}  # annotated
    for s in ir.walk(function.body):  # np.zeros((n, m)) before `y[i] = row`: y has two dimensions
        if isinstance(s, ir.Assign) and s.index is None and isinstance(s.value, ir.Alloc) and s.value.like is None:
            note(s.target, len(s.value.shape))
    for array, rank in row_reads(function, numbers).items():
        note_elements(array, rank)
    for name, kind in function.params:
        if kind == _ARRAY_ANNOTATION:
            note(name, None)
    for s in ir.walk(function.body):
        if isinstance(s, ir.Assign) and s.index is not None:
            index = slice_index(s.index)
            if index is None:
                note_elements(s.target, len(s.index))
            else:
                note(s.target, len(index.args))
        if isinstance(s, ir.Assign) and isinstance(s.value, ir.Alloc) and s.value.like is not None:
            note(s.value.like, None)
        for e in ir.reads_of(s):
            for sub in _subexpressions(e):
                if isinstance(sub, ir.Index):
                    index = slice_index(sub.indices)
                    if index is None:
                        note_elements(sub.array, len(sub.indices))
                    else:
                        note(sub.array, len(index.args))
                elif isinstance(sub, ir.Call) and sub.func == "getitem" and isinstance(sub.args[0], ir.Name):
                    note(sub.args[0].id, len(sub.args[1].args))
                elif isinstance(sub, ir.Call) and sub.func == "shape" and isinstance(sub.args[0], ir.Name):
                    note(sub.args[0].id, None)
                elif symbolic.rule_of(sub) is not None:
                    for operand in symbolic.array_operands(sub):
                        if isinstance(operand, ir.Name) and operand.id not in numbers:
                            note(operand.id, None)
    in_loops = loop_assignments(function.body)
    numbers = {s.target for s in ir.walk(function.body) if isinstance(s, ir.Assign) and _a_number(s.value)}
    for name in (_reduced_in_loops(function) & {s.target for s in in_loops}) - numbers:
        note(name, None)  # `y = y * 0.5 + x` in a loop, np.sum(y ** 2) somewhere: y is an array
    _vectors_of_numbers(function, ranks, numbers)
    _matrices_of_updates(function, ranks, numbers)
    _matrices_of_row_writes(function, ranks)
    _through_assignments(function, ranks)
    _matrices_of_kept_products(function, ranks)
    _biases_of_products(function, ranks)
    _weights_of_rows(function, ranks)
    return ranks


def _weights_of_rows(function: ir.Function, ranks: dict) -> None:
    """`np.sum(sigmoid(X[k] * w))` in a loop, X[k] a row (row_reads) and w an unannotated parameter
    read only beside rows in loops: w is an array of the row's dimensions (weights), as outside
    loops such a parameter is a whole array (analysis.types' broadcast parameters); the function
    fell back before. Only beside rows of a parameter whose dimensions are guessed too (X read as
    X[k] alone): where X[i, j] says X is a matrix, w stays the number it was taken for. A number
    passed for it runs the eager tape (the entries' guessed dimensions, emit.wrappers)."""
    unranked = {p for p, kind in function.params if kind is None and p not in ranks}
    said, params = said_dimensions(function), {p for p, _ in function.params}
    found, reads, beside_rows = {}, {}, {}
    in_loops = {id(s) for s in ir.walk([s for s in function.body if isinstance(s, (ir.For, ir.While))])}
    for s in ir.walk(function.body):
        for e in ir.reads_of(s):
            for sub in _subexpressions(e):
                if isinstance(sub, ir.Name) and sub.id in unranked:
                    reads[sub.id] = reads.get(sub.id, 0) + 1
                if not (id(s) in in_loops and isinstance(sub, ir.BinOp) and sub.op in "+-*/"):
                    continue
                for operand, other in ((sub.left, sub.right), (sub.right, sub.left)):
                    if isinstance(operand, ir.Name) and operand.id in unranked and isinstance(other, ir.Index) \
                            and other.array in params and said.get(other.array, 0) < (ranks.get(other.array) or 0):
                        rank = expr_rank(other, ranks)
                        if rank is not SCALAR and rank is not None:
                            found[operand.id] = max(found.get(operand.id, 0), rank)
                            beside_rows[operand.id] = beside_rows.get(operand.id, 0) + 1
    for name, rank in found.items():
        if beside_rows[name] == reads[name]:
            ranks[name] = rank


def _through_assignments(function: ir.Function, ranks: dict) -> None:
    """Ranks carried by assignments, both ways, until nothing changes."""
    changed = True
    while changed:
        changed = False
        for s in ir.walk(function.body):
            if not isinstance(s, ir.Assign) or s.index is not None:
                continue
            rank = expr_rank(s.value, ranks)
            if rank is not SCALAR and (s.target not in ranks or (ranks[s.target] is None and rank is not None)
                                       or (rank is not None and ranks[s.target] < rank)):
                # a = A[:, :n] read a[i]: the row read said at least one dimension, the value says two
                ranks[s.target] = rank
                changed = True
            if isinstance(s.value, ir.Name) and s.target in ranks and s.value.id not in ranks:
                ranks[s.value.id] = ranks[s.target]  # y = x with y an array: x is one
                changed = True


def _biases_of_products(function: ir.Function, ranks: dict) -> None:
    """`h = np.tanh(W @ h + b)` in a loop, b an unannotated parameter nothing else ranks: b is
    an array of the product's dimensions (a bias), not the number element loops would take it for
    (whose entries would refuse the vector the original takes); beside a product of vectors
    (`w @ x + b`) it stays a number."""
    unranked = {p for p, kind in function.params if kind is None and p not in ranks}
    for s in loop_assignments(function.body):
        for sub in _elementwise_parts(s.value):
            if not (isinstance(sub, ir.BinOp) and sub.op in "+-"):
                continue
            for bias, other in ((sub.left, sub.right), (sub.right, sub.left)):
                if isinstance(bias, ir.Name) and bias.id in unranked \
                        and any(isinstance(p, ir.BinOp) and p.op == "@" for p in _elementwise_parts(other)):
                    rank = expr_rank(other, ranks)
                    if rank is not SCALAR:  # w @ x + b: a number
                        ranks[bias.id] = rank


def _matrices_of_kept_products(function: ir.Function, ranks: dict) -> None:
    """`h = np.tanh(h @ W[k])` in a loop with h a matrix: W[k] is a matrix too (W has three
    dimensions), not the row of a matrix the reading of rows took it for."""
    for s in loop_assignments(function.body):
        for sub in _subexpressions(s.value):
            if not (isinstance(sub, ir.BinOp) and sub.op == "@" and sub.left == ir.Name(s.target)
                    and isinstance(sub.right, ir.Index) and slice_index(sub.right.indices) is None):
                continue
            kept, count = ranks.get(s.target), len(sub.right.indices)
            if kept is not None and kept > 1 and ranks.get(sub.right.array) == count + 1:
                ranks[sub.right.array] = count + kept


def row_reads(function: ir.Function, numbers: set = frozenset()) -> dict:
    """Arrays read by rows: array -> its number of dimensions. An operand of `@` is an array
    (Python refuses a number there), and so, as people write it, is what np.sum and
    np.linalg.norm reduce and np.dot multiplies at loop counters; where such a value is made of element reads of one array only
    (`pos[i] - pos[j]`, directly or through a local `d = pos[i] - pos[j]`), those reads are rows
    (`X[i]` of a matrix). Where other arrays take part (`m[i] * d`) nothing is concluded."""
    values = {}
    for s in (s for s in ir.walk(function.body) if isinstance(s, ir.Assign) and s.index is None):
        values.setdefault(s.target, []).append(s.value)
    known = {name for name, kind in function.params if kind == _ARRAY_ANNOTATION} | set(function.array_constants)
    counters, rows = {s.var for s in ir.walk(function.body) if isinstance(s, ir.For)}, {}
    unranked_params = {p for p, kind in function.params if kind is None and p not in values}
    integers = {p for p, kind in function.params if kind == ir.INT}

    def element_reads(e, seen, at):
        """The element reads e is made of, elementwise, through locals; None if anything else is."""
        if isinstance(e, ir.Index):
            return [e] if all(_at_counters(i, at) for i in e.indices) else None
        if isinstance(e, ir.Const):
            return []
        if isinstance(e, ir.Name):
            if e.id in seen or e.id in numbers or e.id in known or e.id not in values:
                # np.sum(X[k] * w), w a parameter nothing else ranks: X[k] a row, w weights (_weights_of_rows)
                return [] if e.id in numbers or (_REDUCED in seen and e.id in unranked_params) else None
            found = []
            for value in values[e.id]:
                reads = element_reads(value, seen | {e.id}, at)
                if reads is None:
                    return None
                found += reads
            return found
        if not elementwise(e) or isinstance(e, (ir.Compare, ir.BoolOp)):
            return None
        found = []
        for c in ir.children(e):
            reads = element_reads(c, seen, at)
            if reads is None:
                return None
            found += reads
        return found

    def an_array(e, reduced=False, at=counters):  # reduced: np.sum(x[0] ** 2) of constant indices stays a number
        reads = element_reads(e, frozenset({_REDUCED} if reduced else ()), at)
        if reduced and not any(ir.names_in(i) & at for r in reads or () for i in r.indices):
            return
        if reads and len({r.array for r in reads}) == 1:
            for r in reads:
                rows[r.array] = max(rows.get(r.array, 0), len(r.indices) + 1)

    for s in ir.walk(function.body):
        for e in ir.reads_of(s):
            for sub in _subexpressions(e):
                for operand, reduced, by_integers in _array_operands(sub):
                    an_array(operand, reduced, counters | integers if by_integers else counters)
    return rows


def _array_operands(sub: ir.Expr) -> list:
    """(operand, reduced, read at integer parameters too) for the operands of sub that are arrays
    as people write them: of `@`, of np.sum and np.mean (reduced), of np.dot, np.outer."""
    if isinstance(sub, ir.BinOp) and sub.op == "@":
        return [(sub.left, False, False), (sub.right, False, False)]
    if not isinstance(sub, ir.Call):
        return []
    if sub.func in ("sum", "mean") and sub.args[1:] == (ir.Const(None),):
        return [(sub.args[0], True, False)]
    if sub.func in ("sum", "mean") and _an_inner_axis(sub.args[1:2]):
        # np.sum((X - C[k]) ** 2, axis=1): C[k] a row too, k an integer parameter as well (the
        # module function frontend.loop_reductions makes of one trip of a loop)
        return [(sub.args[0], True, True)]
    if sub.func == "outer":  # np.outer(X[i], w): X[i] a row
        return [(sub.args[0], False, True), (sub.args[1], False, True)]
    if sub.func == "dot":  # np.dot(d, d): as d @ d, at loop counters
        return [(sub.args[0], True, False), (sub.args[1], True, False)]
    return []


def _an_inner_axis(axis: tuple) -> bool:
    """(axis,) a constant axis after the first: what it reduces has two dimensions at least."""
    return len(axis) == 1 and isinstance(axis[0], ir.Const) and type(axis[0].value) is int and axis[0].value >= 1


def _vectors_of_numbers(function: ir.Function, ranks: dict, numbers: set) -> None:
    """`total = 0.0`, then `total += np.sin(w @ X[i])`: an accumulator of numbers takes a product
    of vectors, so w (and an unranked right operand) is a vector, not the matrix an unknown left
    operand of `@` is taken for."""
    for s in ir.walk(function.body):
        if not (isinstance(s, ir.Assign) and s.index is None and s.target in numbers):
            continue
        for sub in _elementwise_parts(s.value):  # not inside np.sum(X @ w - y), which takes arrays
            if isinstance(sub, ir.BinOp) and sub.op == "@" and expr_rank(sub.right, ranks) in (None, 1):
                for operand in (sub.left, sub.right):
                    if isinstance(operand, ir.Name) and operand.id in ranks and ranks[operand.id] is None:
                        ranks[operand.id] = 1


def _at_counters(e: ir.Expr, counters: set) -> bool:
    """`i`, `t + 1`, `2 * i - 1` of loop counters, `0`, `-1` (`len(x) - 1`): not a mask or a float
    (x[mask] selects)."""
    if isinstance(e, ir.Const):
        return type(e.value) is int
    if isinstance(e, ir.Call) and e.func == "shape":
        return True
    if isinstance(e, ir.Name):
        return e.id in counters
    if isinstance(e, ir.BinOp) and e.op in "+-*":
        return all(_at_counters(c, counters) for c in (e.left, e.right))
    return False


def _matrices_of_updates(function: ir.Function, ranks: dict, numbers: set) -> None:
    """An array updated in a loop through products of its own and of rows
    (`h = np.tanh(h @ Wh + xs[t] @ Wx)`): the unranked right operands are matrices, as
    transform.products takes `h @ Wh` (it keeps h's dimensions) and as `xs[t] @ Wx` must be to
    add to it (a number would be broadcast: nobody writes that)."""
    for s in loop_assignments(function.body):
        if s.target in numbers:
            continue
        products = [p for p in _elementwise_parts(s.value) if isinstance(p, ir.BinOp) and p.op == "@"]
        if not any(p.left == ir.Name(s.target) for p in products):
            continue
        for p in products:
            if isinstance(p.right, ir.Name) and p.right.id in ranks and ranks[p.right.id] is None \
                    and (p.left == ir.Name(s.target) or expr_rank(p.left, ranks) == 1):
                ranks[p.right.id] = 2


def _matrices_of_row_writes(function: ir.Function, ranks: dict) -> None:
    """A row written from a product of a row (`h[t + 1] = np.dot(xs[t], W) + h[t]`): the unranked
    right operand is a matrix, for the product to be a row as the written row is (a number
    broadcast into a row: nobody writes that), as _matrices_of_updates concludes for `h = ...`."""
    for s in ir.walk(function.body):
        if not (isinstance(s, ir.Assign) and s.index is not None and ranks.get(s.target) == len(s.index) + 1):
            continue
        for p in _elementwise_parts(s.value):
            operands = (p.left, p.right) if isinstance(p, ir.BinOp) and p.op == "@" else \
                p.args if isinstance(p, ir.Call) and p.func == "dot" else None
            if operands and expr_rank(operands[0], ranks) == 1 and isinstance(operands[1], ir.Name) \
                    and operands[1].id in ranks and ranks[operands[1].id] is None:
                ranks[operands[1].id] = 2


def _elementwise_parts(e):
    """e and its operands, through elementwise operations only."""
    yield e
    if elementwise(e):
        for c in ir.children(e):
            yield from _elementwise_parts(c)


def _a_number(e: ir.Expr) -> bool:
    """Whether e is a number whatever its names are (a constant, an element, a reduction)."""
    if isinstance(e, ir.Const) or (isinstance(e, ir.Index) and slice_index(e.indices) is None):
        return True
    if isinstance(e, ir.Call) and e.func in _REDUCTIONS and e.func != "dot":
        return e.args[1:] == (ir.Const(None),)
    if isinstance(e, (ir.BinOp, ir.Unary)) and not (isinstance(e, ir.BinOp) and e.op == "@"):
        return all(_a_number(c) for c in ir.children(e))
    return False


def _reduced_in_loops(function: ir.Function) -> set:
    """Names read inside elementwise arithmetic that an array primitive takes (np.sum(y ** 2))."""
    found = set()

    def visit(e):
        if isinstance(e, ir.Name):
            found.add(e.id)
        elif elementwise(e):
            for c in ir.children(e):
                visit(c)

    for s in ir.walk(function.body):
        for e in ir.reads_of(s):
            for sub in _subexpressions(e):
                if symbolic.rule_of(sub) is not None:
                    for operand in symbolic.array_operands(sub):
                        visit(operand)
    return found


def elementwise(e) -> bool:
    return isinstance(e, (ir.Unary, ir.Compare, ir.IfExp, ir.BoolOp)) \
        or (isinstance(e, ir.BinOp) and e.op != "@") or (isinstance(e, ir.Call) and e.func in ELEMENTWISE)


def expr_rank(e: ir.Expr, ranks: dict):
    """SCALAR for a number, else the array's number of dimensions (None: unknown)."""
    if isinstance(e, ir.Name):
        return ranks[e.id] if e.id in ranks else SCALAR
    if isinstance(e, ir.Index):
        index = slice_index(e.indices)
        if index is None:  # X[i] of a matrix is a row
            rank = ranks.get(e.array)
            return rank - len(e.indices) if rank is not None and rank > len(e.indices) else SCALAR
        return _view_rank(ranks.get(e.array), index)
    if isinstance(e, ir.Alloc):
        return len(e.shape) if e.like is None else ranks.get(e.like)
    if isinstance(e, ir.Call) and e.func == "getitem" and isinstance(e.args[0], ir.Name):
        return _view_rank(ranks.get(e.args[0].id), e.args[1])
    if isinstance(e, (ir.Const, ir.UserCall)) or (isinstance(e, ir.Call) and e.func == "shape"):
        return SCALAR
    if isinstance(e, ir.Call) and e.func in _REDUCTIONS and e.func != "dot":
        return SCALAR if e.args[1:] == (ir.Const(None),) else None  # keepdims keeps an array
    if isinstance(e, ir.Call) and e.func == "dot":  # of vectors (an unknown rank taken as one)
        vectors = all(expr_rank(a, ranks) in (None, 1, SCALAR) for a in e.args)
        return SCALAR if vectors else None
    if isinstance(e, ir.BinOp) and e.op == "@":
        return _product_rank(e, ranks)
    if symbolic.rule_of(e) is not None:
        return None if symbolic.result_is_array(e) else SCALAR
    kids = [expr_rank(c, ranks) for c in ir.children(e)]
    arrays = [k for k in kids if k is not SCALAR]
    if not arrays:
        return SCALAR
    known = [k for k in arrays if k is not None]
    return max(known) if known else None


def _product_rank(e: ir.BinOp, ranks: dict, array: bool = False):
    """`a @ b`: a vector times a vector is a number; a matrix or a vector otherwise. An operand of
    unknown rank is taken as transform.products takes it (a matrix on the left of a vector, else
    a vector; a matrix on the right of a vector where the product is an operand of `@` again,
    `x @ A @ x`). array: the product is such an operand."""
    left, right = (_product_rank(o, ranks, True) if isinstance(o, ir.BinOp) and o.op == "@" else expr_rank(o, ranks)
                   for o in (e.left, e.right))
    if left is None and (e.left == e.right or right not in (None, 1)):
        left = 1
    right = (2 if array and left == 1 else 1) if right is None else right
    if left is None or SCALAR in (left, right):
        return None
    return SCALAR if left == right == 1 else left + right - 2 if left > 1 and right > 1 else max(left, right) - 1


def _view_rank(rank, index: ir.Call) -> int:
    parts = index.args
    whole = len(parts) if rank is None else max(rank, len(parts))
    return whole - sum(1 for p in parts if not is_slice(p))


def is_slice(part) -> bool:
    return isinstance(part, ir.Call) and part.func == "slice"


def _subexpressions(e):
    yield e
    for c in ir.children(e):
        yield from _subexpressions(c)


def element_arrays(stmts) -> set:
    """Arrays written or read by element, allocated, or copied (np.zeros_like(x), x.copy(): x has
    the copy's dimensions), anywhere in stmts."""
    found = set()
    for s in ir.walk(stmts):
        if isinstance(s, ir.Assign) and (s.index is not None or isinstance(s.value, ir.Alloc)):
            found.add(s.target)
        if isinstance(s, ir.Assign) and isinstance(s.value, ir.Alloc) and s.value.like is not None:
            found.add(s.value.like)
        for e in ir.reads_of(s):
            found |= {sub.array for sub in _subexpressions(e) if isinstance(sub, ir.Index)}
    return found


def loop_assignments(stmts, inside: bool = False) -> list:
    found = []
    for s in stmts:
        if isinstance(s, ir.Assign) and inside and s.index is None:
            found.append(s)
        elif isinstance(s, ir.If):
            found += loop_assignments(s.body, inside) + loop_assignments(s.orelse, inside)
        elif isinstance(s, (ir.For, ir.While)):
            found += loop_assignments(s.body, True)
    return found


def assigned_in(stmts) -> set:
    names = set()
    for s in ir.walk(stmts):
        if isinstance(s, ir.Assign) and s.index is None:
            names.add(s.target)
        elif isinstance(s, ir.For):
            names.add(s.var)
    return names


def shares_written_memory(target: str, value: ir.Expr, stmts) -> bool:
    """Whether `target = value` makes target a view (a basic slice) of an array that stmts write
    by element or slice, or stmts write target itself: Python's writes show through the view."""
    written = {s.target for s in ir.walk(stmts) if isinstance(s, ir.Assign) and s.index is not None}
    while isinstance(value, ir.Call) and value.func in VIEWS:
        value = value.args[0]
    if not (isinstance(value, ir.Call) and value.func == "getitem" and isinstance(value.args[0], ir.Name)):
        return False
    return value.args[0].id in written or target in written


def said_dimensions(function: ir.Function, slices: bool = True) -> dict:
    """Array name -> the most dimensions its element reads, writes and slices name (`X[i, j]`,
    `X[:, 1:]`: two). An array parameter compiled with more dimensions than this had them guessed
    (an operand of `@`, a row read `X[i]`): its entries hand an argument of other dimensions to the
    eager tape rather than refuse what the original takes. slices=False: what element reads and
    writes alone name (`x[1:]` of a matrix is its rows: alone, it guesses a vector)."""
    said = {}

    def note(name, count):
        said[name] = max(said.get(name, 0), count)

    for s in ir.walk(function.body):
        if isinstance(s, ir.Assign) and s.index is not None:
            index = slice_index(s.index)
            if index is None or slices:
                note(s.target, len(s.index) if index is None else len(index.args))
        for e in ir.reads_of(s):
            for sub in _subexpressions(e):
                if isinstance(sub, ir.Index):
                    index = slice_index(sub.indices)
                    if index is None or slices:
                        note(sub.array, len(sub.indices) if index is None else len(index.args))
                elif slices and isinstance(sub, ir.Call) and sub.func == "getitem" and isinstance(sub.args[0], ir.Name):
                    note(sub.args[0].id, len(sub.args[1].args))
    copies = [(s.target, s.value.id if isinstance(s.value, ir.Name) else s.value.like) for s in ir.walk(function.body)
              if isinstance(s, ir.Assign) and s.index is None
              and (isinstance(s.value, ir.Name) or (isinstance(s.value, ir.Alloc) and s.value.like is not None))]
    for _ in copies:  # u = u0.copy(), then u[i]: u0's dimensions are said too
        for copy, original in copies:
            if copy in said:
                note(original, said[copy])
    return said


def guessed_dimensions(functions: dict, params: dict, literals: dict) -> dict:
    """Function name -> {parameter: the array type its entries check it against} for the array
    parameters whose dimensions the compiler guessed: compiled with more than its element reads
    and slices say (functions: name -> the function as the front end reads it; params: name ->
    its compiled (parameter, type) pairs). A whole array read by a row `C[k]` (np.sum((X - C[k])
    ** 2, axis=1): C a matrix) is one too, of the rank taken for it, and so is a whole array
    passed on as it is to a function of the module that guesses so: of other dimensions, C[k]
    would be an element, so such an argument goes to the eager tape (emit.wrappers). literals:
    name -> the (line, column) of its np.array literals, whose elements are numbers where a
    parameter compiled as one is read (an array there: NumPy stacks it; the eager tape does)."""
    guessed, rows = {}, {}
    for name, function in functions.items():
        said, taken, elements = said_dimensions(function), ranks(function), said_dimensions(function, slices=False)
        guessed[name] = {p: kind for p, kind in params[name]  # x[1:] alone takes x for a vector: a guess too
                         if ir.array_dims(kind) and min(said.get(p, 0), elements.get(p, 0)) < ir.array_dims(kind)}
        row_read = {sub.array for s in ir.walk(function.body) for e in ir.reads_of(s)
                    for sub in _subexpressions(e) if isinstance(sub, ir.Index) and slice_index(sub.indices) is None
                    and (taken.get(sub.array) or 0) > len(sub.indices)}
        rows[name] = {p: ir.array_type(taken[p]) for p, kind in params[name]
                      if kind == ir.NDARRAY and p in row_read and said.get(p, 0) < taken[p]}
        stored = set().union(*(ir.names_in(s.value) for s in ir.walk(function.body) if isinstance(s, ir.Assign)
                               and s.index is not None and (s.line, s.column) in literals.get(name, ())))
        unannotated = {p for p, declared in function.params if declared is None}
        guessed[name].update({p: ir.DOUBLE for p, kind in params[name]
                              if kind == ir.DOUBLE and p in stored & unannotated})
    changed = True
    while changed:  # passed on: the caller's own whole-array parameter, as it is
        changed = False
        for name, function in functions.items():
            for s in ir.walk(function.body):
                for call in (c for e in ir.reads_of(s) for c in ir.user_calls_in(e) if c.func in rows):
                    callee = [p for p, _ in params[call.func]]
                    for arg, p in zip(call.args, callee):
                        if isinstance(arg, ir.Name) and p in rows[call.func] and arg.id not in rows[name] \
                                and dict(params[name]).get(arg.id) == ir.NDARRAY:
                            rows[name][arg.id] = rows[call.func][p]
                            changed = True
    return {name: {**guessed[name], **rows[name]} for name in functions}
