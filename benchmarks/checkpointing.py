"""Checkpointing (issue 14 part 2): memory and time of grad for the oscillator, taped against
`--tape-limit 16M`, at 10^5 to 10^8 steps; and of its hvp (forward over reverse, checkpointed on
the same schedule) at 10^6 steps.

    python benchmarks/checkpointing.py                 # 1e5, 1e6, 1e7, 1e8 steps; a few minutes
    python benchmarks/checkpointing.py --steps 1e5,1e6 --pure-steps 1e5 --repeats 3
    python benchmarks/checkpointing.py --steps "" --pure-steps "" --jax-steps "" --hvp-steps 1e6,1e7

Each measurement runs in a fresh process (so the process's peak RSS is that measurement's):
- compiled: the Cython build of benchmarks/workloads.py's oscillator, taped and with the limit.
  Tape peak: srcgrad.runtime.tape.peak_bytes(), the most bytes the tape's stacks and the checkpoint
  snapshots held at once (tracemalloc does not see C allocations). Also how far the process's peak
  RSS (VmHWM, reset before the first gradient) rose above its RSS then, and the median time of
  grad over the repeats.
- --pure: the pure-Python build, whose tape and snapshots are NumPy arrays: tracemalloc's peak
  during one grad, and its time (one run; it is slow).
Every limited gradient is compared with the taped one bit for bit (where the taped one ran).
- hvp: the same two builds' hvp_oscillator along a fixed direction, measured the same way (its
  tape holds each double beside its tangent, its snapshots each value and its tangent).
- JAX (where it is installed): the expert version of the oscillator (lax.fori_loop, jit, float64)
  differentiated as JAX stores it (every step's residuals) and with jax.checkpoint on blocks of
  about sqrt(steps) steps (the stored carries of the blocks, one block's residuals recomputed at a
  time): peak RSS growth and median time after compiling, its gradient compared with srcgrad's.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKLOADS = HERE / "workloads.py"
LIMIT = "16M"
ARGS = (1.3, 0.2, 0.5, -0.1, 0.01)  # k, c, x0, v0, dt; then steps
DIRECTION = (1.0, -0.5, 0.3, 0.2, 0.1)  # hvp's v


def _build(kind: str, limited: bool, folder: Path) -> Path:
    """The oscillator's generated module (a .py for --pure, else the compiled extension)."""
    from srcgrad import build
    from srcgrad.generate import generate
    from srcgrad.sizes import parse_size

    generated = generate(WORKLOADS.read_text(), str(WORKLOADS), pure=kind == "pure", only=["oscillator"],
                         tape_limit=parse_size(LIMIT) if limited else None)
    if kind == "pure":
        path = folder / f"oscillator_{'limited' if limited else 'taped'}_grad.py"
        path.write_text(generated.text)
        return path
    binary, _ = build.compile_cached(generated.text, generated.module_name)
    return binary


def _load(path: Path):
    """The module at path, without importing the compiler (libcst and all): the measuring
    process holds only NumPy, the runtime and the module."""
    if path.suffix == ".py":
        import types

        module = types.ModuleType(path.stem)
        exec(compile(path.read_text(), str(path), "exec"), module.__dict__)
        return module
    import importlib.machinery
    import importlib.util

    name = path.name.split(".")[0]
    loader = importlib.machinery.ExtensionFileLoader(name, str(path))
    module = importlib.util.module_from_spec(importlib.util.spec_from_file_location(name, path, loader=loader))
    loader.exec_module(module)
    return module


def _status_bytes(field: str) -> int:
    """VmRSS (resident now) or VmHWM (its peak) of this process, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def _reset_peak_rss() -> None:
    """Start VmHWM again from the current RSS (Linux 4.0+), so the peak is the gradient's own."""
    with open("/proc/self/clear_refs", "w") as file:
        file.write("5")


def measure(kind: str, path: Path, steps: int, repeats: int) -> dict:
    """One configuration, in this (fresh) process; kind 'compiled' or 'pure', '-hvp' after it for
    the Hessian-vector product instead of the gradient."""
    module = _load(path)
    from srcgrad.runtime import tape

    kind, _, entry = kind.partition("-")
    if entry == "hvp":
        def differentiate(*args):
            return module.hvp_oscillator(*args, DIRECTION)
    else:
        differentiate = module.grad_oscillator
    differentiate(*ARGS, 10)  # warm up
    _reset_peak_rss()
    before = _status_bytes("VmRSS")
    times, tape_peak = [], None
    if kind == "pure":
        import tracemalloc

        tracemalloc.start()
        started = time.perf_counter()
        gradient = differentiate(*ARGS, steps)
        times.append(time.perf_counter() - started)
        tape_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    else:
        for _ in range(repeats):
            tape.reset_peak_bytes()
            started = time.perf_counter()
            gradient = differentiate(*ARGS, steps)
            times.append(time.perf_counter() - started)
            tape_peak = tape.peak_bytes()
    peak_rss = _status_bytes("VmHWM")
    return {"time": statistics.median(times), "tape_peak": tape_peak, "rss_growth": peak_rss - before,
            "gradient": [float(g).hex() for g in gradient]}


def _in_fresh_process(kind: str, path: Path, steps: int, repeats: int) -> dict:
    command = [sys.executable, __file__, "--measure", kind, str(path), str(steps), str(repeats)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _jax_gradient(steps: int, checkpointed: bool):
    """jit(grad) of the oscillator in JAX: one lax.fori_loop (JAX stores every step's residuals for
    the reverse pass), or with jax.checkpoint on blocks of about sqrt(steps) steps."""
    import jax
    import jax.numpy as jnp
    from jax import lax

    jax.config.update("jax_enable_x64", True)

    def run(state, count, k, c, dt):
        def body(i, state):
            x, v, acc = state
            a = -k * x - c * v - 0.1 * x ** 3
            return x + dt * v, v + dt * a, acc + x * x * dt

        return lax.fori_loop(0, count, body, state)

    def oscillator(k, c, x0, v0, dt):
        state = (x0, v0, jnp.float64(0.0))
        if checkpointed:
            block = max(1, int(round(steps ** 0.5)))
            blocks, rest = divmod(steps, block)
            run_block = jax.checkpoint(lambda state: run(state, block, k, c, dt))
            state = lax.fori_loop(0, blocks, lambda i, state: run_block(state), state)
            state = run(state, rest, k, c, dt)
        else:
            state = run(state, steps, k, c, dt)
        x, v, acc = state
        return x * x + v * v + acc

    return jax.jit(jax.grad(oscillator, argnums=(0, 1, 2, 3, 4)))


def measure_jax(variant: str, steps: int, repeats: int) -> dict:
    """One JAX configuration, in this (fresh) process: peak RSS growth over the runs after
    compiling, their median time."""
    gradient_of = _jax_gradient(steps, variant == "checkpoint")
    arguments = tuple(float(a) for a in ARGS)
    [g.block_until_ready() for g in gradient_of(*arguments)]  # compile
    _reset_peak_rss()
    before = _status_bytes("VmRSS")
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        gradient = [g.block_until_ready() for g in gradient_of(*arguments)]
        times.append(time.perf_counter() - started)
    return {"time": statistics.median(times), "tape_peak": None, "rss_growth": _status_bytes("VmHWM") - before,
            "gradient": [float(g) for g in gradient]}


def jax_report(steps_list, repeats: int, paths: dict) -> list[str]:
    try:
        import jax  # noqa: F401
    except ImportError:
        return ["", "JAX is not installed here: the jax.checkpoint table is skipped (pip install jax)."]
    lines = ["", f"JAX (jit, float64): the expert oscillator as JAX differentiates it, and with jax.checkpoint "
             f"on blocks of ~sqrt(steps) steps; medians of {repeats} runs after compiling", "",
             "| steps | JAX: RSS growth MiB | JAX: s | jax.checkpoint: RSS growth MiB | jax.checkpoint: s "
             "| srcgrad --tape-limit 16M: s | agrees with srcgrad (1e-9) |", "| ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for steps in steps_list:
        plain, checkpointed = (_in_fresh_process("jax", Path(variant), steps, repeats) for variant in ("plain", "checkpoint"))
        ours = _in_fresh_process("compiled", paths["compiled", True], steps, repeats)
        cells = []
        for result in (plain, checkpointed):
            cells += [result["error"], ""] if "error" in result else [_mb(result["rss_growth"]), f"{result['time']:.3f}"]
        agrees = "-"
        if "error" not in ours and "error" not in checkpointed:
            expected = [float.fromhex(g) for g in ours["gradient"]]
            agrees = "yes" if all(abs(a - b) <= 1e-9 * max(1.0, abs(b)) for a, b in zip(checkpointed["gradient"], expected)) else "NO"
        lines.append(f"| {steps:.0e} | " + " | ".join(cells) + f" | {ours.get('time', float('nan')):.3f} | {agrees} |")
        print(lines[-1], flush=True)
    return lines


def _mb(n) -> str:
    return "-" if n is None else f"{n / 2**20:.2f}"


def report(steps_list, pure_steps, repeats: int, taped_max: int, paths: dict, entry: str = "grad") -> list[str]:
    lines = [f"oscillator {entry}, taped vs --tape-limit {LIMIT} (compiled: tape peak from the runtime; "
             f"--pure: tracemalloc peak); medians of {repeats} runs", "",
             "| build | steps | taped: tape MiB | taped: RSS growth MiB | taped: s | limited: tape MiB "
             "| limited: RSS growth MiB | limited: s | time ratio | same bits |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for kind, sizes in (("compiled", steps_list), ("pure", pure_steps)):
        for steps in sizes:
            measured = kind if entry == "grad" else f"{kind}-{entry}"
            taped = _in_fresh_process(measured, paths[kind, False], steps, repeats) if steps <= taped_max else \
                {"error": f"not run (over --taped-max {taped_max:.0e})"}
            limited = _in_fresh_process(measured, paths[kind, True], steps, repeats)
            if "error" in limited:
                lines.append(f"| {kind} | {steps:.0e} | | | | failed: {limited['error']} | | | | |")
                continue
            if "error" in taped:
                cells = [taped["error"], "", ""]
                ratio, same = "-", "-"
            else:
                cells = [_mb(taped["tape_peak"]), _mb(taped["rss_growth"]), f"{taped['time']:.3f}"]
                ratio = f"{limited['time'] / taped['time']:.2f}"
                same = "yes" if limited["gradient"] == taped["gradient"] else "NO"
            lines.append(f"| {kind} | {steps:.0e} | " + " | ".join(cells) +
                         f" | {_mb(limited['tape_peak'])} | {_mb(limited['rss_growth'])} | {limited['time']:.3f} "
                         f"| {ratio} | {same} |")
            print(lines[-1], flush=True)
    return lines


def _counts(text: str) -> list[int]:
    return [int(float(s)) for s in text.split(",") if s]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", default="1e5,1e6,1e7,1e8", help="compiled step counts")
    parser.add_argument("--pure-steps", default="1e5,1e6", help="--pure step counts (tracemalloc)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--taped-max", type=float, default=1e8, help="largest step count to run taped")
    parser.add_argument("--jax-steps", default="1e5,1e6,1e7", help="JAX step counts (where JAX is installed)")
    parser.add_argument("--hvp-steps", default="1e6", help="compiled step counts of hvp")
    parser.add_argument("--hvp-pure-steps", default="1e6", help="--pure step counts of hvp (tracemalloc)")
    parser.add_argument("--measure", nargs=4, metavar=("KIND", "MODULE", "STEPS", "REPEATS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        kind, path, steps, repeats = args.measure
        measured = measure_jax(path, int(steps), int(repeats)) if kind == "jax" else \
            measure(kind, Path(path), int(steps), int(repeats))
        print(json.dumps(measured))
        return 0
    with tempfile.TemporaryDirectory() as folder:  # build (or find in the cache) before timing anything
        paths = {(kind, limited): _build(kind, limited, Path(folder)) for kind in ("compiled", "pure")
                 for limited in (False, True)}
        lines = report(_counts(args.steps), _counts(args.pure_steps), args.repeats, int(args.taped_max), paths)
        lines += [""] + report(_counts(args.hvp_steps), _counts(args.hvp_pure_steps), args.repeats,
                               int(args.taped_max), paths, "hvp")
        lines += jax_report(_counts(args.jax_steps), args.repeats, paths)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
