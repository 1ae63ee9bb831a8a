"""Nested functions that close over nothing, read as module functions.

`def zp(t): return 100.0 * (1.0 + t)` written inside `zimmerman(x)` reads only its own parameters
and module names, so it computes what a module-level function of its own would: it becomes one,
under a fresh private name (`_zimmerman_zp`), and the enclosing function's calls of it call that.
A nested function that reads a local of the enclosing one (a closure), is defined under a
condition or a loop, is decorated, or whose name is bound or read otherwise (passed as a value,
redefined, called before its def) stays what it was: a construct the eager tape runs.
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
    statements = list(node.body.body) if isinstance(node.body, cst.IndentedBlock) else []
    defined = [s for s in statements if isinstance(s, cst.FunctionDef)]
    hoisted = []
    for nested in defined:
        name = nested.name.value
        if nested.decorators or nested.asynchronous is not None or _global_statements(nested) \
                or sum(1 for s in defined if s.name.value == name) > 1 or name in assigned_names(node.body) \
                or _free_names(nested) & (enclosing - {name}) or not _only_called_after(node, nested, positions):
            continue
        fresh = _fresh(f"_{source.name}_{name}", taken)
        taken.add(fresh)
        text = module.code_for_node(nested).lstrip("\n")
        text = text.replace(f"def {name}(", f"def {fresh}(", 1)
        start = positions[nested].start
        hoisted.append(FunctionSource(fresh, nested, start.line, start.column + 1, text))
        source.nested[name] = fresh
    return hoisted


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


def _only_called_after(enclosing: cst.FunctionDef, nested: cst.FunctionDef, positions) -> bool:
    """Whether the enclosing function uses the nested one's name only as the callee of calls
    after its def (not passed as a value, not read before Python binds it)."""
    name, start = nested.name.value, positions[nested].start
    ok = True

    class Uses(cst.CSTVisitor):
        def visit_FunctionDef(self, n: cst.FunctionDef):
            return n is enclosing or n is not nested  # the nested def's own body binds nothing here

        def visit_Call(self, n: cst.Call):
            nonlocal ok
            if isinstance(n.func, cst.Name) and n.func.value == name:
                here = positions[n].start
                ok = ok and (here.line, here.column) > (start.line, start.column)
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
