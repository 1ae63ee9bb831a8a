"""The supported Python subset, as a table that documents it and is checked against the compiler.

Each row is a construct, where its gradient comes from (compiled or the eager tape), and a small
example function. tests/frontend/test_subset_table.py builds every example and asserts the compiler
treats it as the row says; README.md's "Supported Python" table is printed from these rows
(`python -m srcgrad.frontend.subset`) and a test compares the two. So the docs cannot drift
from the code: a change in either fails a test.
"""

from __future__ import annotations

from dataclasses import dataclass

COMPILED, EAGER = "compiled", "eager tape"


@dataclass(frozen=True)
class Construct:
    name: str
    engine: str  # COMPILED or EAGER
    example: str  # a module defining `f`


_HEADER = "import math\nimport numpy as np\n\n"

SUPPORTED = [
    Construct("arithmetic `+ - * / // % **`, unary minus, comparisons, `and`/`or`/`not`", COMPILED,
              "def f(x, y):\n    return (x * y - x / y) ** 2 + x // 1.5 + x % 0.7 + (-x if x > y and not y < 0 else y)"),
    Construct("`math.*` and NumPy scalar functions, `abs`, `min`, `max`, `float`, `int`, `round`", COMPILED,
              "def f(x):\n    return math.sin(x) + np.tanh(x) + abs(x) + min(x, 1.0) + max(x, 0.5) + float(int(x))"),
    Construct("parameters annotated `float`, `int`, `bool`, `np.ndarray`, or unannotated (one used only "
              "as a truth value, `if same:`, is a bool: no gradient entry)", COMPILED,
              "def f(x: float, n: int, flip: bool, v: np.ndarray, w, same):\n"
              "    return x * n * v[0] + w if flip and not same else x"),
    Construct("assignment, augmented assignment, tuple unpacking and swaps", COMPILED,
              "def f(x, y):\n    a, b = x, y\n    a, b = b, a\n    a += b\n    return a * b"),
    Construct("`if`/`elif`/`else`, conditional expressions", COMPILED,
              "def f(x):\n    if x > 1.0:\n        y = x * x\n    elif x < -1.0:\n        y = -x\n    else:\n"
              "        y = 1.0\n    return y if y > 0 else -y"),
    Construct("`for` over `range(start, stop, step)`", COMPILED,
              "def f(x, n: int):\n    for i in range(n, 0, -2):\n        x = x * 0.5 + i\n    return x"),
    Construct("`while` with a data-dependent condition", COMPILED,
              "def f(x):\n    while x < 10.0:\n        x = x * 1.5\n    return x"),
    Construct("`break`, `continue`, `return` inside loops and branches", COMPILED,
              "def f(x, n: int):\n    for i in range(n):\n        if i == 1:\n            continue\n        x = x * 1.1\n"
              "        if x > 5.0:\n            return x\n        if x < -5.0:\n            break\n    return -x"),
    Construct("a variable assigned on some paths only (in a loop that may not run, a branch); read where "
              "no assignment ran, it raises UnboundLocalError, as in Python", COMPILED,
              "def f(x, n: int):\n    for i in range(n):\n        y = x * i\n    if x > 0.0:\n        z = x\n"
              "    return y * z"),
    Construct("calls to other functions of the module (inside loops too); module constants", COMPILED,
              "RATE = 0.5\n\n\ndef g(u):\n    return u * u\n\n\ndef f(x):\n    s = 0.0\n    for i in range(3):\n"
              "        s = s + g(x * RATE)\n    return s"),
    Construct("arrays passed to and returned from other functions of the module; a helper written for "
              "numbers (`sigmoid(z)`) called with an array from another function (its body is inlined there) "
              "or through its own entries (`sigmoid(z)`, `grad_sigmoid(z)`: the gradient of the sum of the "
              "outputs, each element's derivative)", COMPILED,
              "def residual(x):\n    return x[1:] - x[:-1] ** 2\n\n\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))"
              "\n\n\ndef f(x):\n    r = residual(x)\n    return np.sum(r * r) + np.sum(sigmoid(r))"),
    Construct("an array passed to a helper that reads its elements (`g(x)` with `x[0] * x[1]`, or a loop over "
              "`x[i]` or `X[i, j]`, in g: inlined there); a helper of numbers whose result a loop reduces "
              "(`np.sum(sigmoid(X[k] * w))`: inlined, X[k] a row and w weights of its length)", COMPILED,
              "def g(v):\n    return v[0] * v[1] + v[2] ** 2\n\n\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))"
              "\n\n\ndef f(X, w):\n    total = g(w) + np.sum(w ** 2)\n    for k in range(X.shape[0]):\n"
              "        total += np.sum(sigmoid(X[k] * w))\n    return total"),
    Construct("module constants: numbers, strings (in comparisons), tuples, NumPy arrays (`np.array`, "
              "`np.linspace`, ...), `math.inf`, `np.nan`, `float(\"inf\")`; `A, B = 2.0, 0.5`, `A = B = 1.0`", COMPILED,
              "A = np.array([[1.0, 2.0], [3.0, 4.0]])\nW = (0.5, -1.5)\nMODE = \"smooth\"\n\n\n"
              "def f(x):\n    y = A[1, 0] * x + W[1] + min(x, math.inf)\n    for i in range(len(W)):\n"
              "        y = y + W[i] * A[i, i] * x\n    return np.tanh(y) if MODE == \"smooth\" else y"),
    Construct("parameter defaults and keyword-only parameters (every generated function takes them)", COMPILED,
              "def f(x, scale=2.0, *, n: int = 3):\n    return x * scale * n"),
    Construct("array elements `x[i]`, `X[i, j]`, `T[i, j, k]`, `y[i] = ...`, `y[i] += ...`; `len(x)`, `x.shape[k]`; "
              "`x[-1]`, and `x[i - 1]` counting from the end on a loop's first trips (periodic neighbours)",
              COMPILED,
              "def f(x):\n    y = np.zeros(len(x))\n    for i in range(x.shape[0]):\n        y[i] += x[i] * x[i - 1]\n"
              "    return y[0] + x[-1]"),
    Construct("`np.zeros`, `np.ones`, `np.empty`, `np.zeros_like`, `x.copy()`", COMPILED,
              "def f(x):\n    y = x.copy()\n    z = np.ones_like(x)\n    return y[0] * z[0]"),
    Construct("whole-array NumPy: ufuncs, `@`, `np.dot`, `np.outer`, `.T`, `np.sum`/`np.mean` with `axis`, "
              "`np.where`, broadcasting", COMPILED,
              "def f(W: np.ndarray, x: np.ndarray):\n    h = np.tanh(W @ x) + np.where(x > 0, x, 0.0)\n"
              "    return np.sum(np.mean(np.outer(h, h).T, axis=0))"),
    Construct("slices as whole-array values: `x[1:]`, `x[:-1]`, `x[a:b]`, `x[::2]`, `x[::-1]`, `X[:, j]`, "
              "`X[i, :]`, `X[1:, :-1]` (bounds clip and empty slices read nothing, as in NumPy)", COMPILED,
              "def f(x: np.ndarray, X: np.ndarray, j: int):\n"
              "    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + x[::-1] * np.sum(x[::2]))"
              " + np.sum(X[1:, :-1] * X[:, j])"),
    Construct("reductions and scans: `np.prod`, `np.max`/`np.min`/`np.amax`/`np.amin` with `axis` (ties share the "
              "gradient equally), `np.cumsum`, `np.diff`; methods `x.sum()`, `x.mean()`, `x.prod()`, `x.max()`, "
              "`x.min()`, `x.dot(y)`, `x.cumsum()`, `abs(x).max()`, `max(x)`, `min(x)`, `sum(x)` of a vector; "
              "`keepdims=True`; `np.var`/`np.std` along any axis, `x.var()`, `x.std()`; `np.linalg.norm` (ord None, 1, "
              "2, `np.inf`; an axis)", COMPILED,
              "def f(X: np.ndarray, x: np.ndarray):\n"
              "    return np.prod(x) + np.sum(np.max(X, axis=0)) + abs(x).max() + x.dot(x) + np.sum(np.diff(x) ** 2)"
              " + max(x) + np.var(x) + np.sum(np.std(X, axis=1)) + np.linalg.norm(x, 1) + sum(x)"
              " + np.sum(X / np.sum(X, axis=1, keepdims=True))"),
    Construct("reshapes and rearrangements: `x.reshape(...)`, `np.reshape`, `x.ravel()`, `x.flatten()`, "
              "`np.atleast_1d`/`np.atleast_2d`, `np.roll`, `np.sort`, `np.cumprod`, `np.tile`, `np.repeat`, "
              "`np.concatenate`/`np.stack`/`np.hstack`/`np.vstack` of a list or tuple of arrays, `np.clip`, "
              "`np.asarray(x)`; `np.size(x)`, `x.size`", COMPILED,
              "def f(X: np.ndarray, x: np.ndarray):\n"
              "    return np.sum(x.reshape(-1, 2) @ X[:2, :2]) + np.sum(X.ravel() * np.roll(X, 1).flatten())"
              " + np.sum(np.sort(x) * np.cumprod(x)) + np.sum(np.concatenate([x, np.tile(x, 2)]) ** 2)"
              " + np.sum(np.hstack((x, x)) * np.repeat(x, 2)) + np.sum(np.clip(x, -1.0, 1.0)) / x.size"),
    Construct("slice assignment `y[1:] = ...`, `y[a:b] += ...`, `Y[:, j] = ...`, `y[::2] = ...`; slices, and "
              "`np.sum`/`np.mean`/`np.prod`/`np.dot` of them, inside loops (`np.sum(x[i:i + 3])`); arrays allocated "
              "or given new values inside loops (`t = np.zeros(n)`, `y = y * 0.5 + x`): written element by element, "
              "in place", COMPILED,
              "def f(x: np.ndarray):\n    y = x * 2.0\n    y[1:] = x[:-1]\n    s = 0.0\n"
              "    for i in range(len(x) - 1):\n        t = np.zeros(2)\n        t[0] = x[i]\n"
              "        s += np.sum(x[i:i + 2] * t)\n        y = y * 0.5 + x\n    return np.sum(y * x) + s"),
    Construct("inside loops: reductions to a number (`np.sum`, `np.mean`, `np.max`, `np.min`, `np.prod`, `np.std`, "
              "`np.var`, `np.linalg.norm`, `x.sum()`) of any whole-array expression (`np.sum(np.sin(x * k))`, "
              "`np.linalg.norm(np.diff(x))`, `np.sum(np.linspace(a, b, k + 2) ** 2)`, `y = np.sin(x * k)` read only by "
              "reductions), each computed by a module function of its own; `np.roll` of a vector in an array's update (`u = u + a * (np.roll(u, 1) - u)`), "
              "element by element (a reduction of an array the loop updates compiles where it is elementwise: `np.diff` or `np.cumsum` of it runs the eager tape)", COMPILED,
              "def f(x: np.ndarray, y: np.ndarray, a: float, n: int):\n    s = 0.0\n    for k in range(n):\n"
              "        t = np.cumsum(y) * a\n        s += np.linalg.norm(np.diff(y) * (k + 1)) + np.max(t)\n"
              "        x = x + a * (np.roll(x, 1) - x)\n    return s + np.sum(x)"),
    Construct("inside loops: `A @ x`, `x @ B`, `A @ B`, `u @ v`, `np.dot` of a matrix, `X.T`; rows of 2-D arrays "
              "read and written (`d = pos[i] - pos[j]`, `np.linalg.norm(pos[i] - pos[j])`, `X[i, :]`, "
              "`H[t + 1] = ...`), element by element; an operand of `@` whose dimensions nothing says is a matrix "
              "on the left of a vector, else a vector (an argument of other dimensions runs the eager tape, with a FallbackWarning)", COMPILED,
              "def f(A: np.ndarray, X: np.ndarray, x: np.ndarray):\n    H = np.zeros((3, len(x)))\n    H[0] = x\n"
              "    s = 0.0\n    for t in range(2):\n        H[t + 1] = np.tanh(A @ H[t] + X[t] @ A.T)\n"
              "        d = X[t] - X[t + 1]\n        s += np.sqrt(d @ d) + np.linalg.norm(X[t, :])\n"
              "    return np.sum(H ** 2) + s"),
    Construct("constant arrays: `np.arange`, `np.linspace`, `np.full` (numbers with no derivative)", COMPILED,
              "def f(x: np.ndarray):\n    n = x.shape[0]\n"
              "    return np.sum(np.arange(1.0, n + 1) * x + np.linspace(0.0, 1.0, n) * np.full(n, 2.0) * x)"),
    Construct("`np.linspace(a, b, n)` whose endpoints have a derivative (quadrature over an interval "
              "`a..b` that is a parameter)", COMPILED,
              "def f(a, b, n: int):\n    xs = np.linspace(a, b * b, n + 1)\n    ys = np.exp(-xs ** 2)\n"
              "    return (b * b - a) / n * (np.sum(ys) - 0.5 * (ys[0] + ys[-1]))"),
    Construct("new axes `x[:, None]`, `v[None, :]`, `pos[:, np.newaxis, :]`; `np.eye(n)`, `np.eye(n, k=1)`; "
              "`np.trace`", COMPILED,
              "def f(x: np.ndarray):\n    n = x.shape[0]\n"
              "    return np.sum(x[:, None] * x[None, :] * np.eye(n, k=1)) + np.trace(np.outer(x, x) + np.eye(n))"),
    Construct("`np.linalg.solve` (a vector or a matrix of right-hand sides), `np.linalg.inv`, `np.linalg.det`, "
              "`np.linalg.cholesky` (of the lower triangle, as NumPy reads it), `np.linalg.slogdet` (`sign, logdet = np.linalg.slogdet(K)`, `np.linalg.slogdet(K)[1]`, `.logabsdet`; "
              "inside loops `np.linalg.det` only, as reductions to a number are); a literal of numbers sliced where "
              "it is written (`np.array([1.0, 2.0, 3.0, 4.0])[:len(x)]`); `A.T[i, j]`", COMPILED,
              "def f(L: np.ndarray, y: np.ndarray):\n    K = L @ L.T + np.eye(len(y))\n"
              "    sign, logdet = np.linalg.slogdet(K)\n    w = np.array([1.0, 2.0, 3.0, 4.0])[:len(y)]\n"
              "    return 0.5 * y @ np.linalg.solve(K, w * y) + logdet + np.linalg.det(np.linalg.inv(K)) + K.T[0, 1]"
              " + np.sum(np.linalg.cholesky(K))"),
    Construct("array outputs (differentiated as the sum; `vjp_f` takes any cotangent)", COMPILED,
              "def f(x: np.ndarray):\n    return np.sin(x) * 2.0"),
    Construct("list and tuple literals of numbers and expressions (fixed-size float arrays); `[0.0] * n`; "
              "`for a in x` over arrays, lists and tuples; `enumerate`, `zip`; `len` and indexing of a list",
              COMPILED,
              "W = (0.5, 1.5)\n\n\ndef f(x: np.ndarray):\n    p = [x[0] * 2.0, x[1]]\n    s = 0.0\n"
              "    for i, a in enumerate(p):\n        s += a * W[i]\n    for a, w in zip(x, W):\n"
              "        s += a * w\n    for v in (1.0, 2.0):\n        s = s * v + p[len(p) - 1]\n    return s"),
    Construct("`for a in reversed(x)` (arrays, lists, tuples), `for i in reversed(range(...))` (a positive constant "
              "step), `for i, (a, b) in enumerate(zip(x, y))`", COMPILED,
              "def f(c: np.ndarray, t, y: np.ndarray):\n    p = 0.0\n    for a in reversed(c):\n        p = p * t + a\n"
              "    for i in reversed(range(1, len(c), 2)):\n        p = p * 0.5 + c[i]\n"
              "    for i, (a, b) in enumerate(zip(c, y)):\n        p += i * a * b\n    return p"),
    Construct("`np.array([...])`/`np.asarray([...])` of numbers and expressions, nested rows of one length "
              "(`R = np.array([[c, -s], [s, c]])`); of arrays, NumPy's stack (`np.array([x, 2 * x])`)", COMPILED,
              "def f(t: float, x: np.ndarray):\n    R = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])\n"
              "    return np.sum((R @ x - np.array([1.0, 2.0])) ** 2) + np.sum(np.array([x, 2 * x]) ** 2)"),
    Construct("`sum(... for ... in ...)`, `sum([... for ...])` and `np.sum([... for ...])` (one `for`, optional "
              "`if`s; not under a condition)", COMPILED,
              "def f(x: np.ndarray):\n    return sum(a * b for a, b in zip(x, x[::-1]) if a > 0) + sum([v * v for v in x])"
              " + np.sum([3.0 * v for v in x])"),
    Construct("`np.tril(m, k)`, `np.triu(m, k)`; sizes inside constant arrays (`np.arange(1.0, np.size(x) + 1.0)`); "
              "an unannotated parameter counting elements is an integer (`np.arange(kmax + 1)`, "
              "`np.linspace(0.0, 1.0, n)`); a module array scaled by an element (`x[0] * A`)", COMPILED,
              "A = np.array([0.5, 1.0, 2.0])\n\n\ndef f(x: np.ndarray, kmax=3):\n"
              "    i = np.arange(1.0, np.size(x) + 1.0)\n    k = np.arange(kmax + 1)\n"
              "    return np.sum(np.tril(np.outer(x, x), -1)) + np.sum(x / i) + np.sum(x[0] * A) + np.sum(0.5 ** k) * x[1]"),
    Construct("`np.matmul(a, b)` (as `a @ b`); `np.diag` of a vector (a diagonal matrix) and of a matrix (its "
              "diagonal), with an offset `k`", COMPILED,
              "def f(x: np.ndarray, d: np.ndarray, A: np.ndarray):\n"
              "    return x @ np.diag(d) @ x + np.sum(np.diag(np.matmul(A, A.T), 1) ** 2)"),
    Construct("`np.einsum` of a literal specification that products and sums spell (`'i,i->'`, `'ij,j->i'`, "
              "`'j,ij->i'`, `'ij,jk->ik'`, `'ij,kj->ik'`, `'ij,ij->'`, `'ii->'`, `'ii->i'`, `'ij->ji'`, "
              "`'i,j->ij'`, `'ij->i'`, `'ij->'`, `'bij,bjk->bik'`, chains such as `'i,ij,j->'`, implicit "
              "outputs); `np.inner`, `np.vdot` of real arrays", COMPILED,
              "def f(x: np.ndarray, A: np.ndarray):\n"
              "    return np.einsum('i,ij,j->', x, A, x) + np.einsum('ii', A) + np.inner(x, x) + np.vdot(x, x)"),
    Construct("`math.factorial`, `math.comb`, `math.perm` of integers (loop counters, constants): integer "
              "values, no derivative (`sum(x ** k / math.factorial(k) for k in range(10))`)", COMPILED,
              "def f(x: float):\n    return sum(x ** k / math.factorial(k) for k in range(10)) + math.comb(5, 2) * x"),
    Construct("`math.erf`, `math.erfc`, `math.lgamma`, `math.gamma` of numbers: their derivatives call the "
              "runtime's digamma and trigamma (a third derivative of lgamma or gamma, on nested eager tapes, raises)", COMPILED,
              "def f(x: float):\n    return math.erf(x) + math.erfc(x) + math.lgamma(x) + math.gamma(x)"),
    Construct("nested functions that read only their own parameters and module names, defined once at the top "
              "of the enclosing function's body, or of a loop's body that alone calls them, and only called (they "
              "become module functions)", COMPILED,
              "def f(x: np.ndarray):\n    def bump(t, k=2.0):\n        return k * t * t\n\n"
              "    return bump(x[0]) + bump(x[1], k=0.5)"),
    Construct("lists built by appending in a `for` loop (`terms = []` or `terms = [a]`, then `terms.append(...)` "
              "in the loop's body), read after it with `sum`, `np.sum`, `np.mean`, `np.array`, `len`, indexing; "
              "appends under a condition or before a `break` when only `sum`, `np.sum`, `np.mean`, `len` read the "
              "list; appends in an inner loop whose bounds read only the outer loop's variable (pairs `i < j`); "
              "`L[-1]` read while L grows (`xs.append(xs[-1] + dt * v)`); inside outer loops too", COMPILED,
              "def f(x: np.ndarray):\n    terms = []\n    for i in range(len(x) - 1):\n"
              "        terms.append((x[i + 1] - x[i]) ** 2)\n    return sum(terms) + np.mean(terms) * len(terms)"),
    Construct("other comprehensions, other list methods, a list read while it grows (other than `L[-1]`) or "
              "appended to in an inner loop under a condition, nested lists, dicts, sets, strings", EAGER,
              "def f(x):\n    ys = [x * i for i in range(3)]\n    return ys[1]"),
    Construct("`for` over anything but `range` and sequences (a dict, a string, a generator), "
              "`for`/`while` ... `else`", EAGER,
              "def f(x):\n    for v in (1.0, 2.0):\n        x = x * v\n    else:\n        x = -x\n    return x"),
    Construct("`np.einsum` of other specifications (an ellipsis, a transpose of three or more dimensions, "
              "a specification that is not a string literal)", EAGER,
              "def f(T: np.ndarray):\n    return np.sum(np.einsum('ijk->kji', T) ** 2)"),
    Construct("recursion", EAGER,
              "def f(x, n: int):\n    if n == 0:\n        return x\n    return f(x * x, n - 1)"),
    Construct("generators (`yield`), starred assignment targets (`a, *rest = ...`)", EAGER,
              "def f(x):\n    a, *rest = x, 2.0, 3.0\n    return a * rest[1]"),
    Construct("`try`, `with`, `lambda`, other nested functions (closures over the enclosing function's locals), "
              "`global`", EAGER,
              "def f(x):\n    g = lambda y: y * y\n    return g(x)"),
    Construct("whole-array values inside loops other than elementwise ones, `@`/`np.dot`, `np.roll` and "
              "reductions to a number (`x = np.cumsum(x) * 0.5` in a loop); a slice of a slice; a slice step that is "
              "not a constant", EAGER,
              "def f(x: np.ndarray):\n    for i in range(2):\n        x = np.cumsum(x) * 0.5\n"
              "    return np.sum(x)"),
    Construct("`*args`, `**kwargs`; `print(...)`", EAGER,
              "def f(x, *rest):\n    print(x)\n    return x * x"),
    Construct("module-level names bound to what the compiler cannot evaluate (`T = sorted(...)`)", EAGER,
              "T = sorted([2.0, 1.0])\n\n\ndef f(x):\n    return x * T[0]"),
    Construct("calls of functions from other modules (other than `math` and NumPy)", EAGER,
              "import statistics\n\n\ndef f(x):\n    return statistics.fmean([x, 2.0 * x])"),
]


def example_source(construct: Construct) -> str:
    return _HEADER + construct.example + "\n"


def markdown_table() -> str:
    lines = ["| construct | gradient |", "| --- | --- |"]
    lines += [f"| {c.name} | {c.engine} |" for c in SUPPORTED]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
