"""What the front end knows about a module: its functions' source and its module-level facts
(imports, constants, names it cannot evaluate)."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from .names import array_view


@dataclass
class FunctionSource:
    name: str
    node: cst.FunctionDef
    line: int
    column: int
    text: str  # the function's source text, verbatim
    nested: dict = field(default_factory=dict)  # nested functions read as module ones: name -> theirs


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
    literal_arrays: dict = field(default_factory=dict)  # (shape, bytes) -> NAME: sliced literals as constants
    functions: dict = field(default_factory=dict)  # NAME -> FunctionSource, in source order
    import_lines: list = field(default_factory=list)  # verbatim import statements
    star_import: bool = False  # `from M import *`: any name may be defined
    positions: object = None
    _called_in_loops: set | None = field(default=None, repr=False)  # called_in_loops(), once read

    def called_in_loops(self) -> set:
        """The module's functions some function of it calls inside a `for` or `while` body."""
        if self._called_in_loops is None:
            finder = _CallsInLoops(set(self.functions))
            for source in self.functions.values():
                source.node.visit(finder)
            self._called_in_loops = finder.found
        return self._called_in_loops

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


class _CallsInLoops(cst.CSTVisitor):
    def __init__(self, functions: set):
        self.functions, self.found, self.depth = functions, set(), 0

    def visit_For(self, node) -> None:
        self.depth += 1

    def leave_For(self, node) -> None:
        self.depth -= 1

    def visit_While(self, node) -> None:
        self.depth += 1

    def leave_While(self, node) -> None:
        self.depth -= 1

    def visit_Call(self, node) -> None:
        if self.depth and isinstance(node.func, cst.Name) and node.func.value in self.functions:
            self.found.add(node.func.value)
