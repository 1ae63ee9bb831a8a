"""Batched gradients (issue 14 part 5): `srcgrad build --batch`'s grad_NAME_batched against a
Python loop over grad_NAME and against jax.vmap(jax.grad(...)).

    python benchmarks/batch.py                       # oscillator and rosenbrock batches; about a minute
    python benchmarks/batch.py --rows 2000 --repeats 5

Workloads (benchmarks/workloads.py, compiled through the build cache with --batch):
- oscillator: `rows` (k, c) pairs, x0, v0, dt the same for every row, `steps` steps: the gradient
  with respect to all five parameters per row (a taped loop per row).
- rosenbrock: a (rows, n) batch of points, the gradient per row (an element loop, no tape).
Columns: the Python loop `[grad_NAME(*row) for row in ...]`, grad_NAME_batched with threads=1 and
threads=2, and jax.jit(jax.vmap(jax.grad(f))) of the JAX versions in anchors.py (float64 on the
CPU, compiled before timing; skipped with a note when JAX is not installed). Median of `repeats`.
Every batched result is compared with the loop (bit for bit) and JAX's (to 1e-9, relative).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
WORKLOADS = HERE / "workloads.py"


def _module():
    from srcgrad import build
    from srcgrad.api import _import_extension
    from srcgrad.generate import generate

    generated = generate(WORKLOADS.read_text(), str(WORKLOADS), only=["rosenbrock", "oscillator"], batch=True)
    binary, _ = build.compile_cached(generated.text, generated.module_name)
    return _import_extension(binary, generated.module_name)


def _median(run, repeats: int) -> tuple:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _jax_batched(name: str, steps: int):
    """jax.jit(jax.vmap(jax.grad(f))) of anchors.py's JAX version; None when JAX is missing."""
    try:
        import jax
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_platforms", "cpu")
    from anchors import Jax

    f = Jax()._function(name, (None,) * 5 + (steps,))  # the expert versions of the suite
    if name == "oscillator":
        return jax.jit(jax.vmap(jax.grad(f, argnums=(0, 1, 2, 3, 4)), in_axes=(0, 0, None, None, None)))
    return jax.jit(jax.vmap(jax.grad(f)))


def _cases(module, rows: int, steps: int, size: int) -> list:
    rng = np.random.default_rng(14)
    k, c = rng.uniform(0.5, 2.0, rows), rng.uniform(0.0, 0.3, rows)
    x0, v0, dt = 0.5, -0.1, 0.001
    points = rng.uniform(-1.0, 1.0, (rows, size))
    return [
        (f"oscillator: {rows} rows x {steps} steps", "oscillator",
         lambda: [module.grad_oscillator(k[r], c[r], x0, v0, dt, steps) for r in range(rows)],
         lambda threads: module.grad_oscillator_batched(k, c, x0, v0, dt, steps, threads=threads),
         (k, c, x0, v0, dt), steps),
        (f"rosenbrock: {rows} rows x n={size}", "rosenbrock",
         lambda: [module.grad_rosenbrock(points[r]) for r in range(rows)],
         lambda threads: module.grad_rosenbrock_batched(points, threads=threads), (points,), None),
    ]


def _as_rows(looped) -> np.ndarray:
    """The loop's list of gradients as grad_NAME_batched lays them out."""
    if isinstance(looped[0], tuple):
        return tuple(np.array([g[j] for g in looped]) for j in range(len(looped[0])))
    return np.array(looped)


def _equal(a, b) -> bool:
    if isinstance(a, tuple):
        return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    return np.array_equal(a, b)


def _close(a, b) -> bool:
    if isinstance(a, tuple):
        return all(np.allclose(x, np.asarray(y), rtol=1e-9, atol=1e-12) for x, y in zip(a, b, strict=True))
    return np.allclose(a, np.asarray(b), rtol=1e-9, atol=1e-12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=10000, help="oscillator steps per row")
    parser.add_argument("--size", type=int, default=1000, help="rosenbrock's n")
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args()
    module = _module()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; cores: {os.cpu_count()}")
    print("| workload | Python loop s | batched, 1 thread s | batched, 2 threads s | jax.vmap(jax.grad) s "
          "| loop / 2 threads | jax / 2 threads | same bits as the loop | JAX agrees |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    missing_jax = None
    for title, name, looped, batched, arguments, steps in _cases(module, options.rows, options.steps, options.size):
        loop_s, loop_result = _median(looped, options.repeats)
        one_s, one = _median(lambda: batched(1), options.repeats)
        two_s, two = _median(lambda: batched(2), options.repeats)
        expected = _as_rows(loop_result)
        same = _equal(one, expected) and _equal(two, expected)
        jax_function = _jax_batched(name, steps)
        if jax_function is None:
            missing_jax = "JAX is not installed (optional: pip install jax jaxlib): its column is empty"
            jax_text, ratio, agrees = "", "", ""
        else:
            compiled = jax_function.lower(*arguments).compile()
            jax_s, jax_result = _median(lambda: _jax_result(compiled, arguments), options.repeats)
            jax_text, ratio = f"{jax_s:.4f}", f"{jax_s / two_s:.2f}x"
            agrees = "yes" if _close(two, jax_result) else "NO"
        print(f"| {title} | {loop_s:.4f} | {one_s:.4f} | {two_s:.4f} | {jax_text} | {loop_s / two_s:.1f}x | {ratio} "
              f"| {'yes' if same else 'NO'} | {agrees} |")
    if missing_jax:
        print(missing_jax)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _jax_result(compiled, arguments):
    import jax

    return jax.block_until_ready(compiled(*arguments))


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(HERE))  # anchors.py
    main()
