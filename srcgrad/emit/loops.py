"""Whole-array elementwise expressions printed as compiled loops, in `--fast-math` modules.

NumPy makes one pass over memory per operation, and its float64 tanh (like exp, log, sin and
cos on CPUs without AVX-512) runs one element at a time. A fast-math module instead defines, for
each elementwise expression of whole arrays with a math function or two operations or more
(`np.tanh(product + b1)`, tanh's adjoint `g * (1.0 - h * h)`), a loop over the elements in C:
`_loop_N_elements`, which GCC vectorises under -ffast-math -march=native, the math functions
through glibc's vector library (libmvec), and `_loop_N`, which the expression's place calls.
`_loop_N` asks srcgrad.runtime.loops for the layout (rows of the last dimension; an operand of
the result's shape or one row broadcast down) and the output (the operand transform/in_place.py
found free, or a new array), and computes the expression with NumPy where the loop does not apply.

Results differ from NumPy's by a few units in the last place (the vector tanh, reassociation):
the default build never prints these loops and keeps NumPy's bits.
"""

from __future__ import annotations

import math

from .. import ir
from ..rules import in_place
from ..runtime_names import RENAMED

# rule names of one operand the loops compute with libc.math (glibc vectorises them)
MATH_FUNCTIONS = {name: {"absolute": "fabs"}.get(name, RENAMED.get(name, name))
                  for name in in_place.UNARY if name != "negative"}
NUMPY_SPELLING = {"absolute": "abs"}
_OPERATORS = {"add": "+", "subtract": "-", "multiply": "*", "true_divide": "/"}
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}
IMPORT_LINES = ["cimport numpy as _cnp", "_cnp.import_array()"]
# tanh from expm1, which glibc's vector library computes in some 60% of its vector tanh's time
# (512x256 elements: 260 against 434 us with AVX2), within 4 ulps of tanh; no overflow (the
# argument of expm1 is at most 0), and NaN, inf and -0.0 come out as tanh's do, with no
# comparison (-ffast-math lets GCC rewrite comparisons as if NaN never occurred)
TANH_LINES = ["cdef inline double _loops_tanh(double x) noexcept nogil:",
              '    """tanh(x) as -expm1(-2|x|) / (expm1(-2|x|) + 2), with the sign of x."""',
              "    cdef double e = _math.expm1(-2.0 * _math.fabs(x))",
              "    return _math.copysign(-e / (e + 2.0), x)",
              "",
              ""]


class ElementwiseLoops:
    """The loops of one module: `call` prints an expression's call of its loop (defining the loop
    the first time), `definitions` the module-level functions."""

    def __init__(self):
        self.loops = {}  # (tree, array count, scalar count) -> loop number
        self.lines = []
        self.tanh_defined = False

    def call(self, e: ir.Expr, printer) -> str | None:
        """The text calling e's loop, or None when e is not an elementwise expression worth one."""
        if printer.type_of(e) != ir.NDARRAY:
            return None
        reader = _Reader(printer.type_of)
        tree = reader.node(e, top=True)
        if tree is None or not reader.arrays or not _worth_a_loop(tree):
            return None
        key = (tree, len(reader.arrays), len(reader.scalars))
        if key not in self.loops:
            self.loops[key] = len(self.loops) + 1
            self._define(self.loops[key], tree, len(reader.arrays), len(reader.scalars), printer)
        into = printer(reader.into) if reader.into is not None else "None"
        args = [into] + [printer(a) for a in reader.arrays] + [printer(s) for s in reader.scalars]
        return f"_loop_{self.loops[key]}({', '.join(args)})"

    def _define(self, number: int, tree, arrays: int, scalars: int, printer) -> None:
        name = f"_loop_{number}"
        printer.used.update(("numpy", "loop_layout"))
        printer.used.update(MATH_FUNCTIONS[f] for f in _functions(tree))
        if "tanh" in _functions(tree) and not self.tanh_defined:
            self.tanh_defined = True
            printer.used.update(("expm1", "fabs", "copysign"))
            self.lines += TANH_LINES
        numpy_text = _text(tree, _numpy_spelling)
        pointers = "".join(f", const double* x{k}, Py_ssize_t step{k}" for k in range(arrays))
        doubles = "".join(f", double s{k}" for k in range(scalars))
        lines = [f"cdef void {name}_elements(double* out, Py_ssize_t rows, Py_ssize_t columns{pointers}{doubles}) "
                 "noexcept nogil:",
                 f'    """{_bare(numpy_text)}, row by row (GCC vectorises the inner loop)."""',
                 "    cdef Py_ssize_t row, j",
                 "    cdef double* o",
                 *[f"    cdef const double* p{k}" for k in range(arrays)],
                 "    for row in range(rows):",
                 "        o = out + row * columns",
                 *[f"        p{k} = x{k} + row * step{k}" for k in range(arrays)],
                 "        for j in range(columns):",
                 f"            o[j] = {_bare(_text(tree, _c_spelling))}",
                 "",
                 ""]
        operands = ", ".join(f"x{k}" for k in range(arrays))
        numbers = "".join(f", double s{k}" for k in range(scalars))
        lines += [f"cdef object {name}(object into, {operands}{numbers}):",
                  f'    """{_bare(numpy_text)} in one compiled loop (into: an operand it may overwrite, or None)."""',
                  f"    layout = _vector.loop_layout(into, ({operands},))",
                  "    if layout is None:",
                  f"        return {_bare(numpy_text)}",
                  "    cdef _cnp.ndarray out = layout[0]",
                  "    cdef Py_ssize_t rows = layout[1], columns = layout[2]",
                  "    cdef tuple arrays = layout[3], steps = layout[4]",
                  *[f"    cdef const double* a{k} = <const double*>_cnp.PyArray_DATA(<_cnp.ndarray>arrays[{k}])"
                    for k in range(arrays)],
                  *[f"    cdef Py_ssize_t step{k} = steps[{k}]" for k in range(arrays)],
                  "    with nogil:",
                  f"        {name}_elements(<double*>_cnp.PyArray_DATA(out), rows, columns"
                  + "".join(f", a{k}, step{k}" for k in range(arrays))
                  + "".join(f", s{k}" for k in range(scalars)) + ")",
                  "    return out",
                  "",
                  ""]
        self.lines += lines

    def definitions(self) -> list:
        return list(self.lines)


class _Reader:
    """An expression as a tree of the loop's operations: ("op", "+", a, b), ("neg", a),
    ("call", name, a), ("pow", a, b), ("array", k), ("scalar", k), ("const", value); with the
    operands in order and the operand the result may be written into."""

    def __init__(self, type_of):
        self.type_of = type_of
        self.arrays, self.scalars = [], []
        self.into = None

    def node(self, e: ir.Expr, top: bool = False):
        if isinstance(e, ir.Const) and isinstance(e.value, (int, float)) and math.isfinite(e.value):
            return ("const", float(e.value))
        operation = self._operation(e)
        if operation is not None:
            tree, reused = operation
            if isinstance(reused, ir.Name) and self.into is None:
                self.into = reused
            return tree
        if top:
            return None
        kind = self.type_of(e)
        if kind == ir.NDARRAY:
            return ("array", _position(self.arrays, e))
        # a number: trusted for names and element reads (the forward-mode printer types compound
        # tangent expressions loosely, and an array passed for a C double would not convert)
        if kind in (ir.DOUBLE, ir.INT, ir.BOOL) and isinstance(e, (ir.Name, ir.Index, ir.Const)):
            return ("scalar", _position(self.scalars, e))
        return None

    def _operation(self, e: ir.Expr):
        """(tree, the operand written into or None) of an elementwise operation, or None."""
        if isinstance(e, ir.BinOp) and e.op in _PRECEDENCE:
            return self._both(("op", e.op), e.left, e.right), None
        if isinstance(e, ir.BinOp) and e.op == "**" and self.type_of(e.right) != ir.NDARRAY:
            return self._both(("pow",), e.left, e.right), None
        if isinstance(e, ir.Unary) and e.op == "-":
            return self._one(("neg",), e.operand), None
        if isinstance(e, ir.Call) and len(e.args) == 1 and e.func in MATH_FUNCTIONS:
            return self._one(("call", e.func), e.args[0]), None
        if isinstance(e, ir.Call):
            return self._helper(e)
        return None

    def _helper(self, e: ir.Call):
        """transform/in_place.py's helpers: the operation they compute, and the operand they reuse."""
        func, args = e.func, e.args
        for ufunc, operator in _OPERATORS.items():
            for suffix, position in (("_reusing_left", 0), ("_reusing_right", 1)):
                if func == ufunc + suffix:
                    return self._both(("op", operator), *args), args[position]
        if func.startswith(in_place.ONE_MINUS_SQUARE) and len(args) == 2:
            g, h = args
            tree = self._both(("op", "*"), g, ir.BinOp("-", ir.Const(1.0), ir.BinOp("*", h, h)))
            position = {"_reusing_left": 0, "_reusing_right": 1}.get(func[len(in_place.ONE_MINUS_SQUARE):])
            return tree, None if position is None else args[position]
        if func.endswith("_reusing") and len(args) == 1:
            ufunc = func[:-len("_reusing")]
            if ufunc == "negative":
                return self._one(("neg",), args[0]), args[0]
            if ufunc in MATH_FUNCTIONS:
                return self._one(("call", ufunc), args[0]), args[0]
        return None

    def _both(self, head: tuple, left, right):
        a, b = self.node(left), self.node(right)
        return None if a is None or b is None else head + (a, b)

    def _one(self, head: tuple, operand):
        a = self.node(operand)
        return None if a is None else head + (a,)


def _position(found: list, e: ir.Expr) -> int:
    """e's index among the operands found so far, adding it: one pointer for h in h * h."""
    for k, other in enumerate(found):
        if other == e:
            return k
    found.append(e)
    return len(found) - 1


def _worth_a_loop(tree) -> bool:
    """A math function, or two operations or more: one NumPy operation alone is as fast."""
    return bool(_functions(tree)) or _operations(tree) >= 2


def _functions(tree) -> set:
    found = {tree[1]} if tree[0] == "call" else set()
    for k in tree[1:]:
        if isinstance(k, tuple):
            found |= _functions(k)
    return found


def _operations(tree) -> int:
    kids = [k for k in tree[1:] if isinstance(k, tuple)]
    return (tree[0] in ("op", "neg", "call", "pow")) + sum(_operations(k) for k in kids)


def _text(tree, spelling) -> str:
    return spelling(tree, lambda k: _text(k, spelling))


def _spelling(tree, inner, array: str, function) -> str:
    """The text of tree: an operand array k as `array.format(k)`, a call as function(name, arg)."""
    head = tree[0]
    if head == "array":
        return array.format(tree[1])
    if head == "scalar":
        return f"s{tree[1]}"
    if head == "const":
        return repr(tree[1])
    if head == "op":
        return f"({inner(tree[2])} {tree[1]} {inner(tree[3])})"
    if head == "neg":
        return f"(-{inner(tree[1])})"
    if head == "pow":  # C's pow in the loop (the module's cpow directive), NumPy's power outside
        return f"({inner(tree[1])} ** {inner(tree[2])})"
    return function(tree[1], _bare(inner(tree[2])))


def _c_spelling(tree, inner) -> str:
    return _spelling(tree, inner, "p{}[j]", lambda name, arg: f"_loops_tanh({arg})" if name == "tanh"
                     else f"_math.{MATH_FUNCTIONS[name]}({arg})")


def _numpy_spelling(tree, inner) -> str:
    return _spelling(tree, inner, "x{}", lambda name, arg: f"np.{NUMPY_SPELLING.get(name, name)}({arg})")


def _bare(text: str) -> str:
    """text without the parentheses around the whole of it, if they are: `a + b` of `(a + b)`."""
    if not (text.startswith("(") and text.endswith(")")):
        return text
    depth = 0
    for k, c in enumerate(text):
        depth += {"(": 1, ")": -1}.get(c, 0)
        if depth == 0 and k < len(text) - 1:
            return text
    return text[1:-1]
