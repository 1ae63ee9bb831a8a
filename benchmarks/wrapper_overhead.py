"""What the Python-level wrappers of generated functions cost per call (issue 13, part 6).

    python benchmarks/wrapper_overhead.py                # compiled and --pure, one table
    python benchmarks/wrapper_overhead.py --compiled-only --repeats 21

A trivial scalar function (`square(x) = x * x`, `three(x, y, z) = x * y + z` for the cost of
each further argument, and `looped(x, n)`, three steps of s = s * x + 0.5, whose adjoint records
on the tape) is built with srcgrad, compiled and --pure. Each generated entry is called
with timeit (the statement `grad_square(x)` itself, no lambda around it); a figure is the median
over the repeats of the time per call (`--statistic min`: the minimum, for a loaded machine). The overhead of an entry is its time minus the primal's:
what argument conversion, tape set-up and result packing add to the arithmetic, which for these
functions is a few nanoseconds. Issue 13's target: under 2 µs per call for the compiled build.
A plain Python function of the same body is timed too, as the cost of any Python call here.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import timeit
import types

SOURCE = '''
def square(x: float) -> float:
    return x * x


def three(x: float, y: float, z: float) -> float:
    return x * y + z


def looped(x: float, n: int) -> float:
    s = x
    for i in range(n):
        s = s * x + 0.5
    return s
'''
TARGET_US = 2.0
# entry -> the statement timed, with x (and y, z) bound to floats
CALLS = {
    "square (primal)": "square(x)",
    "grad_square": "grad_square(x)",
    "value_and_grad_square": "value_and_grad_square(x)",
    "vjp_square": "vjp_square(x, 1.0)",
    "value_and_vjp_square": "value_and_vjp_square(x, 1.0)",
    "jvp_square": "jvp_square(x, 1.0)",
    "hvp_square": "hvp_square(x, 1.0)",
    "three (primal)": "three(x, y, z)",
    "grad_three": "grad_three(x, y, z)",
    "value_and_grad_three": "value_and_grad_three(x, y, z)",
    "vjp_three": "vjp_three(x, y, z, 1.0)",
    "jvp_three": "jvp_three(x, y, z, (1.0, 0.0, 0.0))",
    "looped (primal)": "looped(x, 3)",
    "grad_looped": "grad_looped(x, 3)",
    "value_and_grad_looped": "value_and_grad_looped(x, 3)",
    "vjp_looped": "vjp_looped(x, 3, 1.0)",
    "jvp_looped": "jvp_looped(x, 3, 1.0)",
}
PRIMAL_OF = {name: next(f"{f} (primal)" for f in ("square", "three", "looped") if f in name) for name in CALLS}


def plain_square(x):
    return x * x


def build(pure: bool):
    """The generated module of SOURCE: compiled (through the build cache) or --pure."""
    from srcgrad import build as builder
    from srcgrad.api.compiled import _import_extension
    from srcgrad.generate import generate

    generated = generate(SOURCE, "overhead.py", pure=pure)
    if pure:
        module = types.ModuleType(generated.module_name)
        exec(compile(generated.text, generated.module_name + ".py", "exec"), module.__dict__)
        return module
    binary, _ = builder.compile_cached(generated.text, generated.module_name)
    return _import_extension(binary, generated.module_name)


# how the rounds of one entry make its figure: the median, or the minimum (what a loaded machine
# disturbs least: interference only ever adds time)
STATISTICS = {"median": statistics.median, "min": min}


def per_call_us(statement: str, namespace: dict, repeats: int, seconds: float, statistic: str = "median") -> float:
    """The median (or minimum) over `repeats` rounds of the time per call, in microseconds."""
    timer = timeit.Timer(statement, globals=namespace)
    number, _ = timer.autorange()
    number = max(1, int(number * seconds / 0.2))
    return STATISTICS[statistic](timer.repeat(repeat=repeats, number=number)) / number * 1e6


def measure(module, repeats: int, seconds: float, statistic: str = "median") -> dict:
    namespace = {name: getattr(module, name) for name in dir(module) if not name.startswith("__")}
    namespace.update(x=0.3, y=0.7, z=-1.1)
    # interleaved rounds: a busy machine slows every entry alike rather than one of them
    samples = {name: [] for name in CALLS}
    for _ in range(repeats):
        for name, statement in CALLS.items():
            samples[name].append(per_call_us(statement, namespace, 1, seconds))
    return {name: STATISTICS[statistic](values) for name, values in samples.items()}


def check(module) -> None:
    """The entries compute what they should before they are timed."""
    assert module.grad_square(0.3) == 0.6 and module.value_and_grad_square(0.3) == (0.09, 0.6)
    assert module.vjp_square(0.3, 2.0) == 1.2 and module.jvp_square(0.3, 1.0) == 0.6
    assert module.grad_three(0.3, 0.7, -1.1) == (0.7, 0.3, 1.0)
    step = 1e-6
    difference = (module.looped(0.3 + step, 3) - module.looped(0.3 - step, 3)) / (2 * step)
    assert abs(module.grad_looped(0.3, 3) - difference) < 1e-8 and abs(module.jvp_looped(0.3, 3, 1.0) - difference) < 1e-8


def table(results: dict, plain: float) -> str:
    builds = list(results)
    head = "| entry | " + " | ".join(f"{b} µs/call | {b} overhead µs" for b in builds) + " |"
    lines = [head, "| --- |" + " --- | --- |" * len(builds)]
    for name in CALLS:
        cells = []
        for b in builds:
            time = results[b][name]
            overhead = time - results[b][PRIMAL_OF[name]]
            cells += [f"{time:.3f}", "" if "primal" in name else f"{overhead:.3f}"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append(f"\nA plain Python function `def plain_square(x): return x * x` takes {plain:.3f} µs/call here.")
    if "compiled" in results:
        compiled = results["compiled"]
        worst = max(compiled[n] - compiled[PRIMAL_OF[n]] for n in CALLS if "primal" not in n)
        verdict = "met" if worst < TARGET_US else "NOT met"
        lines.append(f"Compiled: the largest overhead is {worst:.3f} µs per call; target < {TARGET_US} µs: {verdict}.")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=9, help="interleaved rounds (default 9)")
    parser.add_argument("--seconds", type=float, default=0.05, help="about how long one round of one entry runs")
    parser.add_argument("--compiled-only", action="store_true")
    parser.add_argument("--statistic", choices=sorted(STATISTICS), default="median",
                        help="figure of the rounds: median (default) or min (for a loaded machine)")
    args = parser.parse_args(argv)
    results = {}
    for pure in ([False] if args.compiled_only else [False, True]):
        module = build(pure)
        check(module)
        results["pure" if pure else "compiled"] = measure(module, args.repeats, args.seconds, args.statistic)
    plain = per_call_us("plain_square(x)", {"plain_square": plain_square, "x": 0.3}, args.repeats, args.seconds,
                        args.statistic)
    figure = "medians" if args.statistic == "median" else "minima"
    print(f"Python {sys.version.split()[0]}; {figure} of {args.repeats} interleaved rounds\n")
    print(table(results, plain))
    return 0


if __name__ == "__main__":
    sys.exit(main())
