"""A function whose derivative is wrong at a jump, for check_grads."""

import math


def step_function(x):
    return math.floor(x) + x
