import math

import numpy as np


C0 = 1 / 3
C1 = C0 * 2.0 - 1.0
N0 = 3
S0 = "smooth"
T0 = (C0, 1.5, -0.5)
A0 = np.array([0.5, -1.0, 1.5])


def fn0(x0, x1, x2, n: int):
    for i1 in range(N0 // 2):
        i1 = (i1 * 2 + 1) % 5
        if (-1) > 1:
            continue
        m2 = ((2 * N0 - min(N0, 3)) % 3) % 5
        if ((x2) + (x1) <= x2 + 0.5 ** ((2 - min(n, 3)) % 3)) and (x2 != (A0[abs(1) % 3]) - (A0[1])):
            return np.trunc(x1 * (2 // 2 + N0))
        r3 = 0.5 * ((x0) * (np.e))
        if abs(((x0) * (np.e))) <= 1.0:
            r3 = math.asin(((x0) * (np.e)))
    y4 = np.ones(n + 1)
    for e5 in range(n + 1):
        y4[e5] = np.arctanh(0.5 * np.tanh((1e-3 if np.hypot((float(A0[0])) * (float(A0[0])) + 0.5, x2) < (C0) // 1.5 else math.pi))) * float(e5 + 1)
    for e6 in range(n + 1 - 1, -1, -1):
        y4[e6] -= 0.5 * y4[e6]
    s7 = np.sum(np.sin(y4))
    if (s7 * s7 - -1.0) > 0.0:
        r8 = math.log((s7 * s7 - -1.0))
    else:
        r8 = -(s7 * s7 - -1.0)
    m9 = (abs(1)) % 5
    for i10 in range(abs(0)):
        k11 = 0
        while k11 < 3:
            k11 = k11 + 1
            r8, x2 = x2, r8
            for i12 in range(math.floor(abs(x1)) % 4):
                x0 = ((np.arccosh((C1) * (C1) + 1.5)) + (min(x0, x1))) + (np.log2((x1) * (x1) + 2.0) + math.fmod(np.true_divide(r8, np.abs(s7) + 0.5), 1.25))
        if np.add(r8, np.multiply(x1, 0.5)) == np.arcsinh(np.e):
            break
        m9 = (min(i10, 5) + 1) % 5
    x2 = r8
    return np.logaddexp((A0[1] if (math.sin(x0) >= (x0) * 0.5 - (T0[0]) * 0.25) or (S0 == "fast") else np.e), math.log((T0[2]) * (T0[2]) + 1.0))


def fn1(x0: float, n: int, a: np.ndarray):
    for e1 in range(len(a) - 1, -1, -1):
        r2 = math.sin((x0 * x0 - 1.5)) / (x0 * x0 - 1.5) if (x0 * x0 - 1.5) != 0.0 else 1.0
        if S0 == "fast":
            break
        return np.hypot(((T0[0] if np.exp(-(x0) * (x0)) == np.minimum(x0, r2) else r2)) * ((T0[0] if np.exp(-(x0) * (x0)) == np.minimum(x0, r2) else r2)) + 0.5, (x0) * 0.5 - (x0) * 0.25)
    for e3 in range(len(a)):
        x0 -= np.log2((np.sin(C1)) * (np.sin(C1)) + 2.0)
    s4 = x0
    for i5 in range(math.floor(abs(float(A0[0]))) % 4):
        r6 = 0.0
        for i7 in range(N0):
            u8 = s4 + 0.25 - 0.5 * i7
            if u8 >= 0.0:
                r6 += np.sqrt(u8)
            else:
                r6 += np.sqrt(-u8)
        s4 = fn0(fn0(-1.0, s4, x0, min(min(i5, 5) + 1, 5)) + np.remainder(math.hypot(math.pi, (x0) * (x0) + 0.5), 1.25), np.absolute(a[0]), fn0(np.tanh(A0[2]), float(round(s4)), 2.0 ** math.sin(r6), min(n - 1, 5)), min(min(2, 3), 5))
        for i9 in range(min(n, 3) + 2, 2 * 3 - 1, -2):
            k10 = 0
            while k10 < 6:
                k10 = k10 + 1
                s4, r6 = float(N0 - 1) * (x0 + np.trunc(s4)), np.rad2deg(np.tanh(np.log1p((s4) * (s4))))
        s4 = (3.0 if np.exp(-(r6) * (r6)) < math.hypot(r6, (s4) * (s4) + 0.5) else np.cosh(np.sin(a[len(a) - 1])))
    return ((x0) * (x0)) ** 3


