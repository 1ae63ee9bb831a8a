"""Random programs over srcgrad's compiled subset, and the differential check they must pass.

`programs(features)` is a hypothesis strategy of `Program`s: a module of one to three functions
`fn0`, `fn1`, ... where each may call the ones before it, and the last one, the entry, is tested
at drawn arguments. The programs use straight-line float and int arithmetic, math and NumPy
scalar functions on domain-safe arguments (`math.log(e * e + 1.0)`, `math.asin(0.75 *
math.sin(e))`, ...), abs/min/max, piecewise-constant functions (floor, `//`, `%`, round),
branches and conditional expressions on data, `for` loops over `range(a, b, step)` and `while`
loops with bounded trip counts whose state is overwritten every iteration, break, continue,
return anywhere, tuple unpacking, augmented assignment, module constants and calls.

`check(program, build)` compares, at the program's arguments:
  - the primal of the built module with the original Python,
  - its gradient with the eager engine's (the same source run on Tensors, with `math` replaced by
    srcgrad.eager.mathlib), to RTOL_ENGINES,
  - its gradient with central finite differences, to RTOL_FD, unless the function is not smooth
    there (finite differences at two step sizes, or one-sided ones, disagree): a branch, a kink
    or a jump within reach of the step.
A point where the primal or the gradients overflow is not compared (it is counted).

`Features` switches parts of the grammar on and off: `arrays` adds element loops over np.ndarray
parameters (for when the compiler compiles arrays), and the `known_*` flags re-enable constructs
that currently fail, each with a regression test in tests/test_regressions.py.
"""

from __future__ import annotations

import ast
import contextlib
import math
import re
import signal
import threading
import types
from dataclasses import dataclass, field, replace

import numpy as np

import libm_numpy
from hypothesis import strategies as st

RTOL_ENGINES = 1e-10
RTOL_FD = 1e-6
FD_STEPS = (1e-5, 1e-6)
# The eager engine records element assignment (issue 10.2): programs with writes are compared with it too
EAGER_RECORDS_WRITES = True
CHECK_WRONG_SHAPES = True  # wrong-shaped tangents, cotangents and hvp directions must raise ValueError
CHECK_FORWARD_MODE = True  # jvp_ along a tangent against the gradient (switch off while it is known broken)
HUGE = 1e8  # primal or gradient beyond this: too close to overflow for a tolerance to mean much
MAX_TRIPS = 14  # the most iterations a `for` over small ints runs (range(2 * n + 3) with n <= 5)
MAX_ARRAY = 5  # the longest array argument
MAX_COST = 3000  # no call may make a program run more loop iterations than this
TIME_LIMIT = 30  # seconds for the checks of one program


@dataclass(frozen=True)
class Features:
    arrays: bool = False  # np.ndarray parameters, element reads in loops over range(len(a))
    # element writes `a[i] = ...`: the eager engine's Tensors are immutable, so programs with writes
    # are checked against finite differences only
    element_writes: bool = False
    # arrays passed to other functions of the program; off: a caller that also reads an element of
    # the array falls back (tests/test_regressions.py::test_array_read_and_passed_to_a_callee)
    array_arguments: bool = False
    numpy_calls: bool = True
    calls: bool = True
    while_loops: bool = True
    piecewise: bool = True  # floor, ceil, trunc, //, %, round, int(): jumps
    int_arithmetic: bool = True
    max_functions: int = 3
    max_statements: int = 7  # per block
    max_depth: int = 3  # nesting of blocks
    max_expression_depth: int = 3
    # Issue 10's classes (docs/fuzzing.md). A flag that is off names the issue item still open, and
    # tests/test_fuzz_regressions.py holds its strict xfail regression.
    # sqrt, log, log1p, asin, acos, division and non-integer powers guarded by branches on both
    # sides (if/else, conditional expressions, one-armed ifs, in loops). What they found:
    # test_fuzz_regressions.py::test_shared_call_after_an_unsafe_select_builds,
    # ::test_guarded_sqrt_in_a_loop_builds, ::test_pure_forward_mode_of_an_unused_sqrt_at_zero
    guarded_domains: bool = True
    # entry arguments also from the edges: 0, -0, tiny, huge, branch points. What they found:
    # --pure jvp_/hvp_ divided by sqrt(0) of an unused value (an infinite tangent nothing reads):
    # tests/test_fuzz_regressions.py::test_pure_forward_mode_of_an_unused_sqrt_at_zero
    edge_arguments: bool = True
    # local arrays (np.zeros/ones/empty/full/zeros_like/copy), element writes, updates that read the
    # element they overwrite (issue 17), then whole-array reductions (np.sum(y * y))
    local_arrays: bool = True
    # np.sum(y * y) and co. of an element-written local array (compiled since arrays used both ways
    # convert; a fallback, if any, is checked the same way):
    # tests/test_fuzz_regressions.py::test_forward_mode_through_element_writes_then_a_reduction
    whole_array_reductions: bool = True
    rich_constants: bool = True  # module constants: strings compared in branches, tuples, np.array
    namesakes: bool = True  # user functions named exp, tanh, sin, cube, expm1 beside np.exp and co.
    # parameters with defaults (`def f(x, scale=2.0)`), keyword-only ones (`def f(x, *, k: int = 3)`),
    # calls between the program's functions with keywords and left-out defaults, and the entry's
    # derivatives called with and without the defaulted arguments (issue 10.8). What they found:
    # tests/test_infinite_partials.py::test_call_leaving_out_a_default
    defaults_and_keywords: bool = True
    # a local array (np.zeros_like(a), a.copy(), ...) that nothing indexes, only reduced whole (was
    # refused, "an array that is never indexed":
    # tests/test_fuzz_regressions_2.py::test_local_arrays_nothing_indexes)
    unindexed_local_arrays: bool = True
    # np.dot of two 1-D arrays, a number (was typed as an array, every use fell back:
    # tests/test_fuzz_regressions_2.py::test_dot_of_vectors_is_a_number)
    dot_of_vectors: bool = True
    # math.copysign/np.copysign (its x-partial was 0 onto a signed zero y = +-0.0:
    # tests/test_regressions.py::test_copysign_onto_a_signed_zero)
    copysign: bool = True
    # loops over neighbouring elements, a[e - 1], a[e], a[e + 1], a[e + 2], adding into an
    # accumulator (rosenbrock's (a[e + 1] - a[e] ** 2) ** 2, differences, three-point stencils): the
    # shapes the fused reverse sweep and its gathered stencil adjoints (issue 13.2-3) rewrite
    stencils: bool = True


DEFAULT = Features()
# The flags that are off because what they draw still fails (each with a strict xfail regression):
# none today
KNOWN_FAILURE_FLAGS = ()


# --------------------------------------------------------------------------- the program


@dataclass
class Function:
    name: str
    params: list  # [(name, kind)], kind in "float", "float:", "int", "bool", "array"
    lines: list  # body lines, indented by 4 per level, without the function's own indent
    cost: int = 1  # a bound on how many loop iterations one call runs, callees included
    defaults: dict = field(default_factory=dict)  # parameter -> its default, as source text
    keyword_only: tuple = ()  # the last parameters, after a bare `*`

    def signature(self) -> str:
        shown = []
        for name, kind in self.params:
            if self.keyword_only and name == self.keyword_only[0]:
                shown.append("*")
            annotation = {"float": "", "float:": ": float", "int": ": int", "bool": ": bool",
                          "array": ": np.ndarray"}[kind]
            default = self.defaults.get(name)
            shown.append(name + annotation + ("" if default is None else (" = " if annotation else "=") + default))
        return f"def {self.name}({', '.join(shown)}):"


@dataclass
class Program:
    constants: list  # [(name, text)]
    functions: list  # [Function], callees first; the last is the entry
    args: tuple

    @property
    def entry(self) -> Function:
        return self.functions[-1]

    @property
    def float_positions(self) -> list:
        return [i for i, (_, kind) in enumerate(self.entry.params) if kind in ("float", "float:", "array")]

    def body(self, prefix: str = "", keep: frozenset = frozenset()) -> str:
        """The constants and functions, with every module-level name prefixed by `prefix`, except
        the functions named like math functions in `keep` (one `exp` per module)."""
        parts = [f"{name} = {text}" for name, text in self.constants]
        for function in self.functions:
            parts.append("\n\n" + function.signature() + "\n" + "\n".join("    " + line for line in function.lines))
        text = "\n".join(parts) + "\n"
        if not prefix:
            return text
        text = _GLOBAL_NAME.sub(lambda m: prefix + m.group(0), text)
        renamed = [n for n in self.namesakes if n not in keep]
        if renamed:  # not np.exp, math.exp: only the user's own function
            text = re.sub(rf"(?<![.\w])(?:{'|'.join(renamed)})\b", lambda m: prefix + m.group(0), text)
        return text

    @property
    def namesakes(self) -> list:
        return [f.name for f in self.functions if f.name in NAMESAKES]

    def source(self) -> str:
        return HEADER + "\n" + self.body()

    def entry_name(self, prefix: str = "") -> str:
        return prefix + self.entry.name


HEADER = "import math\n\nimport numpy as np\n\n"
_GLOBAL_NAME = re.compile(r"\b(?:fn\d+|C\d+|N\d+|S\d+|T\d+|A\d+)\b")
# User functions named like math functions or the runtime's helpers (issue 10.6, issue 17)
NAMESAKES = ("exp", "tanh", "sin", "cube", "expm1")


def batch_source(programs: list) -> str:
    """Many programs in one module (one compile), program k's names prefixed with `pk_`."""
    parts, used = [], set()
    for k, program in enumerate(programs):
        keep = frozenset(n for n in program.namesakes if n not in used)
        used |= keep
        parts.append(program.body(f"p{k}_", keep))
    return HEADER + "\n".join(parts)


def batch_entry_name(programs: list, k: int) -> str:
    """Program k's entry in `batch_source(programs)` (entries are never namesakes)."""
    return programs[k].entry_name(f"p{k}_")


# --------------------------------------------------------------------------- expressions

# One-argument templates, each defined and differentiable for every finite argument.
SMOOTH_UNARY = [
    ("math.sin({0})", "np.sin({0})"),
    ("math.cos({0})", "np.cos({0})"),
    ("math.tanh({0})", "np.tanh({0})"),
    ("math.atan({0})", "np.arctan({0})"),
    ("math.exp(math.sin({0}))", "np.exp(np.sin({0}))"),
    ("math.exp(-({0}) * ({0}))", "np.exp(-({0}) * ({0}))"),
    ("math.log(({0}) * ({0}) + 1.0)", "np.log(({0}) * ({0}) + 1.0)"),
    ("math.sqrt(({0}) * ({0}) + 0.25)", "np.sqrt(({0}) * ({0}) + 0.25)"),
    ("math.log1p(({0}) * ({0}))", "np.log1p(({0}) * ({0}))"),
    ("math.hypot({0}, 0.75)", "np.hypot({0}, 0.75)"),
    ("math.atan2({0}, 1.25)", "np.arctan2(-1.5, ({0}) * ({0}) + 0.5)"),
    ("math.asinh({0})", "np.arcsinh({0})"),
    ("math.acosh(({0}) * ({0}) + 1.5)", "np.arccosh(({0}) * ({0}) + 1.5)"),
    ("math.atanh(0.5 * math.tanh({0}))", "np.arctanh(0.5 * np.tanh({0}))"),
    ("math.asin(0.75 * math.sin({0}))", "np.arcsin(0.75 * np.sin({0}))"),
    ("math.acos(0.5 * math.cos({0}))", "np.arccos(0.5 * np.cos({0}))"),
    ("math.cosh(math.sin({0}))", "np.cosh(np.sin({0}))"),
    ("math.sinh(math.atan({0}))", "np.sinh(np.arctan({0}))"),
    ("math.expm1(math.sin({0}))", "np.expm1(np.sin({0}))"),
    ("math.log2(({0}) * ({0}) + 2.0)", "np.log2(({0}) * ({0}) + 2.0)"),
    ("math.log10(({0}) * ({0}) + 0.5)", "np.log10(({0}) * ({0}) + 0.5)"),
    ("math.log(({0}) * ({0}) + 3.0, 2.0)", "np.exp2(np.cos({0}))"),
    ("math.pow(({0}) * ({0}) + 1.0, 0.5)", "np.power(({0}) * ({0}) + 1.0, 1.5)"),
    ("math.degrees(math.sin({0}))", "np.deg2rad({0})"),
    ("math.radians({0})", "np.rad2deg(np.tanh({0}))"),
    ("(({0}) * ({0}) + 0.5) ** 0.75", "np.square({0})"),
    ("2.0 ** math.sin({0})", "np.reciprocal(({0}) * ({0}) + 1.0)"),
    ("({0}) ** 2", "({0}) ** 3"),
    ("-({0})", "np.cbrt(({0}) * ({0}) + 1.0)"),
]
# Continuous but with a kink.
KINKED_UNARY = [("abs({0})", "np.abs({0})"), ("math.fabs({0})", "np.absolute({0})")]
# Piecewise constant or with jumps.
PIECEWISE_UNARY = [
    ("math.floor({0})", "np.floor({0})"),
    ("math.ceil({0})", "np.ceil({0})"),
    ("math.trunc({0})", "np.trunc({0})"),
    ("({0}) // 1.5", "({0}) // 0.75"),
    ("({0}) % 0.75", "np.remainder({0}, 1.25)"),
    ("math.fmod({0}, 1.25)", "np.fmod({0}, 0.5)"),
    ("float(round({0}))", "np.rint({0})"),
    ("float(int({0}))", "np.sign({0})"),
]
SMOOTH_BINARY = [
    ("({0}) + ({1})", None),
    ("({0}) - ({1})", None),
    ("({0}) * ({1})", None),
    ("({0}) / (({1}) * ({1}) + 1.0)", "np.divide({0}, ({1}) * ({1}) + 1.0)"),
    ("({0}) / (abs({1}) + 0.5)", "np.true_divide({0}, np.abs({1}) + 0.5)"),
    ("math.atan2({0}, ({1}) * ({1}) + 0.5)", "np.arctan2({0}, ({1}) * ({1}) + 0.5)"),
    ("math.hypot({0}, ({1}) * ({1}) + 0.5)", "np.hypot(({1}) * ({1}) + 0.5, {0})"),
    ("(({0}) * ({0}) + 1.0) ** math.cos({1})", "np.logaddexp({0}, {1})"),
    ("({0}) * 0.5 - ({1}) * 0.25", "np.add({0}, np.multiply({1}, 0.5))"),
    ("({0}) - 2.0 * ({1})", "np.subtract({0}, {1})"),
]
KINKED_BINARY = [
    ("min({0}, {1})", "np.minimum({0}, {1})"),
    ("max({0}, {1})", "np.maximum({0}, {1})"),
    ("max({0}, {1}, 0.25)", "np.fmax({0}, {1})"),
    ("min({0}, -0.5, {1})", "np.fmin({0}, {1})"),
    ("math.copysign({0}, {1})", "np.copysign({0}, {1})"),
]
NAMESAKE_CALLS = [
    ("math.exp(math.sin({0}))", "np.exp(-({0}) * ({0}))"),
    ("math.tanh({0})", "np.tanh({0})"),
    ("math.sin({0})", "np.sin({0})"),
    ("math.expm1(math.cos({0}))", "np.expm1(np.sin({0}))"),
    ("({0}) ** 3", "np.cbrt(({0}) * ({0}) + 1.0)"),
]
FLOAT_CONSTANTS = ("0.5", "-0.25", "1.5", "2.0", "0.1", "-1.0", "3.0", "0.75", "1e-3", "-2.5")
INT_CONSTANTS = ("0", "1", "2", "3", "-1")
COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")


@dataclass
class Scope:
    """What a statement or expression may use at its position."""

    features: Features
    floats: list  # float variables definitely assigned here
    ints: list  # int variables definitely assigned here (loop indices, counters, n)
    bools: list
    arrays: list  # np.ndarray parameters: (name, length expression)
    callees: list  # [Function] that may be called
    in_loop: bool = False
    depth: int = 0
    counter: list = field(default_factory=lambda: [0])  # shared: fresh names per function
    taken: set = field(default_factory=set)  # shared: names from TRICKY_NAMES in use
    weight: int = 1  # a bound on how many times code here runs per call (product of the loops' trips)
    cost: list = field(default_factory=lambda: [1])  # shared: the function's Function.cost so far

    def affordable(self) -> list:
        """The callees that a call here may run without the program's run time exploding."""
        return [c for c in self.callees if self.weight * c.cost <= MAX_COST
                and (self.arrays or all(kind != "array" for _, kind in c.params))]
    loop_vars: list = field(default_factory=list)  # int variables that must not be assigned
    # loop indices of stencil loops: index -> (lowest, highest) offset its range keeps in bounds
    stencils: dict = field(default_factory=dict)

    def nested(self, **changes) -> "Scope":
        changes.setdefault("arrays", list(self.arrays))  # local arrays defined in a block stay in it
        return replace(self, floats=list(self.floats), ints=list(self.ints), bools=list(self.bools),
                       loop_vars=list(self.loop_vars), **changes)

    def fresh(self, base: str) -> str:
        self.counter[0] += 1
        return f"{base}{self.counter[0]}"


# Local names that the generated code, its runtime or Python's math also use.
TRICKY_NAMES = ("sin", "exp", "sqrt", "sign", "floor", "tape", "Tape", "result", "value", "dout", "b_x0",
                "d_x0", "x0_new", "grad_fn0", "value_and_vjp_fn0", "range_length", "i", "k")


@st.composite
def fresh_float(draw, scope: Scope) -> str:
    """A new float variable: usually s<N>, sometimes a name the generated code might use too."""
    if draw(st.integers(0, 4)) == 0:
        name = draw(st.sampled_from(TRICKY_NAMES))
        if name not in scope.taken:
            scope.taken.add(name)
            return name
    return scope.fresh("s")


def _p(text: str) -> str:
    """Parenthesize unless atomic."""
    return text if re.fullmatch(r"[\w.]+|[\w.]+\(.*\)", text) and _balanced_call(text) else f"({text})"


def _balanced_call(text: str) -> bool:
    depth = 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0 and index != len(text) - 1:
                return False
    return depth == 0


@st.composite
def float_expr(draw, scope: Scope, depth: int | None = None) -> str:
    features = scope.features
    if depth is None:
        depth = draw(st.integers(0, features.max_expression_depth))
    if depth <= 0:
        return draw(float_leaf(scope))
    kinds = ["leaf", "smooth1", "smooth1", "binary", "binary", "binary", "kinked", "ifexp"]
    if features.piecewise:
        kinds.append("piecewise")
    if features.int_arithmetic and scope.ints:
        kinds.append("int_mix")
    if features.calls and scope.affordable():
        kinds += ["call", "call"]
    if scope.arrays:
        kinds += ["element", "element"]
    if features.namesakes:
        kinds.append("namesake")
    kind = draw(st.sampled_from(kinds))
    sub = lambda: draw(float_expr(scope, depth - 1))  # noqa: E731
    module = 1 if features.numpy_calls and draw(st.booleans()) else 0

    def fill(template: str, count: int) -> str:
        # an argument the template repeats is kept small, or programs grow exponentially
        return template.format(*(draw(float_expr(scope, min(depth - 1, 1))) if template.count(f"{{{k}}}") > 1
                                 else sub() for k in range(count)))

    if kind == "leaf":
        return draw(float_leaf(scope))
    if kind == "smooth1":
        return fill(draw(st.sampled_from(SMOOTH_UNARY))[module], 1)
    if kind == "namesake":  # the library function a user function of the same name must not replace
        return fill(draw(st.sampled_from(NAMESAKE_CALLS))[module], 1)
    if kind == "piecewise":
        jump = fill(draw(st.sampled_from(PIECEWISE_UNARY))[module], 1)
        return jump if draw(st.booleans()) else f"{_p(sub())} + {_p(jump)}"  # a jump, and a slope
    if kind == "binary":
        pair = draw(st.sampled_from(SMOOTH_BINARY))
        return fill(pair[module] or pair[0], 2)
    if kind == "kinked":
        if draw(st.booleans()):
            return fill(draw(st.sampled_from(KINKED_UNARY))[module], 1)
        binary = KINKED_BINARY if features.copysign else [t for t in KINKED_BINARY if "copysign" not in t[0]]
        return fill(draw(st.sampled_from(binary))[module], 2)
    if kind == "ifexp":
        return f"({sub()} if {draw(condition(scope, 1))} else {sub()})"
    if kind == "int_mix":
        i = draw(int_expr(scope, 1))
        e = sub()
        j = draw(small_int(scope))
        return draw(st.sampled_from([
            f"float({i}) * {_p(e)}", f"{_p(e)} * {_p(i)}", f"{_p(e)} / ({_p(i)} * {_p(i)} + 1)",
            f"{_p(i)} / 4 + {_p(e)}", f"{_p(e)} + 0.5 ** {_p(i)}", f"{_p(e)} * 2 ** ({i} - {j})",
            f"float({e}) * {_p(i)}", f"{_p(e)} ** {_p(j)}" if "-" not in j else f"{_p(e)} * {_p(j)}",
        ]))
    if kind == "element":
        name, length = draw(st.sampled_from(scope.arrays))
        index = draw(index_expr(scope, length))
        return f"{name}[{index}]" if draw(st.booleans()) else f"{_p(sub())} * {name}[{index}]"
    # a call of an earlier function
    callee = draw(st.sampled_from(scope.affordable()))
    scope.cost[0] = max(scope.cost[0], scope.weight * callee.cost)
    positional, keywords = [], []
    for name, kind_ in callee.params:
        # a defaulted parameter may be left out; after one left out or passed by keyword, and for
        # keyword-only parameters, the rest go by keyword
        if name in callee.defaults and draw(st.integers(0, 2)) == 0:
            keywords.append(None)
            continue
        if kind_ in ("float", "float:"):
            value = draw(float_expr(scope, depth - 1))
        elif kind_ == "int":  # the callee's n: at most 5, as the entry's
            value = f"min({draw(small_int(scope))}, 5)"
        elif kind_ == "bool":
            value = draw(condition(scope, 0))
        else:
            value = draw(st.sampled_from([a for a, _ in scope.arrays]))
        by_keyword = name in callee.keyword_only or bool(keywords) or (
            callee.defaults and scope.features.defaults_and_keywords and draw(st.integers(0, 3)) == 0)
        if by_keyword:
            keywords.append(f"{name}={value}")
        else:
            positional.append(value)
    keywords = [k for k in keywords if k is not None]
    if len(keywords) > 1 and draw(st.booleans()):
        keywords = draw(st.permutations(keywords))
    return f"{callee.name}({', '.join(positional + list(keywords))})"


@st.composite
def float_leaf(draw, scope: Scope) -> str:
    options = ["const", "module_const"]
    if scope.features.rich_constants:
        options.append("rich_const")
    if scope.floats:
        options += ["var"] * 8
    kind = draw(st.sampled_from(options))
    if kind == "var":
        return draw(st.sampled_from(scope.floats))
    if kind == "rich_const":  # a tuple's or an np.array's element, or a reduction of the array
        options = ["T0[0]", "T0[2]", "A0[1]", "A0[2]", "float(A0[0])", f"A0[{_p(draw(small_int(scope)))} % 3]"]
        if not scope.in_loop:  # (a whole-array expression inside a loop falls back, as documented)
            options.append("np.sum(A0)")
        return draw(st.sampled_from(options + (["np.dot(A0, A0)"] if scope.features.dot_of_vectors else [])))
    if kind == "module_const":
        return draw(st.sampled_from(["C0", "C1", "math.pi", "np.e"]))
    return draw(st.sampled_from(FLOAT_CONSTANTS))


@st.composite
def small_int(draw, scope: Scope) -> str:
    """An int expression whose value stays small (|v| <= 13): fit for range bounds and int arguments.

    An int variable other than `n` (at most 5) is read through min(v, 5): loop indices and
    counters reach 13, and bounds made from them would multiply the trip counts of nested loops."""
    options = list(INT_CONSTANTS) + ["N0"]
    if scope.ints:
        options += [v if v == "n" else f"min({v}, 5)" for v in scope.ints] * 2
    base = draw(st.sampled_from(options))
    shape = draw(st.sampled_from(["{0}", "{0}", "{0} + 1", "{0} - 1", "{0} // 2", "{0} % 3", "2 * {0}",
                                  "min({0}, 3)", "max({0}, 1)", "abs({0})"]))
    return shape.format(base if re.fullmatch(r"[\w]+|-?\d+|min\(\w+, 5\)", base) and not base.startswith("-")
                        else f"({base})")


@st.composite
def int_expr(draw, scope: Scope, depth: int = 1) -> str:
    if depth <= 0 or not draw(st.booleans()):
        return draw(small_int(scope))
    a, b = draw(int_expr(scope, depth - 1)), draw(int_expr(scope, depth - 1))
    return draw(st.sampled_from([f"{a} + {b}", f"{a} - {b}", f"{_p(a)} * {_p(b)}", f"({a} - {b}) // 2",
                                 f"({a} - {b}) % 3", f"{_p(a)} ** 2", f"min({a}, {b})", f"max({a}, {b})"]))


@st.composite
def index_expr(draw, scope: Scope, length: str) -> str:
    """An index into an array of length `length`, always in range (loop indices are kept in it)."""
    inside = [i for i in scope.ints if i.startswith("e")]  # element-loop indices
    options = [f"{i}" for i in inside] + [f"{i} % {length}" for i in inside] + ["0", f"{length} - 1"]
    options += [_offset(i, c) for i, (low, high) in scope.stencils.items() for c in range(low, high + 1) if c]
    return draw(st.sampled_from(options))


def _offset(index: str, offset: int) -> str:
    return index if offset == 0 else f"{index} + {offset}" if offset > 0 else f"{index} - {-offset}"


@st.composite
def condition(draw, scope: Scope, depth: int = 1) -> str:
    kinds = ["compare", "compare", "compare"]
    if depth > 0:
        kinds += ["not", "and", "or"]
    if scope.ints:
        kinds.append("int")
    if scope.bools:
        kinds.append("bool")
    if scope.floats:
        kinds.append("chain")
    if scope.features.rich_constants:
        kinds.append("string")
    kind = draw(st.sampled_from(kinds))
    if kind == "string":  # a mode string compared, as configuration code does
        return draw(st.sampled_from(['S0 == "smooth"', 'S0 != "fast"', 'S0 == "fast"', "S0 != 'exact'"]))
    if kind == "compare":
        op = draw(st.sampled_from(COMPARISONS))
        return f"{draw(float_expr(scope, 1))} {op} {draw(float_expr(scope, 1))}"
    if kind == "chain":
        return f"{draw(float_leaf(scope))} < {draw(float_leaf(scope))} <= {draw(float_expr(scope, 1))}"
    if kind == "int":
        return draw(st.sampled_from([f"{draw(small_int(scope))} % 2 == 0", f"{draw(small_int(scope))} > 1",
                                     f"{draw(small_int(scope))} == {draw(small_int(scope))}"]))
    if kind == "bool":
        return draw(st.sampled_from(scope.bools))
    if kind == "not":
        return f"not ({draw(condition(scope, depth - 1))})"
    op = kind
    return f"({draw(condition(scope, depth - 1))}) {op} ({draw(condition(scope, depth - 1))})"


# --------------------------------------------------------------------------- statements


@st.composite
def block(draw, scope: Scope, min_size: int = 1) -> tuple:
    """(lines, returns): a block of statements; `returns` when no path falls out of its end
    (it returns, or breaks out of the loop)."""
    lines = []
    size = draw(st.integers(min_size, max(min_size, scope.features.max_statements - 2 * scope.depth)))
    for _ in range(size):
        new_lines, returns = draw(statement(scope))
        lines += new_lines
        if returns:
            return lines, True
    return lines, False


def _mentions(expression: str, names: list) -> bool:
    return any(re.search(rf"\b{name}\b", expression) for name in names)


def _indent(lines: list) -> list:
    return ["    " + line for line in lines]


@st.composite
def statement(draw, scope: Scope) -> tuple:
    features = scope.features
    kinds = ["assign", "assign", "assign", "augassign"]
    if len(scope.floats) >= 2:
        kinds.append("unpack")
    if scope.depth < features.max_depth:
        kinds += ["if", "for", "for"]
        if features.while_loops:
            kinds.append("while")
        if scope.arrays:
            kinds.append("element_loop")
            if features.stencils:
                kinds.append("stencil_loop")
    if scope.in_loop:
        kinds += ["break", "continue"]
    kinds.append("return")
    if features.int_arithmetic and scope.ints:
        kinds.append("int_assign")
    if scope.arrays and features.element_writes:
        kinds.append("element_write")
    if features.guarded_domains:
        kinds += ["guarded", "guarded"]
    if features.local_arrays and not scope.in_loop and (scope.arrays or "n" in scope.ints):
        kinds.append("local_array")
    kind = draw(st.sampled_from(kinds))
    if kind == "guarded":
        return draw(guarded_statement(scope))
    if kind == "local_array":
        return draw(local_array(scope))

    if kind == "assign":
        fresh = not scope.floats or draw(st.integers(0, 3)) == 0
        target = draw(fresh_float(scope)) if fresh else draw(st.sampled_from(scope.floats))
        value = draw(float_expr(scope))
        if scope.floats and not _mentions(value, scope.floats) and draw(st.integers(0, 3)):
            value = f"{draw(st.sampled_from(scope.floats))} * 0.5 + {_p(value)}"  # keep a dependence
        if target not in scope.floats:
            scope.floats.append(target)
        return [f"{target} = {value}"], False
    if kind == "augassign":
        if not scope.floats:
            return [], False
        target = draw(st.sampled_from(scope.floats))
        op = draw(st.sampled_from(["+=", "-=", "*=", "/="]))
        value = draw(float_expr(scope, 2 if op != "/=" else 1))
        if op == "/=":
            value = f"({_p(value)} * {_p(value)} + 1.0)"
        elif op == "*=":
            value = f"math.tanh({value})" if draw(st.booleans()) else draw(st.sampled_from(["0.5", "-1.25", "1.1"]))
        return [f"{target} {op} {value}"], False
    if kind == "unpack":
        a, b = draw(st.lists(st.sampled_from(scope.floats), min_size=2, max_size=2, unique=True))
        if draw(st.booleans()):
            return [f"{a}, {b} = {b}, {a}"], False
        return [f"{a}, {b} = {draw(float_expr(scope, 2))}, {draw(float_expr(scope, 2))}"], False
    if kind == "int_assign":
        assignable = [i for i in scope.ints if i not in scope.loop_vars and i != "n"]
        target = draw(st.sampled_from(assignable)) if assignable and draw(st.booleans()) else scope.fresh("m")
        value = draw(int_expr(scope))
        # kept small (C integers do not grow like Python's; range bounds stay short)
        value = draw(st.sampled_from([f"({value}) % 5", f"min(max({value}, -3), 6)", f"({value}) % -4"]))
        if target not in scope.ints:
            scope.ints.append(target)
        return [f"{target} = {value}"], False
    if kind == "break":
        if draw(st.integers(0, 4)):
            return [f"if {draw(condition(scope))}:", "    break"], False
        return ["break"], True  # nothing after it in this block would run
    if kind == "continue":
        return [f"if {draw(condition(scope))}:", "    continue"], False
    if kind == "return":
        value = draw(float_expr(scope, 2))
        if scope.floats and not _mentions(value, scope.floats):
            value = f"{draw(st.sampled_from(scope.floats))} - {_p(value)}"
        if draw(st.integers(0, 2)) == 0 and scope.depth > 0:
            return [f"return {value}"], True
        return [f"if {draw(condition(scope))}:", f"    return {value}"], False
    if kind == "if":
        return draw(if_statement(scope))
    if kind == "for":
        return draw(for_statement(scope))
    if kind == "while":
        return draw(while_statement(scope))
    if kind == "element_loop":
        return draw(element_loop(scope))
    if kind == "stencil_loop":
        return draw(stencil_loop(scope))
    # element_write
    name, length = draw(st.sampled_from(scope.arrays))
    index = draw(index_expr(scope, length))
    op = draw(st.sampled_from(["=", "+=", "*=", "old"]))
    if op == "old":  # reads the element it overwrites (issue 17)
        return [draw(element_update(scope, f"{name}[{index}]"))], False
    value = draw(float_expr(scope, 2)) if op != "*=" else "0.5"
    return [f"{name}[{index}] {op} {value}"], False


# Domain-limited calls, each guarded: (condition on u, the arm run where it holds, the other arm),
# in math and NumPy spellings. Python runs only one arm; a build that evaluates the other one too
# (a select) raises or makes a nan at points where Python never would (issue 10.1).
GUARDED = [
    ("{0} >= 0.0", ("math.sqrt({0})", "np.sqrt({0})"), ("math.sqrt(-{0})", "np.sqrt(-{0})")),
    ("{0} > 0.0", ("math.log({0})", "np.log({0})"), ("-{0}", "0.5 * {0}")),
    ("{0} > 0.0", ("{0} ** 1.5", "np.power({0}, 2.5)"), ("0.0", "-{0} * {0}")),
    ("{0} > 0.0", ("{0} ** 0.5", "math.pow({0}, 0.75)"), ("{0}", "0.25 * {0}")),
    ("{0} != 0.0", ("1.0 / {0}", "np.divide(0.5, {0})"), ("0.0", "{0}")),
    ("{0} != 0.0", ("math.sin({0}) / {0}", "np.sin({0}) / {0}"), ("1.0", "1.0")),
    ("abs({0}) <= 1.0", ("math.asin({0})", "np.arcsin({0})"), ("0.5 * {0}", "1.5")),
    ("-1.0 < {0} < 1.0", ("math.acos({0})", "np.arccos({0})"), ("{0}", "1.0")),
    ("{0} > -1.0", ("math.log1p({0})", "np.log1p({0})"), ("-{0}", "0.0")),
    ("{0} < 0.0", ("math.sqrt(-{0})", "np.sqrt(-{0})"), ("math.log1p({0})", "{0} ** 1.5")),
]
BRANCH_POINTS = ("0.0", "0.5", "1.0", "1.5", "2.0", "0.25", "-1.0")


@st.composite
def guarded_argument(draw, scope: Scope) -> str:
    """An argument that the edge arguments put exactly at a branch point now and then (x - 1.0 at 1.0)."""
    if not scope.floats or not draw(st.integers(0, 3)):
        return draw(float_expr(scope, 1))
    var = draw(st.sampled_from(scope.floats))
    point = draw(st.sampled_from(BRANCH_POINTS))
    return draw(st.sampled_from([var, f"{var} - {point}", f"{point} - {var}", f"{var} * {var} - {point}",
                                 f"{var} + {point}"]))


@st.composite
def guarded_statement(draw, scope: Scope) -> tuple:
    test, safe, other = draw(st.sampled_from(GUARDED))
    module = 1 if scope.features.numpy_calls and draw(st.booleans()) else 0
    shape = draw(st.sampled_from(["if", "if", "ifexp", "one_arm", "loop"] if scope.depth < scope.features.max_depth
                                 else ["if", "ifexp", "one_arm"]))
    target = scope.fresh("r")
    lines = []
    if shape == "loop":  # the argument moves through the branch point: x - 0.5 * i at x = 1.0
        index = scope.fresh("i")
        u = scope.fresh("u")
        argument = draw(guarded_argument(scope))
        lines = [f"{target} = 0.0", f"for {index} in range({draw(st.sampled_from(['3', '4', 'N0']))}):",
                 f"    {u} = {argument} - 0.5 * {index}"]
        arms = [test.format(u), safe[module].format(u), other[module].format(u)]
        lines += [f"    if {arms[0]}:", f"        {target} += {arms[1]}", "    else:", f"        {target} += {arms[2]}"]
        scope.cost[0] = max(scope.cost[0], scope.weight * 4)
        scope.floats.append(target)
        return lines, False
    argument = _p(draw(guarded_argument(scope)))
    u = argument
    test, safe, other = test.format(u), safe[module].format(u), other[module].format(u)
    if shape == "if":
        if draw(st.booleans()):
            lines = [f"if {test}:", f"    {target} = {safe}", "else:", f"    {target} = {other}"]
        else:
            lines = [f"if not ({test}):", f"    {target} = {other}", "else:", f"    {target} = {safe}"]
    elif shape == "ifexp":
        lines = [f"{target} = {safe} if {test} else {other}"]
    else:
        lines = [f"{target} = {other}", f"if {test}:", f"    {target} = {safe}"]
    scope.floats.append(target)
    return lines, False


@st.composite
def element_update(draw, scope: Scope, element: str) -> str:
    """An update of `element` that reads its old value (issue 17)."""
    g = draw(float_expr(scope, 1))
    return draw(st.sampled_from([
        f"{element} *= {_p(g)}", f"{element} = {element} * {_p(g)}", f"{element} += {element} * {_p(g)}",
        f"{element} = {draw(st.sampled_from(SMOOTH_UNARY))[0].format(element)}",
        f"{element} = np.tanh({element}) + {_p(g)}", f"{element} -= 0.5 * {element}",
    ]))


@st.composite
def local_array(draw, scope: Scope) -> tuple:
    """A fresh local array filled element by element, updated reading its old elements, reduced."""
    from_parameter = bool(scope.arrays) and ("n" not in scope.ints or draw(st.booleans()))
    if from_parameter:
        base, length = scope.arrays[0]
        makers = [f"np.zeros({length})", f"np.ones({length})", f"np.empty({length})", f"{base}.copy()",
                  f"np.zeros_like({base})", f"np.ones_like({base})"]
    else:
        base, length = None, "n + 1"
        makers = [f"np.zeros({length})", f"np.ones({length})", f"np.empty({length})"]
    y = scope.fresh("y")
    make = draw(st.sampled_from(makers))
    lines = [f"{y} = {make}"]
    loop = _loop_scope(scope, MAX_ARRAY + 1)
    filled = draw(st.booleans()) or "empty" in make
    if filled:
        e = scope.fresh("e")
        inner = loop.nested() if base else loop.nested(arrays=[])  # (indices run to n + 1)
        inner.ints.append(e)
        inner.loop_vars.append(e)
        op = "=" if "empty" in make else draw(st.sampled_from(["=", "+=", "*="]))
        value = draw(float_expr(inner, 2))
        if base is None:
            value = f"{_p(value)} * float({e} + 1)"
        lines += [f"for {e} in range({length}):", f"    {y}[{e}] {op} {value}"]
    updates = draw(st.integers(0, 3))
    if not (filled or updates or scope.features.unindexed_local_arrays):
        updates = 1  # (Features.unindexed_local_arrays off: every array is indexed)
    if updates:
        e = scope.fresh("e")
        inner = loop.nested() if base else loop.nested(arrays=[])  # (indices run to n + 1)
        inner.ints.append(e)
        inner.loop_vars.append(e)
        header = draw(st.sampled_from([f"range({length})", f"range({length} - 1, -1, -1)"]))
        lines += [f"for {e} in {header}:", "    " + draw(element_update(inner, f"{y}[{e}]"))]
    target = draw(fresh_float(scope))
    reductions = [f"np.sum({y} * {y})", f"np.sum({y})", f"np.sum(np.sin({y}))", f"float(np.sum({y} ** 2))"]
    if base is not None:
        reductions += [f"np.sum({y} * {base})", f"np.mean({y} * {base})"]
    if scope.features.dot_of_vectors:
        reductions += [f"np.dot({y}, {y})"]
    reduction = draw(st.sampled_from(reductions))
    if scope.floats and draw(st.booleans()):
        reduction = f"{draw(st.sampled_from(scope.floats))} + {reduction}"
    if scope.features.whole_array_reductions and draw(st.integers(0, 2)):
        lines.append(f"{target} = {reduction}")
    else:  # an element loop reading the updated array (the issue 17 program)
        e = scope.fresh("e")
        lines += [f"{target} = 0.0", f"for {e} in range({length}):", f"    {target} += {y}[{e}] * 0.5 + 1.0"]
    if target not in scope.floats:
        scope.floats.append(target)
    if base is not None:
        scope.arrays.append((y, length))
    scope.cost[0] = max(scope.cost[0], scope.weight * 3 * (MAX_ARRAY + 1))
    return lines, False


@st.composite
def if_statement(draw, scope: Scope) -> tuple:
    test = draw(condition(scope))
    inner = scope.nested(depth=scope.depth + 1)
    body, body_returns = draw(block(inner))
    lines = [f"if {test}:"] + _indent(body)
    arms = [(inner, body_returns)]
    has_else = False
    for _ in range(draw(st.integers(0, 2))):
        arm = scope.nested(depth=scope.depth + 1)
        arm_lines, arm_returns = draw(block(arm))
        if draw(st.booleans()):
            lines += ["else:"] + _indent(arm_lines)
            arms.append((arm, arm_returns))
            has_else = True
            break
        lines += [f"elif {draw(condition(scope))}:"] + _indent(arm_lines)
        arms.append((arm, arm_returns))
    if has_else:
        _merge_definitions(scope, arms)
        if all(returns for _, returns in arms):
            return lines, True
    return lines, False


def _merge_definitions(scope: Scope, arms: list) -> None:
    """After an if/else, a name is defined if every arm that falls through defines it."""
    through = [arm for arm, returns in arms if not returns]
    if not through:
        return
    for kind in ("floats", "ints"):
        common = set.intersection(*(set(getattr(arm, kind)) for arm in through))
        for name in getattr(through[0], kind):
            if name in common and name not in getattr(scope, kind):
                getattr(scope, kind).append(name)


def _loop_scope(scope: Scope, trips: int) -> Scope:
    inner = scope.nested(depth=scope.depth + 1, in_loop=True, weight=scope.weight * trips)
    inner.cost[0] = max(inner.cost[0], inner.weight)
    return inner


@st.composite
def for_statement(draw, scope: Scope) -> tuple:
    index = scope.fresh("i")
    shape = draw(st.sampled_from(["stop", "stop", "start_stop", "step", "down", "data"]))
    a, b = draw(small_int(scope)), draw(small_int(scope))
    if shape == "stop":
        header = f"range({b})"
    elif shape == "start_stop":
        header = f"range({a}, {b})"
    elif shape == "step":
        header = f"range({a}, {b} + 3, {draw(st.sampled_from(['2', '3']))})"
    elif shape == "down":
        header = f"range({b} + 2, {a} - 1, {draw(st.sampled_from(['-1', '-2', f'-max({a}, 1)']))})"
    else:  # a trip count from the data
        header = f"range(math.floor(abs({draw(float_leaf(scope))})) % 4)"
    inner = _loop_scope(scope, 4 if shape == "data" else MAX_TRIPS)
    inner.ints.append(index)
    inner.loop_vars.append(index)
    body, _ = draw(block(inner))
    if draw(st.integers(0, 5)) == 0:  # the body changes its loop variable (the next turn resets it)
        body.insert(0, f"{index} = ({index} * 2 + 1) % 5")
    return [f"for {index} in {header}:"] + _indent(body), False


@st.composite
def while_statement(draw, scope: Scope) -> tuple:
    counter = scope.fresh("k")
    limit = draw(st.integers(1, 8))
    inner = _loop_scope(scope, limit + 1)
    inner.ints.append(counter)
    inner.loop_vars.append(counter)
    shape = draw(st.sampled_from(["data", "data", "count", "true"]))
    body, _ = draw(block(inner))
    lines = [f"{counter} = 0"]
    if shape == "data":  # (an array element in a while condition is refused by the compiler)
        test_scope = scope.nested(arrays=[], features=replace(scope.features, rich_constants=False))
        lines.append(f"while ({draw(condition(test_scope))}) and {counter} < {limit}:")
        head = [f"{counter} += 1"]
    elif shape == "count":
        lines.append(f"while {counter} < {limit}:")
        head = [f"{counter} = {counter} + 1"]
    else:
        lines.append("while True:")
        head = [f"{counter} += 1", f"if {counter} > {limit}:", "    break"]
    scope.ints.append(counter)  # defined after the loop too
    return lines + _indent(head + body), False


@st.composite
def element_loop(draw, scope: Scope) -> tuple:
    name, length = draw(st.sampled_from(scope.arrays))
    index = scope.fresh("e")
    inner = _loop_scope(scope, MAX_ARRAY)
    inner.ints.append(index)
    inner.loop_vars.append(index)
    body, _ = draw(block(inner))
    header = draw(st.sampled_from([f"range({length})", f"range({length} - 1, -1, -1)", f"range(1, {length})"]))
    return [f"for {index} in {header}:"] + _indent(body), False


@st.composite
def stencil_loop(draw, scope: Scope) -> tuple:
    """`acc = 0.0; for e in range(1, len(a) - 1): acc += (a[e + 1] - a[e] * a[e]) ** 2 * ...`: a
    loop whose range keeps a few neighbours of a[e] in bounds, reading them, adding into an
    accumulator; sometimes with a temporary before the sum, or other statements beside it."""
    name, length = draw(st.sampled_from(scope.arrays))
    low, high = draw(st.sampled_from([(0, 1), (-1, 1), (-1, 0), (0, 2), (-2, 0), (-1, 2)]))
    index = scope.fresh("e")
    start = f"{-low}" if low else ""
    stop = f"{length} - {high}" if high else length
    header = f"range({start}, {stop})" if start else f"range({stop})"
    inner = _loop_scope(scope, MAX_ARRAY)
    inner.ints.append(index)
    inner.loop_vars.append(index)
    inner.stencils = {**scope.stencils, index: (low, high)}
    near, far = (f"{name}[{_offset(index, c)}]" for c in draw(st.permutations(sorted({low, high, 0})))[:2])
    term = draw(st.sampled_from([f"({far} - {near} * {near}) ** 2", f"{far} * {near}", f"({far} - {near}) ** 2",
                                 f"({far} - 2.0 * {near}) * {far}", f"math.sin({far}) * {near}"]))
    body = []
    if draw(st.booleans()):
        temporary = inner.fresh("t")
        body.append(f"{temporary} = {term}")
        inner.floats.append(temporary)
        term = f"{temporary} * {temporary}" if draw(st.booleans()) else temporary
    if draw(st.integers(0, 2)) == 0:
        extra, _ = draw(block(inner))
        body += extra
    if inner.floats and draw(st.booleans()):
        term = f"{term} * {_p(draw(float_expr(inner, 1)))}"
    fresh = not scope.floats or draw(st.booleans())
    accumulator = scope.fresh("s") if fresh else draw(st.sampled_from(scope.floats))
    body.append(f"{accumulator} {draw(st.sampled_from(['+=', '+=', '-=']))} {term}")
    lines = ([f"{accumulator} = 0.0"] if fresh else []) + [f"for {index} in {header}:"] + _indent(body)
    if fresh:
        scope.floats.append(accumulator)
    return lines, False


# --------------------------------------------------------------------------- functions and programs


@st.composite
def function(draw, name: str, callees: list, features: Features, entry: bool, taken: frozenset = frozenset()) -> Function:
    count = draw(st.integers(1, 3))
    params = [(f"x{k}", draw(st.sampled_from(["float", "float", "float", "float:"]))) for k in range(count)]
    if draw(st.booleans()):
        params.append(("n", "int"))
    if draw(st.integers(0, 4)) == 0:
        params.append(("flag", "bool"))
    arrays = []
    if features.arrays and (entry or features.array_arguments) and draw(st.booleans()):
        params.append(("a", "array"))
        arrays.append(("a", "len(a)"))
    if draw(st.booleans()):  # parameter order is not always floats first
        params = draw(st.permutations(params))
    defaults, keyword_only = {}, ()
    if features.defaults_and_keywords and draw(st.integers(0, 2)):
        params, defaults, keyword_only = draw(defaults_and_keyword_only(params))
    scope = Scope(features, [p for p, k in params if k in ("float", "float:")],
                  [p for p, k in params if k == "int"], [p for p, k in params if k == "bool"],
                  arrays, callees, taken=set(taken))
    lines, returns = draw(block(scope, min_size=1))
    if not returns:
        value = draw(float_expr(scope, 2))
        if scope.floats and not _mentions(value, scope.floats):
            value = f"{draw(st.sampled_from(scope.floats))} + {_p(value)}"
        lines.append(f"return {value}")
    return Function(name, list(params), lines, scope.cost[0], defaults, keyword_only)


DEFAULT_TEXTS = {"float": ("2.0", "0.5", "-1.25", "C0", "C1 * 2.0", "1"), "int": ("2", "3", "N0", "0"),
                 "bool": ("True", "False")}
DEFAULT_TEXTS["float:"] = DEFAULT_TEXTS["float"]


@st.composite
def defaults_and_keyword_only(draw, params: list) -> tuple:
    """(params reordered, {parameter: default text}, keyword-only names): some parameters that are
    not arrays move after a bare `*`, a suffix of the positional ones and some keyword-only ones get
    defaults (module constants too)."""
    movable = [p for p in params if p[1] != "array"]
    moved = draw(st.lists(st.sampled_from(movable), max_size=min(2, len(movable)), unique=True)) if movable else []
    positional = [p for p in params if p not in moved]
    keyword_only = [p for p in params if p in moved]
    defaults = {}
    for name, kind in reversed(positional):  # a default only after the last parameter without one
        if kind == "array" or not draw(st.booleans()):
            break
        defaults[name] = draw(st.sampled_from(DEFAULT_TEXTS[kind]))
    for name, kind in keyword_only:
        if draw(st.booleans()):
            defaults[name] = draw(st.sampled_from(DEFAULT_TEXTS[kind]))
    return positional + keyword_only, defaults, tuple(name for name, _ in keyword_only)


@st.composite
def programs(draw, features: Features = DEFAULT) -> Program:
    count = draw(st.integers(1, features.max_functions)) if features.calls else 1
    names = [f"fn{k}" for k in range(count)]
    if features.namesakes and count > 1:  # callees named like math functions (never the entry)
        chosen = draw(st.lists(st.sampled_from(NAMESAKES), min_size=count - 1, max_size=count - 1, unique=True))
        names[:-1] = [n if draw(st.booleans()) else names[k] for k, n in enumerate(chosen)]
    taken = frozenset(n for n in names if n in NAMESAKES)  # no local variable may shadow them
    functions = []
    for k in range(count):
        functions.append(draw(function(names[k], list(functions), features, entry=k == count - 1, taken=taken)))
    constants = [("C0", draw(st.sampled_from(["0.3", "-1.5", "2.0 * math.pi", "1 / 3"]))),
                 ("C1", draw(st.sampled_from(["0.7", "C0 * 2.0 - 1.0", "math.e / 4"]))),
                 ("N0", draw(st.sampled_from(["2", "3", "N_BASE - 1"])))]
    if constants[2][1] == "N_BASE - 1":
        constants.insert(2, ("N_BASE", "4"))
    if features.rich_constants:
        constants += [("S0", draw(st.sampled_from(['"smooth"', '"fast"', "'exact'"]))),
                      ("T0", draw(st.sampled_from(["(0.5, -1.25, 2.0)", "(C0, 1.5, -0.5)", "(1, 2.5, 3)"]))),
                      ("A0", draw(st.sampled_from(["np.array([0.5, -1.0, 1.5])", "np.array((2.0, C0, 0.25))",
                                                   "np.linspace(0.0, 1.0, 3)"])))]
    number = st.floats(-2.5, 2.5, allow_nan=False, allow_infinity=False)
    if features.edge_arguments:
        number = st.one_of(number, number, st.sampled_from(EDGE_ARGUMENTS))
    args = []
    for _, kind in functions[-1].params:
        if kind in ("float", "float:"):
            args.append(draw(number))
        elif kind == "int":
            args.append(draw(st.integers(0, 5)))
        elif kind == "bool":
            args.append(draw(st.booleans()))
        else:
            size = draw(st.integers(1, MAX_ARRAY))
            args.append(np.array(draw(st.lists(number, min_size=size, max_size=size)), dtype=float))
    return Program(constants, functions, tuple(args))


# Zero of both signs, the branch points of GUARDED and BRANCH_POINTS, tiny and huge magnitudes
EDGE_ARGUMENTS = (0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 1.5, 2.0, 0.25, -2.0, 5e-324, -5e-324, 1e-300, 1e-12,
                  -1e-12, 1e6, -1e6, 1e15)


# --------------------------------------------------------------------------- checking


class Stats:
    """Counts of what the checks did, for the test report."""

    CONSTRUCTS = {"for": "for ", "while": "while ", "break": "break", "continue": "continue", "if": "if ",
                  "call": re.compile(r"= .*\bfn\d+\(|return .*\bfn\d+\("), "unpack": re.compile(r"^\s*\w+, \w+ ="),
                  "return in a block": re.compile(r"^\s{8,}return ")}

    def __init__(self):
        self.programs = 0
        self.compared_fd = 0
        self.not_smooth = 0
        self.jumps_engines_only = 0  # a jump within the step: the engines compared, not differences
        self.overflow = 0
        self.python_raised = 0
        self.hvp_compared = 0
        self.build_raised_excused = 0
        self.wrong_shapes_checked = 0
        self.nonzero_gradient = 0
        self.lines = 0
        self.constructs = dict.fromkeys(self.CONSTRUCTS, 0)

    def count(self, program: "Program") -> None:
        self.programs += 1
        text = program.body()
        self.lines += text.count("\n")
        for name, pattern in self.CONSTRUCTS.items():
            found = pattern in text if isinstance(pattern, str) else pattern.search(text) is not None
            if not found and not isinstance(pattern, str):
                found = any(pattern.search(line) for line in text.splitlines())
            self.constructs[name] += found

    def __str__(self):
        shares = ", ".join(f"{name} {count}" for name, count in self.constructs.items())
        return (f"{self.programs} programs ({self.lines} lines; programs with {shares}): gradient compared with "
                f"the eager engine and finite differences in {self.compared_fd} ({self.nonzero_gradient} of them "
                f"nonzero), a jump within the step (engines compared, not differences) in "
                f"{self.jumps_engines_only}, not smooth at the point in {self.not_smooth}, overflow in {self.overflow}, "
                f"Python raised in {self.python_raised}; jvp_ checked wherever the gradient was, hvp_ against differences of grad_ "
                f"in {self.hvp_compared}; wrong-shaped tangents refused in {self.wrong_shapes_checked}; a build "
                f"raised where the original's NumPy arithmetic left the reals or the derivative is infinite "
                f"(allowed, see check_source) in {self.build_raised_excused}")


# The fallbacks the generator draws knowingly: a whole-array operation on a local array (the
# compiler's documented limit), and an element read in `a if c else b` whose index c may be
# guarding (the compiler's bounds checks run before the statement, as if both arms ran, so it
# refuses rather than raise IndexError where Python does not read; analysis/bounds.py). The
# function then runs on the eager tape and is checked the same way: the pattern of issue 10.2
# (element writes, then np.sum(y * y)) in fallback code.
_EXPECTED_FALLBACK = re.compile(r"the array 'y\d+' used as a whole value .*uses the eager tape"
                                r"|a call of '\w+', which uses the eager tape"
                                r"|read in a conditional expression whose condition may keep its index in bounds")


def unexpected_diagnostics(generated) -> list:
    """The build's diagnostics other than the expected fallback, formatted."""
    return [d.format() for d in generated.diagnostics if not _EXPECTED_FALLBACK.search(d.format())]


def run_source(source: str, name: str, eager: bool = False):
    """The function `name` of `source`, run as Python, or as the eager fallback runs user code
    when `eager` (math, NumPy and float rebound so Tensors record: mathlib.tensor_math)."""
    module = types.ModuleType("fuzzed")
    exec(compile(source, "<fuzzed>", "exec", dont_inherit=True), module.__dict__)
    function = getattr(module, name)
    if not eager:  # NumPy's tanh, exp2, hypot, cbrt rounded as the generated code's C library rounds them
        libm_numpy.rebind_numpy(module.__dict__)
    if eager:
        from srcgrad.eager.mathlib import tensor_math

        return tensor_math(function)
    return function


# Functions constant between jumps (and the operators // and %): where their value changes within
# the finite-difference step (floor at an exact integer, rint at a half-integer, anything of x ~ 1e6
# where the step is 1), differences straddle the jump or see the staircase as a slope
_PIECEWISE_CALLS = {"floor", "ceil", "trunc", "rint", "fix", "round", "around", "int", "floor_divide", "remainder",
                    "mod", "fmod"}
# Sawtooths (fmod, remainder, mod, %) jump where the quotient a / b crosses an integer: that is what
# is recorded for them, since their value can come back to where it was within a step (fmod(x, 0.5)
# at x = -1e6, step 10, crosses 40 jumps and has the same value at both ends)
_SAWTOOTH_CALLS = {"fmod": np.trunc, "remainder": np.floor, "mod": np.floor}


class _RecordPiecewise(ast.NodeTransformer):
    """Wraps each piecewise-constant call and each // and % in `_piecewise_value(...)`."""

    def _wrapped(self, node):
        return ast.copy_location(ast.Call(ast.Name("_piecewise_value", ast.Load()), [node], []), node)

    def _sawtooth(self, node, kind: str, a, b):
        """`_sawtooth_value(node, kind, a, b)`: node's value, recording the quotient's integer part."""
        call = ast.Call(ast.Name("_sawtooth_value", ast.Load()), [node, ast.Constant(kind), a, b], [])
        return ast.copy_location(call, node)

    def visit_Call(self, node):
        self.generic_visit(node)
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        if name in _SAWTOOTH_CALLS and len(node.args) == 2 and not node.keywords:
            return self._sawtooth(node, name, *node.args)
        return self._wrapped(node) if name in _PIECEWISE_CALLS else node

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Mod):
            return self._sawtooth(node, "mod", node.left, node.right)
        return self._wrapped(node) if isinstance(node.op, ast.FloorDiv) else node


def traced_source(source: str, name: str):
    """The function `name` of `source` run as Python, returning (its value, the values its
    piecewise-constant calls and // and % gave, in order)."""
    tree = ast.fix_missing_locations(_RecordPiecewise().visit(ast.parse(source)))
    module = types.ModuleType("fuzzed_traced")
    values = []

    def record(value):
        values.append(np.asarray(value, dtype=float).tolist() if np.ndim(value) else float(value))
        return value

    def sawtooth(value, kind, a, b):
        with np.errstate(all="ignore"):
            record(_SAWTOOTH_CALLS[kind](np.true_divide(a, b)))
        return value

    module.__dict__["_piecewise_value"] = record
    module.__dict__["_sawtooth_value"] = sawtooth
    exec(compile(tree, "<fuzzed>", "exec", dont_inherit=True), module.__dict__)
    libm_numpy.rebind_numpy(module.__dict__)  # as run_source: the values the original computes
    function = getattr(module, name)

    def run(*args, **keywords):
        values.clear()
        result = function(*args, **keywords)
        return result, list(values)

    return run


def _jumps_within_step(traced, args: tuple, positions: list) -> bool:
    """Whether a piecewise-constant call (or // or %) gives another value somewhere within the
    finite-difference steps of some parameter than at args: the function jumps there."""
    try:
        with np.errstate(all="ignore"):
            _, at = traced(*_copies(args))
    except Exception:  # noqa: BLE001 - the original raising is judged elsewhere
        return False
    if not at:
        return False
    for position in positions:
        base = args[position]
        for cell in range(base.size) if isinstance(base, np.ndarray) else [None]:
            x = float(base.flat[cell]) if cell is not None else float(base)
            for step in FD_STEPS:
                for sign in (1.0, -1.0):
                    moved = list(_copies(args))
                    value = x + sign * step * max(1.0, abs(x))
                    if cell is None:
                        moved[position] = value
                    else:
                        moved[position].flat[cell] = value
                    try:
                        with np.errstate(all="ignore"):
                            _, there = traced(*moved)
                    except Exception:  # noqa: BLE001 - a domain's edge within the step: _smooth says so
                        return False
                    if there != at:
                        return True
    return False


def pure_build(source: str, filename: str = "fuzzed.py"):
    from srcgrad.generate import generate

    generated = generate(source, filename, pure=True)
    module = types.ModuleType(generated.module_name)
    exec(compile(generated.text, generated.module_name + ".py", "exec", dont_inherit=True), module.__dict__)
    return generated, module


def compiled_build(source: str, filename: str):
    from srcgrad import build
    from srcgrad.api import _import_extension
    from srcgrad.generate import generate

    generated = generate(source, filename)
    binary, _ = build.compile_cached(generated.text, generated.module_name)
    return generated, _import_extension(binary, generated.module_name)


class Mismatch(AssertionError):
    pass


def _as_list(gradient, count: int) -> list:
    if count == 1:
        return [gradient]
    return list(gradient)


def _flat(values) -> np.ndarray:
    return np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in values]) if values else np.zeros(0)


def check(program: Program, built, name: str, stats: Stats | None = None, what: str = "pure") -> None:
    """Compare the built module's `name` (the program's entry) with the original Python, the eager
    engine and finite differences. Raises Mismatch, showing the program, on a difference."""
    stats = stats or Stats()
    stats.count(program)
    with _time_limit(TIME_LIMIT, f"{what} build: the checks took more than {TIME_LIMIT} s (a loop that does "
                                 f"not end?)\nargs = {program.args!r}\nprogram:\n{program.source()}"):
        check_source(program.source(), program.entry.name, program.args, program.float_positions, built, name,
                     stats, what, program.entry.keyword_only)
        if program.entry.defaults:
            check_defaults(program.source(), program.entry.name, program.args, program.float_positions, built, name,
                           program.entry.keyword_only, what)


@contextlib.contextmanager
def _time_limit(seconds: int, message: str):
    """Raise Mismatch(message) if the block runs longer than `seconds` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise Mismatch(message)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check_source(source: str, entry: str, args: tuple, positions: list, built, name: str | None = None,
                 stats: Stats | None = None, what: str = "pure", keyword_only: tuple = ()) -> None:
    """`check` for any source text: `entry` is the function in `source`, `name` its name in the
    built module, `positions` the indices of its float parameters, `keyword_only` the names of the
    last parameters, which every call passes by keyword."""
    name = name or entry
    stats = stats or Stats()
    original = run_source(source, entry)
    eager = run_source(source, entry, eager=True)
    traced = traced_source(source, entry)
    if keyword_only:
        original, eager = _by_keyword(original, keyword_only), _by_keyword(eager, keyword_only)
        traced = _by_keyword(traced, keyword_only)
        built = _KeywordCalls(built, name, keyword_only)

    def fail(message):
        raise Mismatch(f"{what} build: {message}\nargs = {args!r}\nprogram:\n{source}")

    try:
        expected_value = original(*_copies(args))
    except (ArithmeticError, ValueError):  # e.g. 0.0 ** -1: Python raises where C gives inf
        stats.python_raised += 1
        return
    stage = ["the primal"]
    try:
        _check_built(original, eager, args, positions, built, name, stats, fail, stage, expected_value, source,
                     traced)
    except Mismatch:
        raise
    except (ArithmeticError, ValueError) as error:
        # Where the original, run on NumPy scalars, computes an inf or a nan on the way (np.exp
        # overflows, 1.0 / np.float64(0.0)), Python's math and floats, which the --pure build
        # computes with, raise instead: that is the original's own domain error, allowed. So is a
        # derivative raising where the derivative itself is infinite (sqrt at exactly 0: C gives
        # inf, Python's 0.5 / 0.0 raises). Anything else is a build raising where the original
        # Python does not (issue 10.1: an arm Python never runs, evaluated).
        reason = _allowed_raise(original, eager, args, positions, stage[0] != "the primal")
        if reason is None:
            fail(f"{stage[0]} raised {type(error).__name__}: {error}, where the original Python does not raise "
                 f"and NumPy's arithmetic stays finite")
        stats.build_raised_excused += 1
    except Exception as error:  # TypeError, IndexError, ...: a crash of generated code
        fail(f"{stage[0]} raised {type(error).__name__}: {error}")


def _by_keyword(function, keyword_only: tuple, extra: int = 0):
    """function called as `function(*args)` (plus `extra` trailing arguments: a cotangent, tangents),
    the last len(keyword_only) of args passed by keyword."""
    count = len(keyword_only)

    def call(*args):
        trailing = args[len(args) - extra:] if extra else ()
        args = args[:len(args) - extra] if extra else args
        positional, keywords = args[:len(args) - count], dict(zip(keyword_only, args[len(args) - count:]))
        return function(*positional, *trailing, **keywords)

    return call


class _KeywordCalls:
    """A built module whose entry `name`'s functions take the keyword-only parameters by keyword."""

    EXTRA = {"vjp_": 1, "jvp_": 1, "hvp_": 1}

    def __init__(self, built, name: str, keyword_only: tuple):
        self._built, self._name, self._keyword_only = built, name, keyword_only

    def __getattr__(self, attribute: str):
        function = getattr(self._built, attribute)
        prefix = attribute[:-len(self._name)] if attribute.endswith(self._name) else None
        if prefix is None or (prefix and not prefix.endswith("_")):
            return function
        return _by_keyword(function, self._keyword_only, self.EXTRA.get(prefix, 0))


def check_defaults(source: str, entry: str, args: tuple, positions: list, built, name: str, keyword_only: tuple,
                   what: str = "pure") -> None:
    """The entry and its derivatives called leaving the defaulted arguments out, and passing them
    by keyword, give what the call passing the defaults' values gives (issue 10.8)."""
    import inspect

    signature = inspect.signature(run_source(source, entry))
    params = list(signature.parameters.values())
    full = tuple(p.default if p.default is not inspect.Parameter.empty else a for p, a in zip(params, args))
    count = len(keyword_only)
    positional_count = len(params) - count
    # the defaulted positional parameters are a suffix of the positional ones
    kept = [k for k, p in enumerate(params[:positional_count]) if p.default is inspect.Parameter.empty]
    tangents = tuple(np.full(np.shape(full[p]), 0.5 + k) if np.ndim(full[p]) else 0.5 + k
                     for k, p in enumerate(positions))
    packed = tangents if len(tangents) != 1 else tangents[0]
    extras = {"": None, "value_and_grad_": None, "grad_": None, "vjp_": -2.5, "jvp_": packed, "hvp_": packed}
    original = run_source(source, entry)

    def fail(message):
        raise Mismatch(f"{what} build: {message}\nargs = {full!r}\nprogram:\n{source}")

    for prefix, extra in extras.items():
        if not positions and prefix:
            break
        function = getattr(built, prefix + name)
        trailing = () if extra is None else (extra,)
        keywords = {params[k].name: full[k] for k in range(positional_count, len(params))}
        try:
            with np.errstate(all="ignore"):
                expected = function(*_copies(full[:positional_count]), *trailing, **keywords)
        except Exception:  # noqa: BLE001 - check_source judges the calls that raise
            continue
        short_keywords = {k: v for k, v in keywords.items() if params[[p.name for p in params].index(k)].default
                          is inspect.Parameter.empty}
        by_keyword = {params[k].name: full[k] for k in range(len(kept), positional_count)}
        calls = {"leaving the defaulted arguments out": (full[:len(kept)], short_keywords),
                 "passing the defaulted positional arguments by keyword": (full[:len(kept)], {**by_keyword, **keywords})}
        for how, (call_args, call_keywords) in calls.items():
            try:
                with np.errstate(all="ignore"):
                    got = function(*_copies(call_args), *trailing, **call_keywords)
            except Exception as error:  # noqa: BLE001
                fail(f"{prefix}{name} {how} raised {type(error).__name__}: {error}; passing every argument gives "
                     f"{expected!r}")
            if not _same(got, expected):
                fail(f"{prefix}{name} {how} gives {got!r}, passing every argument {expected!r}")
        if prefix == "":
            try:
                value = original(*_copies(full[:len(kept)]), **short_keywords)
            except (ArithmeticError, ValueError):
                continue
            if not _close(expected, value, 1e-12):
                fail(f"{name} gives {expected!r} at the defaults, the original {value!r}")


def _same(a, b) -> bool:
    flat_a, flat_b = np.array(_leaves(a), dtype=float), np.array(_leaves(b), dtype=float)
    return flat_a.shape == flat_b.shape and np.array_equal(flat_a, flat_b, equal_nan=True)


def _leaves(value) -> list:
    if isinstance(value, (tuple, list)):
        return [leaf for part in value for leaf in _leaves(part)]
    return list(np.ravel(np.asarray(value, dtype=float)))


def _allowed_raise(original, eager, args, positions, derivative: bool):
    """Why a build may raise at args (None: it may not); see check_source."""
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        try:
            original(*_copies(args))
        except FloatingPointError as error:
            return f"the original's NumPy arithmetic: {error}"
        except Exception:  # noqa: BLE001 - only a FloatingPointError tells
            pass
    if derivative and positions:
        try:
            with np.errstate(all="ignore"):
                _, gradient = _eager(eager, args, positions)
        except Exception:  # noqa: BLE001
            return None
        if not np.all(np.isfinite(_flat(gradient))):
            return "the derivative is infinite here"
    return None


def _check_built(original, eager, args, positions, built, name, stats, fail, stage, expected_value, source,
                 traced=None):
    if not math.isfinite(expected_value):  # (inf and nan inputs: tests/test_bad_inputs.py)
        stats.overflow += 1
        getattr(built, name)(*_copies(args))  # must not raise unless NumPy left the reals too
        return
    value = getattr(built, name)(*_copies(args))
    if not _close(value, expected_value, 1e-12):
        fail(f"primal {value!r} != original {expected_value!r}")
    stage[0] = "value_and_grad_"
    value, gradient = getattr(built, "value_and_grad_" + name)(*_copies(args))
    if not _close(value, expected_value, 1e-12):
        fail(f"value_and_grad value {value!r} != original {expected_value!r}")
    if not positions:
        if gradient != ():
            fail(f"no float parameter, yet gradient {gradient!r}")
        return
    gradient = _as_list(gradient, len(positions))
    if not (math.isfinite(expected_value) and abs(expected_value) < HUGE
            and all(np.all(np.isfinite(g)) and np.all(np.abs(g) < HUGE) for g in gradient)):
        stats.overflow += 1
        return
    stage[0] = "grad_ and vjp_"
    alone = _as_list(getattr(built, "grad_" + name)(*_copies(args)), len(positions))
    if not _close_all(alone, gradient, 0.0):
        fail(f"grad_ {alone!r} != value_and_grad_ gradient {gradient!r}")
    scaled = _as_list(getattr(built, "vjp_" + name)(*_copies(args), -2.5), len(positions))
    # rounding differs along the way (2.5 is no power of 2), and a sum of terms that cancel
    # magnifies it: 1e-12 allows that, a dout used wrongly is off by far more
    if not _close_all(scaled, [-2.5 * np.asarray(g) for g in gradient], 1e-12):
        fail(f"vjp_ with dout=-2.5 {scaled!r} != -2.5 * gradient {gradient!r}")
    stage[0] = "jvp_"
    _check_forward_mode(built, name, args, positions, gradient, fail, original)
    stage[0] = "hvp_"
    stats.hvp_compared += _check_hessian_vector_product(built, name, args, positions, fail, eager, original)
    stage[0] = "a wrong-shaped tangent"
    stats.wrong_shapes_checked += _check_wrong_shapes(built, name, args, positions, fail)

    stage[0] = "the eager engine"
    # a piecewise-constant function jumping within the step: differences measure the jump (or see a
    # staircase as a slope), but both engines take its derivative as 0 and follow the same branches
    jump = traced is not None and _jumps_within_step(traced, args, positions)
    smooth = None if jump else _smooth(original, args, positions)
    if not EAGER_RECORDS_WRITES and _WRITES.search(source):  # finite differences are the only oracle
        if smooth is not None:
            _compare_with_differences(gradient, smooth, expected_value, fail)
            stats.compared_fd += 1
        return
    eager_value, eager_gradient = _eager(eager, args, positions)
    if smooth is None and not jump:
        # At a kink the engines may take different one-sided derivatives, and finite differences
        # none: nothing to compare.
        stats.not_smooth += 1
        return
    if not _close(eager_value, expected_value, 1e-12):
        fail(f"eager value {eager_value!r} != original {expected_value!r}")
    if not _close_all(gradient, eager_gradient, RTOL_ENGINES):
        fail(f"gradient {gradient!r} != eager engine's {eager_gradient!r}")
    if jump:
        stats.jumps_engines_only += 1
        return
    scale = max(1.0, abs(expected_value))
    if any(abs(g - fd) > RTOL_FD * max(scale, abs(fd)) for g, fd in zip(_flat(gradient), smooth)):
        if not _gradient_varies(eager, args, positions, eager_gradient, RTOL_FD * scale):
            fail(f"gradient {gradient!r} != central differences {list(smooth)!r}")
        # A kink or a branch within the step that the function values hide (`abs` of a tiny
        # number, `if x == y:` at x == y): the eager gradient changes within the step.
        stats.not_smooth += 1
        return
    stats.compared_fd += 1
    stats.nonzero_gradient += bool(np.any(_flat(gradient) != 0))


_WRITES = re.compile(r"^\s*\w+\[[^\]]*\] *[-+*/]?= ", re.M)


def _compare_with_differences(gradient, smooth, value, fail) -> None:
    scale = max(1.0, abs(value))
    if any(abs(g - fd) > RTOL_FD * max(scale, abs(fd)) for g, fd in zip(_flat(gradient), smooth)):
        fail(f"gradient {gradient!r} != central differences {list(smooth)!r}")


def _gradient_varies(eager, args: tuple, positions: list, gradient: list, tolerance: float) -> bool:
    """Whether the eager gradient moves by more than `tolerance` within the finite-difference step
    of some parameter (so that the differences measure something else than the derivative)."""
    at = _flat(gradient)
    for position in positions:
        base = args[position]
        for cell in range(base.size) if isinstance(base, np.ndarray) else [None]:
            x = float(base.flat[cell]) if cell is not None else float(base)
            for sign in (1.0, -1.0):
                moved = list(_copies(args))
                value = x + sign * FD_STEPS[-1] * max(1.0, abs(x))
                if cell is None:
                    moved[position] = value
                else:
                    moved[position].flat[cell] = value
                if np.any(np.abs(_flat(_eager(eager, tuple(moved), positions)[1]) - at) > tolerance):
                    return True
    return False


def _check_hessian_vector_product(built, name, args, positions, fail, eager, original, beside=False) -> bool:
    """hvp_ along v against central differences of grad_ along v, where those agree at two steps.

    Where they differ, the eager engine's Hessian-vector product decides: at a kink passed exactly
    (abs of an exact 0, a branch on `x == y` taken at its point) both engines take the rule's
    one-sided choice (sign(0) = 0) while differences see the smooth function around it.

    Where the eager engine's is not finite, a part of the function has no derivative at the point
    (sqrt(log1p(x*x)) at 0, inside a function smooth there): the chain rule gives inf * 0, and
    hvp_'s guard on a zero cotangent gives 0 where the true value is another. No engine of the
    chain rule gets it, so hvp_ is checked just beside the point instead (`beside`)."""
    hvp = getattr(built, "hvp_" + name, None)
    if hvp is None or not CHECK_FORWARD_MODE:
        return False
    v = [np.full(np.shape(args[p]), 0.75 - 0.5 * k) if np.ndim(args[p]) else 0.75 - 0.5 * k
         for k, p in enumerate(positions)]

    def gradient_at(step):
        moved = list(_copies(args))
        for p, direction in zip(positions, v):
            moved[p] = moved[p] + step * direction
        try:
            return _flat(_as_list(getattr(built, "grad_" + name)(*moved), len(positions)))
        except (ArithmeticError, ValueError):
            try:  # the original raises there too (or its NumPy arithmetic leaves the reals): the
                # function is not defined on both sides of the point, as _allowed_raise reasons
                with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
                    original(*_copies(moved))
            except (ArithmeticError, ValueError):
                return None
            raise

    centre = gradient_at(0.0)
    estimates = []
    for step in FD_STEPS:
        h = step * max(1.0, float(np.max(np.abs(_flat([args[p] for p in positions])))))
        up, down = gradient_at(h), gradient_at(-h)
        if up is None or down is None:
            return False  # a step leaves the function's domain: no differences to compare with
        estimates.append(((up - down) / (2 * h), (up - centre) / h, (centre - down) / h, (up + down) / 2))
    (wide, _, _, _), (narrow, forward, backward, middle) = estimates
    scale = max(1.0, float(np.max(np.abs(narrow), initial=0.0)))
    if not all(np.all(np.isfinite(e)) for e in (wide, narrow, forward, backward)) or np.any(
            np.abs(wide - narrow) > 1e-6 * scale) or np.any(np.abs(forward - backward) > 1e-3 * scale):
        return False  # the gradient is not smooth here (a kink or a branch within the step)
    result = _flat(_as_list(hvp(*_copies(args), tuple(v) if len(v) > 1 else v[0]), len(positions)))
    if result.shape != narrow.shape or np.any(np.abs(result - narrow) > 1e-5 * scale):
        if np.any(np.abs(centre - middle) > 1e-6 * max(1.0, float(np.max(np.abs(centre), initial=0.0)))):
            return False  # the gradient here is not the one on either side: a measure-zero branch
        from srcgrad.eager import hvp_of

        with np.errstate(all="ignore"):
            engine = _flat(hvp_of(eager, _copies(args), positions, v))
        if engine.shape == result.shape and np.all(np.abs(result - engine) <= 1e-8 * scale):
            return False  # both engines agree on the one-sided rule at a kink passed exactly
        if not beside and not np.all(np.isfinite(engine)):
            moved = list(_copies(args))
            for p, direction in zip(positions, v):
                moved[p] = moved[p] + 1e-3 * max(1.0, float(np.max(np.abs(moved[p])))) * direction
            _check_hessian_vector_product(built, name, tuple(moved), positions, fail, eager, original, beside=True)
            return False
        fail(f"hvp_ along {v!r} gives {result.tolist()}, the eager engine {engine.tolist()}, differences "
             f"of grad_ {narrow.tolist()}")
    return True


def _check_wrong_shapes(built, name, args, positions, fail) -> bool:
    """jvp_ and hvp_ given a tangent of the wrong shape for an array parameter, and vjp_ an array
    cotangent for a float output, must raise ValueError (issue 10.4: they read past the end)."""
    arrays = [k for k, p in enumerate(positions) if np.ndim(args[p])]
    if not CHECK_WRONG_SHAPES or not arrays:
        return False
    right = [np.full(np.shape(args[p]), 0.5) if np.ndim(args[p]) else 0.5 for p in positions]
    calls = []
    for k in arrays:
        size = args[positions[k]].size
        for wrong in (np.ones(size + 1), np.ones((size, 2)), np.ones(size - 1) if size > 1 else np.ones((1, 1))):
            tangents = list(right)
            tangents[k] = wrong
            packed = tuple(tangents) if len(tangents) > 1 else tangents[0]
            for kind in ("jvp_", "hvp_"):
                calls.append((f"{kind} with a tangent of shape {wrong.shape} for a parameter of shape "
                              f"{args[positions[k]].shape}", getattr(built, kind + name, None), packed))
    calls.append(("vjp_ with a cotangent of shape (3,) for a float output", getattr(built, "vjp_" + name), np.ones(3)))
    for what, function, extra in calls:
        if function is None:
            continue
        try:
            function(*_copies(args), extra)
        except ValueError:
            continue
        except Exception as error:  # noqa: BLE001
            fail(f"{what} raised {type(error).__name__}: {error}, not ValueError")
        fail(f"{what} returned instead of raising ValueError")
    return True


def _check_forward_mode(built, name, args, positions, gradient, fail, original) -> None:
    """jvp_ along a tangent must be the gradient's dot product with it (once the module has it).

    Except at a point where the function is not smooth and jvp_ is not finite: there an infinite
    one-sided tangent (sqrt(sin(x)) at x = 0) meets a zero partial further on (x * x) and IEEE
    makes 0 * inf = nan, while reverse mode multiplies the same zero partial into the cotangent
    first and its guard (UNBOUNDED_PARTIALS) takes the zero path as 0. Both are conventions at a
    point with no derivative; a non-finite jvp_ where the function is smooth is still a failure."""
    jvp = getattr(built, "jvp_" + name, None)
    if jvp is None or not CHECK_FORWARD_MODE:
        return
    tangents = tuple(np.full(np.shape(args[p]), 0.5 + k) if np.ndim(args[p]) else 0.5 + k
                     for k, p in enumerate(positions))
    derivative = jvp(*_copies(args), tangents if len(tangents) > 1 else tangents[0])
    expected = float(sum(np.sum(np.asarray(g) * t) for g, t in zip(gradient, tangents)))
    if _close(derivative, expected, RTOL_ENGINES):
        return
    if not math.isfinite(derivative) and _smooth(original, args, positions) is None:
        return
    fail(f"jvp_ along {tangents!r} gives {derivative!r}, the gradient says {expected!r}")


def _copies(args: tuple) -> tuple:
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def _eager(eager_function, args, positions):
    from srcgrad.eager import value_and_grad_of

    value, gradient = value_and_grad_of(eager_function, _copies(args), positions)
    return float(value), [np.asarray(g, dtype=float) if np.ndim(g) else float(g) for g in gradient]


def _close(a, b, rtol) -> bool:
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= rtol * max(1.0, abs(a), abs(b))


def _close_all(a: list, b: list, rtol: float) -> bool:
    a, b = _flat(a), _flat(b)
    if a.shape != b.shape:
        return False
    scale = max(1.0, float(np.max(np.abs(b), initial=0.0)), float(np.max(np.abs(a), initial=0.0)))
    return bool(np.all(np.abs(a - b) <= rtol * scale) or np.array_equal(a, b, equal_nan=True))


def _smooth(function, args: tuple, positions: list):
    """Central differences at args for each float parameter (each element of an array one), or
    None where the function is not smooth within reach of the step: differences at two step
    sizes, or forward and backward ones, disagree."""
    out = []
    for position in positions:
        base = args[position]
        cells = range(base.size) if isinstance(base, np.ndarray) else [None]
        for cell in cells:
            x = float(base.flat[cell]) if cell is not None else float(base)

            def at(value, cell=cell, position=position):
                moved = list(_copies(args))
                if cell is None:
                    moved[position] = value
                else:
                    moved[position].flat[cell] = value
                return function(*moved)

            estimates = []
            try:
                f0 = at(x)
                for step in FD_STEPS:
                    h = step * max(1.0, abs(x))
                    up, down = at(x + h), at(x - h)
                    estimates.append(((up - down) / (2 * h), (up - f0) / h, (f0 - down) / h))
            except (ArithmeticError, ValueError):  # a domain's edge within the step
                return None
            (wide, wide_up, wide_down), (narrow, up_, down_) = estimates
            scale = max(1.0, abs(f0), abs(narrow))
            if not all(math.isfinite(v) for v in (wide, narrow, wide_up, wide_down, up_, down_)):
                return None
            if abs(wide - narrow) > RTOL_FD / 2 * scale or abs(up_ - down_) > 1e-3 * scale:
                return None
            out.append(narrow)
    return out


__all__ = ["KNOWN_FAILURE_FLAGS", "Features", "Program", "programs", "batch_source", "batch_entry_name", "unexpected_diagnostics", "check", "check_source", "pure_build",
           "compiled_build", "Stats", "Mismatch", "run_source", "DEFAULT"]
