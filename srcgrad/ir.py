"""The compiler's intermediate forms: small immutable expressions, the structured statements of
lowered source, and the statements of generated code (GAssign ... GRaise).

Expressions overload Python's operators and NumPy's ufunc protocol, so the derivative rules of
srcgrad.rules.elementwise, written with `*`, `/` and `np.cos`, build symbolic partials when
called on them. Constructors fold constants and drop multiplications by one, so the printed
adjoint reads like a person wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

import numpy as np

Number = Union[int, float, bool]

DOUBLE, INT, BOOL = "double", "int", "bool"
NDARRAY = "ndarray"  # a whole float array handled by NumPy calls (vectorised code)


class Expr:
    """Base of expression nodes. Subclasses are frozen dataclasses (structural equality)."""

    __array_priority__ = 1000

    # arithmetic builds simplified nodes
    def __add__(self, other): return binop("+", self, lift(other))
    def __radd__(self, other): return binop("+", lift(other), self)
    def __sub__(self, other): return binop("-", self, lift(other))
    def __rsub__(self, other): return binop("-", lift(other), self)
    def __mul__(self, other): return binop("*", self, lift(other))
    def __rmul__(self, other): return binop("*", lift(other), self)
    def __truediv__(self, other): return binop("/", self, lift(other))
    def __rtruediv__(self, other): return binop("/", lift(other), self)
    def __pow__(self, other): return binop("**", self, lift(other))
    def __rpow__(self, other): return binop("**", lift(other), self)
    def __neg__(self): return neg(self)
    def __pos__(self): return self
    def __gt__(self, other): return Compare(">", self, lift(other))
    def __ge__(self, other): return Compare(">=", self, lift(other))
    def __lt__(self, other): return Compare("<", self, lift(other))
    def __le__(self, other): return Compare("<=", self, lift(other))

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__" or kwargs:
            return NotImplemented
        args = [lift(a) for a in inputs]
        return apply_ufunc(ufunc.__name__, args)

    def __array_function__(self, func, types, args, kwargs):
        if func is np.where and not kwargs:
            cond, a, b = (lift(x) for x in args)
            return select(cond, a, b)
        return NotImplemented

    def __bool__(self):
        raise TypeError("a symbolic expression has no truth value")


@dataclass(frozen=True, eq=True)
class Const(Expr):
    value: Number

    def __hash__(self):
        return hash((Const, type(self.value), self.value))

    def __eq__(self, other):
        return isinstance(other, Const) and type(self.value) is type(other.value) and self.value == other.value


@dataclass(frozen=True, eq=True)
class Name(Expr):
    id: str
    def __hash__(self):
        return hash((Name, self.id))

    def __eq__(self, other):
        return isinstance(other, Name) and self.id == other.id


@dataclass(frozen=True)
class BinOp(Expr):
    op: str  # + - * / // % **
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Unary(Expr):
    op: str  # "-" or "not"
    operand: Expr


@dataclass(frozen=True)
class Compare(Expr):
    op: str  # < <= > >= == !=
    left: Expr
    right: Expr


@dataclass(frozen=True)
class BoolOp(Expr):
    op: str  # "and" / "or"
    values: tuple


@dataclass(frozen=True)
class IfExp(Expr):
    test: Expr
    body: Expr
    orelse: Expr


@dataclass(frozen=True)
class Call(Expr):
    """A primitive: an elementwise rule name (sin, maximum, ...) or a conversion (float, int)."""

    func: str
    args: tuple


@dataclass(frozen=True)
class UserCall(Expr):
    """A call to another top-level function of the same module."""

    func: str
    args: tuple


@dataclass(frozen=True)
class Index(Expr):
    """An array element `array[i, j]` (array is a variable name)."""

    array: str
    indices: tuple


@dataclass(frozen=True)
class Alloc(Expr):
    """A new float array: kind is "zeros", "ones", "empty" (shape given) or "copy" (of `like`)."""

    kind: str
    shape: tuple  # dimension expressions; empty when `like` gives the shape
    like: str | None = None


for _cls in (BinOp, Unary, Compare, BoolOp, IfExp, Call, UserCall, Index, Alloc):
    _cls.__hash__ = lambda self: hash(tuple(getattr(self, f) for f in self.__dataclass_fields__))
    _cls.__eq__ = lambda self, other: type(self) is type(other) and all(
        getattr(self, f) == getattr(other, f) for f in self.__dataclass_fields__
    )


def lift(value) -> Expr:
    if isinstance(value, Expr):
        return value
    if isinstance(value, (bool, np.bool_)):
        return Const(bool(value))
    if isinstance(value, (int, np.integer)):
        return Const(int(value))
    if isinstance(value, (float, np.floating)):
        return Const(float(value))
    raise TypeError(f"cannot use {value!r} in an expression")


def is_const(e: Expr, value=None) -> bool:
    if not isinstance(e, Const) or isinstance(e.value, bool):
        return False
    return value is None or e.value == value


_FOLD = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


def binop(op: str, a: Expr, b: Expr) -> Expr:
    """Build `a op b`, folding constants and neutral elements."""
    if is_const(a) and is_const(b) and op in _FOLD and not (op == "/" and b.value == 0):
        value = _FOLD[op](a.value, b.value)
        if isinstance(a.value, float) or isinstance(b.value, float):
            value = float(value)
        return Const(value)
    if op in "+-" and is_const(b) and isinstance(a, BinOp) and a.op in "+-" and is_const(a.right) \
            and type(a.right.value) is type(b.value):
        # (x - 1) - 1 -> x - 2: keeps index arithmetic readable
        total = (a.right.value if a.op == "+" else -a.right.value) + (b.value if op == "+" else -b.value)
        if total == 0:
            return a.left
        return BinOp("+", a.left, Const(total)) if total > 0 else BinOp("-", a.left, Const(-total))
    if op == "+":
        if is_const(a, 0):
            return b
        if is_const(b, 0):
            return a
        if isinstance(b, Unary) and b.op == "-":
            return binop("-", a, b.operand)
    if op == "-":
        if is_const(b, 0):
            return a
        if is_const(a, 0):
            return neg(b)
        if isinstance(b, Unary) and b.op == "-":
            return binop("+", a, b.operand)
    if op == "*":
        return _product(a, b)
    if op == "/":
        if is_const(b, 1):
            return a
        if isinstance(a, Unary) and a.op == "-":
            return neg(binop("/", a.operand, b))
    if op == "**":
        if is_const(b, 1):
            return a
        if is_const(b, 0):
            return Const(1.0)
    return BinOp(op, a, b)


def _product(a: Expr, b: Expr) -> Expr:
    """`a * b`, folding neutral elements and signs."""
    if is_const(a, 1):
        return b
    if is_const(b, 1):
        return a
    if is_const(a, -1):
        return neg(b)
    if is_const(b, -1):
        return neg(a)
    if isinstance(a, Unary) and a.op == "-":
        return neg(binop("*", a.operand, b))
    if isinstance(b, Unary) and b.op == "-":
        return neg(binop("*", a, b.operand))
    # keep constants in front: 2.0 * x reads better than x * 2.0
    if is_const(b) and not is_const(a):
        return binop("*", b, a)
    # g * (1.0 if c else 0.0) -> (g if c else 0.0): piecewise rules stay selects
    if isinstance(b, IfExp) and is_const(b.body) and is_const(b.orelse):
        return select(b.test, binop("*", a, b.body), binop("*", a, b.orelse))
    if isinstance(a, IfExp) and is_const(a.body) and is_const(a.orelse):
        return select(a.test, binop("*", a.body, b), binop("*", a.orelse, b))
    if is_const(a, 0) or is_const(b, 0):
        return Const(0.0)
    return BinOp("*", a, b)


def neg(a: Expr) -> Expr:
    if is_const(a):
        return Const(-a.value)
    if isinstance(a, Unary) and a.op == "-":
        return a.operand
    if isinstance(a, BinOp) and a.op == "-":
        return BinOp("-", a.right, a.left)
    return Unary("-", a)


_COMPARE = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


def compare(op: str, a: Expr, b: Expr) -> Expr:
    """`a op b`, decided now when both sides are constants."""
    if is_const(a) and is_const(b):
        return Const(bool(_COMPARE[op](a.value, b.value)))
    return Compare(op, a, b)


def any_of(values) -> Expr:
    """`a or b or ...` without the parts known to be false."""
    values = [v for v in values if v != Const(False)]
    if any(v == Const(True) for v in values):
        return Const(True)
    if not values:
        return Const(False)
    return values[0] if len(values) == 1 else BoolOp("or", tuple(values))


def all_of(values) -> Expr:
    values = [v for v in values if v != Const(True)]
    if any(v == Const(False) for v in values):
        return Const(False)
    if not values:
        return Const(True)
    return values[0] if len(values) == 1 else BoolOp("and", tuple(values))


def select(cond: Expr, a: Expr, b: Expr) -> Expr:
    if a == b:
        return a
    if isinstance(cond, Const) and isinstance(cond.value, bool):
        return a if cond.value else b
    return IfExp(cond, a, b)


_UFUNC_OPERATORS = {"add": "+", "subtract": "-", "multiply": "*", "true_divide": "/", "divide": "/",
                    "power": "**", "floor_divide": "//", "remainder": "%"}
_UFUNC_COMPARISONS = {"greater": ">", "greater_equal": ">=", "less": "<", "less_equal": "<=",
                      "equal": "==", "not_equal": "!="}


def apply_ufunc(name: str, args: list) -> Expr:
    if name in _UFUNC_OPERATORS:
        return binop(_UFUNC_OPERATORS[name], *args)
    if name in _UFUNC_COMPARISONS:
        return compare(_UFUNC_COMPARISONS[name], *args)
    if name == "negative":
        return neg(args[0])
    if name == "positive":
        return args[0]
    if name == "sign" and is_const(args[0]):
        return Const(float(np.sign(args[0].value)))
    return Call(name, tuple(args))


# ----------------------------------------------------------------------------- queries

def children(e: Expr) -> tuple:
    if isinstance(e, BinOp) or isinstance(e, Compare):
        return (e.left, e.right)
    if isinstance(e, Unary):
        return (e.operand,)
    if isinstance(e, BoolOp):
        return e.values
    if isinstance(e, IfExp):
        return (e.test, e.body, e.orelse)
    if isinstance(e, (Call, UserCall)):
        return e.args
    if isinstance(e, Index):
        return (Name(e.array),) + e.indices
    if isinstance(e, Alloc):
        return e.shape + ((Name(e.like),) if e.like else ())
    return ()


def array_dims(kind) -> int:
    """0 for scalar types, k for a k-dimensional float array ("array1", "array2", ...)."""
    return int(kind[5:]) if isinstance(kind, str) and kind.startswith("array") else 0


def array_type(ndim: int) -> str:
    return f"array{ndim}"


def rebuild(e: Expr, kids: list) -> Expr:
    """e with its children replaced by kids (in the order children() gives them)."""
    if isinstance(e, BinOp):
        return BinOp(e.op, kids[0], kids[1])
    if isinstance(e, Compare):
        return Compare(e.op, kids[0], kids[1])
    if isinstance(e, Unary):
        return Unary(e.op, kids[0])
    if isinstance(e, BoolOp):
        return BoolOp(e.op, tuple(kids))
    if isinstance(e, IfExp):
        return IfExp(*kids)
    if isinstance(e, Call):
        return Call(e.func, tuple(kids))
    if isinstance(e, UserCall):
        return UserCall(e.func, tuple(kids))
    if isinstance(e, Index):
        return Index(e.array, tuple(kids[1:]))
    if isinstance(e, Alloc):
        return Alloc(e.kind, tuple(kids[:len(e.shape)]), e.like)
    return e


def names_in(e: Expr) -> set:
    if isinstance(e, Name):
        return {e.id}
    out = set()
    for c in children(e):
        out |= names_in(c)
    return out


def user_calls_in(e: Expr) -> list:
    found = [e] if isinstance(e, UserCall) else []
    for c in children(e):
        found.extend(user_calls_in(c))
    return found


def substitute(e: Expr, mapping: dict) -> Expr:
    """Replace Name nodes (by id) or whole subexpressions (by equality) following mapping."""
    if e in mapping:
        return mapping[e]
    if isinstance(e, Name):
        return mapping.get(e.id, e)
    if isinstance(e, BinOp):
        return binop(e.op, substitute(e.left, mapping), substitute(e.right, mapping))
    if isinstance(e, Unary):
        operand = substitute(e.operand, mapping)
        return neg(operand) if e.op == "-" else Unary(e.op, operand)
    if isinstance(e, Compare):
        return Compare(e.op, substitute(e.left, mapping), substitute(e.right, mapping))
    if isinstance(e, BoolOp):
        return BoolOp(e.op, tuple(substitute(v, mapping) for v in e.values))
    if isinstance(e, IfExp):
        return IfExp(substitute(e.test, mapping), substitute(e.body, mapping), substitute(e.orelse, mapping))
    if isinstance(e, Call):
        return Call(e.func, tuple(substitute(a, mapping) for a in e.args))
    if isinstance(e, UserCall):
        return UserCall(e.func, tuple(substitute(a, mapping) for a in e.args))
    if isinstance(e, Index):
        return Index(e.array, tuple(substitute(i, mapping) for i in e.indices))
    return e


# ----------------------------------------------------------------------------- statements

@dataclass
class Stmt:
    line: int
    column: int


@dataclass
class Assign(Stmt):
    """`target = value`, or `target[index] = value` when index is given."""

    target: str
    value: Expr
    index: tuple | None = None


@dataclass
class If(Stmt):
    test: Expr
    body: list
    orelse: list


@dataclass
class For(Stmt):
    """`for var in range(start, stop, step)`; `exit_flag`: break after an iteration that set it."""

    var: str
    start: Expr
    stop: Expr
    step: Expr
    body: list
    exit_flag: str | None = None


@dataclass
class While(Stmt):
    test: Expr
    body: list
    exit_flag: str | None = None


@dataclass
class Break(Stmt):
    pass


@dataclass
class Continue(Stmt):
    pass


@dataclass
class Return(Stmt):
    value: Expr


@dataclass
class RaiseIf(Stmt):
    """`if test: raise exception(message)`: a check Python makes implicitly, made explicit (a
    local variable read before any assignment to it ran raises UnboundLocalError)."""

    test: Expr
    exception: str
    message: str


@dataclass
class Function:
    name: str
    params: list  # [(name, type)]
    body: list
    line: int
    column: int
    var_types: dict = field(default_factory=dict)
    return_type: str = DOUBLE
    source_lines: list = field(default_factory=list)
    array_constants: dict = field(default_factory=dict)  # module arrays read -> ndim (elements: array_view)
    called_in_loops: bool = False  # some function of the module calls it in a loop


def walk(stmts):
    """All statements, depth first, in program order."""
    for s in stmts:
        yield s
        if isinstance(s, If):
            yield from walk(s.body)
            yield from walk(s.orelse)
        elif isinstance(s, (For, While)):
            yield from walk(s.body)


def reads_of(s) -> list:
    """The expressions statement s itself evaluates (not those of the statements nested in it):
    an assignment's value and, for an element write, its indices; a condition; a range's bounds."""
    if isinstance(s, Assign):
        return [s.value] + list(s.index or ())
    if isinstance(s, (If, While, RaiseIf)):
        return [s.test]
    if isinstance(s, For):
        return [s.start, s.stop, s.step]
    return [s.value] if isinstance(s, Return) else []


# ----------------------------------------------------------------------------- generated statements
# What the transforms produce and the printers print: statements of the generated module, whose
# expressions are the Expr nodes above.


@dataclass
class GAssign:
    target: object  # a variable name, or an Index for an array element
    value: Expr
    op: str = "="  # "=" or "+="
    comment: str = ""


@dataclass
class GIf:
    test: Expr
    body: list
    orelse: list = field(default_factory=list)


@dataclass
class GFor:
    var: str
    args: tuple  # range arguments
    body: list
    comment: str = ""


@dataclass
class GWhile:
    test: Expr
    body: list
    comment: str = ""


@dataclass
class GBreak:
    pass


@dataclass
class GCall:
    """A statement that is a call, e.g. push_double(tape, x)."""

    func: str
    args: tuple
    comment: str = ""


@dataclass
class GUnpack:
    """targets = call  (a ctuple returned by an adjoint function)."""

    targets: tuple
    value: Expr
    comment: str = ""


@dataclass
class GComment:
    text: str


@dataclass
class GRaise:
    exception: str
    message: str


TAPE = Name("tape")  # the tape every adjoint function takes first


def walk_generated(stmts):
    """All generated statements, depth first, in program order."""
    for s in stmts:
        yield s
        if isinstance(s, GIf):
            yield from walk_generated(s.body)
            yield from walk_generated(s.orelse)
        elif isinstance(s, (GFor, GWhile)):
            yield from walk_generated(s.body)
