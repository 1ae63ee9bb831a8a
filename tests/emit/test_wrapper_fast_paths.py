"""The Python-level wrappers' fast paths (issue 13, part 6).

An adjoint that never touches the tape is handed none (NULL, or None in --pure output), and its
grad_, value_and_grad_ and vjp_ call it themselves rather than through value_and_vjp_; a float
cotangent skips the cotangent check and float tangents skip per_parameter. Each entry still
computes what the original, the eager engine and central differences say, and anything but a
plain float still goes through the checks: numbers of other types are converted, wrong shapes
raise ValueError naming the parameter.
"""

from __future__ import annotations

import functools
import textwrap

import numpy as np
import pytest

import fuzzing
from srcgrad.generate import generate

SOURCE = textwrap.dedent("""
import math


def untaped(x, y, z):
    return x * math.sin(y) + z * z


def one(x):
    return math.exp(0.5 * x) * x


def taped(x, n: int):
    s = 1.0
    for i in range(n):
        s = s * x + math.cos(s)
    return s
""")
BUILDS = ["pure", "compiled"]
POINT = (0.3, 0.7, -1.1)


@functools.lru_cache(maxsize=None)
def built(how: str):
    if how == "pure":
        return fuzzing.pure_build(SOURCE, "fast_paths.py")
    return fuzzing.compiled_build(SOURCE, "fast_paths.py")


def expected_gradient(x, y, z):
    return (np.sin(y), x * np.cos(y), 2 * z)


@pytest.mark.parametrize("how", BUILDS)
@pytest.mark.parametrize("entry, args, positions", [
    ("untaped", POINT, [0, 1, 2]), ("one", (0.4,), [0]), ("taped", (0.9, 5), [0])])
def test_entries_against_the_original_eager_engine_and_differences(how, entry, args, positions):
    generated, module = built(how)
    assert [d.format() for d in generated.diagnostics] == []
    fuzzing.check_source(SOURCE, entry, args, positions, module, entry, what=how)


@pytest.mark.parametrize("pure", [True, False])
def test_only_an_adjoint_that_uses_the_tape_gets_one(pure):
    text = generate(SOURCE, "fast_paths.py", pure=pure).text
    nothing = "None" if pure else "NULL"

    def body(name):
        """The def of entry name; compiled, value_and_vjp_ and hvp_ are Python functions binding the
        arguments of a cdef function (emit/entries.py), whose body this is."""
        head = f"def {name}("
        for prefix, core in (("value_and_vjp_", "value_and_vjp"), ("value_and_vjp_", "vjp_entry"), ("hvp_", "hvp_entry")):
            if name.startswith(prefix) and not pure and f"cdef object _{name[len(prefix):]}_{core}(" in text:
                head = f"cdef object _{name[len(prefix):]}_{core}("
        start = text.index(head)
        return text[start:text.index("\n\n\n", start)]

    assert f"_untaped_adjoint({nothing}, x, y, z, 1.0)" in body("grad_untaped")
    assert "value_and_vjp_" not in body("grad_untaped") + body("value_and_grad_untaped")
    assert ("value_and_vjp_" not in body("vjp_untaped")) if pure else "[1]" in body("vjp_untaped")
    assert "Tape" not in body("value_and_vjp_untaped") and f"_untaped_adjoint({nothing}," in body("value_and_vjp_untaped")
    assert "_tape.Tape" in body("value_and_vjp_taped") and f"({nothing}," not in body("value_and_vjp_taped")
    assert ("value_and_vjp_taped(" if pure else "_taped_value_and_vjp(x, n, 1.0)") in body("grad_taped")
    assert f"_untaped_hvp({nothing}," in body("hvp_untaped") and "Tape" not in body("hvp_untaped")
    assert f"({nothing}," not in body("hvp_taped")


@pytest.mark.parametrize("how", BUILDS)
def test_cotangents_of_other_number_types_are_converted(how):
    _, module = built(how)
    gradient = np.array(expected_gradient(*POINT))
    for dout in (2.0, 2, np.float64(2.0), np.array(2.0), np.float32(2.0)):
        assert np.allclose(module.vjp_untaped(*POINT, dout), 2 * gradient, rtol=1e-14)
        value, scaled = module.value_and_vjp_untaped(*POINT, dout)
        assert value == pytest.approx(POINT[0] * np.sin(POINT[1]) + POINT[2] ** 2, rel=1e-14)
        assert np.allclose(scaled, 2 * gradient, rtol=1e-14)
    with pytest.raises(ValueError, match=r"dout has shape \(3,\), but the output of untaped is a float"):
        module.vjp_untaped(*POINT, np.ones(3))
    with pytest.raises(ValueError, match="but the output of untaped is a float"):
        module.value_and_vjp_untaped(*POINT, "2.0")


@pytest.mark.parametrize("how", BUILDS)
def test_tangents_of_other_types_take_the_checked_path(how):
    _, module = built(how)
    gradient = np.array(expected_gradient(*POINT))
    direction = (0.5, -1.0, 2.0)
    expected = float(gradient @ np.array(direction))
    for tangents in (direction, list(direction), (0.5, -1, 2.0), tuple(np.float64(t) for t in direction),
                     (np.array(0.5), -1.0, 2.0)):
        assert module.jvp_untaped(*POINT, tangents) == pytest.approx(expected, rel=1e-14)
    for tangent in (0.5, 1, np.float64(0.5), (0.5,), np.array(0.5)):
        d = float(np.asarray(tangent if not isinstance(tangent, tuple) else tangent[0]))
        step = 1e-6
        difference = (module.one(0.4 + step) - module.one(0.4 - step)) / (2 * step)
        assert module.jvp_one(0.4, tangent) == pytest.approx(d * difference, rel=1e-8)
        assert module.hvp_one(0.4, tangent) == pytest.approx(
            d * (module.grad_one(0.4 + step) - module.grad_one(0.4 - step)) / (2 * step), rel=1e-7)
    with pytest.raises(ValueError, match="tangents must be a tuple with one entry per differentiable parameter"):
        module.jvp_untaped(*POINT, (0.5, 1.0))
    with pytest.raises(ValueError, match=r"tangents for parameter 'y' has shape \(2,\), but 'y' has shape \(\)"):
        module.jvp_untaped(*POINT, (0.5, np.ones(2), 1.0))
    with pytest.raises(ValueError, match=r"v for parameter 'x' has shape \(3,\)"):
        module.hvp_one(0.4, np.ones(3))
