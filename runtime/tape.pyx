# cython: language_level=3
"""Growth and release of the tape's stacks (see tape.pxd for the inline push/pop)."""

from libc.stdlib cimport calloc, free, malloc, realloc

cdef Py_ssize_t INITIAL_CAPACITY = 64

# Bytes held by every live tape (its stacks' capacity) and checkpoint schedule, and their peak
# since reset_peak_bytes(): how benchmarks and tests see that --tape-limit bounds the memory.
# Shared by all threads without a lock: a measurement, not a bound the code relies on.
cdef Py_ssize_t live_bytes = 0
cdef Py_ssize_t peak = 0


cdef inline void _account(Py_ssize_t change) noexcept nogil:
    global live_bytes, peak
    live_bytes += change
    if live_bytes > peak:
        peak = live_bytes


def peak_bytes():
    """The most bytes tapes and checkpoint snapshots held at once since reset_peak_bytes()."""
    return peak


def reset_peak_bytes():
    global peak
    peak = live_bytes


cdef void tape_init(Tape* t) noexcept nogil:
    t.doubles = NULL
    t.n_doubles = 0
    t.cap_doubles = 0
    t.ints = NULL
    t.n_ints = 0
    t.cap_ints = 0
    t.branches = NULL
    t.n_branches = 0
    t.cap_branches = 0
    t.failed = False


cdef void tape_free(Tape* t) noexcept nogil:
    _account(-(t.cap_doubles * <Py_ssize_t> sizeof(double) + t.cap_ints * <Py_ssize_t> sizeof(Py_ssize_t)
               + t.cap_branches))
    free(t.doubles)
    free(t.ints)
    free(t.branches)
    t.doubles = NULL
    t.ints = NULL
    t.branches = NULL
    t.cap_doubles = t.cap_ints = t.cap_branches = 0
    t.n_doubles = t.n_ints = t.n_branches = 0


cdef Py_ssize_t _new_capacity(Py_ssize_t capacity, Py_ssize_t need) noexcept nogil:
    if capacity < INITIAL_CAPACITY:
        capacity = INITIAL_CAPACITY
    while capacity < need:
        capacity *= 2
    return capacity


cdef void grow_doubles(Tape* t, Py_ssize_t need) noexcept nogil:
    cdef Py_ssize_t capacity = _new_capacity(t.cap_doubles, need)
    cdef double* data = <double*> realloc(t.doubles, capacity * sizeof(double))
    if data == NULL:
        t.failed = True
        return
    _account((capacity - t.cap_doubles) * <Py_ssize_t> sizeof(double))
    t.doubles = data
    t.cap_doubles = capacity


cdef void grow_ints(Tape* t, Py_ssize_t need) noexcept nogil:
    cdef Py_ssize_t capacity = _new_capacity(t.cap_ints, need)
    cdef Py_ssize_t* data = <Py_ssize_t*> realloc(t.ints, capacity * sizeof(Py_ssize_t))
    if data == NULL:
        t.failed = True
        return
    _account((capacity - t.cap_ints) * <Py_ssize_t> sizeof(Py_ssize_t))
    t.ints = data
    t.cap_ints = capacity


cdef void grow_branches(Tape* t, Py_ssize_t need) noexcept nogil:
    cdef Py_ssize_t capacity = _new_capacity(t.cap_branches, need)
    cdef signed char* data = <signed char*> realloc(t.branches, capacity * sizeof(signed char))
    if data == NULL:
        t.failed = True
        return
    _account((capacity - t.cap_branches) * <Py_ssize_t> sizeof(signed char))
    t.branches = data
    t.cap_branches = capacity


# ---------------------------------------------------------------------------------------- checkpoints
# The binomial schedule (Griewank and Walther, "revolve", ACM TOMS 26(1), 2000), as a recursion
# on blocks [a, b) whose start is the newest snapshot, with s snapshots free and r repetitions:
# with s snapshots, blocks advanced at most r times beyond their first run can be reversed in
# number up to beta(s, r) = C(s + r, s) = beta(s - 1, r) + beta(s, r - 1). With r the fewest that
# reverse [a, b), advance to m = a + max(b - a - beta(s - 1, r), beta(s, r - 2), 1), snapshot there,
# reverse [m, b) with s - 1 snapshots, drop that snapshot and reverse [a, m) with r - 1 repetitions.
# That split gives revolve's optimal count of advanced blocks, r (b - a) - beta(s + 1, r - 1).
# runtime/pytape.py is the same in Python.

cdef Py_ssize_t binomial_steps(Py_ssize_t snapshots, Py_ssize_t repetitions, Py_ssize_t cap) noexcept nogil:
    """C(snapshots + repetitions, snapshots), or cap if that is more."""
    cdef Py_ssize_t n = snapshots + repetitions, k = min(snapshots, repetitions), i, value = 1
    for i in range(k):
        value = value * (n - i) // (i + 1)  # exact: value is C(n, i + 1) after it
        if value >= cap:
            return cap
    return min(value, cap)


cdef Checkpoints* checkpoints_new(Tape* t, Py_ssize_t trips, Py_ssize_t per_iteration, Py_ssize_t width_doubles,
                                  Py_ssize_t width_ints, Py_ssize_t limit) noexcept nogil:
    """A schedule for `trips` iterations that each tape per_iteration bytes (0: not known before
    the loop runs), keeping the tape and the snapshots within limit bytes; NULL when the loop's
    whole tape fits (tape it as usual), or when memory runs out (t.failed is set then)."""
    cdef Checkpoints* c
    if trips <= 0 or _fits(t, trips, per_iteration, limit):
        return NULL
    c = checkpoints_entry(t, width_doubles, width_ints)
    if c != NULL and not checkpoints_plan(c, t, trips, per_iteration, limit):
        checkpoints_free(c)
        return NULL
    return c


cdef inline bint _fits(Tape* t, Py_ssize_t trips, Py_ssize_t per_iteration, Py_ssize_t limit) noexcept nogil:
    """Whether the loop's whole tape fits: a tape grown by doubling holds at most twice what it needs."""
    cdef Py_ssize_t room = max(limit - (t.n_doubles * 8 + t.n_ints * 8 + t.n_branches), 0)
    return per_iteration > 0 and trips <= room // 2 // per_iteration


cdef Checkpoints* checkpoints_entry(Tape* t, Py_ssize_t width_doubles, Py_ssize_t width_ints) noexcept nogil:
    """A schedule with one snapshot slot (slot 0, current) and no plan yet."""
    cdef Checkpoints* c = <Checkpoints*> calloc(1, sizeof(Checkpoints))
    if c == NULL:
        t.failed = True
        return NULL
    c.width_doubles, c.width_ints = width_doubles, width_ints
    c.doubles = <double*> malloc(max(width_doubles, 1) * sizeof(double))
    c.ints = <Py_ssize_t*> malloc(max(width_ints, 1) * sizeof(Py_ssize_t))
    if c.doubles == NULL or c.ints == NULL:
        checkpoints_free(c)
        t.failed = True
        return NULL
    c.bytes = (width_doubles + width_ints) * 8
    _account(c.bytes)
    return c


cdef bint checkpoints_plan(Checkpoints* c, Tape* t, Py_ssize_t trips, Py_ssize_t per_iteration,
                           Py_ssize_t limit) noexcept nogil:
    """Plan c for `trips` iterations; false (c unplanned) when the whole tape fits, or on failure."""
    cdef Py_ssize_t room = max(limit - (t.n_doubles * 8 + t.n_ints * 8 + t.n_branches), 0)
    cdef Py_ssize_t block = 1, blocks, snaps, slot, r = 0
    cdef double* doubles
    cdef Py_ssize_t* ints
    if c == NULL or trips <= 0 or _fits(t, trips, per_iteration, limit):
        return False
    if per_iteration > 0:
        block = max(room // 4 // per_iteration, 1)
    blocks = (trips + block - 1) // block
    slot = (c.width_doubles + c.width_ints + 5) * 8  # its variables and its frame
    snaps = max(min(room // 2 // slot, blocks), min(blocks, 2))
    while binomial_steps(snaps - 1, r, blocks) < blocks:
        r += 1
    doubles = <double*> realloc(c.doubles, max(snaps * c.width_doubles, 1) * sizeof(double))
    if doubles != NULL:
        c.doubles = doubles
    ints = <Py_ssize_t*> realloc(c.ints, max(snaps * c.width_ints, 1) * sizeof(Py_ssize_t))
    if ints != NULL:
        c.ints = ints
    c.frames = <Py_ssize_t*> malloc((snaps + 1) * 5 * sizeof(Py_ssize_t))
    if doubles == NULL or ints == NULL or c.frames == NULL:
        t.failed = True
        return False
    _account(snaps * slot - c.bytes)
    c.bytes = snaps * slot
    c.trips, c.block, c.blocks, c.snaps = trips, block, blocks, snaps
    c.frames[0], c.frames[1], c.frames[2], c.frames[3], c.frames[4] = 0, blocks, snaps - 1, r, -1
    c.depth = 1
    _queue(c, CHECKPOINT_SAVE, 0, 0)  # the loop's start, slot 0
    c.shots = 1
    return True


cdef void checkpoints_free(Checkpoints* c) noexcept nogil:
    if c == NULL:
        return
    _account(-c.bytes)
    free(c.doubles)
    free(c.ints)
    free(c.frames)
    free(c)


cdef inline void _queue(Checkpoints* c, Py_ssize_t code, Py_ssize_t x, Py_ssize_t y) noexcept nogil:
    cdef Py_ssize_t k = 3 * (c.head + c.queued)
    c.queue[k], c.queue[k + 1], c.queue[k + 2] = code, x, y
    c.queued += 1


cdef int _dequeue(Checkpoints* c) noexcept nogil:
    cdef Py_ssize_t k = 3 * c.head
    cdef int code = <int> c.queue[k]
    c.head += 1
    c.queued -= 1
    if c.queued == 0:
        c.head = 0
    if code == CHECKPOINT_SAVE or code == CHECKPOINT_RESTORE:
        c.slot = c.queue[k + 1]
    else:  # blocks [x, y) as iterations
        c.first = c.queue[k + 1] * c.block
        c.last = min(c.queue[k + 2] * c.block, c.trips)
    return code


cdef int checkpoints_next(Checkpoints* c) noexcept nogil:
    """The next action; its iterations are [first, last), its snapshot slot is slot."""
    cdef Py_ssize_t* f
    cdef Py_ssize_t a, b, s, r, m
    while c.queued == 0 and c.depth > 0:
        f = c.frames + 5 * (c.depth - 1)
        a, b, s, r, m = f[0], f[1], f[2], f[3], f[4]
        if m >= 0:  # [m, b) is reversed: drop m's snapshot, then reverse [a, m)
            c.shots -= 1
            f[1], f[3], f[4] = m, r - 1, -1
            continue
        if c.position != a:
            _queue(c, CHECKPOINT_RESTORE, c.shots - 1, 0)
        if b - a == 1:
            _queue(c, CHECKPOINT_TURN, a, b)
            c.position = b
            c.depth -= 1
            continue
        while r > 0 and binomial_steps(s, r - 1, b - a) >= b - a:
            r -= 1  # the fewest repetitions that reverse [a, b)
        m = a + max(b - a - binomial_steps(s - 1, r, b - a), binomial_steps(s, r - 2, b - a) if r >= 2 else 0, 1)
        f[3], f[4] = r, m
        _queue(c, CHECKPOINT_ADVANCE, a, m)
        _queue(c, CHECKPOINT_SAVE, c.shots, 0)
        c.shots += 1
        c.position = m
        f = c.frames + 5 * c.depth
        f[0], f[1], f[2], f[3], f[4] = m, b, s - 1, r, -1
        c.depth += 1
    if c.queued == 0:
        return CHECKPOINT_DONE
    return _dequeue(c)
