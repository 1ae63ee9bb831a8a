"""Nested functions that close over nothing, read as module functions.

`def zp(t): return 100.0 * (1.0 + t)` written inside `zimmerman(x)` reads only its own parameters
and module names, so it computes what a module-level function of its own would: it becomes one,
under a fresh private name (`_zimmerman_zp`), and the enclosing function's calls of it call that.
A def in a loop's body (an RK4 step's `def f(y)` inside the `for`) binds the same function on
every trip and is read so too, when only that loop calls it. A nested function that reads a local
of the enclosing one (a closure), is defined under a condition, is decorated, or whose name is
bound or read otherwise (passed as a value, redefined, called before its def or after its loop)
stays what it was: a construct the eager tape runs.
"""

from __future__ import annotations

import libcst as cst

from .facts import FunctionSource
from .names import assigned_names


def hoist_nested(source: FunctionSource, module: cst.Module, positions, taken: set) -> list:
    """The nested functions of `source` that can live at module level, as FunctionSources under
    fresh names; source.nested maps each one's name to its fresh name."""
    node = source.node
    enclosing = _parameter_names(node.params) | assigned_names(node.body, definitions=True)
    placed = _definitions(node.body, None)
    defined = [nested for nested, _ in placed]
    hoisted = []
    for nested, loop in placed:
        name = nested.name.value
        if nested.decorators or nested.asynchronous is not None or _global_statements(nested) \
                or sum(1 for s in defined if s.name.value == name) > 1 or name in assigned_names(node.body) \
                or _free_names(nested) & (enclosing - {name}) \
                or not _only_called_after(node, nested, positions, loop):
            continue
        fresh = _fresh(f"_{source.name}_{name}", taken)
        taken.add(fresh)
        text = module.code_for_node(nested).lstrip("\n")
        text = text.replace(f"def {name}(", f"def {fresh}(", 1)
        start = positions[nested].start
        hoisted.append(FunctionSource(fresh, nested, start.line, start.column + 1, text))
        source.nested[name] = fresh
    return hoisted


def _definitions(block, loop) -> list:
    """(def, the outermost loop it is in or None) for the defs among a body's statements and
    those of the loops in it (an RK4 step's `def f(y)` written inside the `for`): a def in a loop
    binds the same function on every trip. Not under a condition, where it may not be bound."""
    found = []
    for statement in (block.body if isinstance(block, cst.IndentedBlock) else []):
        if isinstance(statement, cst.FunctionDef):
            found.append((statement, loop))
        elif isinstance(statement, (cst.For, cst.While)) and statement.orelse is None:
            found += _definitions(statement.body, loop or statement)
    return found


def _fresh(base: str, taken: set) -> str:
    name, k = base, 1
    while name in taken:
        k += 1
        name = f"{base}_{k}"
    return name


def _parameter_names(params: cst.Parameters) -> set:
    every = list(params.params) + list(params.posonly_params) + list(params.kwonly_params)
    every += [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
    return {p.name.value for p in every}


def _free_names(function: cst.FunctionDef) -> set:
    """The names `function` reads that it does not bind itself (its defaults and annotations too)."""
    own = _parameter_names(function.params) | assigned_names(function.body, definitions=True)
    read = set()

    class Reads(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name):
            read.add(n.value)

        def visit_Attribute(self, n: cst.Attribute):
            n.value.visit(self)  # np.sum: np is read, sum is an attribute
            return False

        def visit_Param(self, n: cst.Param):
            for part in (n.default, n.annotation):
                if part is not None:
                    part.visit(self)
            return False

        def visit_Arg(self, n: cst.Arg):
            n.value.visit(self)  # f(x, k=1): k is a keyword, not a read
            return False

    function.params.visit(Reads())
    function.body.visit(Reads())
    return read - own


def _global_statements(function: cst.FunctionDef) -> list:
    found = []

    class Finder(cst.CSTVisitor):
        def visit_Global(self, n):
            found.append(n)

        def visit_Nonlocal(self, n):
            found.append(n)

    function.body.visit(Finder())
    return found


def _only_called_after(enclosing: cst.FunctionDef, nested: cst.FunctionDef, positions, loop=None) -> bool:
    """Whether the enclosing function uses the nested one's name only as the callee of calls
    after its def (not passed as a value, not read before Python binds it); a def in a loop, only
    by calls in that loop (after it, a loop of no trips leaves the name unbound)."""
    name, start = nested.name.value, positions[nested].start
    end = positions[loop].end if loop is not None else None
    ok = True

    class Uses(cst.CSTVisitor):
        def visit_FunctionDef(self, n: cst.FunctionDef):
            return n is enclosing or n is not nested  # the nested def's own body binds nothing here

        def visit_Call(self, n: cst.Call):
            nonlocal ok
            if isinstance(n.func, cst.Name) and n.func.value == name:
                here = positions[n].start
                ok = ok and (here.line, here.column) > (start.line, start.column) \
                    and (end is None or (here.line, here.column) < (end.line, end.column))
                for arg in n.args:
                    arg.visit(self)
                return False
            return True

        def visit_Name(self, n: cst.Name):
            nonlocal ok
            if n.value == name and n is not nested.name:
                ok = False

    enclosing.body.visit(Uses())
    return ok
