"""The catalogue of bad and awkward inputs, each with what srcgrad gives for it.

| input | what srcgrad gives |
| --- | --- |
| syntax error | exit 2, `FILE:LINE:COL: error: syntax error: ...` (Python's own position) |
| missing file, not a .py file | exit 2, `srcgrad: error: ...` |
| undefined name | exit 2, `FILE:LINE:COL: error: name 'x' is not defined` |
| unsupported construct | warning naming FILE:LINE:COL and the construct, gradient by the eager tape; `--strict`: exit 2 |
| parameter annotated `str` | warning (not float, int, bool or np.ndarray), eager tape |
| `grad_f` defined beside `f` | exit 2, error naming the collision |
| locals named `b_x`, `tape`, `result`, `sin`, `b_tmp` | compiled, correct (renamed where they would clash) |
| docstrings and strings with quotes, backslashes, newlines | compiled; the fallback keeps them escaped |
| unicode identifiers | compiled, correct |
| zero-trip `for` and `while` loops | compiled, value and gradient as in Python |
| NaN and inf inputs | propagate as the maths says, no crash |
| deep nesting (10 levels), a 400-statement function | compiled, correct |
| a million-iteration while loop | compiled; the tape grows by doubling |
"""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from support import PROGRAMS, assert_close, central_differences, compiled_module, original_module, pure_module

AWKWARD = str(PROGRAMS / "awkward.py")


def run_build(tmp_path, source: str, *extra):
    path = tmp_path / "case.py"
    path.write_text(source)
    return subprocess.run([sys.executable, "-m", "srcgrad", "build", str(path), "-o", str(tmp_path / "out"), *extra],
                          capture_output=True, text=True), str(path)


@pytest.mark.parametrize("source,message", [
    ("def f(x):\n    return (x +\n", ":2:12: error: syntax error"),
    ("def f(x):\n    return x * missing\n", ":2:16: error: name 'missing' is not defined"),
    ("def f(x):\n    return x\n\n\ndef grad_f(x):\n    return 1.0\n", ":5:1: error: function 'grad_f' collides"),
])
def test_source_errors_are_one_line_and_exit_2(tmp_path, source, message):
    result, path = run_build(tmp_path, source)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [line for line in result.stderr.strip().splitlines()
                                                  if line.startswith(path)]
    assert message in result.stderr and "Traceback" not in result.stderr


def test_missing_and_non_python_files(tmp_path):
    missing = subprocess.run([sys.executable, "-m", "srcgrad", "build", str(tmp_path / "nope.py")],
                             capture_output=True, text=True)
    assert missing.returncode == 2 and missing.stderr.startswith("srcgrad: error:") and "Traceback" not in missing.stderr


@pytest.mark.parametrize("source,construct", [
    ("def f(s: str):\n    return 1.0\n", "a parameter annotated 'str'"),
    ("def f(x):\n    try:\n        y = 1.0 / x\n    except ZeroDivisionError:\n        y = 0.0\n    return y\n", "try"),
    ("def f(x):\n    return sum(v * x for v in range(3))\n", "a generator expression"),
])
def test_unsupported_inputs_warn_and_strict_refuses(tmp_path, source, construct):
    result, path = run_build(tmp_path, source)
    assert result.returncode == 0, result.stderr
    assert f"warning: f: {construct}" in result.stderr and "grad_f uses the eager tape" in result.stderr
    strict, _ = run_build(tmp_path, source, "--strict")
    assert strict.returncode == 2 and f"error: f: {construct}" in strict.stderr


@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
@pytest.mark.parametrize("name,args", [
    ("named_like_generated", (0.7, 1.3)),
    ("unicode_names", (0.4, 1.1)),
    ("zero_trips", (0.6, 0)),
    ("zero_trips", (0.6, 3)),
    ("deep", (0.5,)),
    ("deep", (-4.5,)),
    ("long_function", (0.8,)),
])
def test_awkward_programs_compile_and_differentiate(build, name, args):
    module, original = build(AWKWARD), getattr(original_module(AWKWARD), name)
    assert_close(getattr(module, name)(*args), original(*args), 1e-12, 1e-12, name)
    positions = [i for i, a in enumerate(args) if isinstance(a, float)]
    gradient = getattr(module, "grad_" + name)(*args)
    gradient = gradient if isinstance(gradient, tuple) else (gradient,)
    assert_close(gradient, central_differences(original, args, positions), 1e-6, 1e-8, f"grad_{name}")


def test_awkward_programs_are_all_compiled():
    from srcgrad.generate import generate
    from pathlib import Path

    generated = generate(Path(AWKWARD).read_text(), AWKWARD)
    assert generated.diagnostics == []
    assert "\"\"\"" not in generated.text.split("# named_like_generated")[0]  # docstrings are not copied


def test_nan_and_inf_propagate_without_a_crash():
    module = compiled_module(AWKWARD)
    assert math.isnan(module.grad_unicode_names(float("nan"), 1.0)[0])
    value, gradient = module.value_and_grad_unicode_names(float("inf"), 1.0)
    assert math.isnan(value) or math.isinf(value)
    assert module.grad_zero_trips(float("nan"), 0) == 1.0  # s = x: the derivative is 1 whatever x is


def test_a_million_iteration_while_loop_grows_the_tape():
    module = compiled_module(AWKWARD)
    a, b, n = 0.999999, 1e-7, 1_000_000  # s <- a s + b x, n times, from s = x
    assert module.grad_long_while(0.3) == pytest.approx(a ** n + b * (1 - a ** n) / (1 - a), rel=1e-9)
