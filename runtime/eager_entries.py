"""jvp_, hvp_ and hessian_ of the functions a generated module leaves to the eager tape, with the
argument checks and result layout of the compiled ones (srcgrad.runtime.arrays)."""

from __future__ import annotations

import numpy as np

from ..eager.fallback import positional
from ..eager.functions import hvp_of, jvp_of
from .arrays import dense_hessian, one_output, per_parameter


def _parameters(args, differentiable) -> tuple:
    return tuple(np.asarray(args[i], dtype=np.float64) if np.ndim(args[i]) else args[i] for i in differentiable)


def eager_jvp(function, name: str, args, differentiable: tuple, names: tuple, tangents, keywords=None):
    function, args = positional(one_output(function, name), tuple(args), keywords)
    tangents = per_parameter(tangents, _parameters(args, differentiable), names, "tangents")
    return jvp_of(function, args, list(differentiable), tangents)[1]


def eager_hvp(function, name: str, args, differentiable: tuple, names: tuple, v, keywords=None):
    function, args = positional(one_output(function, name), tuple(args), keywords)
    v = per_parameter(v, _parameters(args, differentiable), names, "v")
    result = hvp_of(function, args, list(differentiable), v)
    return result[0] if len(result) == 1 else tuple(result)


def eager_hessian(function, name: str, args, differentiable: tuple, names: tuple, keywords=None):
    function, args = positional(one_output(function, name), tuple(args), keywords)
    return dense_hessian(lambda v: eager_hvp(function, name, args, differentiable, names, v),
                         _parameters(args, differentiable))
