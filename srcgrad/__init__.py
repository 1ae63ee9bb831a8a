"""srcgrad: ahead-of-time, source-to-source automatic differentiation for numerical Python."""

__version__ = "0.1.0"

# The public names load on first use (PEP 562), so `srcgrad build` with nothing to rebuild does
# not import the compiler (libcst), the eager engine or NumPy: a no-change rebuild is a hash
# and a stat.
_EAGER = ("FallbackWarning", "GradientTape", "Tensor", "Variable", "constant", "gradients_function", "ones", "zeros")
_API = ("check_grads", "grad", "hessian", "hvp", "jvp", "source", "value_and_grad", "vjp")

__all__ = [*_EAGER, *_API]


def __getattr__(name: str):
    if name in _EAGER:
        from . import eager as home
    elif name in _API:
        from . import api as home
    else:
        raise AttributeError(f"module 'srcgrad' has no attribute {name!r}")
    value = getattr(home, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
