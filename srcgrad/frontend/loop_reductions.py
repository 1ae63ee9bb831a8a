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

whose gradient, jvp and hvp are the whole-array machinery's. A temporary of one trip that only
reductions read (`y = np.sin(x * k)`, then `np.sum(y) + y.max()`) is first written into each of
them, its assignment left as `pass`. The build does this only where the
function fell back without it (srcgrad.generate), and keeps it only where it then compiles.
"""

from __future__ import annotations

import libcst as cst

from .names import assigned_names, dotted_name, qualify

# NumPy functions and array methods whose value is a number when no axis is given
# (not np.dot: of arrays whose dimensions nothing says, its value may be an array)
_REDUCTIONS = {"sum", "mean", "max", "min", "amax", "amin", "prod", "std", "var", "linalg.norm",
               "average", "trapz", "trapezoid", "ptp", "linalg.det"}
_METHODS = {"sum", "mean", "max", "min", "prod", "std", "var", "ptp"}
_TWO_OPERANDS = {"linalg.norm", "trapz", "trapezoid"}
_NUMBER_KEYWORDS = {"ord", "x", "dx", "weights", "ddof"}


def outlined_source(source: str, facts, functions: set) -> str | None:
    """source with the whole-array reductions in loops of `functions` replaced by calls of new
    module functions defined at its end, or None where there is none."""
    module = cst.parse_module(source)
    module = cst.parse_module(module.visit(_Substituted(functions, facts)).code)
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


class _Substituted(cst.CSTTransformer):
    """`y = np.sin(x * k)` in a loop's body, y read only by reductions after it in that body and
    assigned nowhere else: each reduction reads the expression itself (`np.sum(np.sin(x * k))`),
    and the assignment becomes `pass` (lines kept), so the reductions compute it each trip."""

    def __init__(self, functions: set, facts):
        super().__init__()
        self.functions, self.facts = functions, facts
        self.function = None

    def visit_FunctionDef(self, node):
        if self.function is not None or node.name.value not in self.functions:
            return False
        self.function = node
        return True

    def leave_FunctionDef(self, original, updated):
        if self.function is original:
            self.function = None
        return updated

    def leave_For(self, original, updated):
        return self._loop(updated)

    def leave_While(self, original, updated):
        return self._loop(updated)

    def _loop(self, loop):
        if self.function is None or not isinstance(loop.body, cst.IndentedBlock):
            return loop
        statements = list(loop.body.body)
        for k, statement in enumerate(statements):
            target, value = _single_assignment(statement)
            rest = cst.IndentedBlock(body=statements[k + 1:])
            if target is None or "\n" in cst.Module(body=[]).code_for_node(value) \
                    or _assignments(self.function).get(target, 0) != 1 \
                    or _count_reads(self.function.body, target) != _count_reads(rest, target) + 1 \
                    or set(_reads(value)) & set(_assignments(rest)) or target in _reads(value):
                continue
            substitution = _InReductions(target, value, self.facts)
            replaced = rest.visit(substitution)
            if substitution.elsewhere or not _count_reads(rest, target):
                continue
            statements[k + 1:] = list(replaced.body)
            statements[k] = cst.SimpleStatementLine(body=[cst.Pass()])
        return loop.with_changes(body=loop.body.with_changes(body=statements))


def _single_assignment(statement) -> tuple:
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 \
            and isinstance(statement.body[0], cst.Assign) and len(statement.body[0].targets) == 1 \
            and isinstance(statement.body[0].targets[0].target, cst.Name):
        return statement.body[0].targets[0].target.value, statement.body[0].value
    return None, None


def _assignments(node) -> dict:
    counts = {}

    class Count(cst.CSTVisitor):
        def visit_AssignTarget(self, n):
            n.target.visit(_Counted(counts))

        def visit_AugAssign(self, n):
            n.target.visit(_Counted(counts))

        def visit_AnnAssign(self, n):
            n.target.visit(_Counted(counts))

        def visit_For(self, n):
            n.target.visit(_Counted(counts))

    node.visit(Count())
    return counts


class _Counted(cst.CSTVisitor):
    def __init__(self, counts: dict):
        super().__init__()
        self.counts = counts

    def visit_Name(self, n: cst.Name):
        self.counts[n.value] = self.counts.get(n.value, 0) + 1


def _count_reads(node, name: str) -> int:
    return sum(1 for n in _names(node) if n == name)


def _names(node) -> list:
    found = []

    class Every(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name):
            found.append(n.value)

        def visit_Attribute(self, n: cst.Attribute):
            n.value.visit(self)
            return False

    node.visit(Every())
    return found


class _InReductions(cst.CSTTransformer):
    """target replaced by (value) inside reductions; elsewhere says whether it is read outside one."""

    def __init__(self, target: str, value, facts):
        super().__init__()
        self.target, self.value, self.facts = target, value, facts
        self.depth = 0
        self.elsewhere = False

    def visit_Call(self, node):
        if _is_reduction_call(node, self.facts):
            self.depth += 1

    def leave_Call(self, original, updated):
        if _is_reduction_call(original, self.facts):
            self.depth -= 1
        return updated

    def leave_Name(self, original, updated):
        if original.value != self.target:
            return updated
        if not self.depth:
            self.elsewhere = True
            return updated
        if isinstance(self.value, (cst.Call, cst.Name, cst.Attribute, cst.Subscript)) or self.value.lpar:
            return self.value
        return self.value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _is_reduction_call(node: cst.Call, facts) -> bool:
    try:
        qualified = qualify(dotted_name(node.func), facts)
    except ValueError:
        qualified = ""
    module, _, name = qualified.partition(".")
    if module == "numpy":
        return name in _REDUCTIONS
    return not qualified and isinstance(node.func, cst.Attribute) and node.func.attr.value in _METHODS
