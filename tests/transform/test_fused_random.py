"""Random sum reductions, the shape fused loops and gathered adjoints apply to (the general fuzzer
draws almost none): loops over ranges of every kind (offsets -1 to +2, steps 2 and -1, ranges
that may run no iteration), accumulators added to and subtracted from, in selects and if/else,
locals, and results linear in the accumulators (fused) or not (two sweeps). Each program is
checked compiled and --pure against the original Python, the eager engine and central
differences, with jvp and hvp (fuzzing.check_source), at lengths that leave 0, 1, 2 and more
iterations."""

from __future__ import annotations

import functools
import random

import numpy as np
import pytest

from fuzzing import check_source, compiled_build, pure_build

# header, the offsets its body may read x at
RANGES = [("range(len(x))", (0,)), ("range(len(x) - 1)", (0, 1)), ("range(1, len(x) - 2)", (-1, 0, 1, 2)),
          ("range(2, len(x))", (-2, -1, 0)), ("range(0, len(x), 2)", (0,)), ("range(len(x) - 1, 0, -1)", (-1, 0)),
          ("range(m, len(x) - 1)", (0, 1))]
LINEAR = ["s1", "2.0 * s1 - s2 / 3.0 + w", "(s1 + s2) * w", "s1 / len(x) - s2 if len(x) > 0 else 0.0",
          "-s1 + 0.5 * s2"]
NONLINEAR = ["s1 * s2", "math.sin(s1) + s2", "s1 ** 2 + s2", "s1 + t"]


def _leaf(rng: random.Random, offsets: tuple, names: list) -> str:
    choice = rng.random()
    if choice < 0.55:
        offset = rng.choice(offsets)
        return "x[i]" if offset == 0 else f"x[i {'+' if offset > 0 else '-'} {abs(offset)}]"
    if choice < 0.75 and names:
        return rng.choice(names)
    return rng.choice(["w", "0.5", "1.5", "c"])


def _expr(rng: random.Random, offsets: tuple, names: list, depth: int = 2) -> str:
    if depth == 0 or rng.random() < 0.3:
        return _leaf(rng, offsets, names)
    a, b = _expr(rng, offsets, names, depth - 1), _expr(rng, offsets, names, depth - 1)
    form = rng.randrange(6)
    if form == 0:
        return f"math.sin({a})"
    if form == 1:
        return f"math.tanh({a} * {b})"
    if form == 2:
        return f"math.exp(0.3 * {a})"
    return f"({a} {rng.choice(['+', '-', '*'])} {b})"


def program(seed: int) -> tuple:
    """(source of f{seed}, whether its result is linear in the accumulators)."""
    rng = random.Random(seed)
    header, offsets = rng.choice(RANGES)
    lines = [f"def f{seed}(x: np.ndarray, w: float, m: int) -> float:", "    c = w * 0.7",
             f"    s1 = {rng.choice(['0.0', 'w * 0.5'])}", "    s2 = 0.0", "    t = 0.0", f"    for i in {header}:"]
    names = []
    for _ in range(rng.randint(1, 3)):
        kind = rng.random()
        if kind < 0.3 and "t" not in names:
            lines.append(f"        t = {_expr(rng, offsets, names)}")
            names.append("t")
        elif kind < 0.55:
            lines += [f"        if {_leaf(rng, offsets, names)} > {rng.choice(['0.0', 'w'])}:",
                      f"            s1 += {_expr(rng, offsets, names)}", "        else:",
                      f"            s2 -= {_expr(rng, offsets, names)}"]
        else:
            lines.append(f"        {rng.choice(['s1', 's2'])} {rng.choice(['+=', '-='])} {_expr(rng, offsets, names)}")
    linear = rng.random() < 0.7
    result = rng.choice(LINEAR if linear else NONLINEAR)
    if result == "s1 + t":
        lines.append("        t = x[i] * c")  # a local read after the loop
    # both accumulators vary with x and w, so a result nonlinear in either must keep two sweeps
    lines += ["        s1 += w * x[i]", "        s2 -= math.sin(x[i])", f"    return {result}"]
    return "\n".join(lines) + "\n", linear


SEEDS = list(range(80))
SOURCE = "import math\n\nimport numpy as np\n\n\n" + "\n\n".join(program(seed)[0] for seed in SEEDS)
ARGS = [(np.array([0.3, -1.2, 0.8, 1.7, -0.4, 0.6, 1.1])[:length], w, m)
        for length, w, m in ((7, 0.8, 1), (0, 0.3, 0), (1, -0.6, 0), (2, 1.1, 3), (3, 0.4, 1), (4, -0.2, 9))]


@functools.lru_cache(maxsize=None)
def built(how: str):
    return pure_build(SOURCE, "fused_random.py") if how == "pure" else compiled_build(SOURCE, "fused_random.py")


def test_the_programs_exercise_fusion_and_gathering():
    generated, _ = built("pure")
    fused = {seed for seed in SEEDS if "one pass" in generated.function_sources[f"f{seed}"]}
    linear = {seed for seed in SEEDS if program(seed)[1]}
    assert fused <= linear  # a result nonlinear in an accumulator never fuses
    assert len(fused) >= len(SEEDS) // 3, sorted(fused)
    assert any("_from = " in generated.function_sources[f"f{seed}"] for seed in fused)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("how", ["pure", "compiled"])
def test_random_reductions(how, seed):
    _, module = built(how)
    source = "import math\n\nimport numpy as np\n\n\n" + program(seed)[0]
    for args in ARGS:
        check_source(source, f"f{seed}", args, [0, 1], module, f"f{seed}", what=how)
