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


# Checkpointing: the schedule of runtime/tape.pyx (see there and tape.pxd), in Python.
DONE, ADVANCE, SAVE, RESTORE, TURN = 0, 1, 2, 3, 4


def binomial_steps(snapshots, repetitions, cap):
    """C(snapshots + repetitions, snapshots), or cap if that is more."""
    n, value = snapshots + repetitions, 1
    for i in range(min(snapshots, repetitions)):
        value = value * (n - i) // (i + 1)
        if value >= cap:
            return cap
    return min(value, cap)


class Checkpoints:
    __slots__ = ("trips", "block", "blocks", "snaps", "width_doubles", "width_ints", "shots", "position",
                 "frames", "queue", "first", "last", "slot", "doubles", "ints")

    def __init__(self, width_doubles, width_ints):
        """One snapshot slot (slot 0, current) and no plan yet: checkpoints_entry."""
        self.width_doubles, self.width_ints = width_doubles, width_ints
        self.doubles = np.zeros(max(width_doubles, 1))
        self.ints = np.zeros(max(width_ints, 1), dtype=np.int64)
        self.trips = self.block = self.blocks = self.snaps = 0
        self.frames, self.queue = [], []
        self.shots = self.position = self.first = self.last = self.slot = 0

    def plan(self, trips, block, snaps, repetitions):
        self.trips, self.block, self.snaps = trips, block, snaps
        self.blocks = -(-trips // block)
        self.doubles = np.zeros(max(snaps * self.width_doubles, 1))
        self.ints = np.zeros(max(snaps * self.width_ints, 1), dtype=np.int64)
        self.frames = [[0, self.blocks, snaps - 1, repetitions, -1]]
        self.queue = [(SAVE, 0, 0)]  # the loop's start, slot 0
        self.shots, self.position = 1, 0


def _room(tape, limit):
    return max(limit - (tape.doubles.size * 8 + tape.ints.size * 8 + tape.branches.size), 0)


def _fits(tape, trips, per_iteration, limit):
    return per_iteration > 0 and trips <= _room(tape, limit) // 2 // per_iteration


def checkpoints_new(tape, trips, per_iteration, width_doubles, width_ints, limit):
    if trips <= 0 or _fits(tape, trips, per_iteration, limit):
        return None
    c = Checkpoints(width_doubles, width_ints)
    checkpoints_plan(c, tape, trips, per_iteration, limit)
    return c


def checkpoints_entry(tape, width_doubles, width_ints):
    return Checkpoints(width_doubles, width_ints)


def checkpoints_plan(c, tape, trips, per_iteration, limit):
    if c is None or trips <= 0 or _fits(tape, trips, per_iteration, limit):
        return False
    room = _room(tape, limit)
    block = max(room // 4 // per_iteration, 1) if per_iteration > 0 else 1
    blocks = -(-trips // block)
    slot = (c.width_doubles + c.width_ints + 5) * 8
    snaps = max(min(room // 2 // slot, blocks), min(blocks, 2))
    repetitions = 0
    while binomial_steps(snaps - 1, repetitions, blocks) < blocks:
        repetitions += 1
    c.plan(trips, block, snaps, repetitions)
    return True


def checkpoints_next(c):
    while not c.queue and c.frames:
        frame = c.frames[-1]
        a, b, s, r, m = frame
        if m >= 0:  # [m, b) is reversed: drop m's snapshot, then reverse [a, m)
            c.shots -= 1
            frame[1], frame[3], frame[4] = m, r - 1, -1
            continue
        if c.position != a:
            c.queue.append((RESTORE, c.shots - 1, 0))
        if b - a == 1:
            c.queue.append((TURN, a, b))
            c.position = b
            c.frames.pop()
            continue
        while r > 0 and binomial_steps(s, r - 1, b - a) >= b - a:
            r -= 1  # the fewest repetitions that reverse [a, b)
        m = a + max(b - a - binomial_steps(s - 1, r, b - a), binomial_steps(s, r - 2, b - a) if r >= 2 else 0, 1)
        frame[3], frame[4] = r, m
        c.queue.append((ADVANCE, a, m))
        c.queue.append((SAVE, c.shots, 0))
        c.shots += 1
        c.position = m
        c.frames.append([m, b, s - 1, r, -1])
    if not c.queue:
        return DONE
    code, x, y = c.queue.pop(0)
    if code in (SAVE, RESTORE):
        c.slot = x
    else:
        c.first, c.last = x * c.block, min(y * c.block, c.trips)
    return code


def checkpoints_free(c):
    pass


def checkpointing(c):
    return c is not None and c.blocks > 0


def checkpoints_counting(c):
    return c is not None


def checkpoints_first(c):
    return c.first


def checkpoints_last(c):
    return c.last


def save_double(c, k, value):
    c.doubles[c.slot * c.width_doubles + k] = value


def load_double(c, k):
    return float(c.doubles[c.slot * c.width_doubles + k])


def save_int(c, k, value):
    c.ints[c.slot * c.width_ints + k] = value


def load_int(c, k):
    return int(c.ints[c.slot * c.width_ints + k])
