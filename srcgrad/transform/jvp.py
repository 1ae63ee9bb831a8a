"""Forward-mode functions of a compiled function: its jvp (forward mode on the primal), its hvp
(forward mode on the adjoint: forward over reverse) and, for nested srcgrad.grad, forward mode
once more on each of them. Generated code in, generated code out; printing is emit's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import ir
from .forward import Tangents
from .lower import Names


@dataclass
class Derived:
    """A generated function transformed to forward mode."""

    name: str
    body: list
    params: list  # [(name, kind)]: the original inputs, then a tangent for each seeded one
    locals: dict
    zero_init: set
    tangent_locals: dict  # the tangents the transform introduced -> their kinds
    types: dict  # every variable the transform knew -> its kind
    tangent_of: dict  # seeded input -> its tangent parameter
    returned: list = field(default_factory=list)  # the kinds of what the function returns


@dataclass
class ForwardFunctions:
    jvp: Derived
    hvp: Derived
    jvp2: Derived | None = None  # third order: forward over jvp
    hvp2: Derived | None = None  # third order: forward over hvp


def tangent_kind(kind) -> bool:
    return kind in (ir.DOUBLE, ir.NDARRAY) or bool(ir.array_dims(kind))


def derive(name, body, inputs, seeds, locals_, zero_init, prefix, names, callee_map, outputs=()) -> Derived:
    """Forward mode on `body` with a tangent for each seed; output arrays' tangents are parameters too."""
    kinds = {**locals_, **dict(inputs)}
    tangents = Tangents(kinds, set(seeds) | set(outputs), Names(set(names.taken)), callee_map, prefix,
                        read_only=set(seeds) - set(outputs), outputs=outputs)
    tangent_of = {seed: tangents.d(seed) for seed in list(seeds) + [o for o in outputs if o not in seeds]}
    tangents.settle(body)
    derived_body = tangents.transform(body)
    tangent_params = [(tangent_of[s], kinds[s]) for s in list(seeds) + [o for o in outputs if o not in seeds]]
    taken = {n for n, _ in tangent_params}
    new_locals = {n: k for n, k in tangents.new_locals.items() if n not in taken}
    zero = set(zero_init) | {n for n, k in new_locals.items() if k in (ir.DOUBLE, ir.NDARRAY)}
    return Derived(name, derived_body, list(inputs) + tangent_params, {**locals_, **new_locals}, zero,
                   tangents.new_locals, tangents.types, tangent_of)


def forward_functions(code, codes: dict, third_order: bool) -> ForwardFunctions | None:
    """jvp and hvp of one compiled function (None without a differentiable parameter); with
    third_order, forward mode over each of them too (grad of grad along a line)."""
    sig = code.signature
    if not sig.differentiable:
        return None
    params = dict(sig.params)
    diff = sig.differentiable
    arrays = [p for p in diff if ir.array_dims(params[p])]
    scalar_grads = [p for p in diff if p not in arrays]
    cotangent_type = ir.NDARRAY if sig.return_type == ir.NDARRAY else ir.DOUBLE
    b_arrays = [(code.adjoint_names[p], params[p]) for p in arrays]
    compiled = [c for c in codes.values() if c.signature.differentiable]
    param_kinds = {c.signature.name: [k for _, k in c.signature.params] for c in compiled}

    # jvp: the primal with tangents
    jvp_map = {c.signature.name: (c.signature.jvp, param_kinds[c.signature.name]) for c in compiled}
    jvp = derive(sig.jvp, code.primal_body, list(sig.params), diff, code.primal_locals, set(), "d_",
                 code.names, jvp_map)
    tangent = sig.return_type if tangent_kind(sig.return_type) else ir.DOUBLE  # an int's tangent is 0.0
    jvp.returned = [sig.return_type, tangent]

    # hvp: the adjoint with tangents
    hvp_map = {**jvp_map, **{c.signature.adjoint: (c.signature.hvp, param_kinds[c.signature.name] + [ir.DOUBLE])
                             for c in compiled}}
    adjoint_inputs = list(sig.params) + [(code.adjoint_param, cotangent_type)] + b_arrays
    hvp = derive(sig.hvp, code.adjoint_body, [("tape", "tape")] + adjoint_inputs,
                 diff + [code.adjoint_param] + [n for n, _ in b_arrays], code.locals, set(code.zero_init), "d_",
                 code.names, hvp_map, outputs=[n for n, _ in b_arrays])
    grad_kinds = [params[p] for p in scalar_grads]
    hvp.returned = [sig.return_type] + grad_kinds + [tangent] + grad_kinds
    if not third_order:
        return ForwardFunctions(jvp, hvp)

    diff_kinds = {c.signature.name: [dict(c.signature.params)[p] for p in c.signature.differentiable]
                  for c in compiled}
    jvp2_map = {c.signature.jvp: (f"{c.signature.jvp}2", param_kinds[c.signature.name] + diff_kinds[c.signature.name])
                for c in compiled}
    jvp2 = derive(f"{sig.jvp}2", jvp.body, jvp.params, [p for p, k in jvp.params if tangent_kind(k)],
                  jvp.locals, jvp.zero_init, "e_", code.names, jvp2_map)
    jvp2.returned = [sig.return_type] + [tangent] * 3
    hvp2_map = {**jvp2_map, **{c.signature.hvp: (f"{c.signature.hvp}2", param_kinds[c.signature.name] + [ir.DOUBLE]
                                                 + diff_kinds[c.signature.name] + [ir.DOUBLE]) for c in compiled}}
    hvp2 = derive(f"{sig.hvp}2", hvp.body, hvp.params, [p for p, k in hvp.params if tangent_kind(k)],
                  hvp.locals, hvp.zero_init, "e_", code.names, hvp2_map,
                  outputs=[n for n, _ in b_arrays] + [hvp.tangent_of[n] for n, _ in b_arrays])
    hvp2.returned = [sig.return_type] + grad_kinds + ([tangent] + grad_kinds) * 3
    return ForwardFunctions(jvp, hvp, jvp2, hvp2)
