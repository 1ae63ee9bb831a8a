"""Activity: an array's shape carries no derivative, so what is computed from len(x), x.shape[k]
or np.size(x) alone (np.arange(1, len(x) + 1), as Griewank's and Dixon-Price's vectorised
forms write it) is a constant: it gets no adjoint, where its adjoint used to take whole-array
passes that nothing read. The gradients stay right: --pure against central differences and the
eager engine (the compiled build of the same kind of code: tests/test_benchmarks_corpus.py)."""

from __future__ import annotations

import numpy as np
import pytest

from support import PROGRAMS, assert_close, central_differences, original_module, pure_module
from srcgrad.analysis.activity import active_variables
from srcgrad.analysis.types import infer
from srcgrad.eager.fallback import eager_value_and_gradient
from srcgrad.frontend.parse import FunctionReader, read_module
from srcgrad.generate import generate
from srcgrad.transform.lower import Names, lower, user_names

PATH = str(PROGRAMS / "shape_derived_constants.py")
NAMES = ("weighted_cosines", "weighted_neighbours", "scaled_by_size")


def _active(source: str) -> set:
    facts = read_module(source, "m.py")
    function = FunctionReader(facts, facts.functions["f"]).read()
    result = lower(function, Names(user_names(function)))
    infer(function, result, {})
    return active_variables(function, result)


def test_arrays_of_the_shape_alone_are_inactive():
    active = _active("import numpy as np\n\ndef f(x):\n    i = np.arange(1, len(x) + 1)\n"
                     "    w = x.shape[0] * x\n    return np.sum(w / np.sqrt(i))\n")
    assert "i" not in active and {"x", "w"} <= active
    # the values of x read beside its shape keep it active
    assert "i" in _active("import numpy as np\n\ndef f(x):\n    i = np.arange(1, len(x) + 1) * x\n"
                          "    return np.sum(i)\n")


def test_no_adjoint_is_generated_for_them():
    text = generate(open(PATH).read(), PATH).text
    assert "b_i " not in text and "b_i=" not in text and "b_ramp" not in text


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("x", [np.array([0.4, -1.3, 2.2, 0.7, -0.1]), np.array([1.5]), np.array([-0.2, 0.9])])
def test_gradients(name, x):
    original = getattr(original_module(PATH), name)
    value, gradient = getattr(pure_module(PATH), "value_and_grad_" + name)(x)
    assert value == pytest.approx(original(x), rel=1e-12)
    assert_close(gradient, central_differences(original, (x,), [0])[0], 1e-6, 1e-8, f"{name} vs differences")
    assert_close(gradient, eager_value_and_gradient(original, (x,), (0,))[1], 1e-12, 1e-14, f"{name} vs eager")
