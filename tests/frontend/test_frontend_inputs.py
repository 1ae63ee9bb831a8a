"""Named regressions for what the front end accepts (issues 10.7, 10.8, 10.14, 16.2): module
constants of every kind, parameter defaults and keyword-only parameters, infinities, and the
names diagnostics give. Each source is built once per engine (compiled and --pure); values are
checked against the original Python, the eager engine and central finite differences."""

from __future__ import annotations

import functools
import importlib.util
import math
import sys
import warnings

import numpy as np
import pytest

import fuzzing
from srcgrad.cli import main

ENGINES = ["pure", "compiled"]


@functools.lru_cache(maxsize=None)
def built(source: str, engine: str, name: str):
    if engine == "pure":
        return fuzzing.pure_build(source, f"{name}.py")
    return fuzzing.compiled_build(source, f"frontend_inputs_{name}.py")


def checked(source: str, engine: str, name: str, entry: str, args: tuple):
    generated, module = built(source, engine, name)
    positions = [i for i, a in enumerate(args) if isinstance(a, (float, np.ndarray))]
    fuzzing.check_source(source, entry, args, positions, module, entry, what=engine)
    return generated, module


def report(generated, name: str):
    return {r.name: r for r in generated.reports}[name]


# --------------------------------------------------------------------------- module constants

CONSTANTS = """\
import math
import numpy as np

A = np.array([1.0, 2.0, -0.5])
B = np.array([[1.0, -2.0], [np.pi, 0.25]])
MODE = "smooth"
OTHER = 'sharp'
W = (0.5, 1.5)
N = 3
C = -2.5 * N + math.pi / 2
LOW = float("-inf")
GRID = np.linspace(0.0, 1.0, 3)


def array_elements(x):
    s = 0.0
    for i in range(len(A)):
        s = s + A[i] * x * x
    return s + A[1] * B[1, 0] + A[-1] * x + B.shape[0]


def string_branch(x):
    if MODE == "smooth":
        y = math.tanh(x) * W[0]
    elif MODE == "sharp":
        y = abs(x)
    else:
        y = x
    return y + (x if OTHER != "sharp" else 2.0 * x)


def tuple_elements(x):
    s = 0.0
    for i in range(len(W)):
        s = s + W[i] * x ** 2
    return s * C + max(x, LOW) + GRID[2] * x


def whole_arrays(v: np.ndarray):
    return np.sum(B @ v * v) + np.sum(np.tanh(v)) * GRID[1]
"""

CONSTANT_CALLS = {
    "array_elements": (0.7,),
    "string_branch": (-0.4,),
    "tuple_elements": (1.3,),
    "whole_arrays": (np.array([0.3, -0.8]),),
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("entry", CONSTANT_CALLS)
def test_module_constants_of_every_kind_compile(engine, entry):
    generated, _ = checked(CONSTANTS, engine, "constants", entry, CONSTANT_CALLS[entry])
    assert fuzzing.unexpected_diagnostics(generated) == []
    assert report(generated, entry).compiled, [d.format() for d in generated.diagnostics]


def test_string_comparison_is_decided_at_build_time():
    generated, _ = built(CONSTANTS, "pure", "constants")
    adjoint = generated.function_sources["string_branch"]
    assert "MODE" not in adjoint and "abs" not in adjoint  # only the branch Python takes is kept


def test_array_constants_are_defined_once_in_the_generated_module():
    for engine in ENGINES:
        generated, _ = built(CONSTANTS, engine, "constants")
        assert generated.text.count("A = np.array([1.0, 2.0, -0.5])\n") == 1
        assert "B = np.array([[1.0, -2.0], [3.141592653589793, 0.25]])" in generated.text


UNEVALUATED = """\
import math
import numpy as np

SCALE = 2.0
LABEL = "metres"
T = sorted([3.0, 1.0])
A = np.array([1.0, 2.0])
W = (0.5, 1.5)


def reads_t(x):
    return x * T[0] * SCALE


def plain(x):
    return x * SCALE


def falls_back_but_reads_constants(x):
    values = [x * a for a in A]
    return sum(values) * W[1] * SCALE if LABEL == "metres" else x
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_name_the_compiler_cannot_evaluate_falls_back_only_where_read(engine):
    generated, _ = checked(UNEVALUATED, engine, "unevaluated", "reads_t", (0.9,))
    assert [d.format().split(".py:", 1)[1] for d in generated.diagnostics if "reads_t" in d.message] == [
        "12:16: warning: reads_t: the module-level name 'T' (set on line 6 to a value the "
        "compiler cannot evaluate) is not supported by the compiler; grad_reads_t uses the eager tape"]
    assert report(generated, "plain").compiled and not report(generated, "reads_t").compiled
    checked(UNEVALUATED, engine, "unevaluated", "plain", (0.9,))


@pytest.mark.parametrize("engine", ENGINES)
def test_fallback_functions_see_every_module_constant(engine):
    generated, module = checked(UNEVALUATED, engine, "unevaluated", "falls_back_but_reads_constants", (0.9,))
    assert not report(generated, "falls_back_but_reads_constants").compiled
    assert module.grad_falls_back_but_reads_constants(0.9) == pytest.approx(3.0 * 1.5 * 2.0)


# --------------------------------------------------------------------------- defaults and keywords

DEFAULTS = """\
import numpy as np

SCALE = 2.0


def scaled(x, scale=2.0):
    return x * x * scale


def keywords(x, y=0.5, *, k: int = 3, shift=-1.0, gain=SCALE):
    s = 0.0
    for i in range(k):
        s = s + x * y * gain
    return s + shift * x * x


def array_default(v: np.ndarray, w=1.5):
    return np.sum(v * v) * w
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_parameter_defaults_compile_and_every_function_takes_them(engine):
    generated, m = checked(DEFAULTS, engine, "defaults", "scaled", (1.3, 2.0))
    assert report(generated, "scaled").compiled
    assert m.scaled(1.3) == 1.3 * 1.3 * 2.0
    assert m.grad_scaled(1.3) == m.grad_scaled(1.3, 2.0) == m.grad_scaled(x=1.3, scale=2.0) == pytest.approx((5.2, 1.69))
    assert m.value_and_grad_scaled(1.3, scale=3.0) == (pytest.approx(5.07), (pytest.approx(7.8), pytest.approx(1.69)))
    # the trailing argument follows the primal's: the last positional one, or by keyword
    assert m.vjp_scaled(1.3, 0.5) == pytest.approx((2.6, 0.845))
    assert m.vjp_scaled(1.3, 3.0, 0.5) == m.vjp_scaled(1.3, scale=3.0, dout=0.5) == pytest.approx((3.9, 0.845))
    assert m.jvp_scaled(1.3, (1.0, 0.0)) == pytest.approx(5.2)
    assert m.jvp_scaled(1.3, tangents=(0.0, 1.0)) == pytest.approx(1.69)
    assert np.allclose(m.hvp_scaled(1.3, (1.0, 0.0)), (4.0, 2.6))
    assert np.allclose(m.hvp_scaled(1.3, 3.0, v=(1.0, 0.0)), (6.0, 2.6))
    assert np.allclose(m.hessian_scaled(1.3), [[4.0, 2.6], [2.6, 0.0]])
    with pytest.raises(TypeError):
        m.vjp_scaled()


def central_differences(f, args: tuple, positions: list, step: float = 1e-6) -> list:
    out = []
    for p in positions:
        up, down = list(args), list(args)
        up[p] += step
        down[p] -= step
        out.append((f(*up) - f(*down)) / (2 * step))
    return out


@pytest.mark.parametrize("engine", ENGINES)
def test_keyword_only_parameters_compile(engine):
    from srcgrad.eager import value_and_grad_of

    generated, m = built(DEFAULTS, engine, "defaults")
    original = fuzzing.run_source(DEFAULTS, "keywords")

    def positional(x, y, shift, gain):  # the float parameters in order, k at its default
        return original(x, y, shift=shift, gain=gain)

    point = (0.7, 0.5, -1.0, 2.0)
    expected = central_differences(positional, point, [0, 1, 2, 3])
    taped = fuzzing.run_source(DEFAULTS, "keywords", eager=True)
    eager = value_and_grad_of(lambda x, y, shift, gain: taped(x, y, shift=shift, gain=gain), point, (0, 1, 2, 3))[1]
    assert np.allclose(m.grad_keywords(0.7), expected, rtol=1e-6)
    assert np.allclose(m.grad_keywords(0.7), [float(g) for g in eager], rtol=1e-12)
    assert report(generated, "keywords").compiled
    assert report(generated, "keywords").differentiable == ["x", "y", "shift", "gain"]
    explicit = m.grad_keywords(0.7, 0.5, k=3, shift=-1.0, gain=2.0)
    assert m.grad_keywords(0.7) == explicit
    assert m.keywords(0.7, k=2) == pytest.approx(2 * 0.7 * 0.5 * 2.0 - 0.49)
    assert m.grad_keywords(0.7, k=2)[1] == pytest.approx(2 * 0.7 * 2.0)
    assert m.vjp_keywords(0.7, 2.0, k=1) == pytest.approx(tuple(2.0 * g for g in m.grad_keywords(0.7, k=1)))
    with pytest.raises(TypeError):
        m.keywords(0.7, 0.5, 3)  # k is keyword-only, as in the primal
    with pytest.raises(TypeError):
        m.grad_keywords(0.7, 0.5, 3)


@pytest.mark.parametrize("engine", ENGINES)
def test_default_after_an_array_parameter(engine):
    v = np.array([0.5, -1.0])
    generated, m = checked(DEFAULTS, engine, "defaults", "array_default", (v, 1.5))
    gv, gw = m.grad_array_default(v)
    assert np.allclose(gv, 3.0 * v) and gw == pytest.approx(1.25)
    assert np.allclose(m.vjp_array_default(v, 2.0)[0], 6.0 * v)


def test_in_process_grad_takes_defaults_and_keywords(tmp_path, monkeypatch):
    import srcgrad

    path = tmp_path / "frontend_defaults_model.py"
    path.write_text(DEFAULTS)
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = importlib.util.spec_from_file_location("frontend_defaults_model", path)
    model = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(model)
    sys.modules["frontend_defaults_model"] = model
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # compiled: no FallbackWarning
            assert srcgrad.grad(model.scaled)(1.3) == pytest.approx((5.2, 1.69))
            assert srcgrad.grad(model.scaled, wrt=0)(1.3, scale=3.0) == pytest.approx(7.8)
            assert srcgrad.grad(model.keywords, wrt=1)(0.7, k=2) == pytest.approx(2 * 0.7 * 2.0)
    finally:
        sys.modules.pop("frontend_defaults_model", None)


@pytest.mark.parametrize("construct,where", [("*rest", "1:10"), ("**options", "1:10")])
def test_star_parameters_fall_back_naming_them(construct, where):
    source = f"def f(x, {construct}):\n    return x * x\n"
    generated, module = fuzzing.pure_build(source, "m.py")
    assert [d.format() for d in generated.diagnostics] == [
        f"m.py:{where}: warning: f: the parameter '{construct}' (*args or **kwargs) is not supported by the "
        "compiler; grad_f uses the eager tape"]
    assert module.grad_f(1.5) == pytest.approx(3.0)


# --------------------------------------------------------------------------- messages and infinities

def test_str_parameter_is_named_in_its_warning():
    source = "def scaled(x: float, unit: str):\n    return x * 2.0\n"
    generated, _ = fuzzing.pure_build(source, "m.py")
    assert [d.format() for d in generated.diagnostics] == [
        "m.py:1:28: warning: scaled: the parameter 'unit' annotated 'str' (not float, int, bool or np.ndarray) "
        "is not supported by the compiler; grad_scaled uses the eager tape"]


INFINITIES = """\
import math
import numpy as np


def infinities(x):
    low, high = float("-inf"), float("inf")
    y = min(max(x, low), high) + min(x, math.inf) + max(x, -np.inf) + min(x, float("Infinity"))
    if x > 1e300:
        y = float("nan") + math.nan + np.nan
    return y * x
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_infinities_and_nans_compile(engine):
    generated, module = checked(INFINITIES, engine, "infinities", "infinities", (0.6,))
    assert generated.diagnostics == [] and report(generated, "infinities").compiled
    assert module.grad_infinities(0.6) == pytest.approx(8 * 0.6)
    assert math.isnan(module.infinities(2e300))


def test_print_call_is_named():
    generated, module = fuzzing.pure_build("def f(x):\n    print(x)\n    return x * x\n", "m.py")
    assert [d.format() for d in generated.diagnostics] == [
        "m.py:2:5: warning: f: a print call is not supported by the compiler; grad_f uses the eager tape"]


def test_strict_error_does_not_say_the_eager_tape_is_used(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text("def f(x):\n    print(x)\n    return x * x\n")
    assert main(["build", "m.py", "--pure", "-q", "--strict"]) == 2
    assert capsys.readouterr().err == "m.py:2:5: error: f: a print call is not supported by the compiler\n"
