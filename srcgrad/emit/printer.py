"""Printers: generated statements -> Cython (.pyx) or pure Python (.py) text, deterministically.

The two outputs share every line of logic; they differ only in declarations, signatures, how
integer division is spelt (C needs Python's rounding rules spelt out) and where the math
functions come from (libc.math and srcgrad.runtime.scalar, or srcgrad.runtime.pymath and
srcgrad.runtime.pyscalar, which offer the same names).

Runtime functions are reached through private module aliases (`_math.exp(x)`, `_scalar.cube(x)`),
never as bare names: srcgrad.runtime_names names them and spells the calls.
"""

from __future__ import annotations

import math

from .. import ir
from ..rules import symbolic
from ..runtime_names import MATH, RENAMED, VECTOR_HELPERS, qualified

# how the generated .pyx is compiled: its first line, and build's cythonize options
CYTHON_DIRECTIVES = {"language_level": 3, "boundscheck": False, "wraparound": False, "cdivision": True,
                     "cpow": True, "initializedcheck": False}
CYTHON_HEADER = "# cython: " + ", ".join(f"{key}={value}" for key, value in CYTHON_DIRECTIVES.items())

C_TYPES = {ir.DOUBLE: "double", ir.INT: "Py_ssize_t", ir.BOOL: "bint", ir.NDARRAY: "object",
           # element-loop arrays: C-contiguous memoryviews of 1 to 8 dimensions (Cython's limit)
           **{ir.array_type(k): "double[" + ":, " * (k - 1) + "::1]" for k in range(1, 9)}}
ZERO = {ir.DOUBLE: "0.0", ir.INT: "0", ir.BOOL: "False", "checkpoints": "None"}  # the last: --pure only

# rule name -> NumPy function, for whole arrays
NUMPY_NAMES = {"absolute": "abs", "arcsin": "arcsin", "arccos": "arccos", "arctan": "arctan",
               "arctan2": "arctan2", "arcsinh": "arcsinh", "arccosh": "arccosh", "arctanh": "arctanh"}

_PRECEDENCE = {"if": 0, "or": 1, "and": 2, "not": 3, "cmp": 4, "+": 5, "-": 5, "*": 6, "/": 6, "//": 6, "@": 6,
               "%": 6, "neg": 7, "**": 8, "atom": 9}


# A data-dependent branch the CPU mispredicts (huber's `if abs(x[i]) <= delta` on random data)
# costs some 15-20 cycles: a select evaluates both arms instead, when they cost a few operations.
_SELECT_BUDGET = 8
_SELECT_CALLS = frozenset({"absolute", "fabs", "float", "sign", "square", "cube", "maximum", "minimum"})


def _select_cost(e: ir.Expr):
    """The operations in e if a select may evaluate it where Python would not, else None.

    Arithmetic of + - * (C's doubles and integers never trap: a division does, by an integer
    zero, and costs as much as a mispredicted branch), constant powers 2 and 3, and a few calls
    defined everywhere. Elements are read: the bounds checks before the statement cover both
    arms of a conditional expression as if both ran (analysis/bounds.py). NaN or inf in the arm
    not taken stays there, as the select keeps only the bits of the other.
    """
    if isinstance(e, (ir.Name, ir.Const)):
        return 0
    if isinstance(e, ir.BinOp) and e.op == "**":
        if not (isinstance(e.right, ir.Const) and e.right.value in (2, 3)):
            return None
        base = _select_cost(e.left)
        return None if base is None else base + 2
    if isinstance(e, ir.BinOp) and e.op in ("+", "-", "*") or isinstance(e, ir.Unary) and e.op == "-" \
            or isinstance(e, ir.Index) or isinstance(e, ir.Call) and e.func in _SELECT_CALLS:
        costs = [_select_cost(c) for c in ir.children(e)]
        return None if None in costs else 1 + sum(costs)
    return None


def _unsigned(text: str) -> str:
    """text parenthesized if it starts with a minus sign: `-(-0.5)`, not `--0.5` (C's decrement
    operator), and `x - (-0.5)` for a negative constant."""
    return f"({text})" if text.startswith("-") else text


class ExpressionPrinter:
    def __init__(self, pure: bool, type_of, loops=None):
        self.pure = pure
        self.type_of = type_of
        self.used = set()  # runtime functions referenced, for the import lines
        self.loops = loops  # --fast-math: emit.loops.ElementwiseLoops, which prints elementwise arrays as loops

    def __call__(self, e: ir.Expr) -> str:
        return self.expr(e)[0]

    def expr(self, e: ir.Expr) -> tuple:
        """(text, precedence)"""
        if self.loops is not None and isinstance(e, (ir.BinOp, ir.Unary, ir.Call)):
            text = self.loops.call(e, self)
            if text is not None:
                return text, _PRECEDENCE["atom"]
        if isinstance(e, ir.Const):
            return self.const(e.value), _PRECEDENCE["atom"] if not (isinstance(e.value, (int, float))
                                                                    and e.value < 0) else _PRECEDENCE["neg"]
        if isinstance(e, ir.Name):
            return e.id, _PRECEDENCE["atom"]
        if isinstance(e, ir.BinOp):
            return self.binop(e)
        if isinstance(e, ir.Unary):
            if e.op == "not":
                return "not " + self.wrap(e.operand, _PRECEDENCE["not"]), _PRECEDENCE["not"]
            return "-" + _unsigned(self.wrap(e.operand, _PRECEDENCE["neg"])), _PRECEDENCE["neg"]
        if isinstance(e, ir.Compare):
            p = _PRECEDENCE["cmp"]
            return f"{self.wrap(e.left, p + 1)} {e.op} {self.wrap(e.right, p + 1)}", p
        if isinstance(e, ir.BoolOp):
            p = _PRECEDENCE[e.op]
            return f" {e.op} ".join(self.wrap(v, p + 1) for v in e.values), p
        if isinstance(e, ir.IfExp) and ir.NDARRAY in (self.type_of(e.test), self.type_of(e)):
            self.used.add("numpy")
            return f"np.where({self(e.test)}, {self(e.body)}, {self(e.orelse)})", _PRECEDENCE["atom"]
        if isinstance(e, ir.IfExp) and not self.pure and self._branch_free(e):
            self.used.add("select")
            return f"{qualified('select')}({self(e.test)}, {self(e.body)}, {self(e.orelse)})", _PRECEDENCE["atom"]
        if isinstance(e, ir.IfExp):
            p = _PRECEDENCE["if"]
            return f"{self.wrap(e.body, p + 1)} if {self.wrap(e.test, p + 1)} else {self.wrap(e.orelse, p)}", p
        if isinstance(e, ir.Call):
            return self.call(e), _PRECEDENCE["atom"]
        if isinstance(e, ir.UserCall):
            return f"{e.func}({', '.join(self(a) for a in e.args)})", _PRECEDENCE["atom"]
        if isinstance(e, ir.Index):
            return f"{e.array}[{', '.join(self(i) for i in e.indices)}]", _PRECEDENCE["atom"]
        if isinstance(e, ir.Alloc):
            self.used.add("numpy")
            if e.kind == "copy":  # a typed memoryview's copy() of an empty array raises (Cython's array_cwrapper)
                return (f"{e.like}.copy()" if self.pure else f"np.array({e.like})"), _PRECEDENCE["atom"]
            dims = 0 if self.pure or e.like is None else ir.array_dims(self.type_of(ir.Name(e.like)))
            if dims:  # a float memoryview's extents: np.zeros_like would make a NumPy object of it first
                extents = ", ".join(f"{e.like}.shape[{k}]" for k in range(dims))
                return f"np.{e.kind}({extents if dims == 1 else '(' + extents + ')'})", _PRECEDENCE["atom"]
            if e.like is not None:
                return f"np.{e.kind}_like({e.like})", _PRECEDENCE["atom"]
            shape = self(e.shape[0]) if len(e.shape) == 1 else "(" + ", ".join(self(d) for d in e.shape) + ")"
            return f"np.{e.kind}({shape})", _PRECEDENCE["atom"]
        raise TypeError(e)

    def _branch_free(self, e: ir.IfExp) -> bool:
        """Whether `a if c else b` prints as a select of both arms evaluated (scalar.pxd's select):
        numbers, both cheap and unable to raise or trap wherever c is false or true. Bare names
        and constants too: `s += 0.0 if c else g` compiles to a branch around the addition."""
        if self.type_of(e) != ir.DOUBLE:
            return False
        names = ir.names_in(e.body) | ir.names_in(e.orelse)
        if any(self.type_of(ir.Name(n)) == ir.NDARRAY for n in names):
            return False  # an arm reading an array (a tangent d_power2 of b ** k) is not a number
        costs = [_select_cost(arm) for arm in (e.body, e.orelse)]
        return None not in costs and sum(costs) <= _SELECT_BUDGET

    def wrap(self, e: ir.Expr, minimum: int) -> str:
        text, p = self.expr(e)
        return text if p >= minimum else f"({text})"

    def const(self, value) -> str:
        if value is None:
            return "None"
        if isinstance(value, bool):
            return "True" if value else "False"
        if isinstance(value, int):
            return str(value)
        if math.isnan(value):
            self.used.add("NAN")
            return f"{MATH}.NAN"
        if math.isinf(value):
            self.used.add("INFINITY")
            return f"{MATH}.INFINITY" if value > 0 else f"-{MATH}.INFINITY"
        return repr(float(value))

    def binop(self, e: ir.BinOp) -> tuple:
        left_type, right_type = self.type_of(e.left), self.type_of(e.right)
        # whole arrays are NumPy objects: never cast to a C double or sent to the integer helpers
        integral = all(k not in (ir.DOUBLE, ir.NDARRAY) for k in (left_type, right_type))
        if not self.pure and e.op in ("//", "%"):
            name = {"//": "floordiv", "%": "mod"}[e.op] + ("_int" if integral else "")
            self.used.add(name)
            return f"{qualified(name)}({self(e.left)}, {self(e.right)})", _PRECEDENCE["atom"]
        p = _PRECEDENCE[e.op]
        if e.op == "**" and not self.pure and isinstance(e.right, ir.Const) and e.right.value in (3, 3.0) \
                and left_type == ir.DOUBLE:
            # C compilers turn pow(x, 2.0) into x * x but leave pow(x, 3.0) a library call
            self.used.add("cube")
            return f"{qualified('cube')}({self(e.left)})", _PRECEDENCE["atom"]
        if e.op == "**" and not self.pure and isinstance(e.right, ir.Const) and e.right.value in (4, 4.0) \
                and left_type == ir.DOUBLE:  # the same for pow(x, 4.0): two squarings, as NumPy's x ** 4 is not
            self.used.add("square")
            return f"{qualified('square')}({qualified('square')}({self(e.left)}))", _PRECEDENCE["atom"]
        if e.op == "**" and left_type == ir.NDARRAY and isinstance(e.right, ir.Const) \
                and type(e.right.value) in (int, float) and e.right.value in (3, 4):
            # NumPy's power calls C's pow per element for any exponent but 2 (a hundred multiplies)
            self.used.add("integer_power")
            return f"{qualified('integer_power')}({self(e.left)}, {self(e.right)})", _PRECEDENCE["atom"]
        if e.op == "**":  # right-associative, binds tighter than unary minus on its left
            base = self.wrap(e.left, p + 1)
            if integral and not self.pure and self.type_of(e) == ir.DOUBLE:
                base = f"(<double>{self.wrap(e.left, _PRECEDENCE['atom'])})"  # 2 ** -1 is 0.5, not C's 0
            return f"{base} ** {self.wrap(e.right, _PRECEDENCE['neg'])}", p
        left = self.wrap(e.left, p)
        right = self.wrap(e.right, p + 1)
        if e.op == "-":
            right = _unsigned(right)
        if e.op == "/" and integral and not self.pure:
            left = f"<double>{self.wrap(e.left, _PRECEDENCE['atom'])}"  # true division, as Python does
        return f"{left} {e.op} {right}", p

    def call(self, e: ir.Call) -> str:
        if e.func == "tuple":  # a static option handed to an adjoint (np.tile's reps): (2, 3)
            return symbolic.option_text(e, self)
        if e.func == "index":  # an index handed to an adjoint (the slice x[1:] read): np.s_[1:]
            self.used.add("numpy")
            return f"np.s_[{symbolic.subscript(e, self)}]"
        if e.func in VECTOR_HELPERS:
            self.used.add(e.func)
            return f"{qualified(e.func)}({', '.join(self(a) for a in e.args)})"
        dims = ir.array_dims(self.type_of(e.args[0])) if e.func == "size" and not self.pure else 0
        if dims:  # a typed memoryview's .size is a Python attribute, which needs the GIL
            array = self.wrap(e.args[0], _PRECEDENCE["atom"])
            product = " * ".join(f"{array}.shape[{k}]" for k in range(dims))
            return product if dims == 1 else f"({product})"
        if symbolic.rule_of(e) is not None:  # an array primitive, spelt as its rule says
            text = symbolic.spelled(e, self, lambda a: self.wrap(a, _PRECEDENCE["atom"]))
            if text.startswith("np."):
                self.used.add("numpy")
            return text
        if e.func not in ("shape", "float", "int", "bool", "round") and any(self.type_of(a) == ir.NDARRAY for a in e.args):
            self.used.add("numpy")
            return f"np.{NUMPY_NAMES.get(e.func, e.func)}({', '.join(self(a) for a in e.args)})"
        args = [self(a) for a in e.args]
        name = RENAMED.get(e.func, e.func)
        kinds = [self.type_of(a) for a in e.args]
        integral = all(k != ir.DOUBLE for k in kinds)
        if name == "float":
            return f"float({args[0]})" if self.pure else f"<double>{self.wrap(e.args[0], _PRECEDENCE['atom'])}"
        if name == "int":
            return f"int({args[0]})" if self.pure else f"<Py_ssize_t>{self.wrap(e.args[0], _PRECEDENCE['atom'])}"
        if name == "bool":
            return f"bool({args[0]})" if self.pure else f"({args[0]} != 0)"
        if name == "shape":
            if not self.pure and self.type_of(e.args[0]) == ir.NDARRAY:
                # a NumPy array's shape tuple, indexed where bounds are not checked: a 0-d array's
                # () would be read past its end (a crash), where Python raises
                self.used.add("extent")
                return f"{qualified('extent')}({args[0]}, {args[1]})"
            return f"{self.wrap(e.args[0], _PRECEDENCE['atom'])}.shape[{args[1]}]"
        if name == "absolute":
            name = ("abs" if self.pure else "iabs") if integral else "fabs"
        if name in ("maximum", "minimum") and integral:
            name = {"maximum": "imax", "minimum": "imin"}[name]
        if name == "abs":  # Python's builtin, on integers in --pure output
            return f"abs({', '.join(args)})"
        self.used.add(name)
        return f"{qualified(name)}({', '.join(args)})"


class Printer:
    """Prints one module's functions; collects imports as it goes."""

    def __init__(self, pure: bool):
        self.pure = pure
        self.lines = []
        self.used = set()
        self.nogil = False  # printing a function that runs without the GIL: Python objects need it back
        self._gil_block = None  # (indent, line count) just after a `with gil:` statement

    def emit_block(self, stmts, indent: int, printer: ExpressionPrinter) -> None:
        pad = "    " * indent
        for s in stmts:
            if isinstance(s, ir.GComment):
                self.lines.append(f"{pad}# {s.text}")
            elif isinstance(s, ir.GAssign):
                target = printer(s.target) if isinstance(s.target, ir.Expr) else s.target
                pad = self._with_gil(pad, indent, isinstance(s.value, ir.Alloc))  # NumPy allocates
                self.lines.append(_commented(f"{pad}{target} {s.op} {printer(s.value)}", s.comment))
            elif isinstance(s, ir.GRaise):
                pad = self._with_gil(pad, indent, True)
                self.lines.append(f"{pad}raise {s.exception}({s.message!r})")
            elif isinstance(s, ir.GUnpack):
                self.lines.append(_commented(f"{pad}{', '.join(s.targets)} = {printer(s.value)}", s.comment))
            elif isinstance(s, ir.GCall):
                if s.func == "return":
                    values = ", ".join(printer(a) for a in s.args)
                    self.lines.append(f"{pad}return {values}")
                else:
                    printer.used.add(s.func)
                    self.lines.append(_commented(f"{pad}{qualified(s.func)}({', '.join(printer(a) for a in s.args)})",
                                                 s.comment))
            elif isinstance(s, ir.GIf):
                self.lines.append(f"{pad}if {printer(s.test)}:")
                self.emit_block(s.body, indent + 1, printer)
                if not s.body:
                    self.lines.append(f"{pad}    pass")
                if s.orelse:
                    self.lines.append(f"{pad}else:")
                    self.emit_block(s.orelse, indent + 1, printer)
            elif isinstance(s, ir.GFor):
                args = ", ".join(printer(a) for a in s.args)
                self.lines.append(_commented(f"{pad}for {s.var} in range({args}):", s.comment))
                self.emit_block(s.body, indent + 1, printer)
                if not s.body:
                    self.lines.append(f"{pad}    pass")
            elif isinstance(s, ir.GWhile):
                self.lines.append(_commented(f"{pad}while {printer(s.test)}:", s.comment))
                self.emit_block(s.body, indent + 1, printer)
            elif isinstance(s, ir.GBreak):
                self.lines.append(f"{pad}break")
            else:
                raise TypeError(s)
            pad = "    " * indent

    def _with_gil(self, pad: str, indent: int, needed: bool) -> str:
        """Open a `with gil:` block for the next statement when it needs one; its indentation."""
        if not (needed and self.nogil):
            return pad
        if self._gil_block != (indent, len(self.lines)):  # one block for consecutive statements
            self.lines.append(f"{pad}with gil:")
        self._gil_block = (indent, len(self.lines) + 1)
        return "    " * (indent + 1)


def _commented(line: str, comment: str) -> str:
    if not comment:
        return line
    comment = " ".join(comment.split())  # one line, whatever the source held
    return f"{line}  # {comment}"
