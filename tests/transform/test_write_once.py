"""An array parameter's adjoint that the kernel writes exactly once per element is written, into
np.empty_like, not added into zeros (transform/write_once.py); every other one is still zeroed
first. Gradients against central differences, the eager engine and the --pure build, called
twice in a row (memory np.empty_like hands back may hold the previous call's values)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from every_mode import check_every_mode
from support import PROGRAMS, compiled_module, pure_module
from srcgrad.generate import generate

PATH = str(PROGRAMS / "written_once.py")
RNG = np.random.default_rng(21)

OVERWRITTEN = {"logistic": {"X"}, "columns_first": {"A"}, "squares": {"x"}, "skips_the_first": set(),
               "neighbours": set(), "repeated": set(), "only_some": set(),
               "shorter_loop": {"y"}}  # the loop runs over y, not over the whole of x


def _allocations(text: str, name: str) -> dict:
    """parameter -> 'empty' or 'zeros', as the compiled value_and_vjp_ entry of name allocates its adjoint."""
    start = text.index(f"# {name}: ")
    part = text[start:text.index("_hvp(", start)]
    return {p: kind for kind, p in re.findall(r"b_\w+ = np\.(empty|zeros)_like\((\w+)\)", part)}


@pytest.mark.parametrize("pure", [False, True])
def test_only_adjoints_written_once_per_element_skip_their_zeros(pure):
    text = generate(Path(PATH).read_text(), PATH, pure=pure).text
    for name, expected in OVERWRITTEN.items():
        allocations = _allocations(text, name)
        assert allocations and {p for p, kind in allocations.items() if kind == "empty"} == expected, name
    assert "b_X[i, j] = b_z * w[j]" in text


def _points():
    x = RNG.normal(size=6)
    return [
        ("logistic", (RNG.normal(size=3), RNG.normal(size=(5, 3)), np.sign(RNG.normal(size=5))),
         (RNG.normal(size=3), RNG.normal(size=(5, 3)), RNG.normal(size=5))),
        ("columns_first", (RNG.normal(size=(4, 3)), RNG.normal(size=3)), (RNG.normal(size=(4, 3)), RNG.normal(size=3))),
        ("squares", (x,), (RNG.normal(size=6),)),
        ("skips_the_first", (x,), (RNG.normal(size=6),)),
        ("neighbours", (x,), (RNG.normal(size=6),)),
        ("repeated", (x, 0.7), (RNG.normal(size=6), 0.2)),
        ("only_some", (x,), (RNG.normal(size=6),)),
        ("shorter_loop", (x, RNG.normal(size=4)), (RNG.normal(size=6), RNG.normal(size=4))),
    ]


@pytest.mark.parametrize("name, args, direction", _points())
@pytest.mark.parametrize("how", ["compiled", "pure"])
def test_gradients_every_mode_and_again(how, name, args, direction):
    module = compiled_module(PATH) if how == "compiled" else pure_module(PATH)
    check_every_mode(lambda path: module, PATH, name, args, direction)
    # the second call's np.empty_like may hand back the first one's memory
    grad = getattr(module, "grad_" + name)
    first = grad(*args)
    for _ in range(3):
        [np.ones(a.shape) * 1e30 for a in args if isinstance(a, np.ndarray)]  # dirty the allocator's memory
        again = grad(*args)
        for a, b in zip(first if isinstance(first, tuple) else (first,), again if isinstance(again, tuple) else (again,)):
            assert np.array_equal(a, b)
