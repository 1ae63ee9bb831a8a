"""The tape for the pure-Python output: the same typed stacks as tape.pxd, on NumPy arrays."""

import numpy as np


class Tape:
    __slots__ = ("doubles", "n_doubles", "ints", "n_ints", "branches", "n_branches", "failed")

    def __init__(self):
        self.doubles = np.empty(64, dtype=np.float64)
        self.ints = np.empty(64, dtype=np.int64)
        self.branches = np.empty(64, dtype=np.int8)
        self.n_doubles = self.n_ints = self.n_branches = 0
        self.failed = False


def _grown(array, need):
    capacity = max(len(array), 64)
    while capacity < need:
        capacity *= 2
    grown = np.empty(capacity, dtype=array.dtype)
    grown[: len(array)] = array
    return grown


def reserve_doubles(tape, extra):
    if extra > 0 and tape.n_doubles + extra > len(tape.doubles):
        tape.doubles = _grown(tape.doubles, tape.n_doubles + extra)


def reserve_ints(tape, extra):
    if extra > 0 and tape.n_ints + extra > len(tape.ints):
        tape.ints = _grown(tape.ints, tape.n_ints + extra)


def reserve_branches(tape, extra):
    if extra > 0 and tape.n_branches + extra > len(tape.branches):
        tape.branches = _grown(tape.branches, tape.n_branches + extra)


def push_double(tape, value):
    if tape.n_doubles == len(tape.doubles):
        tape.doubles = _grown(tape.doubles, tape.n_doubles + 1)
    tape.doubles[tape.n_doubles] = value
    tape.n_doubles += 1


def pop_double(tape):
    tape.n_doubles -= 1
    return float(tape.doubles[tape.n_doubles])


def push_int(tape, value):
    if tape.n_ints == len(tape.ints):
        tape.ints = _grown(tape.ints, tape.n_ints + 1)
    tape.ints[tape.n_ints] = value
    tape.n_ints += 1


def pop_int(tape):
    tape.n_ints -= 1
    return int(tape.ints[tape.n_ints])


def push_branch(tape, arm):
    if tape.n_branches == len(tape.branches):
        tape.branches = _grown(tape.branches, tape.n_branches + 1)
    tape.branches[tape.n_branches] = arm
    tape.n_branches += 1


def pop_branch(tape):
    tape.n_branches -= 1
    return int(tape.branches[tape.n_branches])
