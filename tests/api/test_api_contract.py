"""The in-process API against the contract: higher orders where the compiled module stops,
builtins and ufuncs, where FallbackWarning points, functions that have no gradient, dense
Hessians, vjp; and the command line's messages for bad input. Values are checked against
central finite differences and against the other engine (compiled against eager)."""

from __future__ import annotations

import importlib.util
import inspect
import math
import os
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

import srcgrad
from srcgrad import api

SOURCE = textwrap.dedent('''
    import math
    import numpy as np


    def array_and_count(x: np.ndarray, n: int):
        return np.sum(np.sin(x) * x) * n


    def array_and_float(x: np.ndarray, a: float):
        return np.sum(x * x * x) * a + a * a * np.sum(np.sin(x))


    def quartic(x):
        return 0.5 * x ** 4 + math.sin(x)


    def two_floats(x, y):
        return x * x * y + math.exp(y)


    def no_return(x):
        y = x * 2.0


    def counts_only(n: int, flag: bool):
        return n * 2


    def pair(x):
        return x, x * x


    def uses_a_list(x):
        values = [x * i for i in range(3)]
        return sum(values) * x
''')


@pytest.fixture(scope="module")
def functions(tmp_path_factory):
    # a fixed file name and text: the build cache (by content) serves every later run
    path = tmp_path_factory.mktemp("contract") / "api_contract_functions.py"
    path.write_text(SOURCE)
    spec = importlib.util.spec_from_file_location("api_contract_functions", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def differences(f, x, step=1e-5):
    """Central differences of f (float or array valued) in x (a float or an array): the
    Jacobian, shaped f(x).shape + x.shape."""
    x = np.asarray(x, dtype=float)
    columns = []
    for index in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[index] += step
        down[index] -= step
        columns.append((np.asarray(f(up if x.shape else float(up)), dtype=float)
                        - np.asarray(f(down if x.shape else float(down)), dtype=float)) / (2 * step))
    stacked = np.stack(columns, axis=-1)
    return stacked.reshape(stacked.shape[:-1] + x.shape)


def eager_grad(f, position=0):
    """The eager engine's gradient, nestable: d/d(argument `position`) of f's sum."""
    return lambda *args: srcgrad.gradients_function(f)(*args)[position]


X = np.array([0.3, -0.7, 1.1])


def no_fallback():
    """A block in which an eager fallback is an error: what it computes must be compiled."""
    manager = warnings.catch_warnings()
    manager.__enter__()
    warnings.simplefilter("error", srcgrad.FallbackWarning)
    return manager


# --------------------------------------------------------------------------- higher orders (issue 16.3)


def test_third_grad_of_an_array_function_falls_back_where_the_module_has_no_third_derivative(functions):
    f = functions.array_and_count
    manager = no_fallback()
    try:
        first = srcgrad.grad(f)
        second = srcgrad.grad(first)  # compiled: the hvp with ones
        got_second = second(X, 2)
    finally:
        manager.__exit__(None, None, None)
    with pytest.warns(srcgrad.FallbackWarning, match="no compiled third derivative of array_and_count.*order 3 uses "
                                                     "the eager tape"):
        third = srcgrad.grad(second)
    got_third = third(X, 2)
    # grad(grad(f)) is the gradient of the sum of the gradient's elements, as TensorFlow sums
    exact_second = 2 * (2 * np.cos(X) - X * np.sin(X))
    exact_third = 2 * (-3 * np.sin(X) - X * np.cos(X))
    np.testing.assert_allclose(got_second, exact_second, rtol=1e-12)
    np.testing.assert_allclose(got_second, differences(lambda x: np.sum(first(x, 2)), X), rtol=1e-7)
    np.testing.assert_allclose(got_third, differences(lambda x: np.sum(second(x, 2)), X), rtol=1e-6)
    np.testing.assert_allclose(got_third, exact_third, rtol=1e-12)
    tape_f = lambda x: np.sum(np.sin(x) * x) * 2  # noqa: E731  (the same function, on Tensors)
    eager_third = eager_grad(eager_grad(eager_grad(tape_f)))(srcgrad.constant(X)).numpy()
    np.testing.assert_allclose(got_third, eager_third, rtol=1e-12)
    value, derivative = srcgrad.value_and_grad(second)(X, 2)
    np.testing.assert_allclose(value, got_second) and np.testing.assert_allclose(derivative, got_third)


def test_nested_grad_along_one_of_two_parameters_is_compiled_at_order_2_and_eager_at_order_3(functions):
    f = functions.array_and_float
    a = 1.5
    first = srcgrad.grad(f, wrt=0)
    manager = no_fallback()
    try:
        second = srcgrad.grad(first, wrt=0)
        both = srcgrad.grad(first)  # every parameter: d/dx and d/da of the sum of df/dx
        got, got_both = second(X, a), both(X, a)
    finally:
        manager.__exit__(None, None, None)
    np.testing.assert_allclose(got, differences(lambda x: np.sum(first(x, a)), X), rtol=1e-7)
    np.testing.assert_allclose(got, 6 * X * a - a * a * np.sin(X), rtol=1e-12)
    np.testing.assert_allclose(got_both[0], got, rtol=1e-12)
    assert got_both[1] == pytest.approx(float(differences(lambda s: np.sum(first(X, s)), a)), rel=1e-7)
    with pytest.warns(srcgrad.FallbackWarning, match="order 3 uses the eager tape"):
        third = srcgrad.grad(second, wrt=0)
    np.testing.assert_allclose(third(X, a), differences(lambda x: np.sum(second(x, a)), X), rtol=1e-6)
    np.testing.assert_allclose(third(X, a), 6 * a - a * a * np.cos(X), rtol=1e-12)


def test_one_float_parameter_is_compiled_to_third_order_and_eager_beyond(functions):
    f = functions.quartic
    manager = no_fallback()
    try:
        third = srcgrad.grad(srcgrad.grad(srcgrad.grad(f)))
        got = third(0.8)
    finally:
        manager.__exit__(None, None, None)
    assert got == pytest.approx(12 * 0.8 - math.cos(0.8), rel=1e-12)
    with pytest.warns(srcgrad.FallbackWarning, match="compiled up to order 3; order 4 uses the eager tape"):
        fourth = srcgrad.grad(third)
    assert fourth(0.8) == pytest.approx(12 + math.sin(0.8), rel=1e-12)
    assert fourth(0.8) == pytest.approx(float(differences(third, 0.8)), rel=1e-7)


def test_grad_of_a_gradient_that_is_a_tuple_says_to_pick_a_parameter(functions):
    with pytest.raises(TypeError, match=r"grad\(api_contract_functions.two_floats\) returns a tuple.*wrt="):
        srcgrad.grad(srcgrad.grad(functions.two_floats))
    with pytest.raises(TypeError, match=r"value_and_grad\(api_contract_functions.quartic\) returns a tuple"):
        srcgrad.grad(srcgrad.value_and_grad(functions.quartic))
    second = srcgrad.grad(srcgrad.grad(functions.two_floats, wrt=1), wrt=1)
    assert second(0.4, 0.9) == pytest.approx(math.exp(0.9), rel=1e-12)
    assert second(0.4, 0.9) == pytest.approx(float(differences(lambda y: srcgrad.grad(functions.two_floats)(0.4, y)[1],
                                                               0.9)), rel=1e-7)


# --------------------------------------------------------------------------- builtins, ufuncs, lambdas (10.12)


@pytest.mark.parametrize("f, x, expected", [
    (np.sin, 1.0, math.cos(1.0)),
    (math.exp, 0.5, math.exp(0.5)),
    (np.tanh, 0.3, 1 - math.tanh(0.3) ** 2),
    (math.log, 2.0, 0.5),
    (abs, -2.0, -1.0),
    (math.sqrt, 4.0, 0.25),
    (np.exp, X, np.exp(X)),
])
def test_builtins_and_ufuncs_differentiate_on_the_eager_tape(f, x, expected):
    with pytest.warns(srcgrad.FallbackWarning, match="not a Python function"):
        gradient = srcgrad.grad(f)
    np.testing.assert_allclose(gradient(x), expected, rtol=1e-12)
    np.testing.assert_allclose(gradient(x), differences(lambda t: np.sum(f(t)), x), rtol=1e-7)
    with pytest.warns(srcgrad.FallbackWarning):
        value, same = srcgrad.value_and_grad(f)(x)
    np.testing.assert_allclose(value, f(x)) and np.testing.assert_allclose(same, expected, rtol=1e-12)


def test_names_of_builtins_in_the_warning_are_as_a_user_writes_them():
    with pytest.warns(srcgrad.FallbackWarning, match=r"^numpy\.sin: not a Python function \(a NumPy ufunc\)"):
        srcgrad.grad(np.sin)
    with pytest.warns(srcgrad.FallbackWarning, match=r"^abs: not a Python function \(a built-in\)"):
        srcgrad.grad(abs)


namespace: dict = {}
exec("def typed_at_the_prompt(x, y=2.0):\n    return x * x * y\n", namespace)


def test_lambdas_and_functions_without_source_fall_back_with_the_reason(functions):
    with pytest.warns(srcgrad.FallbackWarning, match="a lambda has no name"):
        gradient = srcgrad.grad(lambda x, y: x * math.sin(y))
    assert gradient(2.0, 0.5) == pytest.approx((math.sin(0.5), 2.0 * math.cos(0.5)), rel=1e-12)
    with pytest.warns(srcgrad.FallbackWarning, match="its source file is not available"):
        gradient = srcgrad.grad(namespace["typed_at_the_prompt"])
    # a default takes part as in the primal: its gradient is there too
    assert gradient(1.5) == pytest.approx((6.0, 2.25), rel=1e-12)
    assert gradient(1.5, y=3.0) == pytest.approx((9.0, 2.25), rel=1e-12)


# --------------------------------------------------------------------------- where FallbackWarning points (10.13)


def warned_at(make):
    """(filename, lineno) of each FallbackWarning raised by make()."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        make()
    found = [(w.filename, w.lineno) for w in caught if issubclass(w.category, srcgrad.FallbackWarning)]
    assert found, "no FallbackWarning"
    return found


def test_fallback_warning_points_at_the_callers_line(functions):
    here = os.path.abspath(__file__)
    line = inspect.currentframe().f_lineno
    cases = [
        (line + 2, lambda: srcgrad.grad(lambda x: x * x)),
        (line + 3, lambda: srcgrad.grad(np.sin)),
        (line + 4, lambda: srcgrad.value_and_grad(functions.uses_a_list)),
        (line + 5, lambda: srcgrad.hessian(lambda x: x ** 3)),
        (line + 6, lambda: srcgrad.hvp(functions.uses_a_list)),
        (line + 7, lambda: srcgrad.grad(srcgrad.grad(functions.uses_a_list))),
        (line + 8, lambda: srcgrad.grad(srcgrad.grad(srcgrad.grad(functions.array_and_count)))),
    ]
    for expected_line, make in cases:
        for filename, lineno in warned_at(make):
            assert (os.path.abspath(filename), lineno) == (here, expected_line)


def test_fallback_warning_from_a_helper_module_points_at_that_module(tmp_path, functions):
    helper = tmp_path / "user_helper.py"
    helper.write_text("import srcgrad\n\n\ndef make(f):\n    return srcgrad.grad(f)\n")
    spec = importlib.util.spec_from_file_location("user_helper", helper)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert warned_at(lambda: module.make(lambda x: x)) == [(str(helper), 5)]


# --------------------------------------------------------------------------- functions without a gradient (10.11)


def test_no_return_value_is_a_type_error_saying_why(functions):
    with pytest.warns(srcgrad.FallbackWarning):
        gradient = srcgrad.grad(functions.no_return)
    with pytest.raises(TypeError, match="no_return returned None: a function with no return value has no gradient"):
        gradient(1.0)
    with pytest.raises(TypeError, match="no return value"):
        srcgrad.grad(lambda x: None)(1.0)


def test_no_differentiable_parameter_is_a_type_error_naming_why(functions):
    gradient = srcgrad.grad(functions.counts_only)
    with pytest.raises(TypeError, match="counts_only has no differentiable parameter .*annotated int or bool"):
        gradient(3, True)
    with pytest.raises(TypeError, match="counts_only has no differentiable parameter"):
        srcgrad.value_and_grad(functions.counts_only)(3, True)
    with pytest.raises(TypeError, match="takes no parameters"):
        srcgrad.grad(lambda: 1.0)()


def test_a_tuple_output_is_a_type_error_naming_the_tuple_in_every_engine(functions):
    with pytest.warns(srcgrad.FallbackWarning):
        gradient = srcgrad.grad(functions.pair)
    with pytest.raises(TypeError, match="pair returns a tuple"):
        gradient(1.0)
    with pytest.raises(TypeError, match="returns a tuple"):
        srcgrad.value_and_grad(functions.pair)(1.0)
    with pytest.raises(TypeError, match="returns a tuple"):
        srcgrad.grad(lambda x: (x, x))(1.0)


# --------------------------------------------------------------------------- dense Hessians (10.10)


def test_hessian_of_one_array_parameter_is_dense_like_jax(functions):
    f = functions.array_and_count
    manager = no_fallback()
    try:
        hessian = srcgrad.hessian(f)(X, 3)
    finally:
        manager.__exit__(None, None, None)
    assert hessian.shape == X.shape + X.shape
    np.testing.assert_allclose(hessian, np.diag(3 * (2 * np.cos(X) - X * np.sin(X))), atol=1e-12)
    np.testing.assert_allclose(hessian, differences(lambda x: srcgrad.grad(f)(x, 3), X), rtol=1e-7, atol=1e-8)
    def nested(x, n: int):  # the same function, nested: eager, and n annotated int is not differentiated
        return np.sum(np.sin(x) * x) * n

    with pytest.warns(srcgrad.FallbackWarning, match="not nested functions"):
        eager = srcgrad.hessian(nested)(X, 3)
    np.testing.assert_allclose(eager, hessian, rtol=1e-12, atol=1e-14)


def test_hessian_of_an_array_and_a_float_is_nested_blocks(functions):
    f = functions.array_and_float
    a = 0.7
    blocks = srcgrad.hessian(f)(X, a)
    assert len(blocks) == 2 and all(len(row) == 2 for row in blocks)
    assert blocks[0][0].shape == (3, 3) and blocks[0][1].shape == (3,) and blocks[1][0].shape == (3,)
    assert isinstance(blocks[1][1], float)
    gradient = srcgrad.grad(f)
    np.testing.assert_allclose(blocks[0][0], differences(lambda x: gradient(x, a)[0], X), rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(blocks[0][1], differences(lambda s: gradient(X, s)[0], a), rtol=1e-7)
    np.testing.assert_allclose(blocks[1][0], differences(lambda x: gradient(x, a)[1], X), rtol=1e-7)
    assert blocks[1][1] == pytest.approx(float(differences(lambda s: gradient(X, s)[1], a)), rel=1e-7)
    with pytest.warns(srcgrad.FallbackWarning):
        eager = srcgrad.hessian(lambda x, s: np.sum(x * x * x) * s + s * s * np.sum(np.sin(x)))(X, a)
    for i in range(2):
        for j in range(2):
            np.testing.assert_allclose(eager[i][j], blocks[i][j], rtol=1e-12, atol=1e-14)


def test_hessian_of_floats_is_a_float_or_tuples_of_floats(functions):
    assert srcgrad.hessian(functions.quartic)(0.8) == pytest.approx(6 * 0.64 - math.sin(0.8), rel=1e-12)
    blocks = srcgrad.hessian(functions.two_floats)(0.4, 0.9)
    expected = ((2 * 0.9, 2 * 0.4), (2 * 0.4, math.exp(0.9)))
    assert blocks == (pytest.approx(expected[0], rel=1e-12), pytest.approx(expected[1], rel=1e-12))


# --------------------------------------------------------------------------- vjp, jvp, hvp in process


def test_vjp_jvp_hvp_compiled_and_eager_agree(functions):
    f = functions.array_and_float
    a, v = 1.2, np.array([0.5, -1.0, 2.0])
    compiled_grad = srcgrad.grad(f)(X, a)
    assert srcgrad.vjp(f)(X, a, 2.0)[1] == pytest.approx(2.0 * compiled_grad[1], rel=1e-12)
    tape_f = lambda x, s: np.sum(x * x * x) * s + s * s * np.sum(np.sin(x))  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", srcgrad.FallbackWarning)
        eager_vjp = srcgrad.vjp(tape_f)(X, a, 2.0)
        eager_jvp = srcgrad.jvp(tape_f)(X, a, (v, 0.5))
        eager_hvp = srcgrad.hvp(tape_f)(X, a, (v, 0.5))
    np.testing.assert_allclose(eager_vjp[0], 2.0 * compiled_grad[0], rtol=1e-12)
    numeric = float(differences(lambda t: f(X + t * v, a + 0.5 * t), 0.0))
    assert float(srcgrad.jvp(f)(X, a, (v, 0.5))) == pytest.approx(numeric, rel=1e-7)
    assert eager_jvp == pytest.approx(float(srcgrad.jvp(f)(X, a, (v, 0.5))), rel=1e-12)
    compiled_hvp = srcgrad.hvp(f)(X, a, (v, 0.5))
    for got, expected in zip(eager_hvp, compiled_hvp):
        np.testing.assert_allclose(got, expected, rtol=1e-12)


# --------------------------------------------------------------------------- command-line messages (10.14)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SRCGRAD_CACHE_DIR", str(tmp_path / "cache"))
    Path("one.py").write_text("def f(x):\n    return x * x\n")
    return tmp_path


def run(argv, capsys):
    from srcgrad.cli import main

    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("setup, argv, message", [
    (lambda: Path("models").mkdir(), ["build", "models"], "srcgrad: error: models is a directory"),
    (lambda: Path("pkg.py").mkdir(), ["build", "pkg.py"], "srcgrad: error: pkg.py is a directory"),
    (lambda: Path("pkg.py").mkdir(), ["show", "pkg.py:f"], "srcgrad: error: pkg.py is a directory"),
    (lambda: None, ["build", "missing.py"], "srcgrad: error: missing.py: no such file"),
    (lambda: os.symlink("gone.py", "link.py"), ["build", "link.py"],
     "srcgrad: error: link.py: no such file (a broken symbolic link)"),
    (lambda: Path("model.txt").write_text("def f(x):\n    return x\n"), ["build", "model.txt"],
     "srcgrad: error: model.txt: not a .py file"),
    (lambda: None, ["build", "one.py", "./one.py"], "srcgrad: error: ./one.py is given twice"),
    (lambda: Path("afile").write_text(""), ["build", "one.py", "--pure", "-o", "afile"],
     "srcgrad: error: cannot create output folder afile: a file of that name is in the way"),
    (lambda: Path("empty.py").write_text(""), ["show", "empty.py:f"],
     "srcgrad: error: empty.py has no top-level function f; it has no public top-level functions"),
])
def test_bad_input_is_one_clear_line_and_exit_2(folder, capsys, setup, argv, message):
    setup()
    code, out, err = run(argv, capsys)
    assert (code, out, err) == (2, "", message + ("\n" if not message.endswith("directory") else
                                                  "; give the .py files in it\n"))


def test_an_unreadable_file_is_one_line(folder, capsys, monkeypatch):
    from srcgrad import cli

    Path("secret.py").write_text("def f(x):\n    return x\n")

    def refused(path):  # what open() raises without read permission (root would read it anyway)
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(cli.tokenize, "open", refused)
    code, out, err = run(["build", "secret.py", "--pure"], capsys)
    assert (code, out, err) == (2, "", "srcgrad: error: cannot read secret.py: Permission denied\n")


@pytest.mark.parametrize("text", ["", "import numpy as np\nimport math\n", "def _helper(x):\n    return x\n"])
def test_a_file_without_public_functions_builds_an_empty_module_and_says_so(folder, capsys, text):
    Path("bare.py").write_text(text)
    code, out, err = run(["build", "bare.py", "--pure"], capsys)
    assert code == 0 and (folder / "generated" / "bare_grad.py").is_file()
    assert out.splitlines()[0].startswith("srcgrad: built 1 of 1 file into generated/ in ")
    assert out.splitlines()[1:] == ["  generated/bare_grad.py", "    (no public top-level functions: the module is empty)"]


def test_counts_in_the_summary_are_singular_for_one(folder, capsys, monkeypatch):
    from srcgrad import cli

    Path("two.py").write_text("def g(x):\n    return x\n\n\ndef h(x):\n    return 2.0 * x\n")
    code, out, _ = run(["build", "one.py", "two.py", "--pure"], capsys)
    assert code == 0 and out.startswith("srcgrad: built 2 of 2 files into generated/ in ")
    monkeypatch.setattr(cli, "SUMMARY_MAX_LINES", 2)  # the short form: one line per file with its count
    code, out, _ = run(["build", "one.py", "two.py", "--pure"], capsys)
    assert out.splitlines()[1:] == ["  generated/one_grad.py: 1 function", "  generated/two_grad.py: 2 functions"]
    assert [cli.plural(n, "file") for n in (0, 1, 2)] == ["0 files", "1 file", "2 files"]


# --------------------------------------------------------------------------- the generated module agrees (10.10, 10.11)


def generated_module(f):
    """The compiled FILE_grad module srcgrad.grad loaded for f."""
    return api._compiled_module(api._generated_module(api._locate(f)))


def test_the_generated_module_refuses_what_srcgrad_grad_refuses(functions):
    module = generated_module(functions.pair)
    for name, args, message in [("pair", (1.0,), "pair returns a tuple"),
                                ("no_return", (1.0,), "no_return returned None"),
                                ("counts_only", (3, True), "counts_only has no differentiable parameter")]:
        with pytest.raises(TypeError, match=message):
            getattr(module, f"grad_{name}")(*args)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", srcgrad.FallbackWarning)
            with pytest.raises(TypeError, match=message):
                srcgrad.grad(getattr(functions, name))(*args)


def test_the_generated_hessian_is_the_in_process_hessian(functions):
    module = generated_module(functions.array_and_float)
    generated = module.hessian_array_and_float(X, 0.7)
    in_process = srcgrad.hessian(functions.array_and_float)(X, 0.7)
    for i in range(2):
        for j in range(2):
            assert np.shape(generated[i][j]) == np.shape(in_process[i][j])
            np.testing.assert_allclose(generated[i][j], in_process[i][j], rtol=1e-12, atol=1e-14)
    generated = module.hessian_array_and_count(X, 3)
    np.testing.assert_allclose(generated, srcgrad.hessian(functions.array_and_count)(X, 3), rtol=1e-12, atol=1e-14)
