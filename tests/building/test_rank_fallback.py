"""Rank guesses never refuse a valid call (issue 12). Where nothing in a function says how many
dimensions an operand of `@` has, the compiler guesses (a matrix on the left of a vector, else a
vector). An argument of other dimensions (or a number for an array) makes every entry run the
original function on the eager tape, with the compiled entry's conventions and one
srcgrad.FallbackWarning per function and reason; a tangent or cotangent not shaped like what it
pairs with stays a ValueError naming both shapes.

One module, tests/programs/rank_guesses.py, built once each way (compiled and --pure); every
entry's value is checked against central differences and the eager engine.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import srcgrad
from srcgrad.eager.fallback import eager_value_and_gradient
from support import PROGRAMS, assert_close, central_differences, compiled_module, original_module, pure_module

PATH = str(PROGRAMS / "rank_guesses.py")
BUILDS = {"compiled": compiled_module, "pure": pure_module}
ENTRIES = ("", "grad_", "value_and_grad_", "vjp_", "jvp_", "hvp_", "hessian_")


def filled(*shape, phase=0.0):
    size = int(np.prod(shape)) if shape else 1
    return (0.4 * np.sin(1.3 * np.arange(size) + phase) + 0.1).reshape(shape)


MATRIX, VECTOR, OTHER_VECTOR = filled(2, 3), filled(3, phase=1.0), filled(3, phase=2.0)
# (function, arguments): the guessed dimensions, then others the original takes
CASES = [
    ("tanh_of_product", (MATRIX, VECTOR)),
    ("tanh_of_product", (VECTOR, OTHER_VECTOR)),
    ("tanh_of_product", (MATRIX, filled(3, 2, phase=0.5))),
    ("tanh_of_product_in_a_loop", (MATRIX, VECTOR)),
    ("tanh_of_product_in_a_loop", (VECTOR, OTHER_VECTOR)),
    ("tanh_of_product_in_a_loop", (MATRIX, filled(3, 2, phase=0.5))),
    ("tanh_of_product_in_a_loop", (filled(1, 1), filled(1))),
    ("tanh_of_product_in_a_loop", (filled(1, 3), VECTOR)),
    ("tanh_of_product_in_a_loop", (filled(1, 3), filled(3, 1))),
    ("tanh_of_product_in_a_loop", (filled(0, 3), VECTOR)),
    ("sine_of_row_product", (VECTOR, filled(3, 2))),
    ("sine_of_row_product", (MATRIX, filled(3, 2))),
    ("sine_of_row_product", (VECTOR, OTHER_VECTOR)),
    ("sine_of_row_product", (filled(1, 3), filled(3, 1))),
    ("scaled_dot", (MATRIX, VECTOR, 0.7)),
    ("scaled_dot", (VECTOR, OTHER_VECTOR, 0.7)),
    ("scaled_dot", (MATRIX, filled(3, 4), 1.3)),
    ("indexed_and_multiplied", (VECTOR, filled(2, 3))),
    ("indexed_and_multiplied", (filled(3, 2), filled(2, 3))),
]


@pytest.fixture(scope="module", params=sorted(BUILDS))
def module(request):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return BUILDS[request.param](PATH)


def original(name):
    return getattr(original_module(PATH), name)


def positions_of(args):
    return [k for k, a in enumerate(args) if isinstance(a, (float, np.ndarray))]


def direction_for(args, positions):
    return tuple(filled(*np.shape(args[p]), phase=3.0 + p) if np.ndim(args[p]) else 0.3 + p for p in positions)


def packed(values):
    return values[0] if len(values) == 1 else tuple(values)


def listed(value, count):
    return (value,) if count == 1 else tuple(value)


def moved(args, positions, direction, step):
    shifted = list(args)
    for p, d in zip(positions, direction):
        shifted[p] = args[p] + step * d
    return tuple(shifted)


def call_quietly(entry, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", srcgrad.FallbackWarning)
        return entry(*args)


@pytest.mark.parametrize("name, args", CASES, ids=[f"{n}-{'x'.join(str(np.shape(a)) for a in args)}"
                                                    for n, args in CASES])
def test_every_entry_at_guessed_and_other_dimensions(module, name, args):
    f = original(name)
    entries = {prefix: getattr(module, prefix + name) for prefix in ENTRIES}
    positions = positions_of(args)
    count = len(positions)
    value = call_quietly(entries[""], *args)
    assert_close(value, f(*args), 1e-12, 1e-12, f"{name} value")
    assert np.ndim(value) == 0

    gradient = listed(call_quietly(entries["grad_"], *args), count)
    assert_close(gradient, central_differences(f, args, positions), 1e-6, 1e-8, f"grad_{name} against differences")
    _, eager = eager_value_and_gradient(f, args, tuple(positions))
    assert_close(gradient, listed(eager, count), 1e-10, 1e-12, f"grad_{name} against the eager engine")
    both = call_quietly(entries["value_and_grad_"], *args)
    assert_close(both[0], value, 1e-12, 1e-12, f"value_and_grad_{name} value")
    assert_close(listed(both[1], count), gradient, 1e-12, 1e-12, f"value_and_grad_{name} gradient")
    assert_close(listed(call_quietly(entries["vjp_"], *args, 2.5), count), tuple(2.5 * g for g in gradient),
                 1e-12, 1e-12, f"vjp_{name}")

    direction = direction_for(args, positions)
    along = sum(float(np.sum(g * d)) for g, d in zip(gradient, direction))
    assert_close(call_quietly(entries["jvp_"], *args, packed(direction)), along, 1e-10, 1e-12, f"jvp_{name}")
    step = 1e-5
    up = eager_value_and_gradient(f, moved(args, positions, direction, step), tuple(positions))[1]
    down = eager_value_and_gradient(f, moved(args, positions, direction, -step), tuple(positions))[1]
    expected = tuple((u - d) / (2 * step) for u, d in zip(listed(up, count), listed(down, count)))
    hvp = listed(call_quietly(entries["hvp_"], *args, packed(direction)), count)
    assert_close(hvp, expected, 1e-5, 1e-7, f"hvp_{name} against differences of eager gradients")
    hessian = call_quietly(entries["hessian_"], *args)
    blocks = [[hessian]] if count == 1 else hessian
    for i, p in enumerate(positions):
        product = sum(np.tensordot(blocks[i][j], direction[j], axes=np.ndim(args[q]))
                      for j, q in enumerate(positions))
        assert_close(product, hvp[i], 1e-9, 1e-11, f"hessian_{name} block row {i} times the direction")


def test_the_guess_is_compiled_and_other_dimensions_warn_once(module):
    name = "tanh_of_product_in_a_loop"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module.grad_tanh_of_product_in_a_loop(MATRIX, VECTOR)
    assert not caught, [str(w.message) for w in caught]
    # a reason no other test gives (the module is shared): a stack of matrices for A
    stack = filled(2, 2, 3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = module.tanh_of_product_in_a_loop(stack, VECTOR)
        gradient = module.grad_tanh_of_product_in_a_loop(stack, VECTOR)
    assert_close(value, original(name)(stack, VECTOR), 1e-12, 1e-12, "a stack of matrices for A")
    assert_close(gradient, central_differences(original(name), (stack, VECTOR), [0, 1]), 1e-6, 1e-8,
                 "its gradient")
    messages = [str(w.message) for w in caught if issubclass(w.category, srcgrad.FallbackWarning)]
    assert len(messages) == 1, messages
    assert "parameter 'A' was compiled as a 2-dimensional array, a guess" in messages[0]
    assert "got a 3-dimensional array" in messages[0]
    assert caught[0].filename == __file__


def test_a_tangent_or_cotangent_of_the_wrong_shape_stays_an_error(module):
    with pytest.raises(ValueError, match=r"tangents for parameter 'x' has shape \(2,\), but 'x' has shape \(3,\)"):
        module.jvp_tanh_of_product_in_a_loop(MATRIX, VECTOR, (np.ones((2, 3)), np.ones(2)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", srcgrad.FallbackWarning)
        with pytest.raises(ValueError, match=r"shape \(2,\).*shape \(3,\)"):
            module.hvp_tanh_of_product_in_a_loop(VECTOR, OTHER_VECTOR, (np.ones(3), np.ones(2)))
        with pytest.raises(ValueError, match="dout"):
            module.vjp_tanh_of_product_in_a_loop(VECTOR, OTHER_VECTOR, np.ones(2))


def test_dimensions_an_element_read_names_are_still_checked(module):
    with pytest.raises(ValueError, match="parameter 'X' must be a 2-dimensional array, got 1 dimension"):
        module.grad_indexed_and_multiplied(VECTOR, VECTOR)


def test_in_process_grad_and_value_and_grad_fall_back_too():
    f = original("tanh_of_product_in_a_loop")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gradient = srcgrad.grad(f)
        value_and_gradient = srcgrad.value_and_grad(f)
        for args in ((MATRIX, VECTOR), (VECTOR, OTHER_VECTOR), (MATRIX, filled(3, 2))):
            expected = central_differences(f, args, [0, 1])
            assert_close(gradient(*args), expected, 1e-6, 1e-8, f"srcgrad.grad at {[np.shape(a) for a in args]}")
            value, got = value_and_gradient(*args)
            assert_close(value, f(*args), 1e-12, 1e-12, "srcgrad.value_and_grad value")
            assert_close(got, expected, 1e-6, 1e-8, "srcgrad.value_and_grad gradient")
