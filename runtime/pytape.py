"""The tape for the pure-Python output: the same typed stacks as tape.pxd, on NumPy arrays."""

import numpy as np


class _Stack:
    """A typed stack with a cursor, grown by doubling."""

    __slots__ = ("data", "size", "convert")

    def __init__(self, dtype, convert):
        self.data = np.empty(64, dtype=dtype)
        self.size = 0
        self.convert = convert  # pops give Python numbers, as the compiled tape gives C ones

    def reserve(self, extra):
        if extra > 0 and self.size + extra > len(self.data):
            capacity = max(len(self.data), 64)
            while capacity < self.size + extra:
                capacity *= 2
            grown = np.empty(capacity, dtype=self.data.dtype)
            grown[: self.size] = self.data[: self.size]
            self.data = grown

    def push(self, value):
        if self.size == len(self.data):
            self.reserve(1)
        self.data[self.size] = value
        self.size += 1

    def pop(self):
        self.size -= 1
        return self.convert(self.data[self.size])


class Tape:
    __slots__ = ("doubles", "ints", "branches", "failed")

    def __init__(self):
        self.doubles = _Stack(np.float64, float)
        self.ints = _Stack(np.int64, int)
        self.branches = _Stack(np.int8, int)
        self.failed = False


def reserve_doubles(tape, extra):
    tape.doubles.reserve(extra)


def reserve_ints(tape, extra):
    tape.ints.reserve(extra)


def reserve_branches(tape, extra):
    tape.branches.reserve(extra)


def push_double(tape, value):
    tape.doubles.push(value)


def pop_double(tape):
    return tape.doubles.pop()


def push_int(tape, value):
    tape.ints.push(value)


def pop_int(tape):
    return tape.ints.pop()


def push_branch(tape, arm):
    tape.branches.push(arm)


def pop_branch(tape):
    return tape.branches.pop()
