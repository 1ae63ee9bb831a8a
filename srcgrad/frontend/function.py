"""One function's source -> ir.Function: parameters and their annotations, statements (assignments,
if, for over range, while, return), definite assignment of locals (frontend.assignment), and
locals renamed where the generated code needs their names."""

from __future__ import annotations

import libcst as cst

from .. import ir
from ..diagnostics import Diagnostic, SourceError
from ..fresh_names import fresh_name
from .assignment import check_reads
from .constants import fold_constant
from .appended_lists import AppendedListReader
from .lowered_calls import LoweredCallReader
from .sequences import SequenceReader, hoist_sequence_allocations
from .names import (
    ARRAY,
    ARRAY_ANNOTATIONS,
    AUGMENTED_OPERATORS,
    SCALAR_ANNOTATIONS,
    assigned_names,
    dotted_name,
    qualify,
    rename_reserved,
)


class FunctionReader(AppendedListReader, LoweredCallReader, SequenceReader):
    """Turns one libcst FunctionDef into ir.Function, or raises Unsupported / SourceError."""

    def read(self) -> ir.Function:
        node = self.function.node
        if node.asynchronous is not None:
            raise self.unsupported(node, "an async function")
        if node.decorators:
            raise self.unsupported(node.decorators[0], "a decorator")
        params = self._read_params(node.params)
        self.locals = {name for name, _ in params} | assigned_names(node.body)
        self.start_sequences()
        body = self._block(node.body)
        self.check_tuple_writes(body)
        line, column = self.where(node)
        function = ir.Function(self.function.name, params, body, line, column,
                               source_lines=self.facts.lines,
                               called_in_loops=self.function.name in self.facts.called_in_loops())
        function.var_types = dict(self.declared_types)
        unassigned, _ = check_reads(function, self.locals, self._fresh)
        if unassigned is not None:
            statement, name = unassigned
            line, column = self._read_position(statement, name)
            raise SourceError(Diagnostic(self.facts.filename, line, column, "error",
                                         f"local variable '{name}' is read before any assignment to it"))
        function.body = hoist_sequence_allocations(function.body, self.sequence_allocations)
        self.facts.arrays_read |= self.used_arrays
        function.array_constants = {name: self.facts.arrays[name].ndim for name in sorted(self.used_arrays)}
        return rename_reserved(function, self.locals)

    def _read_position(self, statement, name: str) -> tuple:
        after = [p for p in self.read_positions.get(name, []) if p >= (statement.line, statement.column)]
        return min(after) if after else (statement.line, statement.column)

    def _read_params(self, params: cst.Parameters) -> list:
        star = params.star_arg if isinstance(params.star_arg, cst.Param) else None
        if star is not None or params.star_kwarg is not None:
            which = star if star is not None else params.star_kwarg
            shown = f"*{which.name.value}" if which is star else f"**{which.name.value}"
            raise self.unsupported(which, f"the parameter '{shown}' (*args or **kwargs)")
        result = []
        # keyword-only parameters come last: the compiled functions take every parameter in order
        for param in list(params.posonly_params) + list(params.params) + list(params.kwonly_params):
            name = param.name.value
            if param.default is not None:
                self._default_value(name, param.default)
            kind = None
            if param.annotation is not None:
                kind = self._annotation_type(param.annotation.annotation, f"the parameter '{name}'")
                self.declared_types[name] = kind
            result.append((name, kind))
        return result

    def _default_value(self, name: str, node):
        try:
            value = fold_constant(node, self.facts)
        except (ValueError, ArithmeticError, TypeError, IndexError, KeyError):
            value = None
        if isinstance(value, (bool, int, float)):
            return value
        raise self.unsupported(node, f"the default value of parameter '{name}' (not a number)")

    def _annotation_type(self, node, what: str) -> str:
        """The type an annotation gives; `what` names the annotated thing ("the parameter 'x'")."""
        try:
            text = dotted_name(node)
        except ValueError:
            raise self.unsupported(node, f"the annotation of {what}") from None
        if text in SCALAR_ANNOTATIONS:
            return SCALAR_ANNOTATIONS[text]
        if text in ARRAY_ANNOTATIONS or qualify(text, self.facts) == "numpy.ndarray":
            return ARRAY
        raise self.unsupported(node, f"{what} annotated '{text}' (not float, int, bool or np.ndarray)")

    def _block(self, block) -> list:
        if isinstance(block, list):  # statements read already (a comprehension's body)
            return block
        statements = block.body if isinstance(block, cst.IndentedBlock) else [block]
        if isinstance(block, cst.SimpleStatementSuite):
            statements = [block]
        out = []
        self.plan_appended_lists(statements)
        for index, statement in enumerate(statements):
            appended = self.appended_statement(statement)  # L = [] and the loop appending to L
            out.extend(self._statement(statement, first=index == 0) if appended is None else appended)
        return out

    def _statement(self, node, first=False) -> list:
        if isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            out = []
            for small in node.body:
                out.extend(self.hoist_sums(small))
                out.extend(self._small_statement(small, node, docstring_ok=first))
            return out
        if isinstance(node, cst.If):
            return self._if_statements(node)
        if isinstance(node, cst.For):
            return self._for(node)
        if isinstance(node, cst.While):
            if node.orelse is not None:
                raise self.unsupported(node.orelse, "while ... else")
            line, column = self.where(node)
            return [ir.While(line, column, self._condition(node.test), self._block(node.body))]
        if isinstance(node, cst.FunctionDef) and node.name.value in self.function.nested \
                and self.facts.functions[self.function.nested[node.name.value]].node is node:
            return []  # a module function now, under its own name (frontend.nested)
        names = {cst.FunctionDef: "a nested function", cst.ClassDef: "a class definition", cst.Try: "try",
                 cst.With: "with", cst.Match: "match"} if hasattr(cst, "Match") else {}
        for kind, label in names.items():
            if isinstance(node, kind):
                raise self.unsupported(node, label)
        raise self.unsupported(node, f"the statement '{type(node).__name__}'")

    def _small_statement(self, node, line_node, docstring_ok) -> list:
        line, column = self.where(node)
        if isinstance(node, cst.Pass):
            return []
        if isinstance(node, cst.Expr):
            if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString)) and docstring_ok:
                return []
            if isinstance(node.value, cst.Call) and isinstance(node.value.func, cst.Name) \
                    and node.value.func.value == "print" and "print" not in self.facts.functions:
                raise self.unsupported(node, "a print call")
            if isinstance(node.value, cst.Yield):
                raise self.unsupported(node.value, "a generator (yield)")
            appended = self.appended_element(node.value, line, column)  # L.append(v) of a planned list
            if appended is not None:
                return appended
            raise self.unsupported(node, "an expression statement (its result is unused)")
        if isinstance(node, cst.Return):
            if node.value is None:
                raise self.unsupported(node, "return without a value")
            return [ir.Return(line, column, self.expr(node.value))]
        if isinstance(node, cst.Break):
            return [ir.Break(line, column)]
        if isinstance(node, cst.Continue):
            return [ir.Continue(line, column)]
        if isinstance(node, cst.AugAssign):
            op = AUGMENTED_OPERATORS.get(type(node.operator))
            if op is None:
                raise self.unsupported(node.operator, "this augmented assignment operator")
            if isinstance(node.target, cst.Subscript):
                element = self._element_target(node.target)
                value = ir.BinOp(op, element, self.expr(node.value))
                return [ir.Assign(line, column, element.array, value, element.indices)]
            target = self._target_name(node.target)
            self._read(node.target)
            value = ir.BinOp(op, ir.Name(target), self.expr(node.value))
            return [ir.Assign(line, column, target, value)]
        if isinstance(node, cst.AnnAssign):
            target = self._target_name(node.target)
            kind = self._annotation_type(node.annotation.annotation, f"the variable '{target}'")
            self.declared_types[target] = kind
            if node.value is None:
                return []
            return [ir.Assign(line, column, target, self.expr(node.value))]
        if isinstance(node, cst.Assign):
            value_node = node.value
            out = []
            for assign_target in node.targets:
                out.extend(self._assign(assign_target.target, value_node, line, column))
            return out
        labels = {cst.Global: "global", cst.Nonlocal: "nonlocal", cst.Import: "import inside a function",
                  cst.ImportFrom: "import inside a function", cst.Raise: "raise", cst.Assert: "assert",
                  cst.Del: "del"}
        for kind, label in labels.items():
            if isinstance(node, kind):
                raise self.unsupported(node, label)
        raise self.unsupported(node, f"the statement '{type(node).__name__}'")

    def _assign(self, target, value_node, line, column) -> list:
        if isinstance(target, cst.Subscript):
            element = self._element_target(target)
            return [ir.Assign(line, column, element.array, self.expr(value_node), element.indices)]
        starred = [el for el in getattr(target, "elements", []) if isinstance(el, cst.StarredElement)]
        if starred:
            raise self.unsupported(starred[0], "a starred assignment target")
        if isinstance(target, (cst.Tuple, cst.List)) and self._is_shape(value_node):
            array = self._shape_of(value_node)
            self._read(value_node.value)
            names = [self._target_name(el.value) for el in target.elements]
            return [ir.Assign(line, column, name, ir.Call("shape", (ir.Name(array), ir.Const(k))))
                    for k, name in enumerate(names)]
        if isinstance(target, (cst.Tuple, cst.List)) and isinstance(value_node, cst.Name) \
                and (value_node.value in self.locals or value_node.value in self.facts.tuples):
            return self._unpack_array(target, value_node, line, column)
        if isinstance(target, (cst.Tuple, cst.List)):
            names = [self._target_name(el.value) for el in target.elements]
            determinant = self.slogdet_operand(value_node)
            if determinant is not None and len(names) == 2:  # sign, logdet = np.linalg.slogdet(a)
                values = list(self.slogdet_parts(determinant))
            elif not isinstance(value_node, (cst.Tuple, cst.List)) or len(value_node.elements) != len(names):
                raise self.unsupported(value_node, "tuple unpacking of a value that is not a tuple of the same length")
            else:
                values = [self.expr(el.value) for el in value_node.elements]
            # every right-hand side is read before any target is written, as Python does
            temps, out = [], []
            for name, value in zip(names, values):
                if isinstance(value, ir.Const) or (isinstance(value, ir.Name) and value.id not in names):
                    temps.append(value)
                    continue
                temp = self._fresh(f"{name}_new")
                out.append(ir.Assign(line, column, temp, value))
                temps.append(ir.Name(temp))
            out.extend(ir.Assign(line, column, name, value) for name, value in zip(names, temps))
            return out
        if isinstance(value_node, (cst.List, cst.Tuple)):
            return self._sequence(self._target_name(target), value_node, line, column)
        literal = self._array_literal(value_node)  # np.array([[a, b], [c, d]])
        if literal is not None:
            return self._sequence(self._target_name(target), literal, line, column, matrix=True)
        repeated = self._repeated_list(value_node)
        if repeated is not None:
            return [ir.Assign(line, column, self._target_name(target), repeated)]
        return [ir.Assign(line, column, self._target_name(target), self.expr(value_node))]

    def _element_target(self, node) -> ir.Index:
        element = self._index(node)
        if isinstance(element, ir.Call) and element.func == "getitem" and isinstance(element.args[0], ir.Name) \
                and element.args[0].id in self.locals:
            # a slice: an assignment whose one index is the subscript (transform.scalarize writes it)
            return ir.Index(element.args[0].id, (element.args[1],))
        if not isinstance(element, ir.Index):
            raise self.unsupported(node, "assigning to a slice")
        return element

    def _fresh(self, base: str) -> str:
        return fresh_name(base, self.locals)

    def _target_name(self, node) -> str:
        if isinstance(node, cst.Name):
            return node.value
        if isinstance(node, cst.Attribute):
            raise self.unsupported(node, "assignment to an attribute")
        raise self.unsupported(node, "this assignment target")

    def _if_statements(self, node: cst.If) -> list:
        """An `if` on a condition decided now (`if MODE == "smooth":`) keeps only the branch taken."""
        test = self._condition(node.test)
        if isinstance(test, ir.Const) and isinstance(test.value, bool):
            if test.value:
                return self._block(node.body)
            if isinstance(node.orelse, cst.If):
                return self._if_statements(node.orelse)
            return self._block(node.orelse.body) if isinstance(node.orelse, cst.Else) else []
        return [self._if(node)]

    def _if(self, node: cst.If) -> ir.If:
        line, column = self.where(node)
        orelse = []
        if isinstance(node.orelse, cst.If):
            orelse = self._if_statements(node.orelse)
        elif isinstance(node.orelse, cst.Else):
            orelse = self._block(node.orelse.body)
        return ir.If(line, column, self._condition(node.test), self._block(node.body), orelse)

    def _for(self, node: cst.For) -> list:
        line, column = self.where(node)
        if node.orelse is not None:
            raise self.unsupported(node.orelse, "for ... else")
        if node.asynchronous is not None:
            raise self.unsupported(node, "async for")
        call = node.iter
        backwards = self._builtin_call(call, "reversed") and len(call.args) == 1 and call.args[0].keyword is None \
            and not call.args[0].star and self._builtin_call(call.args[0].value, "range")
        if backwards:  # for i in reversed(range(...)): the same range, counted down
            call = call.args[0].value
        if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Name) and call.func.value == "range"
                and "range" not in self.locals and "range" not in self.facts.aliases):
            return self._for_each(node)
        if not isinstance(node.target, cst.Name):
            raise self.unsupported(node.target, "a for loop target that is not a single name")
        if any(arg.keyword is not None or arg.star for arg in call.args) or not 1 <= len(call.args) <= 3:
            raise self.unsupported(call, "this call of range")
        args = [self.expr(arg.value) for arg in call.args]
        start, step = ir.Const(0), ir.Const(1)
        if len(args) == 1:
            stop = args[0]
        else:
            start, stop = args[0], args[1]
            if len(args) == 3:
                step = args[2]
        if isinstance(step, ir.Const) and step.value == 0:
            raise self.error(call.args[2], "range() step must not be zero")
        if backwards:
            start, stop, step = _reversed_range(start, stop, step, lambda: self.unsupported(
                node.iter, "reversed(range(...)) with a step that is not a positive integer constant"))
        body = self._block(node.body)
        var = node.target.value
        if any((isinstance(inner, ir.Assign) and inner.target == var) or (isinstance(inner, ir.For) and inner.var == var)
               for inner in ir.walk(body)):
            # the body changes the loop variable: count with a variable of our own, and make the
            # user's an ordinary variable that each iteration starts from
            counter = self._fresh(f"{var}_loop")
            body.insert(0, ir.Assign(line, column, var, ir.Name(counter)))
            return [ir.For(line, column, counter, start, stop, step, body)]
        return [ir.For(line, column, var, start, stop, step, body)]

    def _condition(self, node) -> ir.Expr:
        return self.expr(node)


def _reversed_range(start: ir.Expr, stop: ir.Expr, step: ir.Expr, refused) -> tuple:
    """(start, stop, step) of the range reversed(range(start, stop, step)) iterates: from its last
    element, start + (stop - start - 1) // step * step, down past start (empty where the range is)."""
    if not (isinstance(step, ir.Const) and type(step.value) is int and step.value > 0):
        raise refused()
    span = ir.binop("-", ir.binop("-", stop, start), ir.Const(1))
    last = ir.binop("-", stop, ir.Const(1)) if step.value == 1 else \
        ir.binop("+", start, ir.binop("*", ir.binop("//", span, step), step))
    return last, ir.binop("-", start, ir.Const(1)), ir.Const(-step.value)
