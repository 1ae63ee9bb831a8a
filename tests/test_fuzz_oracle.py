"""The fuzzer's own checks: a program the long runs reported with no bug behind it, each kept so
the oracle stays right about it (tests/fuzz_found/ holds the programs as the run printed them)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import fuzzing
import libm_numpy

FOUND = Path(__file__).parent / "fuzz_found"


def test_numpy_with_libm_rounding_is_the_c_library_for_scalars_and_arrays():
    values = np.random.default_rng(3).standard_normal(2000) * 3
    assert any(float(np.tanh(v)) != math.tanh(v) for v in values)  # why it exists: NumPy's tanh is its own
    assert all(float(libm_numpy.NUMPY.tanh(v)) == math.tanh(v) for v in values)
    assert isinstance(libm_numpy.NUMPY.tanh(0.5), np.float64)
    np.testing.assert_array_equal(libm_numpy.NUMPY.tanh(values), [math.tanh(v) for v in values])
    np.testing.assert_array_equal(libm_numpy.NUMPY.hypot(values, values[::-1]),
                                  [math.hypot(a, b) for a, b in zip(values, values[::-1])])
    assert libm_numpy.NUMPY.exp2(2000.0) == math.inf and libm_numpy.NUMPY.exp2(-2000.0) == 0.0
    assert libm_numpy.NUMPY.cbrt(-8.0) == -2.0
    assert libm_numpy.NUMPY.sin is np.sin  # everything else is NumPy itself


def test_the_reference_run_rounds_tanh_as_the_generated_code():
    source = "import numpy as np\n\ndef f(x):\n    return np.tanh(x) * 1e3\n"
    f = fuzzing.run_source(source, "f")
    for x in np.random.default_rng(4).standard_normal(200):
        assert f(x) == math.tanh(x) * 1e3


def test_a_loop_that_amplifies_one_ulp_of_tanh_is_no_mismatch():
    """sin(rad2deg(tanh(x))) repeated in a loop turned NumPy's tanh, one ulp from the C library's,
    into a primal 2.4e-10 apart (seed 6006)."""
    source = (FOUND / "amplified_tanh_rounding.py").read_text()
    _, module = fuzzing.pure_build(source)
    args = (-5e-324, 1.1656344302252704, -0.1904523203942139)
    fuzzing.check_source(source, "fn1", args, [0, 1, 2], module, keyword_only=("x0", "x2"))


def test_vjp_is_linear_in_its_cotangent_up_to_rounding_of_a_sum_that_cancels():
    """vjp_ with dout=-2.5 was 1.4e-14 from -2.5 * grad_ on a gradient of 0.14 (seed 5005): the
    rounding of terms that cancel, not a cotangent used wrongly."""
    source = (FOUND / "vjp_sum_that_cancels.py").read_text()
    _, module = fuzzing.pure_build(source)
    args = (-1.2721167412609167, 5, np.array([0.38870241, -1.45900663]))
    fuzzing.check_source(source, "fn1", args, [0, 2], module)
    gradient = module.grad_fn1(*args)
    scaled = module.vjp_fn1(*args, -2.5)
    assert scaled[0] == pytest.approx(-2.5 * gradient[0], rel=1e-12)
    assert scaled[0] != -2.5 * gradient[0]  # the difference the check allows for is real


def test_a_sawtooth_jumping_within_the_step_is_seen_though_its_ends_agree():
    """fmod(x, 0.5) at x = -1e6, where the step is 10: 40 jumps between two equal values. Its
    derivative is 1 (the gradient's), the differences' 0 (seed 8008)."""
    traced = fuzzing.traced_source("import math\n\ndef f(x):\n    return math.fmod(x, 0.5) + x % 0.25\n", "f")
    assert fuzzing._jumps_within_step(traced, (-1e6,), [0])
    assert not fuzzing._jumps_within_step(traced, (0.1,), [0])
    source = (FOUND / "fmod_of_a_huge_argument.py").read_text()
    _, module = fuzzing.pure_build(source)
    args = (-1.0, np.array([1.41121755e+00, -2.48497543e+00, -3.82530536e-22, -2.50000000e+00]), -1000000.0)
    fuzzing.check_source(source, "fn2", args, [0, 1, 2], module, keyword_only=("x0",))
    assert module.grad_fn2(*args[:2], x0=args[2])[2] == args[1][0]  # fmod's slope times a[0]


def test_an_infinite_tangent_times_a_zero_partial_at_a_kink_is_no_mismatch():
    """fn0 is sqrt(|sin(x)|), whose tangent at x = 0 is infinite; fn2 squares it, a zero partial
    there. jvp_ gives inf * 0 = nan, grad_ gives 0 (the zero cotangent's guard): both conventions
    where fn2 = 0.5 + 0.5 / (|sin(x)| + 1) has a kink (the clean-clone CI's derandomized run)."""
    source = (FOUND / "infinite_tangent_times_a_zero_partial.py").read_text()
    _, module = fuzzing.pure_build(source)
    assert module.grad_fn2(0.0, 0) == 0.0 and math.isnan(module.jvp_fn2(0.0, 0, 0.5))
    fuzzing.check_source(source, "fn2", (0.0, 0), [0], module)
    # away from the kink the two modes agree again, and the oracle still insists on it
    assert module.jvp_fn2(0.3, 0, 0.5) == pytest.approx(0.5 * module.grad_fn2(0.3, 0), rel=1e-12)
    fuzzing.check_source(source, "fn2", (0.3, 0), [0], module)


def test_a_part_without_a_derivative_inside_a_smooth_function_is_checked_beside_the_point():
    """fn2 = cos(sin(sqrt(log1p(x*x)))) is cos(sin(x)), smooth, with f''(0) = -1; its part
    sqrt(log1p(x*x)) has no derivative at 0. The eager engine's hvp there is inf * 0 = nan, hvp_'s
    (the zero cotangent's guard) 0, differences -0.75 along 0.75: no chain rule gives them
    (the CI's derandomized run). Just beside the point all three agree, and the oracle checks there."""
    source = (FOUND / "a_part_without_derivative_in_a_smooth_function.py").read_text()
    _, module = fuzzing.pure_build(source)
    assert module.hvp_fn2(0.0, 0, False, 0.75) == 0.0
    assert module.grad_fn2(0.0, 0, False) == 0.0
    fuzzing.check_source(source, "fn2", (0.0, 0, False), [0], module)
    assert module.hvp_fn2(1e-3, 0, False, 0.75) == pytest.approx(-0.75, rel=1e-5)
    fuzzing.check_source(source, "fn2", (1e-3, 0, False), [0], module)
