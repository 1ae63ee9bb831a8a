"""The outside-style corpus (tests/corpus/): optimization test functions, ODE integrators,
losses and physics kernels written the way NumPy users write them.

Each corpus file is built once per session, compiled and --pure. For every public function, at
two or three points (the zero vector and negative values included where the function is defined
and smooth there), the test checks:

- the primal of both builds equals the original Python;
- value_and_grad_ and grad_ (with defaults left out and spelled out) agree with each other;
- the compiled and the --pure gradient equal central finite differences of the original;
- both equal the eager engine's gradient of the original;
- for a compiled function, on both builds: jvp_ along a fixed direction equals the gradient
  dotted with it, and (at points with no exact zero, where kinks of abs, sqrt and hinges sit)
  hvp_ equals central differences of grad_ along that direction.

A function that falls back to the eager tape passes when its gradient is right (the report
counts it). A wrong gradient, a crash, or a function that stops its file's build fails its own
case; known-open compiler bugs are marked xfail(strict=True) with the cause, in KNOWN_OPEN.

`python tests/test_corpus.py --report` prints the counts (compiled / fallback with the
constructs the warnings name / failing) without pytest; docs/corpus.md has the table.
"""

from __future__ import annotations

import ast
import collections
import functools
import inspect
import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import assert_close, central_differences, copied, original_module  # noqa: E402

from srcgrad import build as srcgrad_build  # noqa: E402
from srcgrad.api import _import_extension  # noqa: E402
from srcgrad.eager.fallback import eager_value_and_gradient  # noqa: E402
from srcgrad.generate import generate  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "corpus"
FILES = sorted(p.name for p in CORPUS.glob("*.py"))

# finite differences (step 1e-6, relative) against exact gradients; the engines among themselves
RTOL_DIFFERENCES, ATOL_DIFFERENCES = 2e-5, 2e-6
RTOL_ENGINES = 1e-8

# ---------------------------------------------------------------- points

Z4 = np.zeros(4)
NEG4 = np.array([-0.7, -1.3, -0.4, -2.1])
MIX4 = np.array([0.3, -1.1, 1.7, 0.45])
POS4 = np.array([0.9, 1.2, 0.35, 0.6])
Z2 = np.zeros(2)
NEG2 = np.array([-1.2, -0.6])
MIX2 = np.array([0.8, -1.4])
POS2 = np.array([1.3, 0.7])

RNG = np.random.default_rng(20240611)
X_DATA = RNG.normal(size=(5, 3))
Y_SIGNS = np.array([1.0, -1.0, 1.0, 1.0, -1.0])
Y_TARGETS = RNG.normal(size=5)
Y_ONE_HOT = np.eye(3)[[0, 2, 1, 1, 0]]
W3 = np.array([0.4, -0.8, 0.25])
T01 = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
W33 = RNG.normal(size=(3, 3))
W34 = RNG.normal(size=(3, 4)) * 0.5
W4 = RNG.normal(size=4)
A_SYMMETRIC = W33 + W33.T
LV_PARAMS = np.array([1.1, 0.4, 0.1, 0.4])
LV_OBSERVED = np.array([[10.2, 4.6], [10.1, 4.4], [10.3, 4.1], [10.6, 3.9], [10.9, 3.8]])
THREE_ATOMS = np.array([[0.0, 0.0, 0.0], [1.1, 0.1, -0.1], [0.4, 1.0, 0.3]])
THREE_ATOMS_B = np.array([[0.2, -0.1, 0.3], [-0.9, 0.5, 0.0], [0.6, 0.8, -1.0]])
HEAT = np.array([0.0, 0.5, 1.0, -0.3, 0.8, 0.0])

VECTOR = (Z4, NEG4, MIX4)
VECTOR_NONZERO = (NEG4, MIX4, POS4)
PLANE = (Z2, NEG2, MIX2)
PLANE_NONZERO = (NEG2, MIX2, POS2)

_POINTS = {
    # kinks or singularities at 0 (abs, sqrt of a sum of squares, 1/x)
    **{name: VECTOR_NONZERO for name in (
        "ackley", "ackley_loop", "schwefel", "schwefel_loop", "alpine1", "alpine1_loop", "salomon",
        "salomon_loop", "csendes", "xin_she_yang_2", "schwefel_2_22", "schwefel_2_22_loop",
        "schwefel_2_21", "schwefel_2_21_loop",
        # norm(x) ** 2: the chain rule multiplies 0 by norm's 0/0 at the origin (nan in any AD tool)
        "sphere_norm")},
    **{name: PLANE for name in (
        "beale", "booth", "branin", "three_hump_camel", "easom", "goldstein_price", "matyas", "mccormick",
        "bohachevsky1", "bohachevsky2", "bohachevsky3", "levy13", "schaffer2", "eggholder", "zettl", "leon",
        "treccani", "freudenstein_roth", "hosaki", "langermann")},
    **{name: PLANE_NONZERO for name in ("drop_wave", "holder_table", "cross_in_tray", "bukin6", "bartels_conn")},
    "gramacy_lee": ((0.7,), (2.3,), (-0.6,)),
    "forrester": ((0.0,), (-0.5,), (0.8,)),
    **{name: ((0.0, 0.0), (-0.9, -0.4), (0.3, 1.1)) for name in ("six_hump_camel", "himmelblau", "rosenbrock_2d")},
    "colville": VECTOR,
    "shekel": VECTOR,
    "hartmann3": (np.zeros(3), np.array([0.2, 0.5, 0.8]), np.array([-0.3, 0.1, 1.2])),
    "hartmann6": (np.zeros(6), np.array([0.2, 0.15, 0.48, 0.28, 0.31, 0.66]),
                  np.array([-0.5, 0.4, -0.2, 1.1, 0.0, -0.8])),
    "box_betts": (np.zeros(3), np.array([1.0, 10.0, 1.0]), np.array([0.5, -0.3, 2.0])),
    # (x0^2 + x1^2 - x0 x1)^0.75 has a 0 * inf derivative at the origin
    "wolfe": (np.array([0.5, -0.3, 1.0]), np.array([-1.0, -2.0, 0.3]), np.array([1.2, 0.4, -0.7])),
    # ODE integrators
    **{name: ((0.3, 0.0, 0.05, 20), (-1.1, 0.4, 0.02, 30), (0.0, 0.0, 0.1, 5)) for name in (
        "pendulum_euler", "pendulum_semi_implicit", "pendulum_rk4_scalar")},
    "pendulum_rhs": (np.array([0.3, 0.1]), np.array([-1.0, 0.5]), Z2),
    "pendulum_rk4": ((np.array([0.3, 0.0]), 0.05, 20), (np.array([-1.1, 0.4]), 0.02, 30), (Z2, 0.1, 5)),
    "lotka_volterra_euler": ((LV_PARAMS, 10.0, 5.0, 0.01, 50), (np.array([0.5, 0.02, 0.02, 0.5]), 2.0, 1.0, 0.05, 20)),
    "lotka_volterra_rhs": ((np.array([10.0, 5.0]), LV_PARAMS), (np.array([-1.0, 0.5]), np.array([0.5, -0.2, 0.3, 0.1]))),
    "lotka_volterra_rk4": ((LV_PARAMS, np.array([10.0, 5.0]), 0.01, 30), (LV_PARAMS * 0.5, np.array([2.0, 1.0]), 0.05, 10)),
    "lotka_volterra_trajectory_misfit": ((LV_PARAMS, np.array([10.0, 5.0]), LV_OBSERVED, 0.01),
                                         (LV_PARAMS * 1.2, np.array([9.0, 4.0]), LV_OBSERVED, 0.02)),
    "decay_rk4": ((1.0, 0.5, 0.1, 10), (-2.0, 1.5, 0.05, 20), (0.0, 0.0, 0.1, 3)),
    "van_der_pol_euler": ((1.0, 0.0, 1.0, 0.05, 40), (-0.5, 0.3, 0.5, 0.1, 10), (0.0, 0.0, 0.0, 0.1, 3)),
    "oscillator_verlet": ((1.0, 0.0, 2.0, 0.05, 40), (-0.5, 0.3, 0.5, 0.1, 10), (0.0, 0.0, 0.0, 0.1, 3)),
    # losses
    **{name: ((np.zeros(3), X_DATA, Y_SIGNS), (-W3, X_DATA, Y_SIGNS), (W3, X_DATA, -Y_SIGNS)) for name in (
        "logistic_loss", "logistic_loss_stable", "logistic_loss_loop", "squared_hinge")},
    **{name: ((np.zeros((3, 3)), X_DATA, Y_ONE_HOT), (W33, X_DATA, Y_ONE_HOT), (-W33, -X_DATA, Y_ONE_HOT))
       for name in ("softmax_cross_entropy", "softmax_cross_entropy_loop")},
    **{name: ((np.array([0.3, -2.0, 1.5, -0.2]),), (Z4,), (np.array([-0.5, -3.0, 0.9, 2.2]), 0.75))
       for name in ("huber", "huber_loop")},
    "smoothed_hinge": ((np.array([0.3, -2.0, 1.5, 0.7]),), (Z4,), (np.array([-0.5, -0.1, 2.0, 0.45]),)),
    "ridge_loss": ((np.zeros(3), X_DATA, Y_TARGETS), (-W3, X_DATA, Y_TARGETS, 0.5)),
    "log_cosh_loss": ((Z4, Z4), (NEG4, MIX4), (MIX4, POS4)),
    "poisson_nll": ((Z4, np.array([0.0, 1.0, 3.0, 2.0])), (NEG4, np.array([1.0, 0.0, 2.0, 5.0]))),
    "gaussian_nll": ((0.0, 0.0, MIX4), (-0.5, -0.3, NEG4), (1.2, 0.4, POS4)),
    "mlp_loss": ((np.zeros((3, 4)), np.zeros(4), X_DATA, Y_TARGETS), (W34, W4, X_DATA, Y_TARGETS),
                 (-W34, -W4, -X_DATA, Y_TARGETS)),
    # physics
    "spring_chain_energy": ((np.zeros(5),), (np.array([0.0, 0.6, 1.0, 1.7, 2.1]),), (np.array([-0.5, -1.2, -0.4, 0.3, 0.2]),)),
    "spring_chain_energy_loop": ((np.zeros(5),), (np.array([0.0, 0.6, 1.0, 1.7, 2.1]),),
                                 (np.array([-0.5, -1.2, -0.4, 0.3, 0.2]), 1.5, 0.8)),
    "lennard_jones": ((THREE_ATOMS.ravel(),), (THREE_ATOMS_B.ravel(),)),
    "lennard_jones_matrix": ((THREE_ATOMS,), (THREE_ATOMS_B,)),
    "morse_energy": ((THREE_ATOMS[:, :2].copy(),), (THREE_ATOMS_B[:, :2].copy(), 0.8, 1.1, 0.9)),
    "coulomb_energy": ((THREE_ATOMS, np.array([1.0, -1.0, 0.5])), (THREE_ATOMS_B, np.array([-0.3, 2.0, -1.0]))),
    "gravitational_potential": ((THREE_ATOMS, np.array([1.0, 2.0, 0.5])), (np.zeros((3, 3)), np.array([1.0, 1.0, 1.0]))),
    **{name: ((HEAT, 0.2, 5), (-HEAT, 0.1, 10), (np.zeros(6), 0.0, 2)) for name in (
        "heat_stencil", "heat_stencil_loop", "heat_stencil_inplace")},
    "wave_leapfrog": ((HEAT, 0.5, 5), (-HEAT, 0.3, 8), (np.zeros(6), 0.0, 2)),
    # idioms
    # helpers that user code calls on numbers and on arrays alike
    **{name: ((0.0,), (-1.3,), (np.array([0.7, -2.0, 0.0]),)) for name in ("cube", "sigmoid", "softplus")},
    "cubic_sum": (np.zeros(3), np.array([-1.0, -0.5, -2.0]), np.array([0.3, 1.2, -0.7])),
    "distance_to_centre": (np.zeros(3), np.array([-1.0, -0.5, -2.0]), np.array([0.3, 1.2, -0.7])),
    "sigmoid_regression": ((np.zeros(3), X_DATA, T01), (-W3, X_DATA, T01), (W3, -X_DATA, 1 - T01)),
    # sqrt(|a|) * a has a 0 * inf derivative at 0
    "root_of_either_sign": ((0.7,), (-1.3,), (2.5,)),
    **{name: VECTOR_NONZERO for name in ("safe_norm", "guarded_power", "where_sqrt", "builtins_on_arrays", "statistics")},
    "log_barrier": (Z4, NEG4, np.array([-3.5, 0.2, 1.0, -0.1])),
    "box_cox": ((1.5, 0.5), (0.7, -1.2), (2.0, 1.0)),
    **{name: ((A_SYMMETRIC, np.zeros(3)), (W33, np.array([-1.0, -2.0, 0.5])), (-A_SYMMETRIC, W3))
       for name in ("quadratic_form_loop", "quadratic_form")},
    "clipped_sphere": (Z4, NEG4, np.array([6.0, -7.0, 0.3, 1.0])),
    "newton_sqrt": ((2.0,), (0.3,), (9.0,)),
    # least_squares_problems.py
    "brown_badly_scaled": (np.array([1e6, 2e-6]), np.array([999999.0, 1e-3]), np.array([1e6 + 3.0, -2e-3])),
    "jennrich_sampson": PLANE,
    # atan2 and the radius: kinks at the origin, a branch cut at x1 = 0 for x0 < 0
    "helical_valley": (np.array([1.0, 0.5, 0.2]), np.array([-0.5, 0.8, 1.0]), np.array([0.3, -1.2, -0.4])),
    "box_3d": (np.zeros(3), np.array([1.0, 10.0, 1.0]), np.array([-0.3, 0.4, 2.0])),
    # u / (v x1 + w x2): no zero denominator
    "bard": (np.array([1.0, 1.0, 1.0]), np.array([0.5, 2.0, 1.5]), np.array([-0.2, 0.7, 0.9])),
    "gaussian_fit": (np.array([0.4, 1.0, 0.0]), np.array([-0.3, 0.5, 1.2]), np.array([1.1, 2.0, -0.4])),
    **{name: (np.zeros(6), np.array([1.0, 2.0, 1.0, 1.0, 1.0, 1.0]), np.array([0.3, -0.2, 0.9, 1.4, -0.6, 0.1]))
       for name in ("biggs_exp6", "watson", "bdqrtic")},
    "smoothed_l1_regression": ((np.zeros(3), X_DATA, Y_TARGETS), (W3, X_DATA, Y_TARGETS), (-W3, -X_DATA, Y_TARGETS)),
    "horner_fit": ((W4, np.array([0.1, 0.5, -0.7]), np.array([1.0, 0.2, -0.3])), (Z4, T01, Y_TARGETS)),
}


def points(name: str) -> tuple:
    """The argument tuples `name` is checked at (a bare array means the one argument x)."""
    chosen = _POINTS.get(name, VECTOR)
    return tuple(p if isinstance(p, tuple) else (p,) for p in chosen)


# ---------------------------------------------------------------- known-open bugs

# "file::function" -> the cause; each is xfail(strict=True), so a fix makes the case XPASS (fail)
# until its entry is removed here.
KNOWN_OPEN: dict[str, str] = {
}

# ---------------------------------------------------------------- building


def public_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]


class Built:
    """One build of a corpus file: the generated module, and the functions that stopped the build."""

    def __init__(self, generated, module, stopped: dict):
        self.generated = generated
        self.module = module
        self.stopped = stopped  # name -> why the build failed with it
        self.reports = {r.name: r for r in generated.reports} if generated else {}
        self.warnings = {}
        for d in generated.diagnostics if generated else ():
            self.warnings.setdefault(d.message.split(":", 1)[0], d.message)


def _build(source: str, path: str, how: str, only):
    generated = generate(source, path, pure=how == "pure", only=only)
    if how == "pure":
        module = types.ModuleType(generated.module_name + "_pure")
        exec(compile(generated.text, generated.module_name + ".py", "exec", dont_inherit=True), module.__dict__)
        return generated, module
    binary, _ = srcgrad_build.compile_cached(generated.text, generated.module_name)
    return generated, _import_extension(binary, generated.module_name)


def _why(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"


@functools.lru_cache(maxsize=None)
def _compile_all_at_once(corpus: Path = CORPUS) -> None:
    """Run the C compiles of every corpus file two at a time (they are subprocesses), so a cold
    cache costs half the wall time; built() then finds them in the cache."""
    from concurrent.futures import ThreadPoolExecutor

    texts = []
    for filename in sorted(p.name for p in corpus.glob("*.py")):
        try:
            generated = generate((corpus / filename).read_text(), str(corpus / filename))
        except Exception:  # noqa: BLE001 - built() finds and reports which function stops it
            continue
        texts.append((generated.text, generated.module_name))
    with ThreadPoolExecutor(max_workers=2) as pool:
        for future in [pool.submit(srcgrad_build.compile_cached, *t) for t in texts]:
            try:
                future.result()
            except Exception:  # noqa: BLE001 - as above
                pass


@functools.lru_cache(maxsize=None)
def built(filename: str, how: str, corpus: Path = CORPUS, whole_folder: bool = True) -> Built:
    """The file built `how` ("compiled" or "pure"), once per session. When the whole file does not
    build, each function is generated on its own to find those that stop it, and the rest is built
    without them, so one bad function costs only its own case. whole_folder: every file of the
    folder is checked this session, so their C compiles all run first, two at a time (False for a
    folder such as tests/programs, of which a test checks one file)."""
    path = corpus / filename
    source = path.read_text()
    if how == "compiled" and whole_folder:
        _compile_all_at_once(corpus)
    try:
        return Built(*_build(source, str(path), how, None), {})
    except Exception as whole:  # noqa: BLE001 - any failure of the build is a finding
        whole_error = whole
    names = public_functions(path)
    stopped = {}
    for name in names:  # generation alone (cheap) tells which functions stop it
        try:
            generate(source, str(path), pure=how == "pure", only=[name])
        except Exception as error:  # noqa: BLE001
            stopped[name] = "stops the build: " + _why(error)
    rest = [n for n in names if n not in stopped]
    if stopped and rest:
        try:
            return Built(*_build(source, str(path), how, rest), stopped)
        except Exception as error:  # noqa: BLE001
            whole_error = error
    return Built(None, None, {name: stopped.get(name, "stops the build: " + _why(whole_error)) for name in names})


# ---------------------------------------------------------------- checking one function


def _as_tuple(gradient, count: int) -> tuple:
    return (gradient,) if count == 1 else tuple(gradient)


def _full_arguments(function, args: tuple) -> tuple:
    """args with every default spelled out, in signature order (keyword-only ones last), so that
    finite differences can move the defaults too."""
    bound = inspect.signature(function).bind(*args)
    bound.apply_defaults()
    return tuple(bound.arguments.values())


def _caller(function, keyword_only: list):
    """function called with the full argument tuple: the last len(keyword_only) by keyword."""
    count = len(keyword_only)

    def call(*full):
        if not count:
            return function(*full)
        return function(*full[:-count], **dict(zip(keyword_only, full[-count:])))

    return call


def _scale(values) -> float:
    return max([1.0] + [float(np.max(np.abs(v))) if np.size(v) else 0.0 for v in values])


def _direction(values: tuple, positions: list) -> tuple:
    """A fixed direction, one entry shaped like each differentiable argument."""
    out = []
    for k, position in enumerate(positions):
        value = np.asarray(values[position], dtype=float)
        entries = np.cos(1.3 * np.arange(value.size) + 0.7 * k + 0.4)
        out.append(entries.reshape(value.shape) if value.ndim else float(entries[0]))
    return tuple(out)


def _moved(values: tuple, positions: list, direction: tuple, step: float) -> tuple:
    moved = list(copied(values))
    for position, d in zip(positions, direction):
        moved[position] = values[position] + step * d
    return tuple(moved)


def check_forward_modes(how: str, module, name: str, full: tuple, keyword_only: list, positions: list,
                        gradient: tuple, where: str) -> None:
    """jvp_ against the gradient, hvp_ against central differences of grad_, along one direction
    (an array-valued output is differentiated as the sum of its elements, as grad_ is)."""
    direction = _direction(full, positions)
    bare = direction if len(positions) > 1 else direction[0]
    count = len(full) - len(keyword_only)
    positional, keywords = full[:count], dict(zip(keyword_only, full[count:]))
    try:  # the direction goes positionally: a primal parameter named v renames hvp_'s keyword to v_
        jvp = getattr(module, "jvp_" + name)(*copied(positional), bare, **keywords)
        hvp = getattr(module, "hvp_" + name)(*copied(positional), bare, **keywords)
    except Exception as error:  # noqa: BLE001
        raise AssertionError(f"{how}: {where}: jvp_ or hvp_ crashes: {_why(error)}") from error
    along = sum(float(np.sum(np.asarray(g) * d)) for g, d in zip(gradient, direction))
    assert_close(float(np.sum(jvp)), along, 1e-9, 1e-9 * _scale(gradient), f"{how} jvp_ vs the gradient {where}")
    if any(np.any(np.asarray(full[p]) == 0.0) for p in positions):
        return  # the zero points sit on kinks of abs, sqrt and hinges, where no second derivative exists
    step = 2e-6 * max(1.0, _scale([full[p] for p in positions]))
    grad = _caller(getattr(module, "grad_" + name), keyword_only)
    up, down = (_as_tuple(grad(*_moved(full, positions, direction, sign * step)), len(positions)) for sign in (1, -1))
    expected = tuple((np.asarray(u) - np.asarray(d)) / (2 * step) for u, d in zip(up, down))
    assert_close(_as_tuple(hvp, len(positions)), expected, 1e-4, 1e-5 * _scale(expected),
                 f"{how} hvp_ vs differences of grad_ {where}")


def check_function(filename: str, name: str, corpus: Path = CORPUS, points_of=points, *,
                   whole_folder: bool = True) -> str | None:
    """Check `name` of a corpus file on both builds at its points. Returns the construct that made
    it fall back to the eager tape (None when compiled); raises AssertionError when it is wrong.
    whole_folder as built's."""
    original = getattr(original_module(str(corpus / filename)), name)
    fallback = None
    builds = {how: built(filename, how, corpus, whole_folder) for how in ("compiled", "pure")}
    for how, build in builds.items():
        if name in build.stopped:
            raise AssertionError(f"{how} build: {name} {build.stopped[name]}")
    report = builds["compiled"].reports[name]
    if not report.compiled:
        message = builds["compiled"].warnings.get(name, "")
        match = re.match(r"[^:]+: (.*) is not supported", message)
        fallback = match.group(1) if match else message or "unknown"
    signature = inspect.signature(original).parameters
    parameters = list(signature)
    keyword_only = [p for p in parameters if signature[p].kind is inspect.Parameter.KEYWORD_ONLY]
    positions = [parameters.index(p) for p in report.differentiable]
    assert positions, f"{name}: no differentiable parameter"
    for number, args in enumerate(points_of(name)):
        full = _full_arguments(original, args)
        where = f"{name} at point {number}"
        expected_value = _caller(original, keyword_only)(*copied(full))
        assert np.all(np.isfinite(expected_value)), f"{where}: the original is not finite there (bad point)"
        # a fallback differentiates every parameter: a count given as a Python int has no derivative
        kept = [k for k, p in enumerate(positions) if not isinstance(full[p], int)]
        # an array-valued output is differentiated as the sum of its elements
        differences = central_differences(lambda *a: float(np.sum(_caller(original, keyword_only)(*a))),
                                          copied(full), [positions[k] for k in kept])
        scale = _scale(differences)
        gradients = {}
        for how, build in builds.items():
            module = build.module
            try:
                value = getattr(module, name)(*copied(args))
                value_vg, gradient_vg = getattr(module, "value_and_grad_" + name)(*copied(args))
                gradient = _caller(getattr(module, "grad_" + name), keyword_only)(*copied(full))
            except Exception as error:  # noqa: BLE001 - a crash is a finding, reported as such
                raise AssertionError(f"{how}: {where} crashes: {_why(error)}") from error
            assert_close(value, expected_value, 1e-10, 1e-12, f"{how} primal {where}")
            assert_close(value_vg, expected_value, 1e-10, 1e-12, f"{how} value_and_grad_ value {where}")
            gradient = _as_tuple(gradient, len(positions))
            assert_close(_as_tuple(gradient_vg, len(positions)), gradient, 1e-12, 1e-14,
                         f"{how} value_and_grad_ vs grad_ with the defaults spelled out {where}")
            gradient = tuple(gradient[k] for k in kept)
            assert_close(gradient, differences, RTOL_DIFFERENCES, ATOL_DIFFERENCES * scale,
                         f"{how} gradient vs central differences {where}")
            gradients[how] = gradient
            if report.compiled:
                check_forward_modes(how, module, name, full, keyword_only, [positions[k] for k in kept], gradient, where)
        assert_close(gradients["pure"], gradients["compiled"], RTOL_ENGINES, RTOL_ENGINES * scale,
                     f"--pure vs compiled gradient {where}")
        try:
            # the eager entry point takes positions (the wrapper's closure is traced through too)
            _, eager = eager_value_and_gradient(_caller(original, keyword_only), copied(full),
                                                tuple(positions[k] for k in kept))
        except Exception as error:  # noqa: BLE001
            raise AssertionError(f"eager engine: {where} crashes: {_why(error)}") from error
        assert_close(_as_tuple(eager, len(kept)), gradients["compiled"], RTOL_ENGINES, RTOL_ENGINES * scale,
                     f"eager vs compiled gradient {where}")
    return fallback


# ---------------------------------------------------------------- the test


def _cases():
    for filename in FILES:
        for name in public_functions(CORPUS / filename):
            key = f"{filename}::{name}"
            marks = [pytest.mark.xfail(strict=True, reason=KNOWN_OPEN[key])] if key in KNOWN_OPEN else []
            yield pytest.param(filename, name, id=key, marks=marks)


def test_the_corpus_is_broad_enough():
    names = [n for f in FILES for n in public_functions(CORPUS / f)]
    assert len(names) >= 100 and len(set(names)) == len(names)
    assert all(key.split("::")[1] in public_functions(CORPUS / key.split("::")[0]) for key in KNOWN_OPEN)
    assert set(_POINTS) <= set(names), sorted(set(_POINTS) - set(names))


@pytest.mark.filterwarnings("ignore::srcgrad.FallbackWarning")
@pytest.mark.parametrize("filename, name", list(_cases()))
def test_corpus_function(filename, name):
    check_function(filename, name)


# ---------------------------------------------------------------- the report


def report(corpus: Path = CORPUS, points_of=points, known_open=KNOWN_OPEN) -> int:
    """Print compiled / fallback / failing counts per file and in total; the failures with causes."""
    import warnings

    totals = collections.Counter()
    constructs = collections.Counter()
    failures = []
    rows = []
    for filename in sorted(p.name for p in corpus.glob("*.py")):
        counts = collections.Counter()
        for name in public_functions(corpus / filename):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    fallback = check_function(filename, name, corpus, points_of)
                except AssertionError as error:
                    counts["failing"] += 1
                    failures.append(f"{filename}::{name}: {str(error).splitlines()[0][:300]}")
                    continue
            if fallback is None:
                counts["compiled"] += 1
            else:
                counts["fallback"] += 1
                constructs[fallback] += 1
        rows.append((filename, counts))
        totals.update(counts)
    print("| file | functions | compiled | fallback | failing |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for filename, c in rows + [("**total**", totals)]:
        print(f"| {filename} | {sum(c.values())} | {c['compiled']} | {c['fallback']} | {c['failing']} |")
    print("\n| fallback construct (as the warning names it) | functions |\n| --- | ---: |")
    for construct, count in constructs.most_common():
        print(f"| {construct} | {count} |")
    print("\nfailing:" if failures else "\nfailing: none")
    for line in failures:
        known = line.split(": ", 1)[0] in known_open
        print(f"- {line}" + ("  [known open]" if known else ""))
    return 0


if __name__ == "__main__":
    if sys.argv[1:] != ["--report"]:
        sys.exit("usage: python tests/test_corpus.py --report")
    sys.exit(report())
