"""Helpers of numbers calling helpers, called with whole arrays (tests/transform/test_helper_chains.py)."""

import numpy as np


def act(z):
    return 1.0 / (1.0 + np.exp(-z))


def layer(z, w):
    return act(z * w) + 0.5 * z


def model(z, w):
    return layer(layer(z, w), w) * w


def loss(x, w):
    return np.sum(model(x, w) ** 2)


def deep(x):
    return np.sum(step3(x))


def step1(z):
    return z * 1.5 + np.sin(z)


def step2(z):
    return step1(z) * 0.5 + step1(z * z)


def step3(z):
    return step2(step2(z)) - z
