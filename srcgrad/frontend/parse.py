"""Front end: source text -> module facts and per-function IR, statically (nothing is imported).

Parsing is libcst's; syntax errors take their position from Python's own parser, which reports
lines correctly where libcst's tokenizer does not. Names are resolved against the module's own
imports (`import math`, `import numpy as np`, `from math import sin`), its constants and its
top-level functions. A construct outside the compiled subset raises Unsupported (the function
then falls back to the eager tape); a definite mistake in the source raises SourceError.

This module reads the module level (`read_module`). The rest of the front end, in the order its
modules build on each other: names (the math/NumPy/builtin tables, name resolution, bound and
reserved names), facts (FunctionSource, ModuleFacts), constants (constant folding, parameter
defaults), expressions (ExpressionReader), assignment (definite assignment of locals), function
(FunctionReader: one function to ir.Function), subset (the supported-Python table).
"""

from __future__ import annotations

import libcst as cst
import numpy as np
from libcst.metadata import MetadataWrapper, PositionProvider

from ..diagnostics import Diagnostic, SourceError
from .constants import NO_DEFAULT, fold_constant, parameter_defaults, python_binary
from .facts import FunctionSource, ModuleFacts
from .function import FunctionReader
from .nested import hoist_nested
from .names import AUGMENTED_OPERATORS, assigned_names, collect_target, dotted_name, library_attribute

__all__ = ["FunctionReader", "FunctionSource", "ModuleFacts", "NO_DEFAULT", "check_syntax", "parameter_defaults",
           "read_module"]


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
    taken = assigned_names(module, definitions=True)  # names a hoisted nested function must not take

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
            for hoisted in hoist_nested(facts.functions[name], module, positions, taken):
                facts.functions[hoisted.name] = hoisted
                facts.top_level.append(("function", hoisted.text.strip("\n")))
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
            for name in assigned_names(statement, definitions=True):
                _forget_constant(name, facts)
                facts.unevaluated[name] = line
    return facts


def _forget_constant(name: str, facts: ModuleFacts) -> None:
    for table in (facts.constants, facts.strings, facts.tuples, facts.arrays, facts.unevaluated):
        table.pop(name, None)
    if name in facts.constant_order:
        facts.constant_order.remove(name)


def _check_import(node, facts: ModuleFacts, positions) -> None:
    """`from math import sinn` fails when Python runs the file: an error now."""
    if not isinstance(node, cst.ImportFrom) or node.module is None or node.relative \
            or isinstance(node.names, cst.ImportStar):
        return
    base = dotted_name(node.module)
    for alias in node.names:
        missing = library_attribute(base + "." + dotted_name(alias.name))
        if missing is not None:
            pos = positions[alias].start
            raise SourceError(Diagnostic(facts.filename, pos.line, pos.column + 1, "error",
                                         f"cannot import name '{missing[1]}' from '{missing[0]}'"))


def _record_import(node, facts: ModuleFacts) -> None:
    if isinstance(node, cst.Import):
        for alias in node.names:
            qualified = dotted_name(alias.name)
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
    base = dotted_name(node.module)
    for alias in node.names:
        imported = dotted_name(alias.name)
        local = alias.asname.name.value if alias.asname is not None else imported
        facts.aliases[local] = base + "." + imported


def _record_constant(node, facts: ModuleFacts, line: int) -> None:
    """A top-level `NAME = <constant expression>` becomes a module constant: a number, a string,
    a tuple of numbers or a NumPy array; so do the names of `A, B = 2.0, 1.0` (a tuple unpacked
    name by name) and of `A = B = 1.0`. A name bound to anything else is remembered as one the
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
        collect_target(target, names)
    try:
        if isinstance(value, cst.AugAssign):
            op = AUGMENTED_OPERATORS.get(type(value.operator))
            constant = python_binary(op, fold_constant(value.target, facts), fold_constant(value.value, facts))
        else:
            constant = fold_constant(value, facts)
        bound = [pair for target in targets for pair in _unpacked(target, constant)]
    except (ValueError, ArithmeticError, TypeError, IndexError, KeyError):
        for name in names:
            _forget_constant(name, facts)
            facts.unevaluated[name] = line
        return
    for name, constant in bound:
        _record_value(name, constant, facts)


def _unpacked(target, constant) -> list:
    """[(name, value)] that `target = constant` binds: a name, or a tuple or list of names
    unpacking a tuple of the same length; ValueError for any other target."""
    if isinstance(target, cst.Name):
        return [(target.value, constant)]
    if isinstance(target, (cst.Tuple, cst.List)) and isinstance(constant, tuple) \
            and len(target.elements) == len(constant) \
            and all(isinstance(el, cst.Element) and isinstance(el.value, cst.Name) for el in target.elements):
        return [(el.value.value, item) for el, item in zip(target.elements, constant)]
    raise ValueError("an assignment target the compiler does not evaluate")


def _record_value(name: str, constant, facts: ModuleFacts) -> None:
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
