"""Python's `math` module for Tensors, and `tensor_math(fn)`, which makes fn use it (and
`srcgrad.eager.numpylib` as its NumPy, whose arrays record element assignment).

`math.sin(t)` converts a Tensor to a float and so would drop its gradient without a word. This
module has the same names, implemented with NumPy ufuncs (recorded on tapes, exact on plain
floats as well); `tensor_math(fn)` returns fn rebound so that its `math` (and names imported
from math, and the same module's functions it calls) use them. The eager fallback runs user
code through it.
"""

from __future__ import annotations

import builtins
import functools
import math as _math
import sys
import types

import numpy as np

from srcgrad.eager.core import Tensor, value
from srcgrad.rules import special

# differentiable: same name as in math -> NumPy ufunc
_UFUNCS = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "asin": np.arcsin, "acos": np.arccos,
    "atan": np.arctan, "atan2": np.arctan2, "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh,
    "asinh": np.arcsinh, "acosh": np.arccosh, "atanh": np.arctanh, "exp": np.exp,
    "exp2": np.exp2, "expm1": np.expm1, "log1p": np.log1p, "log2": np.log2, "log10": np.log10,
    "sqrt": np.sqrt, "cbrt": np.cbrt, "pow": np.power, "fabs": np.fabs, "hypot": np.hypot,
    "copysign": np.copysign, "fmod": np.fmod, "degrees": np.rad2deg, "radians": np.deg2rad,
    "erf": special.erf, "erfc": special.erfc, "lgamma": special.lgamma, "gamma": special.gamma,
}


def _check_domain(target, args) -> None:
    """Raise what `target` (a function of math) raises for these values: NumPy would give NaN
    or inf where math raises ValueError or OverflowError, and code that catches those (or
    relies on them) must see the same exceptions on Tensors as on floats."""
    values = [np.asarray(value(a), dtype=np.float64) for a in args]
    if all(v.ndim == 0 for v in values):
        target(*[builtins.float(v) for v in values])
        return
    for point in np.broadcast(*values):
        target(*[builtins.float(v) for v in point])


def _scalar(ufunc, name):
    target = getattr(_math, name)

    def fn(*args):
        if any(isinstance(a, Tensor) for a in args):
            _check_domain(target, args)
            return ufunc(*args)
        return target(*args)  # plain numbers: exactly what math gives

    fn.__name__ = name
    fn.__doc__ = f"math.{name}, recorded on gradient tapes when given Tensors."
    return fn


for _name, _ufunc in _UFUNCS.items():
    if hasattr(_math, _name):
        globals()[_name] = _scalar(_ufunc, _name)


def log(x, base=None):
    """math.log, recorded on gradient tapes when given Tensors."""
    if not isinstance(x, Tensor) and not isinstance(base, Tensor):
        return _math.log(x) if base is None else _math.log(x, base)
    if base is None:
        _check_domain(_math.log, (x,))
        return np.log(x)
    _check_domain(_math.log, (x, base))
    return np.log(x) / np.log(base)


# not differentiable (integer or boolean results): computed on the plain value
def _plain(name):
    target = getattr(_math, name)

    def fn(*args):
        return target(*[float(value(a)) if isinstance(a, Tensor) else a for a in args])

    fn.__name__ = name
    return fn


for _name in ("floor", "ceil", "trunc", "isfinite", "isinf", "isnan", "isclose", "factorial", "comb", "perm", "gcd"):
    globals()[_name] = _plain(_name)

pi, e, tau, inf, nan = _math.pi, _math.e, _math.tau, _math.inf, _math.nan


def __getattr__(name):  # anything else of math (fsum, prod, ...) has no Tensor version
    if hasattr(_math, name):
        raise AttributeError(f"math.{name} is not supported on Tensors by srcgrad's eager engine")
    raise AttributeError(name)


def tensor_float(value):
    """float() that leaves a Tensor a Tensor, so `float(x)` in traced code keeps x's derivative."""
    if isinstance(value, Tensor):
        return value
    return builtins.float(value)


# `dtype=float` in traced code passes tensor_float: NumPy reads a dtype from a `dtype` attribute
tensor_float.dtype = np.dtype(np.float64)


def _traced_import(name, globals=None, locals=None, fromlist=(), level=0):
    """`import math` / `import numpy` run inside traced code (in a function body) give this module
    and numpylib, as module-level imports are rebound."""
    if level == 0 and name in ("math", "numpy"):
        from srcgrad.eager import numpylib

        return sys.modules[__name__] if name == "math" else numpylib
    return builtins.__import__(name, globals, locals, fromlist, level)


def _traced_builtins() -> dict:
    names = dict(vars(builtins))
    names["__import__"] = _traced_import
    names["float"] = tensor_float
    return names


def tensor_math(fn):
    """A copy of the function `fn` whose global `math` is this module, whose names imported
    from math (`from math import sin`) are this module's, whose NumPy is `numpylib`, and whose calls to other functions
    of its own module are rebound the same way. Closures and defaults are kept."""
    return _rebind(fn, {})


def _rebind_closure(fn, done: dict):
    """fn's closure, with the functions it holds rebound too (a wrapper such as a checked-output
    adapter or a decorator's inner function calls the user's function through its closure)."""
    closure = fn.__closure__
    if not closure:
        return closure
    busy = done.setdefault("rebinding", set())
    busy.add(id(fn))
    cells = []
    for cell in closure:
        try:
            content = cell.cell_contents
        except ValueError:  # an empty cell
            content = None
        if isinstance(content, types.FunctionType) and id(content) not in busy:
            cell = types.CellType(_rebind(content, done))
        cells.append(cell)
    busy.discard(id(fn))
    return tuple(cells)


def _rebind(fn, done: dict):
    if not isinstance(fn, types.FunctionType):
        return fn
    key = id(fn.__globals__)
    if key in done:
        env = done[key]
    else:
        from srcgrad.eager import numpylib

        this = sys.modules[__name__]
        env = dict(fn.__globals__)
        env.setdefault("float", tensor_float)
        env["__builtins__"] = _traced_builtins()  # read when a function is made: set first
        done[key] = env
        for name, val in list(env.items()):
            if val is _math:
                env[name] = this
            elif val is np:
                env[name] = numpylib
            elif isinstance(val, types.BuiltinFunctionType) and getattr(val, "__module__", None) == "math":
                env[name] = getattr(this, val.__name__, val)
            elif callable(val) and getattr(val, "__name__", None) in numpylib.OVERRIDES \
                    and getattr(np, val.__name__, None) is val:  # from numpy import zeros
                env[name] = getattr(numpylib, val.__name__)
        for name, val in list(env.items()):
            if isinstance(val, types.FunctionType) and val.__globals__ is fn.__globals__:
                env[name] = _rebind(val, done)
    if fn.__name__ in env and env.get(fn.__name__) is not fn and fn.__globals__.get(fn.__name__) is fn:
        return env[fn.__name__]
    new = types.FunctionType(fn.__code__, env, fn.__name__, fn.__defaults__, _rebind_closure(fn, done))
    new.__kwdefaults__ = fn.__kwdefaults__
    functools.update_wrapper(new, fn)
    if fn.__globals__.get(fn.__name__) is fn:
        env[fn.__name__] = new
    return new
