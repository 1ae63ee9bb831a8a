"""Functions outside the compiled subset: emitted anyway, differentiated by the eager tape."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from support import PROGRAMS, assert_close, central_differences, compiled_module, original_module, pure_module

PATH = str(PROGRAMS / "dynamic.py")


@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_fallback_gradient_matches_finite_differences(build):
    module, original = build(PATH), original_module(PATH)
    for args in [(0.7, 4), (1.3, 2)]:
        assert_close(module.uses_a_list(*args), original.uses_a_list(*args), 1e-12, 0, "primal")
        assert_close(module.grad_uses_a_list(*args), central_differences(original.uses_a_list, args, [0])[0],
                     1e-6, 1e-8, "fallback gradient")
    value, gradient = module.value_and_grad_uses_a_list(0.7, 4)
    assert value == pytest.approx(original.uses_a_list(0.7, 4))
    assert module.vjp_uses_a_list(0.7, 4, 3.0) == pytest.approx(3.0 * gradient)


def test_math_functions_keep_their_derivative_on_the_tape():
    module = compiled_module(PATH)
    x = 0.4
    assert module.grad_math_on_tape(x) == pytest.approx(math.cos(x) * math.exp(x) + math.sin(x) * math.exp(x))


def test_compiled_functions_beside_fallbacks_stay_compiled():
    module = compiled_module(PATH)
    assert module.grad_plain(2.0) == pytest.approx(12.0)


def test_build_warns_in_the_contract_format_and_strict_refuses(tmp_path):
    command = [sys.executable, "-m", "srcgrad", "build", PATH, "-o", str(tmp_path / "out")]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    warning = next(line for line in result.stderr.splitlines() if "uses_a_list" in line and "warning" in line)
    assert warning.startswith(f"{PATH}:6:")
    assert "warning: uses_a_list: a list comprehension is not supported" in warning
    assert warning.endswith("grad_uses_a_list uses the eager tape")
    strict = subprocess.run(command + ["--strict"], capture_output=True, text=True)
    assert strict.returncode == 2
    assert "error: uses_a_list: a list comprehension is not supported" in strict.stderr
