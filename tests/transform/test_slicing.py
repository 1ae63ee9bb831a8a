"""Slices as whole-array values (`x[1:]`, `x[::-1]`, `X[:, j]`, `X[1:, :-1]`): the Cython and the
--pure build's value, gradient, jvp and hvp against the original Python, finite differences and
the eager engine; bounds clip as NumPy clips them, empty slices read nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from every_mode import check_every_mode, compiled_functions
from support import assert_close, central_differences, compiled_module, pure_module
from srcgrad.generate import generate

PATH = str(Path(__file__).resolve().parents[1] / "programs" / "slicing.py")
RNG = np.random.default_rng(12)


def _v(n):
    return RNG.normal(size=n)


CASES = [
    ("rosenbrock", (_v(5),)),
    ("rosenbrock", (_v(2),)),
    ("trid", (_v(4),)),
    ("trid", (_v(1),)),  # x[1:] and x[:-1] of one element are empty
    ("every_other", (_v(6),)),
    ("reversed_weights", (_v(5),)),
    ("window", (_v(6), 1, 4)),
    ("window", (_v(6), -4, -1)),
    ("window", (_v(6), 4, 2)),  # empty
    ("beyond_the_end", (_v(4),)),
    ("empty_slices", (_v(4), 9)),
    ("backwards_steps", (_v(6),)),
    ("backwards_steps", (_v(5),)),
    ("columns", (RNG.normal(size=(4, 3)),)),
    ("row", (RNG.normal(size=(3, 4)), 1)),
    ("row", (RNG.normal(size=(3, 4)), -3)),
    ("powell", (_v(8),)),
    # the same array indexed element by element and sliced
    ("levy", (_v(4),)),
    ("levy", (_v(1),)),
    ("dixon_price", (_v(5),)),
    ("cigar", (_v(3),)),
    ("constant_columns", (_v(3),)),  # slices of module constants
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CASES)]


def _direction(args):
    return tuple(RNG.normal(size=np.shape(a)) for a in args if isinstance(a, (float, np.ndarray)))


@pytest.mark.parametrize("name,args", CASES, ids=IDS)
@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_every_mode(build, name, args):
    check_every_mode(build, PATH, name, args, _direction(args))


@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_an_array_output_built_from_slices(build):
    x, dout = _v(5), _v(4)
    module = build(PATH)
    np.testing.assert_allclose(module.array_output(x), x[1:] * x[:-1], rtol=1e-15)
    expected = central_differences(lambda y: float(np.sum(dout * (y[1:] * y[:-1]))), (x,), [0])[0]
    assert_close(module.vjp_array_output(x, dout), expected, 1e-7, 1e-8, "vjp_array_output")
    tangent = _v(5)
    assert_close(module.jvp_array_output(x, tangent), tangent[1:] * x[:-1] + x[1:] * tangent[:-1], 1e-12, 1e-12,
                 "jvp_array_output")


def test_every_function_compiles():
    names = {name for name, _ in CASES} | {"array_output"}
    assert names <= compiled_functions(PATH)


def test_slices_print_as_written_and_adjoints_place_into_the_slice():
    text = generate(Path(PATH).read_text(), PATH, pure=True).text
    for written in ("x[1:]", "x[:-1]", "x[::2]", "x[1::2]", "x[::-1]", "X[:, 0]", "X[1:, :-1]", "X[i, :]",
                    "X[-1, ::-1]", "x[a:b]", "C[:, 0]", "B[1:]"):
        assert written in text, written
    assert "_vector.getitem_adjoint(" in text and "np.s_[1:]" in text


ASSIGNED = [("shifted_product", (_v(5),)), ("added_window", (_v(6), 1, 4)), ("added_window", (_v(6), 2, 6)),
            ("heat_stencil", (_v(6), 0.2, 4))]


@pytest.mark.parametrize("name,args", ASSIGNED, ids=[f"{n}-{i}" for i, (n, _) in enumerate(ASSIGNED)])
@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_slice_assignment_compiles_and_is_right(build, name, args):
    # written element by element (transform.scalarize); tests/transform/test_slices_and_loops.py has more
    check_every_mode(build, PATH, name, args, _direction(args))
