# cython: language_level=3
"""Growth and release of the tape's stacks (see tape.pxd for the inline push/pop)."""

from libc.stdlib cimport free, realloc

cdef Py_ssize_t INITIAL_CAPACITY = 64


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
    t.doubles = data
    t.cap_doubles = capacity


cdef void grow_ints(Tape* t, Py_ssize_t need) noexcept nogil:
    cdef Py_ssize_t capacity = _new_capacity(t.cap_ints, need)
    cdef Py_ssize_t* data = <Py_ssize_t*> realloc(t.ints, capacity * sizeof(Py_ssize_t))
    if data == NULL:
        t.failed = True
        return
    t.ints = data
    t.cap_ints = capacity


cdef void grow_branches(Tape* t, Py_ssize_t need) noexcept nogil:
    cdef Py_ssize_t capacity = _new_capacity(t.cap_branches, need)
    cdef signed char* data = <signed char*> realloc(t.branches, capacity * sizeof(signed char))
    if data == NULL:
        t.failed = True
        return
    t.branches = data
    t.cap_branches = capacity
