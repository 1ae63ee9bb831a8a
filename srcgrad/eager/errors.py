"""Warning and error categories of the eager engine."""


class FallbackWarning(UserWarning):
    """A function could not be compiled, so its gradient is computed by the eager tape."""


class MissingRuleError(NotImplementedError):
    """A NumPy function or ufunc was called on a Tensor, and the engine has no derivative rule
    for it. Raised instead of silently returning a zero gradient."""

    @staticmethod
    def qualified(func) -> str:
        module = getattr(func, "__module__", None) or "numpy"
        return f"{module}.{getattr(func, '__name__', repr(func))}"


class DroppedGradientError(TypeError):
    """A Tensor that a tape records was about to become a plain float or ndarray (NumPy storing it
    into a plain array, float() on it), which would drop its derivative without a word."""
