"""srcgrad: ahead-of-time, source-to-source automatic differentiation for numerical Python."""

__version__ = "0.1.0"

from .eager import (  # noqa: E402
    FallbackWarning,
    GradientTape,
    Tensor,
    Variable,
    constant,
    gradients_function,
    ones,
    zeros,
)
from .api import check_grads, grad, hessian, hvp, jvp, source, value_and_grad, vjp  # noqa: E402  (after __version__)

__all__ = [
    "FallbackWarning", "GradientTape", "Tensor", "Variable", "constant", "gradients_function", "ones", "zeros",
    "check_grads", "grad", "hessian", "hvp", "jvp", "source", "value_and_grad", "vjp",
]
