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
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

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


def _generated_module(target: _Target, third_order: bool = False) -> _Loaded:
    key = (os.path.realpath(target.path), hashlib.sha256(target.text.encode()).hexdigest(), third_order)
    with _loading:
        if key not in _loaded:
            options = {"third_order": True} if third_order else {}
            _loaded[key] = _Loaded(builder.generate_cached(target.text, target.path, **options))
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


def _compiled(f, third_order: bool = False):
    """(module, target, report) of f's compiled derivatives, or the reason there are none."""
    target = _locate(f)
    if isinstance(target, str):
        return target
    try:
        loaded = _generated_module(target, third_order)
    except SourceError as error:
        return error.diagnostic.format()
    report = next((r for r in loaded.generated.reports if r.name == target.name), None)
    if report is None:
        return "the generated module has no adjoint for it"
    if not report.compiled:
        return _warning_for(loaded.generated, target.name) or "outside the compiled subset"
    return _compiled_module(loaded), target, report


def _differentiate(f, wrt, value_too: bool):
    if hasattr(f, "__srcgrad__"):
        return _nested(f, wrt, value_too)
    found = _compiled(f)
    if isinstance(found, str):
        return _when_not_compilable(f, wrt, value_too, found)
    module, target, report = found
    select = _selector(f, report, wrt)
    if value_too:
        compiled = getattr(module, f"value_and_grad_{target.name}")

        def differentiated(*args, **kwargs):
            value, gradient = compiled(*args, **kwargs)
            return value, select(gradient)

    else:
        compiled = getattr(module, f"grad_{target.name}")

        def differentiated(*args, **kwargs):
            return select(compiled(*args, **kwargs))

    return _labelled(differentiated, f, compiled.__name__, f"{compiled.__name__} of {target.path}, compiled by srcgrad",
                     _Nesting(f, 1, _single_scalar(report, f, wrt)))


@dataclass(frozen=True)
class _Nesting:
    """What grad(grad(f)) needs to know about grad(f): the function, the order, and whether
    f is a compiled function of one float parameter (the case higher orders are compiled for)."""

    base: object
    order: int
    single: bool


def _labelled(function, f, name: str, doc: str, nesting: _Nesting):
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    function.__wrapped__ = f  # so inspect.signature shows f's parameters
    function.__srcgrad__ = nesting
    return function


def _single_scalar(report, f, wrt) -> bool:
    differentiable = _differentiable_parameters(f, report)
    if len(differentiable) != 1 or wrt not in (None, 0, (0,)):
        return False
    return True


MAX_COMPILED_ORDER = 3


def _nested(g, wrt, value_too: bool):
    """grad of a function srcgrad made: compiled to third order for one float parameter."""
    nesting = g.__srcgrad__
    base, order = nesting.base, nesting.order + 1
    found = _compiled(base, third_order=order == 3) if nesting.single and order <= MAX_COMPILED_ORDER else None
    if found is None or isinstance(found, str):
        reason = found if isinstance(found, str) else (
            f"order {order} derivatives are compiled up to order {MAX_COMPILED_ORDER} for functions of one float "
            "parameter")
        return _eager_nested(base, order, value_too, reason)
    module, target, _ = found
    lower_order = g

    if order == 2:
        derivative = getattr(module, f"hessian_{target.name}")
    else:
        derivative = getattr(module, f"third_derivative_{target.name}")

    def differentiated(*args):
        if value_too:
            return lower_order(*args), derivative(*args)
        return derivative(*args)

    return _labelled(differentiated, base, f"derivative_{order}_{target.name}",
                     f"order {order} derivative of {target.name}, compiled by srcgrad",
                     _Nesting(base, order, nesting.single))


def _eager_nested(base, order: int, value_too: bool, reason: str):
    from .eager import FallbackWarning, gradients_function

    warnings.warn(f"{_describe(base)}: {_reason_text(reason)}; order {order} uses the eager tape", FallbackWarning,
                  stacklevel=3)
    lower = _traceable(base)
    for _ in range(order - 1):
        lower = _first_gradient(gradients_function(lower))
    derivative = _first_gradient(gradients_function(lower))

    def differentiated(*args):
        if value_too:
            return _plain_value(lower(*args)), _plain_value(derivative(*args))
        return _plain_value(derivative(*args))

    return _labelled(differentiated, base, f"derivative_{order}", f"order {order} derivative by the eager tape",
                     _Nesting(base, order, False))


def _first_gradient(gradients):
    def first(*args):
        return gradients(*args)[0]

    return first


def _plain_value(x):
    from .eager import Tensor

    if isinstance(x, Tensor):
        x = x.numpy()
    return float(x) if np.ndim(x) == 0 else x


def _when_not_compilable(f, wrt, value_too: bool, reason: str):
    """The one place that decides what happens when f cannot be compiled ahead of time:
    the eager tape computes the gradient, with a FallbackWarning naming the reason."""
    from .eager import FallbackWarning
    from .eager.functions import value_and_grad_of

    if not callable(f):
        raise TypeError(f"srcgrad.grad needs a function, not {type(f).__name__}")
    warnings.warn(f"{_describe(f)}: {_reason_text(reason)}; its gradient uses the eager tape", FallbackWarning,
                  stacklevel=3)
    parameters = _parameters_or_none(f)
    positions = _eager_positions(parameters, wrt)
    traced = _traceable(f)

    def value_and_gradient(*args):
        chosen = positions if positions is not None else tuple(
            i for i, a in enumerate(args) if not isinstance(a, (bool, int)))
        value, gradients = value_and_grad_of(traced, args, chosen)
        if isinstance(wrt, int):
            gradient = gradients[0]
        elif isinstance(wrt, tuple) or len(gradients) != 1:
            gradient = tuple(gradients)
        else:
            gradient = gradients[0]
        return value, gradient

    if value_too:
        differentiated = value_and_gradient
    else:
        def differentiated(*args):
            return value_and_gradient(*args)[1]

    return _labelled(differentiated, f, f"grad_{getattr(f, '__name__', 'f')}", "gradient by the eager tape",
                     _Nesting(f, 1, False))


def _traceable(f):
    """f as the eager tape runs it: math functions (and f's own calls of them) record on Tensors."""
    import math

    from .eager import mathlib

    if getattr(f, "__module__", None) == "math" or getattr(math, getattr(f, "__name__", ""), None) is f:
        return getattr(mathlib, f.__name__, f)
    return mathlib.tensor_math(f)


def _reason_text(reason: str) -> str:
    """The build warning's text without its 'grad_NAME uses the eager tape' tail (said again here)."""
    return reason.split("; grad_")[0]


def _parameters_or_none(f):
    try:
        return list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        return None


def _eager_positions(parameters, wrt):
    if isinstance(wrt, int):
        return (wrt,)
    if isinstance(wrt, tuple):
        return wrt
    if parameters is None:
        return None
    chosen = tuple(i for i, p in enumerate(parameters) if p.annotation not in (int, bool, "int", "bool"))
    return chosen or None


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


# --------------------------------------------------------------------------- forward mode and Hessians


def jvp(f):
    """A callable `(*args, tangents) -> directional derivative of f along tangents` (forward mode)."""
    return _forward_entry(f, "jvp", "jvp_of")


def hvp(f):
    """A callable `(*args, v) -> Hessian of f times v` (forward over reverse)."""
    return _forward_entry(f, "hvp", "hvp_of")


def hessian(f):
    """A callable `(*args) -> Hessian of f` for float parameters (a float for one parameter)."""
    return _forward_entry(f, "hessian", "hessian_of")


def _forward_entry(f, kind: str, eager_name: str):
    found = _compiled(f)
    if not isinstance(found, str):
        module, target, _ = found
        compiled = getattr(module, f"{kind}_{target.name}")

        def derivative(*args):
            return compiled(*args)

        return _labelled(derivative, f, compiled.__name__, f"{compiled.__name__} of {target.path}, compiled by srcgrad",
                         _Nesting(f, 2 if kind != "jvp" else 1, False))
    from .eager import FallbackWarning
    from .eager import functions as eager_functions

    warnings.warn(f"{_describe(f)}: {_reason_text(found)}; {kind} uses the eager tape", FallbackWarning, stacklevel=2)
    eager = getattr(eager_functions, eager_name)
    traced = _traceable(f)
    positions = _eager_positions(_parameters_or_none(f), None)

    def derivative(*args):
        chosen = positions if positions is not None else tuple(
            i for i, a in enumerate(args) if not isinstance(a, (bool, int)))
        if kind == "hessian":
            result = eager(traced, args, chosen)
        else:
            *args, direction = args
            direction = direction if len(chosen) != 1 or isinstance(direction, tuple) else (direction,)
            result = eager(traced, tuple(args), chosen, direction)
        return _plain_result(result)

    return _labelled(derivative, f, f"{kind}_{getattr(f, '__name__', 'f')}", f"{kind} by the eager tape",
                     _Nesting(f, 2, False))


def _plain_result(result):
    if isinstance(result, (list, tuple)):
        plain = [_plain_value(r) for r in result]
        return plain[0] if len(plain) == 1 else tuple(plain)
    return _plain_value(result)


def check_grads(f, args, order: int = 1, *, eps: float = 1e-6, rtol: float = 1e-5, atol: float = 1e-8,
                seed: int = 0) -> None:
    """Check f's derivatives against central finite differences along random directions.

    order=1 compares the gradient and forward mode (grad . v, jvp) with the difference quotient
    of f along v; order=2 also compares the Hessian-vector product with the difference quotient
    of the gradient. Raises AssertionError naming the worst mismatch.
    """
    args = tuple(args)
    rng = np.random.default_rng(seed)
    found = _compiled(f)
    if isinstance(found, str):
        raise ValueError(f"check_grads checks compiled derivatives; {_describe(f)}: {found}")
    module, target, report = found
    names = list(inspect.signature(f).parameters)
    positions = [names.index(p) for p in report.differentiable]
    directions = [rng.normal(size=np.shape(args[i])) if np.ndim(args[i]) else float(rng.normal()) for i in positions]
    packed = directions[0] if len(positions) == 1 else tuple(directions)

    def along(t, point=args):
        moved = list(point)
        for i, direction in zip(positions, directions):
            moved[i] = np.asarray(point[i], dtype=float) + t * direction if np.ndim(point[i]) else point[i] + t * direction
        return moved

    def gradients(point):
        g = getattr(module, f"grad_{target.name}")(*point)
        return [g] if len(positions) == 1 else list(g)

    mismatches = []

    def compare(what, got, expected):
        got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
        error = float(np.max(np.abs(got - expected) / (atol + rtol * np.abs(expected)))) if got.size else 0.0
        mismatches.append((error, what, got, expected))

    numeric = (np.sum(f(*along(eps))) - np.sum(f(*along(-eps)))) / (2 * eps)
    gradient = gradients(args)
    compare("grad . v", sum(float(np.sum(g * d)) for g, d in zip(gradient, directions)), numeric)
    compare("jvp", np.sum(getattr(module, f"jvp_{target.name}")(*args, packed)), numeric)
    if order >= 2:
        up, down = gradients(along(eps)), gradients(along(-eps))
        hv = getattr(module, f"hvp_{target.name}")(*args, packed)
        hv = [hv] if len(positions) == 1 else list(hv)
        for k, name in enumerate(report.differentiable):
            compare(f"hvp[{name}]", hv[k], (np.asarray(up[k]) - np.asarray(down[k])) / (2 * eps))
    worst = max(mismatches, key=lambda m: m[0])
    if worst[0] > 1.0:
        raise AssertionError(f"{target.name}: {worst[1]} = {worst[2].tolist()}, but central differences give "
                             f"{worst[3].tolist()} (error {worst[0]:.3g} times the tolerance)")
