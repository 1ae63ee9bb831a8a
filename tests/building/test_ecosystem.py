"""srcgrad among other tools: setuptools wheels, .pyi stubs and mypy, SciPy's optimisers, srcgrad.testing.

The mypy and SciPy tests need the optional extras (`pip install -e ".[typing,scipy]"`) and skip
with a note without them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import srcgrad
import srcgrad.testing
from srcgrad import build
from srcgrad.cli import main as srcgrad_main
from srcgrad.generate import generate
from support import EXAMPLES, central_differences, compiled_module, original_module, pure_module

PACKAGE = EXAMPLES / "ecosystem" / "package"
TUTORIAL = EXAMPLES / "tutorial.py"
ROSENBROCK = EXAMPLES / "rosenbrock.py"
ARRAY = "numpy.typing.NDArray[numpy.float64]"


def build_quietly(*args: str) -> int:
    return srcgrad_main(["build", *args, "-q"])


# --------------------------------------------------------------------------- type stubs


def test_every_build_writes_a_stub_beside_the_module(tmp_path):
    assert build_quietly(str(TUTORIAL), "-o", str(tmp_path / "compiled")) == 0
    assert build_quietly(str(TUTORIAL), "-o", str(tmp_path / "pure"), "--pure") == 0
    compiled = (tmp_path / "compiled" / "tutorial_grad.pyi").read_text()
    assert (tmp_path / "pure" / "tutorial_grad.pyi").read_text() == compiled
    lines = compiled.splitlines()
    assert "def power(x: float, n: int) -> float: ..." in lines
    assert "def grad_power(x: float, n: int) -> float: ..." in lines
    # f(x, y) is unannotated: both parameters are inferred floats, so two gradients
    assert "def grad_f(x: float, y: float) -> tuple[float, float]: ..." in lines
    assert "def value_and_grad_f(x: float, y: float) -> tuple[float, tuple[float, float]]: ..." in lines
    assert "def vjp_f(x: float, y: float, dout: float) -> tuple[float, float]: ..." in lines
    assert "def jvp_f(x: float, y: float, tangents: tuple[float, float]) -> float: ..." in lines
    assert "def hvp_square_sin(x: float, v: float) -> float: ..." in lines


def test_stub_types_arrays_integers_and_eager_fallbacks():
    source = (
        "import numpy as np\n\n"
        "def scaled(x: np.ndarray, a):\n    return np.sin(x) * a\n\n"
        "def twice(n: int) -> int:\n    return n * 2\n\n"
        "def listed(x, k: int):\n    return sum([x, x]) * k\n\n"
        "def defaulted(x, y=2.0, *, k: int = 3):\n    return x * y ** k\n"
    )
    stub = generate(source, "m.py").stub.splitlines()
    either = f"float | {ARRAY}"
    # defaulted, a function of numbers, has an array version: its entries take a float or an array
    assert f"def grad_defaulted(x: {either}, y: {either} = ..., *, k: int = ...) -> tuple[{either}, {either}]: ..." \
        in stub
    # where dout goes depends on how many positional arguments a call gives: not a stub signature
    assert f"def vjp_defaulted(*args: Any, **keywords: Any) -> tuple[{either}, {either}]: ..." in stub
    # a is unannotated in whole-array code: the compiled function takes a float or an array
    assert f"def scaled(x: {ARRAY}, a: {either}) -> {ARRAY}: ..." in stub
    assert f"def grad_scaled(x: {ARRAY}, a: {either}) -> tuple[{ARRAY}, {either}]: ..." in stub
    assert f"def vjp_scaled(x: {ARRAY}, a: {either}, dout: {ARRAY}) -> tuple[{ARRAY}, {either}]: ..." in stub
    assert "def twice(n: int) -> int: ..." in stub
    # listed runs on the eager tape: an unannotated parameter may be a float or an array
    assert f"def grad_listed(x: float | {ARRAY}, k: int) -> float | {ARRAY}: ..." in stub
    # the eager fallback has forward mode too (on the tape): its stubs are there
    assert f"def jvp_listed(x: float | {ARRAY}, k: int, tangents: float | {ARRAY}) -> Any: ..." in stub
    assert f"def hvp_listed(x: float | {ARRAY}, k: int, v: float | {ARRAY}) -> float | {ARRAY}: ..." in stub


def test_stub_names_exactly_the_public_functions_of_the_module():
    module = compiled_module(str(TUTORIAL))
    stub = generate(TUTORIAL.read_text(), str(TUTORIAL)).stub
    stubbed = {line[4:line.index("(")] for line in stub.splitlines() if line.startswith("def ")}
    public = {name for name in dir(module) if not name.startswith("_") and callable(getattr(module, name))
              and getattr(getattr(module, name), "__module__", None) == "tutorial_grad"}
    assert stubbed == public


def test_check_reports_a_missing_or_stale_stub(tmp_path, capsys):
    outdir = tmp_path / "out"
    assert build_quietly(str(TUTORIAL), "-o", str(outdir), "--pure") == 0
    capsys.readouterr()
    stub = outdir / "tutorial_grad.pyi"
    stub.write_text(stub.read_text().replace("n: int", "n: float", 1))
    assert srcgrad_main(["build", str(TUTORIAL), "-o", str(outdir), "--pure", "--check"]) == 1
    out = capsys.readouterr().out
    assert f"+++ {stub} (regenerated from {TUTORIAL})" in out
    assert "-def power(x: float, n: float) -> float: ..." in out and "+def power(x: float, n: int) -> float: ..." in out
    stub.unlink()
    assert srcgrad_main(["build", str(TUTORIAL), "-o", str(outdir), "--pure", "--check"]) == 1
    assert capsys.readouterr().out.startswith(f"--- /dev/null\n+++ {stub} ")


GOOD_USE = """\
import numpy as np
import numpy.typing as npt
from rosenbrock_grad import grad_rosenbrock, hvp_rosenbrock, rosenbrock
from tutorial_grad import grad_power, hvp_f, value_and_grad_f

d: float = grad_power(3.0, 2)
value, (dx, dy) = value_and_grad_f(2.0, 3.0)
total: float = value + dx + dy
hx, hy = hvp_f(2.0, 3.0, (1.0, 0.0))
x = np.zeros(4)
g: npt.NDArray[np.float64] = grad_rosenbrock(x)
h: npt.NDArray[np.float64] = hvp_rosenbrock(x, np.ones(4))
r: float = rosenbrock(x)
"""

WRONG_USE = """\
import numpy as np
from rosenbrock_grad import grad_rosenbrock
from tutorial_grad import grad_f, grad_power

grad_power(3.0, 2.5)
s: str = grad_power(3.0, 2)
a: float = grad_f(1.0, 2.0)
b: float = grad_rosenbrock(np.zeros(3))
grad_power(3.0)
"""


def test_mypy_accepts_right_use_of_a_generated_module_and_rejects_wrong_use(tmp_path):
    pytest.importorskip("mypy", reason="mypy is not installed: pip install -e '.[typing]' to type-check the stubs")
    outdir = tmp_path / "out"
    assert build_quietly(str(TUTORIAL), str(ROSENBROCK), "-o", str(outdir)) == 0
    (tmp_path / "good.py").write_text(GOOD_USE)
    (tmp_path / "wrong.py").write_text(WRONG_USE)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--no-error-summary", "good.py", "wrong.py"],
        cwd=tmp_path, env={**os.environ, "MYPYPATH": str(outdir)}, capture_output=True, text=True, timeout=300)
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert not [line for line in errors if line.startswith("good.py")], result.stdout
    flagged = sorted(int(line.split(":")[1]) for line in errors if line.startswith("wrong.py"))
    assert flagged == [5, 6, 7, 8, 9], result.stdout
    assert 'Argument 2 to "grad_power" has incompatible type "float"; expected "int"' in result.stdout
    assert 'expression has type "tuple[float, float]", variable has type "float"' in result.stdout
    assert result.returncode == 1


# --------------------------------------------------------------------------- setuptools


@pytest.fixture()
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


MODEL = "import math\n\n\ndef cube_sin(x: float) -> float:\n    return math.sin(x) ** 3\n"


def test_grad_extensions_generate_beside_the_source_and_name_the_package_module(optimised_builds, in_tmp):
    from srcgrad.setuptools import grad_extensions

    package = in_tmp / "src" / "pkg" / "sub"
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "model.py").write_text(MODEL)
    (extension,) = grad_extensions(["src/pkg/sub/model.py"], only=["cube_sin"])
    # src/ holds no __init__.py: it is a folder of the layout, not part of the name
    assert extension.name == "pkg.sub.model_grad"
    assert (package / "model_grad.pyx").read_text() == generate(MODEL, "model.py").text
    assert (package / "model_grad.pyi").read_text() == generate(MODEL, "model.py").stub
    (c_file,) = extension.sources
    assert c_file.endswith(".c") and Path(c_file).is_file() and not Path(c_file).is_relative_to(package)
    assert "-O3" in extension.extra_compile_args and "-ffast-math" not in extension.extra_compile_args
    (fast,) = grad_extensions("src/pkg/sub/model.py", fast_math=True)
    assert "-ffast-math" in fast.extra_compile_args


def test_grad_extensions_pure_writes_a_python_module_of_the_package(in_tmp):
    from srcgrad.setuptools import grad_extensions

    (in_tmp / "pkg").mkdir()
    (in_tmp / "pkg" / "__init__.py").write_text("")
    (in_tmp / "pkg" / "model.py").write_text(MODEL)
    assert grad_extensions(["pkg/model.py"], pure=True) == []
    assert (in_tmp / "pkg" / "model_grad.pyi").is_file()
    sys.path.insert(0, str(in_tmp))
    try:
        from pkg.model_grad import grad_cube_sin
    finally:
        sys.path.remove(str(in_tmp))
        for name in ("pkg", "pkg.model_grad"):
            sys.modules.pop(name, None)
    x = 0.7
    expected = 3 * np.sin(x) ** 2 * np.cos(x)
    assert grad_cube_sin(x) == pytest.approx(expected, rel=1e-14)
    assert grad_cube_sin(x) == pytest.approx(central_differences(lambda t: np.sin(t) ** 3, (x,), [0])[0], rel=1e-7)


def test_grad_extensions_stop_setup_with_one_line_on_a_source_error(in_tmp):
    from srcgrad.setuptools import grad_extensions

    (in_tmp / "bad.py").write_text("def f(x):\n    return x +\n")
    with pytest.raises(SystemExit) as stopped:
        grad_extensions(["bad.py"])
    message = str(stopped.value.code)
    assert message.startswith("bad.py:2:") and ": error: syntax error" in message and "\n" not in message
    with pytest.raises(SystemExit, match=r"^srcgrad: error: .*missing\.py"):
        grad_extensions(["missing.py"])
    (in_tmp / "good.py").write_text(MODEL)
    with pytest.raises(SystemExit, match="^good.py:1:1: error: no top-level function named 'nothing_here'"):
        grad_extensions(["good.py"], only="nothing_here")


def _venv(folder: Path) -> Path:
    # --system-site-packages: numpy, Cython and srcgrad come from this interpreter, nothing is downloaded
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(folder)],
                   check=True, timeout=120)
    return folder / "bin" / "python"


def _pip(python: Path, *args: str, cwd: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), *args, "--no-deps",
                             "--no-index", "--disable-pip-version-check", "-q"],
                            cwd=cwd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


INSTALLED_USE = """\
import json, sys
import numpy as np
import mypkg.model_grad as m
w = np.array([0.3, -1.1, 2.0])
value, (g_w, g_scale) = m.value_and_grad_loss(w, 1.5)
print(json.dumps({"file": m.__file__, "value": value, "g_w": list(g_w), "g_scale": g_scale,
                  "d_cube": m.grad_cube(2.0), "h_cube": m.hessian_cube(2.0)}))
"""


@pytest.mark.packaging
def test_pip_wheel_builds_the_gradients_and_they_run_where_the_wheel_is_installed(tmp_path):
    project = tmp_path / "package"
    shutil.copytree(PACKAGE, project, ignore=shutil.ignore_patterns("build", "dist", "*.egg-info", "model_grad.*"))
    build_python, run_python = _venv(tmp_path / "build-env"), _venv(tmp_path / "run-env")
    # no build isolation: the build environment's srcgrad (this checkout) is the build requirement
    _pip(build_python, "wheel", "--no-build-isolation", "-w", str(tmp_path / "dist"), str(project), cwd=tmp_path)
    (wheel,) = (tmp_path / "dist").glob("mypkg-1.0-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("mypkg/model_grad.") and n.endswith(build.EXT_SUFFIX) for n in names)
    assert {"mypkg/model_grad.pyi", "mypkg/py.typed", "mypkg/model.py"} <= set(names)
    assert not [n for n in names if n.endswith((".c", ".pyx"))]  # sources stay out of the wheel

    _pip(run_python, "install", str(wheel), cwd=tmp_path)
    result = subprocess.run([str(run_python), "-c", INSTALLED_USE], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert Path(found["file"]).is_relative_to(tmp_path / "run-env")

    model = original_module(str(PACKAGE / "mypkg" / "model.py"))
    w = np.array([0.3, -1.1, 2.0])
    expected_w, expected_scale = central_differences(model.loss, (w, 1.5), [0, 1])
    assert found["value"] == pytest.approx(model.loss(w, 1.5), rel=1e-14)
    np.testing.assert_allclose(found["g_w"], expected_w, rtol=1e-7)
    assert found["g_scale"] == pytest.approx(expected_scale, rel=1e-7)
    pure = pure_module(str(PACKAGE / "mypkg" / "model.py"))  # the other engine agrees to rounding
    pure_w, pure_scale = pure.grad_loss(w, 1.5)
    np.testing.assert_allclose(found["g_w"], pure_w, rtol=1e-13)
    assert (found["d_cube"], found["h_cube"]) == pytest.approx((12.0, 12.0), rel=1e-14)


# --------------------------------------------------------------------------- SciPy


def test_rosenbrock_gradients_match_scipys_own(tmp_path):
    optimize = pytest.importorskip("scipy.optimize", reason="SciPy is not installed: pip install -e '.[scipy]'")
    rng = np.random.default_rng(7)
    for module in (compiled_module(str(ROSENBROCK)), pure_module(str(ROSENBROCK))):
        for size in (2, 5, 30):
            x, p = rng.normal(size=size), rng.normal(size=size)
            assert module.rosenbrock(x) == pytest.approx(optimize.rosen(x), rel=1e-13)
            np.testing.assert_allclose(module.grad_rosenbrock(x), optimize.rosen_der(x), rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(module.hvp_rosenbrock(x, p), optimize.rosen_hess_prod(x, p),
                                       rtol=1e-12, atol=1e-10)
            columns = np.array([module.hvp_rosenbrock(x, e) for e in np.eye(size)])
            np.testing.assert_allclose(columns, optimize.rosen_hess(x), rtol=1e-12, atol=1e-10)
    x = rng.normal(size=5)
    (differences,) = central_differences(optimize.rosen, (x,), [0])
    np.testing.assert_allclose(compiled_module(str(ROSENBROCK)).grad_rosenbrock(x), differences, rtol=1e-6)


def _scipy_example():
    pytest.importorskip("scipy.optimize", reason="SciPy is not installed: pip install -e '.[scipy]'")
    spec = importlib.util.spec_from_file_location("scipy_fit", EXAMPLES / "ecosystem" / "scipy_fit.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    return example


def test_scipy_minimize_takes_generated_functions_as_jac_and_hessp():
    example = _scipy_example()
    module = compiled_module(str(ROSENBROCK))
    results = example.minimise_rosenbrock(module)
    assert set(results) == {"BFGS, jac=grad_rosenbrock", "L-BFGS-B, jac=True", "trust-ncg, hessp=hvp_rosenbrock",
                            "Newton-CG, hessp=hvp_rosenbrock"}
    for name, result in results.items():
        assert result.success, (name, result.message)
        np.testing.assert_allclose(result.x, np.ones(5), atol=1e-3, err_msg=name)
        if "hessp" in name:
            assert result.nhev > 0, name  # the Hessian-vector product was used


def test_example_fits_the_logistic_model_with_gradient_and_hessian_products():
    example = _scipy_example()
    module = compiled_module(str(EXAMPLES / "logistic.py"))
    true_w, lbfgs, newton = example.fit_logistic(module)
    assert lbfgs.success and newton.success and newton.nhev > 0
    np.testing.assert_allclose(lbfgs.x, newton.x, rtol=1e-4, atol=1e-5)
    assert lbfgs.x @ true_w / np.linalg.norm(lbfgs.x) / np.linalg.norm(true_w) > 0.99
    # at the optimum, the gradient SciPy saw vanishes; check it against differences of the model
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(50, 5)), np.sign(rng.normal(size=50))
    model = original_module(str(EXAMPLES / "logistic.py"))
    (expected,) = central_differences(lambda w: model.logistic_loss(w, X, y, 1e-3), (newton.x,), [0])
    np.testing.assert_allclose(module.grad_logistic_loss(newton.x, X, y, 1e-3)[0], expected, rtol=1e-6, atol=1e-9)


def test_scipy_example_runs_end_to_end(tmp_path, capsys):
    example = _scipy_example()
    example.main(["-o", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert out.count("cosine to the true weights 0.99") == 2
    assert out.count("Rosenbrock,") == 4
    sys.path.remove(str(tmp_path / "out"))


# --------------------------------------------------------------------------- srcgrad.testing


def test_assert_generated_current_passes_on_fresh_output_and_fails_with_the_diff(tmp_path):
    source = tmp_path / "model.py"
    source.write_text(MODEL)
    outdir = tmp_path / "generated"
    assert build_quietly(str(source), "-o", str(outdir), "--pure") == 0
    srcgrad.testing.assert_generated_current([source], outdir, pure=True)
    srcgrad.testing.assert_generated_current(str(source), str(outdir), pure=True)

    source.write_text(MODEL.replace("** 3", "** 4"))
    with pytest.raises(AssertionError) as stale:
        srcgrad.testing.assert_generated_current([source], outdir, pure=True)
    message = str(stale.value)
    assert message.startswith(f"generated source in {outdir} is stale; regenerate it with "
                              f"`srcgrad build {source} -o {outdir} --pure`")
    assert f"+++ {outdir / 'model_grad.py'} (regenerated from {source})" in message
    assert "+def cube_sin(x: float) -> float: ..." not in message  # the stub did not change
    assert any(line.startswith("+") and "4" in line for line in message.splitlines()[3:])

    source.write_text("def f(x):\n    return (x\n")
    with pytest.raises(AssertionError, match=rf"^{source}:2:\d+: error: syntax error"):
        srcgrad.testing.assert_generated_current([source], outdir)
    with pytest.raises(AssertionError, match="no such file"):
        srcgrad.testing.assert_generated_current([tmp_path / "missing.py"], outdir)


def test_testing_reexports_check_grads():
    assert srcgrad.testing.check_grads is srcgrad.check_grads
