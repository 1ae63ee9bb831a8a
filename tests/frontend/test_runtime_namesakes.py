"""Locals named like what the generated code uses (srcgrad.runtime_names).

A local called like a runtime function (exp, cube, sign, push_double, range_length) keeps its
name: generated code reaches the runtime through private module aliases, so it shadows nothing.
A local called like a name generated code spells bare (tape, np, range, a module alias such as
_math) is renamed. Either way the built function's value and gradient match the original, the
eager engine and central differences, compiled and --pure.
"""

from __future__ import annotations

import functools
import textwrap

import pytest

import fuzzing
from srcgrad.generate import generate
from srcgrad.runtime_names import BARE_NAMES

RUNTIME_NAMESAKES = textwrap.dedent("""
import math


def f(x, y, n: int):
    exp = math.exp(x) * y
    cube = exp * exp * exp
    sign = 1.0
    push_double = 0.0
    for range_length in range(n):
        push_double = push_double + sign * math.sin(cube * 0.01 + range_length)
        sign = -sign
    gradients_like = push_double * x
    return gradients_like + math.exp(y) * x
""")

BARE_NAMESAKES = textwrap.dedent("""
import math


def f(x, y, n: int):
    tape = x * y
    _math = math.cos(tape)
    _scalar = _math * _math
    for _tape in range(n):
        _scalar = _scalar * x + _tape
    return _scalar + tape
""")


@functools.lru_cache(maxsize=None)
def built(source: str, how: str):
    if how == "pure":
        return fuzzing.pure_build(source, "namesakes.py")
    return fuzzing.compiled_build(source, f"namesakes_{abs(hash(source)) % 10**8}.py")


@pytest.mark.parametrize("how", ["pure", "compiled"])
@pytest.mark.parametrize("source", [RUNTIME_NAMESAKES, BARE_NAMESAKES], ids=["runtime", "bare"])
def test_namesake_locals_against_the_original_eager_engine_and_differences(source, how):
    generated, module = built(source, how)
    assert [d.format() for d in generated.diagnostics] == []
    fuzzing.check_source(source, "f", (0.3, 0.7, 4), [0, 1], module, "f", what=how)


def test_runtime_function_namesakes_keep_their_names():
    text = generate(RUNTIME_NAMESAKES, "namesakes.py", pure=True).text
    for name in ("exp", "cube", "sign", "push_double", "range_length", "gradients_like"):
        assert f"    {name} = " in text or f"for {name} in" in text, name
        assert f"{name}_ = " not in text, name


def test_bare_namesakes_are_renamed():
    assert {"tape", "np", "range", "_math", "_scalar", "_tape"} <= BARE_NAMES
    text = generate(BARE_NAMESAKES, "namesakes.py", pure=True).text
    for name in ("tape", "_math", "_scalar"):
        assert f"    {name}_ = " in text, name
    assert "for _tape_ in range(" in text
