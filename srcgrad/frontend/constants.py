"""Module constants and parameter defaults, evaluated from the source text: numbers, strings,
tuples, math and NumPy constants and NumPy array constructors with constant arguments. Nothing
of the user's runs."""

from __future__ import annotations

import libcst as cst
import numpy as np

from .facts import FunctionSource, ModuleFacts
from .names import BINARY_OPERATORS, dotted_name, dotted_name_or_empty, qualified_constant, qualify


# NumPy constructors a module constant may be built with (all arguments constant)
_ARRAY_CONSTRUCTORS = {"array": np.array, "asarray": np.asarray, "zeros": np.zeros, "ones": np.ones,
                       "full": np.full, "eye": np.eye, "identity": np.identity, "linspace": np.linspace,
                       "arange": np.arange}


_DTYPES = {"float": float, "int": int, "bool": bool, "numpy.float64": np.float64, "numpy.int64": np.int64}


def fold_constant(node, facts: ModuleFacts):
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
        return tuple(fold_constant(el.value, facts) for el in node.elements)
    if isinstance(node, cst.Name):
        if node.value in ("True", "False"):
            return node.value == "True"
        for table in (facts.constants, facts.strings, facts.tuples, facts.arrays):
            if node.value in table:
                return table[node.value]
        qualified = facts.aliases.get(node.value, "")
        constant = qualified_constant(qualified)
        if constant is not None:
            return constant
        raise ValueError(node.value)
    if isinstance(node, cst.Attribute):
        constant = qualified_constant(qualify(dotted_name_or_empty(node), facts))
        if constant is not None:
            return constant
        raise ValueError("attribute")
    if isinstance(node, cst.UnaryOperation):
        value = fold_constant(node.expression, facts)
        if isinstance(node.operator, cst.Minus):
            return -value
        if isinstance(node.operator, cst.Plus):
            return +value
        raise ValueError("unary")
    if isinstance(node, cst.BinaryOperation):
        left, right = fold_constant(node.left, facts), fold_constant(node.right, facts)
        op = BINARY_OPERATORS.get(type(node.operator))
        return python_binary(op, left, right)
    if isinstance(node, cst.Call):
        return _fold_call(node, facts)
    raise ValueError("not constant")


_PYTHON_BINARY = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
    "//": lambda a, b: a // b, "%": lambda a, b: a % b, "**": lambda a, b: a ** b,
}


def python_binary(op, left, right):
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
    dotted = dotted_name_or_empty(node.func)
    qualified = qualify(dotted, facts)
    if any(arg.star for arg in node.args):
        raise ValueError("star arguments")
    positional = [fold_constant(a.value, facts) for a in node.args if a.keyword is None]
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
                options["dtype"] = _DTYPES[qualify(dotted_name(value), facts) or dotted_name(value)]
            except (ValueError, KeyError):
                raise ValueError("dtype") from None
        elif keyword in ("endpoint", "num", "step", "stop", "start", "fill_value", "k"):
            options[keyword] = fold_constant(value, facts)
        else:
            raise ValueError("keyword")
    array = np.asarray(_ARRAY_CONSTRUCTORS[name](*positional, **options))
    if array.dtype == object or array.dtype.kind not in "biuf":
        raise ValueError("not a numeric array")
    return array


NO_DEFAULT = object()


def parameter_defaults(function: FunctionSource, facts: ModuleFacts) -> list:
    """[(default value or NO_DEFAULT, keyword_only)] for each parameter, in the order the compiled
    functions take them (keyword-only ones last). Only for functions the compiler read."""
    params = function.node.params
    out = []
    for keyword_only, group in ((False, list(params.posonly_params) + list(params.params)),
                                (True, list(params.kwonly_params))):
        for param in group:
            value = NO_DEFAULT if param.default is None else fold_constant(param.default, facts)
            out.append((value, keyword_only))
    return out
