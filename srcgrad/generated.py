"""What srcgrad.generate.generate returns, in a module of its own: build.py reads a remembered
result back into these classes without loading the compiler (libcst and all)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .diagnostics import Diagnostic


@dataclass
class FunctionReport:
    name: str
    line: int
    compiled: bool  # False: the gradient uses the eager tape
    taped: str  # human summary of what the forward sweep records, e.g. "out: 1 double per iteration (line 4)"
    differentiable: list = field(default_factory=list)  # parameter names that get gradients, in order
    types: dict = field(default_factory=dict)  # compiled: parameter name (and "return") -> inferred type


@dataclass
class GeneratedModule:
    module_name: str  # e.g. "tutorial_grad"
    suffix: str  # ".pyx" (Cython) or ".py" (--pure)
    text: str  # the whole generated file, deterministic
    function_sources: dict[str, str] = field(default_factory=dict)  # NAME -> adjoint source (for `show`)
    diagnostics: list[Diagnostic] = field(default_factory=list)  # warnings
    reports: list[FunctionReport] = field(default_factory=list)
    stub: str = ""  # the FILE_grad.pyi type stub
