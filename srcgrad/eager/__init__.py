"""The eager engine: Tensors, gradient tapes and gradient functions.

    import numpy as np
    from srcgrad.eager import GradientTape, constant

    x = constant(1.0)
    with GradientTape() as tape:
        tape.watch(x)
        y = np.sin(x) ** 2
    tape.gradient(y, x)          # Tensor(0.9092974268256817) = sin(2 x)

It is the second engine of srcgrad, next to the source transformer: it differentiates whatever
Python runs (any control flow, recursion, closures), one recorded NumPy operation at a time,
and it is the oracle the compiled gradients are tested against. Modules:

- `core`: Tensor, Variable, primitives and the per-thread recording state;
- `indexing`: the NumPy functions the indexing primitives run (copying reads, writes, adjoints);
- `tape`: GradientTape and the backward pass;
- `vjps`: the derivative rules that are not elementwise (elementwise ones come from
  `srcgrad.rules.elementwise`) and the NumPy functions mapped onto them;
- `functions`: gradients_function, and grad_of / value_and_grad_of / jvp_of / hvp_of /
  hessian_of, the entry points of the compiler's fallback to this engine;
- `mathlib`: Python's math module for Tensors, and `tensor_math(fn)` to make fn use it;
- `numpylib`: NumPy as traced code sees it: its float arrays are `MutableTensor`s, whose element
  and slice assignments are recorded (copy-on-write; see `core.MutableTensor`).
"""

from srcgrad.eager import vjps as _vjps  # noqa: F401  (fills the NumPy dispatch tables)
from srcgrad.eager import einsum as _einsum  # noqa: F401  (np.einsum's rule)
from srcgrad.eager.core import MutableTensor, Primitive, Tensor, Variable, constant, ones, zeros
from srcgrad.eager.errors import DroppedGradientError, FallbackWarning, MissingRuleError
from srcgrad.eager.functions import (
    grad_of,
    gradients_function,
    hessian_of,
    hvp_of,
    jvp_of,
    value_and_grad_of,
    value_and_gradients_function,
)
from srcgrad.eager.tape import GradientTape

__all__ = [
    "DroppedGradientError",
    "FallbackWarning",
    "GradientTape",
    "MissingRuleError",
    "MutableTensor",
    "Primitive",
    "Tensor",
    "Variable",
    "constant",
    "grad_of",
    "gradients_function",
    "hessian_of",
    "hvp_of",
    "jvp_of",
    "ones",
    "value_and_grad_of",
    "value_and_gradients_function",
    "zeros",
]
