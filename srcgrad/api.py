"""The in-process API: `grad`, `value_and_grad` and `source` on ordinary Python functions.

`grad(f)` reads the file that defines f (it never re-imports it), generates the whole file's
`FILE_grad` module, compiles it into the build cache (SRCGRAD_CACHE_DIR, default
~/.cache/srcgrad; see srcgrad.build) and loads it under a private name, so it never clashes
with a `FILE_grad` the user imports from OUTDIR. Loaded modules are kept per (file, content
hash): asking again for the same unchanged file costs a file read and a hash, not a build.

`wrt` selects gradients by position in f's parameter list, as written in the `def`:
  - None: every differentiable parameter, the same value `grad_f` returns (the gradient itself
    when f has one differentiable parameter, else a tuple in parameter order);
  - an int i: the gradient for parameter i alone (negative i counts from the end);
  - a tuple of ints: a tuple of those gradients, in the order given (even for one index).
Naming a parameter that is not differentiable (annotated `int` or `bool`) raises ValueError.

f must be a top-level function of a source file. A lambda, a nested function, a method, a
function typed at the prompt, or one the compiler cannot transform goes to
`_when_not_compilable`, the single place that decides what happens then.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import inspect
import os
import sys
import threading
import tokenize
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from . import build as builder
from . import generate as generator
from .diagnostics import SourceError

__all__ = ["grad", "value_and_grad", "source", "NotCompilable"]


class NotCompilable(Exception):
    """f cannot be differentiated ahead of time (and no eager fallback is available yet)."""


def grad(f, wrt=None):
    """A callable returning the gradient of f, with the conventions of the generated `grad_f`."""
    return _differentiate(f, wrt, value_too=False)


def value_and_grad(f, wrt=None):
    """A callable returning `(f(*args), gradient)`, computed in one pass."""
    return _differentiate(f, wrt, value_too=True)


def source(f) -> str:
    """The generated adjoint source of f, as `srcgrad show FILE.py:NAME` prints it."""
    target = _locate(f)
    if isinstance(target, str):
        raise NotCompilable(f"{_describe(f)}: {target}")
    generated = _generated_module(target).generated
    try:
        return generated.function_sources[target.name]
    except KeyError:
        raise NotCompilable(f"{_describe(f)}: the generated module has no adjoint for it") from None


# --------------------------------------------------------------------------- where f lives


@dataclass(frozen=True)
class _Target:
    path: str  # the source file
    name: str  # f's name, a top-level function of that file
    text: str  # the file's current contents


def _locate(f) -> _Target | str:
    """f's source file and name, or the reason it has none the compiler can use."""
    if not inspect.isfunction(f):
        return f"not a Python function ({type(f).__name__}); only top-level functions of a source file are compiled"
    if f.__name__ == "<lambda>":
        return "a lambda has no name to find in its source file"
    if f.__qualname__ != f.__name__:
        return "only top-level functions of a source file are compiled, not nested functions or methods"
    if f.__name__.startswith("_"):
        return "names starting with _ are private; the generated module does not differentiate them"
    path = inspect.getsourcefile(f)
    if path is None or not os.path.isfile(path):
        return "its source file is not available (defined at the prompt or by exec?)"
    if not Path(path).stem.isidentifier():
        return f"its file name {Path(path).name!r} is not a Python identifier, so it cannot name a module"
    try:
        with tokenize.open(path) as file:
            text = file.read()
    except (OSError, SyntaxError, UnicodeDecodeError) as error:
        return f"cannot read {path}: {error}"
    return _Target(path, f.__name__, text)


def _describe(f) -> str:
    name = getattr(f, "__qualname__", None) or repr(f)
    module = getattr(f, "__module__", None)
    return f"{module}.{name}" if module else name


# --------------------------------------------------------------------------- generated modules


@dataclass
class _Loaded:
    generated: generator.GeneratedModule
    module: ModuleType | None = None  # compiled and imported on first use


_loaded: dict[tuple[str, str], _Loaded] = {}
_loading = threading.Lock()  # one generate/compile/import at a time per process


def _generated_module(target: _Target) -> _Loaded:
    key = (os.path.realpath(target.path), hashlib.sha256(target.text.encode()).hexdigest())
    with _loading:
        if key not in _loaded:
            _loaded[key] = _Loaded(builder.generate_cached(target.text, target.path))
        return _loaded[key]


def _compiled_module(loaded: _Loaded) -> ModuleType:
    with _loading:
        if loaded.module is None:
            generated = loaded.generated
            binary, _ = builder.compile_cached(generated.text, generated.module_name)
            loaded.module = _import_extension(binary, generated.module_name)
        return loaded.module


def _import_extension(binary: Path, module_name: str) -> ModuleType:
    """Import a compiled extension under a private dotted name that cannot clash.

    The extension's init function is found from the last part of the name (PyInit_FILE_grad),
    so the private part is a made-up package in front: `_srcgrad_<cache key>.FILE_grad`.
    """
    private_name = f"_srcgrad_{binary.parent.name[:16]}.{module_name}"
    if private_name in sys.modules:
        return sys.modules[private_name]
    loader = importlib.machinery.ExtensionFileLoader(private_name, str(binary))
    spec = importlib.util.spec_from_file_location(private_name, binary, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    sys.modules[private_name] = module
    return module


# --------------------------------------------------------------------------- differentiating


def _differentiate(f, wrt, value_too: bool):
    target = _locate(f)
    if isinstance(target, str):
        return _when_not_compilable(f, wrt, value_too, target)
    try:
        loaded = _generated_module(target)
    except SourceError as error:
        return _when_not_compilable(f, wrt, value_too, error.diagnostic.format())
    report = next((r for r in loaded.generated.reports if r.name == target.name), None)
    if report is None:
        return _when_not_compilable(f, wrt, value_too, "the generated module has no adjoint for it")
    if not report.compiled:
        reason = _warning_for(loaded.generated, target.name) or "outside the compiled subset"
        return _when_not_compilable(f, wrt, value_too, reason)
    select = _selector(f, report, wrt)
    module = _compiled_module(loaded)
    if value_too:
        compiled = getattr(module, f"value_and_grad_{target.name}")

        def differentiated(*args, **kwargs):
            value, gradient = compiled(*args, **kwargs)
            return value, select(gradient)

    else:
        compiled = getattr(module, f"grad_{target.name}")

        def differentiated(*args, **kwargs):
            return select(compiled(*args, **kwargs))

    differentiated.__name__ = compiled.__name__
    differentiated.__qualname__ = compiled.__name__
    differentiated.__doc__ = f"{compiled.__name__} of {target.path}, compiled by srcgrad"
    differentiated.__wrapped__ = f  # so inspect.signature shows f's parameters
    return differentiated


def _when_not_compilable(f, wrt, value_too: bool, reason: str):
    """The one place that decides what happens when f cannot be compiled ahead of time.

    For now an error. Once srcgrad.eager exists, the contract asks for the eager tape instead,
    with a srcgrad.FallbackWarning naming `reason`.
    """
    raise NotCompilable(f"{_describe(f)} cannot be differentiated ahead of time: {reason}")


def _warning_for(generated, name: str) -> str | None:
    prefix = f"{name}: "
    for diagnostic in generated.diagnostics:
        if diagnostic.message.startswith(prefix):
            return f"{diagnostic.filename}:{diagnostic.line}:{diagnostic.column}: {diagnostic.message}"
    return None


def _selector(f, report, wrt):
    """A function that picks the `wrt` gradients out of what `grad_f` returns."""
    parameters = list(inspect.signature(f).parameters)
    differentiable = _differentiable_parameters(f, report)
    several = len(differentiable) != 1

    def as_tuple(gradient):
        return tuple(gradient) if several else (gradient,)

    if wrt is None:
        return lambda gradient: gradient
    if isinstance(wrt, int):
        position = _position(wrt, parameters, differentiable)
        return lambda gradient: as_tuple(gradient)[position]
    if isinstance(wrt, tuple) and all(isinstance(i, int) for i in wrt):
        positions = [_position(i, parameters, differentiable) for i in wrt]
        return lambda gradient: tuple(as_tuple(gradient)[p] for p in positions)
    raise TypeError(f"wrt must be None, an int or a tuple of ints, not {wrt!r}")


def _position(index: int, parameters: list[str], differentiable: list[str]) -> int:
    """Where parameter `index` of f sits among the gradients `grad_f` returns."""
    if not -len(parameters) <= index < len(parameters):
        raise ValueError(f"wrt={index}: f has {len(parameters)} parameters")
    name = parameters[index]
    if name not in differentiable:
        raise ValueError(f"wrt={index}: parameter {name!r} is not differentiable (int or bool)")
    return differentiable.index(name)


def _differentiable_parameters(f, report) -> list[str]:
    """Names of f's differentiable parameters, in order.

    The compiler knows best (it infers the types of unannotated parameters); until its report
    says, parameters annotated int or bool are the non-differentiable ones.
    """
    known = getattr(report, "differentiable", None)
    if known is not None:
        return list(known)
    signature = inspect.signature(f)
    return [
        name
        for name, parameter in signature.parameters.items()
        if parameter.annotation not in (int, bool, "int", "bool")
    ]
