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

import contextlib
import hashlib
import importlib.machinery
import importlib.util
import inspect
import numbers
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

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "hvp", "hessian", "check_grads", "source", "NotCompilable"]


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


def _describe(f) -> str:
    """f's name as a user would write it: module.name, numpy.sin, abs."""
    name = getattr(f, "__qualname__", None) or getattr(f, "__name__", None) or repr(f)
    module = "numpy" if isinstance(f, np.ufunc) else getattr(f, "__module__", None)
    return f"{module}.{name}" if module and module != "builtins" else name


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


# --------------------------------------------------------------------------- fallback warnings

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _fallback_warning(message: str) -> None:
    """A FallbackWarning attributed to the first frame outside srcgrad: the user's line that
    asked for the derivative, however deep inside srcgrad the decision was taken."""
    from .eager import FallbackWarning

    level, frame = 1, sys._getframe(0)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, FallbackWarning, stacklevel=level)


# --------------------------------------------------------------------------- differentiating


def _compiled(f, third_order: bool = False):
    """(module, target, report) of f's compiled derivatives, or the reason there are none."""
    target = _locate(f)
    if isinstance(target, str):
        return target
    try:
        loaded = _generated_module(target, third_order)
        report = next((r for r in loaded.generated.reports if r.name == target.name), None)
        if report is None:
            return "the generated module has no adjoint for it"
        if not report.compiled:
            return _warning_for(loaded.generated, target.name) or "outside the compiled subset"
        return _compiled_module(loaded), target, report
    except SourceError as error:
        return error.diagnostic.format()
    except Exception as error:  # noqa: BLE001  (a compiler or C-compiler failure must not cost the user the gradient)
        return f"srcgrad could not compile it ({type(error).__name__}: {error})"


def _differentiate(f, wrt, value_too: bool):
    _check_wrt_type(wrt)
    if hasattr(f, "__srcgrad__"):
        return _nested(f, wrt, value_too)
    found = _compiled(f)
    if isinstance(found, str):
        return _when_not_compilable(f, wrt, value_too, found)
    module, target, report = found
    select = _selector(f, report, wrt)
    call = _Call(f, _differentiable_parameters(f, report))
    no_gradient = None if call.differentiable else _no_parameter_message(_describe(f), call)
    if value_too:
        compiled = getattr(module, f"value_and_grad_{target.name}")

        def differentiated(*args, **kwargs):
            if no_gradient:
                raise TypeError(no_gradient)
            value, gradient = compiled(*args, **kwargs)
            return value, select(gradient)

    else:
        compiled = getattr(module, f"grad_{target.name}")

        def differentiated(*args, **kwargs):
            if no_gradient:
                raise TypeError(no_gradient)
            return select(compiled(*args, **kwargs))

    eager = _eager_value_and_grad(_traceable(f), call, wrt, _describe(f))
    single = _single_position(call, wrt) if not value_too else None
    return _labelled(differentiated, f, compiled.__name__, f"{compiled.__name__} of {target.path}, compiled by srcgrad",
                     _Nesting(f, 1, call, _eager_part(eager, value_too), single))


@dataclass(frozen=True)
class _Nesting:
    """What grad(grad(f)) needs to know about grad(f)."""

    base: object  # the user's function
    order: int
    call: "_Call"  # base's parameters, which every derivative of it shares
    eager: object  # this same derivative on the eager tape (Tensors in and out inside a tape)
    single: int | None = None  # the parameter a compiled higher order differentiates along, if any
    fallback: str | None = None  # why this derivative already runs on the eager tape


def _labelled(function, f, name: str, doc: str, nesting: _Nesting):
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    function.__wrapped__ = f  # so inspect.signature shows f's parameters
    function.__srcgrad__ = nesting
    return function


def _single_position(call: "_Call", wrt) -> int | None:
    """The parameter grad(f, wrt) differentiates along when it returns one bare gradient (not a
    tuple): the case higher orders are compiled for."""
    if isinstance(wrt, int):
        position = wrt % len(call.names) if call.names else None
        return position if position in call.differentiable else None
    if wrt is None and len(call.differentiable) == 1:
        return call.differentiable[0]
    return None


MAX_COMPILED_ORDER = 3


def _nested(g, wrt, value_too: bool):
    """grad of a function srcgrad made. When g is a compiled gradient along one parameter p
    (a bare gradient, not a tuple), order 2 is compiled: the Hessian-vector product with ones
    along p (the gradient of the sum of g's elements). Order 3 is compiled where the module has a
    third derivative (one float parameter, no arrays). Everything else runs on the eager tape,
    with a FallbackWarning saying why."""
    nesting = g.__srcgrad__
    base, order, call = nesting.base, nesting.order + 1, nesting.call
    name = getattr(base, "__name__", "f")
    shown = f"grad({_describe(base)})" if order == 2 else f"the order {order - 1} derivative of {_describe(base)}"
    if nesting.eager is None:
        raise TypeError(f"{g.__name__} cannot be differentiated again; nest srcgrad.grad instead "
                        "(grad(grad(f)) gives the second derivative)")
    if nesting.fallback is None and nesting.single is None:  # g returns a tuple: say so now, not at the first call
        if g.__name__.startswith("value_and_grad_"):
            raise TypeError(f"value_and_grad({_describe(base)}) returns a tuple (value, gradient): differentiate "
                            "grad(f) instead")
        _checked_output((), shown)
    call.check_wrt(wrt)
    reason = nesting.fallback
    if reason is None and order > MAX_COMPILED_ORDER:
        reason = f"derivatives are compiled up to order {MAX_COMPILED_ORDER}"
    elif reason is None and order == 3 and (wrt is not None or len(call.differentiable) != 1):
        reason = "a compiled third derivative needs a function of one differentiable parameter (and no wrt)"
    if reason is None:
        derivative = _compiled_higher_order(base, order, nesting.single, call, wrt)
        if isinstance(derivative, str):
            reason = derivative
    if reason is not None:
        return _eager_function(base, nesting.eager, call, wrt, value_too, order, reason, shown)
    lower = g

    def differentiated(*args, **kwargs):
        if value_too:
            return lower(*args, **kwargs), derivative(*args, **kwargs)
        return derivative(*args, **kwargs)

    eager = _eager_value_and_grad(nesting.eager, call, wrt, shown)
    single = None if value_too else _single_position(call, wrt)
    return _labelled(differentiated, base, f"derivative_{order}_{name}",
                     f"order {order} derivative of {name}, compiled by srcgrad",
                     _Nesting(base, order, call, _eager_part(eager, value_too), single))


def _compiled_higher_order(base, order: int, along: int, call: "_Call", wrt):
    """The compiled order 2 or 3 derivative of base (the lower order being the gradient along
    parameter `along`), with the gradients `wrt` picks, or the reason there is none."""
    found = _compiled(base, third_order=order == 3)
    if isinstance(found, str):
        return found
    module, target, _ = found
    if order == 3:
        third = getattr(module, f"third_derivative_{target.name}", None)
        if third is None:
            return (f"no compiled third derivative of {target.name} (compiled only for a function of one float "
                    "parameter and no array parameters)")
        return third
    hvp_compiled = getattr(module, f"hvp_{target.name}", None)
    if hvp_compiled is None:
        return f"the compiled module has no hvp_{target.name}"
    differentiable = call.differentiable
    names = [call.names[i] for i in differentiable]
    if wrt is None:
        picked, bare = list(range(len(differentiable))), len(differentiable) == 1
    elif isinstance(wrt, int):
        picked, bare = [_position(wrt, call.names, names)], True
    else:
        picked, bare = [_position(i, call.names, names) for i in wrt], False

    def second(*args, **kwargs):
        values, rebuild = call.flatten(args, kwargs)
        direction = [_filled(values[i], 1.0 if i == along else 0.0) for i in differentiable]
        positional, keywords = rebuild(values)
        product = hvp_compiled(*positional, direction[0] if len(direction) == 1 else tuple(direction), **keywords)
        product = [product] if len(direction) == 1 else list(product)
        return product[picked[0]] if bare else tuple(product[k] for k in picked)

    return second


def _filled(like, fill: float):
    """fill, shaped like the argument `like` (a float for a number)."""
    shape = np.shape(like.numpy() if hasattr(like, "numpy") else like)
    return np.full(shape, fill) if shape else fill


# --------------------------------------------------------------------------- the eager tape


class _Call:
    """f's parameters as the eager tape sees them: every argument in `def` order (defaults filled
    in, keyword-only ones too), and which positions are differentiated when no `wrt` is given.
    A callable without a Python signature (a NumPy ufunc, a builtin) is called with the
    positional arguments it was given, and each numeric one is differentiated."""

    def __init__(self, f, differentiable_names=None):
        self.signature = None
        if inspect.isfunction(f):
            with contextlib.suppress(TypeError, ValueError):
                signature = inspect.signature(f)
                if not any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in signature.parameters.values()):
                    self.signature = signature
        if self.signature is None:
            self.names, self.differentiable = [], []
            return
        parameters = self.signature.parameters
        self.names = list(parameters)
        if differentiable_names is None:
            differentiable_names = [n for n, p in parameters.items() if p.annotation not in _INTEGRAL]
        self.differentiable = [self.names.index(n) for n in differentiable_names if n in parameters]

    @property
    def known(self) -> bool:
        return self.signature is not None

    def flatten(self, args, kwargs):
        """(values, rebuild): the arguments in parameter order, and rebuild(values) -> (args, kwargs)."""
        if self.signature is None:
            return list(args), lambda values: (tuple(values), dict(kwargs))
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        parameters = list(self.signature.parameters.values())
        values = [bound.arguments[p.name] for p in parameters]

        def rebuild(values):
            positional = tuple(v for v, p in zip(values, parameters) if p.kind != p.KEYWORD_ONLY)
            keywords = {p.name: v for v, p in zip(values, parameters) if p.kind == p.KEYWORD_ONLY}
            return positional, keywords

        return values, rebuild

    def positions(self, values, wrt) -> list[int]:
        if isinstance(wrt, int):
            return [self._index(wrt, len(values))]
        if isinstance(wrt, tuple):
            return [self._index(i, len(values)) for i in wrt]
        candidates = self.differentiable if self.known else range(len(values))
        return [i for i in candidates if _numeric(values[i])]

    def _index(self, index: int, count: int) -> int:
        if not -count <= index < count:
            raise ValueError(f"wrt={index}: f has {count} parameter{'' if count == 1 else 's'}")
        return index % count

    def check_wrt(self, wrt) -> None:
        """Refuse, when the function is made, a wrt naming no differentiable parameter."""
        if not self.known or wrt is None:
            return
        differentiable = [self.names[i] for i in self.differentiable]
        for index in (wrt,) if isinstance(wrt, int) else wrt:
            _position(index, self.names, differentiable)


_INTEGRAL = (int, bool, "int", "bool")


def _numeric(x) -> bool:
    from .eager import Tensor

    if isinstance(x, (bool, np.bool_)):
        return False
    if isinstance(x, (Tensor, numbers.Real)):
        return True
    return isinstance(x, np.ndarray) and x.dtype.kind in "fiu"


def _check_wrt_type(wrt) -> None:
    if wrt is None or (isinstance(wrt, int) and not isinstance(wrt, bool)):
        return
    if isinstance(wrt, tuple) and all(isinstance(i, int) and not isinstance(i, bool) for i in wrt):
        return
    raise TypeError(f"wrt must be None, an int or a tuple of ints, not {wrt!r}")


def _no_parameter_message(name: str, call: _Call) -> str:
    if call.known and not call.names:
        return f"{name} takes no parameters, so it has no gradient"
    if call.known:
        return (f"{name} has no differentiable parameter (its parameters are annotated int or bool), "
                "so it has no gradient")
    return f"no argument of {name} is a float or a float array, so it has no gradient"


def _checked_output(out, name: str):
    """f's output, if it is something a gradient can be taken of."""
    if out is None:
        raise TypeError(f"{name} returned None: a function with no return value has no gradient")
    if isinstance(out, (tuple, list)):
        if name.startswith(("grad(", "the order ")):  # grad(grad(f)) where grad(f) gives one gradient per parameter
            advice = "pick one parameter with wrt=, as in grad(grad(f, wrt=0), wrt=0)"
        else:
            advice = "differentiate each element on its own, or return their sum"
        raise TypeError(f"{name} returns a {type(out).__name__}: a gradient needs one float or array output ({advice})")
    return out


def _eager_value_and_grad(fn, call: _Call, wrt, name: str):
    """`(value, gradient)` of the traceable fn on the eager tape, with grad_f's conventions.
    Inside a recording tape (nested derivatives) value and gradient are Tensors."""
    from .eager.functions import value_and_grad_of

    def value_and_gradient(*args, **kwargs):
        values, rebuild = call.flatten(args, kwargs)
        positions = call.positions(values, wrt)
        if not positions:
            raise TypeError(_no_parameter_message(name, call))

        def flat(*flat_values):
            positional, keywords = rebuild(flat_values)
            return _checked_output(fn(*positional, **keywords), name)

        value, gradients = value_and_grad_of(flat, values, positions)
        if isinstance(wrt, tuple) or (wrt is None and len(gradients) != 1):
            return value, tuple(gradients)
        return value, gradients[0]

    return value_and_gradient


def _eager_part(value_and_gradient, value_too: bool):
    if value_too:
        return value_and_gradient

    def gradient(*args, **kwargs):
        return value_and_gradient(*args, **kwargs)[1]

    return gradient


def _eager_function(base, fn, call: _Call, wrt, value_too: bool, order: int, reason: str, shown: str):
    """The order `order` derivative of base on the eager tape (fn: the order - 1 one, traceable),
    announced with a FallbackWarning giving the reason."""
    call.check_wrt(wrt)
    tail = "its gradient uses the eager tape" if order == 1 else f"order {order} uses the eager tape"
    _fallback_warning(f"{_describe(base)}: {_reason_text(reason)}; {tail}")
    value_and_gradient = _eager_value_and_grad(fn, call, wrt, shown)
    eager = _eager_part(value_and_gradient, value_too)

    if value_too:
        def differentiated(*args, **kwargs):
            value, gradient = value_and_gradient(*args, **kwargs)
            return _plain_result(value), _plain_result(gradient)
    else:
        def differentiated(*args, **kwargs):
            return _plain_result(value_and_gradient(*args, **kwargs)[1])

    name = getattr(base, "__name__", "f")
    label = f"grad_{name}" if order == 1 else f"derivative_{order}_{name}"
    return _labelled(differentiated, base, label, f"order {order} derivative by the eager tape",
                     _Nesting(base, order, call, eager, fallback=reason))


def _plain_value(x):
    """A float or ndarray, except inside a recording tape, where Tensors stay Tensors."""
    from .eager.core import STATE, Tensor

    if isinstance(x, Tensor) and not STATE.recording:
        x = x.numpy()
    if isinstance(x, Tensor):
        return x
    return float(x) if np.ndim(x) == 0 else x


def _plain_result(result):
    if isinstance(result, tuple):
        return tuple(_plain_value(r) for r in result)
    return _plain_value(result)


def _when_not_compilable(f, wrt, value_too: bool, reason: str):
    """The one place that decides what happens when f cannot be compiled ahead of time:
    the eager tape computes the gradient, with a FallbackWarning naming the reason."""
    if not callable(f):
        raise TypeError(f"srcgrad.grad needs a function, not {type(f).__name__}")
    return _eager_function(f, _traceable(f), _Call(f), wrt, value_too, 1, reason, _describe(f))


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
    positions = [_position(i, parameters, differentiable) for i in wrt]
    return lambda gradient: tuple(as_tuple(gradient)[p] for p in positions)


def _position(index: int, parameters: list[str], differentiable: list[str]) -> int:
    """Where parameter `index` of f sits among the gradients `grad_f` returns."""
    if not -len(parameters) <= index < len(parameters):
        count = len(parameters)
        raise ValueError(f"wrt={index}: f has {count} parameter{'' if count == 1 else 's'}")
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
    return [name for name, parameter in signature.parameters.items() if parameter.annotation not in _INTEGRAL]


# --------------------------------------------------------------------------- vjp, forward mode and Hessians


def vjp(f):
    """A callable `(*args, dout) -> dout times the gradient of f` (dout shaped like f's output)."""
    return _entry(f, "vjp")


def jvp(f):
    """A callable `(*args, tangents) -> directional derivative of f along tangents` (forward mode)."""
    return _entry(f, "jvp")


def hvp(f):
    """A callable `(*args, v) -> Hessian of f times v` (forward over reverse)."""
    return _entry(f, "hvp")


def hessian(f):
    """A callable `(*args) -> the dense Hessian of f`, as jax.hessian gives it: for one
    differentiable parameter a float or an array of shape x.shape + x.shape; for several, nested
    tuples of blocks H[i][j] of shape p_i.shape + p_j.shape."""
    return _entry(f, "hessian")


def _entry(f, kind: str):
    found = _compiled(f)
    if isinstance(found, str):
        return _eager_entry(f, kind, found)
    module, target, report = found
    call = _Call(f, _differentiable_parameters(f, report))
    name = f"{kind}_{target.name}"
    if kind == "hessian":
        hvp_compiled = getattr(module, f"hvp_{target.name}")

        def derivative(*args, **kwargs):
            values, rebuild = call.flatten(args, kwargs)
            positional, keywords = rebuild(values)
            return _dense_hessian(values, call.differentiable, _describe(f),
                                  lambda v: hvp_compiled(*positional, v, **keywords))
    else:
        compiled = getattr(module, name)

        def derivative(*args, **kwargs):
            return compiled(*args, **kwargs)

    return _labelled(derivative, f, name, f"{name} of {target.path}, compiled by srcgrad",
                     _Nesting(f, 2 if kind != "jvp" else 1, call, None))


def _eager_entry(f, kind: str, reason: str):
    from .eager.functions import hvp_of, jvp_of, value_and_grad_of

    if not callable(f):
        raise TypeError(f"srcgrad.{kind} needs a function, not {type(f).__name__}")
    _fallback_warning(f"{_describe(f)}: {_reason_text(reason)}; {kind} uses the eager tape")
    call, traced, shown = _Call(f), _traceable(f), _describe(f)

    def derivative(*args, **kwargs):
        if kind != "hessian":
            *args, direction = args
        values, rebuild = call.flatten(args, kwargs)
        positions = call.positions(values, None)
        if not positions:
            raise TypeError(_no_parameter_message(shown, call))

        def flat(*flat_values):
            positional, keywords = rebuild(flat_values)
            return _checked_output(traced(*positional, **keywords), shown)

        if kind == "vjp":
            gradients = value_and_grad_of(flat, values, positions, direction)[1]
            return _plain_result(gradients[0] if len(gradients) == 1 else tuple(gradients))
        if kind == "jvp":
            tangents = direction if isinstance(direction, tuple) else (direction,)
            _check_count(tangents, positions, "tangents")
            return _plain_result(jvp_of(flat, values, positions, tangents)[1])

        def along(directions):
            return hvp_of(flat, values, positions, directions)

        if kind == "hvp":
            directions = direction if isinstance(direction, tuple) else (direction,)
            _check_count(directions, positions, "v")
            result = along(directions)
            return _plain_result(result[0] if len(result) == 1 else tuple(result))
        return _dense_hessian(values, positions, shown,
                              lambda v: along(v if isinstance(v, tuple) else (v,)), packed=True)

    return _labelled(derivative, f, f"{kind}_{getattr(f, '__name__', 'f')}", f"{kind} by the eager tape",
                     _Nesting(f, 2, call, None))


def _check_count(directions, positions, what: str) -> None:
    if len(directions) != len(positions):
        raise ValueError(f"{what} needs one entry per differentiable parameter ({len(positions)}), "
                         f"got {len(directions)}")


def _dense_hessian(values, positions, name: str, hvp_along, packed: bool = False):
    """The dense Hessian, one Hessian-vector product per element of the differentiable parameters
    (column by column): for one parameter a float or an array of shape x.shape + x.shape; for
    several, nested tuples of blocks H[i][j] of shape p_i.shape + p_j.shape, as jax.hessian.
    hvp_along takes the direction as hvp_f does (bare for one parameter, else a tuple)."""
    if not positions:
        raise TypeError(f"{name} has no differentiable parameter, so it has no Hessian")
    shapes = [np.shape(values[i].numpy() if hasattr(values[i], "numpy") else values[i]) for i in positions]
    count = len(shapes)
    blocks = [[np.zeros(shapes[i] + shapes[j]) for j in range(count)] for i in range(count)]
    for j, shape in enumerate(shapes):
        for index in np.ndindex(*shape):
            directions = [np.zeros(s) if s else 0.0 for s in shapes]
            if shape:
                directions[j][index] = 1.0
            else:
                directions[j] = 1.0
            column = hvp_along(tuple(directions) if count > 1 or packed else directions[0])
            column = list(column) if count > 1 else [column[0] if packed else column]
            for i in range(count):
                blocks[i][j][(Ellipsis,) + index] = _plain_value(column[i])
    plain = [[float(b) if b.ndim == 0 else b for b in row] for row in blocks]
    return plain[0][0] if count == 1 else tuple(tuple(row) for row in plain)


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
