"""Scalarization: slice assignment, and whole-array NumPy inside loops, written as element loops.

Reverse mode keeps a whole-array value once, outside loops (transform.lower); element loops it
tapes, forward mode carries tangents through and analysis.bounds checks. So, before the arrays
are converted and typed:

- `y[a:b:c] = e`, `y[a:b] += e`, `Y[:, j] = e` (anywhere) write e element by element, through a
  buffer where e reads y at other positions (`u[1:-1] = u[:-2] + u[2:]` reads all of e first,
  as NumPy does);
- inside a loop, np.sum / np.mean / np.prod / np.dot of elementwise expressions (of slices such
  as `x[i:i + 3]` too) become accumulating loops before their statement;
- inside a loop, `y = e` of an array fills y's buffer in place, `t = np.zeros(n)` and
  `t = x.copy()` fill a buffer allocated once before the loop.

Slices clip and count from the end as in NumPy. Operands must have the extents of the axes they
are aligned with (from the right): where NumPy would broadcast an axis of length 1, or a buffer
would change its shape, the compiled code raises ValueError instead of computing something else.
What this cannot write element by element is left as it is, for the checks after it to refuse.
"""

from __future__ import annotations

from .. import ir
from ..analysis.ranks import SCALAR as _SCALAR, assigned_in as _assigned_in, element_arrays as _element_arrays
from ..analysis.ranks import elementwise as _elementwise, expr_rank, loop_assignments as _loop_assignments
from ..analysis.ranks import VIEWS, is_slice, ranks as _ranks, said_dimensions, shares_written_memory, slice_index
from ..diagnostics import Unsupported
from ..rules import conversions
from ..rules.arrays import RULES
from ..rules.slices import constant_bound as _constant, from_end as _from_end, slice_bounds as _slice_bounds
from .inline_slices import inline_slices as _inline_slices
from .exact_reductions import certain_numbers, flattenable_names, integer_ranges, is_integer_range, loop_form
from .exact_reductions import range_element, range_extent, substituted_reads
from .products import product as _product, row_views as _row_views, transposed as _transposed

_REDUCTIONS = {"sum": 0.0, "mean": 0.0, "prod": 1.0, "dot": 0.0}
_FILLS = {"zeros": 0.0, "ones": 1.0, "empty": 0.0}


def scalarize(function: ir.Function, names) -> None:
    """Rewrite function.body in place (names: the function's Names, for fresh ones)."""
    ranks = _ranks(function)
    _row_views(function, ranks)
    _own_copies(function, names, ranks)
    rewriter = _Rewriter(function, names, ranks)
    function.body = rewriter.block(function.body, [])
    rewriter.elements = _element_arrays(function.body)
    rewriter.second_pass = True  # np.sum(t) of an array now written by element, inside a loop
    function.body = rewriter.block(function.body, [])
    read = {name for s in ir.walk(function.body) for e in ir.reads_of(s) for name in ir.names_in(e)}
    function.body = [s for s in function.body  # an np.arange every loop now reads as numbers
                     if not (isinstance(s, ir.Assign) and s.target in rewriter.ranges and s.target not in read)]


def _own_copies(function: ir.Function, names, ranks: dict) -> None:
    """A parameter given a new array value (`x = x - rate * g`) is updated in place from then on:
    on a copy of its own, made first (Python's rebinding never writes the caller's array)."""
    params = [p for p, _ in function.params]
    for param in params:
        if not any(isinstance(s, ir.Assign) and s.index is None and s.target == param
                   and param in ranks and expr_rank(s.value, ranks) is not _SCALAR for s in ir.walk(function.body)):
            continue
        own = names.fresh(f"{param}_own")
        ranks[own] = ranks[param]
        _rename(function.body, param, own)
        function.body.insert(0, ir.Assign(function.line, function.column, own, ir.Alloc("copy", (), param)))


def _rename(stmts, old: str, new: str) -> None:
    def renamed(e):
        if isinstance(e, ir.Name):
            return ir.Name(new) if e.id == old else e
        if isinstance(e, ir.Index):
            return ir.Index(new if e.array == old else e.array, tuple(renamed(i) for i in e.indices))
        if isinstance(e, ir.Alloc):
            return ir.Alloc(e.kind, tuple(renamed(d) for d in e.shape), new if e.like == old else e.like)
        kids = ir.children(e)
        return ir.rebuild(e, [renamed(c) for c in kids]) if kids else e

    for s in ir.walk(stmts):
        if isinstance(s, ir.Assign):
            s.target = new if s.target == old else s.target
            s.value = renamed(s.value)
            s.index = None if s.index is None else tuple(renamed(i) for i in s.index)
        elif isinstance(s, (ir.If, ir.While, ir.RaiseIf)):
            s.test = renamed(s.test)
        elif isinstance(s, ir.For):
            s.start, s.stop, s.step = renamed(s.start), renamed(s.stop), renamed(s.step)
        if isinstance(s, (ir.For, ir.While)) and s.exit_flag is not None:
            s.exit_flag = renamed(s.exit_flag)


# ---------------------------------------------------------------- statements


class _Rewriter:
    def __init__(self, function: ir.Function, names, ranks: dict):
        self.fn = function
        self.names = names
        self.ranks = ranks
        self.params = {p for p, _ in function.params}
        # unannotated parameters nothing indexes: a number or a whole array, as the caller passes
        self.unknown = {p for p, kind in function.params if kind is None and p not in ranks}
        self.hoisted = {}  # id(loop) -> statements to place before it
        self.defined = set(self.params)  # arrays with a buffer at this point of the walk
        self.second_pass = False
        self.ranges = integer_ranges(function.body)  # np.arange kept in a name, read as numbers
        self.flattenable = flattenable_names(function)
        self.numbers = certain_numbers(function, ranks)
        # a local's rank its element reads say (a parameter's is checked by its entries: a guess
        # from slices sends other ranks to the eager tape); any other is taken as unknown
        said = said_dimensions(function, slices=False)
        self.unsaid = {name for name, rank in ranks.items() if rank is not None and name not in self.params
                       and said.get(name, 0) < rank and name not in function.array_constants}
        self.views = {s.target for s in ir.walk(function.body) if isinstance(s, ir.Assign) and s.index is None
                      and _may_share(s.value)}  # names that may show another array's memory
        self.elements = set()
        self.written = {s.target for s in ir.walk(function.body) if isinstance(s, ir.Assign) and s.index is not None}
        # arrays given new array values inside loops (updated in place)
        self.refilled = {s.target for s in _loop_assignments(function.body)
                         if s.target in ranks and not isinstance(s.value, ir.Alloc)
                         and expr_rank(s.value, ranks) is not _SCALAR}

    def block(self, stmts, loops, top: bool = True) -> list:
        """top: the function's own statement list (not a branch), where a buffer once made stays."""
        out = []
        for s in stmts:
            if isinstance(s, ir.If):
                before = _Statement(self, s, loops).hoist_test() if loops and not self.second_pass else []
                s.body, s.orelse = self.block(s.body, loops, False), self.block(s.orelse, loops, False)
                out += before + [s]
            elif isinstance(s, (ir.For, ir.While)):
                if not self.second_pass:
                    s.body = _inline_slices(s.body, self.fn, self.ranks)
                s.body = self.block(s.body, loops + [s])
                out += self.hoisted.pop(id(s), []) + [s]
            elif isinstance(s, ir.Assign):
                out += self.assign(s, loops, top)
            else:
                out.append(s)
        return out

    def assign(self, s: ir.Assign, loops, top: bool) -> list:
        statement = _Statement(self, s, loops)
        if self.second_pass:
            return statement.element_reductions() if loops else [s]
        if slice_index(s.index) is not None:
            return statement.slice_assignment()
        if not loops:
            if s.index is None and top and s.target in self.defined and s.target in self.ranks \
                    and s.target not in self.params:  # an array given a new value: in place, as in a loop
                if isinstance(s.value, ir.Alloc):
                    return statement.allocation()
                if expr_rank(s.value, self.ranks) is not _SCALAR and not _may_share(s.value):
                    return statement.refill()
            if s.index is None and top:
                self.defined.add(s.target)
            if s.index is None:
                self.copy_if_refilled(s)
                # a function called in loops keeps its whole arrays: a caller's loop passes them so
                flattened = None if self.fn.called_in_loops else \
                    loop_form(s.value, self.ranks, self.unknown | self.unsaid, self.ranges, self.flattenable,
                              self.numbers, self.views)
                if flattened is not None:
                    return statement.exact_reductions(flattened)
            return [s]
        if s.index is None and isinstance(s.value, ir.Alloc):
            return statement.allocation()
        if s.index is None and s.target in self.ranks and expr_rank(s.value, self.ranks) is not _SCALAR:
            return statement.refill()
        return statement.reductions()

    def copy_if_refilled(self, s: ir.Assign) -> None:
        """`y = x` before a loop that updates y in place (`y = y * 0.5 + x`): y its own copy of x,
        which Python's y is by the time anything writes it (written by element nowhere else)."""
        if not (isinstance(s.value, ir.Name) and s.value.id in self.ranks and s.target in self.refilled):
            return
        if not ({s.target, s.value.id} & self.written):
            s.value = ir.Alloc("copy", (), s.value.id)

    def hoist(self, base: str, extents: list, loops, line: int, column: int) -> str:
        """A new buffer of the given extents, allocated before the outermost loop they do not
        change in; its name."""
        name = self.names.fresh(base)
        allocation = ir.Assign(line, column, name, ir.Alloc("zeros", tuple(extents)))
        self.ranks[name] = len(extents)
        self.place_before_loops(allocation, extents, loops)
        return name

    def place_before_loops(self, statement, extents, loops) -> None:
        used = set()
        for extent in extents:
            used |= _scalar_names(extent, self.ranks)
        for loop in loops:  # outermost first
            if not (used & (_assigned_in(loop.body) | ({loop.var} if isinstance(loop, ir.For) else set()))):
                self.hoisted.setdefault(id(loop), []).append(statement)
                return
        raise Unsupported("an array whose size changes inside a loop", statement.line, statement.column)


def _scalar_names(e: ir.Expr, ranks: dict) -> set:
    """The names e reads, but arrays measured by shape(): their shapes do not change in loops."""
    if isinstance(e, ir.Call) and e.func == "shape" and isinstance(e.args[0], ir.Name) and e.args[0].id in ranks:
        return set()
    if isinstance(e, ir.Name):
        return {e.id}
    found = set()
    for c in ir.children(e):
        found |= _scalar_names(c, ranks)
    return found


class _Statement:
    """The rewriting of one statement: `before` collects what goes ahead of it."""

    def __init__(self, owner: _Rewriter, s, loops):
        self.owner, self.s, self.loops = owner, s, loops
        self.names, self.ranks = owner.names, owner.ranks
        self.before = []
        self.views = {}  # (array, index) -> [(index of axis k from counter, extent)] of a slice read

    def unsupported(self, what: str):
        return Unsupported(what, self.s.line, self.s.column)

    def at(self, target, value, index=None) -> ir.Assign:
        return ir.Assign(self.s.line, self.s.column, target, value, index)

    def int_temp(self, base: str, value: ir.Expr) -> ir.Expr:
        if isinstance(value, (ir.Const, ir.Name)):
            return value
        name = self.names.fresh(base)
        self.before.append(self.at(name, value))
        return ir.Name(name)

    def rank(self, e):
        return expr_rank(e, self.ranks)

    # --- statement forms ------------------------------------------------------------------
    def slice_assignment(self) -> list:
        s = self.s
        index = slice_index(s.index)
        extents = [extent for _, extent in self.view(s.target, index)]
        value = self.hoist_reductions(s.value)
        in_place = all(self.same_positions(read, s.target, index) for read in self.reads_of(value, s.target))
        return self.fill(s.target, extents, lambda counters: self.positions(s.target, index, counters), value,
                         in_place, raw=self.raw_extents(s.target, index))

    def refill(self) -> list:
        s = self.s
        if s.target in self.owner.params:
            raise self.unsupported(f"reassigning the parameter array '{s.target}' inside a loop")
        if shares_written_memory(s.target, s.value, self.owner.fn.body):
            raise self.unsupported(f"a slice kept in '{s.target}' of an array written by element (a view in Python)")
        value = self.hoist_reductions(s.value)
        extents, raw = self.extents(value)
        rank = self.ranks.get(s.target)
        if rank is not None and rank != len(extents):
            raise self.unsupported(f"the array '{s.target}' assigned an array of another number of dimensions")
        if s.target not in self.owner.defined:
            self.owner.defined.add(s.target)
            self.owner.place_before_loops(self.at(s.target, ir.Alloc("zeros", tuple(raw))), raw, self.loops)
        whole = ir.Name(s.target)
        in_place = all(read == whole for read in self.reads_of(value, s.target))
        self.check_shape(s.target, extents)
        return self.fill(s.target, extents, tuple, value, in_place, raw=raw)

    def allocation(self) -> list:
        s, alloc = self.s, self.s.value
        if alloc.like is not None:
            rank = self.ranks.get(alloc.like) or 1
            self.ranks[alloc.like] = rank
            extents = [ir.Call("shape", (ir.Name(alloc.like), ir.Const(d))) for d in range(rank)]
            value = ir.Name(alloc.like) if alloc.kind == "copy" else ir.Const(_FILLS[alloc.kind])
        else:
            extents, value = list(alloc.shape), ir.Const(_FILLS[alloc.kind])
        if s.target in self.owner.defined:
            self.check_shape(s.target, extents)
        else:
            self.owner.defined.add(s.target)
            self.owner.place_before_loops(self.at(s.target, ir.Alloc("zeros", tuple(extents))), extents, self.loops)
        extents = [self.int_temp(f"{s.target}_extent", e) for e in extents]
        return self.fill(s.target, extents, tuple, value, s.target not in ir.names_in(value), raw=extents)

    def reductions(self) -> list:
        s = self.s
        value = self.hoist_reductions(s.value, keep_top=s.index is None)
        return self.before + [ir.Assign(s.line, s.column, s.target, value, s.index)]

    def exact_reductions(self, flattened: set) -> list:
        """Outside loops, reductions that transform.exact_reductions proved the same as element
        loops: their checks of equal extents never fire, so none is written. An array of unknown
        rank is read through a flattened copy of it, an np.arange kept in a name as numbers."""
        s, reads = self.s, dict(self.owner.ranges)
        for name in sorted(flattened):
            flat = self.names.fresh(f"{name}_flat")
            reads[name], self.ranks[flat] = ir.Name(flat), 1
            flat_view = ir.Call("reshape", (ir.Name(name), ir.Call("tuple", (ir.Const(-1),))))
            self.before.append(self.at(flat, ir.Call(conversions.AS_ELEMENTS, (flat_view,))))
        value = self.hoist_reductions(substituted_reads(s.value, reads), keep_top=True)
        before = [b for b in self.before if not (isinstance(b, ir.RaiseIf) and b.message.startswith("operands of"))]
        statements = before + [ir.Assign(s.line, s.column, s.target, value, s.index)]
        read = {name for b in ir.walk(statements) for e in ir.reads_of(b) for name in ir.names_in(e)}
        return [b for b in statements[:-1] if not (isinstance(b, ir.Assign) and b.target not in read)] + statements[-1:]

    def element_reductions(self) -> list:
        """Second pass: a statement `m = np.sum(t)` left whole, t now an element array."""
        s = self.s
        if s.index is not None or not _is_reduction(s.value) \
                or not (ir.names_in(s.value) & self.owner.elements):
            return [s]
        return self.reductions_of_all(s)

    def reductions_of_all(self, s) -> list:
        value = self.reduce(s.value)
        return self.before + [ir.Assign(s.line, s.column, s.target, value, s.index)]

    def hoist_test(self) -> list:
        self.s.test = self.hoist_reductions(self.s.test)
        return self.before

    # --- filling ----------------------------------------------------------------------------
    def fill(self, target: str, extents: list, positions, value: ir.Expr, in_place: bool, raw: list) -> list:
        """target's elements at positions(counters), counters running over extents, set to value
        element by element; through a buffer when value reads target elsewhere."""
        self.check_operands(value, extents)
        if in_place:
            counters = self.counters(len(extents))
            write = self.at(target, self.element(value, counters), positions(counters))
            return self.before + [self.loop(counters, extents, [write])]
        buffer = self.owner.hoist(f"{target}_new", raw, self.loops, self.s.line, self.s.column) if self.loops \
            else self.local_buffer(target, extents)
        counters = self.counters(len(extents))
        first = self.loop(counters, extents, [self.at(buffer, self.element(value, counters), tuple(counters))])
        counters = self.counters(len(extents))
        copy = self.at(target, ir.Index(buffer, tuple(counters)), positions(counters))
        return self.before + [first, self.loop(counters, extents, [copy])]

    def local_buffer(self, target: str, extents: list) -> str:
        name = self.names.fresh(f"{target}_new")
        self.ranks[name] = len(extents)
        self.before.append(self.at(name, ir.Alloc("zeros", tuple(extents))))
        return name

    def counters(self, count: int) -> list:
        return [ir.Name(self.names.fresh("k")) for _ in range(count)]

    def loop(self, counters: list, extents: list, body: list):
        for counter, extent in reversed(list(zip(counters, extents))):
            body = [ir.For(self.s.line, self.s.column, counter.id, ir.Const(0), extent, ir.Const(1), body)]
        return body[0]

    def check_shape(self, array: str, extents: list) -> None:
        for d, extent in enumerate(extents):
            self.before.append(ir.RaiseIf(self.s.line, self.s.column,
                                          ir.Compare("!=", ir.Call("shape", (ir.Name(array), ir.Const(d))), extent),
                                          "ValueError", f"the array '{array}' changes shape at line {self.s.line} "
                                                        f"(compiled code updates it in place)"))

    def check_operands(self, value: ir.Expr, extents: list) -> None:
        """Every array operand of value has the extents of the axes it is aligned with."""
        for leaf in self.leaves(value):
            leaf_extents = self.leaf_extents(leaf)
            if len(leaf_extents) > len(extents):
                raise self.unsupported("a value with more dimensions than the slice it is assigned to")
            for own, extent in zip(leaf_extents, extents[len(extents) - len(leaf_extents):]):
                if own != extent:
                    self.before.append(ir.RaiseIf(
                        self.s.line, self.s.column, ir.Compare("!=", own, extent), "ValueError",
                        f"operands of different shapes at line {self.s.line} (compiled code does not broadcast "
                        f"an axis of length 1 there)"))

    # --- expressions ------------------------------------------------------------------------
    def reads_of(self, e: ir.Expr, array: str) -> list:
        """The reads of `array` in e outside reductions (those run before the statement)."""
        if isinstance(e, ir.Name):
            return [e] if e.id == array else []
        if isinstance(e, ir.Index):
            return [e] if e.array == array else []
        if isinstance(e, ir.Call) and e.func == "getitem" or _rolled(e, self.ranks):
            return [e] if e.args[0] == ir.Name(array) else []  # np.roll(x, 1): x at other positions
        found = []
        for c in ir.children(e):
            found += self.reads_of(c, array)
        return found

    def same_positions(self, read, array: str, index: ir.Call) -> bool:
        return read in (ir.Index(array, (index,)), ir.Call("getitem", (ir.Name(array), index)))

    def hoist_reductions(self, e: ir.Expr, keep_top: bool = False) -> ir.Expr:
        """e with each reduction of arrays computed before the statement (a number in its place);
        keep_top: a whole statement `t = np.sum(x)` of a bare name stays (it compiles whole)."""
        if _is_reduction(e):
            if keep_top and all(isinstance(a, (ir.Name, ir.Const)) for a in e.args):
                return e
            return self.reduce(e)
        if isinstance(e, ir.BinOp) and e.op == "@":
            return _product(self, e)
        if not ir.children(e) or isinstance(e, (ir.Index, ir.Alloc)):
            return e
        return ir.rebuild(e, [self.hoist_reductions(c) for c in ir.children(e)])

    def reduce(self, e: ir.Call) -> ir.Expr:
        if ir.names_in(e) & self.owner.unknown:  # np.sum((x - C[:, i]) ** 2), x maybe an array:
            return e  # element by element would take x for a number; whole-array code is right either way
        operand = self.hoist_reductions(e.args[0])
        if e.func == "dot":
            second = self.hoist_reductions(e.args[1])
            if _SCALAR in (self.rank(operand), self.rank(second)):  # np.dot(2.0, x) scales: no sum
                return ir.BinOp("*", operand, second)
            if self.rank(operand) not in (None, 1) or self.rank(second) not in (None, 1):  # of matrices: '@'
                return _product(self, ir.BinOp("@", operand, second))
            operand = ir.BinOp("*", operand, second)
        extents, _ = self.extents(operand)
        self.check_operands(operand, extents)
        total = self.names.fresh(f"{e.func}_total")
        self.before.append(self.at(total, ir.Const(_REDUCTIONS[e.func])))
        counters = self.counters(len(extents))
        op = "*" if e.func == "prod" else "+"
        step = self.at(total, ir.BinOp(op, ir.Name(total), self.element(operand, counters)))
        self.before.append(self.loop(counters, extents, [step]) if extents else step)
        if e.func != "mean":
            return ir.Name(total)
        count = ir.Const(1)
        for extent in extents:
            count = count * extent
        return ir.BinOp("/", ir.Name(total), count)

    def extents(self, e: ir.Expr) -> tuple:
        """(the extents of e's axes, the same without temporaries): those of its leaves, right aligned."""
        rank = 0
        leaves = self.leaves(e)
        for leaf in leaves:
            rank = max(rank, len(self.leaf_extents(leaf)))
        extents, raw = [None] * rank, [None] * rank
        for leaf in leaves:
            own, own_raw = self.leaf_extents(leaf), self.leaf_extents(leaf, raw=True)
            for d in range(len(own)):
                axis = rank - len(own) + d
                if extents[axis] is None:
                    extents[axis], raw[axis] = own[d], own_raw[d]
        return extents, raw

    def leaves(self, e: ir.Expr) -> list:
        """The array operands of an elementwise expression (reductions are hoisted already)."""
        if isinstance(e, ir.Name):
            return [e] if e.id in self.ranks else []
        if isinstance(e, ir.Index):
            return [e] if slice_index(e.indices) is not None else []
        if isinstance(e, ir.Call) and e.func == "getitem":
            if not isinstance(e.args[0], ir.Name):
                raise self.unsupported("slicing a value other than an array variable inside a loop")
            return [e]
        if isinstance(e, ir.Alloc) or _transposed(e):  # np.zeros(n) + z, x.T
            return [e]
        if isinstance(e, (ir.Const, ir.UserCall)) or (isinstance(e, ir.Call) and e.func == "shape"):
            return []
        if _rolled(e, self.ranks) or is_integer_range(e):
            return [e]
        if not _elementwise(e):
            if self.rank(e) is _SCALAR:
                return []
            raise self.unsupported(f"the whole-array operation '{_spelt(e)}' element by element")
        found = []
        for c in ir.children(e):
            found += self.leaves(c)
        return found

    def leaf_extents(self, leaf, raw: bool = False) -> list:
        if is_integer_range(leaf):
            return [range_extent(leaf)]
        if isinstance(leaf, ir.Alloc) and leaf.like is not None or _rolled(leaf, self.ranks):
            leaf = ir.Name(leaf.like) if isinstance(leaf, ir.Alloc) else leaf.args[0]
        if isinstance(leaf, ir.Name):
            rank = self.ranks.get(leaf.id) or 1
            return [ir.Call("shape", (leaf, ir.Const(d))) for d in range(rank)]
        if isinstance(leaf, ir.Alloc):
            return list(leaf.shape)
        if _transposed(leaf):
            return self.leaf_extents(leaf.args[0])[::-1]
        array, index = _view_of(leaf)
        return [extent_raw if raw else extent for _, extent, extent_raw in self.view(array, index, True)]

    def element(self, e: ir.Expr, counters: list) -> ir.Expr:
        """The element of e at counters (its leaves aligned from the right)."""
        if isinstance(e, ir.Alloc):
            if e.kind == "copy":
                return self.element(ir.Name(e.like), counters)
            return ir.Const(_FILLS[e.kind])
        if isinstance(e, ir.Name) and e.id in self.ranks:
            rank = self.ranks.get(e.id) or 1
            return ir.Index(e.id, tuple(counters[len(counters) - rank:]))
        if _transposed(e):
            rank = self.ranks.get(_transposed(e)) or 1
            return ir.Index(_transposed(e), tuple(counters[len(counters) - rank:])[::-1])
        if is_integer_range(e):
            return range_element(e, counters[-1])
        if _rolled(e, self.ranks):  # np.roll(x, s)[i] is x[(i - s) % n], Python's % (never negative)
            array, shift = e.args[0], e.args[1]
            size = ir.Call("shape", (array, ir.Const(0)))
            return ir.Index(array.id, (ir.BinOp("%", ir.BinOp("-", counters[-1], shift), size),))
        if isinstance(e, ir.Index) and slice_index(e.indices) is not None or (
                isinstance(e, ir.Call) and e.func == "getitem"):
            array, index = _view_of(e)
            axes = self.view(array, index)
            own = counters[len(counters) - len(axes):]
            return ir.Index(array, self.positions(array, index, own))
        if not ir.children(e) or isinstance(e, (ir.Index, ir.Alloc, ir.UserCall)) \
                or (isinstance(e, ir.Call) and e.func == "shape"):
            return e
        return ir.rebuild(e, [self.element(c, counters) for c in ir.children(e)])

    # --- slices -----------------------------------------------------------------------------
    def view(self, array: str, index: ir.Call, with_raw: bool = False) -> list:
        """The axes of array[index]: (counter -> the index along that axis of array, extent)."""
        key = (array, index)
        if key not in self.views:
            self.views[key] = self.normalise(array, index)
        axes = [(to_index, extent, raw) for kind, to_index, extent, raw in self.views[key] if kind == "axis"]
        return axes if with_raw else [(to_index, extent) for to_index, extent, _ in axes]

    def raw_extents(self, array: str, index: ir.Call) -> list:
        return [raw for _, _, raw in self.view(array, index, True)]

    def positions(self, array: str, index: ir.Call, counters: list) -> tuple:
        out, own = [], iter(counters)
        for kind, to_index, _, _ in self.views[(array, index)]:
            out.append(to_index(next(own)) if kind == "axis" else to_index)
        return tuple(out)

    def normalise(self, array: str, index: ir.Call) -> list:
        """Per axis of array: ("axis", counter -> index, extent, extent without temporaries) for
        a sliced or whole axis, ("fixed", index, None, None) for an integer part."""
        parts = list(index.args)
        rank = max(self.ranks.get(array) or len(parts), len(parts))
        out = []
        for d in range(rank):
            n = ir.Call("shape", (ir.Name(array), ir.Const(d)))
            part = parts[d] if d < len(parts) else ir.Call("slice", (ir.Const(None),) * 3)
            if not is_slice(part):
                out.append(("fixed", _from_end(_constant(part), n), None, None))
                continue
            lower, upper, step = (_constant(b) for b in part.args)
            if step == ir.Const(None):
                step = ir.Const(1)
            if not (isinstance(step, ir.Const) and isinstance(step.value, int) and step.value != 0):
                raise self.unsupported("a slice step that is not a constant integer")
            c = step.value
            start_raw, count_raw = _slice_bounds(lower, upper, c, n)
            start = self.int_temp(f"{array}_start", start_raw)
            count = self.int_temp(f"{array}_count", count_raw)
            out.append(("axis", (lambda k, start=start, c=c: ir.binop("+", start, ir.binop("*", k, ir.Const(c)))),
                        count, count_raw))
        return out


def _subexpressions(e):
    yield e
    for c in ir.children(e):
        yield from _subexpressions(c)


def _may_share(e) -> bool:
    """Whether e may be a view of an array rather than a new one (y = x, y = x[1:], y = x.T)."""
    while isinstance(e, ir.Call) and e.func in VIEWS:
        e = e.args[0]
    return isinstance(e, ir.Name) or (isinstance(e, ir.Call) and e.func == "getitem")


def _rolled(e, ranks: dict) -> bool:
    """Whether e is np.roll of a vector variable (its elements, rotated, are read in place)."""
    return isinstance(e, ir.Call) and e.func == "roll" and isinstance(e.args[0], ir.Name) \
        and ranks.get(e.args[0].id, 0) in (1, None) and e.args[0].id in ranks and e.args[2] == ir.Const(None)


def _view_of(e) -> tuple:
    if isinstance(e, ir.Index):
        return e.array, slice_index(e.indices)
    return e.args[0].id, e.args[1]


def _is_reduction(e) -> bool:
    if not (isinstance(e, ir.Call) and e.func in _REDUCTIONS):
        return False
    return e.func == "dot" or (len(e.args) == 2 and e.args[1] == ir.Const(None))


def _spelt(e) -> str:
    if isinstance(e, ir.Call):  # np.linalg.solve as the table spells it
        rule = RULES.get(e.func)
        return rule.spelling if rule is not None and rule.spelling.startswith("np.") else f"np.{e.func}"
    return getattr(e, "op", type(e).__name__)
