"""How whole-array adjoints add up (transform/accumulate.py, uniform_adjoints.py, release.py).

A slice read's adjoint is added into the adjoint of the array it came from (b_x[1:] += g,
transform/accumulate.py), not a new array of zeros per read: every way of differentiating
agrees with the original, central differences and the eager engine, compiled and --pure, where
the first contribution is a slice, where a whole-array contribution comes first, for slices of a
local, slices summed as they are (a read-only cotangent), rows, columns and elements, slices in a
loop and an array output; the helper itself adds into its array only where it may. A number
times np.sum's cotangent stays one number spread (the same bits as NumPy's operation), also where
broadcasting then reduces it; the adjoint lets go of its arrays after their last read; a
gradient that is a spread number comes back as an array of its own; an array read by element
and whole is seen whole without a copy where nothing writes it (transform/whole_views.py)."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import build, cases, check_every_mode  # noqa: F401  (build: a fixture)
from support import PROGRAMS, assert_close, generated_module, original_module
from srcgrad.rules import in_place
from srcgrad.rules.arrays import getitem_adjoint, sum_adjoint

PATH = str(PROGRAMS / "slice_adjoints.py")
RNG = np.random.default_rng(12)


def normal(*shape):
    return RNG.normal(size=shape) * 0.6


POINTS = {
    "first_contribution_is_a_slice": [(normal(6),), (normal(2),), (normal(1),)],
    "whole_before_the_slices": [(normal(5),), (normal(1),)],
    "only_slices_of_a_local": [(normal(7),), (normal(3),), (normal(2),)],
    "a_slice_summed_as_it_is": [(normal(4),), (normal(1),)],
    "rows_columns_and_elements": [(normal(3, 4),), (normal(1, 1),), (normal(2, 1),)],
    "slices_in_a_loop": [(normal(5), 3), (normal(4), 0), (normal(2), 1)],
    "constants_times_the_sum": [(normal(6),), (normal(1),), (normal(300),)],
    "spread_then_reduced": [(normal(3, 4), normal(4)), (normal(3, 4), normal(1)), (normal(2, 1), normal(3)),
                            (normal(20, 15), normal(15))],
    "linear": [(normal(4),)],
    "elements_and_whole": [(normal(5),), (normal(1),)],
    "written_after_read_whole": [(normal(4),), (normal(1),)],
}
CASES, IDS = cases(POINTS)


@pytest.fixture(params=["as written", "spread"])
def spread_from(request, monkeypatch):
    """Every case twice: with the runtime's size from which a number times a spread cotangent
    stays spread, and with it at 2 elements, so these small arrays take that path too."""
    if request.param == "spread":
        monkeypatch.setattr(in_place, "_SPREAD_SIZE", 2)


@pytest.mark.parametrize("name,k", CASES, ids=IDS)
def test_every_mode_agrees(build, name, k, spread_from):  # noqa: F811
    args = POINTS[name][k]
    direction = tuple(normal(*np.shape(a)) for a in args if isinstance(a, np.ndarray))
    check_every_mode(build, PATH, name, args, direction)


def test_the_adjoints_add_into_the_sliced_arrays():
    text = generated_module(PATH).text
    adjoint = text[text.index("_first_contribution_is_a_slice_adjoint"):]
    adjoint = adjoint[:adjoint.index("\n    return ")]
    assert adjoint.count("b_x = _vector.getitem_adjoint_into(b_x, ") == 2
    assert "getitem_adjoint(" not in adjoint
    first = adjoint.index("getitem_adjoint_into")
    assert "b_x +=" not in adjoint[:first] and "b_x +=" in adjoint[first:]  # the slices come first


@pytest.mark.parametrize("build", ["compiled", "pure"], indirect=True)
def test_an_array_output_and_its_cotangent(build):  # noqa: F811
    module, original = build(PATH), original_module(PATH).slices_of_an_output
    x, dout = normal(5), normal(4)
    kept = dout.copy()
    value, gradient = module.value_and_vjp_slices_of_an_output(x, dout)
    assert_close(value, original(x), 1e-15, 0.0, "value")
    expected = np.zeros(5)
    expected[1:] += dout * x[:-1]
    expected[:-1] += dout * x[1:] - 2.0 * dout * x[:-1]
    assert_close(gradient, expected, 1e-14, 1e-15, "vjp against the hand adjoint")
    np.testing.assert_array_equal(dout, kept)


def test_the_helper_adds_in_place_only_where_it_may():
    x, g = normal(5), normal(4)
    first = in_place.getitem_adjoint_into(0.0, g, x, np.s_[1:])
    np.testing.assert_array_equal(first, getitem_adjoint(g, x, np.s_[1:]))
    total = normal(5)
    expected = total + getitem_adjoint(g, x, np.s_[:-1])
    same = in_place.getitem_adjoint_into(total, g, x, np.s_[:-1])
    assert same is total
    np.testing.assert_array_equal(same, expected)
    # a read-only total (a broadcast view), one of another shape, and g inside total: a new array
    view = np.broadcast_to(0.5, (5,))
    grown = in_place.getitem_adjoint_into(view, g, x, np.s_[1:])
    assert grown is not view and view[1] == 0.5
    np.testing.assert_array_equal(grown, 0.5 + getitem_adjoint(g, x, np.s_[1:]))
    row = normal(1, 5)
    np.testing.assert_array_equal(in_place.getitem_adjoint_into(row, g, x, np.s_[1:]),
                                  row + getitem_adjoint(g, x, np.s_[1:]))
    total = normal(5)
    expected = total + getitem_adjoint(total[:4], x, np.s_[1:])
    np.testing.assert_array_equal(in_place.getitem_adjoint_into(total, total[:4], x, np.s_[1:]), expected)
    total = normal(5)
    expected = total + getitem_adjoint(total[1:][::-1], x, np.s_[:-1])  # a view of a view of total
    np.testing.assert_array_equal(in_place.getitem_adjoint_into(total, total[1:][::-1], x, np.s_[:-1]), expected)


@pytest.mark.parametrize("build", ["compiled", "pure"], indirect=True)
def test_a_gradient_of_one_number_everywhere_is_an_array_of_its_own(build):  # noqa: F811
    gradient = build(PATH).grad_linear(normal(3))
    np.testing.assert_array_equal(gradient, np.full(3, 2.0))
    assert gradient.flags.writeable and gradient.flags.owndata


def test_the_adjoint_scales_one_number_and_lets_go_of_its_arrays():
    text = generated_module(PATH).text
    adjoint = text[text.index("_constants_times_the_sum_adjoint"):]
    adjoint = adjoint[:adjoint.index("\n    return ")]
    assert "_vector.multiply_uniform(16.0, " in adjoint and "_vector.negative_uniform(" in adjoint
    assert "    power2 = None\n" in adjoint
    # the forward sweep's total, read again only for its shape, lets its memory go before the reverse sweep
    placeholder = adjoint.index("    total = _vector.shape_placeholder(total)")
    assert adjoint.index("# reverse sweep") > placeholder > adjoint.index("np.sum(total)")


def test_a_shape_placeholder_keeps_the_shape_alone():
    values = normal(64, 80)
    placeholder = in_place.shape_placeholder(values)
    assert placeholder.shape == (64, 80) and not any(placeholder.strides) and not placeholder.flags.writeable
    assert placeholder.base is not values and placeholder[2, 3] == 0.0
    small = normal(3, 4)  # below the size from which memory matters: the array itself
    assert in_place.shape_placeholder(small) is small and in_place.shape_placeholder(0.5) == 0.5


def test_the_uniform_helpers_compute_one_number_with_numpy_bits():
    spread = sum_adjoint(0.1, np.zeros((64, 80)), None)
    for name, operation in in_place.UNIFORM.items():
        helper = in_place.HELPERS[in_place.uniform(name)]
        for left, right in ((3.7, spread), (spread, 3.7), (-2, spread), (spread, 0.0)):
            with np.errstate(divide="ignore"):
                got = helper(left, right)
                expected = getattr(np, name)(np.asarray(left, dtype=float), np.asarray(right, dtype=float))
            assert not got.flags.writeable and got.shape == (64, 80) and not any(got.strides)
            np.testing.assert_array_equal(got.view(np.int64), expected.view(np.int64))
    got = in_place.HELPERS[in_place.uniform("negative")](spread)
    assert not any(got.strides) and got[1, 2] == -0.1
    # anything else is the operation as written: a writeable array, a small or empty spread, two arrays
    values = normal(64, 80)
    np.testing.assert_array_equal(in_place.HELPERS["multiply_uniform"](2.0, values), 2.0 * values)
    assert in_place.HELPERS["multiply_uniform"](2.0, values).flags.writeable
    small = sum_adjoint(0.1, np.zeros(3), None)
    np.testing.assert_array_equal(in_place.HELPERS["subtract_uniform"](small, 1.5), small - 1.5)
    empty = sum_adjoint(0.1, np.zeros((0, 3)), None)
    assert in_place.HELPERS["true_divide_uniform"](empty, 2.0).shape == (0, 3)
    np.testing.assert_array_equal(in_place.HELPERS["add_uniform"](spread, values), spread + values)


def test_an_array_never_written_is_seen_whole_without_a_copy():
    text = generated_module(PATH).text
    unwritten = text[text.index("_elements_and_whole_adjoint"):]
    assert "_vector.whole_view(x)" in unwritten[:unwritten.index("\n    return ")]
    written = text[text.index("_written_after_read_whole_adjoint"):]
    written = written[:written.index("\n    return ")]
    assert "_vector.as_whole(y)" in written and "whole_view(y)" not in written and "whole_view(x)" in written
