"""grad, value_and_grad and source; grad of a derivative srcgrad made (compiled up to order
MAX_COMPILED_ORDER where the generated module has it, else on the eager tape)."""

from __future__ import annotations

from .calls import (
    _Call,
    _check_wrt_type,
    _checked_output,
    _differentiable_parameters,
    _filled,
    _labelled,
    _Nesting,
    _no_parameter_message,
    _position,
    _selector,
    _single_position,
    _wrt_option,
)
from ..diagnostics import WrtError
from .compiled import NotCompilable, _compiled, _describe, _generated_module, _locate, tape_limit_bytes
from .fallback import _eager_function, _eager_part, _eager_value_and_grad, _traceable, _when_not_compilable


def grad(f, wrt=None, tape_limit=None):
    """A callable returning the gradient of f, with the conventions of the generated `grad_f`.
    tape_limit (bytes, or a string such as "64M"): as `srcgrad build --tape-limit`, the tape and
    checkpoint snapshots stay within it (a module compiled and cached apart from the plain one)."""
    return _differentiate(f, wrt, value_too=False, tape_limit=tape_limit)


def value_and_grad(f, wrt=None, tape_limit=None):
    """A callable returning `(f(*args), gradient)`, computed in one pass (tape_limit as grad's)."""
    return _differentiate(f, wrt, value_too=True, tape_limit=tape_limit)


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


def _differentiate(f, wrt, value_too: bool, tape_limit=None):
    _check_wrt_type(wrt)
    limit = tape_limit_bytes(tape_limit)
    if hasattr(f, "__srcgrad__"):
        return _nested(f, wrt, value_too)
    found = _compiled_for(f, wrt, tape_limit=limit)
    if isinstance(found, str):
        return _when_not_compilable(f, wrt, value_too, found)
    module, target, report = found
    select = _selector(f, report, wrt)
    # with wrt, report names the parameters of a specialised module; nested derivatives need f's own
    call = _Call(f, _differentiable_parameters(f, report) if wrt is None else None)
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


def _compiled_for(f, wrt, **options):
    """f's compiled module, specialised to wrt when it is given: its adjoint starts from those
    parameters alone and never computes the others' gradients. Where the compiler cannot
    specialise (a parameter inferred int, an array parameter f overwrites) the full module's
    gradient is taken apart instead."""
    specialised = _wrt_option(f, wrt)
    if specialised:
        try:
            return _compiled(f, **options, **specialised)
        except WrtError:
            pass
    return _compiled(f, **options)


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
    module, target, report = found
    if order == 3:
        third = getattr(module, f"third_derivative_{target.name}", None)
        if third is None:
            return (f"no compiled third derivative of {target.name} (compiled only for a function of one float "
                    "parameter and no array parameters)")
        return third
    hvp_compiled = getattr(module, f"hvp_{target.name}", None)
    if hvp_compiled is None:
        return f"the compiled module has no hvp_{target.name}"
    # the full module's parameters: call's may be those a specialised first derivative kept
    differentiable = [call.names.index(p) for p in report.differentiable]
    names = list(report.differentiable)
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
