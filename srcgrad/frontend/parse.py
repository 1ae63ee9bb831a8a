"""Front end: source text -> module facts and per-function IR, statically (nothing is imported).

Parsing is libcst's; syntax errors take their position from Python's own parser, which reports
lines correctly where libcst's tokenizer does not. Names are resolved against the module's own
imports (`import math`, `import numpy as np`, `from math import sin`), its constants and its
top-level functions. A construct outside the compiled subset raises Unsupported (the function
then falls back to the eager tape); a definite mistake in the source raises SourceError.
"""

from __future__ import annotations

import builtins
import math
from dataclasses import dataclass, field

import libcst as cst
import numpy as np
from libcst.metadata import MetadataWrapper, PositionProvider

from .. import ir
from ..diagnostics import Diagnostic, SourceError, Unsupported
from ..rules import symbolic
from .assignment import check_reads

# qualified name -> primitive (an elementwise rule name, or a conversion handled by the compiler)
MATH_FUNCTIONS = {
    "sin": "sin", "cos": "cos", "tan": "tan", "asin": "arcsin", "acos": "arccos", "atan": "arctan",
    "atan2": "arctan2", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "asinh": "arcsinh",
    "acosh": "arccosh", "atanh": "arctanh", "exp": "exp", "exp2": "exp2", "expm1": "expm1",
    "log": "log", "log2": "log2", "log10": "log10", "log1p": "log1p", "sqrt": "sqrt", "cbrt": "cbrt",
    "pow": "power", "hypot": "hypot", "fabs": "fabs", "floor": "ifloor", "ceil": "iceil",
    "trunc": "itrunc", "copysign": "copysign", "fmod": "fmod", "degrees": "rad2deg", "radians": "deg2rad",
}
NUMPY_FUNCTIONS = {
    name: name for name in (
        "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh", "tanh", "arcsinh",
        "arccosh", "arctanh", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "cbrt",
        "square", "absolute", "fabs", "maximum", "minimum", "fmax", "fmin", "sign", "floor", "ceil", "trunc",
        "rint", "hypot", "power", "reciprocal", "deg2rad", "rad2deg", "logaddexp", "copysign", "fmod",
        "remainder", "negative", "positive", "add", "subtract", "multiply", "true_divide",
    )
}
NUMPY_FUNCTIONS.update({"abs": "absolute", "divide": "true_divide", "degrees": "rad2deg", "radians": "deg2rad",
                        "float64": "float", "mod": "remainder"})
BUILTIN_FUNCTIONS = {"abs": "absolute", "min": "minimum", "max": "maximum", "pow": "power",
                     "float": "float", "int": "int", "bool": "bool", "round": "round", "len": "len"}
MATH_CONSTANTS = {"pi": math.pi, "e": math.e, "tau": math.tau, "inf": math.inf, "nan": math.nan}
NUMPY_CONSTANTS = {"pi": math.pi, "e": math.e, "inf": math.inf, "nan": math.nan}
SCALAR_ANNOTATIONS = {"float": ir.DOUBLE, "int": ir.INT, "bool": ir.BOOL}
ARRAY_ANNOTATIONS = {"numpy.ndarray", "np.ndarray", "ndarray"}
NUMERIC_MODULES = {"math", "numpy"}
ARRAY = "array"  # a float array whose number of dimensions type inference settles
ALLOCATORS = {"zeros": "zeros", "ones": "ones", "empty": "empty"}
# np.<name> of whole arrays: the array rule table's primitives (name -> operands), and np.where (a select)
VECTOR_FUNCTIONS = {**symbolic.numpy_functions(), "where": 3}
LIKE_ALLOCATORS = {"zeros_like": "zeros", "ones_like": "ones", "empty_like": "empty", "copy": "copy"}


@dataclass
class FunctionSource:
    name: str
    node: cst.FunctionDef
    line: int
    column: int
    text: str  # the function's source text, verbatim


@dataclass
class ModuleFacts:
    filename: str
    source: str
    lines: list
    aliases: dict = field(default_factory=dict)  # local name -> qualified name ("np" -> "numpy")
    constants: dict = field(default_factory=dict)  # NAME -> number
    constant_order: list = field(default_factory=list)
    strings: dict = field(default_factory=dict)  # NAME -> str (comparisons with them fold)
    tuples: dict = field(default_factory=dict)  # NAME -> tuple of numbers (constant indices fold)
    arrays: dict = field(default_factory=dict)  # NAME -> float64 ndarray, also numeric tuples indexed by variables
    unevaluated: dict = field(default_factory=dict)  # NAME -> line of a top-level name the compiler cannot evaluate
    top_level: list = field(default_factory=list)  # [(kind, text)]: imports, assignments, functions in source order
    arrays_read: set = field(default_factory=set)  # array constants that compiled functions read
    functions: dict = field(default_factory=dict)  # NAME -> FunctionSource, in source order
    import_lines: list = field(default_factory=list)  # verbatim import statements
    star_import: bool = False  # `from M import *`: any name may be defined
    positions: object = None

    def constant_names(self) -> set:
        """Every module-level name bound to a value (the generated code must not reuse them)."""
        return set(self.constants) | set(self.strings) | set(self.tuples) | set(self.arrays) | set(self.unevaluated)

    def array_constants(self) -> dict:
        """Names the compiled code reads array constants by: `A` (the NumPy array, for whole-array
        code) and `_A_view` (for element reads; a typed memoryview in Cython) -> the array."""
        out = {}
        for name, value in self.arrays.items():
            out[name] = value
            out[array_view(name)] = value
        return out

    def array_constant_lines(self, pure: bool) -> list:
        """The module-level definitions of the array constants compiled functions read, in source order."""
        lines = []
        for name, value in self.arrays.items():
            if name not in self.arrays_read:
                continue
            lines.append(f"{name} = np.array({value.tolist()!r})")
            if pure:
                lines.append(f"{array_view(name)} = {name}")
            else:
                dims = ", ".join([":"] * (value.ndim - 1) + ["::1"])
                lines.append(f"cdef double[{dims}] {array_view(name)} = {name}")
        return lines


def array_view(name: str) -> str:
    """What compiled code indexes a module array constant by (C needs a typed view to read it without the GIL)."""
    return f"_{name}_view"


def check_syntax(source: str, filename: str) -> None:
    """Python's own verdict, with its position: compile(), not just the parser, so that what only
    the compiler refuses (`return` outside a function, `break` outside a loop, `nonlocal` at
    module level) is a syntax error too. Nothing is run."""
    try:
        compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError as err:
        line = err.lineno or 1
        column = err.offset or 1
        raise SourceError(Diagnostic(filename, line, column, "error", f"syntax error: {err.msg}")) from None


def read_module(source: str, filename: str) -> ModuleFacts:
    check_syntax(source, filename)
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as err:  # Python accepted it; libcst did not (newer syntax)
        raise SourceError(Diagnostic(filename, err.raw_line, err.raw_column + 1, "error",
                                     f"syntax error: {err.message}")) from None
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    # only the line breaks Python counts: str.splitlines() also splits at \x0c, \x1c-\x1e, \x85 and
    # \u2028, which may sit in strings and comments, and would shift every quoted line after them
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    facts = ModuleFacts(filename, source, lines, positions=positions)

    for statement in module.body:
        line = positions[statement].start.line
        if isinstance(statement, cst.FunctionDef):
            pos = positions[statement].start
            name = statement.name.value
            if name in facts.functions:
                raise SourceError(Diagnostic(filename, pos.line, pos.column + 1, "error",
                                             f"function '{name}' is defined twice"))
            facts.functions[name] = FunctionSource(name, statement, pos.line, pos.column + 1,
                                                   module.code_for_node(statement))
            facts.top_level.append(("function", facts.functions[name].text.strip("\n")))
            _forget_constant(name, facts)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)):
                    _check_import(small, facts, positions)
                    _record_import(small, facts)
                    facts.import_lines.append(module.code_for_node(small))
                    facts.top_level.append(("import", module.code_for_node(small)))
                elif isinstance(small, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
                    _record_constant(small, facts, line)
                    facts.top_level.append(("assign", module.code_for_node(small)))
        else:  # if/for/with/try/class at the top level: what they bind is not a constant
            for name in _bound_names(statement):
                _forget_constant(name, facts)
                facts.unevaluated[name] = line
    return facts


def _bound_names(statement) -> set:
    names = set()

    class Binder(cst.CSTVisitor):
        def visit_AssignTarget(self, node):
            _collect_target(node.target, names)

        def visit_AugAssign(self, node):
            _collect_target(node.target, names)

        def visit_AnnAssign(self, node):
            _collect_target(node.target, names)

        def visit_For(self, node):
            _collect_target(node.target, names)

        def visit_ClassDef(self, node):
            names.add(node.name.value)
            return False

        def visit_FunctionDef(self, node):
            names.add(node.name.value)
            return False

        def visit_ImportAlias(self, node):
            names.add(node.asname.name.value if node.asname is not None else _dotted(node.name).split(".")[0])

    statement.visit(Binder())
    return names


def _forget_constant(name: str, facts: ModuleFacts) -> None:
    for table in (facts.constants, facts.strings, facts.tuples, facts.arrays, facts.unevaluated):
        table.pop(name, None)
    if name in facts.constant_order:
        facts.constant_order.remove(name)


def _dotted(node) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return _dotted(node.value) + "." + node.attr.value
    raise ValueError(node)


def library_attribute(qualified: str):
    """For a name in math or NumPy ("math.sin", "numpy.linalg.norm"): (module, attribute) of the
    first attribute the library does not have, else None. This is static knowledge of the
    libraries, not of the user's code: math and numpy are imported by srcgrad itself."""
    parts = qualified.split(".")
    if parts[0] not in NUMERIC_MODULES or len(parts) < 2:
        return None
    value = {"math": math, "numpy": np}[parts[0]]
    for k, attribute in enumerate(parts[1:], start=1):
        if not hasattr(value, attribute):
            return ".".join(parts[:k]), attribute
        value = getattr(value, attribute)
    return None


def _check_import(node, facts: ModuleFacts, positions) -> None:
    """`from math import sinn` fails when Python runs the file: an error now."""
    if not isinstance(node, cst.ImportFrom) or node.module is None or node.relative \
            or isinstance(node.names, cst.ImportStar):
        return
    base = _dotted(node.module)
    for alias in node.names:
        missing = library_attribute(base + "." + _dotted(alias.name))
        if missing is not None:
            pos = positions[alias].start
            raise SourceError(Diagnostic(facts.filename, pos.line, pos.column + 1, "error",
                                         f"cannot import name '{missing[1]}' from '{missing[0]}'"))


def _record_import(node, facts: ModuleFacts) -> None:
    if isinstance(node, cst.Import):
        for alias in node.names:
            qualified = _dotted(alias.name)
            if alias.asname is not None:
                facts.aliases[alias.asname.name.value] = qualified
            else:
                top = qualified.split(".")[0]
                facts.aliases[top] = top
        return
    if isinstance(node.names, cst.ImportStar):
        facts.star_import = True
    if node.module is None or node.relative or isinstance(node.names, cst.ImportStar):
        return
    base = _dotted(node.module)
    for alias in node.names:
        imported = _dotted(alias.name)
        local = alias.asname.name.value if alias.asname is not None else imported
        facts.aliases[local] = base + "." + imported


def _record_constant(node, facts: ModuleFacts, line: int) -> None:
    """A top-level `NAME = <constant expression>` becomes a module constant: a number, a string,
    a tuple of numbers or a NumPy array. A name bound to anything else is remembered as one the
    compiler cannot evaluate: the functions that read it fall back to the eager tape."""
    if isinstance(node, cst.Assign):
        targets = [t.target for t in node.targets]
        value = node.value
    elif isinstance(node, cst.AugAssign):
        targets, value = [node.target], node
    else:
        if node.value is None:
            return
        targets, value = [node.target], node.value
    names = set()
    for target in targets:
        _collect_target(target, names)
    single = len(targets) == 1 and isinstance(targets[0], cst.Name)
    try:
        if not single:
            raise ValueError("not a single name")
        if isinstance(value, cst.AugAssign):
            op = _AUGMENTED_OPERATORS.get(type(value.operator))
            constant = _python_binary(op, _fold_constant(value.target, facts), _fold_constant(value.value, facts))
        else:
            constant = _fold_constant(value, facts)
    except (ValueError, ArithmeticError, TypeError, IndexError, KeyError):
        for name in names:
            _forget_constant(name, facts)
            facts.unevaluated[name] = line
        return
    name = targets[0].value
    _forget_constant(name, facts)
    if isinstance(constant, str):
        facts.strings[name] = constant
    elif isinstance(constant, tuple):
        facts.tuples[name] = constant
        array = _numeric_array(constant)
        if array is not None:
            facts.arrays[name] = array
    elif isinstance(constant, np.ndarray):
        facts.arrays[name] = constant
    else:
        facts.constant_order.append(name)
        facts.constants[name] = constant


def _numeric_array(value):
    """A float64 array of a tuple of numbers (or of equal-length tuples of numbers), else None."""
    try:
        array = np.array(value, dtype=float)
    except (ValueError, TypeError):
        return None
    return array if 1 <= array.ndim <= 2 else None


# NumPy constructors a module constant may be built with (all arguments constant)
_ARRAY_CONSTRUCTORS = {"array": np.array, "asarray": np.asarray, "zeros": np.zeros, "ones": np.ones,
                       "full": np.full, "eye": np.eye, "identity": np.identity, "linspace": np.linspace,
                       "arange": np.arange}
_DTYPES = {"float": float, "int": int, "bool": bool, "numpy.float64": np.float64, "numpy.int64": np.int64}


def _fold_constant(node, facts: ModuleFacts):
    """Evaluate a constant expression made of numbers, strings, tuples, lists of numbers, module
    constants, math constants and NumPy array constructors. Nothing of the user's runs."""
    if isinstance(node, cst.Integer):
        return int(node.value.replace("_", ""), 0)
    if isinstance(node, cst.Float):
        return float(node.value.replace("_", ""))
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        if not isinstance(value, str):
            raise ValueError("bytes")
        return value
    if isinstance(node, (cst.Tuple, cst.List)):
        if any(isinstance(el, cst.StarredElement) for el in node.elements):
            raise ValueError("starred")
        return tuple(_fold_constant(el.value, facts) for el in node.elements)
    if isinstance(node, cst.Name):
        if node.value in ("True", "False"):
            return node.value == "True"
        for table in (facts.constants, facts.strings, facts.tuples, facts.arrays):
            if node.value in table:
                return table[node.value]
        qualified = facts.aliases.get(node.value, "")
        constant = _qualified_constant(qualified)
        if constant is not None:
            return constant
        raise ValueError(node.value)
    if isinstance(node, cst.Attribute):
        constant = _qualified_constant(_qualify(_dotted_or_empty(node), facts))
        if constant is not None:
            return constant
        raise ValueError("attribute")
    if isinstance(node, cst.UnaryOperation):
        value = _fold_constant(node.expression, facts)
        if isinstance(node.operator, cst.Minus):
            return -value
        if isinstance(node.operator, cst.Plus):
            return +value
        raise ValueError("unary")
    if isinstance(node, cst.BinaryOperation):
        left, right = _fold_constant(node.left, facts), _fold_constant(node.right, facts)
        op = _BINARY_OPERATORS.get(type(node.operator))
        return _python_binary(op, left, right)
    if isinstance(node, cst.Call):
        return _fold_call(node, facts)
    raise ValueError("not constant")


def _python_binary(op, left, right):
    if op is None:
        raise ValueError("operator")
    if isinstance(left, (str, tuple)) or isinstance(right, (str, tuple)):
        if op not in ("+", "*"):
            raise ValueError("operator on a string or tuple")
    if op == "@":
        return np.asarray(left) @ np.asarray(right)
    return _PYTHON_BINARY[op](left, right)


def _fold_call(node: cst.Call, facts: ModuleFacts):
    """float("inf"), float(N), int(N) and NumPy array constructors with constant arguments."""
    dotted = _dotted_or_empty(node.func)
    qualified = _qualify(dotted, facts)
    if any(arg.star for arg in node.args):
        raise ValueError("star arguments")
    positional = [_fold_constant(a.value, facts) for a in node.args if a.keyword is None]
    keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
    if not qualified and dotted in ("float", "int") and not keywords and len(positional) == 1:
        value = positional[0]
        if isinstance(value, (bool, int, float)) or (dotted == "float" and isinstance(value, str)):
            return {"float": float, "int": int}[dotted](value)
        raise ValueError("conversion")
    module, _, name = qualified.rpartition(".")
    if module != "numpy" or name not in _ARRAY_CONSTRUCTORS:
        raise ValueError("a call")
    options = {}
    for keyword, value in keywords.items():
        if keyword == "dtype":
            try:
                options["dtype"] = _DTYPES[_qualify(_dotted(value), facts) or _dotted(value)]
            except (ValueError, KeyError):
                raise ValueError("dtype") from None
        elif keyword in ("endpoint", "num", "step", "stop", "start", "fill_value", "k"):
            options[keyword] = _fold_constant(value, facts)
        else:
            raise ValueError("keyword")
    array = np.asarray(_ARRAY_CONSTRUCTORS[name](*positional, **options))
    if array.dtype == object or array.dtype.kind not in "biuf":
        raise ValueError("not a numeric array")
    return array


def parameter_defaults(function: FunctionSource, facts: ModuleFacts) -> list:
    """[(default value or NO_DEFAULT, keyword_only)] for each parameter, in the order the compiled
    functions take them (keyword-only ones last). Only for functions the compiler read."""
    params = function.node.params
    out = []
    for keyword_only, group in ((False, list(params.posonly_params) + list(params.params)),
                                (True, list(params.kwonly_params))):
        for param in group:
            value = NO_DEFAULT if param.default is None else _fold_constant(param.default, facts)
            out.append((value, keyword_only))
    return out


NO_DEFAULT = object()


def _dotted_or_empty(node) -> str:
    try:
        return _dotted(node)
    except ValueError:
        return ""


def _qualify(dotted: str, facts: ModuleFacts) -> str:
    head, _, rest = dotted.partition(".")
    if head in facts.aliases:
        return facts.aliases[head] + ("." + rest if rest else "")
    return ""


def _qualified_constant(qualified: str):
    module, _, name = qualified.rpartition(".")
    if module == "math":
        return MATH_CONSTANTS.get(name)
    if module == "numpy":
        return NUMPY_CONSTANTS.get(name)
    return None


_BINARY_OPERATORS = {
    cst.Add: "+", cst.Subtract: "-", cst.Multiply: "*", cst.Divide: "/", cst.FloorDivide: "//",
    cst.Modulo: "%", cst.Power: "**", cst.MatrixMultiply: "@",
}
_PYTHON_BINARY = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
    "//": lambda a, b: a // b, "%": lambda a, b: a % b, "**": lambda a, b: a ** b,
}
_AUGMENTED_OPERATORS = {
    cst.AddAssign: "+", cst.SubtractAssign: "-", cst.MultiplyAssign: "*", cst.DivideAssign: "/",
    cst.FloorDivideAssign: "//", cst.ModuloAssign: "%", cst.PowerAssign: "**",
}
_COMPARISONS = {
    cst.LessThan: "<", cst.LessThanEqual: "<=", cst.GreaterThan: ">", cst.GreaterThanEqual: ">=",
    cst.Equal: "==", cst.NotEqual: "!=",
}


class FunctionReader:
    """Turns one libcst FunctionDef into ir.Function, or raises Unsupported / SourceError."""

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

    def _read_position(self, statement, name: str) -> tuple:
        after = [p for p in self.read_positions.get(name, []) if p >= (statement.line, statement.column)]
        return min(after) if after else (statement.line, statement.column)

    # positions ---------------------------------------------------------------------------
    def where(self, node) -> tuple:
        pos = self.facts.positions[node].start
        return pos.line, pos.column + 1

    def unsupported(self, node, construct: str):
        line, column = self.where(node)
        return Unsupported(construct, line, column)

    def error(self, node, message: str):
        line, column = self.where(node)
        return SourceError(Diagnostic(self.facts.filename, line, column, "error", message))

    # function ----------------------------------------------------------------------------
    def read(self) -> ir.Function:
        node = self.function.node
        if node.asynchronous is not None:
            raise self.unsupported(node, "an async function")
        if node.decorators:
            raise self.unsupported(node.decorators[0], "a decorator")
        params = self._read_params(node.params)
        self.locals = {name for name, _ in params} | _assigned_names(node.body)
        body = self._block(node.body)
        line, column = self.where(node)
        function = ir.Function(self.function.name, params, body, line, column,
                               source_lines=self.facts.lines)
        function.var_types = dict(self.declared_types)
        unassigned, _ = check_reads(function, self.locals, self._fresh)
        if unassigned is not None:
            statement, name = unassigned
            line, column = self._read_position(statement, name)
            raise SourceError(Diagnostic(self.facts.filename, line, column, "error",
                                         f"local variable '{name}' is read before any assignment to it"))
        self.facts.arrays_read |= self.used_arrays
        return _rename_reserved(function, self.locals)

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
            value = _fold_constant(node, self.facts)
        except (ValueError, ArithmeticError, TypeError, IndexError, KeyError):
            value = None
        if isinstance(value, (bool, int, float)):
            return value
        raise self.unsupported(node, f"the default value of parameter '{name}' (not a number)")

    def _annotation_type(self, node, what: str) -> str:
        """The type an annotation gives; `what` names the annotated thing ("the parameter 'x'")."""
        try:
            text = _dotted(node)
        except ValueError:
            raise self.unsupported(node, f"the annotation of {what}") from None
        if text in SCALAR_ANNOTATIONS:
            return SCALAR_ANNOTATIONS[text]
        if text in ARRAY_ANNOTATIONS or _qualify(text, self.facts) == "numpy.ndarray":
            return ARRAY
        raise self.unsupported(node, f"{what} annotated '{text}' (not float, int, bool or np.ndarray)")

    # statements --------------------------------------------------------------------------
    def _block(self, block) -> list:
        statements = block.body if isinstance(block, cst.IndentedBlock) else [block]
        if isinstance(block, cst.SimpleStatementSuite):
            statements = [block]
        out = []
        for index, statement in enumerate(statements):
            out.extend(self._statement(statement, first=index == 0))
        return out

    def _statement(self, node, first=False) -> list:
        if isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            out = []
            for small in node.body:
                out.extend(self._small_statement(small, node, docstring_ok=first))
            return out
        if isinstance(node, cst.If):
            return self._if_statements(node)
        if isinstance(node, cst.For):
            return [self._for(node)]
        if isinstance(node, cst.While):
            if node.orelse is not None:
                raise self.unsupported(node.orelse, "while ... else")
            line, column = self.where(node)
            return [ir.While(line, column, self._condition(node.test), self._block(node.body))]
        names = {cst.FunctionDef: "a nested function", cst.ClassDef: "a class definition", cst.Try: "try",
                 cst.With: "with", cst.Match: "match"} if hasattr(cst, "Match") else {}
        for kind, label in names.items():
            if isinstance(node, kind):
                raise self.unsupported(node, label)
        raise self.unsupported(node, f"the statement '{type(node).__name__}'")

    def _source_line(self, node) -> str:
        line, _ = self.where(node)
        return self.facts.lines[line - 1].strip()

    def _small_statement(self, node, line_node, docstring_ok) -> list:
        line, column = self.where(node)
        source = self._source_line(node)
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
            op = _AUGMENTED_OPERATORS.get(type(node.operator))
            if op is None:
                raise self.unsupported(node.operator, "this augmented assignment operator")
            if isinstance(node.target, cst.Subscript):
                element = self._index(node.target)
                value = ir.BinOp(op, element, self.expr(node.value))
                return [ir.Assign(line, column, element.array, value, source, element.indices)]
            target = self._target_name(node.target)
            self._read(node.target)
            value = ir.BinOp(op, ir.Name(target), self.expr(node.value))
            return [ir.Assign(line, column, target, value, source)]
        if isinstance(node, cst.AnnAssign):
            target = self._target_name(node.target)
            kind = self._annotation_type(node.annotation.annotation, f"the variable '{target}'")
            self.declared_types[target] = kind
            if node.value is None:
                return []
            return [ir.Assign(line, column, target, self.expr(node.value), source)]
        if isinstance(node, cst.Assign):
            value_node = node.value
            out = []
            for assign_target in node.targets:
                out.extend(self._assign(assign_target.target, value_node, line, column, source))
            return out
        labels = {cst.Global: "global", cst.Nonlocal: "nonlocal", cst.Import: "import inside a function",
                  cst.ImportFrom: "import inside a function", cst.Raise: "raise", cst.Assert: "assert",
                  cst.Del: "del"}
        for kind, label in labels.items():
            if isinstance(node, kind):
                raise self.unsupported(node, label)
        raise self.unsupported(node, f"the statement '{type(node).__name__}'")

    def _assign(self, target, value_node, line, column, source) -> list:
        if isinstance(target, cst.Subscript):
            element = self._index(target)
            return [ir.Assign(line, column, element.array, self.expr(value_node), source, element.indices)]
        starred = [el for el in getattr(target, "elements", []) if isinstance(el, cst.StarredElement)]
        if starred:
            raise self.unsupported(starred[0], "a starred assignment target")
        if isinstance(target, (cst.Tuple, cst.List)) and self._is_shape(value_node):
            array = self._shape_of(value_node)
            self._read(value_node.value)
            names = [self._target_name(el.value) for el in target.elements]
            return [ir.Assign(line, column, name, ir.Call("shape", (ir.Name(array), ir.Const(k))), source)
                    for k, name in enumerate(names)]
        if isinstance(target, (cst.Tuple, cst.List)):
            names = [self._target_name(el.value) for el in target.elements]
            if not isinstance(value_node, (cst.Tuple, cst.List)) or len(value_node.elements) != len(names):
                raise self.unsupported(value_node, "tuple unpacking of a value that is not a tuple of the same length")
            values = [self.expr(el.value) for el in value_node.elements]
            # every right-hand side is read before any target is written, as Python does
            temps, out = [], []
            for name, value in zip(names, values):
                if isinstance(value, ir.Const) or (isinstance(value, ir.Name) and value.id not in names):
                    temps.append(value)
                    continue
                temp = self._fresh(f"{name}_new")
                out.append(ir.Assign(line, column, temp, value, source))
                temps.append(ir.Name(temp))
            out.extend(ir.Assign(line, column, name, value, source) for name, value in zip(names, temps))
            return out
        return [ir.Assign(line, column, self._target_name(target), self.expr(value_node), source)]

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
        if not isinstance(node.value, cst.Name) or node.value.value not in self.locals:
            raise self.unsupported(node, "indexing something other than a local array")
        self._read(node.value)
        indices = []
        for element in node.slice:
            if not isinstance(element.slice, cst.Index) or element.slice.star is not None:
                raise self.unsupported(element, "array slicing")
            index = self.expr(element.slice.value)
            if isinstance(index, ir.Unary) and index.op == "-" and isinstance(index.operand, ir.Const):
                index = ir.Const(-index.operand.value)
            if isinstance(index, ir.Const) and isinstance(index.value, int) and index.value < 0:
                # x[-k] counts from the end, as in Python
                size = ir.Call("shape", (ir.Name(node.value.value), ir.Const(len(indices))))
                index = ir.BinOp("-", size, ir.Const(-index.value))
            indices.append(index)
        return ir.Index(node.value.value, tuple(indices))

    def _constant_index(self, node: cst.Subscript):
        """`A[1]` of a module tuple or array is a number now; `A[i]` reads the module's array."""
        name = node.value.value
        value = self.facts.tuples.get(name, self.facts.arrays.get(name))
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

    def _fresh(self, base: str) -> str:
        name, k = base, 1
        while name in self.locals:
            k += 1
            name = f"{base}{k}"
        self.locals.add(name)
        return name

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

    def _for(self, node: cst.For) -> ir.For:
        line, column = self.where(node)
        if node.orelse is not None:
            raise self.unsupported(node.orelse, "for ... else")
        if node.asynchronous is not None:
            raise self.unsupported(node, "async for")
        if not isinstance(node.target, cst.Name):
            raise self.unsupported(node.target, "a for loop target that is not a single name")
        call = node.iter
        if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Name) and call.func.value == "range"
                and "range" not in self.locals and "range" not in self.facts.aliases):
            raise self.unsupported(node.iter, "a for loop over something other than range(...)")
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
        body = self._block(node.body)
        var = node.target.value
        if any((isinstance(inner, ir.Assign) and inner.target == var) or (isinstance(inner, ir.For) and inner.var == var)
               for inner in ir.walk(body)):
            # the body changes the loop variable: count with a variable of our own, and make the
            # user's an ordinary variable that each iteration starts from
            counter = self._fresh(f"{var}_loop")
            body.insert(0, ir.Assign(line, column, var, ir.Name(counter), self._source_line(node)))
            return ir.For(line, column, counter, start, stop, step, body)
        return ir.For(line, column, var, start, stop, step, body)

    def _condition(self, node) -> ir.Expr:
        return self.expr(node)

    # expressions -------------------------------------------------------------------------
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
            op = _BINARY_OPERATORS.get(type(node.operator))
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
        labels = {cst.Lambda: "lambda",
                  cst.ListComp: "a list comprehension", cst.GeneratorExp: "a generator expression",
                  cst.DictComp: "a dict comprehension", cst.SetComp: "a set comprehension",
                  cst.List: "a list", cst.Tuple: "a tuple", cst.Dict: "a dict", cst.Set: "a set",
                  cst.NamedExpr: "the walrus operator ':='", cst.Await: "await", cst.Yield: "a generator (yield)"}
        for kind, label in labels.items():
            if isinstance(node, kind):
                raise self.unsupported(node, label)
        raise self.unsupported(node, f"the expression '{type(node).__name__}'")

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
            constant = _qualified_constant(qualified)
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
        missing = library_attribute(_qualify(dotted, self.facts))
        if missing is not None:
            raise self.error(node, f"module '{missing[0]}' has no attribute '{missing[1]}'")

    def _attribute(self, node: cst.Attribute) -> ir.Expr:
        try:
            dotted = _dotted(node)
        except ValueError:
            raise self.unsupported(node, "attribute access") from None
        qualified = _qualify(dotted, self.facts)
        head = dotted.split(".")[0]
        if head in self.locals:
            raise self.unsupported(node, f"the attribute '{dotted}'")
        self._check_global(node, dotted)
        constant = _qualified_constant(qualified)
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
            op = _COMPARISONS.get(type(target.operator))
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
            op = _COMPARISONS.get(type(target.operator))
            if op is None:
                raise self.unsupported(target.operator, "the comparison 'is'/'in'")
            result = result and ir._COMPARE[op](left, right)
        return ir.Const(bool(result))

    def _call(self, node: cst.Call) -> ir.Expr:
        constant = self._constant_call(node)
        if constant is not None:
            return constant
        reduction = self._reduction(node)
        if reduction is not None:
            return reduction
        if any(arg.keyword is not None or arg.star for arg in node.args):
            raise self.unsupported(node, "a call with keyword or star arguments")
        func = node.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in self.locals:
            if func.attr.value == "copy" and not node.args:
                self._read(func.value)
                return ir.Alloc("copy", (), func.value.value)
            raise self.unsupported(func, f"the method '{func.attr.value}'")
        allocation = self._allocation(node)
        if allocation is not None:
            return allocation
        try:
            dotted = _dotted(func)
        except ValueError:
            dotted = None
        if dotted is not None:
            self._check_global(func, dotted)  # Python looks the function up before its arguments
        args = tuple(self.expr(arg.value) for arg in node.args)
        if dotted is None:
            raise self.unsupported(func, "a call of a computed function")
        if dotted in self.facts.functions and dotted not in self.locals:
            return ir.UserCall(dotted, args)
        if "." not in dotted and dotted in self.locals:
            raise self.unsupported(func, f"a call of the local variable '{dotted}'")
        qualified = _qualify(dotted, self.facts)
        module, _, attr = qualified.rpartition(".")
        primitive = None
        if module == "math":
            primitive = MATH_FUNCTIONS.get(attr)
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
        try:
            qualified = _qualify(_dotted(node.func), self.facts)
        except ValueError:
            return None
        module, _, name = qualified.rpartition(".")
        if module != "numpy" or name not in VECTOR_FUNCTIONS:
            return None
        positional = [a for a in node.args if a.keyword is None and not a.star]
        keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        arity = VECTOR_FUNCTIONS[name]
        if symbolic.takes_axis(name):
            if set(keywords) - {"axis"} or len(positional) not in (1, 2) or (len(positional) == 2 and keywords):
                raise self.unsupported(node, f"np.{name} with arguments other than an array and an axis")
            axis_node = keywords.get("axis", positional[1].value if len(positional) == 2 else None)
            axis = ir.Const(None) if axis_node is None else self.expr(axis_node)
            if isinstance(axis, ir.Unary) and axis.op == "-" and isinstance(axis.operand, ir.Const):
                axis = ir.Const(-axis.operand.value)  # axis=-1
            if not (isinstance(axis, ir.Const) and (axis.value is None or isinstance(axis.value, int))):
                raise self.unsupported(node, f"np.{name} with an axis that is not a constant integer")
            return ir.Call(name, (self.expr(positional[0].value), axis))
        if keywords or len(positional) != arity:
            raise self.unsupported(node, f"np.{name} with {_count(len(node.args), 'argument')}")
        args = tuple(self.expr(a.value) for a in positional)
        if name == "where":
            return ir.IfExp(args[0], args[1], args[2])
        return ir.Call(name, args)

    def _allocation(self, node: cst.Call):
        """np.zeros(n), np.ones((n, m)), np.empty(n), np.zeros_like(x), np.copy(x): a new float array."""
        try:
            qualified = _qualify(_dotted(node.func), self.facts)
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
        if not 1 <= len(shape) <= 2:
            raise self.unsupported(node, "arrays of more than two dimensions")
        return ir.Alloc(ALLOCATORS[name], shape)

    def _primitive(self, node, dotted: str, primitive: str, args: tuple) -> ir.Expr:
        if primitive in ("minimum", "maximum") and dotted in ("min", "max"):
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
            if len(args) != 1 or not isinstance(args[0], ir.Name):
                raise self.unsupported(node, "len() of something other than a local array")
            return ir.Call("shape", (args[0], ir.Const(0)))
        if primitive == "round":
            if len(args) != 1:
                raise self.unsupported(node, "round() with ndigits")
            return ir.Call("round", args)
        expected = _ARITY.get(primitive, 1)
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


def _count(number: int, noun: str) -> str:
    """'1 argument', '2 arguments', '0 arguments'."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


_ARITY = {"arctan2": 2, "hypot": 2, "maximum": 2, "minimum": 2, "fmax": 2, "fmin": 2, "logaddexp": 2,
          "copysign": 2, "fmod": 2, "remainder": 2, "power": 2, "add": 2, "subtract": 2, "multiply": 2,
          "true_divide": 2}


# Names the generated code itself uses at module level: runtime functions and the tape.
RESERVED_NAMES = {
    "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "cbrt", "hypot", "fabs", "floor", "ceil",
    "trunc", "copysign", "fmod", "fmax", "fmin", "rint", "NAN", "INFINITY", "sign", "maximum", "minimum",
    "imax", "imin", "iabs", "square", "cube", "reciprocal", "deg2rad", "rad2deg", "logaddexp", "mod", "floordiv",
    "mod_int", "floordiv_int", "ifloor", "iceil", "itrunc", "round_half_even", "range_length", "np", "Tape",
    "tape", "tape_init", "tape_free", "push_double", "pop_double", "push_int", "pop_int", "push_branch",
    "pop_branch", "reserve_doubles", "reserve_ints", "reserve_branches", "as_float_array", "as_float_ndarray",
    "gradients_like", "tensor_float", "eager_value_and_gradient", "abs", "float", "int", "bool", "round", "range",
} | set(symbolic.HELPERS)


def _rename_reserved(function: ir.Function, local_names: set) -> ir.Function:
    """A local called like a runtime function (`sin = math.sin(x)`, `tape = ...`) gets another
    name in the generated code, so it cannot shadow what the generated code calls."""
    clashes = sorted(local_names & RESERVED_NAMES)
    if not clashes:
        return function
    taken = set(local_names) | RESERVED_NAMES
    mapping = {}
    for name in clashes:
        new, k = f"{name}_", 1
        while new in taken:
            k += 1
            new = f"{name}_{k}"
        taken.add(new)
        mapping[name] = new

    def expr(e):
        if isinstance(e, ir.Index):
            return ir.Index(mapping.get(e.array, e.array), tuple(expr(i) for i in e.indices))
        if isinstance(e, ir.Alloc):
            return ir.Alloc(e.kind, tuple(expr(d) for d in e.shape), mapping.get(e.like, e.like) if e.like else None)
        if isinstance(e, ir.Name):
            return ir.Name(mapping.get(e.id, e.id))
        if not ir.children(e):
            return e
        return ir.rebuild(e, [expr(c) for c in ir.children(e)])

    def block(stmts):
        for s in stmts:
            if isinstance(s, ir.Assign):
                s.target = mapping.get(s.target, s.target)
                s.value = expr(s.value)
                s.index = tuple(expr(i) for i in s.index) if s.index is not None else None
            elif isinstance(s, ir.If):
                s.test = expr(s.test)
                block(s.body)
                block(s.orelse)
            elif isinstance(s, ir.For):
                s.var = mapping.get(s.var, s.var)
                s.start, s.stop, s.step = expr(s.start), expr(s.stop), expr(s.step)
                block(s.body)
            elif isinstance(s, ir.While):
                s.test = expr(s.test)
                block(s.body)
            elif isinstance(s, ir.Return):
                s.value = expr(s.value)
            elif isinstance(s, ir.RaiseIf):
                s.test = expr(s.test)

    block(function.body)
    function.params = [(mapping.get(p, p), kind) for p, kind in function.params]
    function.var_types = {mapping.get(k, k): v for k, v in function.var_types.items()}
    return function


def _assigned_names(block) -> set:
    """Every name a function body assigns (its locals), found without running anything."""
    names = set()

    class Collector(cst.CSTVisitor):
        def visit_AssignTarget(self, node):
            _collect_target(node.target, names)

        def visit_AugAssign(self, node):
            _collect_target(node.target, names)

        def visit_AnnAssign(self, node):
            _collect_target(node.target, names)

        def visit_For(self, node):
            _collect_target(node.target, names)

        def visit_FunctionDef(self, node):
            return False

    block.visit(Collector())
    return names


def _collect_target(node, names: set) -> None:
    if isinstance(node, cst.Name):
        names.add(node.value)
    elif isinstance(node, (cst.Tuple, cst.List)):
        for el in node.elements:
            _collect_target(el.value, names)
