# The tape that generated adjoints record on: three typed stacks with cursors.
#
# `doubles` keeps float values that the reverse sweep needs after they are overwritten,
# `ints` keeps integer values and loop trip counts, `branches` keeps which arm of an `if` ran.
# Pushes grow a stack by doubling; `reserve_*` preallocates before a loop whose trip count is
# known. Growth failure sets `failed` instead of raising, so loop bodies stay free of Python;
# the caller checks `failed` once after the sweep. Pops on an empty stack return 0 rather than
# read out of bounds (only reachable after a failed growth).

cdef struct Tape:
    double* doubles
    Py_ssize_t n_doubles
    Py_ssize_t cap_doubles
    Py_ssize_t* ints
    Py_ssize_t n_ints
    Py_ssize_t cap_ints
    signed char* branches
    Py_ssize_t n_branches
    Py_ssize_t cap_branches
    bint failed

cdef void tape_init(Tape* t) noexcept nogil
cdef void tape_free(Tape* t) noexcept nogil
cdef void grow_doubles(Tape* t, Py_ssize_t need) noexcept nogil
cdef void grow_ints(Tape* t, Py_ssize_t need) noexcept nogil
cdef void grow_branches(Tape* t, Py_ssize_t need) noexcept nogil


cdef inline void reserve_doubles(Tape* t, Py_ssize_t extra) noexcept nogil:
    if extra > 0 and t.n_doubles + extra > t.cap_doubles:
        grow_doubles(t, t.n_doubles + extra)

cdef inline void reserve_ints(Tape* t, Py_ssize_t extra) noexcept nogil:
    if extra > 0 and t.n_ints + extra > t.cap_ints:
        grow_ints(t, t.n_ints + extra)

cdef inline void reserve_branches(Tape* t, Py_ssize_t extra) noexcept nogil:
    if extra > 0 and t.n_branches + extra > t.cap_branches:
        grow_branches(t, t.n_branches + extra)


cdef inline void push_double(Tape* t, double value) noexcept nogil:
    if t.n_doubles == t.cap_doubles:
        grow_doubles(t, t.n_doubles + 1)
        if t.failed:
            return
    t.doubles[t.n_doubles] = value
    t.n_doubles += 1

cdef inline double pop_double(Tape* t) noexcept nogil:
    if t.n_doubles == 0:
        return 0.0
    t.n_doubles -= 1
    return t.doubles[t.n_doubles]


cdef inline void push_int(Tape* t, Py_ssize_t value) noexcept nogil:
    if t.n_ints == t.cap_ints:
        grow_ints(t, t.n_ints + 1)
        if t.failed:
            return
    t.ints[t.n_ints] = value
    t.n_ints += 1

cdef inline Py_ssize_t pop_int(Tape* t) noexcept nogil:
    if t.n_ints == 0:
        return 0
    t.n_ints -= 1
    return t.ints[t.n_ints]


cdef inline void push_branch(Tape* t, signed char arm) noexcept nogil:
    if t.n_branches == t.cap_branches:
        grow_branches(t, t.n_branches + 1)
        if t.failed:
            return
    t.branches[t.n_branches] = arm
    t.n_branches += 1

cdef inline signed char pop_branch(Tape* t) noexcept nogil:
    if t.n_branches == 0:
        return 0
    t.n_branches -= 1
    return t.branches[t.n_branches]


# Checkpointing (binomial, Griewank's revolve) of a loop whose trip count is known when it starts.
# The loop's iterations are cut into blocks that fit the tape; a schedule tells the generated code
# what to do next: run iterations [first, last) without taping (ADVANCE), save the loop-carried
# variables in snapshot `slot` (SAVE) or load them back (RESTORE), or run iterations [first, last)
# taped and then reverse them (TURN). checkpoints_new returns NULL when the whole loop's tape fits
# the limit: the generated code then tapes it as usual.

cdef enum:
    CHECKPOINT_DONE = 0
    CHECKPOINT_ADVANCE = 1
    CHECKPOINT_SAVE = 2
    CHECKPOINT_RESTORE = 3
    CHECKPOINT_TURN = 4

cdef struct Checkpoints:
    Py_ssize_t trips          # iterations of the loop
    Py_ssize_t block          # iterations per block (the unit of the schedule)
    Py_ssize_t blocks
    Py_ssize_t snaps          # snapshot slots (the loop's start included)
    Py_ssize_t width_doubles  # loop-carried variables per snapshot
    Py_ssize_t width_ints
    Py_ssize_t shots          # snapshots in use, a stack
    Py_ssize_t position       # the block the loop's variables are at
    Py_ssize_t depth          # frames in use
    Py_ssize_t first          # the current action's iterations, or its slot
    Py_ssize_t last
    Py_ssize_t slot
    Py_ssize_t head           # queued actions: (code, x, y) triples, queue[3 * head] first
    Py_ssize_t queued
    Py_ssize_t queue[9]
    Py_ssize_t bytes          # what it holds, for the live/peak accounting
    double* doubles
    Py_ssize_t* ints
    Py_ssize_t* frames        # 5 per frame: a, b (blocks), free snapshots, repetitions, split

cdef Checkpoints* checkpoints_new(Tape* t, Py_ssize_t trips, Py_ssize_t per_iteration, Py_ssize_t width_doubles,
                                  Py_ssize_t width_ints, Py_ssize_t limit) noexcept nogil
# A loop whose trip count is known only once it has run (a while loop, a break): the generated code
# saves the loop's start in slot 0 of checkpoints_entry's schedule, runs the loop untaped to count
# its iterations, loads the start back and asks checkpoints_plan (false: tape the loop as usual).
cdef Checkpoints* checkpoints_entry(Tape* t, Py_ssize_t width_doubles, Py_ssize_t width_ints) noexcept nogil
cdef bint checkpoints_plan(Checkpoints* c, Tape* t, Py_ssize_t trips, Py_ssize_t per_iteration,
                           Py_ssize_t limit) noexcept nogil
cdef int checkpoints_next(Checkpoints* c) noexcept nogil
cdef void checkpoints_free(Checkpoints* c) noexcept nogil
cdef Py_ssize_t binomial_steps(Py_ssize_t snapshots, Py_ssize_t repetitions, Py_ssize_t cap) noexcept nogil

cdef inline bint checkpointing(Checkpoints* c) noexcept nogil:
    return c != NULL and c.blocks > 0

cdef inline bint checkpoints_counting(Checkpoints* c) noexcept nogil:
    return c != NULL

cdef inline Py_ssize_t checkpoints_first(Checkpoints* c) noexcept nogil:
    return c.first

cdef inline Py_ssize_t checkpoints_last(Checkpoints* c) noexcept nogil:
    return c.last

cdef inline void save_double(Checkpoints* c, Py_ssize_t k, double value) noexcept nogil:
    c.doubles[c.slot * c.width_doubles + k] = value

cdef inline double load_double(Checkpoints* c, Py_ssize_t k) noexcept nogil:
    return c.doubles[c.slot * c.width_doubles + k]

cdef inline void save_int(Checkpoints* c, Py_ssize_t k, Py_ssize_t value) noexcept nogil:
    c.ints[c.slot * c.width_ints + k] = value

cdef inline Py_ssize_t load_int(Checkpoints* c, Py_ssize_t k) noexcept nogil:
    return c.ints[c.slot * c.width_ints + k]
