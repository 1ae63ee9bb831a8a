"""Lowering (flags for return/break/continue, hoisted calls), type inference and activity."""

from __future__ import annotations

from srcgrad import ir
from srcgrad.analysis.activity import active_variables
from srcgrad.analysis.types import infer
from srcgrad.frontend.parse import FunctionReader, read_module
from srcgrad.transform.lower import Names, lower, user_names


def lowered(source: str, name: str = "f"):
    facts = read_module(source, "m.py")
    function = FunctionReader(facts, facts.functions[name]).read()
    result = lower(function, Names(user_names(function)))
    return function, result


def test_single_tail_return_needs_no_flag():
    function, result = lowered("def f(x):\n    y = x * 2.0\n    return y + 1.0\n")
    assert [type(s).__name__ for s in function.body] == ["Assign", "Assign"]
    assert function.body[-1].target == result == "result"


def test_return_in_a_loop_sets_a_flag_guards_the_rest_and_leaves_the_loop():
    function, result = lowered(
        "def f(x, n: int):\n    for i in range(n):\n        x = x * 2.0\n        if x > 5.0:\n"
        "            return x\n        x = x - 1.0\n    return -x\n")
    loop = next(s for s in function.body if isinstance(s, ir.For))
    assert loop.exit_flag == ir.Name("returned")
    guard = loop.body[-1]
    assert isinstance(guard, ir.If) and guard.test == ir.Unary("not", ir.Name("returned"))
    tail = function.body[-1]
    assert isinstance(tail, ir.If) and tail.body[0].target == result


def test_continue_resets_its_flag_each_iteration():
    function, _ = lowered(
        "def f(x, n: int):\n    for i in range(n):\n        if i == 2:\n            continue\n"
        "        x = x * 1.5\n    return x\n")
    loop = function.body[0]
    assert loop.body[0] == ir.Assign(loop.line, loop.column, "skip_rest", ir.Const(False))
    assert loop.exit_flag is None


def test_calls_are_hoisted_out_of_expressions():
    function, _ = lowered("def g(u):\n    return u * u\n\n\ndef f(x):\n    return 2.0 * g(g(x))\n")
    first, second, last = function.body
    assert first.value == ir.UserCall("g", (ir.Name("x"),)) and first.target == "g_value"
    assert second.value == ir.UserCall("g", (ir.Name("g_value"),))
    assert last.value == ir.BinOp("*", ir.Const(2.0), ir.Name("g_value2"))


def test_names_never_collide_with_user_names():
    function, result = lowered("def f(result, returned):\n    if result > 0.0:\n        return result\n"
                               "    return returned\n")
    assert result == "result2"


def test_types_follow_pythons_numeric_tower():
    function, result = lowered(
        "def f(x, n: int):\n    k = n // 2\n    m = n / 2\n    c = n > 3\n    y = 1\n    y = y * x\n"
        "    for i in range(k):\n        m = m + i\n    return y + m\n")
    infer(function, result, {})
    types = function.var_types
    assert (types["x"], types["n"], types["k"], types["m"], types["c"], types["y"], types["i"]) == (
        ir.DOUBLE, ir.INT, ir.INT, ir.DOUBLE, ir.BOOL, ir.DOUBLE, ir.INT)


def test_unannotated_range_bound_is_an_integer_parameter():
    function, result = lowered("def f(x, n):\n    for i in range(n):\n        x = x * 2.0\n    return x\n")
    infer(function, result, {})
    assert function.var_types["n"] == ir.INT and function.var_types["x"] == ir.DOUBLE


def test_activity_keeps_only_what_depends_on_inputs_and_reaches_the_result():
    function, result = lowered(
        "def f(x, y):\n    unused = x * 3.0\n    constant = 2.0\n    scaled = constant * x\n"
        "    return scaled + constant\n")
    infer(function, result, {})
    assert active_variables(function, result) == {"x", "scaled", result}
