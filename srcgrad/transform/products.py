"""Rows and matrix products inside loops, for transform.scalarize.

- `X[i]` of an array of more dimensions than it has indices is the view `X[i, :]` (a row), read or
  written (`H[t + 1] = h`); analysis.ranks says which arrays have rows read.
- `A @ x`, `x @ A`, `A @ B` and `u @ v` inside a loop (and in slice assignments) are computed
  before their statement: a number accumulated element by element for two vectors, else a buffer
  allocated before the loop and filled, each element accumulated in a number first
  (`acc = 0; for k: acc += A[i, k] * x[k]; product[i] = acc`). Operands are elementwise
  expressions of arrays, rows and slices, and `X.T`. An operand whose number of dimensions
  nothing says is taken as a matrix on the left of a vector, a vector otherwise (`v @ v`, `v @ B`),
  and a matrix on the right in `v = f(v @ B)`, where the product keeps v's dimensions: the compiled
  entries check the dimensions of what they are passed, so a wrong guess is refused, loudly.
  Where the contracted extents differ the compiled code raises ValueError, as NumPy does.
"""

from __future__ import annotations

from .. import ir
from ..analysis.ranks import SCALAR, expr_rank, slice_index
from ..diagnostics import Unsupported

_WHOLE_AXIS = ir.Call("slice", (ir.Const(None),) * 3)


def row_views(function: ir.Function, ranks: dict) -> None:
    """Rewrite element reads and writes with fewer indices than their array has dimensions as
    the views they are in NumPy (`X[i]` -> `X[i, :]`), in place."""
    def rows(array: str, indices: tuple):
        rank = ranks.get(array)
        if slice_index(indices) is None and rank is not None and rank > len(indices):
            return ir.Call("index", indices + (_WHOLE_AXIS,) * (rank - len(indices)))
        return None

    def rewrite(e):
        if isinstance(e, ir.Index):
            indices = tuple(rewrite(i) for i in e.indices)
            row = rows(e.array, indices)
            return ir.Index(e.array, indices) if row is None else ir.Call("getitem", (ir.Name(e.array), row))
        kids = ir.children(e)
        return ir.rebuild(e, [rewrite(c) for c in kids]) if kids else e

    for s in ir.walk(function.body):
        if isinstance(s, ir.Assign):
            s.value = rewrite(s.value)
            if s.index is not None:
                s.index = tuple(rewrite(i) for i in s.index)
                row = rows(s.target, s.index)
                s.index = s.index if row is None else (row,)
        elif isinstance(s, (ir.If, ir.While, ir.RaiseIf)):
            s.test = rewrite(s.test)
        elif isinstance(s, ir.For):
            s.start, s.stop, s.step = (rewrite(b) for b in (s.start, s.stop, s.step))


def transposed(e) -> str | None:
    """The array x of `x.T` / np.transpose(x), else None."""
    if isinstance(e, ir.Call) and e.func == "transpose" and len(e.args) == 1 and isinstance(e.args[0], ir.Name):
        return e.args[0].id
    return None


def product(statement, e: ir.Expr, array: bool = False) -> ir.Expr:
    """`left @ right` computed before statement.s (into statement.before); what replaces it.
    array: the product is an operand of `@` itself, so an array (`x @ A` in `x @ A @ x`)."""
    left, right = (product(statement, o, True) if isinstance(o, ir.BinOp) and o.op == "@"
                   else statement.hoist_reductions(o) for o in (e.left, e.right))
    keeps_rank = isinstance(statement.s, ir.Assign) and statement.s.index is None \
        and left == ir.Name(statement.s.target)  # v = f(v @ B): v a vector, B a matrix
    vector_on_right = _rank(right, statement.ranks) in (None, 1) and not keeps_rank
    left_rank = _settled_rank(statement, left, 2 if vector_on_right and left != right else 1)
    right_rank = _settled_rank(statement, right, 2 if keeps_rank or (array and left_rank == 1) else 1)
    left_extents, left_raw = statement.extents(left)
    right_extents, right_raw = statement.extents(right)
    if len(left_extents) != left_rank or len(right_extents) != right_rank:
        raise statement.unsupported("'@' of operands whose dimensions differ inside a loop")
    statement.check_operands(left, left_extents)
    statement.check_operands(right, right_extents)
    inner = left_extents[-1]
    statement.before.append(ir.RaiseIf(
        statement.s.line, statement.s.column, ir.Compare("!=", inner, right_extents[0]), "ValueError",
        f"matmul: operands whose inner dimensions differ at line {statement.s.line}"))
    extents, raw = left_extents[:-1] + right_extents[1:], left_raw[:-1] + right_raw[1:]
    counters = statement.counters(len(extents))
    k = statement.counters(1)[0]
    term = ir.BinOp("*", statement.element(left, counters[:left_rank - 1] + [k]),
                    statement.element(right, [k] + counters[left_rank - 1:]))
    total = statement.names.fresh("product_total")
    accumulate = [statement.at(total, ir.Const(0.0)),
                  statement.loop([k], [inner], [statement.at(total, ir.BinOp("+", ir.Name(total), term))])]
    if not extents:  # two vectors: a number
        statement.before.extend(accumulate)
        return ir.Name(total)
    buffer = statement.owner.hoist("product", raw, statement.loops, statement.s.line, statement.s.column) \
        if statement.loops else statement.local_buffer("product", extents)
    write = statement.at(buffer, ir.Name(total), tuple(counters))
    statement.before.append(statement.loop(counters, extents, accumulate + [write]))
    return ir.Name(buffer)


def _settled_rank(statement, operand: ir.Expr, guess: int) -> int:
    """operand's number of dimensions (1 or 2); arrays in it whose rank nothing says are given
    `guess` (recorded in statement.ranks)."""
    rank = _rank(operand, statement.ranks)
    if rank is None:
        for name in _unranked(operand, statement.ranks):
            statement.ranks[name] = guess
        rank = _rank(operand, statement.ranks)
    if rank is SCALAR or rank is None:
        raise statement.unsupported("'@' of a value that is not an array inside a loop")
    if rank not in (1, 2):
        raise statement.unsupported("'@' of arrays of more than two dimensions inside a loop")
    return rank


def _rank(e: ir.Expr, ranks: dict):
    """SCALAR, a number of dimensions, or None where an array's is unknown."""
    name = transposed(e)
    if name is not None:
        return ranks.get(name)
    if isinstance(e, ir.Name) or isinstance(e, (ir.Index, ir.Alloc)) or (
            isinstance(e, ir.Call) and e.func == "getitem"):
        return expr_rank(e, ranks)
    if isinstance(e, (ir.Const, ir.UserCall)) or (isinstance(e, ir.Call) and e.func == "shape"):
        return SCALAR
    kids = [_rank(c, ranks) for c in ir.children(e)]
    if any(k is None for k in kids):
        return None
    arrays = [k for k in kids if k is not SCALAR]
    return max(arrays) if arrays else SCALAR


def _unranked(e: ir.Expr, ranks: dict) -> list:
    name = transposed(e)
    if name is not None or isinstance(e, ir.Name):
        name = name or e.id
        return [name] if name in ranks and ranks[name] is None else []
    found = []
    for c in ir.children(e):
        found += _unranked(c, ranks)
    return found
