"""Every compiled gradient against central differences and against the --pure build."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from support import (EXAMPLES, PROGRAMS, as_tuple, assert_close, central_differences, compiled_module, copied,
                     original_module, pure_module)

CASES = {
    "constructs": [
        ("arithmetic", (1.3, 0.7)),
        ("unary_and_constants", (0.4,)),
        ("math_functions", (0.8,)),
        ("numpy_functions", (0.9, 0.4)),
        ("numpy_functions", (0.3, 1.2)),
        ("builtins_min_max_abs", (0.5, -1.5, 2.0)),
        ("builtins_min_max_abs", (2.5, 1.5, -2.0)),
        ("floor_div_and_mod", (3.7, 1.2)),
        ("floor_div_and_mod", (-3.7, 0.4)),
        ("integer_arithmetic", (1.3, 7, 2)),
        ("integer_arithmetic", (-0.4, -5, 3)),
        ("branches", (2.0, 1.0)),
        ("branches", (-3.0, 1.0)),
        ("branches", (0.3, 1.5)),
        ("branches", (0.7, 2.5)),
        ("for_ranges", (0.7, 5)),
        ("for_ranges", (0.7, 0)),
        ("nested_loops", (0.3, 0.2, 6)),
        ("while_loop", (0.5,)),
        ("while_loop", (12.0,)),
        ("break_and_continue", (0.9, 20)),
        ("break_and_continue", (0.1, 5)),
        ("return_inside_loop", (1.7, 10)),
        ("return_inside_loop", (0.2, 3)),
        ("return_in_nested_loops", (0.4,)),
        ("return_in_nested_loops", (0.01,)),
        ("while_with_break", (0.3,)),
        ("tuple_unpacking", (0.6, 1.1)),
        ("augmented", (0.8, 1.9)),
        ("calls_in_loop", (0.5, 0.8, 6)),
        ("bool_parameter", (1.5, True)),
        ("bool_parameter", (1.5, False)),
        ("comparisons_not_differentiated", (2.0,)),
        ("comparisons_not_differentiated", (0.5,)),
        ("overwritten_parameter", (0.9, 1.3)),
        ("int_tape", (0.8, 6)),
        ("piecewise_zero", (1.3,)),
    ],
    "tutorial": [
        ("square_sin", (0.7,)),
        ("power", (3.0, 2)),
        ("power", (4.0, 3)),
        ("power", (1.1, 0)),
        ("f", (3.0, 2.5)),
        ("f", (4.0, 3.5)),
    ],
    "oscillator": [
        ("energy_after", (1.0, 0.3, 1.0, 0.0, 0.01, 200)),
        ("pendulum_period", (1.0, 9.81, 0.5, 1000)),
    ],
    "piecewise": [
        ("smooth_step", (-0.5,)),
        ("smooth_step", (0.3,)),
        ("smooth_step", (1.5,)),
        ("huber", (0.3, 1.0)),
        ("huber", (-2.5, 1.0)),
        ("soft_clip", (0.5, -1.0, 3.0)),
        ("soft_clip", (2.0, -1.0, 3.0)),
        ("soft_clip", (5.0, -1.0, 3.0)),
        ("tax", (5.0, 0.1, 0.3)),
        ("tax", (27.0, 0.1, 0.3)),
        ("tax", (55.0, 0.1, 0.3)),
    ],
    "rosenbrock": [
        ("rosenbrock", (np.array([0.5, -1.2, 1.4, 0.3, 2.0]),)),
        ("rosenbrock", (np.array([1.0]),)),
    ],
    "logistic": [
        ("logistic_loss", (np.array([0.3, -0.2, 0.5]), np.arange(12.0).reshape(4, 3) / 7 - 0.5,
                           np.array([1.0, -1.0, -1.0, 1.0]), 0.1)),
    ],
    "huber": [
        ("huber_loss", (np.array([0.3, -2.0, 1.5, -0.1, 4.0]), 1.0)),
    ],
    "mlp": [
        ("mlp_loss", (np.linspace(-1, 1, 12).reshape(4, 3), np.array([0.1, -0.2, 0.3]), np.array([0.5, -0.4, 0.2]),
                      0.3, np.linspace(-2, 2, 20).reshape(5, 4), np.linspace(0, 1, 5))),
    ],
    "heat": [
        ("heat", (np.sin(np.linspace(0.0, 3.0, 9)), 0.2, 7)),
    ],
    "newton": [
        ("cube_root", (27.0,)),
        ("cube_root", (0.5,)),
        ("kepler", (1.0, 0.3)),
        ("compound", (0.05, 10)),
    ],
}


def _path(module: str) -> str:
    base = PROGRAMS if module == "constructs" else EXAMPLES
    return str(base / f"{module}.py")


def _differentiable_positions(function, args) -> list:
    parameters = inspect.signature(function).parameters.values()
    return [i for i, p in enumerate(parameters) if p.annotation not in (int, bool)
            and not isinstance(args[i], (int, bool))] or [
        i for i, p in enumerate(parameters) if p.annotation not in (int, bool)]


PARAMS = [(module, name, args) for module, cases in CASES.items() for name, args in cases]


def _case_id(module, name, args) -> str:
    shown = ", ".join(f"array{list(a.shape)}" if isinstance(a, np.ndarray) else repr(a) for a in args)
    return f"{module}.{name}({shown})"


@pytest.mark.parametrize("module,name,args", PARAMS, ids=[_case_id(*p) for p in PARAMS])
def test_gradient_matches_finite_differences_and_pure(module, name, args):
    path = _path(module)
    original = getattr(original_module(path), name)
    compiled = compiled_module(path)
    pure = pure_module(path)

    expected = original(*copied(args))
    assert_close(getattr(compiled, name)(*copied(args)), expected, 1e-12, 1e-12, f"{name} primal (compiled)")
    assert_close(getattr(pure, name)(*copied(args)), expected, 1e-12, 1e-12, f"{name} primal (pure)")

    parameters = list(inspect.signature(original).parameters.values())
    positions = [i for i, p in enumerate(parameters) if p.annotation not in (int, bool)]
    grad_compiled = as_tuple(getattr(compiled, "grad_" + name)(*copied(args)), len(positions))
    grad_pure = as_tuple(getattr(pure, "grad_" + name)(*copied(args)), len(positions))
    numeric = central_differences(lambda *a: original(*copied(a)), args, positions)
    assert_close(grad_compiled, grad_pure, 1e-12, 1e-12, f"grad_{name}: compiled vs pure")
    assert_close(grad_compiled, numeric, 1e-5, 1e-6, f"grad_{name}: compiled vs finite differences")

    value, grad = getattr(compiled, "value_and_grad_" + name)(*copied(args))
    assert_close(value, expected, 1e-12, 1e-12, f"value_and_grad_{name} value")
    assert_close(as_tuple(grad, len(positions)), grad_compiled, 0, 0, f"value_and_grad_{name} gradient")
    scaled = as_tuple(getattr(compiled, "vjp_" + name)(*copied(args), -2.5), len(positions))
    assert_close(scaled, [-2.5 * g for g in grad_compiled], 1e-14, 1e-14, f"vjp_{name}")
