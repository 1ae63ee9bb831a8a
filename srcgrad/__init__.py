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
