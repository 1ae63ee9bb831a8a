"""Expressions of a function body -> IR expressions: names resolved, constants folded, calls of
math, NumPy and builtin functions mapped to primitives, element reads of local arrays and of
module array constants. A construct outside the compiled subset raises Unsupported; a definite
mistake (an undefined name, `math.sinn`) raises SourceError."""

from __future__ import annotations

import builtins

import libcst as cst
import numpy as np

from .. import ir
from ..diagnostics import Diagnostic, SourceError, Unsupported
from ..rules import symbolic
from .array_calls import ArrayCallReader
from .call_binding import bound_arguments
from .facts import FunctionSource, ModuleFacts
from .names import (
    ALLOCATORS,
    ARRAY,
    ARITY,
    BINARY_OPERATORS,
    BUILTIN_FUNCTIONS,
    COMPARISONS,
    LIKE_ALLOCATORS,
    LINALG_FUNCTIONS,
    MATH_FUNCTIONS,
    NUMPY_FUNCTIONS,
    VECTOR_FUNCTIONS,
    ARRAY_METHODS,
    STATIC_DEFAULTS,
    array_view,
    dotted_name,
    dotted_name_or_empty,
    library_attribute,
    qualified_constant,
    qualify,
)


class ExpressionReader(ArrayCallReader):
    """Reads the expressions of one function; FunctionReader (frontend.function) adds statements."""

    def __init__(self, facts: ModuleFacts, function: FunctionSource):
        self.facts = facts
        self.function = function
        self.locals: set = set()
        self.declared_types: dict = {}
        self.used_arrays: set = set()  # module array constants the function reads
        self.read_positions: dict = {}  # local name -> [(line, column)] of its reads in the source

    def _read(self, node) -> None:
        """Note where the local variable `node` is read (an error about the read points there)."""
        self.read_positions.setdefault(node.value, []).append(self.where(node))

    def where(self, node) -> tuple:
        pos = self.facts.positions[node].start
        return pos.line, pos.column + 1

    def unsupported(self, node, construct: str):
        line, column = self.where(node)
        return Unsupported(construct, line, column)

    def error(self, node, message: str):
        line, column = self.where(node)
        return SourceError(Diagnostic(self.facts.filename, line, column, "error", message))

    def expr(self, node) -> ir.Expr:
        if isinstance(node, cst.Integer):
            return ir.Const(int(node.value.replace("_", ""), 0))
        if isinstance(node, cst.Float):
            return ir.Const(float(node.value.replace("_", "")))
        if isinstance(node, cst.Imaginary):
            raise self.unsupported(node, "a complex number")
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            raise self.unsupported(node, "a string")
        if isinstance(node, cst.Name):
            return self._name(node)
        if isinstance(node, cst.Attribute) and node.attr.value in symbolic.ATTRIBUTES:  # x.T
            return ir.Call(symbolic.ATTRIBUTES[node.attr.value], (self.expr(node.value),))
        if isinstance(node, cst.Attribute):
            return self._attribute(node)
        if isinstance(node, cst.BinaryOperation):
            op = BINARY_OPERATORS.get(type(node.operator))
            if op is None:
                raise self.unsupported(node.operator, f"the operator '{node.operator.__class__.__name__}'")
            return ir.BinOp(op, self.expr(node.left), self.expr(node.right))
        if isinstance(node, cst.UnaryOperation):
            operand = self.expr(node.expression)
            if isinstance(node.operator, cst.Minus):
                return ir.Unary("-", operand)
            if isinstance(node.operator, cst.Plus):
                return operand
            if isinstance(node.operator, cst.Not):
                return ir.Unary("not", operand)
            raise self.unsupported(node.operator, "the operator '~'")
        if isinstance(node, cst.BooleanOperation):
            op = "and" if isinstance(node.operator, cst.And) else "or"
            return ir.BoolOp(op, (self.expr(node.left), self.expr(node.right)))
        if isinstance(node, cst.Comparison):
            return self._comparison(node)
        if isinstance(node, cst.IfExp):
            test = self.expr(node.test)
            if isinstance(test, ir.Const) and isinstance(test.value, bool):
                return self.expr(node.body if test.value else node.orelse)
            return ir.IfExp(test, self.expr(node.body), self.expr(node.orelse))
        if isinstance(node, cst.Call):
            return self._call(node)
        if isinstance(node, cst.Subscript):
            return self._subscript(node)
        labels = {cst.Lambda: "lambda",
                  cst.ListComp: "a list comprehension", cst.GeneratorExp: "a generator expression",
                  cst.DictComp: "a dict comprehension", cst.SetComp: "a set comprehension",
                  cst.List: "a list", cst.Tuple: "a tuple", cst.Dict: "a dict", cst.Set: "a set",
                  cst.NamedExpr: "the walrus operator ':='", cst.Await: "await", cst.Yield: "a generator (yield)"}
        for kind, label in labels.items():
            if isinstance(node, kind):
                raise self.unsupported(node, label)
        raise self.unsupported(node, f"the expression '{type(node).__name__}'")

    def _subscript(self, node: cst.Subscript) -> ir.Expr:
        """`A.shape[k]` of a module array constant, `x.shape[k]` of a local array, or an element read."""
        slogdet = self._slogdet_position(node)  # np.linalg.slogdet(a)[1]
        if slogdet is not None:
            return self.slogdet_parts(slogdet[0])[slogdet[1]]
        if any(self._is_new_axis(element) for element in node.slice):
            return self._with_new_axes(node)
        constant_shape = self._constant_shape(node)
        if constant_shape is not None:
            return constant_shape
        if self._is_shape(node.value):  # x.shape[k]
            (element,) = node.slice if len(node.slice) == 1 else (None,)
            if element is None or not isinstance(element.slice, cst.Index) \
                    or not isinstance(element.slice.value, cst.Integer):
                raise self.unsupported(node, "x.shape indexed by something other than a constant")
            self._read(node.value.value)
            return ir.Call("shape", (ir.Name(node.value.value.value), self.expr(element.slice.value)))
        return self._index(node)

    def _is_new_axis(self, element: cst.SubscriptElement) -> bool:
        """`None` or `np.newaxis` between the brackets: a new axis of length one."""
        if not isinstance(element.slice, cst.Index) or element.slice.star is not None:
            return False
        value = element.slice.value
        if isinstance(value, cst.Name):
            return value.value == "None"
        return isinstance(value, cst.Attribute) and qualify(dotted_name_or_empty(value), self.facts) == "numpy.newaxis"

    def _with_new_axes(self, node: cst.Subscript) -> ir.Expr:
        """`x[:, None]`, `pos[np.newaxis, :, :]`, `np.arange(n)[:, None]`: the subscript without its
        new axes, then np.expand_dims at each, counted in the result (integer parts drop their axis)."""
        kept = [element for element in node.slice if not self._is_new_axis(element)]
        axes, position = [], 0
        for element in node.slice:
            if self._is_new_axis(element):
                axes.append(position)
            if self._is_new_axis(element) or isinstance(element.slice, cst.Slice):
                position += 1
        whole = all(isinstance(e.slice, cst.Slice) and (e.slice.lower, e.slice.upper, e.slice.step) == (None,) * 3
                    for e in kept)
        value = self.expr(node.value) if whole else self._subscript(node.with_changes(slice=kept))
        for axis in axes:
            value = ir.Call("expand_dims", (value, ir.Const(axis)))
        return value

    def _name(self, node: cst.Name) -> ir.Expr:
        name = node.value
        if name in ("True", "False"):
            return ir.Const(name == "True")
        if name in self.locals:
            self._read(node)
            return ir.Name(name)
        if name in self.facts.constants:
            return ir.Name(name)
        if name in self.facts.arrays:
            self.used_arrays.add(name)
            return ir.Name(name)
        if name in self.facts.strings:
            raise self.unsupported(node, f"the string constant '{name}' used other than in a comparison")
        if name in self.facts.tuples:
            raise self.unsupported(node, f"the tuple constant '{name}' used as a value")
        if name in self.facts.unevaluated:
            raise self.unsupported(node, f"the module-level name '{name}' (set on line {self.facts.unevaluated[name]} "
                                         "to a value the compiler cannot evaluate)")
        qualified = self.facts.aliases.get(name)
        if qualified is not None:
            constant = qualified_constant(qualified)
            if constant is not None:
                return ir.Const(constant)
            raise self.unsupported(node, f"the name '{name}' used as a value")
        if name in self.facts.functions:
            raise self.unsupported(node, f"the function '{name}' used as a value")
        if name == "None":
            raise self.unsupported(node, "None")
        if hasattr(builtins, name):
            raise self.unsupported(node, f"the builtin '{name}' used as a value")
        if self.facts.star_import:
            raise self.unsupported(node, f"the name '{name}' (perhaps from a star import)")
        raise self.error(node, f"name '{name}' is not defined")

    def _defined_at_module_level(self, name: str) -> bool:
        facts = self.facts
        return (facts.star_import or hasattr(builtins, name) or name in facts.aliases or name in facts.functions
                or any(name in table for table in (facts.constants, facts.strings, facts.tuples, facts.arrays,
                                                   facts.unevaluated)))

    def _check_global(self, node, dotted: str) -> None:
        """`np.sin` with no `import numpy as np` and `math.sinn` fail when Python runs them: errors now."""
        head = dotted.split(".")[0]
        if head in self.locals:
            return
        if not self._defined_at_module_level(head):
            raise self.error(node, f"name '{head}' is not defined")
        missing = library_attribute(qualify(dotted, self.facts))
        if missing is not None:
            raise self.error(node, f"module '{missing[0]}' has no attribute '{missing[1]}'")

    def _attribute(self, node: cst.Attribute) -> ir.Expr:
        slogdet = self._slogdet_position(node)  # np.linalg.slogdet(a).logabsdet
        if slogdet is not None:
            return self.slogdet_parts(slogdet[0])[slogdet[1]]
        try:
            dotted = dotted_name(node)
        except ValueError:
            raise self.unsupported(node, "attribute access") from None
        qualified = qualify(dotted, self.facts)
        head = dotted.split(".")[0]
        if head in self.locals:
            raise self.unsupported(node, f"the attribute '{dotted}'")
        self._check_global(node, dotted)
        constant = qualified_constant(qualified)
        if constant is not None:
            return ir.Const(constant)
        if not qualified:
            raise self.error(node, f"name '{head}' is not defined")
        raise self.unsupported(node, f"'{dotted}' used as a value")

    def _comparison(self, node: cst.Comparison) -> ir.Expr:
        folded = self._string_comparison(node)
        if folded is not None:
            return folded
        left = self.expr(node.left)
        parts = []
        for target in node.comparisons:
            op = COMPARISONS.get(type(target.operator))
            if op is None:
                raise self.unsupported(target.operator, "the comparison 'is'/'in'")
            right = self.expr(target.comparator)
            parts.append(ir.Compare(op, left, right))
            left = right
        return parts[0] if len(parts) == 1 else ir.BoolOp("and", tuple(parts))

    def _constant_string(self, node):
        """The value of a string literal or a module string constant, else None."""
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            value = node.evaluated_value
            return value if isinstance(value, str) else None
        if isinstance(node, cst.Name) and node.value not in self.locals and node.value in self.facts.strings:
            return self.facts.strings[node.value]
        return None

    def _string_comparison(self, node: cst.Comparison):
        """`MODE == "smooth"` with MODE a module string constant: decided now, as Python would."""
        operands = [node.left] + [target.comparator for target in node.comparisons]
        strings = [self._constant_string(o) for o in operands]
        if all(s is None for s in strings):
            return None
        if any(s is None for s in strings):
            raise self.unsupported(node, "a comparison of a string with something other than a string constant")
        result = True
        for (left, right), target in zip(zip(strings, strings[1:]), node.comparisons):
            op = COMPARISONS.get(type(target.operator))
            if op is None:
                raise self.unsupported(target.operator, "the comparison 'is'/'in'")
            result = result and ir._COMPARE[op](left, right)
        return ir.Const(bool(result))

    def _call(self, node: cst.Call) -> ir.Expr:
        constant = self._constant_call(node)
        if constant is not None:
            return constant
        array_call = self._array_call(node)  # np.reshape, np.concatenate, ... (frontend.array_calls)
        if array_call is not None:
            return array_call
        reduction = self._reduction(node)
        if reduction is not None:
            return reduction
        func = node.func
        callee = self.function.nested.get(func.value, func.value) if isinstance(func, cst.Name) else None
        module_function = callee in self.facts.functions \
            and callee not in self.locals  # keywords and defaults bound by call_binding
        if not module_function and any(arg.keyword is not None or arg.star for arg in node.args):
            raise self.unsupported(node, "a call with keyword or star arguments")
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in self.locals:
            if func.attr.value == "copy" and not node.args:
                self._read(func.value)
                return ir.Alloc("copy", (), func.value.value)
            raise self.unsupported(func, f"the method '{func.attr.value}'")
        allocation = self._allocation(node)
        if allocation is not None:
            return allocation
        try:
            dotted = callee or dotted_name(func)  # a nested function: the module function it became
        except ValueError:
            dotted = None
        if dotted is not None:
            self._check_global(func, dotted)  # Python looks the function up before its arguments
        args = tuple(self.expr(arg.value) for arg in node.args)
        if dotted is None:
            raise self.unsupported(func, "a call of a computed function")
        if dotted in self.facts.functions and dotted not in self.locals:
            return ir.UserCall(dotted, bound_arguments(node, list(args), dotted, self.facts, self.unsupported))
        if "." not in dotted and dotted in self.locals:
            raise self.unsupported(func, f"a call of the local variable '{dotted}'")
        qualified = qualify(dotted, self.facts)
        module, _, attr = qualified.rpartition(".")
        primitive = None
        if module == "math":
            primitive = MATH_FUNCTIONS.get(attr)
        elif module == "numpy" and attr == "matmul" and len(args) == 2:
            return ir.BinOp("@", *args)  # np.matmul(a, b) is a @ b
        elif module == "numpy":
            primitive = NUMPY_FUNCTIONS.get(attr)
        elif not qualified and "." not in dotted and hasattr(builtins, dotted):
            primitive = BUILTIN_FUNCTIONS.get(dotted)
        if primitive is None:
            raise self.unsupported(func, f"the function '{dotted}'")
        return self._primitive(func, dotted, primitive, args)

    def _constant_call(self, node: cst.Call):
        """float("inf"), float("nan") and len() of a module array or tuple constant: a number now."""
        if any(arg.keyword is not None or arg.star for arg in node.args) or len(node.args) != 1 \
                or not isinstance(node.func, cst.Name) or node.func.value in self.locals \
                or node.func.value in self.facts.aliases or node.func.value in self.facts.functions:
            return None
        argument = node.args[0].value
        if node.func.value == "float":
            text = self._constant_string(argument)
            if text is None:
                return None
            try:
                return ir.Const(float(text))
            except ValueError:
                raise self.error(argument, f"could not convert string to float: {text!r}") from None
        if node.func.value == "len" and isinstance(argument, cst.Name) and argument.value not in self.locals:
            value = self.facts.tuples.get(argument.value, self.facts.arrays.get(argument.value))
            if value is not None:
                return ir.Const(len(value))
        return None

    def _reduction(self, node: cst.Call):
        """np.sum(a), np.mean(a, axis=k) and friends: whole-array NumPy functions."""
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in ARRAY_METHODS and (
                (isinstance(func.value, cst.Name) and func.value.value in self.locals)
                or isinstance(func.value, (cst.Call, cst.BinaryOperation, cst.UnaryOperation, cst.Subscript))):
            # x.sum(), x.max(axis=0), x.dot(y), abs(x).max(): np.<name>(x, ...)
            name, positional = func.attr.value, [func.value] + positional
        else:
            try:
                qualified = qualify(dotted_name(func), self.facts)
            except ValueError:
                return None
            module, _, name = qualified.rpartition(".")
            if module == "numpy.linalg" and name in LINALG_FUNCTIONS:  # np.linalg.solve(a, b)
                name = LINALG_FUNCTIONS[name]
            elif module != "numpy" or name not in VECTOR_FUNCTIONS or name in LINALG_FUNCTIONS.values():
                return None
        if any(a.star for a in node.args):
            raise self.unsupported(node, f"np.{name} with star arguments")
        if name in STATIC_DEFAULTS and len(positional) < VECTOR_FUNCTIONS[name]:
            try:  # np.arange(n): (0, n, 1); np.eye(n, k=1): (n, None, 1)
                padded = STATIC_DEFAULTS[name](*[self.expr(a) for a in positional],
                                               **{k: self.expr(v) for k, v in keywords.items()})
            except TypeError:
                padded = None
            if padded is None:
                raise self.unsupported(node, f"np.{name} with {_count(len(positional), 'argument')}")
            return ir.Call(name, padded)
        arity = VECTOR_FUNCTIONS[name]
        if symbolic.takes_axis(name):
            keepdims = self._keepdims(node, name, keywords)
            if set(keywords) - {"axis"} or len(positional) not in (1, 2) or (len(positional) == 2 and keywords):
                raise self.unsupported(node, f"np.{name} with arguments other than an array and an axis")
            axis_node = keywords.get("axis", positional[1] if len(positional) == 2 else None)
            axis = ir.Const(None) if axis_node is None else self.expr(axis_node)
            if isinstance(axis, ir.Unary) and axis.op == "-" and isinstance(axis.operand, ir.Const):
                axis = ir.Const(-axis.operand.value)  # axis=-1
            if not (isinstance(axis, ir.Const) and (axis.value is None or isinstance(axis.value, int))):
                raise self.unsupported(node, f"np.{name} with an axis that is not a constant integer")
            return ir.Call(name, (self.expr(positional[0]), axis) + keepdims)
        if keywords or len(positional) != arity:
            raise self.unsupported(node, f"np.{name} with {_count(len(node.args), 'argument')}")
        args = tuple(self.expr(a) for a in positional)
        if name == "where":
            return ir.IfExp(args[0], args[1], args[2])
        return ir.Call(name, args)

    def _keepdims(self, node, name: str, keywords: dict) -> tuple:
        """keepdims=True (a constant) of np.sum/mean/prod/max/min, taken out of keywords: the
        option to pass, () where it is left out or False."""
        if "keepdims" not in keywords or not symbolic.takes_keepdims(name):
            return ()
        value = self.expr(keywords.pop("keepdims"))
        if not (isinstance(value, ir.Const) and isinstance(value.value, bool)):
            raise self.unsupported(node, f"np.{name} with keepdims that is not True or False")
        return (ir.Const(True),) if value.value else ()

    def _allocation(self, node: cst.Call):
        """np.zeros(n), np.ones((n, m)), np.empty(n), np.zeros_like(x), np.copy(x): a new float array."""
        try:
            qualified = qualify(dotted_name(node.func), self.facts)
        except ValueError:
            return None
        module, _, name = qualified.rpartition(".")
        if module != "numpy" or (name not in ALLOCATORS and name not in LIKE_ALLOCATORS):
            return None
        if len(node.args) != 1 or node.args[0].keyword is not None or node.args[0].star:
            raise self.unsupported(node, f"np.{name} with arguments other than a shape (arrays are float64)")
        argument = node.args[0].value
        if name in LIKE_ALLOCATORS:
            if not isinstance(argument, cst.Name) or argument.value not in self.locals:
                raise self.unsupported(node, f"np.{name} of something other than a local array")
            self._read(argument)
            return ir.Alloc(LIKE_ALLOCATORS[name], (), argument.value)
        if isinstance(argument, (cst.Tuple, cst.List)):
            shape = tuple(self.expr(el.value) for el in argument.elements)
        else:
            shape = (self.expr(argument),)
        if not shape:
            raise self.unsupported(node, "an array of no dimensions")
        return ir.Alloc(ALLOCATORS[name], shape)

    def _a_number(self, e: ir.Expr) -> bool:
        """A constant, or a name annotated float, int or bool (Python's min(0.7) raises)."""
        if isinstance(e, ir.Const):
            return True
        return isinstance(e, ir.Name) and self.declared_types.get(e.id, ARRAY) != ARRAY

    def _primitive(self, node, dotted: str, primitive: str, args: tuple) -> ir.Expr:
        if primitive in ("minimum", "maximum") and dotted in ("min", "max"):
            if len(args) == 1 and not self._a_number(args[0]):
                # max(x) of a 1-D array is np.max (the builtin iterates the first axis: of a
                # matrix it compares rows, and returns the one row of a (1, n) matrix)
                return ir.Call(dotted, (ir.Call("one_dimensional", (args[0],)), ir.Const(None)))
            if len(args) < 2:
                raise self.unsupported(node, f"{dotted}() of fewer than two numbers")
            result = args[0]
            for arg in args[1:]:
                result = ir.Call(primitive, (result, arg))
            return result
        if primitive == "log" and len(args) == 2:  # math.log(x, base)
            return ir.BinOp("/", ir.Call("log", (args[0],)), ir.Call("log", (args[1],)))
        if primitive == "power" and len(args) == 2:
            return ir.BinOp("**", args[0], args[1])
        if primitive == "len":
            sliced = len(args) == 1 and isinstance(args[0], ir.Call) and args[0].func == "getitem"
            if len(args) != 1 or not (isinstance(args[0], ir.Name) or sliced):  # len(x), len(x[1::2])
                raise self.unsupported(node, "len() of something other than a local array")
            return ir.Call("shape", (args[0], ir.Const(0)))
        if primitive == "round":
            if len(args) != 1:
                raise self.unsupported(node, "round() with ndigits")
            return ir.Call("round", args)
        expected = ARITY.get(primitive, 1)
        if len(args) != expected:
            raise self.unsupported(node, f"{dotted}() with {_count(len(args), 'argument')}")
        if primitive in ("add", "subtract", "multiply", "true_divide", "remainder"):
            op = {"add": "+", "subtract": "-", "multiply": "*", "true_divide": "/", "remainder": "%"}[primitive]
            return ir.BinOp(op, args[0], args[1])
        if primitive == "negative":
            return ir.Unary("-", args[0])
        if primitive == "positive":
            return args[0]
        return ir.Call(primitive, args)

    def _is_shape(self, node) -> bool:
        return (isinstance(node, cst.Attribute) and node.attr.value == "shape"
                and isinstance(node.value, cst.Name) and node.value.value in self.locals)

    def _constant_shape(self, node: cst.Subscript):
        """`A.shape[k]` of a module array constant: a number now."""
        value = node.value
        if not (isinstance(value, cst.Attribute) and value.attr.value == "shape" and isinstance(value.value, cst.Name)
                and value.value.value not in self.locals and value.value.value in self.facts.arrays):
            return None
        (element,) = node.slice if len(node.slice) == 1 else (None,)
        if element is None or not isinstance(element.slice, cst.Index) \
                or not isinstance(element.slice.value, cst.Integer):
            raise self.unsupported(node, "x.shape indexed by something other than a constant")
        return ir.Const(self.facts.arrays[value.value.value].shape[int(element.slice.value.value)])

    def _shape_of(self, node) -> str:
        return node.value.value

    def _index(self, node: cst.Subscript) -> ir.Index:
        """`x[i, j]` with x a local array and integer indices; slices are refused."""
        if isinstance(node.value, cst.Name) and node.value.value not in self.locals and (
                node.value.value in self.facts.tuples or node.value.value in self.facts.arrays):
            return self._constant_index(node)
        if isinstance(node.value, cst.Name) and node.value.value not in self.locals \
                and node.value.value in self.facts.unevaluated:
            self._name(node.value)  # names the module-level value the compiler cannot evaluate
        if isinstance(node.value, cst.Name) and node.value.value not in self.locals:
            self._name(node.value)  # an undefined name is an error (`y[0] = x` with no y anywhere)
        transposed = self._transposed_element(node)  # A.T[i, j]: A[j, i]
        if transposed is not None:
            return transposed
        if isinstance(node.value, (cst.Call, cst.BinaryOperation, cst.UnaryOperation, cst.Attribute, cst.Subscript)) \
                and any(isinstance(element.slice, cst.Slice) for element in node.slice):
            # np.roll(x, -1)[:-1], (x - 1.0)[1:], x.T[0, :], x[::2][:k]
            return self._slice(node, self.expr(node.value))
        if not isinstance(node.value, cst.Name) or node.value.value not in self.locals:
            raise self.unsupported(node, "indexing something other than a local array")
        self._read(node.value)
        if any(isinstance(element.slice, cst.Slice) for element in node.slice):
            return self._slice(node)
        return self.element_of(node.value.value, node)

    def element_of(self, array: str, node: cst.Subscript) -> ir.Index:
        """`array[i, j]` with the integer indices of node; x[-k] counts from the end, as in Python."""
        indices = []
        for element in node.slice:
            if not isinstance(element.slice, cst.Index) or element.slice.star is not None:
                raise self.unsupported(element, "array slicing")
            index = self.expr(element.slice.value)
            if isinstance(index, ir.Unary) and index.op == "-" and isinstance(index.operand, ir.Const):
                index = ir.Const(-index.operand.value)
            if isinstance(index, ir.Const) and isinstance(index.value, int) and index.value < 0:
                size = ir.Call("shape", (ir.Name(array), ir.Const(len(indices))))
                index = ir.BinOp("-", size, ir.Const(-index.value))
            indices.append(index)
        return ir.Index(array, tuple(indices))

    def _slice(self, node: cst.Subscript, value: ir.Expr | None = None) -> ir.Call:
        """`x[1:]`, `X[:, j]`, `x[::-1]`: a whole sub-array (NumPy's basic slicing: a view that
        clips its bounds as NumPy does); integer parts and bounds count from the end when negative.
        `value`: the sliced expression where it is not a local's name."""
        parts = []
        for element in node.slice:
            if isinstance(element.slice, cst.Slice):
                bounds = (element.slice.lower, element.slice.upper, element.slice.step)
                parts.append(ir.Call("slice", tuple(ir.Const(None) if b is None else self.expr(b) for b in bounds)))
            elif element.slice.star is not None:
                raise self.unsupported(element, "a starred index")
            else:
                parts.append(self.expr(element.slice.value))
        return ir.Call("getitem", (ir.Name(node.value.value) if value is None else value, symbolic.index(parts)))

    def _constant_index(self, node: cst.Subscript):
        """`A[1]` of a module tuple or array is a number now; `A[i]` reads the module's array."""
        name = node.value.value
        value = self.facts.tuples.get(name, self.facts.arrays.get(name))
        if name in self.facts.arrays and self.facts.arrays[name].dtype.kind == "f" \
                and any(isinstance(element.slice, cst.Slice) for element in node.slice):
            self.used_arrays.add(name)  # C[:, i]: a whole sub-array of the module's array, as x[1:] is
            return ir.Call("getitem", (ir.Name(name),) + self._slice(node).args[1:])
        indices = []
        for element in node.slice:
            if not isinstance(element.slice, cst.Index) or element.slice.star is not None:
                raise self.unsupported(element, f"slicing the constant '{name}'")
            index = self.expr(element.slice.value)
            if isinstance(index, ir.Unary) and index.op == "-" and isinstance(index.operand, ir.Const):
                index = ir.Const(-index.operand.value)
            indices.append(index)
        if all(isinstance(i, ir.Const) and type(i.value) is int for i in indices):
            try:
                item = value
                for i in indices:
                    item = item[i.value]
            except IndexError:
                raise self.error(node, f"index out of range for the constant '{name}'") from None
            if isinstance(item, (bool, int, float, np.number, np.bool_)):
                return ir.lift(item)
        if name not in self.facts.arrays or self.facts.arrays[name].dtype.kind != "f":
            raise self.unsupported(node, f"indexing the constant '{name}' (not an array of floats) by a variable")
        self.used_arrays.add(name)
        return ir.Index(array_view(name), tuple(indices))


def _count(number: int, noun: str) -> str:
    """'1 argument', '2 arguments', '0 arguments'."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
