#!/usr/bin/env python
"""Issue 12's two speed targets, measured: compiled against fallen back, and against hand NumPy.

    python benchmarks/corpus.py            # about 5 minutes on 2 cores; writes benchmarks/CORPUS_RESULTS.md
    python benchmarks/corpus.py --quick    # small sizes, few rounds; writes into benchmarks/build/

1. Fallback: every function of the corpus (tests/corpus/*.py) that compiles, on the corpus test's
   own points (tests/test_corpus.py): its compiled value_and_grad_NAME against the eager tape
   computing the same (value, gradient), as generated code does for a function it falls back on
   (srcgrad.eager.fallback.eager_value_and_gradient of the original Python). One sample calls the
   function at all its points. Target: fallback / compiled >= 1 for every function.
2. Hand NumPy: the whole-array objectives of whole_array.py, built with srcgrad (the losses with
   respect to their weights, WRT below, as `srcgrad build --wrt` does), value_and_grad_NAME
   against the hand-written gradient of whole_array_hand.py at n = 10, 1,000 and 100,000 (--quick:
   10 and 1,000). Target: srcgrad / hand <= 1.2.

Before timing, the gradients are checked: compiled against the eager engine (part 1); the hand
gradient against central differences along random directions and srcgrad against the hand
gradient (part 2). A disagreement is listed under "Problems found", not timed, and makes the exit
status 1. Timing is run.py's: one thread, the two implementations interleaved round robin (the
order rotated each round), garbage collection off, medians.
"""

from __future__ import annotations

import argparse
import datetime
import inspect
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

import run  # noqa: E402  (pins every library to one thread before NumPy is imported)

import numpy as np  # noqa: E402

import whole_array_hand  # noqa: E402

WHOLE_ARRAY = HERE / "whole_array.py"
NAMES = ("rosenbrock", "rastrigin", "ackley", "griewank", "styblinski_tang", "dixon_price", "levy",
         "softmax_cross_entropy", "least_squares", "logistic_loss", "mlp_layer")
# the losses' gradients are taken with respect to their weights, as a user fitting them asks
WRT = {"softmax_cross_entropy": ("W",), "least_squares": ("w",), "logistic_loss": ("w",),
       "mlp_layer": ("W", "b", "v")}
SIZES = {"full": (10, 1_000, 100_000), "quick": (10, 1_000), "check": (1, 2, 7)}
FEATURES, CLASSES, HIDDEN = 8, 4, 16
RTOL_ENGINES = 1e-8


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few rounds: a smoke run")
    parser.add_argument("--repeats", type=int, help="timed rounds (default 7; --quick 3)")
    parser.add_argument("--part", choices=("fallback", "hand", "both"), default="both")
    parser.add_argument("--files", help="comma-separated corpus files for the fallback part (default all; "
                                        "each built alone, without compiling the others first)")
    parser.add_argument("--output", type=Path, help="the markdown file written (default benchmarks/CORPUS_RESULTS.md, "
                                                    "or benchmarks/build/CORPUS_RESULTS.md with --quick)")
    options = parser.parse_args(argv)
    repeats = options.repeats or (3 if options.quick else 7)
    min_seconds = 0.005 if options.quick else 0.02
    output = options.output or (HERE / "build" / "CORPUS_RESULTS.md" if options.quick else HERE / "CORPUS_RESULTS.md")
    command = " ".join(["python benchmarks/corpus.py", *(sys.argv[1:] if argv is None else argv)])
    results = {"command": command, "machine": run.machine_facts(), "repeats": repeats, "problems": [],
               "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    if options.part in ("fallback", "both"):
        run.log("compiled against fallen back, on the corpus's points ...")
        files = options.files.split(",") if options.files else None
        results["fallback"] = fallback_rows(repeats, min_seconds, results["problems"], files)
        results["fallback"]["files"] = files
    if options.part in ("hand", "both"):
        run.log("whole-array code against hand NumPy gradients ...")
        sizes = SIZES["quick" if options.quick else "full"]
        results["hand"] = hand_rows(sizes, repeats, min_seconds, results["problems"])
    results["machine"]["load_after"] = run.load_average()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(results))
    run.log(f"wrote {output}")
    for problem in results["problems"]:
        run.log(f"PROBLEM: {problem}")
    return 1 if results["problems"] else 0


# --------------------------------------------------------------------------- 1. fallback


class CorpusCase:
    """One compiled corpus function: its compiled and its eager (value, gradient) at every point."""

    def __init__(self, filename: str, name: str, build):
        import test_corpus as corpus

        original = getattr(corpus.original_module(str(corpus.CORPUS / filename)), name)
        self.filename, self.name = filename, name
        self.compiled_vg = getattr(build.module, "value_and_grad_" + name)
        signature = inspect.signature(original).parameters
        parameters = list(signature)
        keyword_only = [p for p in parameters if signature[p].kind is inspect.Parameter.KEYWORD_ONLY]
        self.original = corpus._caller(original, keyword_only)
        positions = [parameters.index(p) for p in build.reports[name].differentiable]
        self.points = []  # (the arguments as the corpus passes them, every default spelled out, eager positions)
        for args in corpus.points(name):
            full = corpus._full_arguments(original, args)
            kept = tuple(p for p in positions if not isinstance(full[p], int))
            self.points.append((args, full, kept, list(positions)))
        self.mutates = any(self._changes_arguments(args, full, kept) for args, full, kept, _ in self.points)

    def _changes_arguments(self, args, full, kept) -> bool:
        """Whether either side writes into an argument (then every call gets fresh copies)."""
        from srcgrad.eager.fallback import eager_value_and_gradient

        before = [np.copy(a) for a in full]
        self.compiled_vg(*args)
        eager_value_and_gradient(self.original, full, kept)
        return any(not np.array_equal(a, b) for a, b in zip(full, before))

    def compiled(self):
        return [self.compiled_vg(*(_fresh(args) if self.mutates else args)) for args, _, _, _ in self.points]

    def eager(self):
        from srcgrad.eager.fallback import eager_value_and_gradient

        return [eager_value_and_gradient(self.original, _fresh(full) if self.mutates else full, kept)
                for _, full, kept, _ in self.points]

    def disagreement(self) -> str | None:
        """None when the compiled and the eager (value, gradient) agree at every point."""
        for number, ((value, gradient), (eager_value, eager_gradient), (_, full, kept, positions)) in \
                enumerate(zip(self.compiled(), self.eager(), self.points)):
            picked = _as_tuple(gradient, len(positions))
            picked = tuple(g for g, p in zip(picked, positions) if p in kept)
            expected = _as_tuple(eager_gradient, len(kept))
            problem = _mismatch(np.sum(value), np.sum(eager_value), "value") or _mismatch(picked, expected, "gradient")
            if problem:
                return f"{self.filename}::{self.name} at point {number}: compiled vs eager {problem}"
        return None


def _fresh(args: tuple) -> tuple:
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def _as_tuple(gradient, count: int) -> tuple:
    return (gradient,) if count == 1 else tuple(gradient)


def _mismatch(got, expected, what: str) -> str | None:
    """Entry by entry, relative to the largest entry of each expected array."""
    for k, (a, b) in enumerate(zip(_as_tuple(got, 1) if not isinstance(got, tuple) else got,
                                   _as_tuple(expected, 1) if not isinstance(expected, tuple) else expected)):
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        scale = max(1.0, float(np.max(np.abs(b))) if b.size else 0.0)
        if a.shape != b.shape or not np.allclose(a, b, rtol=RTOL_ENGINES, atol=RTOL_ENGINES * scale, equal_nan=True):
            return f"{what} [{k}] differs: {np.ravel(a)[:4].tolist()} against {np.ravel(b)[:4].tolist()}"
    return None


def built_alone(filename: str):
    """One corpus file compiled (through the build cache), without the corpus test's build of
    every file first; a function that stops the build stops this one."""
    import test_corpus as corpus

    path = corpus.CORPUS / filename
    return corpus.Built(*corpus._build(path.read_text(), str(path), "compiled", None), {})


def corpus_cases(files=None) -> tuple[list, dict]:
    """The compiled functions of the corpus files (default all, built as the corpus test builds
    them), and the count of those that are not."""
    import warnings

    import test_corpus as corpus

    cases, skipped = [], {"fallback": 0, "stops the build": 0}
    for filename in files or corpus.FILES:
        build = built_alone(filename) if files else corpus.built(filename, "compiled")
        for name in corpus.public_functions(corpus.CORPUS / filename):
            if name in build.stopped:
                skipped["stops the build"] += 1
            elif not build.reports[name].compiled:
                skipped["fallback"] += 1
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    cases.append(CorpusCase(filename, name, build))
    return cases, skipped


def fallback_rows(repeats: int, min_seconds: float, problems: list, files=None) -> dict:
    cases, skipped = corpus_cases(files)
    rows = []
    for case in cases:
        problem = case.disagreement()
        if problem:
            problems.append(problem)
            continue
        samples = {}
        times = run.measure({"compiled": case.compiled, "fallback": case.eager}, repeats, min_seconds, samples)
        rows.append({"file": case.filename, "name": case.name, "points": len(case.points),
                     "compiled": times["compiled"], "fallback": times["fallback"],
                     "speedup": times["fallback"] / times["compiled"],
                     "fastest_speedup": samples["fallback"]["min"] / samples["compiled"]["min"]})
        run.log(f"  {case.filename}::{case.name}: {rows[-1]['speedup']:.1f}x")
    return {"rows": rows, "skipped": skipped}


# --------------------------------------------------------------------------- 2. hand NumPy


def load_whole_array():
    """whole_array.py built with WRT, through srcgrad's content-hash build cache."""
    from srcgrad import build
    from srcgrad.api import _import_extension
    from srcgrad.generate import generate

    generated = generate(WHOLE_ARRAY.read_text(), str(WHOLE_ARRAY), wrt=WRT)
    binary, _ = build.compile_cached(generated.text, generated.module_name)
    return _import_extension(binary, generated.module_name)


def make_args(name: str, n: int, seed: int = 0) -> tuple:
    """Inputs of size n: the vector x, or n samples of FEATURES features (the weights first)."""
    rng = np.random.default_rng(seed)
    if name == "softmax_cross_entropy":
        return rng.normal(size=(FEATURES, CLASSES)), rng.normal(size=(n, FEATURES)), \
            np.eye(CLASSES)[rng.integers(0, CLASSES, n)]
    if name in ("least_squares", "logistic_loss"):
        y = rng.normal(size=n) if name == "least_squares" else np.where(rng.random(n) < 0.5, -1.0, 1.0)
        return rng.normal(size=FEATURES), rng.normal(size=(n, FEATURES)), y
    if name == "mlp_layer":
        return (0.3 * rng.normal(size=(FEATURES, HIDDEN)), 0.1 * rng.normal(size=HIDDEN), rng.normal(size=HIDDEN),
                rng.normal(size=(n, FEATURES)), rng.normal(size=n))
    return (rng.uniform(-2.0, 2.0, size=n),)


def wrt_count(name: str) -> int:
    return len(WRT.get(name, ("x",)))


def hand_against_differences(name: str, args: tuple, directions: int = 2) -> str | None:
    """The hand gradient along random directions against central differences of whole_array.py."""
    import whole_array

    f = getattr(whole_array, name)
    value, gradient = getattr(whole_array_hand, "value_and_grad_" + name)(*args)
    if not np.isclose(value, f(*args), rtol=1e-12, atol=0.0):
        return f"{name}: hand value {value} against {f(*args)}"
    gradient = _as_tuple(gradient, wrt_count(name))
    rng = np.random.default_rng(7)
    for _ in range(directions):
        direction = [rng.normal(size=np.shape(g)) for g in gradient]
        step = 1e-6

        def moved(sign):
            return tuple(a + sign * step * d for a, d in zip(args, direction)) + args[len(direction):]

        difference = (f(*moved(1.0)) - f(*moved(-1.0))) / (2 * step)
        along = sum(float(np.sum(g * d)) for g, d in zip(gradient, direction))
        if not np.isclose(along, difference, rtol=1e-5, atol=1e-6 * max(1.0, abs(value))):
            return f"{name} n={np.shape(args[-1])[0]}: hand gradient along a direction {along} against differences {difference}"
    return None


def srcgrad_against_hand(module, name: str, args: tuple) -> str | None:
    value, gradient = getattr(module, "value_and_grad_" + name)(*args)
    hand_value, hand = getattr(whole_array_hand, "value_and_grad_" + name)(*args)
    count = wrt_count(name)
    problem = _mismatch(value, hand_value, "value") or \
        _mismatch(_as_tuple(gradient, count), _as_tuple(hand, count), "gradient")
    return f"{name} n={np.shape(args[-1])[0]}: srcgrad vs hand {problem}" if problem else None


def hand_rows(sizes, repeats: int, min_seconds: float, problems: list) -> dict:
    module = load_whole_array()
    rows = []
    for name in NAMES:
        for n in sizes:
            args = make_args(name, n)
            problem = hand_against_differences(name, args) or srcgrad_against_hand(module, name, args)
            if problem:
                problems.append(problem)
                continue
            srcgrad_vg = getattr(module, "value_and_grad_" + name)
            hand_vg = getattr(whole_array_hand, "value_and_grad_" + name)
            samples = {}
            times = run.measure({"srcgrad": lambda: srcgrad_vg(*args), "hand": lambda: hand_vg(*args)},
                                repeats, min_seconds, samples)
            rows.append({"name": name, "n": n, "srcgrad": times["srcgrad"], "hand": times["hand"],
                         "ratio": times["srcgrad"] / times["hand"],
                         "fastest_ratio": samples["srcgrad"]["min"] / samples["hand"]["min"]})
            run.log(f"  {name} n={n}: {rows[-1]['ratio']:.2f}x")
    return {"rows": rows, "sizes": list(sizes)}


# --------------------------------------------------------------------------- report


def render(results: dict) -> str:
    machine = results["machine"]
    lines = ["# Corpus speed targets (issue 12)", "",
             f"Written by `{results['command']}` on {results['date']}, at {machine.get('commit', '?')}; "
             f"{machine.get('cpu', '?')}, {machine.get('cpus')} cores, Python {machine.get('python')}, "
             f"NumPy {machine.get('numpy')}, one thread. Load average (1, 5, 15 min) before "
             f"{machine.get('load_before')}, after {machine.get('load_after')}. Medians of {results['repeats']} "
             f"interleaved rounds.", ""]
    if results["problems"]:
        lines += ["## Problems found", ""] + [f"- {p}" for p in results["problems"]] + [""]
    if "fallback" in results:
        lines += render_fallback(results["fallback"])
    if "hand" in results:
        lines += render_hand(results["hand"])
    return "\n".join(lines) + "\n"


def render_fallback(part: dict) -> list:
    rows = sorted(part["rows"], key=lambda r: r["speedup"])
    slower = [r for r in rows if r["speedup"] < 1.0]
    lines = ["## Compiled against fallen back", "",
             "Every corpus function that compiles, at the corpus test's points (one sample calls it at all of "
             "them): the compiled `value_and_grad_NAME` against the eager tape's (value, gradient) of the "
             "original, which is what the same function costs when it falls back. Target: no function "
             "slower compiled, fallback / compiled >= 1.", ""]
    if part.get("files"):
        lines += [f"Corpus files measured: {', '.join(part['files'])} (`--files`), not the whole corpus.", ""]
    if rows:
        worst = rows[0]
        speedups = [r["speedup"] for r in rows]
        lines += [f"{len(rows)} functions compiled ({part['skipped']['fallback']} fall back, "
                  f"{part['skipped']['stops the build']} stop their file's build; not timed). "
                  f"Minimum fallback / compiled: **{worst['speedup']:.1f}x** ({worst['file']}::{worst['name']}); "
                  f"median {float(np.median(speedups)):.0f}x; slower compiled than fallen back: {len(slower)} by medians, "
                  f"{sum(r.get('fastest_speedup', 0) < 1.0 for r in rows)} by the fastest samples.", ""]
    lines += ["| file | function | points | compiled | fallback | fallback / compiled | by fastest samples |",
              "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        lines.append(f"| {r['file']} | {r['name']} | {r['points']} | {run.format_seconds(r['compiled'])} | "
                     f"{run.format_seconds(r['fallback'])} | {r['speedup']:,.1f}x | {r.get('fastest_speedup', 0):,.1f}x |")
    return lines + [""]


def render_hand(part: dict) -> list:
    sizes = part["sizes"]
    by_name = {}
    for r in part["rows"]:
        by_name.setdefault(r["name"], {})[r["n"]] = r
    within = sum(r["ratio"] <= 1.2 for r in part["rows"])
    within_fastest = sum(r.get("fastest_ratio", np.inf) <= 1.2 for r in part["rows"])
    wrt_text = "; ".join(f"{name} in {', '.join(params)}" for name, params in WRT.items())
    lines = ["## Whole-array code against hand-written NumPy gradients", "",
             "`value_and_grad_NAME` of benchmarks/whole_array.py built by srcgrad (losses with respect to their "
             f"weights: {wrt_text}) against "
             "whole_array_hand.py. n is the vector's length, or the number of samples "
             f"({FEATURES} features; {CLASSES} classes; {HIDDEN} hidden units). Target: srcgrad / hand <= 1.2.", "",
             f"Within 1.2x: {within} of {len(part['rows'])} by medians, {within_fastest} by the fastest samples "
             "(`fastest`: the ratio of each side's fastest sample, less disturbed by a loaded machine).", "",
             "| function | " + " | ".join(f"n={n:,}: srcgrad / hand | fastest | hand" for n in sizes) + " |",
             "| --- | " + " | ".join("---: | ---: | ---:" for _ in sizes) + " |"]
    for name in NAMES:
        cells = []
        for n in sizes:
            r = by_name.get(name, {}).get(n)
            cells.append(f"{r['ratio']:.2f}x | {r.get('fastest_ratio', 0):.2f}x | {run.format_seconds(r['hand'])}"
                         if r else "— | — | —")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines + [""]


if __name__ == "__main__":
    sys.exit(main())
