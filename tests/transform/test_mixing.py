"""Arrays used element by element and as a whole in one function compile: an array written in a
loop and then used whole, a whole-array result indexed (and written) in a loop, a parameter used
both ways, in either order and several times, matrices too. Each is checked compiled and --pure
(value, gradient, jvp, hvp) against finite differences and the eager engine; what would share
memory in Python (`v = y`, then an element write) still falls back with the reason."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import check_every_mode
from srcgrad.generate import generate
from support import PROGRAMS, compiled_module, pure_module

PATH = str(PROGRAMS / "mixing.py")
X4 = np.array([0.3, -0.7, 1.1, 0.45])
D4 = np.array([0.5, 1.0, -0.25, 0.8])
W4 = np.array([1.2, -0.4, 0.6, 2.0])
E4 = np.array([-0.3, 0.2, 0.9, -1.1])

CASES = [
    ("written_then_summed", (X4,), (D4,)),
    ("whole_then_indexed", (X4, W4), (D4, E4)),
    ("parameter_both_ways", (X4,), (D4,)),
    ("alternating", (X4 * 0.5,), (D4,)),
    ("whole_indexed_written_whole", (X4, W4), (D4, E4)),
    ("matrix_filled_then_product", (X4, W4), (D4, E4)),
]


@pytest.mark.parametrize("name,args,direction", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_mixed_array(build, name, args, direction):
    check_every_mode(build, PATH, name, args, direction)


@pytest.mark.parametrize("source,reason", [
    # Python's v is y itself: the element write shows through v, which a copy would not
    ("def f(x: np.ndarray):\n    y = np.zeros(3)\n    for i in range(3):\n        y[i] = x[i]\n    v = y\n"
     "    y[0] = 5.0\n    return np.sum(v * x)\n", "the array 'y' used as a whole value"),
    ("def f(x: np.ndarray):\n    y = np.zeros((2, 2))\n    for i in range(2):\n        y[i, 0] = x[i]\n"
     "    v = y.T\n    y[0, 1] = 5.0\n    return np.sum(v * 2.0)\n", "the array 'y' used as a whole value"),
])
def test_shared_memory_falls_back_with_the_reason(source, reason):
    generated = generate("import numpy as np\n\n\n" + source, "refused.py", pure=True)
    assert [r.compiled for r in generated.reports] == [False]
    assert reason in generated.diagnostics[0].message
