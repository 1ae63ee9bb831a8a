"""Whole-array reductions inside loops, read as calls of module functions of their own.

`for k in range(steps): total += np.sum(np.sin(x * k))` reduces a whole array made anew on each
trip to a number. Compiled code computes whole arrays once, outside loops; a module function
does exactly that for one trip, and a call of one inside a loop compiles (the reverse sweep
calls its adjoint, which recomputes the arrays from the call's arguments, so nothing whole is
taped). So a function that falls back for a whole-array expression in a loop is read again from
source text where each such reduction is a call of a new private function of the names it reads:

    total += _sum_sin_reduced(x, k)        # the call keeps the line of what it replaces
    ...
    def _sum_sin_reduced(x, k):
        return np.sum(np.sin(x * k))

whose gradient, jvp and hvp are the whole-array machinery's. The build does this only where the
function fell back without it (srcgrad.generate), and keeps it only where it then compiles.
"""

from __future__ import annotations

import libcst as cst

from .names import assigned_names, dotted_name, qualify

# NumPy functions and array methods whose value is a number when no axis is given
# (not np.dot: of arrays whose dimensions nothing says, its value may be an array)
_REDUCTIONS = {"sum", "mean", "max", "min", "amax", "amin", "prod", "std", "var", "linalg.norm",
               "average", "trapz", "trapezoid", "ptp"}
_METHODS = {"sum", "mean", "max", "min", "prod", "std", "var", "ptp"}
_TWO_OPERANDS = {"linalg.norm", "trapz", "trapezoid"}
_NUMBER_KEYWORDS = {"ord", "x", "dx", "weights", "ddof"}


def outlined_source(source: str, facts, functions: set) -> str | None:
    """source with the whole-array reductions in loops of `functions` replaced by calls of new
    module functions defined at its end, or None where there is none."""
    module = cst.parse_module(source)
    taken = _every_name(module)
    module_names = set(facts.functions) | facts.constant_names() | set(facts.array_constants()) \
        | set(facts.aliases)
    outliner = _Outliner(module, facts, functions, taken, module_names)
    rewritten = module.visit(outliner)
    if not outliner.helpers:
        return None
    return rewritten.code.rstrip("\n") + "\n" + "".join(outliner.helpers)


class _Outliner(cst.CSTTransformer):
    def __init__(self, module, facts, functions, taken, module_names):
        super().__init__()
        self.module, self.facts, self.functions = module, facts, functions
        self.taken, self.module_names = taken, module_names
        self.helpers: list = []
        self.function = None
        self.loops = 0
        self.locals: set = set()
        self.annotations: dict = {}

    def visit_FunctionDef(self, node):
        if self.function is not None:
            return False  # nested functions are read as they were
        if node.name.value not in self.functions:
            return False
        self.function = node.name.value
        params = node.params
        every = list(params.params) + list(params.posonly_params) + list(params.kwonly_params)
        self.locals = {p.name.value for p in every} | assigned_names(node.body)
        # what the function says of a name holds in the helper too (x: np.ndarray, n: int)
        self.annotations = {p.name.value: self.module.code_for_node(p.annotation.annotation)
                            for p in every if p.annotation is not None}
        self.annotations.update({name: "int" for name in _range_counters(node.body)})
        return True

    def leave_FunctionDef(self, original, updated):
        if self.function == original.name.value:
            self.function = None
        return updated

    def visit_For(self, node):
        self.loops += 1

    def leave_For(self, original, updated):
        self.loops -= 1
        return updated

    def visit_While(self, node):
        self.loops += 1

    def leave_While(self, original, updated):
        self.loops -= 1
        return updated

    def visit_Call(self, node):
        # the outermost reduction is outlined whole, with what it reads
        return not (self.loops and self.function and self._reduction(node))

    def leave_Call(self, original, updated):
        if self.loops and self.function and self._reduction(original):
            return self._outlined(original)
        return updated

    def _reduction(self, node: cst.Call) -> bool:
        if any(a.star or (a.keyword is not None and a.keyword.value not in _NUMBER_KEYWORDS) for a in node.args):
            return False  # axis=, keepdims=: an array
        positional = sum(1 for a in node.args if a.keyword is None)
        try:
            qualified = qualify(dotted_name(node.func), self.facts)
        except ValueError:
            qualified = ""
        module, _, name = qualified.partition(".")
        if module == "numpy":  # np.linalg.norm(x, 2), np.trapz(y, t): a second operand, no axis
            return name in _REDUCTIONS and 1 <= positional <= (2 if name in _TWO_OPERANDS else 1)
        # x.sum(), (x * k).max(): a method of an array (not of a module: math.prod)
        return not qualified and positional == 0 and isinstance(node.func, cst.Attribute) \
            and node.func.attr.value in _METHODS \
            and not (isinstance(node.func.value, cst.Name) and node.func.value.value in self.module_names)

    def _outlined(self, call: cst.Call):
        reads = _reads(call)
        params = [n for n in reads if n in self.locals]
        name = self._fresh(f"_{self.function}_reduced")
        text = self.module.code_for_node(call)
        breaks = text.count("\n")
        body = f"({text})" if breaks else text
        typed = [f"{p}: {self.annotations[p]}" if p in self.annotations else p for p in params]
        self.helpers.append(f"\n\ndef {name}({', '.join(typed)}):\n    return {body}\n")
        # the call takes as many lines as the text it replaces: what follows keeps its lines
        return cst.parse_expression(f"{name}({', '.join(params)}" + "\n" * breaks + ")")

    def _fresh(self, base: str) -> str:
        name, k = base, 1
        while name in self.taken:
            k += 1
            name = f"{base}_{k}"
        self.taken.add(name)
        return name


def _range_counters(body) -> set:
    """The variables of `for v in range(...)` loops that nothing else assigns: integers."""
    counters, others = set(), set()

    class Loops(cst.CSTVisitor):
        def visit_For(self, n: cst.For):
            ranged = isinstance(n.iter, cst.Call) and isinstance(n.iter.func, cst.Name) and n.iter.func.value == "range"
            if isinstance(n.target, cst.Name) and ranged:
                counters.add(n.target.value)
            else:
                n.target.visit(_Targets(others))

        def visit_AssignTarget(self, n):
            n.target.visit(_Targets(others))

        def visit_AugAssign(self, n):
            n.target.visit(_Targets(others))

        def visit_AnnAssign(self, n):
            n.target.visit(_Targets(others))

    body.visit(Loops())
    return counters - others


class _Targets(cst.CSTVisitor):
    def __init__(self, found: set):
        super().__init__()
        self.found = found

    def visit_Name(self, n: cst.Name):
        self.found.add(n.value)


def _reads(node) -> list:
    """The names `node` reads, in order of first appearance (attributes and keywords are not)."""
    found = []

    class Reads(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name):
            if n.value not in found:
                found.append(n.value)

        def visit_Attribute(self, n: cst.Attribute):
            n.value.visit(self)
            return False

        def visit_Arg(self, n: cst.Arg):
            n.value.visit(self)
            return False

    node.visit(Reads())
    return [n for n in found if n not in ("True", "False", "None")]


def _every_name(module: cst.Module) -> set:
    names = set()

    class Every(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name):
            names.add(n.value)

    module.visit(Every())
    return names
