"""The benchmark suite's gradients are right (benchmarks/, issue 7): at small sizes, srcgrad's
build of benchmarks/workloads.py and the hand-written adjoints agree with central differences
and with each other, and so do autograd and JAX when installed. Never asserts times.

Compiled modules come from srcgrad's content-hash build cache, so after the first run this costs
a generate and a hash, not a compile.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import suite  # noqa: E402

SIZES = suite.SIZES["check"]


@pytest.fixture(scope="module")
def original():
    return suite.load_original()


@pytest.fixture(scope="module")
def compiled():
    return suite.load_srcgrad_cached()


@pytest.fixture(scope="module")
def hand():
    return suite.load_hand()


@pytest.fixture(scope="module")
def differences(original):
    """Central differences of the original Python, per workload, at the check size."""
    out = {}
    for name in suite.NAMES:
        args = suite.make_args(name, SIZES[name])
        out[name] = suite.coordinate_fd(name, getattr(original, name), args, step=suite.fd_step(name, args))
    return out


def _args(name):
    return suite.make_args(name, SIZES[name])


def _assert_agree(name, got, expected, rtol, what):
    mismatch = suite.compare(name, got, expected, rtol, what)
    assert mismatch is None, str(mismatch)


@pytest.mark.parametrize("name", suite.NAMES)
def test_hand_adjoint_matches_central_differences(name, original, differences):
    args = _args(name)
    value, gradient = suite.hand_value_and_grad(name)(*args)
    assert value == pytest.approx(getattr(original, name)(*args), rel=1e-12)
    _assert_agree(name, gradient, differences[name], 1e-5, "hand adjoint vs central differences")


@pytest.mark.parametrize("name", suite.LOOP_NAMES)
def test_hand_primal_matches_python(name, original, hand):
    args = _args(name)
    assert getattr(hand, name)(*args) == pytest.approx(getattr(original, name)(*args), rel=1e-12)


@pytest.mark.parametrize("name", suite.NAMES)
def test_srcgrad_primal_matches_python(name, original, compiled):
    args = _args(name)
    assert float(getattr(compiled, name)(*args)) == pytest.approx(getattr(original, name)(*args), rel=1e-12)


@pytest.mark.parametrize("name", suite.NAMES)
def test_srcgrad_gradient_matches_central_differences_and_hand(name, compiled, differences):
    args = _args(name)
    gradient = getattr(compiled, f"grad_{name}")(*args)
    _assert_agree(name, gradient, differences[name], 1e-5, "srcgrad vs central differences")
    _assert_agree(name, gradient, suite.hand_value_and_grad(name)(*args)[1], 1e-10, "srcgrad vs hand adjoint")


@pytest.mark.parametrize("name", suite.NAMES)
def test_srcgrad_value_and_grad_is_consistent(name, compiled):
    args = _args(name)
    value, gradient = getattr(compiled, f"value_and_grad_{name}")(*args)
    assert float(value) == pytest.approx(float(getattr(compiled, name)(*args)), rel=1e-12)
    _assert_agree(name, gradient, getattr(compiled, f"grad_{name}")(*args), 1e-12, "value_and_grad vs grad")


@pytest.mark.parametrize("name", suite.NAMES)
def test_directional_check_catches_a_wrong_gradient(name, original):
    """The check run.py does at full size before timing rejects a gradient off by 0.1%."""
    args = _args(name)
    _, gradient = suite.hand_value_and_grad(name)(*args)
    f = getattr(original, name)
    step = suite.fd_step(name, args)
    assert suite.directional_fd(name, f, args, gradient, step=step) is None
    wrong = tuple(g * 1.001 for g in suite.as_tuple(gradient, name))
    assert suite.directional_fd(name, f, args, wrong[0] if len(wrong) == 1 else wrong, step=step) is not None


@pytest.mark.parametrize("engine_label", ["autograd", "JAX"])
@pytest.mark.parametrize("name", suite.NAMES)
def test_anchor_gradients_match_hand(engine_label, name):
    pytest.importorskip({"autograd": "autograd", "JAX": "jax"}[engine_label])
    import anchors

    engine = next(e for e in anchors.engines() if e.label == engine_label)
    if engine.missing:
        pytest.skip(engine.missing)
    args = _args(name)
    value, gradient = engine.prepare(name, args).run()
    expected_value, expected = suite.hand_value_and_grad(name)(*args)
    assert value == pytest.approx(expected_value, rel=1e-10)
    _assert_agree(name, gradient, expected, 1e-10, f"{engine_label} vs hand adjoint")


def test_sizes_cover_every_workload():
    for sizes in suite.SIZES.values():
        assert set(sizes) == set(suite.NAMES)
    assert np.all([len(suite.DIFFERENTIABLE[n]) >= 1 for n in suite.NAMES])
