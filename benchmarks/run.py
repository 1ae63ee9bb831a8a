#!/usr/bin/env python
"""srcgrad's benchmark suite (issue 7): one command.

    pip install -e ".[bench]"              # autograd + matplotlib; JAX and PyTorch optional
    python benchmarks/run.py [--quick]

What it does, in order:
1. Pins every library to one thread (OpenBLAS, OpenMP, XLA, PyTorch) before NumPy is imported.
2. Builds benchmarks/workloads.py with `srcgrad build` (a subprocess, as a user runs it), into
   benchmarks/build/default and, with --fast-math, benchmarks/build/fast-math: a cold build
   (an empty srcgrad cache) timed, then the same command again with nothing changed.
3. Compiles hand_adjoints.pyx twice (-O3; -O3 -ffast-math -march=native) through srcgrad's
   content-hash cache, and prepares the anchors present (autograd, JAX, PyTorch).
4. For each workload, checks before timing that all gradients agree: the hand adjoint against
   central differences along random directions, and srcgrad (both builds), JAX, autograd and
   PyTorch against the hand adjoint. A disagreeing implementation is reported and not timed.
5. Times medians of repeated runs in this one process, the compared implementations
   interleaved (round robin, the order rotated each round), garbage collection off.
   Full sizes: CPython, srcgrad and hand primals and gradients, and JAX. Engines that record
   every scalar operation (autograd, PyTorch eager, and srcgrad's eager-tape fallback for a
   function the compiler does not handle yet) are timed at the smaller "slow" sizes of
   suite.py, next to srcgrad's gradient at that same size.
6. Writes benchmarks/RESULTS.md and benchmarks/ratios.png (with --quick: into the build folder,
   so the committed results always come from a full run) and results.json (raw numbers).

Exit status: 0, or 1 when a gradient disagreed or the srcgrad build failed (results are
written either way).
"""

from __future__ import annotations

import os

# One thread everywhere, before NumPy (and its BLAS) is imported.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"
os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                           " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1").strip()
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import datetime  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402

import suite  # noqa: E402
import wrt as wrt_bench  # noqa: E402
from suite import NAMES, SIZES  # noqa: E402

# Column labels, in table order.
CPY = "CPython primal"
SG_PRIMAL = "srcgrad primal"
SG_GRAD = "srcgrad grad"
SG_FAST = "srcgrad grad --fast-math"
HAND_PRIMAL = "hand primal"
HAND = "hand adjoint"
HAND_FAST = "hand adjoint fast-math"
JAX = "JAX"
AUTOGRAD = "autograd"
TORCH = "torch"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats: a smoke run")
    parser.add_argument("--repeats", type=int, help="timed rounds per implementation (default 9; --quick 3)")
    parser.add_argument("--build-dir", type=Path, default=HERE / "build",
                        help="where srcgrad builds workloads.py (default benchmarks/build)")
    parser.add_argument("--output-dir", type=Path,
                        help="where RESULTS.md, ratios.png and results.json go "
                             "(default benchmarks/, or the build folder with --quick)")
    parser.add_argument("--only", help="comma-separated workloads to run (default all)")
    parser.add_argument("--render-only", action="store_true",
                        help="measure nothing: rewrite RESULTS.md and ratios.png from the results.json of "
                             "an earlier run in the output folder")
    options = parser.parse_args(argv)
    if options.render_only:
        output_dir = options.output_dir or HERE
        results = json.loads((output_dir / "results.json").read_text())
        write_results(results, output_dir / "RESULTS.md", output_dir / "ratios.png")
        log(f"rewrote {output_dir / 'RESULTS.md'} and {output_dir / 'ratios.png'} from results.json")
        return 0

    quick = options.quick
    repeats = options.repeats or (3 if quick else 9)
    slow_repeats = repeats  # engines slower than 0.25 s per call stop at 3 samples (see measure)
    sizes = SIZES["quick" if quick else "full"]
    slow_sizes = SIZES["quick-slow" if quick else "slow"]
    names = [n for n in NAMES if not options.only or n in options.only.split(",")]
    output_dir = options.output_dir or (options.build_dir if quick else HERE)
    output_dir.mkdir(parents=True, exist_ok=True)
    command = "python benchmarks/run.py" + (" --quick" if quick else "")

    results = {"command": command, "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "machine": machine_facts(), "repeats": repeats, "slow_repeats": slow_repeats,
               "min_sample": 0.02 if quick else 0.05, "workloads": {}, "problems": [], "notes": []}

    # ---- build
    log("building benchmarks/workloads.py with srcgrad ...")
    build = build_workloads(options.build_dir)
    results["build"] = build
    srcgrad_default = srcgrad_fast = None
    if build["ok"]:
        srcgrad_default = suite.import_binary(Path(build["binary"]), "workloads_grad", "default")
        srcgrad_fast = suite.import_binary(Path(build["binary_fast"]), "workloads_grad", "fast")
    else:
        results["problems"].append(f"srcgrad build failed: {build['error']}")
    reports = {}
    try:
        reports = {r.name: r for r in suite.generate_workloads().reports}
    except Exception as error:  # the generator itself failed; the build above said so too
        results["notes"].append(f"srcgrad.generate failed in-process: {error}")

    log("compiling the hand adjoints (-O3, and -O3 -ffast-math -march=native) ...")
    original = suite.load_original()
    hand = suite.load_hand(fast_math=False)
    hand_fast = suite.load_hand(fast_math=True)
    import hand_numpy

    import anchors
    engines = {e.label: e for e in anchors.engines()}
    for label, engine in engines.items():
        if engine.missing:
            results["notes"].append(f"{label} skipped: {engine.missing}")
        else:
            results["machine"][label] = engine.version

    # ---- each workload
    for name in names:
        log(f"{name}:")
        report = reports.get(name)
        compiled = bool(report and report.compiled)
        entry = results["workloads"][name] = {
            "size": suite.describe_size(name, sizes[name]),
            "slow_size": suite.describe_size(name, slow_sizes[name]),
            "srcgrad_compiled": compiled,
            "srcgrad_taped": report.taped if report else "?",
            "checks": {}, "times": {}, "slow_times": {}, "jax_compile": None,
        }
        args = suite.make_args(name, sizes[name])
        hand_vg = hand_numpy.value_and_grad_mlp if name == "mlp" else getattr(hand, f"value_and_grad_{name}")
        hand_fast_vg = None if name == "mlp" else getattr(hand_fast, f"value_and_grad_{name}")
        primal = getattr(original, name)

        # Gradients, then checks against the hand adjoint (itself checked by central differences).
        reference_value, reference = hand_vg(*args)
        check = entry["checks"]
        fd = suite.directional_fd(name, primal, args, reference, step=suite.fd_step(name, args))
        check[HAND] = record_check(results, name, HAND, fd)
        full = {CPY: lambda: primal(*args), HAND: lambda: hand_vg(*args)}
        if name != "mlp":
            full[HAND_PRIMAL] = (lambda f: lambda: f(*args))(getattr(hand, name))
            check[HAND_FAST] = record_check(
                results, name, HAND_FAST, suite.compare(name, hand_fast_vg(*args)[1], reference, 1e-7, HAND_FAST))
            if check[HAND_FAST] == "ok":
                full[HAND_FAST] = lambda: hand_fast_vg(*args)
        if srcgrad_default is not None:
            sg_primal = getattr(srcgrad_default, name)
            check[SG_PRIMAL] = record_check(results, name, SG_PRIMAL, compare_values(sg_primal(*args), reference_value))
            if check[SG_PRIMAL] == "ok":
                full[SG_PRIMAL] = lambda: sg_primal(*args)
            if compiled:  # the eager fallback is too slow for full sizes: timed at slow sizes below
                for label, module, rtol in ((SG_GRAD, srcgrad_default, 1e-8), (SG_FAST, srcgrad_fast, 1e-7)):
                    grad = getattr(module, f"grad_{name}")
                    check[label] = record_check(results, name, label, safe_compare(name, grad, args, reference, rtol, label))
                    if check[label] == "ok":
                        full[label] = (lambda g: lambda: g(*args))(grad)
        jax = engines.get(JAX)
        if jax is not None and not jax.missing:
            prepared = jax.prepare(name, args)
            entry["jax_compile"] = prepared.compile_seconds
            check[JAX] = record_check(results, name, JAX, suite.compare(name, prepared.run()[1], reference, 1e-7, JAX))
            if check[JAX] == "ok":
                full[JAX] = prepared.timed
        log(f"  checked at {entry['size']}: " + ", ".join(f"{k} {v}" for k, v in check.items()))
        entry["times"] = measure(full, repeats, min_seconds=results["min_sample"], record=entry.setdefault("samples", {}))
        log("  " + ", ".join(f"{k} {format_seconds(v)}" for k, v in entry["times"].items()))
        if name in wrt_bench.WRT and compiled and srcgrad_default is not None:  # the weights only, as users ask
            entry["wrt"] = wrt_bench.measure_wrt(name, args, primal, srcgrad_default, hand_vg, measure, repeats,
                                                 results["min_sample"])
            log(f"  wrt {entry['wrt']['wrt']}: " + ", ".join(f"{k} {format_seconds(v)}"
                                                            for k, v in entry["wrt"]["times"].items()))

        # Engines that record every operation, at the slow size, next to srcgrad and the hand adjoint.
        slow_args = suite.make_args(name, slow_sizes[name])
        _, slow_reference = hand_vg(*slow_args)
        slow = {HAND: lambda: hand_vg(*slow_args)}
        if srcgrad_default is not None:
            grad = getattr(srcgrad_default, f"grad_{name}")
            label = SG_GRAD if compiled else SG_GRAD + " (eager tape)"
            outcome = record_check(results, name, label + " @slow",
                                   safe_compare(name, grad, slow_args, slow_reference, 1e-8, label))
            check[label + " @slow"] = outcome
            if outcome == "ok":
                slow[SG_GRAD] = lambda: grad(*slow_args)
        for label in (AUTOGRAD, TORCH):
            engine = engines.get(label)
            if engine is None or engine.missing:
                continue
            prepared = engine.prepare(name, slow_args)
            check[label] = record_check(results, name, label,
                                        suite.compare(name, prepared.run()[1], slow_reference, 1e-8, label))
            if check[label] == "ok":
                slow[label] = prepared.timed
        entry["slow_times"] = measure(slow, slow_repeats, min_seconds=results["min_sample"],
                                      record=entry.setdefault("slow_samples", {}))
        log(f"  at {entry['slow_size']}: " + ", ".join(f"{k} {format_seconds(v)}" for k, v in entry["slow_times"].items()))

    results["machine"]["load_after"] = load_average()
    write_results(results, output_dir / "RESULTS.md", output_dir / "ratios.png")
    (output_dir / "results.json").write_text(json.dumps(results, indent=1, default=str) + "\n")
    log(f"wrote {output_dir / 'RESULTS.md'} and {output_dir / 'ratios.png'}")
    for problem in results["problems"]:
        log(f"PROBLEM: {problem}")
    return 1 if results["problems"] else 0


# --------------------------------------------------------------------------- building


def build_workloads(build_dir: Path) -> dict:
    """Cold and no-change `srcgrad build` of workloads.py (default and --fast-math), timed."""
    build_dir.mkdir(parents=True, exist_ok=True)
    default_dir, fast_dir = build_dir / "default", build_dir / "fast-math"
    for folder in (default_dir, fast_dir):
        shutil.rmtree(folder, ignore_errors=True)
    source = str(suite.WORKLOADS.relative_to(ROOT))
    outcome = {"ok": False}
    cache = Path(tempfile.mkdtemp(prefix="srcgrad-bench-cache-"))
    try:
        environment = dict(os.environ, SRCGRAD_CACHE_DIR=str(cache))
        steps = [("cold", default_dir, []), ("rebuild", default_dir, []),
                 ("cold_fast", fast_dir, ["--fast-math"]), ("rebuild_fast", fast_dir, ["--fast-math"])]
        for key, folder, flags in steps:
            command = [sys.executable, "-m", "srcgrad", "build", source, "-o", str(folder), *flags]
            started = time.perf_counter()
            finished = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True)
            outcome[key] = time.perf_counter() - started
            outcome[key + "_log"] = finished.stderr.strip()
            if finished.returncode != 0:
                outcome["error"] = f"`srcgrad build {' '.join([source, *flags])}` exited {finished.returncode}: " + \
                    (finished.stderr.strip().splitlines() or ["no message"])[-1]
                return outcome
            if key.startswith("rebuild") and "(compiled)" in finished.stderr and not outcome.get(key + "_retried"):
                # srcgrad's generated text changed between the two builds: srcgrad itself was
                # edited meanwhile (a shared working tree). Say so, and time one more rebuild.
                outcome[key + "_retried"] = f"the first no-change rebuild compiled ({outcome[key]:.2f} s)"
                started = time.perf_counter()
                finished = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True)
                outcome[key] = time.perf_counter() - started
                outcome[key + "_log"] = finished.stderr.strip()
            log(f"  {key.replace('_', ' ')}: {outcome[key]:.2f} s")
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    import sysconfig

    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    outcome["binary"] = str(default_dir / f"workloads_grad{suffix}")
    outcome["binary_fast"] = str(fast_dir / f"workloads_grad{suffix}")
    outcome["ok"] = True
    return outcome


# --------------------------------------------------------------------------- checking


def record_check(results: dict, name: str, label: str, mismatch) -> str:
    if mismatch is None:
        return "ok"
    results["problems"].append(f"{name}: {label} disagrees ({mismatch}); not timed")
    log(f"  MISMATCH {label}: {mismatch}")
    return f"MISMATCH ({mismatch})"


def safe_compare(name, grad, args, reference, rtol, label):
    try:
        return suite.compare(name, grad(*args), reference, rtol, label)
    except Exception as error:  # a crash in generated code is a finding, not the end of the run
        return suite.Mismatch(f"{label} raised {type(error).__name__}: {error}", float("inf"))


def compare_values(value, expected, rtol=1e-9):
    error = abs(float(value) - float(expected)) / max(abs(float(expected)), 1e-300)
    return None if error <= rtol else suite.Mismatch("primal value", error)


# --------------------------------------------------------------------------- timing


def measure(implementations: dict, repeats: int, min_seconds: float, record: dict | None = None) -> dict:
    """Median seconds per call of each implementation, measured round robin.

    Each implementation is called once to warm up and to choose how many calls make one sample
    (at least `min_seconds` long); then `repeats` rounds each take one sample of every
    implementation, the order rotated by one each round. Implementations slower than a quarter
    of a second per call get at most 3 samples.
    """
    labels = list(implementations)
    numbers, samples = {}, {label: [] for label in labels}
    for label in labels:
        started = time.perf_counter()
        implementations[label]()
        once = time.perf_counter() - started
        numbers[label] = max(1, int(min_seconds / max(once, 1e-9)))
    enabled = gc.isenabled()
    gc.disable()
    try:
        for round_number in range(repeats):
            shift = round_number % max(len(labels), 1)
            for label in labels[shift:] + labels[:shift]:
                if len(samples[label]) >= 3 and samples[label][0] > 0.25:
                    continue  # slow engines: 3 samples are enough (and cost seconds each)
                call, number = implementations[label], numbers[label]
                started = time.perf_counter()
                for _ in range(number):
                    call()
                samples[label].append((time.perf_counter() - started) / number)
    finally:
        if enabled:
            gc.enable()
    if record is not None:
        record.update({label: {"median": statistics.median(v), "min": min(v), "samples": v} for label, v in samples.items()})
    return {label: statistics.median(values) for label, values in samples.items()}


# --------------------------------------------------------------------------- reporting


def machine_facts() -> dict:
    facts = {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count(),
             "load_before": load_average()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                facts["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        facts["cpu"] = platform.processor()
    import Cython

    import srcgrad

    facts["numpy"] = np.__version__
    facts["cython"] = Cython.__version__
    facts["srcgrad"] = srcgrad.__version__
    facts["cc"] = first_line([os.environ.get("CC", "cc"), "--version"])
    facts["commit"] = first_line(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    if first_line(["git", "-C", str(ROOT), "status", "--porcelain", "--", "srcgrad"]) not in ("", "?"):
        facts["commit"] += " with uncommitted changes in srcgrad/"
    facts["threads"] = "OPENBLAS/OMP/MKL_NUM_THREADS=1, XLA single-threaded, torch.set_num_threads(1)"
    return facts


def load_average() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "?"


def first_line(command: list) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True).stdout.strip().splitlines()[0]
    except (OSError, IndexError):
        return "?"


def format_seconds(seconds) -> str:
    if seconds is None:
        return "—"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def ratio(a, b) -> float | None:
    return a / b if a is not None and b else None


def format_ratio(value, digits=2) -> str:
    if value is None:
        return "—"
    if value >= 1000:
        return f"{value:,.0f}x"
    return f"{value:.{digits}f}x"


def key_ratios(entry: dict, fastest: bool = False) -> dict:
    """The ratios of the tables, from medians (or, with fastest, from each one's fastest sample)."""
    t, s = entry["times"], entry["slow_times"]
    if fastest:
        t = {label: v["min"] for label, v in entry.get("samples", {}).items()}
        s = {label: v["min"] for label, v in entry.get("slow_samples", {}).items()}
    return {
        "grad / hand": ratio(t.get(SG_GRAD), t.get(HAND)),
        "grad / primal": ratio(t.get(SG_GRAD), t.get(SG_PRIMAL)),
        "hand grad / hand primal": ratio(t.get(HAND), t.get(HAND_PRIMAL)),
        "fast grad / JAX": ratio(t.get(SG_FAST), t.get(JAX)),
        "hand fast / JAX": ratio(t.get(HAND_FAST), t.get(JAX)),
        "fast grad / hand fast": ratio(t.get(SG_FAST), t.get(HAND_FAST)),
        "JAX / hand": ratio(t.get(JAX), t.get(HAND)),
        "CPython / srcgrad primal": ratio(t.get(CPY), t.get(SG_PRIMAL)),
        "autograd / srcgrad": ratio(s.get(AUTOGRAD), s.get(SG_GRAD)),
        "torch / srcgrad": ratio(s.get(TORCH), s.get(SG_GRAD)),
    }


def write_results(results: dict, path: Path, chart: Path) -> None:
    machine, build = results["machine"], results["build"]
    lines = [
        "# Benchmark results",
        "",
        f"Generated by `{results['command']}` on {results['date']} (srcgrad commit {machine.get('commit')}).",
        "Do not edit: rerun the command. What the columns mean: benchmarks/README.md.",
        "",
        "## Machine",
        "",
        f"- {machine.get('cpu')}, {machine.get('cpus')} CPUs; {machine.get('platform')}",
        f"- Python {machine.get('python')}, NumPy {machine.get('numpy')}, Cython {machine.get('cython')}, "
        f"{machine.get('cc')}",
        "- anchors: " + ", ".join(f"{k} {machine[k]}" for k in (AUTOGRAD, JAX, TORCH) if k in machine),
        f"- {machine.get('threads')}",
        f"- load average (1, 5, 15 min) before the run {machine.get('load_before')}, after "
        f"{machine.get('load_after')}: other work on this shared machine adds noise (compare ratios "
        "of interleaved runs, not absolute times across runs)",
        f"- medians of {results['repeats']} interleaved rounds (engines slower than 0.25 s per call: 3); "
        f"each sample at least {results['min_sample'] * 1e3:.0f} ms of back-to-back calls",
        "",
    ]
    for note in results["notes"]:
        lines.append(f"- note: {note}")
    if results["problems"]:
        lines += ["", "## Problems found", ""] + [f"- {p}" for p in results["problems"]]
    lines += ["", "## Build of benchmarks/workloads.py", ""]
    if build.get("ok"):
        lines += [
            "| build | cold (empty cache) | no-change rebuild |",
            "| --- | ---: | ---: |",
            f"| `srcgrad build` | {build['cold']:.2f} s | {build['rebuild']:.2f} s |",
            f"| `srcgrad build --fast-math` | {build['cold_fast']:.2f} s | {build['rebuild_fast']:.2f} s |",
            "",
            "Wall time of the whole command (Python start-up included)."
            + "".join(f" Note: {build[k]}; srcgrad's output had changed in between (srcgrad edited during "
                      "the run), so the rebuild was timed again." for k in ("rebuild_retried", "rebuild_fast_retried")
                      if build.get(k))
            + " srcgrad's own account of the no-change rebuild:",
            "",
            "```",
            build.get("rebuild_log", ""),
            "```",
        ]
    else:
        lines.append(f"Failed: {build.get('error')}")

    workloads = results["workloads"]
    header = [CPY, SG_PRIMAL, HAND_PRIMAL, SG_GRAD, HAND, SG_FAST, HAND_FAST, JAX]
    lines += ["", "## Times at full size (median per call)", "",
              "| workload | size | " + " | ".join(header) + " | JAX compile |",
              "| --- | --- | " + " | ".join("---:" for _ in header) + " | ---: |"]
    for name, entry in workloads.items():
        cells = []
        for label in header:
            value = entry["times"].get(label)
            if value is None and label in (SG_GRAD, SG_FAST) and not entry["srcgrad_compiled"]:
                cells.append("eager tape*")
            elif value is None and label in (HAND_PRIMAL, HAND_FAST) and name == "mlp":
                cells.append("n/a")
            else:
                cells.append(format_seconds(value))
        lines.append(f"| {name} | {entry['size']} | " + " | ".join(cells) + f" | {format_seconds(entry['jax_compile'])} |")
    if any(not e["srcgrad_compiled"] for e in workloads.values()):
        lines += ["", "\\* the compiler does not handle this function yet; its `grad_*` runs on the eager "
                      "tape, timed only at the slow size below."]
    lines += ["", "mlp's hand adjoint is the hand-written NumPy gradient (hand_numpy.py); the others are "
                  "hand_adjoints.pyx."]

    lines += ["", "## Ratios against the targets of issue 7", "",
              "| workload | grad / hand (≤ 1.1) | grad / primal (≤ 3) | hand grad / hand primal | "
              "fast-math grad / JAX (< 1) | hand fast-math / JAX | fast-math grad / hand fast-math | "
              "JAX / hand | CPython primal / srcgrad primal |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, entry in workloads.items():
        r = key_ratios(entry)
        entry["ratios"] = r
        keys = ["grad / hand", "grad / primal", "hand grad / hand primal", "fast grad / JAX", "hand fast / JAX",
                "fast grad / hand fast", "JAX / hand", "CPython / srcgrad primal"]
        lines.append(f"| {name} | " + " | ".join(format_ratio(r[k]) for k in keys) + " |")
    lines += ["", "For mlp, grad / hand is against the hand-written NumPy gradient (target ≤ 1.0).", "",
              "The main ratios again from each implementation's fastest sample instead of its median "
              "(less sensitive to other work on the machine):", "",
              "| workload | grad / hand | grad / primal | fast-math grad / JAX | fast-math grad / hand fast-math |",
              "| --- | ---: | ---: | ---: | ---: |"]
    for name, entry in workloads.items():
        r = key_ratios(entry, fastest=True)
        lines.append(f"| {name} | " + " | ".join(format_ratio(r[k]) for k in
                                                  ("grad / hand", "grad / primal", "fast grad / JAX", "fast grad / hand fast")) + " |")

    lines += wrt_bench.table_lines(workloads, format_seconds, format_ratio, ratio)
    lines += ["", "## Engines that record every operation (smaller sizes)", "",
              "autograd and PyTorch eager run the workloads as written (every scalar operation of the "
              "loops recorded); they are timed at sizes where one of their runs takes about a second, "
              "next to srcgrad's gradient at the same size.", "",
              "| workload | size | srcgrad grad | hand adjoint | autograd | torch | autograd / srcgrad | torch / srcgrad |",
              "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, entry in workloads.items():
        s, r = entry["slow_times"], entry["ratios"]
        grad_cell = format_seconds(s.get(SG_GRAD)) + ("" if entry["srcgrad_compiled"] else " (eager tape)")
        lines.append(f"| {name} | {entry['slow_size']} | {grad_cell} | {format_seconds(s.get(HAND))} | "
                     f"{format_seconds(s.get(AUTOGRAD))} | {format_seconds(s.get(TORCH))} | "
                     f"{format_ratio(r['autograd / srcgrad'])} | {format_ratio(r['torch / srcgrad'])} |")

    lines += ["", "## What is taped", "",
              "| workload | srcgrad (build summary) | hand adjoint |", "| --- | --- | --- |"]
    hand_tapes = {"power_loop": "out: 1 double per iteration", "rosenbrock": "nothing",
                  "oscillator": "x, v: 2 doubles per step", "logistic": "nothing (fused sweeps)",
                  "huber": "nothing", "mlp": "h and r (NumPy arrays)"}
    for name, entry in workloads.items():
        taped = entry["srcgrad_taped"] if entry["srcgrad_compiled"] else "eager tape (not compiled)"
        lines.append(f"| {name} | {taped} | {hand_tapes[name]} |")

    lines += ["", "## Gradient checks (before timing)", "",
              "The hand adjoint against central differences along two random directions; every other "
              "gradient against the hand adjoint (relative to the largest entry, tolerance 1e-8, or "
              "1e-7 for fast-math builds and JAX).", ""]
    for name, entry in workloads.items():
        lines.append(f"- {name}: " + ", ".join(f"{k} {v}" for k, v in entry["checks"].items()))
    lines += ["", "![ratios](ratios.png)", ""]
    path.write_text("\n".join(lines))
    draw_chart(results, chart)


def draw_chart(results: dict, path: Path) -> None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import matplotlib.ticker
    except ImportError:
        log("matplotlib is not installed: no chart (pip install matplotlib)")
        return
    workloads = results["workloads"]
    names = list(workloads)
    x = np.arange(len(names))
    figure, axes = plt.subplots(1, 3, figsize=(16, 5))

    def bars(axis, series, title, target=None, log=True):
        width = 0.8 / len(series)
        for index, (label, values) in enumerate(series):
            heights = [v if v is not None else 0 for v in values]
            axis.bar(x + (index - (len(series) - 1) / 2) * width, heights, width, label=label)
        if target is not None:
            axis.axhline(target, color="black", linestyle="--", linewidth=1)
        if log:
            axis.set_yscale("log")
            shown = [v for _, values in series for v in values if v]
            if shown and max(shown) / min(shown) < 300:  # less than ~2 decades: ticks at 1, 2, 5
                axis.yaxis.set_major_locator(matplotlib.ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            axis.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
            axis.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        axis.set_xticks(x, names, rotation=30)
        axis.set_title(title)
        axis.legend(fontsize=8)

    ratios = [workloads[n]["ratios"] for n in names]
    times = [workloads[n]["times"] for n in names]
    bars(axes[0], [
        ("srcgrad grad", [r["grad / hand"] for r in ratios]),
        ("srcgrad grad --fast-math", [ratio(t.get(SG_FAST), t.get(HAND)) for t in times]),
        ("hand adjoint fast-math", [ratio(t.get(HAND_FAST), t.get(HAND)) for t in times]),
        ("JAX (expert)", [r["JAX / hand"] for r in ratios]),
    ], "gradient time / hand adjoint -O3 (lower is better; target 1.1)", target=1.1)
    bars(axes[1], [
        ("srcgrad grad / srcgrad primal", [r["grad / primal"] for r in ratios]),
        ("hand adjoint / hand primal", [r["hand grad / hand primal"] for r in ratios]),
    ], "gradient time / primal time (target 3)", target=3.0, log=False)
    bars(axes[2], [
        ("autograd / srcgrad", [r["autograd / srcgrad"] for r in ratios]),
        ("torch / srcgrad", [r["torch / srcgrad"] for r in ratios]),
    ], "other engine's time / srcgrad grad (slow sizes; target 10,000)", target=1e4)
    figure.suptitle(f"srcgrad benchmarks ({results['command']}, {results['date'][:10]}, {results['machine'].get('cpu')})",
                    fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
