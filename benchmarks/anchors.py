"""Other autodiff tools on the same workloads: autograd, JAX and PyTorch eager, each optional.

- autograd and PyTorch eager run the workloads exactly as written in workloads.py: the same
  source, executed with `np` and `math` bound to the engine's own functions (autograd.numpy;
  torch), so every scalar operation of the loops is recorded, as it is for a user who hands
  their loop code to these tools.
- JAX runs the version a JAX expert writes: `lax.fori_loop` for the time-stepping loops (a
  static trip count, so it is reverse-differentiable) and vectorised `jnp` for the element
  loops; `jit(value_and_grad)` in float64, compiled ahead of timing (the compile time is
  reported apart).

Each engine is an object with `missing` (None, or why it cannot run here) and
`prepare(name, args)`, which returns a `Prepared` with `run()` (value and gradient as NumPy,
srcgrad's conventions: a tuple of gradients when there are several) and `timed`, a no-argument
callable that does the whole gradient computation and waits for its result.
Thread settings must be in place before this module is imported (run.py does it).
"""

from __future__ import annotations

import functools
import time
import types
from dataclasses import dataclass
from typing import Callable

import numpy as np

from suite import DIFFERENTIABLE, WORKLOADS


@dataclass
class Prepared:
    run: Callable[[], tuple]
    timed: Callable[[], object]
    compile_seconds: float | None = None


def _workloads_with(np_module, math_module) -> types.ModuleType:
    """workloads.py executed with its `np` and `math` names rebound to another engine's."""
    module = types.ModuleType("workloads_for_engine")
    exec(compile(WORKLOADS.read_text(), str(WORKLOADS), "exec", dont_inherit=True), module.__dict__)
    module.np = np_module  # the functions look these names up at call time
    module.math = math_module
    return module


def _split(name: str, args: tuple):
    """(positions of differentiable args, a function rebuilding the full args from them)."""
    positions = DIFFERENTIABLE[name]

    def merge(params):
        full = list(args)
        for p, value in zip(positions, params):
            full[p] = value
        return full

    return positions, merge


def _srcgrad_shape(name: str, grads):
    grads = tuple(grads)
    return grads[0] if len(DIFFERENTIABLE[name]) == 1 else grads


# --------------------------------------------------------------------------------- autograd


class Autograd:
    label = "autograd"

    def __init__(self):
        try:
            import autograd
            import autograd.numpy as anp
        except ImportError:
            self.missing = "autograd is not installed (pip install -e \".[bench]\")"
            return
        self.missing = None
        self.version = autograd.__version__ if hasattr(autograd, "__version__") else _version("autograd")
        self._autograd = autograd
        self._module = _workloads_with(anp, types.SimpleNamespace(exp=anp.exp, log=anp.log))

    def prepare(self, name: str, args: tuple) -> Prepared:
        f = getattr(self._module, name)
        positions, merge = _split(name, args)
        value_and_grad = self._autograd.value_and_grad(lambda params: f(*merge(params)))
        params = tuple(args[p] for p in positions)

        def run():
            value, grads = value_and_grad(params)
            return float(value), _srcgrad_shape(name, (np.asarray(g, dtype=np.float64) for g in grads))

        return Prepared(run=run, timed=lambda: value_and_grad(params))


# --------------------------------------------------------------------------------- PyTorch


class Torch:
    label = "torch"

    def __init__(self):
        try:
            import torch
        except ImportError:
            self.missing = "PyTorch is not installed (optional: pip install torch)"
            return
        self.missing = None
        torch.set_num_threads(1)
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:  # already set in this process
            pass
        self.version = torch.__version__
        self._torch = torch
        self._module = _workloads_with(
            types.SimpleNamespace(tanh=torch.tanh, mean=torch.mean),
            types.SimpleNamespace(exp=torch.exp, log=torch.log),
        )

    def prepare(self, name: str, args: tuple) -> Prepared:
        torch = self._torch
        f = getattr(self._module, name)
        positions, merge = _split(name, args)
        leaves = [torch.tensor(np.asarray(args[p], dtype=np.float64), requires_grad=True) for p in positions]
        full = merge(leaves)

        def step():
            out = f(*full)
            return out, torch.autograd.grad(out, leaves)

        def run():
            out, grads = step()
            return out.item(), _srcgrad_shape(name, (g.detach().numpy().astype(np.float64) for g in grads))

        return Prepared(run=run, timed=step)


# --------------------------------------------------------------------------------- JAX


class Jax:
    label = "JAX"

    def __init__(self):
        try:
            import jax
            import jax.numpy as jnp
            from jax import lax
        except ImportError:
            self.missing = "JAX is not installed (optional: pip install jax jaxlib)"
            return
        self.missing = None
        jax.config.update("jax_enable_x64", True)
        jax.config.update("jax_platforms", "cpu")
        self.version = jax.__version__
        self._jax = jax
        self._jnp = jnp
        self._lax = lax

    # The versions a JAX expert writes.
    def _function(self, name: str, args: tuple):
        jnp, lax = self._jnp, self._lax
        if name == "power_loop":
            n = args[1]

            def power_loop(x):
                return lax.fori_loop(0, n, lambda i, out: out * x, jnp.float64(1.0))

            return power_loop
        if name == "rosenbrock":
            def rosenbrock(x):
                return jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)

            return rosenbrock
        if name == "oscillator":
            steps = args[5]

            def oscillator(k, c, x0, v0, dt):
                def body(i, state):
                    x, v, acc = state
                    a = -k * x - c * v - 0.1 * x ** 3
                    return x + dt * v, v + dt * a, acc + x * x * dt

                x, v, acc = lax.fori_loop(0, steps, body, (x0, v0, jnp.float64(0.0)))
                return x * x + v * v + acc

            return oscillator
        if name == "logistic":
            def logistic(w, X, y):
                return jnp.mean(jnp.log(1.0 + jnp.exp(-y * (X @ w))))

            return logistic
        if name == "huber":
            def huber(x, delta):
                a = jnp.abs(x)
                return jnp.sum(jnp.where(a <= delta, 0.5 * x * x, delta * (a - 0.5 * delta)))

            return huber
        if name == "mlp":
            def mlp(W1, b1, W2, b2, X, y):
                r = jnp.tanh(X @ W1 + b1) @ W2 + b2 - y
                return jnp.mean(r * r)

            return mlp
        raise KeyError(name)

    def prepare(self, name: str, args: tuple) -> Prepared:
        jax = self._jax
        positions = DIFFERENTIABLE[name]
        f = self._function(name, args)
        params = tuple(jax.device_put(np.asarray(args[p], dtype=np.float64)) for p in positions)
        started = time.perf_counter()
        compiled = jax.jit(jax.value_and_grad(f, argnums=tuple(range(len(positions))))).lower(*params).compile()
        compile_seconds = time.perf_counter() - started

        def timed():
            return jax.block_until_ready(compiled(*params))

        def run():
            value, grads = timed()
            return float(value), _srcgrad_shape(name, (np.asarray(g, dtype=np.float64) for g in grads))

        return Prepared(run=run, timed=timed, compile_seconds=compile_seconds)


def _version(distribution: str) -> str:
    import importlib.metadata

    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "?"


@functools.lru_cache(maxsize=None)
def engines() -> tuple:
    """autograd, JAX and PyTorch, each created once (check `.missing` before use)."""
    return Autograd(), Jax(), Torch()
