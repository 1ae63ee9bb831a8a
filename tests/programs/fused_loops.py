"""Loops whose reverse sweep can run inside their forward sweep (sum reductions), and near misses
that must keep two sweeps (tests/transform/test_fused_loops.py, test_gather.py)."""

import math

import numpy as np


def rosenbrock(x: np.ndarray) -> float:
    total = 0.0
    for i in range(len(x) - 1):
        total += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return total


def huber(x: np.ndarray, delta: float) -> float:
    total = 0.0
    for i in range(len(x)):
        a = abs(x[i])
        if a <= delta:
            total += 0.5 * x[i] * x[i]
        else:
            total += delta * (a - 0.5 * delta)
    return total


def logistic(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    n = X.shape[0]
    d = X.shape[1]
    loss = 0.0
    for i in range(n):
        z = 0.0
        for j in range(d):
            z += X[i, j] * w[j]
        loss += math.log(1.0 + math.exp(-y[i] * z))
    return loss / n


def between(x: np.ndarray, lo: int, hi: int, w: float) -> float:
    """A range that may run no iteration, or a negative number of them."""
    total = 0.0
    for i in range(lo, hi):
        total += math.sin(w * x[i]) * x[i]
    return total


def strided(x: np.ndarray, w: float) -> float:
    total = 0.0
    for i in range(0, len(x), 3):
        total += w * x[i] ** 2
    for i in range(len(x) - 1, 0, -2):
        total -= math.cos(x[i] + w)
    return total


def scaled_mean(x: np.ndarray, scale: float, shift: float) -> float:
    """The accumulator's adjoint is scale / n times the result's: a linear function of it."""
    n = len(x)
    total = 0.0
    for i in range(n):
        total = math.tanh(x[i] * shift) + total
    mean = total / n
    return scale * mean - (shift * 2.0 - mean)


def two_moments(x: np.ndarray, w: float) -> float:
    """Several accumulators, each used linearly after the loop."""
    n = len(x)
    s1 = 0.0
    s2 = 0.0
    for i in range(n):
        s1 += w * x[i]
        s2 += (w * x[i]) ** 2
    return s2 / n - 3.0 * s1 / n


def variance(x: np.ndarray, w: float) -> float:
    """s1 is squared after the loop: its adjoint is only known once the loop has run (two sweeps)."""
    n = len(x)
    s1 = 0.0
    s2 = 0.0
    for i in range(n):
        s1 += w * x[i]
        s2 += (w * x[i]) ** 2
    return s2 / n - (s1 / n) ** 2


def squared_sum(x: np.ndarray) -> float:
    """The accumulator read nonlinearly after the loop (two sweeps)."""
    total = 0.0
    for i in range(len(x)):
        total += x[i] * math.exp(x[i])
    return total * total


def guarded_sum(x: np.ndarray) -> float:
    """The accumulator read by a condition after the loop (two sweeps)."""
    total = 0.0
    for i in range(len(x)):
        total += x[i] * x[i]
    if total > 1.0:
        total = math.sqrt(total)
    return total


def reset_inside(x: np.ndarray, w: float) -> float:
    """Reset in every iteration: not an accumulator, the last iteration's value is returned."""
    total = 0.0
    for i in range(len(x)):
        total = 0.0
        total += w * x[i] ** 3
    return total


def reads_itself(x: np.ndarray) -> float:
    """total += x[i] * total carries more than a sum (two sweeps)."""
    total = 1.0
    for i in range(len(x)):
        total += 0.5 * x[i] * total
    return total


def local_read_after(x: np.ndarray, w: float) -> float:
    """z, set in the loop, is read after it (two sweeps)."""
    total = 0.0
    z = 0.0
    for i in range(len(x)):
        z = x[i] * w
        total += z * z
    return total + z


def parameter_reassigned_after(x: np.ndarray, w: float) -> float:
    """w, read in the loop, is assigned after it (two sweeps)."""
    total = 0.0
    for i in range(len(x)):
        total += x[i] * w
    w = w * w
    return total + w


def retaped_within(x: np.ndarray, w: float) -> float:
    """z is overwritten within an iteration whose adjoint reads the old value: recorded and
    restored in the same iteration."""
    total = 0.0
    for i in range(len(x)):
        z = x[i] + w
        z = z * z * w
        total += math.sin(z)
    return total


def set_before(x: np.ndarray, w: float) -> float:
    """z is set before the loop, whose adjoint reads it: the loop still restores it."""
    z = w * 2.0
    y = z * z
    total = 0.0
    for i in range(len(x)):
        z = x[i] * w
        total += z * z
    return total + y


def inner_power(x: np.ndarray, k: int) -> float:
    """A taped inner loop inside a fused one."""
    total = 0.0
    for i in range(len(x)):
        p = 1.0
        for j in range(k):
            p = p * x[i]
        total += p
    return 2.0 * total


def branch_inside(x: np.ndarray, w: float) -> float:
    """A branch on a value the loop computes."""
    total = 0.0
    for i in range(len(x)):
        z = x[i] * w
        if z > 0.1:
            total += z * z
        else:
            total += math.sin(z)
    return total


def counted(x: np.ndarray) -> float:
    """An integer accumulator read after the loop, in the coefficient: two sweeps."""
    total = 0.0
    count = 0
    for i in range(len(x)):
        total += x[i] ** 2
        count += 1
    return total / max(count, 1)


def stencil(x: np.ndarray, w: float) -> float:
    """Offsets -1, 0, +1 and +2 of the loop variable."""
    total = 0.0
    for i in range(1, len(x) - 2):
        total += (x[i - 1] - 2.0 * x[i] + x[i + 1]) ** 2 + w * x[i + 2] * x[i]
    return total


def scalar_loop(x0: float, h: float, n: int) -> float:
    total = 0.0
    for i in range(n):
        total += math.sin(x0 + i * h) * h
    return total


def not_gathered(x: np.ndarray, w: float) -> float:
    """z is assigned twice in an iteration: the offset-1 term's value cannot be recomputed at the
    next iteration, so b_x[i + 1] stays a scatter."""
    total = 0.0
    for i in range(len(x) - 1):
        z = x[i] * w
        z = z * z
        total += z * x[i + 1]
    return total


def two_arrays(x: np.ndarray, y: np.ndarray, w: float) -> float:
    """Two gathered arrays, offsets +1 and -1 / +2."""
    total = 0.0
    for i in range(1, len(x) - 2):
        total += w * x[i + 1] * y[i - 1] + math.sin(x[i] - y[i + 2])
    return total


def backwards_stencil(x: np.ndarray) -> float:
    """A descending range: fused, not gathered."""
    total = 0.0
    for i in range(len(x) - 1, 0, -1):
        total += (x[i] - x[i - 1]) ** 2 * x[i]
    return total


def exp_in_arm(x: np.ndarray, w: float) -> float:
    """exp only in one arm of a select: the forward statement does not always make the call, so
    the adjoint's own call is not shared with it."""
    total = 0.0
    for i in range(len(x)):
        total += math.exp(w * x[i]) if x[i] > 0.0 else w * x[i]
    return total


def penalised_logistic(w: np.ndarray, X: np.ndarray, y: np.ndarray, l2: float) -> float:
    """examples/logistic.py: a second loop binds j anew after the first, whose inner loop used it."""
    n = X.shape[0]
    d = X.shape[1]
    total = 0.0
    for i in range(n):
        z = 0.0
        for j in range(d):
            z += X[i, j] * w[j]
        total += math.log(1.0 + math.exp(-y[i] * z))
    penalty = 0.0
    for j in range(d):
        penalty += w[j] * w[j]
    return total / n + l2 * penalty


def rebound_after(x: np.ndarray, w: float, k: int) -> float:
    """z and k, which the loop reads or sets, are assigned anew after it before being read."""
    total = 0.0
    z = 0.0
    for i in range(len(x)):
        z = x[i] * w + k
        total += z * z
    z = w * 3.0
    k = 2
    return total + z * k
