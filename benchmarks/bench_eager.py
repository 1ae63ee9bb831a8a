"""Overhead of srcgrad's eager tape per recorded operation and per backward step, side by side
with autograd and PyTorch eager (each when installed).

    pip install -e ".[bench]"          # autograd; PyTorch is optional
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_eager.py [--quick] [--json FILE]

Every workload is one Python function written against a NumPy-like module (`numpy` for srcgrad
and the plain baseline, `autograd.numpy`, or `torch`), so the three engines run the same
operations. For each engine it reports the best of several runs:

- forward: time to run the function while recording, divided by the number of recorded ops;
- backward: time of the backward pass, divided by the same number.

The ratios are the other engine's time over srcgrad's (above 1: srcgrad is faster).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import srcgrad.eager as sg  # noqa: E402


# --- workloads: f(x, xp) with xp the array module --------------------------------------------
def chain(x, xp, n=500):
    """Many cheap elementwise ops on a small value: the per-operation overhead."""
    y = x
    for _ in range(n):
        y = xp.sin(y) * 0.9 + x * 0.1
    return xp.sum(y)


def mlp(params, xp):
    """Two dense layers on a batch: few operations, each a real matrix product."""
    w1, w2, data = params
    h = xp.tanh(data @ w1)
    out = xp.tanh(h @ w2)
    return xp.sum(out * out)


def indexing(x, xp):
    """A loop over elements (x[i] reads), the style of scalar numerical code."""
    total = x[0] * 0.0
    for i in range(len(x) - 1):
        total = total + x[i] * x[i + 1]
    return total


def _mlp_inputs():
    rng = np.random.default_rng(0)
    return [rng.standard_normal((64, 64)) * 0.1, rng.standard_normal((64, 64)) * 0.1, rng.standard_normal((128, 64))]


WORKLOADS = {
    "chain of ufuncs, 0-d values": (lambda xp: chain, lambda: [np.array(0.5)]),
    "chain of ufuncs, 100-vectors": (lambda xp: chain, lambda: [np.linspace(0.0, 1.0, 100)]),
    "MLP, batch 128, 64 wide": (lambda xp: (lambda w1, w2, d, xp: mlp((w1, w2, d), xp)), _mlp_inputs),
    "element loop x[i] * x[i+1], n=200": (lambda xp: indexing, lambda: [np.linspace(0.0, 1.0, 200)]),
}


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


# --- engines ----------------------------------------------------------------------------------
def run_srcgrad(fun, inputs, repeat):
    def forward():
        xs = [sg.constant(a) for a in inputs]
        with sg.GradientTape() as tape:
            tape.watch(xs)
            y = fun(*xs, np)
        return tape, y, xs

    def both():
        tape, y, xs = forward()
        return tape.gradient(y, xs)

    tape, _, _ = forward()
    ops = len(tape._records)
    fwd = best(forward, repeat)
    total = best(both, repeat)
    return ops, fwd, total - fwd, [g.numpy() for g in both()]


def run_autograd(fun, inputs, repeat):
    import autograd.numpy as anp
    from autograd.core import make_vjp

    def f(packed):
        return fun(*packed, anp)

    def forward():
        return make_vjp(f, list(inputs))

    def both():
        vjp, ans = forward()
        return vjp(np.ones_like(ans))

    fwd = best(forward, repeat)
    total = best(both, repeat)
    return fwd, total - fwd, [np.asarray(g) for g in both()]


def run_torch(fun, inputs, repeat):
    import torch

    torch.set_num_threads(1)

    def forward():
        xs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in inputs]
        return fun(*xs, torch), xs

    def both():
        y, xs = forward()
        y.backward()
        return [x.grad for x in xs]

    fwd = best(forward, repeat)
    total = best(both, repeat)
    return fwd, total - fwd, [g.numpy() for g in both()]


def run_plain(fun, inputs, repeat):
    return best(lambda: fun(*inputs, np), repeat)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="eager tape overhead vs autograd and PyTorch")
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke test)")
    parser.add_argument("--json", help="also write the measurements to this file")
    args = parser.parse_args(argv)
    repeat = 2 if args.quick else 9

    engines = {"autograd": run_autograd, "torch": run_torch}
    for name in list(engines):
        try:
            __import__(name)
        except ImportError:
            print(f"({name} is not installed: skipped)", file=sys.stderr)
            del engines[name]

    rows = []
    for label, (make, make_inputs) in WORKLOADS.items():
        fun, inputs = make(np), make_inputs()
        ops, fwd, bwd, grads = run_srcgrad(fun, inputs, repeat)
        row = {"workload": label, "ops": ops, "numpy_us_per_op": 1e6 * run_plain(fun, inputs, repeat) / ops,
               "srcgrad": {"forward_us_per_op": 1e6 * fwd / ops, "backward_us_per_op": 1e6 * bwd / ops}}
        for name, run in engines.items():
            efwd, ebwd, egrads = run(fun, inputs, repeat)
            for g, e in zip(grads, egrads):
                assert np.allclose(g, e, rtol=1e-9, atol=1e-12), f"{name} disagrees on {label}"
            row[name] = {"forward_us_per_op": 1e6 * efwd / ops, "backward_us_per_op": 1e6 * ebwd / ops,
                         "forward_ratio": efwd / fwd, "backward_ratio": ebwd / bwd}
        rows.append(row)

    header = "| workload | ops | NumPy µs/op | srcgrad fwd / bwd µs/op |"
    rule = "| --- | ---: | ---: | ---: |"
    for name in engines:
        header += f" {name} fwd / bwd µs/op | {name} ÷ srcgrad (fwd, bwd) |"
        rule += " ---: | ---: |"
    print(header)
    print(rule)
    for row in rows:
        s = row["srcgrad"]
        line = (f"| {row['workload']} | {row['ops']} | {row['numpy_us_per_op']:.2f} | "
                f"{s['forward_us_per_op']:.2f} / {s['backward_us_per_op']:.2f} |")
        for name in engines:
            e = row[name]
            line += (f" {e['forward_us_per_op']:.2f} / {e['backward_us_per_op']:.2f} |"
                     f" {e['forward_ratio']:.1f}x, {e['backward_ratio']:.1f}x |")
        print(line)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
