"""Hand generated gradients to SciPy: fit examples/logistic.py's model, minimise examples/rosenbrock.py.

    pip install -e ".[scipy]"
    python examples/ecosystem/scipy_fit.py            # builds into generated/, then fits

The generated functions have the signatures SciPy asks for: `grad_f(x)` is a `jac`,
`value_and_grad_f(x)` a `fun` with `jac=True`, and `hvp_f(x, v)` a `hessp` for Newton-CG and
trust-ncg. Extra arguments of the model pass through `args=` as usual.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

EXAMPLES = Path(__file__).resolve().parents[1]


def build(outdir: Path):
    """Compile the two examples (cached: a rebuild of unchanged sources does not run the C compiler)."""
    from srcgrad.cli import main as srcgrad

    code = srcgrad(["build", str(EXAMPLES / "logistic.py"), str(EXAMPLES / "rosenbrock.py"), "-o", str(outdir), "-q"])
    if code != 0:
        raise SystemExit(code)
    sys.path.insert(0, str(outdir))
    import logistic_grad
    import rosenbrock_grad

    return logistic_grad, rosenbrock_grad


def fit_logistic(logistic_grad, samples: int = 400, features: int = 5, seed: int = 0):
    """Recover the weights that generated noisy labels, twice: L-BFGS-B and Newton-CG."""
    rng = np.random.default_rng(seed)
    true_w = rng.normal(size=features)
    X = rng.normal(size=(samples, features))
    y = np.where(X @ true_w + 0.3 * rng.normal(size=samples) > 0, 1.0, -1.0)
    l2 = 1e-3

    # logistic_loss(w, X, y, l2) has four float parameters, so its gradient is a 4-tuple; the
    # optimiser moves only w and wants its gradient alone.
    def loss_and_gradient(w, X, y, l2):
        value, (g_w, _, _, _) = logistic_grad.value_and_grad_logistic_loss(w, X, y, l2)
        return value, g_w

    def hessian_times(w, v, X, y, l2):
        # the Hessian-vector product along (v, 0, 0, 0); its first block is the w-w block times v
        return logistic_grad.hvp_logistic_loss(w, X, y, l2, (v, np.zeros_like(X), np.zeros_like(y), 0.0))[0]

    def gradient(w, X, y, l2):
        return loss_and_gradient(w, X, y, l2)[1]

    w0 = np.zeros(features)
    lbfgs = minimize(loss_and_gradient, w0, args=(X, y, l2), jac=True, method="L-BFGS-B")
    newton = minimize(logistic_grad.logistic_loss, w0, args=(X, y, l2), jac=gradient, hessp=hessian_times,
                      method="Newton-CG")
    return true_w, lbfgs, newton


def minimise_rosenbrock(rosenbrock_grad):
    """The generated functions passed straight in: jac=grad_f, jac=True, hessp=hvp_f."""
    f, grad, value_and_grad, hvp = (rosenbrock_grad.rosenbrock, rosenbrock_grad.grad_rosenbrock,
                                    rosenbrock_grad.value_and_grad_rosenbrock, rosenbrock_grad.hvp_rosenbrock)
    x0 = np.array([1.3, 0.7, 0.8, 1.9, 1.2])
    return {
        "BFGS, jac=grad_rosenbrock": minimize(f, x0, jac=grad, method="BFGS"),
        "L-BFGS-B, jac=True": minimize(value_and_grad, x0, jac=True, method="L-BFGS-B"),
        "trust-ncg, hessp=hvp_rosenbrock": minimize(f, x0, jac=grad, hessp=hvp, method="trust-ncg"),
        "Newton-CG, hessp=hvp_rosenbrock": minimize(f, x0, jac=grad, hessp=hvp, method="Newton-CG"),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", dest="outdir", default="generated", help="where to build (default: generated)")
    args = parser.parse_args(argv)
    logistic_grad, rosenbrock_grad = build(Path(args.outdir))

    true_w, lbfgs, newton = fit_logistic(logistic_grad)
    # labels only fix the direction of w (and its scale up to the noise), so compare directions
    for name, result in (("L-BFGS-B", lbfgs), ("Newton-CG", newton)):
        cosine = result.x @ true_w / np.linalg.norm(result.x) / np.linalg.norm(true_w)
        print(f"logistic regression, {name}: loss {result.fun:.4f} after {result.nit} iterations, "
              f"cosine to the true weights {cosine:.3f}")
    for name, result in minimise_rosenbrock(rosenbrock_grad).items():
        print(f"Rosenbrock, {name}: {result.nit} iterations, distance to the minimum "
              f"{np.linalg.norm(result.x - 1.0):.1e}")


if __name__ == "__main__":
    main()
