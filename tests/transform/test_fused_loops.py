"""Fused loops (issue 13 part 2): a sum reduction's value and adjoint in one pass, no tape and no
second sweep, where srcgrad.analysis.fusion proves the accumulator's adjoint known before the
loop; near misses keep two sweeps. Every function of tests/programs/fused_loops.py is checked
every way a user differentiates it (value, gradient against central differences and the eager
engine, jvp, hvp), compiled and --pure, at trip counts 0, 1, 2 and more, and negative ones."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from every_mode import check_every_mode
from fuzzing import check_source, compiled_build, pure_build
from srcgrad.generate import generate
from support import PROGRAMS, compiled_module, pure_module

PATH = str(PROGRAMS / "fused_loops.py")

FUSED = ["rosenbrock", "huber", "logistic", "between", "scaled_mean", "two_moments", "retaped_within", "set_before",
         "inner_power", "branch_inside", "stencil", "scalar_loop", "exp_in_arm", "penalised_logistic", "rebound_after"]
TWO_SWEEPS = ["variance", "squared_sum", "guarded_sum", "reset_inside", "reads_itself", "local_read_after",
              "parameter_reassigned_after", "counted"]


@functools.lru_cache(maxsize=None)
def adjoint_source(name: str) -> str:
    generated = generate(open(PATH).read(), PATH, pure=True)
    source = generated.function_sources[name]
    start = source.index(f"def _{name}_adjoint(")
    return source[start:source.index("\ndef ", start + 1)]


def outer_loop_lines(source: str) -> list:
    return [line for line in source.splitlines() if line.startswith("    for ")]


@pytest.mark.parametrize("name", FUSED)
def test_sum_reductions_run_value_and_adjoint_in_one_pass(name):
    source = adjoint_source(name)
    if name == "penalised_logistic":  # two loops, each fused
        assert [("one pass" in line) for line in outer_loop_lines(source)] == [True, True]
        assert "reversed" not in source
        return
    loops = outer_loop_lines(source)
    # one loop, or its iterations split where the gathered adjoint peels the range's ends
    # (test_gather.py), plus the loops over the elements just outside it
    assert all("value and adjoint in one pass" in line or "the range" in line for line in loops), loops
    assert sum("value and adjoint in one pass" in line and "iterations" not in line for line in loops) == 1
    reverse_sweep = source[source.index("# reverse sweep"):]
    assert " for " not in reverse_sweep  # no second sweep over the data


@pytest.mark.parametrize("name", [n for n in FUSED if n not in ("retaped_within", "set_before", "inner_power", "rebound_after")])
def test_fused_loops_keep_no_tape(name):
    assert "push_" not in adjoint_source(name) and "pop_" not in adjoint_source(name)


def test_a_value_overwritten_within_an_iteration_is_pushed_and_popped_in_it():
    source = adjoint_source("retaped_within")
    fused = source[source.index("one pass"):source.index("# reverse sweep")]
    assert fused.count("_tape.push_double(tape, z)") == 1 and fused.count("z = _tape.pop_double(tape)") == 1
    assert "reserve" not in source  # the tape never holds more than one iteration's values


def test_the_accumulators_adjoint_is_the_cotangent_times_its_coefficient():
    assert "b_tmp = 100.0 * b_result * (2 * (x[i + 1] - x[i] ** 2))" in adjoint_source("rosenbrock")
    assert "b_loss_in_loop = 1.0 / n * b_result" in adjoint_source("logistic")
    assert "b_total_in_loop = (scale * (1.0 / n) + 1.0 / n) * b_result" in adjoint_source("scaled_mean")
    two = adjoint_source("two_moments")
    assert "b_s1_in_loop = -(3.0 * (1.0 / n)) * b_result" in two or "b_s1_in_loop" in two
    assert "b_s2_in_loop = 1.0 / n * b_result" in two


def test_a_call_the_adjoint_repeats_is_made_once():
    """logistic's adjoint needs exp(-y[i] * z), which its forward statement computes."""
    source = adjoint_source("logistic")
    assert source.count("_math.exp(") == 1
    fused = source[source.index("one pass"):]
    assert fused.index("exp_value = _math.exp(-(y[i] * z))") < fused.index("loss = loss + _math.log(1.0 + exp_value)")
    # made only in a select's arm by the forward statement: the adjoint makes its own call
    assert adjoint_source("exp_in_arm").count("_math.exp(") == 2


def test_independent_inner_adjoint_loops_run_in_order():
    source = adjoint_source("logistic")
    assert "for j in range(d):  # line 33, adjoint, in order" in source and "range(d - 1, -1, -1)" not in source
    # b_p = b_p * x[i] carries the adjoint from one iteration to the next: reversed
    assert "for j in range(k - 1, -1, -1):  # line 169, reversed" in adjoint_source("inner_power")


@pytest.mark.parametrize("name", TWO_SWEEPS)
def test_near_misses_keep_two_sweeps(name):
    source = adjoint_source(name)
    assert "one pass" not in source
    assert "reversed" in source[source.index("# reverse sweep"):]


X5 = np.array([0.3, -1.2, 0.8, 1.7, -0.4])
CASES = [
    ("rosenbrock", (X5,), (np.array([1.0, -0.5, 0.25, 0.3, -0.2]),)),
    ("huber", (np.array([0.3, -1.2, 0.8, 1.7, -0.4, 0.05]), 0.9), (np.linspace(-1.0, 1.0, 6), 0.5)),
    ("logistic", (np.array([0.4, -0.3, 0.2]), np.array([[1.0, 0.5, -0.2], [0.3, -1.1, 0.7], [-0.6, 0.2, 0.9],
                                                         [0.8, 0.1, -0.4]]), np.array([1.0, -1.0, -1.0, 1.0])),
     (np.array([1.0, -0.5, 0.25]), np.full((4, 3), 0.3), np.array([0.5, -0.5, 1.0, 0.25]))),
    ("scaled_mean", (X5, 1.3, 0.7), (np.full(5, 0.4), 1.0, -0.5)),
    ("two_moments", (X5, 0.9), (np.full(5, -0.3), 1.0)),
    ("variance", (X5, 0.9), (np.full(5, -0.3), 1.0)),
    ("squared_sum", (X5,), (np.full(5, 0.3),)),
    ("guarded_sum", (X5,), (np.full(5, 0.3),)),
    ("guarded_sum", (X5 * 0.1,), (np.full(5, 0.3),)),
    ("reset_inside", (X5, 0.6), (np.full(5, 0.3), 1.0)),
    ("reads_itself", (X5, ), (np.full(5, 0.3),)),
    ("local_read_after", (X5, 0.6), (np.full(5, 0.3), 1.0)),
    ("parameter_reassigned_after", (X5, 0.6), (np.full(5, 0.3), 1.0)),
    ("retaped_within", (X5, 0.6), (np.full(5, 0.3), 1.0)),
    ("set_before", (X5, 0.6), (np.full(5, 0.3), 1.0)),
    ("inner_power", (X5, 3), (np.full(5, 0.3),)),
    ("branch_inside", (X5, 0.6), (np.full(5, 0.3), 1.0)),
    ("counted", (X5,), (np.full(5, 0.3),)),
    ("stencil", (np.array([0.3, -1.2, 0.8, 1.7, -0.4, 0.6, 1.1]), 0.7), (np.linspace(-1.0, 1.0, 7), 0.5)),
    ("scalar_loop", (0.4, 0.3, 7), (1.0, -0.5)),
    ("strided", (np.linspace(-1.0, 1.3, 8), 0.6), (np.full(8, 0.3), 1.0)),
    ("exp_in_arm", (X5, 0.6), (np.full(5, 0.3), 1.0)),
    ("penalised_logistic", (np.array([0.4, -0.3, 0.2]), np.array([[1.0, 0.5, -0.2], [0.3, -1.1, 0.7]]),
                            np.array([1.0, -1.0]), 0.3),
     (np.array([1.0, -0.5, 0.25]), np.full((2, 3), 0.3), np.array([0.5, -0.5]), 1.0)),
    ("rebound_after", (X5, 0.6, 3), (np.full(5, 0.3), 1.0)),
]


@pytest.mark.parametrize("name,args,direction", CASES, ids=[f"{c[0]}-{k}" for k, c in enumerate(CASES)])
@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_every_mode(build, name, args, direction):
    check_every_mode(build, PATH, name, args, direction)


# trip counts 0, 1, 2, 3 (and a range(-1) for an empty x in rosenbrock)
EDGES = [("rosenbrock", (np.arange(length) * 0.4 - 0.3,), (np.ones(length),)) for length in (1, 2, 3, 4)] + [
    ("rosenbrock", (np.zeros(0),), (np.zeros(0),)),
    ("huber", (np.zeros(0), 0.5), (np.zeros(0), 1.0)),
    ("huber", (np.array([0.7]), 0.5), (np.array([1.0]), 1.0)),
    ("stencil", (np.array([0.3, -1.2, 0.8]), 0.7), (np.ones(3), 1.0)),  # range(1, 1): no iteration
    ("stencil", (np.array([0.3, -1.2, 0.8, 0.5]), 0.7), (np.ones(4), 1.0)),  # one
    ("stencil", (np.array([0.3, -1.2, 0.8, 0.5, 0.9]), 0.7), (np.ones(5), 1.0)),  # two
    ("stencil", (np.array([0.3]), 0.7), (np.ones(1), 1.0)),  # range(1, -1): negative
    ("scalar_loop", (0.4, 0.3, 0), (1.0, -0.5)),
    ("scalar_loop", (0.4, 0.3, -3), (1.0, -0.5)),
    ("scalar_loop", (0.4, 0.3, 1), (1.0, -0.5)),
    ("logistic", (np.array([0.4, -0.3]), np.array([[1.0, 0.5]]), np.array([-1.0])),
     (np.array([1.0, -0.5]), np.full((1, 2), 0.3), np.array([0.5]))),
    ("strided", (np.array([0.2]), 0.6), (np.ones(1), 1.0)),
    ("strided", (np.array([0.2, -0.4]), 0.6), (np.ones(2), 1.0)),
    ("inner_power", (X5, 0), (np.full(5, 0.3),)),
]


@pytest.mark.parametrize("name,args,direction", EDGES, ids=[f"{c[0]}-{k}" for k, c in enumerate(EDGES)])
@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_every_mode_at_the_edges(build, name, args, direction):
    check_every_mode(build, PATH, name, args, direction)


@pytest.mark.parametrize("lo,hi", [(2, 2), (3, 1), (0, 1), (1, 3), (0, 5), (4, 5), (5, -2)])
@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_ranges_of_every_length(build, lo, hi):
    check_every_mode(build, PATH, "between", (X5, lo, hi, 0.8), (np.full(5, 0.3), 1.0))


SOURCES = {
    # the accumulator is the returned variable itself, read by an int conversion after: no fusion
    "truncated": ("def f(x, w):\n    total = 0.0\n    for i in range(4):\n        total += w * x * i\n"
                  "    k = int(total)\n    return total + k\n", (0.7, 1.3)),
    # an accumulator subtracted from, and one added to from the right
    "subtracted": ("import math\ndef f(x, w):\n    a = 0.0\n    b = 1.0\n    for i in range(5):\n"
                   "        a -= math.sin(x * i + w)\n        b = x * w * i + b\n    return 2.0 * a - b / 3.0\n",
                   (0.4, -0.9)),
    # the result's adjoint reaches the accumulator through a chain of copies
    "chain": ("def f(x, w):\n    s = 0.0\n    for i in range(3):\n        s += x ** (i + 1) * w\n    t = s\n"
              "    u = t * 0.5 - w\n    return u + t\n", (0.8, 1.1)),
}


@pytest.mark.parametrize("key", sorted(SOURCES))
@pytest.mark.parametrize("how", ["pure", "compiled"])
def test_small_programs_against_the_original_and_the_eager_engine(key, how):
    source, args = SOURCES[key]
    generated, module = pure_build(source, f"fused_{key}.py") if how == "pure" else \
        compiled_build(source, f"fused_{key}.py")
    check_source(source, "f", args, [0, 1], module, "f", what=how)
    fused = "one pass" in generated.function_sources["f"]
    assert fused == (key != "truncated"), key
