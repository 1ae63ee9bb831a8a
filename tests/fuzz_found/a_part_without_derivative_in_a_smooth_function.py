import math

import numpy as np


C0 = 0.3
C1 = 0.7
N0 = 2
S0 = "smooth"
T0 = (0.5, -1.25, 2.0)
A0 = np.array([0.5, -1.0, 1.5])


def fn0(x0):
    r1 = math.sqrt(math.log1p((x0) * (x0))) if math.log1p((x0) * (x0)) >= 0.0 else math.sqrt(-math.log1p((x0) * (x0)))
    s2 = x0
    s3 = x0
    sin = 0.5
    k4 = 0
    while k4 < 1:
        k4 = k4 + 1
        s5 = 0.5
    return math.sin((r1 if S0 == "smooth" else 0.5))


def fn1(x0, flag: bool):
    s1 = 0.5
    return x0 + 0.5


def fn2(x0, n: int, flag: bool):
    sin = 0.5
    s1 = 0.5
    s2 = 0.5
    if 0.5 < 0.5:
        return x0 - 0.5
    x0 = x0
    x0 = x0
    x0 = fn0(x0)
    return math.cos(x0)
