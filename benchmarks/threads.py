"""Threads (issue 14 part 3): compiled gradients run without the GIL, so two Python threads
computing gradients of independent inputs should take about half the time one thread takes for
both. Target: >= 1.8x on 2 cores.

    python benchmarks/threads.py                         # rosenbrock 1e6, oscillator 1e6 steps, huber 1e6
    python benchmarks/threads.py --repeats 5 --rounds 3

For each workload of benchmarks/workloads.py (compiled through the build cache), two independent
inputs A and B: `one thread` runs grad(A) then grad(B), `repeats` times each; `two threads` runs
grad(A) `repeats` times in one thread while another runs grad(B) `repeats` times. Figures are the
best of `rounds` (the least disturbed by other work on the machine). Beside the wall-clock times:
CPU/wall, the process's CPU time over the wall time of the two-thread run (2.0 when both threads
ran all the time on their own core; below when the machine is busy with other work, which a
shared machine's load average shows), the two-thread gradients compared bit for bit with the
one-thread ones, and the longest stall: while one thread computes grad(A) once, the
longest the interpreter was kept from another thread running a Python loop (the whole call if
the gradient held the GIL; the OS's scheduling gaps when it does not, whatever the load): best
of `rounds` single calls.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
WORKLOADS = HERE / "workloads.py"


def _module():
    from srcgrad import build
    from srcgrad.api import _import_extension
    from srcgrad.generate import generate

    generated = generate(WORKLOADS.read_text(), str(WORKLOADS), only=["rosenbrock", "oscillator", "huber"])
    binary, _ = build.compile_cached(generated.text, generated.module_name)
    return _import_extension(binary, generated.module_name)


def _cases(module, size: int, steps: int) -> dict:
    """name -> (grad function, input A, input B): two independent inputs each."""
    rng = np.random.default_rng(14)
    return {
        f"rosenbrock N={size:.0e}": (module.grad_rosenbrock, (rng.uniform(-1, 1, size),), (rng.uniform(-1, 1, size),)),
        f"oscillator {steps:.0e} steps": (module.grad_oscillator, (1.3, 0.2, 0.5, -0.1, 1e-5, steps),
                                          (0.7, 0.1, -0.4, 0.3, 1e-5, steps)),
        f"huber N={size:.0e}": (module.grad_huber, (rng.normal(size=size), 0.5), (rng.normal(size=size), 0.8)),
    }


def _serial(grad, a, b, repeats: int):
    results = []
    for _ in range(repeats):
        results = [grad(*a), grad(*b)]
    return results


def _threaded(grad, a, b, repeats: int):
    results = [None, None]

    def work(k, args):
        for _ in range(repeats):
            results[k] = grad(*args)

    threads = [threading.Thread(target=work, args=(k, args)) for k, args in enumerate((a, b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _timed(run, *args) -> tuple:
    """(wall s, process CPU s, results)"""
    wall, cpu = time.perf_counter(), time.process_time()
    results = run(*args)
    return time.perf_counter() - wall, time.process_time() - cpu, results


def _longest_stall(grad, a) -> tuple:
    """(longest gap s, call s): while another thread runs grad(A) once, this thread runs a Python
    loop reading the clock; its longest gap between two readings is how long the other thread
    kept it from the interpreter. Holding the GIL, that is the whole call; without it, only what
    the OS's scheduling costs (on any load: a measure of the GIL, not of speed)."""
    finished = threading.Event()
    span = []

    def work():
        span.append(time.perf_counter())
        grad(*a)
        span.append(time.perf_counter())
        finished.set()

    readings = []
    worker = threading.Thread(target=work)
    worker.start()
    while not finished.is_set():
        readings.append(time.perf_counter())
    worker.join()
    inside = [t for t in readings if span[0] <= t <= span[1]]
    edges = [span[0]] + inside + [span[1]]
    return max(b - a for a, b in zip(edges, edges[1:])), span[1] - span[0]


def _same(one, other) -> bool:
    flat = [np.ravel(np.asarray(x)) for r in one for x in (r if isinstance(r, tuple) else (r,))]
    flat_other = [np.ravel(np.asarray(x)) for r in other for x in (r if isinstance(r, tuple) else (r,))]
    return all(np.array_equal(x, y) for x, y in zip(flat, flat_other, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=1e6, help="array length (rosenbrock, huber)")
    parser.add_argument("--steps", type=float, default=1e6, help="oscillator steps")
    parser.add_argument("--repeats", type=int, default=10, help="gradients per input per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="measurements; the best is reported")
    options = parser.parse_args()
    module = _module()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; cores: {os.cpu_count()}")
    print("| workload | one thread s | two threads s | speed-up | CPU/wall (two threads) | same bits "
          "| longest stall of another thread during one call, ms (the call, ms) |")
    print("| --- | ---: | ---: | ---: | ---: | --- | ---: |")
    for name, (grad, a, b) in _cases(module, int(options.size), int(options.steps)).items():
        _serial(grad, a, b, 1)  # warm: pages of the inputs, the tape's first growth
        serial, threaded, same = [], [], True
        for _ in range(options.rounds):  # interleaved, so both see the same machine
            wall, _, one = _timed(_serial, grad, a, b, options.repeats)
            serial.append(wall)
            wall, cpu, two = _timed(_threaded, grad, a, b, options.repeats)
            threaded.append((wall, cpu / wall))
            same = same and _same(one, two)
        best_serial = min(serial)
        best_threaded, ratio = min(threaded)
        stall, call = min(_longest_stall(grad, a) for _ in range(options.rounds))
        print(f"| {name} | {best_serial:.3f} | {best_threaded:.3f} | {best_serial / best_threaded:.2f}x | "
              f"{ratio:.2f} | {'yes' if same else 'NO'} | {stall * 1e3:.1f} (of {call * 1e3:.0f}) |")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
