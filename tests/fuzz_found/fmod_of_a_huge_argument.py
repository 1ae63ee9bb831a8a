import math

import numpy as np


C0 = -1.5
C1 = math.e / 4
N_BASE = 4
N0 = N_BASE - 1
S0 = 'exact'
T0 = (0.5, -1.25, 2.0)
A0 = np.linspace(0.0, 1.0, 3)


def fn0(x0: float = C1 * 2.0, *, flag: bool, n: int = 3):
    x0 = x0
    m1 = ((-1) - 1) % 5
    for i2 in range(min(0, 3)):
        return x0 - 0.1
    return ((x0 if min(m1, 5) - 1 == 2 * 2 else x0)) + float(round(np.true_divide(x0, np.abs(x0) + 0.5)))


def exp(x0, x1, n: int):
    s1 = x0
    return np.sin(math.asinh(x0))


def fn2(x1, a: np.ndarray, *, x0):
    x1, x0 = x0, x1
    r1 = 1.5
    if abs(fn0(x1, n=min((-1) % 3, 5), flag=a[len(a) - 1] <= max(x1, x1, 0.25))) <= 1.0:
        r1 = np.arcsin(fn0(x1, n=min((-1) % 3, 5), flag=a[len(a) - 1] <= max(x1, x1, 0.25)))
    for i2 in range((-1) - 1):
        for e3 in range(len(a) - 1, -1, -1):
            r1, x0 = x0, r1
            for e4 in range(len(a)):
                x0 = float(A0[0])
        r1 = (r1) - (r1)
        a[len(a) - 1] = a[len(a) - 1] * math.cos(x1)
    x0, x1 = np.abs(exp(math.pi, np.dot(A0, A0), min(3 // 2, 5))), np.fmod(x1, 0.5) * a[0]
    return x1 + (a[len(a) - 1])
