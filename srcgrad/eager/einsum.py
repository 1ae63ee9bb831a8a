"""np.einsum on Tensors. Each operand's cotangent is another einsum: of the output cotangent with
the other operands, written to that operand's subscripts, with a vector of ones for an index
that operand alone sums over (the cotangent is the same along it). Written with np.einsum, so
the gradient is differentiable again. Explicit (`"ij,j->i"`) and implicit (`"ij,j"`) outputs;
an ellipsis, an index repeated within one operand (a diagonal) and the interleaved operand form
have no rule here and raise MissingRuleError."""

from __future__ import annotations

import numpy as np

from srcgrad.eager.core import FUNCTION_HANDLERS, Primitive, apply
from srcgrad.eager.errors import MissingRuleError


def _subscripts(spec) -> tuple:
    """(the operands' subscripts, the output's) of an einsum specification."""
    if not isinstance(spec, str):
        raise MissingRuleError("no derivative rule for numpy.einsum with operands and index lists interleaved")
    spec = spec.replace(" ", "")
    inputs, arrow, output = spec.partition("->")
    terms = inputs.split(",")
    if "." in spec or any(len(set(t)) != len(t) for t in terms):  # (a wrong count: NumPy's own error)
        raise MissingRuleError(f"no derivative rule for numpy.einsum({spec!r}) (an ellipsis, or an index "
                               "repeated within one operand)")
    if not arrow:  # implicit: the indices that occur once, in alphabetical order
        letters = "".join(terms)
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    return terms, output


def _cotangent(i: int, g, terms: list, output: str, operands: tuple):
    others = [k for k in range(len(terms)) if k != i]
    reached = set(output).union(*(terms[k] for k in others))
    alone = [c for c in terms[i] if c not in reached]
    sizes = dict(zip(terms[i], np.shape(operands[i])))
    spec = ",".join([output, *(terms[k] for k in others), *alone]) + "->" + terms[i]
    return np.einsum(spec, g, *(operands[k] for k in others), *(np.ones(sizes[c]) for c in alone))


def _einsum(spec, *operands, **options):
    terms, output = _subscripts(spec)

    def vjp(argnums, g, ans, args, kwargs):
        return [_cotangent(i, g, terms, output, args) for i in argnums]

    return apply(Primitive("einsum", lambda *values: np.einsum(spec, *values, **options), vjp), operands, {})


FUNCTION_HANDLERS[np.einsum] = _einsum
