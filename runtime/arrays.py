"""Entry checks for the arguments and results of generated functions, and the dense Hessian."""

import functools

import numpy as np


def as_float_array(value, name: str, ndim: int) -> np.ndarray:
    """`value` as a C-contiguous float64 array of `ndim` dimensions, or a ValueError naming `name`.

    Float64 C-contiguous arrays pass through untouched (in-place updates reach the caller);
    integer and boolean arrays are converted; other inputs are copied to a contiguous array.
    """
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"parameter '{name}' must be an array of numbers, not of dtype {array.dtype}")
    if array.ndim != ndim:
        raise RankMismatch(name, ndim, array.shape)
    return np.ascontiguousarray(array, dtype=np.float64)


class RankMismatch(ValueError):
    """An array argument of other dimensions than its parameter was compiled for. Where the
    compiler guessed them, the entry catches it and runs the eager tape instead."""

    def __init__(self, name: str, ndim: int, shape: tuple):
        self.name, self.ndim, self.got = name, ndim, len(shape)
        super().__init__(f"parameter '{name}' must be a {ndim}-dimensional array, got {len(shape)} "
                         f"dimension{'s' if len(shape) != 1 else ''} (shape {shape})")


def _shape_text(shape: tuple) -> str:
    return f"shape {shape}" if shape else "shape () (a float)"


def like_parameter(value, parameter, what: str, name: str):
    """`value` (a tangent, a direction) checked against the parameter it pairs with: the same
    shape, else a ValueError naming the parameter and both shapes. An array parameter gets a
    C-contiguous float64 array (strided views are copied), a float parameter a float."""
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{what} for parameter '{name}' must be numbers, not of dtype {array.dtype}")
    shape = np.shape(parameter)
    if array.shape != shape:
        raise ValueError(f"{what} for parameter '{name}' has {_shape_text(array.shape)}, but '{name}' has "
                         f"{_shape_text(shape)}")
    if isinstance(parameter, np.ndarray):
        return np.ascontiguousarray(array, dtype=np.float64)
    return float(array)


def per_parameter(value, parameters: tuple, names: tuple, what: str) -> tuple:
    """The entries of jvp's `tangents` or hvp's `v`, one per differentiable parameter, each checked
    by like_parameter. With several parameters `value` is a tuple (or list) of that many entries;
    with one, a 1-tuple or the bare value."""
    if len(parameters) == 1:
        one_tuple = isinstance(value, tuple) and len(value) == 1
        if one_tuple and np.shape(value[0]) != np.shape(parameters[0]) == np.shape(value):
            one_tuple = False  # (0.5,) for a parameter of shape (1,): the tuple is the array
        entries = (value[0],) if one_tuple else (value,)
    elif isinstance(value, (tuple, list)) and len(value) == len(parameters):
        entries = tuple(value)
    else:
        got = f"{len(value)} entries" if isinstance(value, (tuple, list)) else f"a {type(value).__name__}"
        raise ValueError(f"{what} must be a tuple with one entry per differentiable parameter "
                         f"({', '.join(names)}), got {got}")
    return tuple(like_parameter(e, p, what, n) for e, p, n in zip(entries, parameters, names))


def has_dimensions(*values) -> bool:
    """Whether an argument of a function of numbers is an array with dimensions, for its array
    version (a number or a 0-d array goes to the compiled scalar code)."""
    return any(isinstance(v, np.ndarray) and v.ndim for v in values)


def at_each_element(function, arguments: dict, name: str) -> np.ndarray:
    """function(**arguments) at each element of the array arguments[name] (a float each time, the
    other arguments as they are): an array of the results, shaped like it."""
    array = np.asarray(arguments[name], dtype=np.float64)
    out = np.empty(array.shape)
    for index in np.ndindex(*array.shape):
        out[index] = function(**{**arguments, name: float(array[index])})
    return out


def scalar_cotangent(dout, function: str) -> float:
    """vjp's `dout` for a function with a float output: a number, not an array."""
    if type(dout) is float:  # grad_f's 1.0: no NumPy on the common path
        return dout
    array = np.asarray(dout)
    if array.shape != () or array.dtype.kind not in "biuf":
        raise ValueError(f"dout has {_shape_text(array.shape) if array.dtype.kind in 'biuf' else 'dtype ' + str(array.dtype)}, "
                         f"but the output of {function} is a float (shape ())")
    return float(array)


def dense_hessian(hvp, parameters: tuple, arguments: dict | None = None, direction: str = "v"):
    """The dense Hessian as jax.hessian lays it out, one Hessian-vector product per element of the
    parameters (column by column): for one parameter a float or an array of shape p.shape + p.shape;
    for several, nested tuples of blocks H[i][j] of shape p_i.shape + p_j.shape. `hvp` takes the
    direction as hvp_f does (bare for one parameter, else a tuple): called as hvp(v) or, given the
    primal's `arguments` by name, as hvp(**arguments, DIRECTION=v) (generated hessian_f passes its
    hvp_f so, rather than a closure, whose type costs every compiled module some C)."""
    if arguments is not None:
        bound, hvp = hvp, lambda v: bound(**arguments, **{direction: v})
    shapes = [np.shape(p) for p in parameters]
    count = len(shapes)
    blocks = [[np.zeros(shapes[i] + shapes[j]) for j in range(count)] for i in range(count)]
    for j, shape in enumerate(shapes):
        for index in np.ndindex(*shape):
            directions = [np.zeros(s) if s else 0.0 for s in shapes]
            if shape:
                directions[j][index] = 1.0
            else:
                directions[j] = 1.0
            column = hvp(tuple(directions) if count > 1 else directions[0])
            column = tuple(column) if count > 1 else (column,)
            for i in range(count):
                blocks[i][j][(Ellipsis,) + index] = column[i]
    plain = [[float(b) if b.ndim == 0 else b for b in row] for row in blocks]
    return plain[0][0] if count == 1 else tuple(tuple(row) for row in plain)


def python_entries(source: str, namespace: dict, module_name: str) -> None:
    """Define a compiled module's Python-level entries (value_and_vjp_NAME, vjp_NAME, jvp_NAME,
    hvp_NAME, hessian_NAME: srcgrad/emit/entries.py) in its namespace, as functions of that module:
    their __module__ is its name, as Cython gives its own functions (a module imported under a
    private dotted name keeps it)."""
    before = set(namespace)
    exec(compile(source, f"<{module_name} entries>", "exec"), namespace)
    for name in set(namespace) - before:
        if callable(namespace[name]) and hasattr(namespace[name], "__code__"):
            namespace[name].__module__ = module_name


def no_gradient(name: str, parameters: tuple):
    """A generated grad_/vjp_/jvp_/hvp_/hessian_ of a function with no differentiable parameter."""
    if parameters:
        why = (f"{name} has no differentiable parameter ({', '.join(parameters)}: none is a float or a float "
               f"array), so it has no gradient")
    else:
        why = f"{name} takes no parameters, so it has no gradient"

    def refuse(*args, **keywords):
        raise TypeError(why)

    return refuse


def one_output(function, name: str):
    """`function` for the eager tape, refusing what has no gradient: no return value (None), or a
    tuple or list of outputs (srcgrad.grad refuses them too)."""

    @functools.wraps(function)  # its signature, so the eager tape fills in the defaults
    def checked(*args, **keywords):
        out = function(*args, **keywords)
        if out is None:
            raise TypeError(f"{name} returned None: a function with no return value has no gradient")
        if isinstance(out, (tuple, list)):
            raise TypeError(f"{name} returns a {type(out).__name__}: a gradient needs one float or array output "
                            "(differentiate each element on its own, or return their sum)")
        return out

    return checked
