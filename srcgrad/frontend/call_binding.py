"""A call of a module function with keywords or left-out defaults, bound as Python binds it.

`f(x, w=y)` of `def f(x, scale=2.0, *, k: int = 3, w=0.5)` becomes `f(x, 2.0, 3, y)`: the compiled
functions take every parameter positionally (keyword-only ones last), so the front end puts each
argument in its parameter's place and fills the rest with the folded defaults. A call Python
would refuse (a missing argument, an unknown or repeated keyword) is left to Python: it is not
compiled, and the function runs as written, raising the same TypeError.
"""

from __future__ import annotations

import numbers

import libcst as cst

from .. import ir
from ..diagnostics import Unsupported
from .constants import NO_DEFAULT, parameter_defaults
from .facts import ModuleFacts


def bound_arguments(node: cst.Call, values: list, name: str, facts: ModuleFacts, unsupported) -> tuple:
    """The arguments of `node` (a call of the module function `name`; `values` the IR of
    node.args, in order) in the order of the callee's parameters, defaults filled in.
    `unsupported(node, construct)` makes the Unsupported to raise."""
    params = facts.functions[name].node.params
    positional_only = [p.name.value for p in params.posonly_params]
    names = positional_only + [p.name.value for p in params.params]
    positional_count = len(names)
    names += [p.name.value for p in params.kwonly_params]
    if isinstance(params.star_arg, cst.Param) or params.star_kwarg is not None:
        raise unsupported(node, f"a call of '{name}', which takes *args or **kwargs")
    if any(arg.star for arg in node.args):
        raise unsupported(node, "a call with star arguments")
    positional = [v for arg, v in zip(node.args, values) if arg.keyword is None]
    if len(positional) > positional_count:
        raise _refused(node, name, "too many positional arguments", unsupported)
    bound = dict(zip(names, positional))
    for arg, value in zip(node.args, values):
        if arg.keyword is None:
            continue
        keyword = arg.keyword.value
        if keyword not in names or keyword in positional_only or keyword in bound:
            raise _refused(node, name, f"the keyword argument '{keyword}'", unsupported)
        bound[keyword] = value
    try:
        defaults = parameter_defaults(facts.functions[name], facts)
    except ValueError:
        raise unsupported(node, f"a call of '{name}', whose defaults are not constants") from None
    out = []
    for param, (default, _) in zip(names, defaults):
        if param in bound:
            out.append(bound[param])
        elif default is NO_DEFAULT:
            raise _refused(node, name, f"no argument for '{param}'", unsupported)
        elif isinstance(default, (bool, numbers.Number)) and not isinstance(default, complex):
            out.append(ir.Const(default if isinstance(default, bool) else
                                int(default) if isinstance(default, numbers.Integral) else float(default)))
        else:
            raise unsupported(node, f"a call of '{name}' leaving out '{param}', whose default is not a number")
    return tuple(out)


def _refused(node, name: str, what: str, unsupported) -> Unsupported:
    return unsupported(node, f"a call of '{name}' that Python refuses ({what})")
