"""Small Python sequences used as vectors, read as fixed-size float arrays.

`p = [x[0] * 2, x[1]]` and `w = (0.5, 1.5)` become a float array of that length written element by
element (`p = np.zeros(2); p[0] = x[0] * 2; p[1] = x[1]`), so `p[i]`, `len(p)` and loops over p
compile as array code does. `for a in x`, `for i, a in enumerate(x)` and `for a, b in zip(x, w)`
become counted loops over indices whose body starts by reading each name's element. A sequence
assigned inside a loop is allocated once, before the function's first statement: every element
is written again each time, so the reverse sweep restores what it overwrites like any element
write. A literal of numbers sliced where it is written (`np.array([1.0, 2.0, 3.0])[:n]`) is no
sequence: it is read as a module array constant of its own, sliced.
"""

from __future__ import annotations

import dataclasses

import libcst as cst
import numpy as np

from .. import ir
from ..diagnostics import Unsupported
from ..fresh_names import fresh_name
from .constants import fold_constant
from .expressions import ExpressionReader
from .names import array_view, collect_target, dotted_name, dotted_name_or_empty, qualify

_ITERATION_BUILTINS = ("enumerate", "zip")


class SequenceReader(ExpressionReader):
    """Lists, tuples and for-each loops, on top of the expression reader."""

    sequence_allocations: list  # the allocations of sequence literals, hoisted after reading
    sequence_writes: set  # ids of the element writes that fill them
    tuple_names: set  # names assigned a tuple literal

    # (line, column) of np.array literals to read as np.stack: generate re-reads a function so when
    # typing finds an array stored as an element of one (np.array([x, y]) of arrays x and y)
    stacked_literals: frozenset = frozenset()

    def start_sequences(self) -> None:
        self.sequence_allocations, self.sequence_writes, self.tuple_names = [], set(), set()
        self.literal_sites = set()  # (line, column) of the np.array literals read
        self.hoisted_totals, self.iterated_values = {}, {}

    def where(self, node) -> tuple:
        return node.position if isinstance(node, _Comprehension) else super().where(node)

    def unsupported_at(self, s, construct: str):
        return Unsupported(construct, s.line, s.column)

    def _sequence(self, target: str, node, line: int, column: int, matrix: bool = False) -> list:
        """`target = [e0, e1, ...]` (or a tuple) of numbers; with `matrix` (np.array of a literal),
        nested rows of equal length too."""
        rows = [el.value for el in node.elements]
        if any(isinstance(el, cst.StarredElement) for el in node.elements):
            raise self.unsupported(node, "a starred element in a list or tuple")
        if not rows:
            raise self.unsupported(node, "an empty list or tuple")
        if matrix:
            self.literal_sites.add((line, column))
            if (line, column) in self.stacked_literals:
                return [ir.Assign(line, column, target, self._stacked(node))]
        if matrix and all(isinstance(row, (cst.List, cst.Tuple)) for row in rows):
            cells = [((i, j), el.value) for i, row in enumerate(rows) for j, el in enumerate(row.elements)]
            if len({len(row.elements) for row in rows}) != 1 or not rows[0].elements \
                    or any(isinstance(el, cst.StarredElement) or isinstance(el.value, (cst.List, cst.Tuple))
                           for row in rows for el in row.elements):
                raise self.unsupported(node, "np.array of rows that are not numbers of one length")
            shape = (ir.Const(len(rows)), ir.Const(len(rows[0].elements)))
            return self._filled(target, node, line, column, cells, shape, tuple_=False)
        if any(isinstance(row, (cst.List, cst.Tuple)) for row in rows):
            # Python indexes it p[i][j], and p[i, j] raises: read as a matrix, either would be wrong
            raise self.unsupported(node, "a nested list or tuple")
        cells = [((k,), row) for k, row in enumerate(rows)]
        shape = (ir.Const(len(rows)),)  # np.array((a, b)) is an array, whose elements may be written
        return self._filled(target, node, line, column, cells, shape, tuple_=isinstance(node, cst.Tuple) and not matrix)

    def _stacked(self, node) -> ir.Expr:
        """np.array([a, b]) of arrays as NumPy makes it: np.stack((a, b)), rows of rows nested so."""
        if not node.elements or any(isinstance(el, cst.StarredElement) for el in node.elements):
            raise self.unsupported(node, "np.array of an empty or starred list")
        parts = [ir.Call("expand_dims", (self._stacked(el.value) if isinstance(el.value, (cst.List, cst.Tuple))
                                         else self.expr(el.value), ir.Const(0))) for el in node.elements]
        stacked = parts[0]
        for part in parts[1:]:
            stacked = ir.Call("concatenate", (stacked, part, ir.Const(0)))
        return stacked

    def _array_literal(self, node):
        """The list or tuple literal of `np.array([...])` or `np.asarray([...])` (dtype=float
        allowed), else None: it builds an array as a list literal does."""
        if not isinstance(node, cst.Call) or not node.args or node.args[0].keyword is not None \
                or not isinstance(node.args[0].value, (cst.List, cst.Tuple)):
            return None
        try:
            qualified = qualify(dotted_name(node.func), self.facts)
        except ValueError:
            return None
        if qualified not in ("numpy.array", "numpy.asarray") or len(node.args) > 2 or any(
                a.keyword is None or a.keyword.value != "dtype" or dotted_name_or_empty(a.value)
                not in ("float", "np.float64", "numpy.float64") for a in node.args[1:]):
            return None
        return node.args[0].value

    def _sliced_literal(self, node) -> str | None:
        """`np.array([1.0, 2.0, 3.0, 4.0])[:len(x)]` (rows of numbers too, any slice): the name of a
        module array constant holding the literal (one per value), sliced as module constants are;
        None for any other node. The literal's numbers are floats, as a list literal's are."""
        if not isinstance(node, cst.Subscript) or not any(isinstance(e.slice, cst.Slice) for e in node.slice):
            return None
        literal = self._array_literal(node.value)
        if literal is None or not _numbers_only(literal):
            return None
        value = np.array(fold_constant(literal, self.facts), dtype=np.float64)
        if value.ndim not in (1, 2) or value.size == 0:
            return None
        key = (value.shape, value.tobytes())
        if key not in self.facts.literal_arrays:
            taken = self.facts.constant_names() | set(self.facts.functions) | set(self.facts.aliases) | self.locals
            name = fresh_name(f"{self.function.name.upper()}_LITERAL", taken)
            self.facts.arrays[name] = value
            self.facts.literal_arrays[key] = name
        return self.facts.literal_arrays[key]

    def _filled(self, target: str, node, line: int, column: int, cells: list, shape: tuple, tuple_: bool) -> list:
        values = [(index, self.expr(value)) for index, value in cells]
        before = []
        if any(target in ir.names_in(value) for _, value in values):  # p = [p[1], p[0]]: read all first
            for k, (index, value) in enumerate(values):
                temp = self._fresh(f"{target}_item")
                before.append(ir.Assign(line, column, temp, value))
                values[k] = (index, ir.Name(temp))
        allocation = ir.Assign(line, column, target, ir.Alloc("zeros", shape))
        self.sequence_allocations.append(allocation)
        writes = [ir.Assign(line, column, target, value, tuple(ir.Const(i) for i in index))
                  for index, value in values]
        if tuple_:
            self.tuple_names.add(target)
        self.sequence_writes |= {id(w) for w in writes}
        return before + [allocation] + writes

    def check_tuple_writes(self, body: list) -> None:
        """A tuple's elements cannot be assigned: Python raises TypeError, so the compiler refuses."""
        for s in ir.walk(body):
            if isinstance(s, ir.Assign) and s.index is not None and s.target in self.tuple_names \
                    and id(s) not in self.sequence_writes:
                raise self.unsupported_at(s, f"assigning an element of the tuple '{s.target}'")

    def _unpack_array(self, target, value_node, line, column) -> list:
        """`x1, x2 = x` with x a local array or list: its elements, after Python's length check."""
        names = [self._target_name(el.value) for el in target.elements]
        if len(set(names)) != len(names) or value_node.value in names:
            raise self.unsupported(target, "unpacking an array into names that repeat or replace it")
        constant = self.facts.tuples.get(value_node.value) if value_node.value not in self.locals else None
        if constant is not None:  # a module tuple of numbers: its entries now
            if len(constant) != len(names) or not all(isinstance(v, (int, float)) for v in constant):
                raise self.unsupported(value_node, f"unpacking the constant '{value_node.value}' into "
                                                   f"{len(names)} names")
            return [ir.Assign(line, column, name, ir.lift(v)) for name, v in zip(names, constant)]
        self._read(value_node)
        array = value_node.value
        length = ir.Call("shape", (ir.Name(array), ir.Const(0)))
        check = ir.RaiseIf(line, column, ir.Compare("!=", length, ir.Const(len(names))), "ValueError",
                           f"cannot unpack the array '{array}' into {len(names)} values: its length differs")
        return [check] + [ir.Assign(line, column, name, ir.Index(array, (ir.Const(k),)))
                          for k, name in enumerate(names)]

    def _repeated_list(self, node):
        """`[0.0] * n` and `[1.0] * n`: np.zeros(n) and np.ones(n)."""
        if not (isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Multiply)):
            return None
        for items, count in ((node.left, node.right), (node.right, node.left)):
            if isinstance(items, cst.List) and len(items.elements) == 1 and not isinstance(count, cst.List):
                value = self.expr(items.elements[0].value)
                if not (isinstance(value, ir.Const) and value.value in (0, 1) and not isinstance(value.value, bool)):
                    raise self.unsupported(node, "a repeated list of something other than 0.0 or 1.0")
                return ir.Alloc("zeros" if value.value == 0 else "ones", (self.expr(count),))
        return None

    def _builtin_call(self, node, name: str) -> bool:
        return (isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == name
                and name not in self.locals and name not in self.facts.aliases and name not in self.facts.functions)

    def _for_each(self, node: cst.For) -> list:
        """`for a in seq`, `for i, a in enumerate(seq)`, `for a, b in zip(s, t)` as counted loops."""
        line, column = self.where(node)
        counter_name, sequences, targets = None, [node.iter], [node.target]
        backwards = self._builtin_call(node.iter, "reversed")
        if backwards:  # for a in reversed(x): the same loop, counted down
            if len(node.iter.args) != 1 or node.iter.args[0].keyword is not None or node.iter.args[0].star:
                raise self.unsupported(node.iter, "this call of reversed")
            sequences = [node.iter.args[0].value]
        for builtin in _ITERATION_BUILTINS:
            if not self._builtin_call(node.iter, builtin):
                continue
            call = node.iter
            if any(arg.keyword is not None or arg.star for arg in call.args) or not call.args \
                    or (builtin == "enumerate" and len(call.args) != 1):
                raise self.unsupported(call, f"this call of {builtin}")
            sequences = [arg.value for arg in call.args]
            wanted = len(sequences) + (builtin == "enumerate")
            if not isinstance(node.target, (cst.Tuple, cst.List)) or len(node.target.elements) != wanted:
                raise self.unsupported(node.target, f"a for loop over {builtin}(...) not unpacked into "
                                                    f"{wanted} names")
            targets = [el.value for el in node.target.elements]
            if builtin == "enumerate":
                counter_name, targets = targets[0], targets[1:]
                sequences, targets = self._enumerated_zip(sequences, targets)
        if targets == [node.target] and not isinstance(node.target, cst.Name):
            # only enumerate(...) and zip(...) unpack: `for i, j in pairs` would need rows of a sequence
            raise self.unsupported(node.target, "a for loop target that is not a single name")
        names = [self._target_name(t) for t in targets + ([counter_name] if counter_name else [])]
        if len(set(names)) != len(names):
            raise self.unsupported(node.target, "a for loop target naming one variable twice")
        before, arrays, length = [], [], None
        for sequence in sequences:
            array, size = self._iterated(sequence, line, column, before)
            arrays.append(array)
            length = size if length is None else ir.Call("minimum", (length, size))
        body = self._block(node.body)
        reassigned = {s.target for s in ir.walk(body) if isinstance(s, ir.Assign) and s.index is None}
        reassigned |= {s.var for s in ir.walk(body) if isinstance(s, ir.For)}
        if reassigned & set(arrays):
            raise self.unsupported(node.iter, "a for loop over a sequence that its body assigns anew")
        written = {s.target for s in ir.walk(body) if isinstance(s, ir.Assign) and s.index is not None}
        if any(ir.names_in(self.iterated_values[a]) & written for a in arrays if a in self.iterated_values):
            # Python iterates a view (x[1:]) that the body's element writes show through
            raise self.unsupported(node.iter, "a for loop over an array expression whose arrays the body writes")
        counter = names[-1] if counter_name and names[-1] not in reassigned else None
        counter = counter or self._fresh(f"{names[0]}_index")
        reads = [ir.Assign(line, column, name, ir.Index(array, (ir.Name(counter),)))
                 for name, array in zip(names, arrays)]
        if counter_name and counter != names[-1]:
            reads.append(ir.Assign(line, column, names[-1], ir.Name(counter)))
        if backwards:
            return before + [ir.For(line, column, counter, ir.binop("-", length, ir.Const(1)), ir.Const(-1),
                                    ir.Const(-1), reads + body)]
        return before + [ir.For(line, column, counter, ir.Const(0), length, ir.Const(1), reads + body)]

    def _enumerated_zip(self, sequences: list, targets: list) -> tuple:
        """`for i, (a, b) in enumerate(zip(x, y))`: the sequences zipped and the names unpacked."""
        (sequence,), (target,) = sequences, targets
        if not (self._builtin_call(sequence, "zip") and isinstance(target, (cst.Tuple, cst.List))):
            return sequences, targets
        if any(arg.keyword is not None or arg.star for arg in sequence.args) or not sequence.args \
                or len(target.elements) != len(sequence.args):
            raise self.unsupported(sequence, "this call of zip inside enumerate")
        return [arg.value for arg in sequence.args], [el.value for el in target.elements]

    def _iterated(self, node, line, column, before: list) -> tuple:
        """(the array a loop reads elements of, its length); a literal becomes a new array first."""
        if isinstance(node, (cst.List, cst.Tuple)):
            temp = self._fresh("items")
            before.extend(self._sequence(temp, node, line, column))
            return temp, ir.Const(len(node.elements))
        if isinstance(node, cst.Name) and node.value in self.locals:
            self._read(node)
            return node.value, ir.Call("shape", (ir.Name(node.value), ir.Const(0)))
        if isinstance(node, cst.Name):
            values = self.facts.arrays.get(node.value)
            if values is not None and values.dtype.kind == "f" and values.ndim == 1:
                self.used_arrays.add(node.value)
                return array_view(node.value), ir.Const(len(values))
            values = self.facts.tuples.get(node.value)
            if values is not None and all(isinstance(v, (int, float)) for v in values):
                temp = self._fresh("items")
                allocation = ir.Assign(line, column, temp, ir.Alloc("zeros", (ir.Const(len(values)),)))
                self.sequence_allocations.append(allocation)
                before.append(allocation)
                writes = [ir.Assign(line, column, temp, ir.lift(float(v)), (ir.Const(k),))
                          for k, v in enumerate(values)]
                self.sequence_writes |= {id(w) for w in writes}
                before.extend(writes)
                return temp, ir.Const(len(values))
        if isinstance(node, (cst.GeneratorExp, cst.ListComp, cst.SetComp, cst.DictComp, cst.Dict, cst.Set,
                             cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)):
            raise self.unsupported(node, "a for loop over something other than range(...), an array, a list or a tuple")
        temp = self._fresh("items")  # a whole-array value (x[1:]), copied into an array loops index
        before.append(ir.Assign(line, column, temp, self.expr(node)))
        self.iterated_values[temp] = before[-1].value
        return temp, ir.Call("shape", (ir.Name(temp), ir.Const(0)))

    # sum(... for ... in ...) ------------------------------------------------------------------
    def _call(self, node):
        total = self.hoisted_totals.get(id(node))
        if total is not None:
            return ir.Name(total)
        return super()._call(node)

    def hoist_sums(self, statement) -> list:
        """`sum(f(a) for a in x)` (or of a list comprehension) in a statement: a loop before it
        adds into a new local, which the statement reads. Never under a condition (`b if c else
        sum(...)`, `c and sum(...)`): the loop would run where Python does not evaluate it."""
        out = []
        for call in _unconditional_sums(statement, self._summing_call):
            out.extend(self._sum_loop(call))
        return out + self._hoist_array_literals(statement) + self._hoist_indexed_values(statement)

    def _hoist_indexed_values(self, statement) -> list:
        """`np.sort(x)[0]`, `np.cumsum(x)[-1]`, `(x * w)[i]`: an element of a whole-array value.
        The value goes into a new local before the statement, which reads its element as x[i] is
        read (not under a condition)."""
        out = []
        for subscript in _unconditional_calls(statement, lambda n: _element_of_a_value(n) and (
                self._slogdet_position(n) is None), kinds=(cst.Subscript,)):  # slogdet(a)[1]: log |det a|
            line, column = self.where(subscript)
            temp = self._fresh("indexed")
            out.append(ir.Assign(line, column, temp, self.expr(subscript.value)))
            self.hoisted_totals[id(subscript.value)] = temp
        return out

    def _index(self, node: cst.Subscript):
        constant = self._sliced_literal(node)
        if constant is not None:  # np.array([1.0, 2.0, 3.0])[:n]: a slice of a module constant
            return super()._index(node.with_changes(value=cst.Name(constant)))
        temp = self.hoisted_totals.get(id(node.value))
        if temp is None or not _element_of_a_value(node):  # np.array([...])[:n]: a slice of the literal
            return super()._index(node)
        self.locals.add(temp)
        return self.element_of(temp, node)

    def _summing_call(self, node, name: str) -> bool:
        """The builtin sum, or np.sum (`np.sum([i * 3 for i in a])` adds the same numbers)."""
        if self._builtin_call(node, name):
            return True
        if not isinstance(node, cst.Call) or not isinstance(node.func, (cst.Name, cst.Attribute)):
            return False
        dotted = dotted_name_or_empty(node.func)
        return bool(dotted) and dotted.split(".")[0] not in self.locals and qualify(dotted, self.facts) == "numpy.sum"

    def _hoist_array_literals(self, statement) -> list:
        """`np.array([a, b])` inside an expression (`x - np.array([1.0, 2.0])`): filled into a new
        local before the statement, as `v = np.array([a, b])` is (not under a condition)."""
        out = []
        direct = statement.value if isinstance(statement, cst.Assign) else None  # v = np.array(...): as it is
        sliced = {id(n.value) for n in _unconditional_calls(statement, self._sliced_literal, kinds=(cst.Subscript,))}
        for call in _unconditional_calls(statement, lambda n: n is not direct and id(n) not in sliced
                                         and self._array_literal(n) is not None):
            line, column = self.where(call)
            temp = self._fresh("literal")
            out.extend(self._sequence(temp, self._array_literal(call), line, column, matrix=True))
            self.hoisted_totals[id(call)] = temp
        return out

    def _sum_loop(self, call) -> list:
        comprehension = call.args[0].value
        clause = comprehension.for_in
        if clause.inner_for_in is not None or clause.asynchronous is not None:
            raise self.unsupported(clause, "a comprehension with more than one 'for'")
        line, column = self.where(call)
        names = set()
        collect_target(clause.target, names)
        outer = set(self.locals)
        self.locals |= names  # the comprehension's own variables, renamed below
        element = self.expr(comprehension.elt)
        conditions = [self.expr(test.test) for test in clause.ifs]
        total = self._fresh("total")
        step = ir.Assign(line, column, total, ir.BinOp("+", ir.Name(total), element))
        for condition in reversed(conditions):
            step = ir.If(line, column, condition, [step], [])
        loop = self._for(_Comprehension(clause.iter, clause.target, [step], call, self.where(call)))
        self.locals = outer | {total} | (self.locals - names)
        renamed = {name: self._fresh(f"{name}_item") for name in sorted(names)}
        self.hoisted_totals[id(call)] = total
        *before, counted = loop  # only the loop reads the comprehension's variables
        return before + [ir.Assign(line, column, total, ir.Const(0))] + _rename([counted], renamed)


def hoist_sequence_allocations(body: list, allocations: list) -> list:
    """Each sequence literal's array allocated once, before everything else, where every literal
    assigned to its name has the same shape and nothing else assigns the name as a whole."""
    by_name = {}
    for allocation in allocations:
        by_name.setdefault(allocation.target, []).append(allocation)
    whole = {}
    for s in ir.walk(body):
        if isinstance(s, ir.Assign) and s.index is None:
            whole.setdefault(s.target, []).append(s)
    hoisted, removed = [], set()
    for name, found in by_name.items():
        if len({a.value.shape for a in found}) != 1 or len(whole.get(name, [])) != len(found):
            continue
        if len(found) == 1 and any(s is found[0] for s in body):
            continue  # already allocated once, at the top level
        hoisted.append(ir.Assign(found[0].line, found[0].column, name, found[0].value))
        removed |= {id(a) for a in found}
    return hoisted + _without(body, removed) if hoisted else body


def _without(stmts: list, removed: set) -> list:
    out = []
    for s in stmts:
        if id(s) in removed:
            continue
        if isinstance(s, ir.If):
            s.body, s.orelse = _without(s.body, removed), _without(s.orelse, removed)
        elif isinstance(s, (ir.For, ir.While)):
            s.body = _without(s.body, removed)
        out.append(s)
    return out


class _Comprehension:
    """A comprehension's `for` clause in the shape of a for statement, for the loop readers."""

    orelse = asynchronous = None

    def __init__(self, iterable, target, body: list, anchor, position: tuple):
        self.iter, self.target, self.body, self.anchor, self.position = iterable, target, body, anchor, position


def _unconditional_sums(node, is_builtin) -> list:
    """The calls `sum(<generator or list comprehension>)` in node that Python always evaluates."""
    return _unconditional_calls(node, lambda n: is_builtin(n, "sum") and len(n.args) == 1 and n.args[0].keyword is None
                                and not n.args[0].star and isinstance(n.args[0].value, (cst.GeneratorExp, cst.ListComp)))


def _numbers_only(node) -> bool:
    """A list or tuple of number literals (negative too), or of such rows."""
    if isinstance(node, (cst.List, cst.Tuple)):
        return bool(node.elements) and all(isinstance(el, cst.Element) and _numbers_only(el.value)
                                           for el in node.elements)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        return _numbers_only(node.expression)
    return isinstance(node, (cst.Integer, cst.Float))


def _element_of_a_value(node) -> bool:
    """`f(x)[i, j]` or `(a * b)[i]`: integer indices into a value that is not a variable's
    (not x.shape[0], a size, nor X[i][j], which indexes twice)."""
    return isinstance(node.value, (cst.Call, cst.BinaryOperation, cst.UnaryOperation)) \
        and all(isinstance(element.slice, cst.Index) and element.slice.star is None for element in node.slice)


def _children(node) -> list:
    """node.children, from its fields: libcst's property runs a visitor over the node to collect
    them, which made these walks (four per statement) most of the time of reading a long function."""
    found = []
    for field in dataclasses.fields(node):
        value = getattr(node, field.name)
        if isinstance(value, cst.CSTNode):
            found.append(value)
        elif isinstance(value, (tuple, list)):
            found.extend(v for v in value if isinstance(v, cst.CSTNode))
    return found


def _unconditional_calls(node, matches, kinds=(cst.Call,)) -> list:
    """The calls (or other `kinds` of node) in node that `matches` and Python always evaluates
    (not inside another one)."""
    found = []

    def visit(n, conditional):
        if isinstance(n, kinds) and matches(n):
            if not conditional:
                found.append(n)
            return
        if isinstance(n, (cst.Lambda, cst.GeneratorExp, cst.ListComp, cst.SetComp, cst.DictComp)):
            return
        for child in _children(n):
            later = conditional or (isinstance(n, cst.IfExp) and child is not n.test) \
                or (isinstance(n, cst.BooleanOperation) and child is n.right) \
                or (isinstance(n, cst.Comparison) and n.comparisons and child is not n.left
                    and child is not n.comparisons[0])
            visit(child, later)

    visit(node, False)
    return found


def _rename(stmts: list, mapping: dict) -> list:
    """Statements with the variables in mapping renamed (reads, targets, loop variables)."""
    def expr(e):
        if isinstance(e, ir.Name):
            return ir.Name(mapping.get(e.id, e.id))
        kids = ir.children(e)
        return ir.rebuild(e, [expr(c) for c in kids]) if kids else e

    out = []
    for s in stmts:
        if isinstance(s, ir.Assign):
            s = ir.Assign(s.line, s.column, mapping.get(s.target, s.target), expr(s.value),
                          None if s.index is None else tuple(expr(i) for i in s.index))
        elif isinstance(s, ir.If):
            s = ir.If(s.line, s.column, expr(s.test), _rename(s.body, mapping), _rename(s.orelse, mapping))
        elif isinstance(s, ir.For):
            s = ir.For(s.line, s.column, mapping.get(s.var, s.var), expr(s.start), expr(s.stop), expr(s.step),
                       _rename(s.body, mapping), s.exit_flag)
        out.append(s)
    return out
