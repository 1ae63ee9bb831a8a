"""Gradients with respect to some parameters only, as users ask for them (issue 13, part 1).

A user fitting logistic regression or the mlp wants the gradient of the loss in the weights,
not in the data: `srcgrad.value_and_grad(logistic, wrt=0)`. run.py times that in-process call
(whose compiled module is specialised to wrt: its adjoint never computes b_X), next to what
the same call did before the specialisation (the full adjoint, then the wrt entries picked), a
hand adjoint that computes only the wrt gradients, and the hand adjoint of every parameter.
"""

from __future__ import annotations

import numpy as np

import suite

# The parameters users differentiate: the weights (positions in the workload's parameter list).
WRT = {"logistic": (0,), "mlp": (0, 1, 2, 3)}

SPECIALISED = "value_and_grad(f, wrt)"  # in process, specialised module
FULL_PICKED = "full adjoint, wrt picked"  # the same call before the specialisation
HAND_WRT = "hand adjoint, wrt only"
HAND_ALL = "hand adjoint, all"


def hand_wrt(name: str):
    if name == "mlp":
        import hand_numpy

        return hand_numpy.value_and_grad_mlp_weights
    return suite.load_hand().value_and_grad_logistic_w


def _as_tuple(gradient, count: int) -> tuple:
    return tuple(np.asarray(g, dtype=np.float64) for g in ((gradient,) if count == 1 else gradient))


def _worst_error(got, expected, count: int) -> float:
    worst = 0.0
    for a, b in zip(_as_tuple(got, count), _as_tuple(expected, count)):
        if a.shape != b.shape:
            return float("inf")
        worst = max(worst, float(np.max(np.abs(a - b))) / max(float(np.max(np.abs(b))), 1e-300))
    return worst


def measure_wrt(name: str, args: tuple, primal, full_module, hand_all, measure, repeats: int,
                min_seconds: float) -> dict:
    """Checks (against the wrt-only hand adjoint and the full one's entries) then interleaved times."""
    import srcgrad

    wrt = WRT[name]
    pick = (lambda g: g[wrt[0]]) if len(wrt) == 1 else (lambda g: tuple(g[i] for i in wrt))
    specialised = srcgrad.value_and_grad(primal, wrt=wrt[0] if len(wrt) == 1 else wrt)
    full_vg = getattr(full_module, f"value_and_grad_{name}")
    hand_only = hand_wrt(name)

    def full_picked():
        value, gradient = full_vg(*args)
        return value, pick(gradient)

    reference_value, reference = hand_only(*args)
    _, everything = hand_all(*args)
    checks = {
        HAND_WRT: _worst_error(reference, pick(everything), len(wrt)),
        SPECIALISED: _worst_error(specialised(*args)[1], reference, len(wrt)),
        FULL_PICKED: _worst_error(full_picked()[1], reference, len(wrt)),
    }
    ok = {label: error <= 1e-8 for label, error in checks.items()}
    implementations = {HAND_ALL: lambda: hand_all(*args)}
    for label, call in ((SPECIALISED, lambda: specialised(*args)), (FULL_PICKED, full_picked),
                        (HAND_WRT, lambda: hand_only(*args))):
        if ok[label]:
            implementations[label] = call
    times = measure(implementations, repeats, min_seconds=min_seconds)
    return {"wrt": list(wrt), "checks": {k: f"{v:.1e}" for k, v in checks.items()},
            "ok": ok, "times": times}


def table_lines(workloads: dict, format_seconds, format_ratio, ratio) -> list:
    """The RESULTS.md section: times, and the ratios before (full adjoint) and after (specialised)."""
    rows = {name: entry["wrt"] for name, entry in workloads.items() if entry.get("wrt")}
    if not rows:
        return []
    labels = [SPECIALISED, FULL_PICKED, HAND_WRT, HAND_ALL]
    lines = ["", "## Gradients with respect to the weights only (`value_and_grad(f, wrt=...)`)", "",
             "The in-process call users make, whose module is specialised to wrt (its adjoint starts from "
             "those parameters and never computes the data's gradients), against what the call did before "
             "(the full adjoint, then the wrt entries picked) and a hand adjoint that computes only the "
             "wrt gradients (hand_adjoints.pyx value_and_grad_logistic_w, hand_numpy.py "
             "value_and_grad_mlp_weights).", "",
             "| workload | wrt | " + " | ".join(labels) + " | after / hand wrt | before / hand wrt | before / after |",
             "| --- | --- | " + " | ".join("---:" for _ in labels) + " | ---: | ---: | ---: |"]
    for name, result in rows.items():
        t = result["times"]
        cells = [format_seconds(t.get(label)) for label in labels]
        after, before = ratio(t.get(SPECIALISED), t.get(HAND_WRT)), ratio(t.get(FULL_PICKED), t.get(HAND_WRT))
        speedup = ratio(t.get(FULL_PICKED), t.get(SPECIALISED))
        lines.append(f"| {name} | {result['wrt']} | " + " | ".join(cells)
                     + f" | {format_ratio(after)} | {format_ratio(before)} | {format_ratio(speedup)} |")
    lines += ["", "Checks before timing (relative error against the wrt-only hand adjoint): "
              + "; ".join(f"{name}: " + ", ".join(f"{k} {v}" for k, v in r["checks"].items())
                          for name, r in rows.items())]
    return lines
