"""srcgrad.grad / value_and_grad / source in process: compiled, cached, `wrt`, and refusals."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

import fake_generator
import srcgrad
import srcgrad.generate
from srcgrad import api, build

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load(path: Path):
    """Import a source file as a fresh module (the test's business; srcgrad never does this)."""
    spec = importlib.util.spec_from_file_location(f"user_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tutorial():
    return load(EXAMPLES / "tutorial.py")


def forbid(*args, **kwargs):
    raise AssertionError("must not run again")


def test_grad_and_value_and_grad_are_compiled(tutorial):
    assert srcgrad.grad(tutorial.power)(3.0, 2) == pytest.approx(6.0)
    assert srcgrad.value_and_grad(tutorial.power)(3.0, 2) == pytest.approx((9.0, 6.0))
    assert srcgrad.grad(tutorial.square_sin)(0.3) == pytest.approx(math.sin(0.6))
    assert srcgrad.grad(tutorial.power).__name__ == "grad_power"


def test_the_same_file_is_generated_and_built_once_per_process(tutorial, monkeypatch):
    srcgrad.grad(tutorial.power)
    monkeypatch.setattr(srcgrad.generate, "generate", forbid)
    monkeypatch.setattr(build, "compile_cached", forbid)
    assert srcgrad.grad(tutorial.f)(2.0, 3.0) == pytest.approx((12.0, 0.0))


def test_the_module_is_loaded_under_a_private_name(tutorial):
    srcgrad.grad(tutorial.power)
    names = [name for name in sys.modules if name.endswith(".tutorial_grad") and name.startswith("_srcgrad_")]
    assert names


@pytest.mark.parametrize(
    "function, wrt, expected",
    [
        ("f", None, (12.0, 0.0)),
        ("f", 0, 12.0),
        ("f", -1, 0.0),
        ("f", (1, 0), (0.0, 12.0)),
        ("power", 0, 6.0),
        ("power", (0,), (6.0,)),
    ],
)
def test_wrt_picks_parameters_by_position(tutorial, function, wrt, expected):
    f = getattr(tutorial, function)
    args = (2.0, 3.0) if function == "f" else (3.0, 2)
    assert srcgrad.grad(f, wrt=wrt)(*args) == pytest.approx(expected)
    assert srcgrad.value_and_grad(f, wrt=wrt)(*args)[1] == pytest.approx(expected)


@pytest.mark.parametrize(
    "wrt, error, message",
    [
        (1, ValueError, "parameter 'n' is not differentiable"),
        (2, ValueError, "f has 2 parameters"),
        ("x", TypeError, "wrt must be None, an int or a tuple of ints"),
    ],
)
def test_bad_wrt_is_refused(tutorial, wrt, error, message):
    with pytest.raises(error, match=message):
        srcgrad.grad(tutorial.power, wrt=wrt)


def test_source_is_the_generated_adjoint(tutorial):
    text = srcgrad.source(tutorial.power)
    assert "def grad_power" in text
    assert text == srcgrad.generate.generate((EXAMPLES / "tutorial.py").read_text(), str(EXAMPLES / "tutorial.py")).function_sources["power"]


def nested():
    def inner(x):
        return x

    return inner


namespace: dict = {}
exec("def typed_at_the_prompt(x):\n    return x\n", namespace)


@pytest.mark.parametrize(
    "f, reason",
    [
        (lambda x: x, "a lambda has no name"),
        (nested(), "not nested functions or methods"),
        (math.sin, "not a Python function"),
        (namespace["typed_at_the_prompt"], "its source file is not available"),
        (api._locate, "names starting with _ are private"),
    ],
)
def test_functions_without_a_usable_source_fall_back_to_the_eager_tape_with_the_reason(f, reason):
    with pytest.warns(srcgrad.FallbackWarning, match=reason):
        gradient = srcgrad.grad(f)
    if f is not api._locate:
        assert float(gradient(0.5)) == pytest.approx(math.cos(0.5) if f is math.sin else 1.0)
    with pytest.raises(api.NotCompilable, match=reason):
        srcgrad.source(f)


def test_a_function_outside_the_subset_falls_back_naming_the_construct(tmp_path, monkeypatch):
    monkeypatch.setenv("SRCGRAD_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "unsupported.py"
    path.write_text("def odd(x):  # fake: warn\n    return x\n")
    monkeypatch.setattr(srcgrad.generate, "generate", fake_generator.generate)
    monkeypatch.setattr(build, "compile_cached", forbid)
    with pytest.warns(srcgrad.FallbackWarning, match=r"unsupported.py:1:1: odd: while-else is not supported"):
        gradient = srcgrad.grad(load(path).odd)
    assert gradient(3.0) == pytest.approx(1.0)


def test_an_edited_file_is_generated_again(tmp_path, monkeypatch):
    monkeypatch.setenv("SRCGRAD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(srcgrad.generate, "generate", fake_generator.generate)
    path = tmp_path / "edited.py"
    path.write_text("def g(x):\n    return 2.0 * x\n")
    before = api._generated_module(api._locate(load(path).g))
    assert api._generated_module(api._locate(load(path).g)) is before
    path.write_text("def g(x):\n    return 5.0 * x\n")
    after = api._generated_module(api._locate(load(path).g))
    assert after is not before and "5.0 * x" in after.generated.text
