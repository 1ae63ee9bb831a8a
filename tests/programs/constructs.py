"""One small function per construct of the compiled subset; tests/transform/test_compiler_gradients.py lists inputs."""

import math
from math import exp, sin

import numpy as np

SCALE = 2.5
OFFSET = -SCALE / 4 + math.pi


def arithmetic(x, y):
    return (x * y - x / y + 3.0) ** 2 - y ** 3 + x ** 0.5 - 2 ** y


def unary_and_constants(x):
    return -x * SCALE + OFFSET - (-x) ** 3


def math_functions(x):
    a = math.sin(x) * math.cos(x) + math.tan(x / 3) + math.exp(x / 4) + math.log(x + 2.0)
    b = math.sqrt(x + 1.0) + math.atan(x) + math.tanh(x) + math.log1p(x * x) + math.atan2(x, 2.0)
    c = math.hypot(x, 3.0) + math.sinh(x / 2) + math.cosh(x / 3) + math.log(x + 3.0, 2.0) + math.expm1(x / 5)
    return a * b + c + math.asin(x / 4) + math.acos(x / 5) + math.pow(x + 1.0, 1.5) + sin(x) * exp(-x)


def numpy_functions(x, y):
    return np.sin(x) * np.exp(y) + np.sqrt(x * x + 1.0) + np.tanh(y) + np.maximum(x, y) + np.abs(x - y) \
        + np.arctan2(y, x) + np.minimum(x * y, 1.0) + np.log(y + 2.0) + np.square(x) + np.cbrt(y + 3.0)


def builtins_min_max_abs(x, y, z):
    return min(x, y, z) * max(x, y) + abs(z - x) + float(x) * 2


def floor_div_and_mod(x, y):
    q = x // 1.5
    r = x % 1.5
    return q * y + r * r + (x - y) % 0.7


def integer_arithmetic(x, n: int, k: int):
    m = n // 3 + n % 3 - k * 2
    p = m ** 2 + (n - k) // 2
    return x * m + x * p / n + int(x * 3) + round(x)


def branches(x, y):
    if x > y:
        z = x * y
    elif x < -y:
        z = x - y * y
    else:
        z = x / y
    if z > 1.0 and x > 0.0 or not y < 2.0:
        z = z * 2.0
    return z + (x * x if x > 0.5 else y * y)


def for_ranges(x, n: int):
    s = 0.0
    for i in range(n):
        s = s + x * i
    for i in range(2, n + 3):
        s = s * 0.9 + x / i
    for i in range(n, 0, -1):
        s = s + math.sin(s) * x * i
    for i in range(1, 3 * n, 2):
        s = s - 0.01 * x * s * i
    for i in range(10, 3, -3):
        s = s + x ** 2 / i
    return s


def nested_loops(x, y, n: int):
    total = 0.0
    acc = x
    for i in range(n):
        for j in range(i, n):
            acc = acc * 0.9 + y * j
            total += acc * x
    return total + acc


def while_loop(x):
    t = x
    steps = 0
    while t < 10.0:
        t = t * 1.3 + 0.1
        steps += 1
    return t * steps


def break_and_continue(x, n: int):
    s = x
    for i in range(n):
        if i % 3 == 1:
            continue
        s = s * 1.1 + x * i
        if s > 50.0:
            break
        s = s - 0.5 * x
    return s


def return_inside_loop(x, n: int):
    s = x
    for i in range(n):
        s = s * s * 0.5 + 0.3
        if s > 4.0:
            return s * i
    return -s


def return_in_nested_loops(x):
    s = x
    for i in range(5):
        for j in range(5):
            s = s + x * j * 0.1
            if s > 3.0:
                return s * s
        s = s * 0.5
    return s


def while_with_break(x):
    s = x
    k = 0
    while True:
        k += 1
        s = math.cos(s) + 0.1 * x
        if k >= 7:
            break
    return s


def tuple_unpacking(x, y):
    a, b = x * 2.0, y + 1.0
    for i in range(4):
        a, b = b, a * 0.5 + b
    return a * b


def augmented(x, y):
    s = x
    s += y
    s -= x * 0.5
    s *= y
    s /= 2.0 + x * x
    s **= 2
    return s


def helper(u, v):
    return u * v + math.sin(u)


def calls_in_loop(x, y, n: int):
    s = 0.0
    for i in range(n):
        s = s + helper(x * i, y) * 0.1
    return s + helper(s, x) * helper(y, y)


def bool_parameter(x, flip: bool):
    if flip:
        return -x * x
    return x * x


def comparisons_not_differentiated(x):
    big = x > 1.0
    return x * x if big else x * 3.0


def overwritten_parameter(x, y):
    x = x * y
    y = x + y
    x = x * x + y
    return x * y


def int_tape(x, n: int):
    j = 1
    s = x
    for i in range(n):
        j = j + i % 2 + 1
        s = s * x + j
    return s


def piecewise_zero(x):
    return x * 0.0 + math.floor(x) + math.ceil(x)
