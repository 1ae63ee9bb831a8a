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
