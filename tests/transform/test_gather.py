"""Gathered stencil adjoints (issue 13 part 3): in a fused loop, an adjoint array the body adds to
at i + c (c = -1, +1, +2, ...) is written once per element, by one statement gathering the
terms of every offset, with the iterations near the range's ends peeled (transform/gather.py).
Checked for structure, and every way a user differentiates (central differences, the eager
engine, jvp, hvp; compiled and --pure) at lengths that leave 0, 1, 2 and more iterations, and
negative trip counts."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from every_mode import check_every_mode
from srcgrad.generate import generate
from support import PROGRAMS, compiled_module, pure_module

PATH = str(PROGRAMS / "fused_loops.py")


@functools.lru_cache(maxsize=None)
def adjoint_source(name: str, pure: bool = True) -> str:
    generated = generate(open(PATH).read(), PATH, pure=pure)
    source = generated.function_sources[name]
    start = source.index(f"_{name}_adjoint(")
    return source[start:source.index("\ndef ", start + 1)]


def loops_of(source: str) -> list:
    """(header, body lines) of each loop at the adjoint's top level."""
    lines = source.splitlines()
    found = []
    for k, line in enumerate(lines):
        if line.startswith("    for "):
            body = []
            for inner in lines[k + 1:]:
                if not inner.startswith("        "):
                    break
                body.append(inner.strip())
            found.append((line.strip(), body))
    return found


def main_loop(name: str) -> list:
    [(header, body)] = [(h, b) for h, b in loops_of(adjoint_source(name)) if h.endswith("one pass")]
    return body


def test_rosenbrock_writes_each_element_once_in_its_main_loop():
    body = main_loop("rosenbrock")
    writes = [line for line in body if line.startswith("b_x[")]
    assert writes == [writes[0]] and writes[0].startswith("b_x[i] += ")
    # the term of the iteration before, recomputed from the loop variable
    assert "(x[i] - x[i - 1] ** 2)" in writes[0]
    assert not any("if " in line for line in body)  # the main loop tests nothing
    headers = [h for h, _ in loops_of(adjoint_source("rosenbrock"))]
    assert headers[0].startswith("for i in range(0, i_from):") and "first iterations" in headers[0]
    assert headers[1].startswith("for i in range(i_from, x.shape[0] - 1):")
    assert headers[2].startswith("for i in range(x.shape[0] - 1, x.shape[0]):") and "after the range" in headers[2]
    assert "i_from = _scalar.imin(1, x.shape[0] - 1)" in adjoint_source("rosenbrock")


def test_huber_merges_its_two_writes_of_an_element():
    writes = [line for line in main_loop("huber") if line.startswith("b_x[")]
    # the only write of b_x, once per element: a store into uninitialised memory (transform/write_once.py)
    assert len(writes) == 1 and writes[0].startswith("b_x[i] = ")


def test_the_sum_comes_last_when_selects_follow_it():
    """GCC does not vectorise a reduction a later select on the same condition is threaded
    through (huber, -fopt-info-vec: "unsupported use in stmt"): the term is kept, the sum last."""
    body = main_loop("huber")
    assert body[1].startswith("total_term = 0.5 * x[i] * x[i] if a <= delta else")
    assert body[-1] == "total = total + total_term"
    assert "total = total + (100.0" in "\n".join(main_loop("rosenbrock"))  # no select: as written


def test_offsets_minus_one_to_plus_two_peel_both_ends():
    source = adjoint_source("stencil")
    headers = [h for h, _ in loops_of(source)]
    assert [h.split(":")[0] for h in headers] == [
        "for i in range(0, 1)", "for i in range(1, i_from)", "for i in range(i_from, i_to)",
        "for i in range(i_to, x.shape[0] - 2)", "for i in range(x.shape[0] - 2, x.shape[0])"]
    assert "i_from = _scalar.imin(3, x.shape[0] - 2)" in source and "i_to = _scalar.imax(i_from, x.shape[0] - 3)" in source
    writes = [line for line in main_loop("stencil") if line.startswith("b_x[")]
    assert len(writes) == 1
    for shifted in ("x[i + 1]", "x[i - 2]", "x[i - 1]"):
        assert shifted in writes[0]
    assert "i - (-" not in source


def test_two_arrays_are_gathered_each():
    writes = [line for line in main_loop("two_arrays") if line.startswith(("b_x[", "b_y["))]
    assert sorted(w[:8] for w in writes) == ["b_x[i] +", "b_y[i] +"]


def test_a_term_that_cannot_be_recomputed_stays_a_scatter():
    body = main_loop("not_gathered")
    assert any(line.startswith("b_x[i + 1] += ") for line in body)


def test_a_descending_range_is_fused_not_gathered():
    [(header, body)] = loops_of(adjoint_source("backwards_stencil"))
    assert "one pass" in header and any(line.startswith("b_x[i - 1] += ") for line in body)


def test_the_cython_output_gathers_too():
    source = adjoint_source("rosenbrock", pure=False)
    assert "for i in range(i_from, x.shape[0] - 1):" in source
    assert "b_x[i + 1]" not in source


X7 = np.array([0.3, -1.2, 0.8, 1.7, -0.4, 0.6, 1.1])
CASES = [("stencil", (X7[:length], 0.7), (np.linspace(-1.0, 1.0, length), 0.5)) for length in range(0, 8)] + [
    ("rosenbrock", (X7[:length],), (np.linspace(-1.0, 1.0, length),)) for length in range(0, 8)] + [
    ("two_arrays", (X7[:length], X7[::-1][:length] * 0.5, 0.9), (np.full(length, 0.3), np.full(length, -0.2), 1.0))
    for length in range(0, 8)] + [
    ("not_gathered", (X7, 0.6), (np.full(7, 0.3), 1.0)),
    ("backwards_stencil", (X7,), (np.full(7, 0.3),)),
    ("backwards_stencil", (X7[:1],), (np.full(1, 0.3),)),
    ("huber", (X7, 0.9), (np.full(7, 0.3), 1.0)),
]


@pytest.mark.parametrize("name,args,direction", CASES,
                         ids=[f"{c[0]}-{len(c[1][0])}-{k}" for k, c in enumerate(CASES)])
@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_every_mode(build, name, args, direction):
    check_every_mode(build, PATH, name, args, direction)
