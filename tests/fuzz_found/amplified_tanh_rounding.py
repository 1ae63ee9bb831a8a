import math

import numpy as np


C0 = 0.3
C1 = C0 * 2.0 - 1.0
N0 = 3
S0 = 'exact'
T0 = (0.5, -1.25, 2.0)
A0 = np.linspace(0.0, 1.0, 3)


def expm1(x1, x0: float, *, n: int = 0, x2):
    if (0.1) * 0.5 - (-2.5) * 0.25 > math.atan(math.pi):
        s1 = max(x0, T0[0])
    return math.asin(0.75 * math.sin(np.rad2deg(np.tanh(x2))))


def fn1(x1, *, x0=0.5, x2):
    for i1 in range(max(1, 1)):
        x0, x2 = x2, x0
        x2 = x1
    for i2 in range(max(1, 1)):
        i2 = (i2 * 2 + 1) % 5
        k3 = 0
        while True:
            k3 += 1
            if k3 > 7:
                break
            x2, x0 = expm1(x0, abs(A0[min((-1), 3) % 3]), x2=np.add(x0, np.multiply(x2, 0.5))), expm1(x1=(-0.25) - (x2), x0=(x2 if x0 < (x1 if np.hypot((float(A0[0])) * (float(A0[0])) + 0.5, x1) > np.e else x2) else x0), n=min((-1), 5), x2=np.sin(x2))
            x0 = x0
        for i4 in range(2 * min(i2, 5), 2 * 3 + 3, 3):
            x2, x1 = (np.log1p((x1) * (x1))) - 2.0 * ((x0) / ((x1) * (x1) + 1.0)), ((T0[2]) ** 3) * 0.5 - (math.radians(float(A0[0]))) * 0.25
            x0 += (expm1(x1, x0, n=min(min(N0, 3), 5), x2=x1)) + (np.tanh(x0))
            r5 = 0.0
            for i6 in range(3):
                u7 = np.abs(x1) - 0.5 * i6
                if u7 < 0.0:
                    r5 += math.sqrt(-u7)
                else:
                    r5 += math.log1p(u7)
    x2, x0 = x0, x2
    for i8 in range(3):
        x0, x1 = x1, x0
    if not ((x1 - 1.0) > 0.0):
        r9 = 0.5 * (x1 - 1.0)
    else:
        r9 = np.log((x1 - 1.0))
    x2, x1 = x1, x2
    return x1 + math.log2((np.minimum(A0[1], np.e)) * (np.minimum(A0[1], np.e)) + 2.0)


