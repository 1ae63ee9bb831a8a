"""NumPy calls read as the products and sums they compute: `np.einsum` of the specifications
people write, `np.vdot`. (`np.inner` is a primitive of its own, rules/arrays.py: `a @ b.T` is
right only for b of at most 2 dimensions.)

`np.einsum('ij,j->i', A, x)` is `A @ x`, `np.einsum('ij,ij->', A, B)` is `np.sum(A * B)`: the call
is rewritten into source text of operations the compiler reads already (`@`, `.T`, `np.sum` with
an axis, `np.trace`, `np.diag`, `np.outer`, products of broadcast views `a[:, None]`), its
operands put back in as the nodes they were, and that text is read in the call's place. Operands
are contracted left to right, keeping the indices a later operand or the output needs. A
specification that cannot be written so (an ellipsis, a 3-D transpose, an index repeated within
an operand beside others) stays a construct the eager tape runs, which differentiates any
einsum, with the specification named in the build's warning.
"""

from __future__ import annotations

import libcst as cst

from .names import dotted_name, qualify

_LOWERED = ("einsum", "vdot")


class LoweredCallReader:
    """Mixin of the function reader: reads the calls above as their lowered text."""

    def where(self, node) -> tuple:
        position = getattr(self, "_lowered_positions", {}).get(id(node))
        return position if position is not None else super().where(node)

    def _call(self, node):
        lowered = self._lowered_call(node)
        return super()._call(node) if lowered is None else self.expr(lowered)

    def _lowered_call(self, node):
        try:
            qualified = qualify(dotted_name(node.func), self.facts)
        except ValueError:
            return None
        module, _, name = qualified.rpartition(".")
        if module != "numpy" or name not in _LOWERED or any(a.star for a in node.args):
            return None
        numpy = self._numpy_alias()
        if numpy is None or any(a.keyword is not None for a in node.args):
            return None
        operands = [a.value for a in node.args]
        if name == "vdot" and len(operands) == 2:
            text = f"{numpy}.sum({numpy}.ravel(_0) * {numpy}.ravel(_1))"  # real arrays, flattened as vdot does
        elif name == "einsum":
            text = self._einsum_text(node, operands, numpy)
            operands = operands[1:]
        else:
            return None
        return self._with_operands(node, text, operands)

    def _numpy_alias(self):
        for local, qualified in sorted(self.facts.aliases.items()):
            if qualified == "numpy" and local not in self.locals:
                return local
        return None

    def _einsum_text(self, node, operands, numpy) -> str:
        if not operands or not isinstance(operands[0], cst.SimpleString):
            raise self.unsupported(node, "np.einsum with a specification that is not a string literal")
        spec = operands[0].evaluated_value.replace(" ", "")
        text = einsum_text(spec, len(operands) - 1, numpy)
        if text is None:
            raise self.unsupported(node, f"np.einsum('{spec}') (not lowered to products and sums)")
        return text

    def _with_operands(self, node, text: str, operands: list):
        """`text` parsed, its placeholders _0, _1, ... replaced by the operands' own nodes, and
        every new node placed at the call (for the diagnostics of what reads it)."""
        expression = cst.parse_expression(text).visit(_Placeholders(operands))
        position = self.where(node)
        positions = self.__dict__.setdefault("_lowered_positions", {})
        self.__dict__.setdefault("_lowered_keep", []).append(expression)  # ids stay unique while read
        kept = {id(o) for o in operands}

        def place(n):
            if id(n) in kept:
                return
            positions[id(n)] = position
            for child in n.children:
                place(child)

        place(expression)
        return expression


class _Placeholders(cst.CSTTransformer):
    def __init__(self, operands):
        super().__init__()
        self.operands = operands

    def leave_Name(self, original, updated):
        if updated.value.startswith("_") and updated.value[1:].isdigit():
            return self.operands[int(updated.value[1:])]  # the tree, not the text, says what is read
        return updated


def einsum_text(spec: str, count: int, numpy: str):
    """The source text computing np.einsum(spec, _0, ..., _{count-1}) with @, .T, sums and
    broadcast products, or None where this lowering has no spelling for it."""
    if "." in spec or not spec.replace(",", "").replace("->", "").isalpha():
        return None
    inputs, arrow, output = spec.partition("->")
    terms = inputs.split(",")
    if len(terms) != count or count == 0:
        return None
    letters = "".join(terms)
    if not arrow:  # implicit output: the indices seen once, in alphabetical order
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    if len(set(output)) != len(output) or set(output) - set(letters):
        return None
    text, have = "_0", terms[0]
    for k in range(1, count):
        later = set(output) | set("".join(terms[k + 1:]))
        both = have + "".join(c for c in terms[k] if c not in have)
        keep = "".join(c for c in both if c in later)
        text, have = _pair(text, have, f"_{k}", terms[k], keep, numpy)
        if text is None:
            return None
    return _single(text, have, output, numpy)


def _single(text: str, have: str, output: str, numpy: str):
    """One operand with indices `have` to `output`: a trace or diagonal, sums, a transpose."""
    if len(set(have)) != len(have):
        if len(have) == 2 and output == "":
            return f"{numpy}.trace({text})"
        if len(have) == 2 and output == have[0]:
            return f"{numpy}.diag({text})"
        return None
    if set(output) - set(have):
        return None
    if output == "" and have:
        return f"{numpy}.sum({text})"
    for axis in reversed(range(len(have))):
        if have[axis] not in output:
            text, have = f"{numpy}.sum({text}, axis={axis})", have[:axis] + have[axis + 1:]
    if have == output:
        return text
    if len(have) == 2 and have == output[::-1]:
        return f"({text}).T"
    return None


def _pair(a: str, s: str, b: str, t: str, keep: str, numpy: str) -> tuple:
    """a (indices s) times b (indices t), summed over the shared indices not in `keep`; the
    result's indices in the order returned. (None, None) where there is no spelling."""
    if len(set(s)) != len(s) or len(set(t)) != len(t):
        return None, None
    # an index in one operand alone that nothing needs: summed first
    a, s = _summed_alone(a, s, set(t) | set(keep), numpy)
    b, t = _summed_alone(b, t, set(s) | set(keep), numpy)
    if a is None or b is None:
        return None, None
    contracted = "".join(c for c in s if c in t and c not in keep)
    free_s, free_t = s.replace(contracted, ""), t.replace(contracted, "")
    # a matrix product when no kept index is in both: ij,ij->i is a row-wise product and sum
    # (np.diag(a @ b.T) computed n * n products, and gave one element for a b of one row,
    # which einsum broadcasts)
    if len(contracted) == 1 and len(s) <= 2 and len(t) <= 2 and not set(free_s) & set(free_t):
        k = contracted
        left = a if not free_s or s == free_s + k else f"({a}).T"
        right = b if not free_t or t == k + free_t else f"({b}).T"
        return f"({left} @ {right})", free_s + free_t
    batched = len(s) == 3 and len(t) == 3 and s[0] == t[0] and s[0] in keep and s[2] == t[1] \
        and contracted == s[2] and s[1] != t[2]
    if batched:  # bij,bjk->bik: a stack of matrix products
        return f"({a} @ {b})", s[0] + s[1] + t[2]
    order = "".join(c for c in s + t if c in keep)
    order = "".join(sorted(set(order), key=order.index)) + contracted
    left, right = _aligned(a, s, order), _aligned(b, t, order)
    if left is None or right is None:
        return None, None
    product = f"({left} * {right})"
    if not contracted:
        return product, order
    if len(order) == len(contracted):
        return f"{numpy}.sum({product})", ""
    for axis in reversed(range(len(order) - len(contracted), len(order))):
        product = f"{numpy}.sum({product}, axis={axis})"
    return product, order[:len(order) - len(contracted)]


def _summed_alone(text: str, have: str, needed: set, numpy: str) -> tuple:
    for axis in reversed(range(len(have))):
        if have[axis] not in needed:
            if len(have) == 1:
                return f"{numpy}.sum({text})", ""
            text, have = f"{numpy}.sum({text}, axis={axis})", have[:axis] + have[axis + 1:]
    return text, have


def _aligned(text: str, have: str, order: str):
    """The operand as a view whose axes follow `order` (new axes where it has no index)."""
    present = "".join(c for c in order if c in have)
    if present != have:
        if len(have) != 2:
            return None
        text = f"({text}).T"
    if present == order:
        return text
    if not have:
        return text
    return f"{text}[{', '.join(':' if c in have else 'None' for c in order)}]"
