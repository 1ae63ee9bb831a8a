"""np.cumsum end to end, the primitive added as one entry of srcgrad.rules.arrays: compiled and
--pure gradients, jvp and hvp against finite differences, and against the eager engine."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/support.py

from support import assert_close, central_differences, compiled_module, original_module, pure_module  # noqa: E402

from srcgrad.eager import GradientTape, constant  # noqa: E402

PATH = str(Path(__file__).resolve().parent / "programs" / "cumsum.py")
RNG = np.random.default_rng(5)
CASES = [
    ("running_energy", (RNG.normal(size=6), RNG.normal(size=6))),
    ("along_axes", (RNG.normal(size=(3, 4)),)),
    ("flattened", (RNG.normal(size=(2, 3)), 0.3)),
    ("last_axis", (RNG.normal(size=(3, 4)), RNG.normal(size=4))),
]
IDS = [name for name, _ in CASES]


def _eager_gradient(name, args):
    function = getattr(original_module(PATH), name)
    tensors = [constant(np.asarray(a, dtype=np.float64)) for a in args]
    with GradientTape() as tape:
        for t in tensors:
            tape.watch(t)
        out = function(*tensors)
    return tuple(np.asarray(g) for g in tape.gradient(out, tensors))


def _tuple(value):
    return value if isinstance(value, tuple) else (value,)


@pytest.mark.parametrize("name,args", CASES, ids=IDS)
@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_gradient_matches_differences_and_the_eager_engine(build, name, args):
    module, original = build(PATH), getattr(original_module(PATH), name)
    assert_close(getattr(module, name)(*args), original(*args), 1e-12, 1e-12, f"{name} value")
    gradient = _tuple(getattr(module, "grad_" + name)(*args))
    assert_close(gradient, central_differences(original, args, list(range(len(args)))), 1e-6, 1e-7, f"grad_{name}")
    assert_close(gradient, _eager_gradient(name, args), 1e-10, 1e-12, f"grad_{name} vs the eager engine")


@pytest.mark.parametrize("name,args", CASES, ids=IDS)
def test_jvp_and_hvp_match_differences(name, args):
    compiled, pure, original = compiled_module(PATH), pure_module(PATH), getattr(original_module(PATH), name)
    direction = tuple(RNG.normal(size=np.shape(a)) if isinstance(a, np.ndarray) else float(RNG.normal()) for a in args)
    packed = direction if len(args) > 1 else direction[0]
    step = 1e-6

    def shifted(sign):
        return tuple(a + sign * step * d for a, d in zip(args, direction))

    tangent = getattr(compiled, "jvp_" + name)(*args, packed)
    expected = (original(*shifted(1)) - original(*shifted(-1))) / (2 * step)
    assert tangent == pytest.approx(expected, rel=1e-6, abs=1e-7)
    assert_close(getattr(pure, "jvp_" + name)(*args, packed), tangent, 1e-12, 1e-12, "jvp pure")

    hv = _tuple(getattr(compiled, "hvp_" + name)(*args, packed))
    gradient = getattr(compiled, "grad_" + name)
    up, down = _tuple(gradient(*shifted(1))), _tuple(gradient(*shifted(-1)))
    numeric = tuple((u - d) / (2 * step) for u, d in zip(up, down))
    assert_close(hv, numeric, 2e-5, 2e-6, f"hvp_{name} vs differences of gradients")
    assert_close(_tuple(getattr(pure, "hvp_" + name)(*args, packed)), hv, 1e-10, 1e-10, "hvp pure")


def test_cumsum_compiles_without_falling_back():
    from srcgrad.generate import generate

    text = generate(Path(PATH).read_text(), PATH, pure=True).text
    assert "np.cumsum(A, axis=1)" in text and "_vector.cumsum_adjoint(" in text
    assert "_EAGER_SOURCE" not in text and "_fallback" not in text
