"""Batched gradients (`srcgrad build --batch`, issue 14.5): grad_NAME_batched maps grad_NAME over a
leading axis of its arguments inside the compiled code, in threads when asked (threads=, OpenMP).
Its rows equal a Python loop over grad_NAME bit for bit, whatever the number of threads; the
gradients themselves are checked against the --pure build and central differences; wrong shapes
are a ValueError saying which argument and why.

Speed is measured in benchmarks/batch.py, never asserted here.
"""

from __future__ import annotations

import subprocess
import sys
import types

import numpy as np
import pytest

from srcgrad import build
from srcgrad.api import _import_extension
from srcgrad.compile import _uses_prange
from srcgrad.generate import generate
from tests.support import PROGRAMS, assert_close, central_differences, function_source

SOURCE = (PROGRAMS / "threaded_loops.py").read_text() + "\n\n" + function_source(PROGRAMS / "checkpointing.py",
                                                                                 "oscillator") + """


def scaled(x: np.ndarray, *, scale=2.0):
    return scale * x[0] * x[1]


def whole(x: np.ndarray):
    return np.sum(x * x)
"""


@pytest.fixture(scope="module")
def compiled():
    generated = generate(SOURCE, "batch_model.py", batch=True)
    binary, _ = build.compile_cached(generated.text, generated.module_name)
    return generated, _import_extension(binary, generated.module_name)


@pytest.fixture(scope="module")
def pure():
    generated = generate(SOURCE, "batch_model.py", pure=True, batch=True)
    module = types.ModuleType(generated.module_name)
    exec(compile(generated.text, generated.module_name + ".py", "exec", dont_inherit=True), module.__dict__)
    return generated, module


def _rows(rng, rows: int) -> dict:
    """name -> (batched arguments, the arguments of row r)."""
    k, c = rng.uniform(0.5, 2.0, rows), rng.uniform(0.0, 0.3, rows)
    x = rng.uniform(-1.5, 1.5, (rows, 9))
    u, alpha, shared_u = rng.uniform(-1.0, 1.0, (rows, 7)), rng.uniform(0.05, 0.3, rows), rng.uniform(-1, 1, 7)
    return {
        "oscillator": ((k, c, 0.5, -0.1, 0.01, 200), lambda r: (k[r], c[r], 0.5, -0.1, 0.01, 200)),
        "rosen": ((x,), lambda r: (x[r],)),
        "smooth": ((u, alpha, 4), lambda r: (u[r], alpha[r], 4)),
        "smooth with one u0 for every row": ((shared_u, alpha, 4), lambda r: (shared_u, alpha[r], 4)),
    }


def _gradient_rows(gradient, rows: int) -> list:
    """grad_NAME_batched's result as one grad_NAME result per row."""
    if isinstance(gradient, tuple):
        return [tuple(g[r] for g in gradient) for r in range(rows)]
    return [gradient[r] for r in range(rows)]


@pytest.mark.parametrize("threads", [1, 2, 0])
@pytest.mark.parametrize("case", ["oscillator", "rosen", "smooth", "smooth with one u0 for every row"])
def test_batched_rows_equal_a_loop_over_grad_bit_for_bit(compiled, case, threads):
    _, module = compiled
    rows = 13
    batched, row_arguments = _rows(np.random.default_rng(5), rows)[case]
    name = case.split()[0]
    result = getattr(module, f"grad_{name}_batched")(*batched, threads=threads)
    for r, got in enumerate(_gradient_rows(result, rows)):
        expected = getattr(module, f"grad_{name}")(*row_arguments(r))
        assert_close(got, expected, 0.0, 0.0, f"{case} row {r}")


@pytest.mark.parametrize("case", ["oscillator", "rosen", "smooth"])
def test_batched_gradients_against_pure_and_central_differences(compiled, pure, case):
    _, module = compiled
    _, pure_module = pure
    batched, row_arguments = _rows(np.random.default_rng(6), 4)[case]
    result = getattr(module, f"grad_{case}_batched")(*batched, threads=2)
    pure_result = getattr(pure_module, f"grad_{case}_batched")(*batched, threads=2)
    assert_close(result, pure_result, 1e-12, 1e-12, f"{case}: compiled against --pure")
    original = {}
    exec(compile(SOURCE, "batch_model.py", "exec"), original)
    positions = {"oscillator": [0, 1], "rosen": [0], "smooth": [0, 1]}[case]
    for r, got in enumerate(_gradient_rows(result, 4)):
        differences = central_differences(original[case], row_arguments(r), positions)
        if case == "oscillator":  # x0, v0 and dt are the same for every row; their gradients too
            got = got[:2]
        assert_close(got, differences[0] if len(positions) == 1 else differences, 1e-5, 1e-6, f"{case} row {r}")


def test_keyword_only_parameters_and_pure_rows(compiled, pure):
    _, module = compiled
    _, pure_module = pure
    x = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.25]])
    for m in (module, pure_module):  # scale is differentiable too: (gradients of x, of scale)
        assert_close(m.grad_scaled_batched(x, scale=3.0),
                     (np.array([[6.0, 3.0], [-3.0, 9.0], [0.75, 1.5]]), np.array([2.0, -3.0, 0.125])), 0.0, 0.0,
                     "grad_scaled_batched")
        rows = [m.grad_scaled(row) for row in x]
        assert_close(m.grad_scaled_batched(x), (np.array([g[0] for g in rows]), np.array([g[1] for g in rows])),
                     0.0, 0.0, "default scale")
        assert_close(m.grad_scaled_batched(x, scale=np.array([1.0, 2.0, 4.0]))[0], x[:, ::-1] * [[1.0], [2.0], [4.0]],
                     0.0, 0.0, "a batch of scales")


@pytest.mark.parametrize("module_kind", ["compiled", "pure"])
def test_wrong_shapes_are_a_value_error_naming_the_argument(compiled, pure, module_kind):
    _, module = compiled if module_kind == "compiled" else pure
    cases = [
        (lambda: module.grad_smooth_batched(np.ones((3, 5)), np.ones(4), 2),
         "grad_smooth_batched: alpha has 4 rows but u0 has 3"),
        (lambda: module.grad_rosen_batched(np.ones((2, 3, 4))),
         "grad_rosen_batched: x must be a 1-D array or a 2-D batch of them; it has shape (2, 3, 4)"),
        (lambda: module.grad_oscillator_batched(np.ones((2, 2)), 0.1, 0.5, 0.0, 0.01, 3),
         "grad_oscillator_batched: k must be a number or a 1-D array of one per row; it has shape (2, 2)"),
        (lambda: module.grad_rosen_batched(np.ones(4)),
         "grad_rosen_batched: no argument has a batch axis (a leading axis of one value per row); call grad_rosen "
         "for a single point"),
        (lambda: module.grad_rosen_batched(np.ones((2, 4)), threads=-1),
         "grad_rosen_batched: threads must be 0 (every core) or more, not -1"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError) as raised:
            call()
        assert str(raised.value) == message
    with pytest.raises(TypeError, match="threads must be an int"):
        module.grad_rosen_batched(np.ones((2, 4)), threads=1.5)


def test_an_error_in_one_row_raises_it(compiled, pure):
    """pick(x, k) reads x[k]: out of range in every row, the rows' IndexError reaches the caller,
    as grad_pick raises it."""
    _, module = compiled
    x = np.ones((6, 3))
    with pytest.raises(IndexError) as expected:
        module.grad_pick(x[0], 5)
    for threads in (1, 2):
        with pytest.raises(IndexError) as raised:
            module.grad_pick_batched(x, 5, threads=threads)
        assert str(raised.value) == str(expected.value)
    assert_close(module.grad_pick_batched(x * 2.0, 2, threads=2), np.tile([2.0, 0.0, 2.0], (6, 1)), 0.0, 0.0,
                 "grad_pick_batched")


def _line_of(text: str) -> int:
    return SOURCE[:SOURCE.index(text)].count("\n") + 1


def test_only_with_batch_and_only_in_scope(compiled):
    generated, module = compiled
    assert {n for n in dir(module) if n.endswith("_batched")} == {
        "grad_oscillator_batched", "grad_rosen_batched", "grad_smooth_batched", "grad_scaled_batched",
        "grad_pick_batched"}  # whole: NumPy code on whole arrays, which keeps the GIL
    assert [d.format() for d in generated.diagnostics] == [
        f"batch_model.py:{_line_of('def whole(')}:1: warning: whole: no grad_whole_batched (--batch takes compiled functions of numbers and "
        "1-D float arrays that return a number and run without the GIL)"]
    assert "def grad_rosen_batched(x: numpy.typing.NDArray[numpy.float64], *, threads: int = ...)" in generated.stub
    assert "prange(" in generated.text and _uses_prange_text(generated.text)
    plain = generate(SOURCE, "batch_model.py")
    assert "_batched" not in plain.text and "prange" not in plain.text and not _uses_prange_text(plain.text)


def _uses_prange_text(text: str) -> bool:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "module.pyx"
        path.write_text(text)
        return _uses_prange(path)


def test_cli_batch_option(tmp_path):
    source = tmp_path / "model.py"
    source.write_text(SOURCE)
    done = subprocess.run([sys.executable, "-m", "srcgrad", "build", "--batch", "--pure", "-q", str(source), "-o",
                           str(tmp_path / "out")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "out" / "model_grad.py").read_text()
    assert "def grad_rosen_batched(x, *, threads=1):" in text
    assert "def grad_rosen_batched(" in (tmp_path / "out" / "model_grad.pyi").read_text()
