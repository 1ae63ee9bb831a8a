"""Where f lives and its compiled module: the source file and name of a top-level function, the
whole file's generated `FILE_grad` module (kept per file and content hash) and its extension,
compiled into the build cache and imported under a private name."""

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

import numpy as np

from .. import build as builder
from .. import generate as generator
from ..diagnostics import SourceError, WrtError
from ..sizes import parse_size


class NotCompilable(Exception):
    """f cannot be differentiated ahead of time (and no eager fallback is available yet)."""


@dataclass(frozen=True)
class _Target:
    path: str  # the source file
    name: str  # f's name, a top-level function of that file
    text: str  # the file's current contents


def _locate(f) -> _Target | str:
    """f's source file and name, or the reason it has none the compiler can use."""
    if isinstance(f, np.ufunc):
        return "not a Python function (a NumPy ufunc), so there is no source to compile"
    if inspect.isbuiltin(f):
        return "not a Python function (a built-in), so there is no source to compile"
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


def tape_limit_bytes(tape_limit) -> int | None:
    """tape_limit= of grad, value_and_grad, vjp and hvp in bytes: None, a number of bytes, or a
    string with a K, M or G suffix ("64M"); ValueError otherwise."""
    return None if tape_limit is None else parse_size(tape_limit)


def _describe(f) -> str:
    """f's name as a user would write it: module.name, numpy.sin, abs."""
    name = getattr(f, "__qualname__", None) or getattr(f, "__name__", None) or repr(f)
    module = "numpy" if isinstance(f, np.ufunc) else getattr(f, "__module__", None)
    return f"{module}.{name}" if module and module != "builtins" else name


@dataclass
class _Loaded:
    generated: generator.GeneratedModule
    module: ModuleType | None = None  # compiled and imported on first use


_loaded: dict[tuple, _Loaded] = {}


_loading = threading.Lock()  # one generate/compile/import at a time per process


def _generated_module(target: _Target, **options) -> _Loaded:
    """The generated module of target's file; options are srcgrad.generate.generate's."""
    asked = tuple(sorted((name, value) for name, value in options.items() if value))
    key = (os.path.realpath(target.path), hashlib.sha256(target.text.encode()).hexdigest(), asked)
    with _loading:
        if key not in _loaded:
            _loaded[key] = _Loaded(builder.generate_cached(target.text, target.path, **dict(asked)))
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


def _compiled(f, **options):
    """(module, target, report) of f's compiled derivatives, or the reason there are none; options
    are srcgrad.generate.generate's (what to generate besides the gradients)."""
    target = _locate(f)
    if isinstance(target, str):
        return target
    try:
        loaded = _generated_module(target, **options)
        report = next((r for r in loaded.generated.reports if r.name == target.name), None)
        if report is None:
            return "the generated module has no adjoint for it"
        if not report.compiled:
            return _warning_for(loaded.generated, target.name) or "outside the compiled subset"
        return _compiled_module(loaded), target, report
    except SourceError as error:
        return error.diagnostic.format()
    except WrtError:  # the caller decides (grad(f, wrt=...) takes the full gradient apart instead)
        raise
    except Exception as error:  # noqa: BLE001  (a compiler or C-compiler failure must not cost the user the gradient)
        return f"srcgrad could not compile it ({type(error).__name__}: {error})"


def _warning_for(generated, name: str) -> str | None:
    prefix = f"{name}: "
    for diagnostic in generated.diagnostics:
        if diagnostic.message.startswith(prefix):
            return f"{diagnostic.filename}:{diagnostic.line}:{diagnostic.column}: {diagnostic.message}"
    return None
