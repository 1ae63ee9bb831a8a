# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Hand-written typed Cython adjoints of the loop workloads in workloads.py.

These are the reference srcgrad's generated code has to reach: what a careful person writes by
hand, with typed contiguous memoryviews, no Python inside loops, and only the tape the maths
needs. Each workload has its primal `NAME(...)` and `value_and_grad_NAME(...)`, which returns
`(value, gradient)` with srcgrad's conventions (one differentiable parameter: the gradient
itself; several: a tuple in parameter order; `int` parameters get no entry).

How each adjoint is built (what is taped per iteration):
- power_loop: forward sweep records `out` before each overwrite (1 double per iteration, the
  same tape the issue asks of the generator), reverse sweep reads it back.
- rosenbrock: no tape. Every term depends on x[i], x[i+1] only, so the adjoint of the sum is
  accumulated in the same loop; the gradient of x[i] is written once, from the term it starts
  and the term before it (no read-modify-write of the gradient array, so the loop vectorises).
- oscillator: the overwritten state (x, v: 2 doubles per step); `a` is recomputed in the
  reverse sweep from x and v.
- logistic: no tape. The loss is a sum over samples, so each sample's adjoint is known in the
  forward loop (b_loss = 1/n); z is used while still in a register.
- huber: no tape; the branch is taken again from the element itself.

The same file is compiled twice by run.py: with -O3, and with -O3 -ffast-math -march=native
(the flags of `srcgrad build --fast-math`).
"""

from libc.math cimport exp, fabs, log
from libc.stdlib cimport free, malloc

import numpy as np


cdef inline const double[::1] _vector(x, str name):
    a = np.ascontiguousarray(x, dtype=np.float64)
    if a.ndim != 1:
        raise ValueError(f"{name} must be a 1-d array, got {a.ndim} dimensions")
    return a


# ------------------------------------------------------------------------------ power_loop

def power_loop(double x, Py_ssize_t n):
    cdef double out = 1.0
    cdef Py_ssize_t i
    for i in range(n):
        out = out * x
    return out


def value_and_grad_power_loop(double x, Py_ssize_t n):
    cdef Py_ssize_t i
    cdef double out = 1.0, b_out = 1.0, b_x = 0.0
    cdef double* tape = <double*> malloc(max(n, 1) * sizeof(double))
    if tape == NULL:
        raise MemoryError()
    with nogil:
        for i in range(n):
            tape[i] = out
            out = out * x
        for i in range(n - 1, -1, -1):
            b_x += b_out * tape[i]
            b_out = b_out * x
    free(tape)
    return out, b_x


# ------------------------------------------------------------------------------ rosenbrock

def rosenbrock(x_in):
    cdef const double[::1] x = _vector(x_in, "x")
    cdef Py_ssize_t i, n = x.shape[0]
    cdef double total = 0.0, t, u
    for i in range(n - 1):
        t = x[i + 1] - x[i] * x[i]
        u = 1.0 - x[i]
        total += 100.0 * t * t + u * u
    return total


def value_and_grad_rosenbrock(x_in):
    cdef const double[::1] x = _vector(x_in, "x")
    cdef Py_ssize_t i, n = x.shape[0]
    gradient = np.empty(n)
    cdef double[::1] b_x = gradient
    cdef double total = 0.0, t, u, t_before
    if n == 0:
        return 0.0, gradient
    b_x[0] = 0.0
    with nogil:
        for i in range(n - 1):
            t = x[i + 1] - x[i] * x[i]
            u = 1.0 - x[i]
            total += 100.0 * t * t + u * u
            # x[i] starts term i and ends term i - 1 (t of term i - 1 recomputed, not carried)
            if i > 0:
                t_before = x[i] - x[i - 1] * x[i - 1]
            else:
                t_before = 0.0
            b_x[i] = 200.0 * t_before - 400.0 * t * x[i] - 2.0 * u
        if n > 1:
            b_x[n - 1] = 200.0 * (x[n - 1] - x[n - 2] * x[n - 2])
    return total, gradient


# ------------------------------------------------------------------------------ oscillator

def oscillator(double k, double c, double x0, double v0, double dt, Py_ssize_t steps):
    cdef double x = x0, v = v0, acc = 0.0, a
    cdef Py_ssize_t step
    for step in range(steps):
        a = -k * x - c * v - 0.1 * x * x * x
        acc += x * x * dt
        x = x + dt * v
        v = v + dt * a
    return x * x + v * v + acc


def value_and_grad_oscillator(double k, double c, double x0, double v0, double dt, Py_ssize_t steps):
    cdef double x = x0, v = v0, acc = 0.0, a, result
    cdef double b_x, b_v, b_a, b_k = 0.0, b_c = 0.0, b_dt = 0.0
    cdef Py_ssize_t step
    cdef double* tape = <double*> malloc(max(2 * steps, 1) * sizeof(double))
    if tape == NULL:
        raise MemoryError()
    with nogil:
        for step in range(steps):
            tape[2 * step] = x
            tape[2 * step + 1] = v
            a = -k * x - c * v - 0.1 * x * x * x
            acc += x * x * dt
            x = x + dt * v
            v = v + dt * a
        result = x * x + v * v + acc
        b_x = 2.0 * x
        b_v = 2.0 * v
        # b_acc = 1 throughout: acc only ever accumulates
        for step in range(steps - 1, -1, -1):
            x = tape[2 * step]
            v = tape[2 * step + 1]
            a = -k * x - c * v - 0.1 * x * x * x
            b_a = dt * b_v                               # v = v + dt * a
            b_dt += b_v * a + b_x * v + x * x            # the three lines that use dt
            b_v += dt * b_x                              # x = x + dt * v
            b_x += 2.0 * x * dt                          # acc += x * x * dt
            b_k -= b_a * x                               # a = -k x - c v - 0.1 x^3
            b_c -= b_a * v
            b_x += b_a * (-k - 0.3 * x * x)
            b_v -= b_a * c
    free(tape)
    return result, (b_k, b_c, b_x, b_v, b_dt)


# ------------------------------------------------------------------------------ logistic

def logistic(w_in, X_in, y_in):
    cdef const double[::1] w = _vector(w_in, "w"), y = _vector(y_in, "y")
    cdef const double[:, ::1] X = np.ascontiguousarray(X_in, dtype=np.float64)
    cdef Py_ssize_t i, j, n = X.shape[0], d = X.shape[1]
    cdef double loss = 0.0, z
    for i in range(n):
        z = 0.0
        for j in range(d):
            z += X[i, j] * w[j]
        loss += log(1.0 + exp(-y[i] * z))
    return loss / n


def value_and_grad_logistic(w_in, X_in, y_in):
    cdef const double[::1] w = _vector(w_in, "w"), y = _vector(y_in, "y")
    cdef const double[:, ::1] X = np.ascontiguousarray(X_in, dtype=np.float64)
    cdef Py_ssize_t i, j, n = X.shape[0], d = X.shape[1]
    if w.shape[0] != d or y.shape[0] != n:
        raise ValueError("logistic: w must have X.shape[1] entries and y X.shape[0]")
    grad_w, grad_X, grad_y = np.zeros(d), np.empty((n, d)), np.empty(n)
    cdef double[::1] b_w = grad_w, b_y = grad_y
    cdef double[:, ::1] b_X = grad_X
    cdef double loss = 0.0, z, e, b_t, b_z, inv_n = 1.0 / n
    with nogil:
        for i in range(n):
            z = 0.0
            for j in range(d):
                z += X[i, j] * w[j]
            e = exp(-y[i] * z)
            loss += log(1.0 + e)
            b_t = inv_n * e / (1.0 + e)                  # d/dt log(1 + exp(t)), t = -y z
            b_y[i] = -z * b_t
            b_z = -y[i] * b_t
            for j in range(d):
                b_w[j] += b_z * X[i, j]
                b_X[i, j] = b_z * w[j]
    return loss * inv_n, (grad_w, grad_X, grad_y)


# ------------------------------------------------------------------------------ huber

def huber(x_in, double delta):
    cdef const double[::1] x = _vector(x_in, "x")
    cdef Py_ssize_t i, n = x.shape[0]
    cdef double total = 0.0, a
    for i in range(n):
        a = fabs(x[i])
        if a <= delta:
            total += 0.5 * x[i] * x[i]
        else:
            total += delta * (a - 0.5 * delta)
    return total


def value_and_grad_huber(x_in, double delta):
    cdef const double[::1] x = _vector(x_in, "x")
    cdef Py_ssize_t i, n = x.shape[0]
    gradient = np.empty(n)
    cdef double[::1] b_x = gradient
    cdef double total = 0.0, a, b_delta = 0.0
    with nogil:
        for i in range(n):
            a = fabs(x[i])
            if a <= delta:
                total += 0.5 * x[i] * x[i]
                b_x[i] = x[i]
            else:
                total += delta * (a - 0.5 * delta)
                b_x[i] = delta if x[i] > 0 else -delta
                b_delta += a - delta
    return total, (gradient, b_delta)


# ------------------------------------------------------------------------------ logistic, w only

def value_and_grad_logistic_w(w_in, X_in, y_in):
    """The loss and its gradient in w alone (what value_and_grad(logistic, wrt=0) returns):
    value_and_grad_logistic without b_X and b_y."""
    cdef const double[::1] w = _vector(w_in, "w"), y = _vector(y_in, "y")
    cdef const double[:, ::1] X = np.ascontiguousarray(X_in, dtype=np.float64)
    cdef Py_ssize_t i, j, n = X.shape[0], d = X.shape[1]
    if w.shape[0] != d or y.shape[0] != n:
        raise ValueError("logistic: w must have X.shape[1] entries and y X.shape[0]")
    grad_w = np.zeros(d)
    cdef double[::1] b_w = grad_w
    cdef double loss = 0.0, z, e, b_z, inv_n = 1.0 / n
    with nogil:
        for i in range(n):
            z = 0.0
            for j in range(d):
                z += X[i, j] * w[j]
            e = exp(-y[i] * z)
            loss += log(1.0 + e)
            b_z = -y[i] * (inv_n * e / (1.0 + e))
            for j in range(d):
                b_w[j] += b_z * X[i, j]
    return loss * inv_n, grad_w
