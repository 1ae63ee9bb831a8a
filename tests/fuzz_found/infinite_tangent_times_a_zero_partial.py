import math

import numpy as np


C0 = 0.3
C1 = 0.7
N0 = 2
S0 = "smooth"
T0 = (0.5, -1.25, 2.0)
A0 = np.array([0.5, -1.0, 1.5])


def fn0(x0):
    r1 = math.sqrt(math.sin(x0)) if math.sin(x0) >= 0.0 else math.sqrt(-math.sin(x0))
    x0 += 0.5
    sin = 0.5
    s2 = 0.5
    s3 = 0.5
    return r1


def fn1(x0, n: int):
    x0 = 0.5
    return x0 + 0.5


def fn2(x0, n: int):
    if 0.5 < 0.5:
        return x0 - 0.5
    sin = x0
    s1 = 0.5
    s2 = 0.5
    s3 = 0.5
    x0 = 0.5
    x0 = fn0(sin)
    return (0.5) + ((0.5) / ((x0) * (x0) + 1.0))
