"""Direct tests of analysis.recording and analysis.bounds on small lowered functions, and of
ir.reads_of, which every analysis uses."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pipeline_ir import assignments, lowered  # noqa: E402

from srcgrad import ir  # noqa: E402
from srcgrad.analysis import bounds  # noqa: E402
from srcgrad.analysis.activity import stable_names  # noqa: E402
from srcgrad.analysis.recording import (elements_written_once, names_read, reader_counts,  # noqa: E402
                                        recomputation_plan, recording_plan)

POWER = """
def f(x: float, n: int) -> float:
    out = 1.0
    for i in range(n):
        out = out * x
    return out
"""


def test_reads_of_counts_the_indices_of_an_element_write():
    write = ir.Assign(1, 1, "y", ir.Name("v"), index=(ir.Name("i"), ir.Name("j") + 1))
    assert ir.reads_of(write) == [ir.Name("v"), ir.Name("i"), ir.Name("j") + 1]
    loop = ir.For(1, 1, "k", ir.Const(0), ir.Name("n"), ir.Const(1), [write])
    assert ir.reads_of(loop) == [ir.Const(0), ir.Name("n"), ir.Const(1)]
    assert names_read(loop) == {"n", "v", "i", "j"}


def test_an_overwritten_value_its_adjoint_reads_is_recorded():
    function, _, _, _ = lowered(POWER)
    (first, update) = assignments(function, "out")
    # the adjoint of `out = out * x` reads out (for b_x) and x (for b_out)
    record = recording_plan(function, {id(first): set(), id(update): {"out", "x"}})
    assert record[id(update)] is True
    assert record[id(first)] is False


def test_nothing_is_recorded_when_no_adjoint_reads_the_old_value():
    function, _, _, _ = lowered(POWER)
    (first, update) = assignments(function, "out")
    record = recording_plan(function, {id(first): set(), id(update): {"x"}})
    assert record[id(update)] is False and record[id(first)] is False
    assert set(record.values()) == {False}  # nor the loop variable, nor `result = out`


def test_a_loop_local_value_of_stable_inputs_is_recomputed():
    function, _, _, facts = lowered("""
import numpy as np
def f(x: np.ndarray, n: int) -> float:
    s = 0.0
    for i in range(n):
        a = abs(x[i])
        s = s + a * a
    return s
""")
    recomputed, variables = recomputation_plan(function, stable_names(function, facts.constants))
    assert variables == {"a"}
    (loop,) = [s for s in function.body if isinstance(s, ir.For)]
    assert [s.target for s in recomputed[id(loop)]] == ["a"]


def test_a_value_read_before_it_is_set_in_the_body_is_not_recomputed():
    function, _, _, facts = lowered("""
def f(x: float, n: int) -> float:
    s = 0.0
    a = 0.0
    for i in range(n):
        s = s + a
        a = x * i
    return s
""")
    recomputed, variables = recomputation_plan(function, stable_names(function, facts.constants))
    assert variables == set() and recomputed == {}


def test_each_element_written_once_is_not_taped_but_a_rewrite_is():
    source = """
import numpy as np
def f(x: np.ndarray, n: int) -> float:
    y = np.zeros(n)
    for i in range(n):
        y[i] = x[i] * 2.0
    s = 0.0
    for i in range(n):
        s = s + y[i]
    return s
"""
    function, _, _, _ = lowered(source)
    (write,) = [s for s in assignments(function, "y") if s.index is not None]
    assert elements_written_once(function) == {id(write)}
    function, _, _, _ = lowered(source.replace("y[i] = x[i] * 2.0", "y[i] = x[i] * 2.0\n        y[i] = y[i] * y[i]"))
    assert elements_written_once(function) == set()


def test_reader_counts_count_statements_not_occurrences():
    function, _, _, _ = lowered(POWER)
    counts = reader_counts(function)
    assert counts["x"] == 1 and counts["out"] == 2  # `out * x` and `result = out`
    assert counts["n"] == 1


def test_a_bounds_check_is_hoisted_before_the_loop_from_both_ends_of_the_range():
    function, _, _, _ = lowered("""
import numpy as np
def f(x: np.ndarray, n: int) -> float:
    s = 0.0
    for i in range(1, n):
        s = s + x[i - 1]
    return s
""")
    plan = bounds.plan(function)
    (loop,) = [s for s in function.body if isinstance(s, ir.For)]
    (check,) = plan.before_loop[id(loop)]
    assert check.array == "x" and plan.before_statement == {}
    shape = ir.Call("shape", (ir.Name("x"), ir.Const(0)))
    # the loop runs (1 < n) and either end is out of bounds: i - 1 at i = 1 and at i = n - 1
    assert ir.names_in(check.condition) == {"n", "x"}
    assert ir.Compare(">=", ir.Const(0), shape) in ir.children(check.condition.values[1])


def test_an_index_the_loop_does_not_move_regularly_is_checked_at_its_statement():
    function, _, _, _ = lowered("""
import numpy as np
def f(x: np.ndarray, n: int) -> float:
    s = 0.0
    for i in range(n):
        s = s + x[i * i]
    return s
""")
    plan = bounds.plan(function)
    assert plan.before_loop == {}
    (checks,) = plan.before_statement.values()
    assert [c.array for c in checks] == ["x"]
