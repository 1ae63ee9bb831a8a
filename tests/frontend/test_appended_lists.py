"""Lists built by appending in a loop (srcgrad/frontend/appended_lists.py) compile to float arrays
of the loop's length: each function of tests/programs/appended_lists.py compiles (no eager
fallback), compiled and --pure, and its value, gradient, jvp_ and hvp_ agree with the original,
central differences and the eager engine; empty loops, one element, zeros and negative values
included; appends under a condition or after a break (the array is as long as the loop could
fill, and the count of appends is kept for len and the mean); a list literal that the loop goes
on appending to. A list appended to in an inner loop, read while it grows, or appended to under
a condition and then read by element, falls back naming it. Appends in an inner loop (pairs
i < j) count that loop's trips first; `L[-1]` read while L grows is the element last appended."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import build, each_point  # noqa: F401 (build: the fixture)
from support import PROGRAMS, assert_close, original_module
from srcgrad.eager.fallback import eager_value_and_gradient
from srcgrad.generate import generate

PATH = str(PROGRAMS / "appended_lists.py")
_RANDOM = np.random.default_rng(34)


def _both(*shapes):
    return tuple(_RANDOM.normal(size=s) for s in shapes), tuple(_RANDOM.normal(size=s) for s in shapes)


POINTS = {
    "sum_of_appended_squares": [_both((4,)), _both((1,)), ((np.zeros(3),), (np.ones(3),))],
    "rosenbrock_terms": [_both((4,)), _both((1,)), ((-np.ones(3),), (np.ones(3),))],  # one element: no term
    "two_appends_per_trip": [_both((3,)), ((np.zeros(3),), (np.ones(3),))],
    "weighted_from_array": [_both((3,), (3,)), _both((1,), (1,))],
    "odd_pairs": [_both((5,)), _both((2,)), ((-np.arange(4.0),), (np.ones(4),))],
    "backwards": [_both((3,)), _both((1,))],
    "per_row_totals": [_both((3,)), _both((1,))],
    "path_lengths": [_both((4, 2)), _both((1, 2))],  # one point: no segment, max(len, 1) divides
    "positive_squares": [((np.array([0.5, -1.0, 2.0, -0.3]),), (np.ones(4),)), ((-np.ones(2),), (np.ones(2),))],
    "mean_until_large": [((np.array([0.5, -1.5, 1.0, 3.0, 0.2]),), (np.ones(5),)),
                         ((np.array([0.3, -2.0]),), (np.array([1.0, -1.0]),))],
    "dixon_price_terms": [_both((4,)), _both((1,)), ((np.zeros(3),), (np.ones(3),))],
    "pair_energies": [((np.array([0.1, 0.4, -0.2, 0.3]),), _both((4,))[1]), _both((1,)), ((np.zeros(2),), (np.ones(2),))],
    "grid_of_products": [_both((3,), (2,)), _both((1,), (1,))],
    "running_positions": [_both((4,)), ((np.zeros(0),), (np.zeros(0),)), ((-np.ones(2),), (np.ones(2),))],
    "damped_trajectory": [((1.3, np.array([1.0, -0.5])), (1.0, np.array([0.3, 0.2]))),
                          ((0.0, np.zeros(2)), (1.0, np.ones(2)))],
}
test_appended_list_compiles_and_agrees = each_point(PATH, POINTS)


@pytest.mark.parametrize("x", [np.array([0.3, -0.5, 1.2, 0.0]), np.array([-2.0]), np.zeros(0)], ids=["4", "1", "0"])
def test_returned_array_of_an_appended_list(build, x):
    """sines_as_array returns np.array(values): an array output, differentiated as its sum."""
    module, original = build(PATH), original_module(PATH).sines_as_array
    assert_close(module.sines_as_array(x), original(x), 1e-14, 1e-14, "value")
    expected = np.cos(x) * x + np.sin(x)  # d/dx of sin(x) x, element by element
    assert_close(module.grad_sines_as_array(x), expected, 1e-12, 1e-14, "gradient")
    _, eager = eager_value_and_gradient(original, (x,), (0,))
    assert_close(module.grad_sines_as_array(x), eager, 1e-12, 1e-14, "gradient against the eager engine")
    v = np.linspace(-1.0, 1.0, len(x))
    assert_close(module.jvp_sines_as_array(x, v), expected * v, 1e-12, 1e-14, "jvp")
    second = 2.0 * np.cos(x) - np.sin(x) * x
    assert_close(module.hvp_sines_as_array(x, v), second * v, 1e-12, 1e-14, "hvp")
    step = 1e-6
    assert_close(module.jvp_sines_as_array(x, v), (original(x + step * v) - original(x - step * v)) / (2 * step),
                 1e-7, 1e-8, "jvp against central differences")


REFUSED = {
    "under_a_condition_read_by_element": "    out = []\n    for i in range(len(x)):\n        if x[i] > 0:\n"
                                         "            out.append(x[i])\n    return out[0]\n",
    "read_while_it_grows": "    out = []\n    for i in range(len(x)):\n        out.append(x[i] * len(out))\n"
                           "    return sum(out)\n",
    "in_an_inner_loop_of_computed_bounds": "    out = []\n    for i in range(2):\n        m = len(x) - i\n"
                                           "        for j in range(m):\n            out.append(x[j] * i)\n"
                                           "    return sum(out)\n",
    "in_an_inner_loop_under_a_condition": "    out = []\n    for i in range(2):\n        for j in range(len(x)):\n"
                                          "            if x[j] > 0:\n                out.append(x[j] * i)\n"
                                          "    return sum(out)\n",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_other_appends_fall_back_saying_why(name):
    source = "import numpy as np\n\n\ndef f(x):\n" + REFUSED[name]
    generated = generate(source, "lists.py", pure=True)
    assert not generated.reports[0].compiled
    assert any("the list 'out' appended to" in d.message for d in generated.diagnostics), \
        [d.format() for d in generated.diagnostics]


def test_eager_norm_of_a_list_of_tensors():
    """np.linalg.norm(residuals) of a list the eager engine built keeps its gradient (it would
    convert the Tensors to a plain array)."""
    source = ("import numpy as np\n\n\ndef f(p):\n    res = []\n    for t in (0.0, 0.5, 1.0):\n"
              "        res.append(p[0] * np.exp(-p[1] * t) - 1.0)\n    return np.linalg.norm(res) ** 2\n")
    namespace = {}
    exec(compile(source, "norm_of_list.py", "exec"), namespace)
    p = np.array([1.3, 0.4])
    _, gradient = eager_value_and_gradient(namespace["f"], (p,), (0,))
    t = np.array([0.0, 0.5, 1.0])
    r = p[0] * np.exp(-p[1] * t) - 1.0
    expected = [np.sum(2.0 * r * np.exp(-p[1] * t)), np.sum(2.0 * r * -t * p[0] * np.exp(-p[1] * t))]
    assert_close(gradient, np.array(expected), 1e-13, 1e-14, "eager gradient of the norm of a list")
