"""The runtime's names, in one place: the modules generated code imports and the functions it
calls in each.

Generated code reaches every runtime function through a private module alias (`_math.exp(x)`,
`_scalar.cube(x)`, `_vector.unbroadcast(g, x)`, `_tape.push_double(tape, x)`), never as a bare
name: the generated module also defines a function for each of the user's, and a user's `exp` or
`cube` must neither replace nor shadow them. The compiled (.pyx) and --pure (.py) outputs import
the same aliases from different modules (libc.math and srcgrad.runtime.scalar, or
srcgrad.runtime.pymath and srcgrad.runtime.pyscalar, which offer the same names).

Reverse mode names the tape functions it records with (PUSH, POP, RESERVE), the printers spell
calls with `qualified`, the module printer writes the imports from IMPORTS, and the front end
renames a local called one of BARE_NAMES.
"""

from __future__ import annotations

import re

from . import ir
from .rules import in_place
from .rules.arrays import HELPERS
from .rules.conversions import CONVERSIONS

# the private aliases, and each one's import line: alias -> (compiled, --pure)
MATH, SCALAR, TAPE, ARRAYS, VECTOR = "_math", "_scalar", "_tape", "_arrays", "_vector"
FALLBACK, EAGER_ENTRIES, MATHLIB = "_fallback", "_eager_entries", "_mathlib"
BATCH = "_batch"
IMPORTS = {
    MATH: ("from libc cimport math as _math", "from srcgrad.runtime import pymath as _math"),
    SCALAR: ("from srcgrad.runtime cimport scalar as _scalar", "from srcgrad.runtime import pyscalar as _scalar"),
    TAPE: ("from srcgrad.runtime cimport tape as _tape", "from srcgrad.runtime import pytape as _tape"),
    ARRAYS: ("from srcgrad.runtime import arrays as _arrays",) * 2,
    VECTOR: ("from srcgrad.runtime import vector as _vector",) * 2,
    FALLBACK: (f"from srcgrad.eager import fallback as {FALLBACK}, mathlib as {MATHLIB}",) * 2,
    EAGER_ENTRIES: ("from srcgrad.runtime import eager_entries as _eager_entries",) * 2,
    BATCH: ("from srcgrad.runtime import batch as _batch",) * 2,
}

# the names generated code spells bare inside a function: every alias the imports bind (the
# fallback's line binds _mathlib too), NumPy, the tape each adjoint takes and the builtins the
# printers call. The front end renames a local of the user's called one of these; a local called
# like a runtime function (exp, cube, push_double) shadows nothing, as calls go through the aliases.
BARE_NAMES = frozenset(re.findall(r" as (\w+)", " ".join(line for both in IMPORTS.values() for line in both))) \
    | {"np", ir.TAPE.id, "abs", "float", "int", "bool", "round", "range"}

# the tape (runtime/tape.pxd, runtime/pytape.py): what records a value of each kind, what
# restores it, and what reserves room for a loop's pushes before the loop
PUSH = {ir.DOUBLE: "push_double", ir.INT: "push_int", ir.BOOL: "push_int"}
POP = {ir.DOUBLE: "pop_double", ir.INT: "pop_int", ir.BOOL: "pop_int"}
PUSH_BRANCH, POP_BRANCH = "push_branch", "pop_branch"
RESERVE = {"push_double": "reserve_doubles", "push_int": "reserve_ints", PUSH_BRANCH: "reserve_branches"}
# checkpointed loops (transform/checkpoint.py): the schedule and its snapshots
CHECKPOINT_FUNCTIONS = frozenset({"checkpoints_new", "checkpoints_entry", "checkpoints_plan", "checkpoints_counting",
                                  "checkpoints_next", "checkpoints_free", "checkpointing", "checkpoints_first",
                                  "checkpoints_last", "save_double", "load_double", "save_int", "load_int"})
TAPE_FUNCTIONS = frozenset(PUSH.values()) | frozenset(POP.values()) | {PUSH_BRANCH, POP_BRANCH} \
    | frozenset(RESERVE.values()) | CHECKPOINT_FUNCTIONS

# what the Python-level wrappers of generated functions call (emit/wrappers.py): the entry checks
# and the dense Hessian of runtime/arrays.py, the tape's type and lifetime, the eager fallback
WRAPPER_CALLS = {
    ARRAYS: ("as_float_array", "has_dimensions", "at_each_element", "scalar_cotangent", "per_parameter", "dense_hessian", "no_gradient", "one_output", "RankMismatch"),
    TAPE: ("Tape", "tape_init", "tape_free"),
    FALLBACK: ("eager_value_and_gradient",),
    EAGER_ENTRIES: ("eager_jvp", "eager_hvp", "eager_hessian", "eager_entry"),
    MATHLIB: ("tensor_float",),
    BATCH: ("batch_arguments", "thread_count"),
}
_WRAPPER_MODULE = {name: alias for alias, names in WRAPPER_CALLS.items() for name in names}

# C's libc.math (runtime/pymath.py for --pure), and its two constants
LIBC_MATH = frozenset({
    "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "cbrt", "hypot", "fabs", "floor", "ceil",
    "trunc", "copysign", "fmod", "fmax", "fmin", "rint", "erf", "erfc", "lgamma", "tgamma"})
MATH_CONSTANTS = frozenset({"NAN", "INFINITY"})
# elementwise rule name -> the function both runtimes provide under another name
RENAMED = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "arctan2": "atan2", "arcsinh": "asinh",
           "arccosh": "acosh", "arctanh": "atanh", "round": "round_half_even", "gamma": "tgamma"}
# the array rules' adjoints (srcgrad.rules.arrays) and the entry checks, as _vector.<name>
VECTOR_HELPERS = frozenset(HELPERS) | {"gradients_like", "as_float_ndarray", "loop_layout", "integer_power", "extent"} \
    | set(CONVERSIONS) | set(in_place.HELPERS)


def module_of(name: str) -> str:
    """The alias generated code reaches a runtime function (or libc.math constant) through; every
    name the others do not claim is one of runtime/scalar.pxd's (runtime/pyscalar.py's)."""
    if name in LIBC_MATH or name in MATH_CONSTANTS:
        return MATH
    if name in VECTOR_HELPERS:
        return VECTOR
    if name in TAPE_FUNCTIONS:
        return TAPE
    if name in _WRAPPER_MODULE:
        return _WRAPPER_MODULE[name]
    return SCALAR


def qualified(name: str) -> str:
    """How generated code spells a runtime function: through its module's private alias."""
    return f"{module_of(name)}.{name}"
