"""Elementwise array steps written into temporaries nothing reads again (transform/in_place.py,
rules/in_place.py): the generated code reuses memory where it may and nowhere else, and every
way of differentiating agrees with central differences and the eager engine, compiled and
--pure, at shapes that broadcast (b1 of (h,), (1, h) and a number), 1x1, where broadcasting
grows a temporary (no room in it), and where a copy, a view or a parameter is read after."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import check_every_mode
from support import PROGRAMS, assert_close, compiled_module, generated_module, original_module, pure_module
from srcgrad.eager.fallback import eager_value_and_gradient
from srcgrad.rules import in_place
from srcgrad.rules.arrays import matmul_adjoint_left

PATH = str(PROGRAMS / "in_place_arrays.py")
RNG = np.random.default_rng(4)


def normal(*shape, scale=0.7):
    return RNG.normal(size=shape) * scale


def mlp_args(batch, features, hidden, b1_shape):
    b1 = normal(*b1_shape) if b1_shape else 0.3
    return (normal(features, hidden), b1, normal(hidden), 0.2, normal(batch, features), normal(batch))


CASES = [
    ("mlp", mlp_args(5, 3, 4, (4,))),
    ("mlp", mlp_args(5, 3, 4, (1, 4))),
    ("mlp", mlp_args(5, 3, 4, ())),
    ("mlp", mlp_args(1, 1, 1, (1,))),
    # X @ W1 is (5, 1) and b1 (3,): their sum is (5, 3), which the product has no room for
    ("mlp", (normal(2, 1), normal(3), normal(3), 0.1, normal(5, 2), normal(5))),
    ("logistic_loss", (normal(3), normal(6, 3), normal(6))),
    ("logistic_loss", (normal(1), normal(1, 1), normal(1))),
    ("hidden_read_again", (normal(4, 3), normal(3))),
    ("copy_kept", (normal(3, 2), normal(2))),
    ("copy_kept", (normal(1, 1), 0.4)),
    ("view_kept", (normal(2, 3),)),
    ("broadcast_grows", (normal(3, 1), normal(1, 4))),
    ("broadcast_grows", (normal(3, 4), normal(4))),
    ("parameters_read_after", (normal(4), normal(4))),
    ("parameters_read_after", (normal(2, 3), 0.5)),
    ("matrix_output_layer", (normal(3, 4), normal(4, 2), normal(5, 3))),
    ("matrix_output_layer", (normal(1, 1), normal(1, 1), normal(1, 1))),
    ("hidden_returned_through_the_loss", (normal(3, 4), normal(4), normal(5, 3))),
    ("hidden_returned_through_the_loss", (normal(1, 1), normal(1), normal(1, 1))),
]


def direction_for(args):
    return tuple(normal(*np.shape(a)) if isinstance(a, np.ndarray) else 0.3 for a in args
                 if isinstance(a, (float, np.ndarray)))


@pytest.mark.parametrize("name,args", CASES, ids=[f"{c[0]}-{k}" for k, c in enumerate(CASES)])
@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_every_mode_agrees(build, name, args):
    check_every_mode(build, PATH, name, args, direction_for(args))


@pytest.mark.parametrize("name,args", CASES, ids=[f"{c[0]}-{k}" for k, c in enumerate(CASES)])
def test_arguments_are_never_written(name, args):
    module = compiled_module(PATH)
    before = [np.copy(a) for a in args]
    getattr(module, name)(*args)
    getattr(module, "value_and_grad_" + name)(*args)
    getattr(module, "hvp_" + name)(*args, direction_for(args) if len(direction_for(args)) > 1 else direction_for(args)[0])
    for a, b in zip(args, before):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_array_output_and_its_cotangent_stay_as_they_were(build):
    module, original = build(PATH), original_module(PATH).array_output
    x, scale, dout = normal(2, 3), 0.8, normal(2, 3)
    kept_x, kept_dout = x.copy(), dout.copy()
    value = module.array_output(x, scale)
    np.testing.assert_allclose(value, original(x, scale), rtol=1e-14)
    vx, vscale = module.vjp_array_output(x, scale, dout)
    _, (ex, escale) = eager_value_and_gradient(lambda x, s: np.sum(original(x, s) * dout), (x, scale), (0, 1))
    assert_close((vx, vscale), (ex, escale), 1e-12, 1e-12, "vjp_array_output against the eager engine")
    np.testing.assert_array_equal(x, kept_x)
    np.testing.assert_array_equal(dout, kept_dout)
    # the value handed out is not memory the next call writes into
    again = module.array_output(x, scale)
    np.testing.assert_array_equal(value, again)
    assert value is not again


def adjoint_lines(name: str) -> list:
    text = generated_module(PATH).text  # the text compiled_module(PATH) builds, generated once
    body = text.split(f"cdef tuple _{name}_adjoint(")[1].split("\ndef ")[0]
    return [line.strip() for line in body.splitlines()]


def test_mlp_reuses_its_temporaries_as_a_person_would():
    lines = adjoint_lines("mlp")
    assert "total = _vector.add_reusing_left(product, b1)  # line 8" in lines
    assert "h = _vector.tanh_reusing(total)  # line 8" in lines
    # the outer product b_h of h @ W2's adjoint and tanh's b_h * (1.0 - h * h) in one pass into h:
    # no new array
    assert "# b_h: computed with b_total, its only reader" in lines
    assert any(line.startswith("b_total = _vector.outer_times_one_minus_square_reusing(b_product2, h, W2, h)")
               for line in lines)
    assert not any(line.startswith("b_h =") for line in lines)


def test_the_tanh_adjoint_alone_where_b_h_has_two_parts():
    # h @ W2 of a matrix W2: the same statement, whose helper finds no outer product at run time
    # and computes matmul_adjoint_left, then the one pass (test_every_mode_agrees checks it)
    assert any(line.startswith("b_product = _vector.outer_times_one_minus_square_reusing(b_out, h, W2, h)")
               for line in adjoint_lines("matrix_output_layer"))
    # b_h is added to twice (h is read by the loss too): computed on its own, then the one pass
    lines = adjoint_lines("hidden_returned_through_the_loss")
    assert any(line.startswith("b_h += _vector.matmul_adjoint_left(b_out, h, w2)") for line in lines)
    assert any(line.startswith("b_product = _vector.times_one_minus_square_reusing_right(b_h, h)") for line in lines)


def test_no_reuse_of_a_copied_name_or_a_viewed_one():
    copied = adjoint_lines("copy_kept")
    assert "t = x * y  # line 28" in copied and "v = np.exp(t)  # line 30" in copied
    viewed = adjoint_lines("view_kept")
    assert "t = A * 2.0  # line 35" in viewed and "v = np.tanh(t)  # line 37" in viewed


def test_names_read_by_a_later_statement_are_not_written():
    lines = adjoint_lines("hidden_read_again")
    assert "squares = h * h  # line 21" in lines and "sines = np.sin(h)  # line 23" in lines


@pytest.mark.parametrize("out_shape,other,fits", [
    ((3, 4), np.ones(4), True), ((3, 4), np.ones((1, 4)), True), ((3, 4), 2.0, True), ((3, 4), 2, True),
    ((3, 1), np.ones((1, 4)), False), ((4,), np.ones((1, 4)), False), ((3, 4), np.ones((2, 3, 4)), False),
    ((1, 1), np.ones((1, 1)), True), ((3, 4), np.ones(4, dtype=np.complex128), False),
    ((3, 4), np.ones(4, dtype=np.int64), True)])
def test_room_for_the_result(out_shape, other, fits):
    assert in_place.can_hold(np.zeros(out_shape), other) is fits
    expected = np.full(out_shape, 3.0) - other
    out = np.full(out_shape, 3.0)
    got = in_place.HELPERS["subtract_reusing_left"](out, other)
    np.testing.assert_array_equal(got, expected)
    assert (got is out) is fits


def test_only_writeable_float_arrays_of_some_dimensions_take_results():
    read_only = np.broadcast_to(np.ones(3), (2, 3))
    assert not in_place.can_hold(read_only, 1.0)
    assert not in_place.can_hold(np.ones(3, dtype=np.int64), 1.0)
    assert not in_place.can_hold(np.array(2.0), 1.0)  # 0-d: NumPy hands back a number
    assert not in_place.can_hold(3.0, 1.0)
    x = np.linspace(-1.0, 1.0, 5)
    np.testing.assert_array_equal(in_place.HELPERS["tanh_reusing"](x.copy()), np.tanh(x))
    np.testing.assert_array_equal(in_place.HELPERS["true_divide_reusing_right"](1.5, x.copy() + 2.0), 1.5 / (x + 2.0))


FUSED = [in_place.times_one_minus_square, in_place.times_one_minus_square_reusing_left,
         in_place.times_one_minus_square_reusing_right]


@pytest.mark.parametrize("g_shape,h_shape", [((3, 4), (3, 4)), ((1, 1), (1, 1)), ((5,), (5,)), ((3, 4), (4,)),
                                             ((4,), (3, 4)), ((3, 1), (1, 4))])
@pytest.mark.parametrize("fused", FUSED, ids=lambda f: f.__name__)
def test_tanh_adjoint_in_one_pass_has_numpys_bits(fused, g_shape, h_shape):
    g, h = normal(*g_shape, scale=2.0), np.tanh(normal(*h_shape, scale=2.0))
    expected = g * (1.0 - h * h)
    got = fused(g.copy(), h.copy())
    np.testing.assert_array_equal(got, expected)  # the same roundings, operation by operation
    assert got.shape == expected.shape


@pytest.mark.parametrize("fused", FUSED, ids=lambda f: f.__name__)
def test_tanh_adjoint_of_views_numbers_and_other_types(fused):
    base = normal(4, 6)
    g, h = base[:, ::2], np.tanh(base.T[::2, :].T.copy()[:, :3])  # a strided g
    np.testing.assert_array_equal(fused(g.copy() if fused is FUSED[1] else g, h.copy()), g * (1.0 - h * h))
    np.testing.assert_array_equal(fused(np.ones(3, dtype=np.float32), np.full(3, 0.5)), np.full(3, 0.75))
    assert fused(2.0, np.array(0.5)) == pytest.approx(1.5)
    assert fused(np.array(2.0), 0.5) == pytest.approx(1.5)


def test_the_one_pass_writes_into_the_operand_it_was_given():
    assert in_place._kernels is not None  # setup.py builds runtime/kernels.pyx
    g, h = normal(3, 4), np.tanh(normal(3, 4))
    expected = g * (1.0 - h * h)
    into_h, into_g = h.copy(), g.copy()
    assert in_place.times_one_minus_square_reusing_right(g, into_h) is into_h
    assert in_place.times_one_minus_square_reusing_left(into_g, h) is into_g
    np.testing.assert_array_equal(into_h, expected)
    np.testing.assert_array_equal(into_g, expected)
    fresh = in_place.times_one_minus_square(g, h)
    assert fresh is not g and fresh is not h
    np.testing.assert_array_equal(fresh, expected)



@pytest.mark.parametrize("g_shape,a_shape,w_shape,h_shape", [
    ((5,), (5, 3), (3,), (5, 3)), ((1,), (1, 1), (1,), (1, 1)),
    ((5,), (5, 3), (3,), (3,)),  # h broadcast along the rows: NumPy's way
    ((2, 5), (2, 5, 3), (3,), (2, 5, 3)),  # a stack of matrices
    ((5, 2), (5, 3), (3, 2), (5, 3))])  # w a matrix: no outer product
@pytest.mark.parametrize("fused", [in_place.outer_times_one_minus_square, in_place.outer_times_one_minus_square_reusing],
                         ids=lambda f: f.__name__)
def test_outer_product_through_tanh_has_numpys_bits(fused, g_shape, a_shape, w_shape, h_shape):
    g, a, w = normal(*g_shape), normal(*a_shape), normal(*w_shape)
    h = np.tanh(normal(*h_shape, scale=2.0))
    expected = matmul_adjoint_left(g, a, w) * (1.0 - h * h)
    got = fused(g, a, w, h.copy())
    np.testing.assert_array_equal(got, expected)
    if fused is in_place.outer_times_one_minus_square_reusing and h_shape == a_shape and len(h_shape) == 2:
        into = h.copy()
        assert fused(g, a, w, into) is into  # the one pass ran, into h


def test_outer_product_of_strided_vectors_is_numpys():
    g, a, w, h = normal(10)[::2], normal(5, 3), normal(6)[::2], np.tanh(normal(5, 3))
    expected = matmul_adjoint_left(g, a, w) * (1.0 - h * h)
    np.testing.assert_array_equal(in_place.outer_times_one_minus_square_reusing(g, a, w, h.copy()), expected)
