"""Data-parallel gradients on Dask: examples/logistic.py's loss over a dataset chunked by rows.

    pip install -e ".[dask]"
    python examples/ecosystem/dask_logistic.py                     # a LocalCluster on this machine
    python examples/ecosystem/dask_logistic.py --scheduler tcp://host:8786   # an existing cluster

The loss is a mean over samples plus a penalty, so it splits exactly over row chunks of sizes n_c:

    logistic_loss(w, X, y, l2) = sum over chunks c of (n_c / n) * logistic_loss(w, X_c, y_c, l2)

and the gradient is the sum of each chunk's `vjp_logistic_loss(w, X_c, y_c, l2, n_c / n)`, computed on
the workers by the compiled module and summed. Built with `--wrt logistic_loss=w` where that option
exists, the workers compute no gradient for the data; here the vjp's first entry is the one used.

The workers import the generated module `logistic_grad` (generated functions pickle by reference,
like any function of an importable module), so it must be importable on every worker:
- a LocalCluster started here inherits PYTHONPATH, which `build` points at OUTDIR;
- on a real cluster, put OUTDIR on a shared file system and on the workers' PYTHONPATH, or ship the
  model as a package built with srcgrad's setuptools hook (examples/ecosystem/package) and
  `pip install` it on every worker: the module then imports as any installed extension.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

EXAMPLES = Path(__file__).resolve().parents[1]


def build(outdir: Path):
    """Compile examples/logistic.py into OUTDIR and make it importable here and in workers started later."""
    from srcgrad.cli import main as srcgrad

    code = srcgrad(["build", str(EXAMPLES / "logistic.py"), "-o", str(outdir), "-q"])
    if code != 0:
        raise SystemExit(code)
    sys.path.insert(0, str(outdir))
    # worker processes of a LocalCluster started after this inherit the environment
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(outdir), os.environ.get("PYTHONPATH")]))
    import logistic_grad

    return logistic_grad


def chunk_gradient(X_chunk, y_chunk, w, l2, samples):
    """Runs on a worker: this chunk's share of the gradient with respect to w, and the worker's pid."""
    import logistic_grad  # the worker's own import of the compiled module

    share = X_chunk.shape[0] / samples
    return logistic_grad.vjp_logistic_loss(w, X_chunk, y_chunk, l2, share)[0], os.getpid()


def distributed_gradient(client, X, y, w, l2: float, chunk_rows: int):
    """The gradient of the whole loss, from row chunks of a dask.array computed on the cluster."""
    import dask
    import dask.array as da

    X_chunks = da.from_array(X, chunks=(chunk_rows, X.shape[1])).to_delayed().ravel()
    y_chunks = da.from_array(y, chunks=(chunk_rows,)).to_delayed().ravel()
    parts = [dask.delayed(chunk_gradient)(Xc, yc, w, l2, X.shape[0]) for Xc, yc in zip(X_chunks, y_chunks)]
    results = client.compute(parts, sync=True)
    gradient = np.sum([g for g, _ in results], axis=0)
    return gradient, {pid for _, pid in results}


def dataset(samples: int, features: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(samples, features))
    true_w = rng.normal(size=features)
    y = np.where(X @ true_w + 0.3 * rng.normal(size=samples) > 0, 1.0, -1.0)
    return X, y


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheduler", help="address of a running Dask scheduler (default: start a LocalCluster)")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (default 2)")
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--features", type=int, default=8)
    parser.add_argument("--chunk-rows", type=int, default=2_500)
    parser.add_argument("--outdir", type=Path, default=Path("generated"))
    args = parser.parse_args(argv)

    from dask.distributed import Client, LocalCluster

    logistic_grad = build(args.outdir)
    X, y = dataset(args.samples, args.features)
    w, l2 = np.full(args.features, 0.1), 1e-3
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        client = Client(LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True))
    with client:
        gradient, pids = distributed_gradient(client, X, y, w, l2, args.chunk_rows)
    single = logistic_grad.grad_logistic_loss(w, X, y, l2)[0]
    print(f"{len(pids)} worker processes, {-(-args.samples // args.chunk_rows)} chunks")
    print("distributed gradient:", np.array2string(gradient, precision=6))
    print(f"largest difference from the single-process gradient: {np.max(np.abs(gradient - single)):.2e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
