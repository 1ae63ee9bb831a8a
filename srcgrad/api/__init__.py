"""The in-process API: `grad`, `value_and_grad`, `vjp`, `jvp`, `hvp`, `hessian`, `check_grads` and
`source` on ordinary Python functions.

`grad(f)` reads the file that defines f (it never re-imports it), generates the whole file's
`FILE_grad` module, compiles it into the build cache (SRCGRAD_CACHE_DIR, default
~/.cache/srcgrad; see srcgrad.build) and loads it under a private name, so it never clashes
with a `FILE_grad` the user imports from OUTDIR. Loaded modules are kept per (file, content
hash): asking again for the same unchanged file costs a file read and a hash, not a build.

`wrt` selects gradients by position in f's parameter list, as written in the `def`:
  - None: every differentiable parameter, the same value `grad_f` returns (the gradient itself
    when f has one differentiable parameter, else a tuple in parameter order);
  - an int i: the gradient for parameter i alone (negative i counts from the end);
  - a tuple of ints: a tuple of those gradients, in the order given (even for one index).
Naming a parameter that is not differentiable (annotated `int` or `bool`) raises ValueError.

f must be a top-level function of a source file. A lambda, a nested function, a method, a
function typed at the prompt, or one the compiler cannot transform goes to
`fallback._when_not_compilable`, the single place that decides what happens then.

The modules, in the order they build on each other: compiled (where f lives, its generated and
compiled module), calls (f's parameters and the wrt conventions), fallback (the eager tape and
its warning), gradients (grad, value_and_grad, source, nested derivatives), entries (vjp, jvp,
hvp, hessian), check (check_grads).
"""

from .check import check_grads
from .compiled import NotCompilable
from .compiled import _compiled_module, _generated_module, _import_extension, _locate  # noqa: F401  (for tests)
from .entries import hessian, hvp, jvp, vjp
from .gradients import grad, source, value_and_grad

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "hvp", "hessian", "check_grads", "source", "NotCompilable"]
