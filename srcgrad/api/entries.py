"""vjp, jvp, hvp and hessian: the generated module's entries for f, or the same on the eager
tape, with the same argument conventions and the dense Hessian layout of jax.hessian."""

from __future__ import annotations

from srcgrad.runtime.arrays import dense_hessian

from .calls import _Call, _differentiable_parameters, _labelled, _Nesting
from .compiled import _compiled, _describe, tape_limit_bytes
from .fallback import _fallback_warning, _flat_call, _plain_result, _plain_value, _reason_text, _traceable


def vjp(f, tape_limit=None):
    """A callable `(*args, dout) -> dout times the gradient of f` (dout shaped like f's output);
    tape_limit as srcgrad.grad's."""
    return _entry(f, "vjp", tape_limit)


def jvp(f):
    """A callable `(*args, tangents) -> directional derivative of f along tangents` (forward mode)."""
    return _entry(f, "jvp")


def hvp(f, tape_limit=None):
    """A callable `(*args, v) -> Hessian of f times v` (forward over reverse). tape_limit as
    srcgrad.grad's: loops are checkpointed on the same schedule, snapshots holding tangents too."""
    return _entry(f, "hvp", tape_limit)


def hessian(f):
    """A callable `(*args) -> the dense Hessian of f`, as jax.hessian gives it: for one
    differentiable parameter a float or an array of shape x.shape + x.shape; for several, nested
    tuples of blocks H[i][j] of shape p_i.shape + p_j.shape."""
    return _entry(f, "hessian")


def _entry(f, kind: str, tape_limit=None):
    found = _compiled(f, tape_limit=tape_limit_bytes(tape_limit))
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
    from ..eager.functions import hvp_of, jvp_of, value_and_grad_of

    if not callable(f):
        raise TypeError(f"srcgrad.{kind} needs a function, not {type(f).__name__}")
    _fallback_warning(f"{_describe(f)}: {_reason_text(reason)}; {kind} uses the eager tape")
    call, traced, shown = _Call(f), _traceable(f), _describe(f)

    def derivative(*args, **kwargs):
        if kind != "hessian":
            *args, direction = args
        flat, values, positions = _flat_call(traced, call, args, kwargs, None, shown)
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
    """The dense Hessian as jax.hessian lays it out (srcgrad.runtime.arrays.dense_hessian, which
    generated hessian_ functions use too). hvp_along takes the direction as hvp_f does (bare for
    one parameter, else a tuple), or always a tuple when packed."""
    if not positions:
        raise TypeError(f"{name} has no differentiable parameter, so it has no Hessian")
    parameters = tuple(values[i].numpy() if hasattr(values[i], "numpy") else values[i] for i in positions)

    def hvp(direction):
        column = hvp_along((direction,) if packed and len(positions) == 1 else direction)
        column = column[0] if packed and len(positions) == 1 else column
        return tuple(_plain_value(c) for c in column) if len(positions) > 1 else _plain_value(column)

    return dense_hessian(hvp, parameters)
