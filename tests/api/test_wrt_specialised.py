"""In process, `grad(f, wrt=...)` and `value_and_grad(f, wrt=...)` build a module specialised to
wrt (cached by content hash and wrt): its adjoint starts from the asked parameters alone. Results
must equal the full gradient's entries and central differences; nesting and the eager fallback
keep working."""

from __future__ import annotations

import importlib.util
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

import srcgrad
from srcgrad import api
from srcgrad.api import compiled as compiled_api
from support import ROOT, assert_close, central_differences

WORKLOADS = ROOT / "benchmarks" / "workloads.py"

SOURCE = '''\
import numpy as np


def product(x: float, y: float) -> float:
    return x * x * y + math_free(y)


def math_free(y: float) -> float:
    return 3.0 * y * y


def overwrites(w: np.ndarray, buf: np.ndarray) -> float:
    buf[0] = w[0] * 2.0
    return buf[0] * w[1] + buf[1]


def counted(x, n):
    total = 0.0
    for i in range(n):
        total += x * i
    return total


def outside(x: float, y: float) -> float:
    table = {"a": x}
    return table["a"] * y * y
'''


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"user_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def workloads():
    return load(WORKLOADS)


@pytest.fixture(scope="module")
def user(tmp_path_factory):
    path = tmp_path_factory.mktemp("wrt_user") / "wrt_user_functions.py"
    path.write_text(SOURCE)
    return load(path)


def logistic_data():
    rng = np.random.default_rng(11)
    X = rng.normal(size=(9, 5))
    return rng.normal(size=5), X, np.where(rng.normal(size=9) > 0, 1.0, -1.0)


def specialised_sources(f, wrt_names: tuple) -> str:
    """The generated source of f in the module grad(f, wrt=...) built (cached, so not rebuilt)."""
    option = ((f.__name__, wrt_names),)
    keys = [key for key in compiled_api._loaded if dict(key[2]).get("wrt") == option]
    assert keys, "grad(f, wrt=...) did not build a module specialised to wrt"
    return compiled_api._loaded[keys[0]].generated.function_sources[f.__name__]


def test_logistic_wrt_w_is_specialised_and_equals_the_full_gradient(workloads):
    w, X, y = logistic_data()
    value, gradient = srcgrad.value_and_grad(workloads.logistic, wrt=0)(w, X, y)
    full_value, full = srcgrad.value_and_grad(workloads.logistic)(w, X, y)
    assert value == pytest.approx(full_value, rel=1e-14)
    assert_close(gradient, full[0], 1e-13, 1e-15, "wrt=0 vs the full gradient's entry")
    (numeric,) = central_differences(workloads.logistic, (w, X, y), [0])
    assert_close(gradient, numeric, 1e-6, 1e-8, "wrt=0 vs central differences")
    assert_close(srcgrad.grad(workloads.logistic, wrt=0)(w, X, y), gradient, 0, 0, "grad wrt=0")
    text = specialised_sources(workloads.logistic, ("w",))
    assert "b_w" in text and "b_X" not in text and "b_y" not in text
    assert "b_X" in api.source(workloads.logistic)  # the full adjoint does compute it


def test_mlp_wrt_weights_in_the_order_given(workloads):
    rng = np.random.default_rng(12)
    args = (rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=4), 0.2, rng.normal(size=(5, 3)),
            rng.normal(size=5))
    full = srcgrad.grad(workloads.mlp)(*args)
    weights = srcgrad.grad(workloads.mlp, wrt=(0, 1, 2, 3))(*args)
    assert_close(weights, full[:4], 1e-13, 1e-15, "wrt=(0, 1, 2, 3)")
    swapped = srcgrad.value_and_grad(workloads.mlp, wrt=(2, 0))(*args)[1]
    assert_close(swapped, (full[2], full[0]), 1e-13, 1e-15, "wrt=(2, 0) in the order given")
    numeric = central_differences(workloads.mlp, args, [2, 0])
    assert_close(swapped, numeric, 1e-5, 1e-7, "wrt=(2, 0) vs central differences")
    text = specialised_sources(workloads.mlp, ("W1", "W2"))
    assert "b_X" not in text and "b_b1" not in text and "b_W2" in text


def test_scalar_wrt_conventions_and_the_callee_keeps_its_full_adjoint(user):
    full = srcgrad.grad(user.product)(1.5, -0.5)
    assert srcgrad.grad(user.product, wrt=1)(1.5, -0.5) == pytest.approx(full[1], rel=1e-14)
    assert srcgrad.grad(user.product, wrt=-2)(1.5, -0.5) == pytest.approx(full[0], rel=1e-14)
    assert srcgrad.grad(user.product, wrt=(1,))(1.5, -0.5) == pytest.approx((full[1],), rel=1e-14)
    assert full[0] == pytest.approx(2 * 1.5 * -0.5) and full[1] == pytest.approx(1.5 ** 2 + 6 * -0.5)
    # math_free is called by product; specialising it leaves product's gradient whole
    assert srcgrad.grad(user.math_free, wrt=0)(0.7) == pytest.approx(4.2)


def test_nested_grad_of_a_specialised_gradient(user):
    with warnings.catch_warnings():
        warnings.simplefilter("error", srcgrad.FallbackWarning)  # stays compiled
        second = srcgrad.grad(srcgrad.grad(user.product, wrt=0), wrt=0)(1.5, -0.5)
        mixed = srcgrad.grad(srcgrad.grad(user.product, wrt=0), wrt=1)(1.5, -0.5)
    assert second == pytest.approx(2 * -0.5, rel=1e-12)
    assert mixed == pytest.approx(2 * 1.5, rel=1e-12)
    step = 1e-5
    first = srcgrad.grad(user.product, wrt=0)
    assert mixed == pytest.approx((first(1.5, -0.5 + step) - first(1.5, -0.5 - step)) / (2 * step), rel=1e-7)


def test_eager_fallback_with_wrt(user):
    with pytest.warns(srcgrad.FallbackWarning):
        g = srcgrad.grad(user.outside, wrt=1)
    assert g(1.5, -0.5) == pytest.approx(2 * 1.5 * -0.5)
    with pytest.warns(srcgrad.FallbackWarning):
        value, gradient = srcgrad.value_and_grad(user.outside, wrt=(1, 0))(1.5, -0.5)
    assert value == pytest.approx(1.5 * 0.25) and gradient == pytest.approx((2 * 1.5 * -0.5, 0.25))


def test_a_parameter_the_function_overwrites_falls_back_to_the_full_gradient(user):
    w = np.array([0.5, -1.5])
    gradient = srcgrad.grad(user.overwrites, wrt=0)(w, np.array([9.0, 4.0]))
    full = srcgrad.grad(user.overwrites)(w, np.array([9.0, 4.0]))
    assert_close(gradient, full[0], 0, 0, "wrt=0 of a function writing into buf")
    assert_close(gradient, np.array([2.0 * w[1], 2.0 * w[0]]), 1e-14, 0, "analytic")


def test_a_parameter_inferred_int_is_refused(user):
    with pytest.raises(ValueError, match="'n' is not differentiable"):
        srcgrad.grad(user.counted, wrt=1)
    assert srcgrad.grad(user.counted, wrt=0)(2.0, 4) == pytest.approx(0.0 + 1 + 2 + 3)
    with pytest.raises(ValueError, match="f has 2 parameters"):
        srcgrad.value_and_grad(user.counted, wrt=5)
    assert math.isfinite(srcgrad.grad(user.counted)(2.0, 4))
