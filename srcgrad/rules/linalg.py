"""The array rule table's linear algebra (srcgrad.rules.arrays describes an entry): np.linalg.solve
(b a vector or a matrix of right-hand sides), np.linalg.inv, np.linalg.det, np.linalg.cholesky and
the two parts of np.linalg.slogdet(a), the log of the absolute determinant and its sign (piecewise
constant).
Registered in the one table by importing srcgrad.rules (its __init__ imports this).

With x = solve(a, b), Y = inv(a), d = det(a):

    b_b = solve(a.T, g)        b_a = -b_b x.T                 dx = solve(a, db - da x)
    b_a = -Y.T g Y.T                                          dY = -Y da Y
    b_a = g d inv(a).T                                        dd = d trace(solve(a, da))

None of them is linear in a, so each JVP is a helper of the tangents (`d_a`, `d_b`; 0.0 where an
operand has none), and each adjoint names its own JVP in what it varies with (g, a, and the
result `ans` where it is an array): forward mode over reverse mode (hvp_) needs them. The tangent helpers have JVPs too,
for forward mode over forward mode (a third derivative).

Written with NumPy functions only, as every adjoint is: on Tensors they are the eager engine's
rules, differentiable again through these same primitives.
"""

from __future__ import annotations

import numpy as np

from .arrays import ARRAY, SCALAR, _define, adjoint, swap_last


def _spread(t, like):
    """A tangent or cotangent as an array of like's shape (the number 0.0 where there is none)."""
    return t if np.shape(t) == np.shape(like) else np.broadcast_to(t, np.shape(like))


def _times_solution(m, x):
    """m x.T: an outer product where x, the solution, is a vector (b was one)."""
    if np.ndim(x) == 1:
        return np.reshape(m, (-1, 1)) * np.reshape(x, (1, -1))
    return np.matmul(m, swap_last(x))


# --- solve ----------------------------------------------------------------------------------
def solve_adjoint_b_jvp(g, a, d_g, d_a):
    gb = solve_adjoint_b(g, a)
    return np.linalg.solve(swap_last(a), _spread(d_g, gb) - np.matmul(swap_last(_spread(d_a, a)), gb))


@adjoint("g", jvp=solve_adjoint_b_jvp, varying=("g", "a"))
def solve_adjoint_b(g, a):
    """The cotangent of b in solve(a, b): solve(a.T, g)."""
    return np.linalg.solve(swap_last(a), g)


def solve_adjoint_a_jvp(g, ans, a, d_g, d_ans, d_a):
    gb = solve_adjoint_b(g, a)
    d_gb = solve_adjoint_b_jvp(g, a, d_g, d_a)
    return -_times_solution(d_gb, ans) - _times_solution(gb, _spread(d_ans, ans))


@adjoint("g", jvp=solve_adjoint_a_jvp, varying=("g", "ans", "a"))
def solve_adjoint_a(g, ans, a):
    """The cotangent of a in x = solve(a, b): -solve(a.T, g) x.T."""
    return -_times_solution(solve_adjoint_b(g, a), ans)


def solve_tangent_jvp(d_a, d_b, a, b, e_d_a, e_d_b, e_a, e_b):
    x = np.linalg.solve(a, b)
    t = solve_tangent(d_a, d_b, a, b)
    e_x = solve_tangent(e_a, e_b, a, b)
    return np.linalg.solve(a, _spread(e_d_b, b) - np.matmul(_spread(e_d_a, a), x)
                           - np.matmul(_spread(d_a, a), e_x) - np.matmul(_spread(e_a, a), t))


@adjoint("d_a", "d_b", jvp=solve_tangent_jvp, varying=("d_a", "d_b", "a", "b"))
def solve_tangent(d_a, d_b, a, b):
    """solve's JVP: solve(a, d_b - d_a x)."""
    return np.linalg.solve(a, _spread(d_b, b) - np.matmul(_spread(d_a, a), np.linalg.solve(a, b)))


# --- inv ------------------------------------------------------------------------------------
def inv_adjoint_jvp(g, ans, d_g, d_ans):
    yt, d_yt = swap_last(ans), swap_last(_spread(d_ans, ans))
    g = _spread(g, ans)
    return -(np.matmul(np.matmul(d_yt, g), yt) + np.matmul(np.matmul(yt, _spread(d_g, ans)), yt)
             + np.matmul(np.matmul(yt, g), d_yt))


@adjoint("g", jvp=inv_adjoint_jvp, varying=("g", "ans"))
def inv_adjoint(g, ans):
    """The cotangent of a in Y = inv(a): -Y.T g Y.T."""
    yt = swap_last(ans)
    return -np.matmul(np.matmul(yt, _spread(g, ans)), yt)


def inv_tangent_jvp(d_a, a, e_d_a, e_a):
    y = np.linalg.inv(a)
    e_y = -np.matmul(np.matmul(y, _spread(e_a, a)), y)
    d_a = _spread(d_a, a)
    return -(np.matmul(np.matmul(e_y, d_a), y) + np.matmul(np.matmul(y, _spread(e_d_a, a)), y)
             + np.matmul(np.matmul(y, d_a), e_y))


@adjoint("d_a", jvp=inv_tangent_jvp, varying=("d_a", "a"))
def inv_tangent(d_a, a):
    """inv's JVP: -Y d_a Y."""
    y = np.linalg.inv(a)
    return -np.matmul(np.matmul(y, _spread(d_a, a)), y)


# --- det and log |det| ----------------------------------------------------------------------
def _scaled(s, m):
    """A number (of each matrix of a stack) times its matrix."""
    return np.reshape(s, np.shape(s) + (1, 1)) * m


def det_adjoint_jvp(g, a, d_g, d_a):
    d, inv_t = np.linalg.det(a), swap_last(np.linalg.inv(a))
    return _scaled(d_g * d + g * det_tangent(d_a, a), inv_t) + _scaled(g * d, swap_last(inv_tangent(d_a, a)))


@adjoint("g", jvp=det_adjoint_jvp, varying=("g", "a"))
def det_adjoint(g, a):
    """The cotangent of a in det(a): g det(a) inv(a).T (a singular a has none: inv raises). The
    determinant is found again: a number's result is restored before its adjoint runs."""
    return _scaled(g * np.linalg.det(a), swap_last(np.linalg.inv(a)))


def _trace_of_solve(a, m):
    """trace(solve(a, m)) of each matrix of a stack."""
    return np.trace(np.linalg.solve(a, _spread(m, a)), axis1=-2, axis2=-1)


def det_tangent_jvp(d_a, a, e_d_a, e_a):
    d = np.linalg.det(a)
    return d * (_trace_of_solve(a, e_a) * _trace_of_solve(a, d_a) + logabsdet_tangent_jvp(d_a, a, e_d_a, e_a))


@adjoint("d_a", jvp=det_tangent_jvp, varying=("d_a", "a"))
def det_tangent(d_a, a):
    """det's JVP: d trace(solve(a, d_a))."""
    return np.linalg.det(a) * _trace_of_solve(a, d_a)


def logabsdet_adjoint_jvp(g, a, d_g, d_a):
    return _scaled(d_g, swap_last(np.linalg.inv(a))) + _scaled(g, swap_last(inv_tangent(d_a, a)))


@adjoint("g", jvp=logabsdet_adjoint_jvp, varying=("g", "a"))
def logabsdet_adjoint(g, a):
    """The cotangent of a in log |det(a)|: g inv(a).T."""
    return _scaled(g, swap_last(np.linalg.inv(a)))


def logabsdet_tangent_jvp(d_a, a, e_d_a, e_a):
    s = np.linalg.solve(a, _spread(d_a, a))
    return np.trace(np.linalg.solve(a, _spread(e_d_a, a) - np.matmul(_spread(e_a, a), s)), axis1=-2, axis2=-1)


@adjoint("d_a", jvp=logabsdet_tangent_jvp, varying=("d_a", "a"))
def logabsdet_tangent(d_a, a):
    """log |det|'s JVP: trace(solve(a, d_a))."""
    return _trace_of_solve(a, d_a)


@adjoint(name="logabsdet")
def logabsdet(a):
    """np.linalg.slogdet(a)[1]: log |det(a)|, what generated code calls for it."""
    return np.linalg.slogdet(a)[1]


@adjoint(name="slogdet_sign")
def slogdet_sign(a):
    """np.linalg.slogdet(a)[0]: the sign of det(a) (0.0 where a is singular), piecewise constant."""
    return float(np.linalg.slogdet(a)[0])


# --- cholesky -------------------------------------------------------------------------------
# L = cholesky(a) reads a's lower triangle only (as NumPy does): a's cotangent is there, each element
# below the diagonal standing for itself and its mirror. With Phi(X) the lower triangle of X, its
# diagonal halved: S = L^-T Phi(L^T g) L^-1, b_a = tril(S + S^T, -1) + diag(S); dL = L Phi(L^-1 da L^-T)
# with da the symmetric matrix the lower triangle of a tangent stands for.
def _phi(x):
    return np.tril(x) * (1.0 - 0.5 * np.eye(np.shape(x)[-1]))


def _lower_read(s):
    """The cotangent of a matrix read by its lower triangle, from S of the symmetric one it stands for."""
    return np.tril(s + swap_last(s), -1) + s * np.eye(np.shape(s)[-1])


def _mirrored(t):
    """The symmetric matrix the lower triangle of t stands for."""
    return np.tril(t) + swap_last(np.tril(t, -1))


def cholesky_adjoint_jvp(g, ans, d_g, d_ans):
    m = np.linalg.inv(ans)
    d_ans, g = _spread(d_ans, ans), _spread(g, ans)
    d_m = -np.matmul(np.matmul(m, d_ans), m)
    p = _phi(np.matmul(swap_last(ans), g))
    d_p = _phi(np.matmul(swap_last(d_ans), g) + np.matmul(swap_last(ans), _spread(d_g, ans)))
    d_s = np.matmul(np.matmul(swap_last(d_m), p), m) + np.matmul(np.matmul(swap_last(m), d_p), m) \
        + np.matmul(np.matmul(swap_last(m), p), d_m)
    return _lower_read(d_s)


@adjoint("g", jvp=cholesky_adjoint_jvp, varying=("g", "ans"))
def cholesky_adjoint(g, ans):
    """The cotangent of a in L = cholesky(a), from L itself."""
    m = np.linalg.inv(ans)
    return _lower_read(np.matmul(np.matmul(swap_last(m), _phi(np.matmul(swap_last(ans), _spread(g, ans)))), m))


def cholesky_tangent_jvp(d_a, a, e_d_a, e_a):
    low = np.linalg.cholesky(a)
    m = np.linalg.inv(low)
    e_low = cholesky_tangent(e_a, a)
    e_m = -np.matmul(np.matmul(m, e_low), m)
    inner = np.matmul(np.matmul(m, _mirrored(_spread(d_a, a))), swap_last(m))
    e_inner = np.matmul(np.matmul(e_m, _mirrored(_spread(d_a, a))), swap_last(m)) \
        + np.matmul(np.matmul(m, _mirrored(_spread(e_d_a, a))), swap_last(m)) \
        + np.matmul(np.matmul(m, _mirrored(_spread(d_a, a))), swap_last(e_m))
    return np.matmul(e_low, _phi(inner)) + np.matmul(low, _phi(e_inner))


@adjoint("d_a", jvp=cholesky_tangent_jvp, varying=("d_a", "a"))
def cholesky_tangent(d_a, a):
    """cholesky's JVP: L Phi(L^-1 da L^-T)."""
    low = np.linalg.cholesky(a)
    m = np.linalg.inv(low)
    return np.matmul(low, _phi(np.matmul(np.matmul(m, _mirrored(_spread(d_a, a))), swap_last(m))))


# --- the table ------------------------------------------------------------------------------
_define("solve", "a b", ARRAY, "np.linalg.solve", [solve_adjoint_a, solve_adjoint_b], tangent=solve_tangent)
_define("inv", "a", ARRAY, "np.linalg.inv", [inv_adjoint], tangent=inv_tangent)
_define("det", "a", SCALAR, "np.linalg.det", [det_adjoint], tangent=det_tangent)
_define("cholesky", "a", ARRAY, "np.linalg.cholesky", [cholesky_adjoint], tangent=cholesky_tangent)
_define("logabsdet", "a", SCALAR, "_vector.logabsdet", [logabsdet_adjoint], tangent=logabsdet_tangent)
_define("slogdet_sign", "a", SCALAR, "_vector.slogdet_sign", [None], linear=(), piecewise_constant=True)
