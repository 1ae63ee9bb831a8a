"""Less C per generated module, and less of it optimised, same behaviour (issue 13 part 5).

- hessian_NAME hands hvp_NAME and the primal's arguments to the runtime's dense_hessian instead of
  a closure (a closure is a Python type of its own in the C: a scope struct and its slots). The
  Hessians are checked against the --pure build and central differences of the eager engine's
  gradient, for defaults, a keyword-only parameter, an array parameter and a parameter named v.
"""

from __future__ import annotations

import re
import types

import numpy as np
import pytest

from srcgrad import build
from srcgrad import compile as compiling
from srcgrad.api import _import_extension
from srcgrad.eager import value_and_grad_of
from srcgrad.eager.mathlib import tensor_math
from srcgrad.generate import generate

SOURCE = """\
import math

import numpy as np


def two(x: float, y: float) -> float:
    return x * x * y + math.sin(x * y)


def weighted(w: np.ndarray, a: float, *, scale: int = 2) -> float:
    return scale * np.sum(np.tanh(w) * a) + a * a * np.sum(w * w * w)


def named_v(v: float, w: float = 0.5) -> float:
    return v ** 3 * w + math.exp(v * w)
"""

CASES = [  # name, arguments passed, keywords, every differentiable parameter's value (defaults too)
    ("two", (0.7, -1.3), {}, (0.7, -1.3)),
    ("weighted", (np.array([0.3, -0.8, 1.1]), 0.6), {"scale": 3}, (np.array([0.3, -0.8, 1.1]), 0.6)),
    ("weighted", (np.array([0.2, 0.4]), -0.9), {}, (np.array([0.2, 0.4]), -0.9)),
    ("named_v", (0.4,), {}, (0.4, 0.5)),
    ("named_v", (0.4, 1.2), {}, (0.4, 1.2)),
]


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("levels") / "levels.py")
    generated = generate(SOURCE, path)
    binary, _ = build.compile_cached(generated.text, generated.module_name)
    pure = generate(SOURCE, path, pure=True)
    pure_module = types.ModuleType("levels_grad_pure")
    exec(compile(pure.text, "levels_grad.py", "exec", dont_inherit=True), pure_module.__dict__)
    original = types.ModuleType("levels_original")
    exec(compile(SOURCE, "levels.py", "exec", dont_inherit=True), original.__dict__)
    return generated.text, _import_extension(binary, generated.module_name), pure_module, original


def test_hessian_wrappers_pass_hvp_and_arguments_not_a_closure(modules):
    text = modules[0]
    for name in ("two", "weighted", "named_v"):
        body = text.split(f"def hessian_{name}(", 1)[1].split("\n\n\n", 1)[0]
        assert "lambda" not in body and f"dense_hessian(hvp_{name}, " in body, body
    # the direction keyword is hvp_named_v's own, whatever its name (not v: a parameter has it)
    assert "def hvp_named_v(*args, **keywords):" in text
    assert "def _hvp_named_v_bound(v_, v, w=0.5):" in text  # a Python function: its compiled part types v
    assert "cdef object _named_v_hvp_entry(double v, double w, v_):" in text
    assert "dense_hessian(hvp_named_v, (v, w), {'v': v, 'w': w}, 'v_')" in text


def _eager_hessian(original, name, args, keywords, step=1e-5):
    """Central differences of the eager engine's gradient, in the layout of hessian_NAME."""
    function = tensor_math(getattr(original, name))  # math, NumPy and float rebound as the fallback does

    def flat_gradient(point):
        _, gradient = value_and_grad_of(lambda *a: function(*a, **keywords), point, list(range(len(point))))
        return np.concatenate([np.asarray(g, dtype=float).ravel() for g in gradient])

    sizes = [np.size(a) for a in args]
    columns = []
    for position, arg in enumerate(args):
        for k in range(np.size(arg)):
            up, down = [np.array(a, dtype=float) for a in args], [np.array(a, dtype=float) for a in args]
            up[position].reshape(-1)[k] += step
            down[position].reshape(-1)[k] -= step
            as_args = lambda point: [p if np.ndim(a) else float(p) for p, a in zip(point, args)]
            columns.append((flat_gradient(as_args(up)) - flat_gradient(as_args(down))) / (2 * step))
    return np.array(columns).T, sizes


def _flat(hessian, sizes):
    """hessian_NAME's result (a float, an array, or nested tuples of blocks) as one square matrix."""
    if len(sizes) == 1:
        return np.reshape(np.asarray(hessian, dtype=float), (sizes[0], sizes[0]))
    return np.block([[np.reshape(np.asarray(block, dtype=float), (si, sj)) for block, sj in zip(row, sizes)]
                     for row, si in zip(hessian, sizes)])


@pytest.mark.parametrize("name, args, keywords, every", CASES)
def test_hessians_match_pure_build_and_eager_differences(modules, name, args, keywords, every):
    _, compiled, pure, original = modules
    hessian = getattr(compiled, "hessian_" + name)(*args, **keywords)
    expected, sizes = _eager_hessian(original, name, every, keywords)
    actual = _flat(hessian, sizes)
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(actual, _flat(getattr(pure, "hessian_" + name)(*args, **keywords), sizes),
                               rtol=1e-12, atol=1e-12)


def test_dense_hessian_still_takes_a_bare_direction_function():
    """Modules compiled before (cached) hand dense_hessian a closure of the direction alone."""
    from srcgrad.runtime import arrays

    hessian = arrays.dense_hessian(lambda v: (2.0 * v[0] + v[1], v[0] + 6.0 * v[1]), (1.0, 2.0))
    assert hessian == ((2.0, 1.0), (1.0, 6.0))


@pytest.mark.skipif(not compiling.splits_optimisation(), reason="the C compiler is not GCC: -O3 throughout")
def test_rarely_called_wrappers_and_init_code_are_not_optimised(optimised_builds, tmp_path, monkeypatch):
    """The compiled parts of value_and_vjp_, jvp_ and hvp_ (_NAME_value_and_vjp or _NAME_vjp_entry,
    _NAME_jvp_entry, _NAME_hvp_entry), the functions picking them (_NAME_entries) and the def
    calling those (_srcgrad_entries) compile at -O0, as Cython's run-once code does; f, grad_ and
    value_and_grad_ stay at the file's -O1, the kernels at -O3. The modules built this way compute
    the Hessians above and every entry of tests/emit (jvp, hvp, vjp against --pure and central
    differences)."""
    monkeypatch.delenv("SRCGRAD_SANITIZE", raising=False)
    generated = generate(SOURCE, str(tmp_path / "levels.py"))
    pyx = tmp_path / f"{generated.module_name}.pyx"
    pyx.write_text(generated.text)
    include = compiling.cython_include_dir(build.default_cache_dir() / "include")
    extensions = compiling.cython_to_c(pyx, generated.module_name, False, include, compiling.shared_utility_module())
    assert extensions[0].extra_compile_args[:2] == ["-O1", "-g0"]
    c_text = pyx.with_suffix(".c").read_text()
    assert '#define CYTHON_SMALL_CODE __attribute__((cold, optimize("O0")))' in c_text
    assert c_text.index("#define CYTHON_SMALL_CODE __attribute__((cold, optimize") < c_text.index("#ifndef CYTHON_SMALL_CODE")
    cold = [line for line in c_text.splitlines() if line.startswith("__SRCGRAD_UNOPTIMISED ")]
    marked = {re.search(r"__pyx_(?:f_\w+?_grad_|p[wf]_\w+?_grad_\d+)(\w+?)\(", line)[1] for line in cold}
    expected = {f"_{name}_{part}" for part in ("jvp_entry", "hvp_entry", "entries")
                for name in ("two", "weighted", "named_v")}
    # and value_and_vjp_'s compiled part, _NAME_vjp_entry where grad_ calls the adjoint itself (no
    # tape, no array), _NAME_value_and_vjp where grad_ calls it
    assert marked == expected | {"_srcgrad_entries", "_two_vjp_entry", "_named_v_vjp_entry", "_weighted_value_and_vjp"}
    hot = [line for line in c_text.splitlines() if re.match(r"static PyObject \*__pyx_p[wf]_\w+?_\d+(grad_|value_and_grad_)?"
                                                             r"(two|weighted|named_v)\(", line)]
    assert len(hot) >= 9 and not any(line.startswith("__SRCGRAD") for line in hot)
