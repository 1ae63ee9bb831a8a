"""What names mean to the front end, read statically: the math, NumPy and builtin functions and
constants the compiler knows, dotted names resolved through the module's imports, the names a
statement binds, and the locals renamed because the generated code uses their names."""

from __future__ import annotations

import math

import libcst as cst
import numpy as np

from .. import ir
from ..fresh_names import array_view  # noqa: F401  (the front end imports it from here)
from ..rules import symbolic
from ..runtime_names import BARE_NAMES

# qualified name -> primitive (an elementwise rule name, or a conversion handled by the compiler)
MATH_FUNCTIONS = {
    "sin": "sin", "cos": "cos", "tan": "tan", "asin": "arcsin", "acos": "arccos", "atan": "arctan",
    "atan2": "arctan2", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "asinh": "arcsinh",
    "acosh": "arccosh", "atanh": "arctanh", "exp": "exp", "exp2": "exp2", "expm1": "expm1",
    "log": "log", "log2": "log2", "log10": "log10", "log1p": "log1p", "sqrt": "sqrt", "cbrt": "cbrt",
    "pow": "power", "hypot": "hypot", "fabs": "fabs", "floor": "ifloor", "ceil": "iceil",
    "trunc": "itrunc", "copysign": "copysign", "fmod": "fmod", "degrees": "rad2deg", "radians": "deg2rad",
    "factorial": "factorial", "comb": "comb", "perm": "perm",
    "erf": "erf", "erfc": "erfc", "lgamma": "lgamma", "gamma": "gamma",
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
ARRAY = "array"  # a float array whose number of dimensions type inference settles
ALLOCATORS = {"zeros": "zeros", "ones": "ones", "empty": "empty"}
# np.<name> of whole arrays: the array rule table's primitives (name -> operands), and np.where (a select)
# (np.linspace's num is an option of its entry, linear in start and stop, given by position too)
VECTOR_FUNCTIONS = {**symbolic.numpy_functions(), "where": 3, "linspace": 3}
LINALG_FUNCTIONS = symbolic.linalg_functions()  # np.linalg.<name> -> its primitive ("solve")
# x.<method>(...) of a local array read as np.<method>(x, ...)
ARRAY_METHODS = {"sum", "mean", "prod", "max", "min", "dot", "cumsum"}


def _arange_arguments(*args):
    return {1: (ir.Const(0),) + args + (ir.Const(1),), 2: args + (ir.Const(1),)}.get(len(args))


def _eye_arguments(n, m=ir.Const(None), k=ir.Const(0)):
    return n, m, k


# np.<name> called with fewer arguments than the table's entry (np.eye's also by keyword): all of
# them, defaults filled in
STATIC_DEFAULTS = {"arange": _arange_arguments, "eye": _eye_arguments,
                   "linspace": lambda *args: args + (ir.Const(50),) if len(args) == 2 else None}
LIKE_ALLOCATORS = {"zeros_like": "zeros", "ones_like": "ones", "empty_like": "empty", "copy": "copy"}

# libcst operator nodes -> the IR's operators
BINARY_OPERATORS = {
    cst.Add: "+", cst.Subtract: "-", cst.Multiply: "*", cst.Divide: "/", cst.FloorDivide: "//",
    cst.Modulo: "%", cst.Power: "**", cst.MatrixMultiply: "@",
}
AUGMENTED_OPERATORS = {
    cst.AddAssign: "+", cst.SubtractAssign: "-", cst.MultiplyAssign: "*", cst.DivideAssign: "/",
    cst.FloorDivideAssign: "//", cst.ModuloAssign: "%", cst.PowerAssign: "**",
}
COMPARISONS = {
    cst.LessThan: "<", cst.LessThanEqual: "<=", cst.GreaterThan: ">", cst.GreaterThanEqual: ">=",
    cst.Equal: "==", cst.NotEqual: "!=",
}
# primitive -> number of arguments, where not 1
ARITY = {"comb": 2, "perm": 2, "arctan2": 2, "hypot": 2, "maximum": 2, "minimum": 2, "fmax": 2, "fmin": 2, "logaddexp": 2,
         "copysign": 2, "fmod": 2, "remainder": 2, "power": 2, "add": 2, "subtract": 2, "multiply": 2,
         "true_divide": 2}


def dotted_name(node) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return dotted_name(node.value) + "." + node.attr.value
    raise ValueError(node)


def dotted_name_or_empty(node) -> str:
    try:
        return dotted_name(node)
    except ValueError:
        return ""


def qualify(dotted: str, facts: ModuleFacts) -> str:
    head, _, rest = dotted.partition(".")
    if head in facts.aliases:
        return facts.aliases[head] + ("." + rest if rest else "")
    return ""


def qualified_constant(qualified: str):
    module, _, name = qualified.rpartition(".")
    if module == "math":
        return MATH_CONSTANTS.get(name)
    if module == "numpy":
        return NUMPY_CONSTANTS.get(name)
    return None


def library_attribute(qualified: str):
    """For a name in math or NumPy ("math.sin", "numpy.linalg.norm"): (module, attribute) of the
    first attribute the library does not have, else None. This is static knowledge of the
    libraries, not of the user's code: math and numpy are imported by srcgrad itself."""
    parts = qualified.split(".")
    libraries = {"math": math, "numpy": np}
    if parts[0] not in libraries or len(parts) < 2:
        return None
    value = libraries[parts[0]]
    for k, attribute in enumerate(parts[1:], start=1):
        if not hasattr(value, attribute):
            return ".".join(parts[:k]), attribute
        value = getattr(value, attribute)
    return None


def assigned_names(block, definitions: bool = False) -> set:
    """Every name a function body assigns (its locals), found without running anything; with
    definitions, also the names its def, class and import statements bind (a module statement's)."""
    names = set()

    class Collector(cst.CSTVisitor):
        def visit_AssignTarget(self, node):
            collect_target(node.target, names)

        def visit_AugAssign(self, node):
            collect_target(node.target, names)

        def visit_AnnAssign(self, node):
            collect_target(node.target, names)

        def visit_For(self, node):
            collect_target(node.target, names)

        def visit_FunctionDef(self, node):
            if definitions:
                names.add(node.name.value)
            return False

        def visit_ClassDef(self, node):
            if definitions:
                names.add(node.name.value)
                return False
            return True

        def visit_ImportAlias(self, node):
            if definitions:
                names.add(node.asname.name.value if node.asname is not None else dotted_name(node.name).split(".")[0])

    block.visit(Collector())
    return names


def collect_target(node, names: set) -> None:
    if isinstance(node, cst.Name):
        names.add(node.value)
    elif isinstance(node, (cst.Tuple, cst.List)):
        for el in node.elements:
            collect_target(el.value, names)


def rename_reserved(function: ir.Function, local_names: set) -> ir.Function:
    """A local called like a name the generated code spells bare (`tape = ...`, `np = ...`, a
    runtime module's alias) gets another name in the generated code, so it cannot shadow it."""
    clashes = sorted(local_names & BARE_NAMES)
    if not clashes:
        return function
    taken = set(local_names) | BARE_NAMES
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
