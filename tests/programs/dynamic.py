"""Functions the compiler refuses, next to one it compiles."""
import math


def uses_a_list(x, n: int):
    values = [x * i for i in range(n)]
    return sum(values) * x + math.sin(x)


def math_on_tape(x):
    parts = {"a": math.sin(x)}
    return parts["a"] * math.exp(x)


def plain(x):
    return 3.0 * x * x
