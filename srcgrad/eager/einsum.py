"""np.einsum on Tensors. Each operand's cotangent is another einsum: of the output cotangent with
the other operands, written to that operand's subscripts, with a vector of ones for an index
that operand alone sums over (the cotangent is the same along it). An index repeated within one
operand (`"ii->"`, a trace; `"ii->i"`, a diagonal) reads a diagonal: its cotangent is written to
that diagonal through identity matrices, the rest of the operand gets zero. Written with
np.einsum, so the gradient is differentiable again. Explicit (`"ij,j->i"`) and implicit (`"ij,j"`)
outputs; an ellipsis and the interleaved operand form have no rule here and raise
MissingRuleError."""

from __future__ import annotations

import string

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
    if "." in spec:  # (a wrong count: NumPy's own error)
        raise MissingRuleError(f"no derivative rule for numpy.einsum({spec!r}) (an ellipsis)")
    if not arrow:  # implicit: the indices that occur once, in alphabetical order
        letters = "".join(terms)
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    return terms, output


def _cotangent(i: int, g, terms: list, output: str, operands: tuple):
    others = [k for k in range(len(terms)) if k != i]
    reached = set(output).union(*(terms[k] for k in others))
    distinct = "".join(dict.fromkeys(terms[i]))  # "ii" reads the diagonal "i"
    alone = [c for c in distinct if c not in reached]
    sizes = dict(zip(terms[i], np.shape(operands[i])))
    spec = ",".join([output, *(terms[k] for k in others), *alone]) + "->" + distinct
    cotangent = np.einsum(spec, g, *(operands[k] for k in others), *(np.ones(sizes[c]) for c in alone))
    return cotangent if distinct == terms[i] else _on_diagonal(cotangent, distinct, terms, output, sizes, i)


def _on_diagonal(cotangent, distinct: str, terms: list, output: str, sizes: dict, i: int):
    """The cotangent of the diagonal `distinct` written where operand i's repeated indices are
    equal: each repetition gets a letter of its own, tied to the first by an identity matrix."""
    fresh = iter(c for c in string.ascii_letters if c not in set("".join(terms) + output))
    seen, placed, ties = set(), [], []
    for letter in terms[i]:
        if letter in seen:
            placed.append(next(fresh))
            ties.append(letter + placed[-1])
        else:
            seen.add(letter)
            placed.append(letter)
    spec = ",".join([distinct, *ties]) + "->" + "".join(placed)
    return np.einsum(spec, cotangent, *(np.eye(sizes[tie[0]]) for tie in ties))


def _einsum(spec, *operands, **options):
    terms, output = _subscripts(spec)

    def vjp(argnums, g, ans, args, kwargs):
        return [_cotangent(i, g, terms, output, args) for i in argnums]

    return apply(Primitive("einsum", lambda *values: np.einsum(spec, *values, **options), vjp), operands, {})


FUNCTION_HANDLERS[np.einsum] = _einsum
