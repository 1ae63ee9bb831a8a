"""`srcgrad build --wrt NAME=PARAM[,PARAM]`: gradients of NAME with respect to those parameters only.

The specialised functions are checked against central differences and against the entries of
the default (full-gradient) build; the generated source must not compute the left-out
parameters' adjoints at all (logistic with --wrt logistic=w has no b_X)."""

from __future__ import annotations

import types
from pathlib import Path

import numpy as np
import pytest

from srcgrad import build
from srcgrad.api import _import_extension
from srcgrad.cli import main
from srcgrad.generate import generate
from support import ROOT, assert_close, central_differences, compiled_module

WORKLOADS = ROOT / "benchmarks" / "workloads.py"

CALLS_SOURCE = '''\
import numpy as np


def inner(a: float, b: float) -> float:
    return a * a * b + b * 3.0 + a * b * b


def outer(x: float, y: float) -> float:
    return inner(x, y) * inner(y, x)


def summed(w: np.ndarray, v: np.ndarray, s: float) -> float:
    total = 0.0
    for i in range(len(w)):
        total += w[i] * v[i] * s + inner(w[i], v[i])
    return total


def scaled(x, n):
    total = 0.0
    for i in range(n):
        total += x * i
    return total


def writes(w: np.ndarray, buf: np.ndarray) -> float:
    buf[0] = w[0] * 2.0
    return buf[0] * w[1] + buf[1]
'''


def pure(source: str, filename: str, **wrt) -> types.ModuleType:
    generated = generate(source, filename, pure=True, wrt=wrt or None)
    module = types.ModuleType(generated.module_name + "_pure")
    exec(compile(generated.text, generated.module_name + ".py", "exec", dont_inherit=True), module.__dict__)
    return module


def compiled(source: str, filename: str, **wrt) -> types.ModuleType:
    generated = generate(source, filename, wrt=wrt or None)
    binary, _ = build.compile_cached(generated.text, generated.module_name)
    return _import_extension(binary, generated.module_name)


def logistic_data(seed: int = 3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(7, 4))
    return rng.normal(size=4), X, np.where(rng.normal(size=7) > 0, 1.0, -1.0)


def mlp_data(seed: int = 4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(6, 3))
    return (rng.normal(size=(3, 5)), rng.normal(size=5), rng.normal(size=5), 0.3, X, rng.normal(size=6))


def original(name: str):
    namespace: dict = {}
    exec(compile(WORKLOADS.read_text(), str(WORKLOADS), "exec", dont_inherit=True), namespace)
    return namespace[name]


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "calls.py").write_text(CALLS_SOURCE)
    (tmp_path / "workloads.py").write_text(WORKLOADS.read_text())
    return tmp_path


# --------------------------------------------------------------------------- the command line


def test_cli_logistic_wrt_w_computes_no_b_X_and_matches_the_full_gradient(workdir, capsys):
    outdir = workdir / "out_logistic_wrt"
    assert main(["build", "workloads.py", "-o", str(outdir), "-q", "--wrt", "logistic=w"]) == 0
    text = (outdir / "workloads_grad.pyx").read_text()
    logistic_part = text[text.index("# logistic:"):text.index("# huber:")]
    assert "b_X" not in logistic_part and "b_y" not in logistic_part
    assert "b_w" in logistic_part
    full_text = generate(WORKLOADS.read_text(), "workloads.py").text
    assert "b_X" in full_text[full_text.index("# logistic:"):full_text.index("# huber:")]  # the default has it

    module = _import_extension(outdir / f"workloads_grad{build.EXT_SUFFIX}", "workloads_grad")
    w, X, y = logistic_data()
    gradient = module.grad_logistic(w, X, y)
    assert isinstance(gradient, np.ndarray) and gradient.shape == w.shape  # one parameter: the gradient itself
    full = compiled_module(str(WORKLOADS)).grad_logistic(w, X, y)
    assert_close(gradient, full[0], 1e-12, 1e-14, "wrt w vs the full gradient's entry")
    (numeric,) = central_differences(original("logistic"), (w, X, y), [0])
    assert_close(gradient, numeric, 1e-6, 1e-8, "wrt w vs central differences")
    value, gradient_too = module.value_and_grad_logistic(w, X, y)
    assert value == pytest.approx(original("logistic")(w, X, y), rel=1e-13)
    assert_close(gradient_too, gradient, 0, 0, "value_and_grad")
    # the other functions of the file keep their full gradients
    assert len(module.grad_huber(np.array([0.3, -2.0]), 1.0)) == 2


def test_cli_only_and_wrt_together_and_pure(workdir, capsys):
    assert main(["build", "workloads.py", "--pure", "-o", "pure_out", "-q", "--only", "mlp",
                 "--wrt", "mlp=W1,b1,W2,b2"]) == 0
    text = (workdir / "pure_out" / "workloads_grad.py").read_text()
    assert "b_X" not in text and "b_y" not in text
    assert "logistic" not in text


@pytest.mark.parametrize("args, message", [
    (["--wrt", "logistic=q"], "logistic has no parameter 'q' (its parameters: w, X, y)"),
    (["--wrt", "nope=w"], "no top-level function nope"),
    (["--wrt", "logistic"], "--wrt needs NAME=PARAM[,PARAM...]"),
    (["--wrt", "logistic="], "--wrt needs NAME=PARAM[,PARAM...]"),
    (["--wrt", "logistic=w,w"], "a parameter is named twice"),
    (["--wrt", "logistic=w", "--wrt", "logistic=X"], "--wrt logistic is given twice"),
    (["--wrt", "power_loop=n"], "parameter 'n' of power_loop is annotated int or bool"),
    (["--wrt", "logistic=w", "--only", "huber"], "logistic gets no grad_ function (--only leaves it out)"),
])
def test_cli_bad_wrt_is_one_error_line_and_exit_2(workdir, capsys, args, message):
    code = main(["build", "workloads.py", "--pure", "-o", "bad_out", *args])
    out, err = capsys.readouterr()
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("srcgrad: error: ") and message in lines[0], err
    assert "Traceback" not in err
    assert not (workdir / "bad_out" / "workloads_grad.py").exists()


@pytest.mark.parametrize("wrt, message", [
    ("scaled=n", "parameter 'n' of scaled is not a float or a float array"),  # inferred int
    ("writes=w", "overwrites its parameter 'buf' with values that depend on w"),
])
def test_cli_wrt_errors_known_after_type_inference(workdir, capsys, wrt, message):
    code = main(["build", "calls.py", "--pure", "-o", "bad_out", "-q", "--wrt", wrt])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("srcgrad: error: --wrt ") and message in err, err


def test_cli_wrt_applies_to_the_file_that_defines_the_function(workdir, capsys):
    code = main(["build", "calls.py", "workloads.py", "--pure", "-o", "two", "-q", "--wrt", "logistic=w",
                 "--wrt", "inner=a"])
    assert code == 0, capsys.readouterr().err
    assert "_inner_wrt_adjoint" in (workdir / "two" / "calls_grad.py").read_text()
    assert "b_X" not in (workdir / "two" / "workloads_grad.py").read_text().split("# huber:")[0].split("# logistic:")[1]


# --------------------------------------------------------------------------- the generated functions


@pytest.mark.parametrize("make", [pure, compiled], ids=["pure", "compiled"])
def test_mlp_wrt_weights_matches_full_gradient_and_differences(make):
    module = make(WORKLOADS.read_text(), "workloads.py", mlp=("W1", "b1", "W2", "b2"))
    full = compiled_module(str(WORKLOADS))
    args = mlp_data()
    gradient = module.grad_mlp(*args)
    assert isinstance(gradient, tuple) and len(gradient) == 4  # several parameters: a tuple in parameter order
    expected = full.grad_mlp(*args)
    assert len(expected) == 6
    assert_close(gradient, expected[:4], 1e-12, 1e-13, "mlp wrt weights vs full")
    numeric = central_differences(original("mlp"), args, [0, 1, 2, 3])
    assert_close(gradient, numeric, 1e-5, 1e-7, "mlp wrt weights vs central differences")


@pytest.mark.parametrize("make", [pure, compiled], ids=["pure", "compiled"])
def test_vjp_jvp_hvp_hessian_follow_the_wrt_parameters(make):
    module = make(WORKLOADS.read_text(), "workloads.py", logistic=("w",))
    full = compiled_module(str(WORKLOADS))
    w, X, y = logistic_data(5)
    v = np.random.default_rng(6).normal(size=w.shape)
    gradient = module.grad_logistic(w, X, y)
    assert_close(module.vjp_logistic(w, X, y, 2.5), 2.5 * gradient, 1e-13, 1e-15, "vjp")
    # jvp takes one tangent per wrt parameter (here a bare array for w alone)
    derivative = module.jvp_logistic(w, X, y, v)
    assert derivative == pytest.approx(float(gradient @ v), rel=1e-12)
    zeros = (v, np.zeros_like(X), np.zeros_like(y))
    assert derivative == pytest.approx(full.jvp_logistic(w, X, y, zeros), rel=1e-12)
    assert_close(module.hvp_logistic(w, X, y, v), full.hvp_logistic(w, X, y, zeros)[0], 1e-12, 1e-14, "hvp")
    hessian = module.hessian_logistic(w, X, y)
    assert hessian.shape == (4, 4)
    assert_close(hessian, full.hessian_logistic(w, X, y)[0][0], 1e-12, 1e-14, "hessian block")
    step = 1e-6
    numeric = (module.grad_logistic(w + step * v, X, y) - module.grad_logistic(w - step * v, X, y)) / (2 * step)
    assert_close(module.hvp_logistic(w, X, y, v), numeric, 1e-5, 1e-8, "hvp vs differences of the gradient")
    with pytest.raises(ValueError):
        module.jvp_logistic(w, X, y, zeros)  # tangents for the other parameters are not taken


@pytest.mark.parametrize("make", [pure, compiled], ids=["pure", "compiled"])
def test_a_wrt_function_called_by_others_keeps_their_full_gradients(make):
    module = make(CALLS_SOURCE, "calls.py", inner=("a",), summed=("w", "s"))
    full = make(CALLS_SOURCE, "calls.py")
    namespace: dict = {}
    exec(CALLS_SOURCE, namespace)
    assert module.grad_inner(1.3, 0.7) == pytest.approx(full.grad_inner(1.3, 0.7)[0], rel=1e-14)
    assert module.grad_inner(1.3, 0.7) == pytest.approx(central_differences(namespace["inner"], (1.3, 0.7), [0])[0],
                                                        rel=1e-7)
    # outer calls inner: its gradient needs inner's adjoint in both a and b
    assert_close(module.grad_outer(1.3, 0.7), full.grad_outer(1.3, 0.7), 1e-14, 0, "outer")
    assert_close(module.grad_outer(1.3, 0.7), central_differences(namespace["outer"], (1.3, 0.7), [0, 1]),
                 1e-7, 1e-9, "outer vs differences")
    w, v = np.array([1.0, 2.0, -3.0]), np.array([0.5, 0.1, -0.2])
    gradient = module.grad_summed(w, v, 2.0)
    assert len(gradient) == 2
    expected = full.grad_summed(w, v, 2.0)
    assert_close(gradient, (expected[0], expected[2]), 1e-14, 0, "summed wrt w, s")
    assert_close(gradient, central_differences(namespace["summed"], (w, v, 2.0), [0, 2]), 1e-7, 1e-9, "summed")
    assert module.jvp_inner(1.3, 0.7, 1.0) == pytest.approx(module.grad_inner(1.3, 0.7), rel=1e-13)
    assert module.hessian_inner(1.3, 0.7) == pytest.approx(full.hessian_inner(1.3, 0.7)[0][0], rel=1e-13)
