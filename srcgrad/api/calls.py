"""f's parameters and the `wrt` conventions every derivative shares: which arguments are
differentiated, how `grad_f`'s gradients are picked, what a nested derivative remembers about
the one below it."""

from __future__ import annotations

import contextlib
import inspect
import numbers
from dataclasses import dataclass

import numpy as np


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
    from ..eager import Tensor

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


def _wrt_option(f, wrt) -> dict:
    """srcgrad.generate.generate's wrt option for grad(f, wrt=...): f's module specialised so that
    its adjoint computes only the gradients wrt picks ({} when wrt is None, or f has no signature
    to name parameters by). ValueError for an index naming no differentiable parameter."""
    call = _Call(f)
    if wrt is None or not call.known or not call.names:
        return {}
    call.check_wrt(wrt)
    picked = {call.names[i % len(call.names)] for i in ((wrt,) if isinstance(wrt, int) else wrt)}
    return {"wrt": ((f.__name__, tuple(n for n in call.names if n in picked)),)}


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


def _single_position(call: "_Call", wrt) -> int | None:
    """The parameter grad(f, wrt) differentiates along when it returns one bare gradient (not a
    tuple): the case higher orders are compiled for."""
    if isinstance(wrt, int):
        position = wrt % len(call.names) if call.names else None
        return position if position in call.differentiable else None
    if wrt is None and len(call.differentiable) == 1:
        return call.differentiable[0]
    return None


def _filled(like, fill: float):
    """fill, shaped like the argument `like` (a float for a number)."""
    shape = np.shape(like.numpy() if hasattr(like, "numpy") else like)
    return np.full(shape, fill) if shape else fill


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
