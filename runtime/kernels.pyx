"""Fused elementwise loops for whole-array generated code: one pass over memory where NumPy
makes one per operation (srcgrad.rules.in_place calls them, with NumPy for anything else).

Each computes exactly what the NumPy expression it replaces computes, operation by operation
in the same order (built without contracting a * b + c into one rounding: -ffp-contract=off),
so the bits are the same.
"""

cimport numpy as cnp

import numpy as np

cnp.import_array()


cdef bint _plain(object a, tuple shape):
    """A C-contiguous, aligned float64 ndarray of exactly this shape."""
    return (type(a) is np.ndarray and cnp.PyArray_TYPE(<cnp.ndarray>a) == cnp.NPY_DOUBLE
            and cnp.PyArray_IS_C_CONTIGUOUS(<cnp.ndarray>a) and cnp.PyArray_ISALIGNED(<cnp.ndarray>a)
            and a.shape == shape)


def times_one_minus_square(object g, object h, object out):
    """g * (1.0 - h * h) written into out (g, h or a new array of their shape), the adjoint of
    tanh in one pass; False, with nothing written, unless all three are C-contiguous float64
    arrays of one shape and out is writeable."""
    if type(h) is not np.ndarray or not h.ndim:  # NumPy makes a number of 0-d operands
        return False
    shape = h.shape
    if not (_plain(g, shape) and _plain(h, shape) and _plain(out, shape)
            and cnp.PyArray_ISWRITEABLE(<cnp.ndarray>out)):
        return False
    cdef double* pg = <double*>cnp.PyArray_DATA(<cnp.ndarray>g)
    cdef double* ph = <double*>cnp.PyArray_DATA(<cnp.ndarray>h)
    cdef double* po = <double*>cnp.PyArray_DATA(<cnp.ndarray>out)
    cdef Py_ssize_t i, n = cnp.PyArray_SIZE(<cnp.ndarray>h)
    with nogil:
        for i in range(n):  # each element read before it is written: out may be g or h
            po[i] = pg[i] * (1.0 - ph[i] * ph[i])
    return True


def outer_times_one_minus_square(object g, object w, object h, object out):
    """(g[i] * w[j]) * (1.0 - h[i, j] * h[i, j]) written into out: the outer product of g and w
    (the adjoint of a matrix times the vector w) times tanh's derivative, in one pass with no
    outer product in memory; False, with nothing written, unless g is a C-contiguous float64
    vector of m, w one of n, h and out such arrays of (m, n), and out is writeable."""
    if type(h) is not np.ndarray or h.ndim != 2 or type(g) is not np.ndarray or type(w) is not np.ndarray:
        return False
    shape = h.shape
    if not (_plain(g, (shape[0],)) and _plain(w, (shape[1],)) and _plain(h, shape) and _plain(out, shape)
            and cnp.PyArray_ISWRITEABLE(<cnp.ndarray>out)):
        return False
    cdef double* pg = <double*>cnp.PyArray_DATA(<cnp.ndarray>g)
    cdef double* pw = <double*>cnp.PyArray_DATA(<cnp.ndarray>w)
    cdef double* ph = <double*>cnp.PyArray_DATA(<cnp.ndarray>h)
    cdef double* po = <double*>cnp.PyArray_DATA(<cnp.ndarray>out)
    cdef Py_ssize_t i, j, m = shape[0], n = shape[1]
    with nogil:
        for i in range(m):
            for j in range(n):
                po[i * n + j] = (pg[i] * pw[j]) * (1.0 - ph[i * n + j] * ph[i * n + j])
    return True
