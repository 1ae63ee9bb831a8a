"""What run.py and tests/test_benchmarks.py share: workload inputs and sizes, loading the
srcgrad build of workloads.py and the hand adjoints, and gradient checks.

Importing this module imports NumPy: set thread variables (run.py does) before importing it.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import math
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
WORKLOADS = HERE / "workloads.py"
HAND_PYX = HERE / "hand_adjoints.pyx"

NAMES = ("power_loop", "rosenbrock", "oscillator", "logistic", "huber", "mlp")
LOOP_NAMES = NAMES[:5]

# Positions of the differentiable parameters (srcgrad's convention: `int` ones get no gradient).
DIFFERENTIABLE = {
    "power_loop": (0,),
    "rosenbrock": (0,),
    "oscillator": (0, 1, 2, 3, 4),
    "logistic": (0, 1, 2),
    "huber": (0, 1),
    "mlp": (0, 1, 2, 3, 4, 5),
}

# Problem sizes. "full" is issue 7's; "slow" is where engines that record every scalar operation
# (autograd, PyTorch eager, srcgrad's eager fallback) are timed, a size at which one of their
# runs takes about a second; "quick" and "quick-slow" are run.py --quick's; "check" is
# tests/test_benchmarks.py's.
SIZES = {
    "full": {"power_loop": 1_000_000, "rosenbrock": 100_000, "oscillator": 100_000,
             "logistic": (10_000, 16), "huber": 200_000, "mlp": (512, 64, 256)},
    "slow": {"power_loop": 20_000, "rosenbrock": 2_000, "oscillator": 2_000,
             "logistic": (500, 16), "huber": 4_000, "mlp": (512, 64, 256)},
    "quick": {"power_loop": 20_000, "rosenbrock": 2_000, "oscillator": 2_000,
              "logistic": (200, 16), "huber": 4_000, "mlp": (64, 16, 32)},
    "quick-slow": {"power_loop": 2_000, "rosenbrock": 500, "oscillator": 300,
                   "logistic": (100, 16), "huber": 1_000, "mlp": (64, 16, 32)},
    "check": {"power_loop": 50, "rosenbrock": 20, "oscillator": 30,
              "logistic": (12, 5), "huber": 25, "mlp": (6, 4, 5)},
}


def describe_size(name: str, size) -> str:
    if name == "power_loop":
        return f"n={size:,}"
    if name == "oscillator":
        return f"steps={size:,}"
    if name == "logistic":
        return f"{size[0]:,}x{size[1]}"
    if name == "mlp":
        return f"{size[0]}x{size[1]}->{size[2]}->1"
    return f"N={size:,}"


def make_args(name: str, size, seed: int = 0) -> tuple:
    """Inputs of workload `name` at `size` (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    if name == "power_loop":
        # close to 1 so that x**n stays finite for n = 1e6 (x**n = e**0.1)
        return (1.0 + 1e-7 * (1.0 + 0.1 * rng.random()), int(size))
    if name == "rosenbrock":
        return (rng.uniform(-1.5, 1.5, size),)
    if name == "oscillator":
        return (1.3, 0.2, 0.9 + 0.1 * rng.random(), -0.4, 1e-3, int(size))
    if name == "logistic":
        n, d = size
        X = rng.standard_normal((n, d))
        w_true = rng.standard_normal(d)
        y = np.where(X @ w_true + 0.5 * rng.standard_normal(n) > 0, 1.0, -1.0)
        return (0.3 * rng.standard_normal(d), X, y)
    if name == "huber":
        return (2.0 * rng.standard_normal(size), 1.0)
    if name == "mlp":
        batch, features, hidden = size
        return (rng.standard_normal((features, hidden)) / math.sqrt(features),
                0.1 * rng.standard_normal(hidden),
                rng.standard_normal(hidden) / math.sqrt(hidden),
                0.3,
                rng.standard_normal((batch, features)),
                rng.standard_normal(batch))
    raise KeyError(name)


# --------------------------------------------------------------------------- loading modules


def import_binary(binary: Path, module_name: str, tag: str) -> types.ModuleType:
    """Import a compiled extension under a private name, so two builds of one module coexist.

    The extension's init function is found from the last part of the dotted name
    (PyInit_<module_name>), so the private part is a made-up package in front.
    """
    private = f"_srcgrad_bench_{tag}.{module_name}"
    if private in sys.modules:
        return sys.modules[private]
    loader = importlib.machinery.ExtensionFileLoader(private, str(binary))
    spec = importlib.util.spec_from_file_location(private, binary, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    sys.modules[private] = module
    return module


def load_hand(fast_math: bool = False) -> types.ModuleType:
    """hand_adjoints.pyx compiled (-O3, or -O3 -ffast-math -march=native) through srcgrad's
    content-hash cache: compiled once per text and flags, a hash and a stat afterwards."""
    from srcgrad import build

    binary, _ = build.compile_cached(HAND_PYX.read_text(), "hand_adjoints", fast_math=fast_math)
    return import_binary(binary, "hand_adjoints", binary.parent.name[:16])


def generate_workloads():
    """srcgrad's generated module for workloads.py (text and per-function reports)."""
    from srcgrad.generate import generate

    return generate(WORKLOADS.read_text(), str(WORKLOADS))


def load_srcgrad_cached(fast_math: bool = False) -> types.ModuleType:
    """The srcgrad build of workloads.py, compiled into the cache (what the tests use)."""
    from srcgrad import build

    generated = generate_workloads()
    binary, _ = build.compile_cached(generated.text, generated.module_name, fast_math=fast_math)
    return import_binary(binary, generated.module_name, binary.parent.name[:16])


def load_original() -> types.ModuleType:
    """workloads.py run by CPython, as the user would import it."""
    module = types.ModuleType("workloads_original")
    module.__file__ = str(WORKLOADS)
    exec(compile(WORKLOADS.read_text(), str(WORKLOADS), "exec", dont_inherit=True), module.__dict__)
    return module


def hand_value_and_grad(name: str, fast_math: bool = False):
    if name == "mlp":
        import hand_numpy

        return hand_numpy.value_and_grad_mlp
    return getattr(load_hand(fast_math), f"value_and_grad_{name}")


# --------------------------------------------------------------------------- gradients


def as_tuple(gradient, name: str) -> tuple:
    """A gradient in srcgrad's convention as a tuple of float arrays, one per parameter."""
    if len(DIFFERENTIABLE[name]) == 1:
        gradient = (gradient,)
    return tuple(np.asarray(g, dtype=np.float64) for g in gradient)


@dataclass
class Mismatch:
    what: str
    worst: float  # worst relative error found

    def __str__(self) -> str:
        return f"{self.what}: relative error {self.worst:.2e}"


def compare(name: str, got, expected, rtol: float, what: str) -> Mismatch | None:
    """Gradients (srcgrad convention) agree parameter by parameter, relative to each one's size."""
    got, expected = as_tuple(got, name), as_tuple(expected, name)
    worst = 0.0
    for a, b in zip(got, expected):
        if a.shape != b.shape:
            return Mismatch(f"{what}: shape {a.shape} != {b.shape}", math.inf)
        scale = max(float(np.max(np.abs(b))) if b.size else 0.0, 1e-300)
        error = float(np.max(np.abs(a - b))) / scale if b.size else 0.0
        if not math.isfinite(error):
            error = math.inf
        worst = max(worst, error)
    return Mismatch(what, worst) if worst > rtol else None


def directional_fd(name: str, f, args: tuple, gradient, seed: int = 1, step: float = 1e-6,
                   rtol: float = 1e-5, directions: int = 2) -> Mismatch | None:
    """Check a gradient against central differences of f along random directions.

    (f(args + h v) - f(args - h v)) / 2h must match <gradient, v>. Cheap at any size: two
    calls of f per direction, so it also checks the full-size gradients before timing.
    """
    rng = np.random.default_rng(seed)
    grads = as_tuple(gradient, name)
    positions = DIFFERENTIABLE[name]
    worst = 0.0
    for _ in range(directions):
        vs = [rng.standard_normal(np.shape(args[p])) for p in positions]
        scales = [max(1.0, float(np.max(np.abs(args[p])))) for p in positions]
        h = step
        up, down = list(args), list(args)
        for p, v, s in zip(positions, vs, scales):
            base = np.asarray(args[p], dtype=np.float64)
            up[p] = _like(args[p], base + h * s * v)
            down[p] = _like(args[p], base - h * s * v)
        fd = (float(f(*up)) - float(f(*down))) / (2 * h)
        ad = sum(float(np.sum(g * v)) * s for g, v, s in zip(grads, vs, scales))
        magnitude = sum(float(np.sum(np.abs(g * v))) * s for g, v, s in zip(grads, vs, scales))
        error = abs(fd - ad) / max(magnitude, abs(ad), 1e-12)
        worst = max(worst, error if math.isfinite(error) else math.inf)
    return Mismatch("central differences", worst) if worst > rtol else None


def _like(original, value):
    return float(value) if np.ndim(original) == 0 else value


def coordinate_fd(name: str, f, args: tuple, step: float = 1e-6) -> tuple:
    """Central differences for every coordinate of every differentiable parameter (small sizes)."""
    out = []
    for p in DIFFERENTIABLE[name]:
        base = np.asarray(args[p], dtype=np.float64)
        g = np.zeros(base.shape)
        for index in np.ndindex(base.shape):
            h = step * max(1.0, abs(float(base[index])))
            up, down = base.copy(), base.copy()
            up[index] += h
            down[index] -= h
            a, b = list(args), list(args)
            a[p], b[p] = _like(args[p], up), _like(args[p], down)
            g[index] = (float(f(*a)) - float(f(*b))) / (2 * h)
        out.append(g)
    return out[0] if len(out) == 1 else tuple(out)


def fd_step(name: str, args: tuple) -> float:
    """A central-difference step small enough for the workload's curvature at these inputs."""
    if name == "power_loop":
        return min(1e-6, 1e-3 / max(args[1], 1))  # x**n: relative change n*h must stay small
    return 1e-6
