"""benchmarks/corpus.py's checks (issue 12's speed targets), without timing anything: the hand
NumPy gradients of benchmarks/whole_array_hand.py against central differences of
whole_array.py and against srcgrad's build of it, and the compiled-against-eager agreement the
fallback comparison checks before timing, on one corpus file. Never asserts times."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import corpus  # noqa: E402
import whole_array  # noqa: E402
import whole_array_hand  # noqa: E402
from support import assert_close, central_differences  # noqa: E402


@pytest.fixture(scope="module")
def built():
    return corpus.load_whole_array()


def _wrt_positions(name):
    parameters = {"softmax_cross_entropy": ("W", "X", "Y"), "least_squares": ("w", "X", "y"),
                  "logistic_loss": ("w", "X", "y"), "mlp_layer": ("W", "b", "v", "X", "y")}.get(name, ("x",))
    return [parameters.index(p) for p in corpus.WRT.get(name, ("x",))]


@pytest.mark.parametrize("n", corpus.SIZES["check"])
@pytest.mark.parametrize("name", corpus.NAMES)
def test_hand_gradient_matches_central_differences_and_srcgrad(name, n, built):
    args = corpus.make_args(name, n, seed=n)
    f = getattr(whole_array, name)
    value, hand = getattr(whole_array_hand, "value_and_grad_" + name)(*args)
    assert value == pytest.approx(f(*args), rel=1e-12)
    hand = corpus._as_tuple(hand, corpus.wrt_count(name))
    assert_close(hand, central_differences(f, args, _wrt_positions(name)), 1e-6, 1e-7, f"{name} hand vs differences")
    srcgrad_value, srcgrad = getattr(built, "value_and_grad_" + name)(*args)
    assert srcgrad_value == pytest.approx(value, rel=1e-12)
    assert_close(corpus._as_tuple(srcgrad, corpus.wrt_count(name)), hand, 1e-10, 1e-12, f"{name} srcgrad vs hand")
    assert corpus.srcgrad_against_hand(built, name, args) is None
    assert corpus.hand_against_differences(name, args) is None


@pytest.mark.parametrize("name", corpus.NAMES)
def test_checks_catch_a_wrong_gradient(name, monkeypatch, built):
    """What corpus.py checks before timing rejects a hand gradient off by 0.1%."""
    args = corpus.make_args(name, 50)
    assert corpus.hand_against_differences(name, args) is None
    right = getattr(whole_array_hand, "value_and_grad_" + name)

    def wrong(*a):
        value, gradient = right(*a)
        return value, tuple(g * 1.001 for g in gradient) if isinstance(gradient, tuple) else gradient * 1.001

    monkeypatch.setattr(whole_array_hand, "value_and_grad_" + name, wrong)
    assert corpus.hand_against_differences(name, args) is not None
    assert corpus.srcgrad_against_hand(built, name, args) is not None


def test_compiled_agrees_with_the_eager_tape_on_a_corpus_file():
    cases, skipped = corpus.corpus_cases(files=["outside_style.py"])
    assert len(cases) >= 5 and skipped == {"fallback": 0, "stops the build": 0}
    for case in cases:
        assert case.disagreement() is None
        values = [v for v, _ in case.compiled()]
        eager_values = [v for v, _ in case.eager()]
        assert_close(values, eager_values, 1e-12, 1e-12, f"{case.name} values")


def test_the_report_tables():
    results = {"command": "python benchmarks/corpus.py --quick", "date": "2026-01-01T00:00:00+00:00",
               "machine": {"commit": "abc", "load_before": "1.00", "load_after": "2.00"}, "repeats": 3,
               "problems": [],
               "fallback": {"rows": [{"file": "a.py", "name": "slow", "points": 2, "compiled": 2e-3, "fallback": 1e-3,
                                      "speedup": 0.5, "fastest_speedup": 0.8},
                                     {"file": "a.py", "name": "fast", "points": 3, "compiled": 1e-6, "fallback": 1e-3,
                                      "speedup": 1000.0, "fastest_speedup": 900.0}],
                            "skipped": {"fallback": 4, "stops the build": 0}},
               "hand": {"sizes": [10], "rows": [{"name": "rosenbrock", "n": 10, "srcgrad": 3e-6, "hand": 2e-6,
                                                 "ratio": 1.5, "fastest_ratio": 1.1}]}}
    text = corpus.render(results)
    assert "Minimum fallback / compiled: **0.5x** (a.py::slow)" in text
    assert "slower compiled than fallen back: 1 by medians, 1 by the fastest samples." in text
    assert "| a.py | fast | 3 | 1.0 µs | 1.00 ms | 1,000.0x | 900.0x |" in text
    assert "| rosenbrock | 1.50x | 1.10x | 2.0 µs |" in text
    assert "Within 1.2x: 0 of 1 by medians, 1 by the fastest samples" in text
