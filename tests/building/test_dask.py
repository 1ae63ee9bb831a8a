"""Data-parallel gradients on Dask (examples/ecosystem/dask_logistic.py): the chunked gradient
computed by worker processes equals the single-process one, and the workers import the generated
module themselves. Needs the optional extra: `pip install -e ".[dask]"`; without it these tests are
skipped, saying so."""

from __future__ import annotations

import importlib.util
import os
import pickle
import sys
from pathlib import Path

import numpy as np
import pytest

distributed = pytest.importorskip("distributed", reason="Dask is not installed: pip install -e '.[dask]'")

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ecosystem" / "dask_logistic.py"


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("dask_logistic", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    saved_path, saved_env = list(sys.path), os.environ.get("PYTHONPATH")
    module.logistic_grad = module.build(tmp_path_factory.mktemp("dask_generated"))
    yield module
    sys.path[:] = saved_path
    if saved_env is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = saved_env


@pytest.fixture(scope="module")
def client(example):
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


def test_generated_functions_pickle_by_reference(example):
    function = example.logistic_grad.vjp_logistic_loss
    payload = pickle.dumps(function)
    assert b"logistic_grad" in payload and len(payload) < 200  # a name to import, not code
    assert pickle.loads(payload) is function


@pytest.mark.parametrize("chunk_rows", [250, 333, 1000])
def test_chunked_gradient_on_workers_equals_the_single_process_gradient(example, client, chunk_rows):
    X, y = example.dataset(1000, 6, seed=3)
    w, l2 = np.linspace(-0.5, 0.5, 6), 0.01
    gradient, pids = example.distributed_gradient(client, X, y, w, l2, chunk_rows)
    single = example.logistic_grad.grad_logistic_loss(w, X, y, l2)[0]
    np.testing.assert_allclose(gradient, single, rtol=1e-12, atol=1e-12)
    # and the single-process gradient is the true one: central differences of the original loss
    sys.path.insert(0, str(EXAMPLE.parents[1]))
    try:
        from logistic import logistic_loss
    finally:
        sys.path.remove(str(EXAMPLE.parents[1]))
    steps = np.eye(6) * 1e-6
    differences = [(logistic_loss(w + s, X, y, l2) - logistic_loss(w - s, X, y, l2)) / 2e-6 for s in steps]
    np.testing.assert_allclose(gradient, differences, rtol=1e-6, atol=1e-9)
    assert os.getpid() not in pids  # computed in worker processes, not here


def test_workers_import_the_generated_module(example, client):
    X, y = example.dataset(400, 4)
    example.distributed_gradient(client, X, y, np.zeros(4), 0.0, 100)
    imported = client.run(lambda: "logistic_grad" in sys.modules and sys.modules["logistic_grad"].__file__)
    assert len(imported) == 2
    for location in imported.values():
        assert location and Path(location).suffix in (".so", ".pyd") and "logistic_grad" in Path(location).name
