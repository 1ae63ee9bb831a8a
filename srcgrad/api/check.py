"""check_grads: compiled derivatives against central finite differences."""

from __future__ import annotations

import inspect

import numpy as np

from .compiled import _compiled, _describe


def check_grads(f, args, order: int = 1, *, eps: float = 1e-6, rtol: float = 1e-5, atol: float = 1e-8,
                seed: int = 0) -> None:
    """Check f's derivatives against central finite differences along random directions.

    order=1 compares the gradient and forward mode (grad . v, jvp) with the difference quotient
    of f along v; order=2 also compares the Hessian-vector product with the difference quotient
    of the gradient. Raises AssertionError naming the worst mismatch.
    """
    args = tuple(args)
    rng = np.random.default_rng(seed)
    found = _compiled(f)
    if isinstance(found, str):
        raise ValueError(f"check_grads checks compiled derivatives; {_describe(f)}: {found}")
    module, target, report = found
    names = list(inspect.signature(f).parameters)
    positions = [names.index(p) for p in report.differentiable]
    directions = [rng.normal(size=np.shape(args[i])) if np.ndim(args[i]) else float(rng.normal()) for i in positions]
    packed = directions[0] if len(positions) == 1 else tuple(directions)

    def along(t, point=args):
        moved = list(point)
        for i, direction in zip(positions, directions):
            moved[i] = np.asarray(point[i], dtype=float) + t * direction if np.ndim(point[i]) else point[i] + t * direction
        return moved

    def gradients(point):
        g = getattr(module, f"grad_{target.name}")(*point)
        return [g] if len(positions) == 1 else list(g)

    mismatches = []

    def compare(what, got, expected):
        got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
        error = float(np.max(np.abs(got - expected) / (atol + rtol * np.abs(expected)))) if got.size else 0.0
        mismatches.append((error, what, got, expected))

    numeric = (np.sum(f(*along(eps))) - np.sum(f(*along(-eps)))) / (2 * eps)
    gradient = gradients(args)
    compare("grad . v", sum(float(np.sum(g * d)) for g, d in zip(gradient, directions)), numeric)
    compare("jvp", np.sum(getattr(module, f"jvp_{target.name}")(*args, packed)), numeric)
    if order >= 2:
        up, down = gradients(along(eps)), gradients(along(-eps))
        hv = getattr(module, f"hvp_{target.name}")(*args, packed)
        hv = [hv] if len(positions) == 1 else list(hv)
        for k, name in enumerate(report.differentiable):
            compare(f"hvp[{name}]", hv[k], (np.asarray(up[k]) - np.asarray(down[k])) / (2 * eps))
    worst = max(mismatches, key=lambda m: m[0])
    if worst[0] > 1.0:
        raise AssertionError(f"{target.name}: {worst[1]} = {worst[2].tolist()}, but central differences give "
                             f"{worst[3].tolist()} (error {worst[0]:.3g} times the tolerance)")
