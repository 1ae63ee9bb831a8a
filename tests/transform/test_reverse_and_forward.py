"""Direct tests of reverse mode (transform.reverse) and forward mode (transform.jvp) on small
lowered functions: the generated code is printed as pure Python from the data alone
(emit.module, with a stand-in for the front end's module facts) and run; gradients are checked
against central finite differences and the eager engine."""

import os
import sys
from types import SimpleNamespace

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pipeline_ir import lowered  # noqa: E402

from srcgrad import ir  # noqa: E402
from srcgrad.eager import grad_of, hvp_of  # noqa: E402
from srcgrad.emit.module import ModuleEmitter  # noqa: E402
from srcgrad.transform.jvp import forward_functions  # noqa: E402
from srcgrad.transform.reverse import ReverseMode, Signature, point_calls_at_primals  # noqa: E402

SOURCE = """
import math
def f(x: float, y: float, n: int) -> float:
    out = 0.0
    for i in range(n):
        if x > 0.0:
            out = out * y + math.sin(x * i)
        else:
            out = out - y * y
        x = x * 0.9
    return out
"""


def reference(x, y, n):  # the same function, in NumPy so the eager engine traces it
    out = 0.0
    for i in range(n):
        if x > 0.0:
            out = out * y + np.sin(x * i)
        else:
            out = out - y * y
        x = x * 0.9
    return out


def code_of(source: str):
    function, result, names, facts = lowered(source)
    params = [(p, function.var_types[p]) for p, _ in function.params]
    differentiable = [p for p, k in params if k == ir.DOUBLE]
    signature = Signature("f", params, function.return_type, differentiable, "_f_primal", "_f_adjoint",
                          "_f_jvp", "_f_hvp")
    return ReverseMode(function, result, names, {"f": signature}, {}).generate(), facts


def compiled(source: str) -> dict:
    code, facts = code_of(source)
    forward = forward_functions(code, {"f": code}, third_order=False)
    primal_of = {"f": "_f_primal"}
    code.primal_body = point_calls_at_primals(code.primal_body, primal_of)
    code.adjoint_body = point_calls_at_primals(code.adjoint_body, primal_of)
    stand_in = SimpleNamespace(constants={}, constant_order=[], lines=source.splitlines()[1:], arrays={},
                               arrays_read=False, top_level=[], functions={}, array_constant_lines=lambda pure: [])
    emitter = ModuleEmitter(stand_in, "small.py", "small_grad", True, {"f": []}, {})
    text, _ = emitter.emit(["f"], {"f": code}, {"f": forward}, {})
    namespace = {}
    exec(compile(text, "small_grad.py", "exec"), namespace)
    return namespace


def central(fn, point, k, h=1e-6):
    up, down = list(point), list(point)
    up[k] += h
    down[k] -= h
    return (fn(*up) - fn(*down)) / (2 * h)


def test_the_tape_records_only_the_overwritten_values_the_adjoint_reads():
    code, _ = code_of(SOURCE)
    assert code.signature.differentiable == ["x", "y"]
    # the if/else of two safe assignments became a select: no branch is recorded
    assert code.taped == ["out: 1 double per iteration (line 7)", "x: 1 double per iteration (line 10)"]
    pushes = [s.args[1] for s in ir.walk_generated(code.adjoint_body) if isinstance(s, ir.GCall)
              and s.func == "push_double"]
    assert sorted(p.id for p in pushes) == ["out", "x"]


@pytest.mark.parametrize("point", [(0.7, 1.3, 4), (-0.4, 0.8, 3), (0.05, -1.1, 6)])
def test_reverse_mode_matches_finite_differences_and_the_eager_engine(point):
    module = compiled(SOURCE)
    value, (gx, gy) = module["value_and_grad_f"](*point)
    assert value == pytest.approx(reference(*point), rel=1e-12)
    for k, g in enumerate((gx, gy)):
        assert g == pytest.approx(central(reference, point, k), rel=1e-6, abs=1e-8)
    eager = grad_of(reference, point, (0, 1))
    assert [gx, gy] == pytest.approx([float(e) for e in eager], rel=1e-12)


@pytest.mark.parametrize("point", [(0.7, 1.3, 4), (-0.4, 0.8, 3)])
def test_forward_mode_jvp_and_hvp_match_finite_differences_and_the_eager_engine(point):
    module = compiled(SOURCE)
    direction = (0.3, -0.5)
    jvp = module["jvp_f"](*point, direction)
    gx, gy = module["grad_f"](*point)
    assert jvp == pytest.approx(direction[0] * gx + direction[1] * gy, rel=1e-12)
    hv = module["hvp_f"](*point, direction)

    def gradient_along(k):
        return lambda x, y, n: module["grad_f"](x, y, n)[k]

    for k in range(2):
        expected = sum(d * central(gradient_along(k), point, j) for j, d in enumerate(direction))
        assert hv[k] == pytest.approx(expected, rel=1e-5, abs=1e-7)
    eager = hvp_of(reference, point, (0, 1), direction)
    assert list(hv) == pytest.approx([float(e) for e in eager], rel=1e-10)
