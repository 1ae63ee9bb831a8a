"""NumPy calls whose arguments are more than an array and an axis, read as the array rule table's
primitives: reshapes (x.reshape(2, 3), np.reshape(x, (-1, 2)), x.ravel(), x.flatten()),
np.roll, np.tile, np.repeat, np.sort, joins (np.concatenate, np.stack, np.hstack, np.vstack of a
list or tuple of arrays), np.clip, np.asarray/np.array of an array, np.var/np.std (any axis),
np.linalg.norm (ord None, 2, 1, inf; an axis) and the builtin sum of a 1-D array; the parts of
np.linalg.slogdet(a) (`[1]`, `.logabsdet`, `sign, logdet = ...`) and `A.T[i, j]` (read as A[j, i]).

Static options (a shape, a shift, reps) are integer expressions or `ir.Call("tuple", parts)`,
printed as generated code passes them (srcgrad.rules.symbolic.option_text).
"""

from __future__ import annotations

import libcst as cst

from .. import ir
from .names import dotted_name, qualify

_METHODS = ("reshape", "ravel", "flatten")
# x.<method>(...) read as np.<method>(x, ...) (x.sum() and friends: frontend.names.ARRAY_METHODS)
_FUNCTION_METHODS = ("var", "std", "clip", "cumprod", "repeat", "argmax", "argmin", "transpose", "astype")
_FUNCTIONS = ("reshape", "ravel", "roll", "tile", "repeat", "sort", "concatenate", "stack", "hstack", "vstack",
              "clip", "asarray", "array", "var", "std", "average", "linalg.norm", "tril", "triu", "diag")
_INFINITY = float("inf")


class ArrayCallReader:
    """Mixed into the expression reader (frontend.expressions), whose expr/unsupported it uses."""

    def _array_call(self, node: cst.Call):
        """The primitive a NumPy call of this module's kind applies, or None for another call."""
        func = node.func
        if any(a.star for a in node.args):
            return None
        positional = [a.value for a in node.args if a.keyword is None]
        keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        if isinstance(func, cst.Attribute) and func.attr.value in _METHODS and (
                (isinstance(func.value, cst.Name) and func.value.value in self.locals)
                or isinstance(func.value, (cst.Call, cst.BinaryOperation, cst.UnaryOperation, cst.Subscript))):
            return self._reshape(node, func.value, positional, keywords, func.attr.value)
        if isinstance(func, cst.Attribute) and func.attr.value in _FUNCTION_METHODS and (
                (isinstance(func.value, cst.Name) and func.value.value in self.locals)
                or isinstance(func.value, (cst.Call, cst.BinaryOperation, cst.UnaryOperation, cst.Subscript))):
            return self._method(node, func, positional, keywords)
        if self._builtin_sum(node, positional, keywords):
            array = self.expr(positional[0])
            return ir.Call("sum", (ir.Call("one_dimensional", (array,)), ir.Const(None)))
        try:
            module, _, name = qualify(dotted_name(func), self.facts).partition(".")
        except ValueError:
            return None
        if module != "numpy" or name not in _FUNCTIONS:
            return None
        if name in ("reshape", "ravel"):
            if not positional:
                raise self.unsupported(node, f"np.{name} with no array")
            return self._reshape(node, positional[0], positional[1:], keywords, name)
        return getattr(self, "_read_" + name.replace("linalg.", ""))(node, positional, keywords)

    def _method(self, node, func, positional, keywords) -> ir.Expr:
        """x.var(), x.std(axis=0), x.clip(0, 1), x.cumprod(), x.repeat(2), x.argmax(axis=1)."""
        name, positional = func.attr.value, [func.value] + positional
        if name == "transpose" and len(positional) == 1 and not keywords:  # x.transpose(): x.T
            return ir.Call("transpose", (self.expr(positional[0]),))
        if name == "astype":  # x.astype(float): x itself (arrays are float64)
            if len(positional) != 2 or keywords or not _is_float(positional[1]):
                raise self.unsupported(node, "x.astype of a type other than float")
            return self.expr(positional[0])
        if name == "transpose":
            raise self.unsupported(node, "x.transpose with axes")
        if name in ("cumprod", "argmax", "argmin"):
            x, axis = self._arguments(node, positional, keywords, ("a", "axis"), f"x.{name}")
            return ir.Call(name, (self.expr(x), self._constant_axis(axis, f"x.{name}")))
        return getattr(self, "_read_" + name)(node, positional, keywords)

    def _builtin_sum(self, node, positional, keywords) -> bool:
        """sum(x) of an array (not of a generator, list or tuple: those are sequences)."""
        return (isinstance(node.func, cst.Name) and node.func.value == "sum" and node.func.value not in self.locals
                and node.func.value not in self.facts.aliases and node.func.value not in self.facts.functions
                and len(positional) == 1 and not keywords
                and not isinstance(positional[0], (cst.GeneratorExp, cst.ListComp, cst.List, cst.Tuple)))

    # --- options ------------------------------------------------------------------------------
    def _integer(self, node) -> ir.Expr:
        value = self.expr(node)
        if isinstance(value, ir.Unary) and value.op == "-" and isinstance(value.operand, ir.Const):
            return ir.Const(-value.operand.value)
        return value

    def _integers(self, node) -> ir.Expr:
        """An integer option, or a tuple or list of them: a tuple call."""
        if isinstance(node, (cst.Tuple, cst.List)):
            return ir.Call("tuple", tuple(self._integer(el.value) for el in node.elements))
        return self._integer(node)

    def _constant_axis(self, node, what: str, default=None, allow_none: bool = True) -> ir.Const:
        if node is None:
            return ir.Const(default)
        axis = self._integer(node)
        if not (isinstance(axis, ir.Const) and (type(axis.value) is int or (axis.value is None and allow_none))):
            raise self.unsupported(node, f"{what} with an axis that is not a constant integer")
        return axis

    def _arguments(self, node, positional, keywords, names: tuple, what: str) -> list:
        """The arguments by position or keyword, None where left out; others are refused."""
        if len(positional) > len(names) or set(keywords) - set(names) \
                or any(name in keywords for name in names[:len(positional)]):
            raise self.unsupported(node, f"{what} with arguments other than {', '.join(names)}")
        return [positional[k] if k < len(positional) else keywords.get(name) for k, name in enumerate(names)]

    # --- reshapes -----------------------------------------------------------------------------
    def _reshape(self, node, array, positional, keywords, name) -> ir.Expr:
        what = f"x.{name}" if isinstance(node.func, cst.Attribute) and name in _METHODS else f"np.{name}"
        if keywords.pop("order", None) is not None:
            raise self.unsupported(node, f"{what} with an order")
        shape_node = keywords.pop("shape", keywords.pop("newshape", None))
        if keywords or (name != "reshape" and (positional or shape_node is not None)):
            raise self.unsupported(node, f"{what} with arguments other than a shape")
        x = self.expr(array)
        if name != "reshape":
            return ir.Call("reshape", (x, ir.Call("tuple", (ir.Const(-1),))))
        if shape_node is not None and positional:
            raise self.unsupported(node, f"{what} with a shape given twice")
        if shape_node is not None:
            positional = [shape_node]
        if not positional:
            raise self.unsupported(node, f"{what} with no shape")
        if len(positional) == 1:
            shape = self._integers(positional[0])
            shape = shape if isinstance(shape, ir.Call) else ir.Call("tuple", (shape,))
        else:
            shape = ir.Call("tuple", tuple(self._integer(p) for p in positional))
        return ir.Call("reshape", (x, shape))

    # --- rearrangements -----------------------------------------------------------------------
    def _read_roll(self, node, positional, keywords) -> ir.Expr:
        a, shift, axis = self._arguments(node, positional, keywords, ("a", "shift", "axis"), "np.roll")
        if shift is None:
            raise self.unsupported(node, "np.roll with no shift")
        axis = ir.Const(None) if axis is None else self._integers(axis)
        return ir.Call("roll", (self.expr(a), self._integers(shift), axis))

    def _read_tile(self, node, positional, keywords) -> ir.Expr:
        a, reps = self._arguments(node, positional, keywords, ("A", "reps"), "np.tile")
        if reps is None:
            raise self.unsupported(node, "np.tile with no reps")
        return ir.Call("tile", (self.expr(a), self._integers(reps)))

    def _read_repeat(self, node, positional, keywords) -> ir.Expr:
        a, repeats, axis = self._arguments(node, positional, keywords, ("a", "repeats", "axis"), "np.repeat")
        if repeats is None or isinstance(repeats, (cst.List, cst.Tuple)):
            raise self.unsupported(node, "np.repeat with repeats other than one integer")
        return ir.Call("repeat", (self.expr(a), self._integer(repeats), self._constant_axis(axis, "np.repeat")))

    def _read_sort(self, node, positional, keywords) -> ir.Expr:
        a, axis = self._arguments(node, positional, keywords, ("a", "axis"), "np.sort")
        return ir.Call("sort", (self.expr(a), self._constant_axis(axis, "np.sort", -1, allow_none=False)))

    def _read_tril(self, node, positional, keywords, name: str = "tril") -> ir.Expr:
        """np.tril(m, k) / np.triu(m, k): m with the elements above / below diagonal k zeroed."""
        m, k = self._arguments(node, positional, keywords, ("m", "k"), f"np.{name}")
        return ir.Call(name, (self.expr(m), ir.Const(0) if k is None else self._integer(k)))

    def _read_triu(self, node, positional, keywords) -> ir.Expr:
        return self._read_tril(node, positional, keywords, "triu")

    def _read_diag(self, node, positional, keywords) -> ir.Expr:
        """np.diag(v, k): a vector on diagonal k of a matrix, or diagonal k of a matrix."""
        v, k = self._arguments(node, positional, keywords, ("v", "k"), "np.diag")
        return ir.Call("diag", (self.expr(v), ir.Const(0) if k is None else self._integer(k)))

    def _read_clip(self, node, positional, keywords) -> ir.Expr:
        """np.clip(x, lo, hi) as np.minimum(np.maximum(x, lo), hi); a bound None is left out."""
        keywords = {{"min": "a_min", "max": "a_max"}.get(k, k): v for k, v in keywords.items()}
        a, lo, hi = self._arguments(node, positional, keywords, ("a", "a_min", "a_max"), "np.clip")
        result = self.expr(a)
        for bound, primitive in ((lo, "maximum"), (hi, "minimum")):
            if bound is not None and not (isinstance(bound, cst.Name) and bound.value == "None"):
                result = ir.Call(primitive, (result, self.expr(bound)))
        return result

    def _read_asarray(self, node, positional, keywords) -> ir.Expr:
        """np.asarray(x) and np.array(x) of an array: x itself (compiled code never writes a whole
        array in place, so a copy and x are the same value)."""
        dtype = keywords.pop("dtype", None)
        if dtype is not None and not _is_float(dtype):
            raise self.unsupported(node, "np.asarray/np.array with a dtype other than float")
        if len(positional) != 1 or keywords:
            raise self.unsupported(node, "np.asarray/np.array with arguments other than an array and dtype=float")
        if isinstance(positional[0], (cst.List, cst.Tuple)):
            raise self.unsupported(node, "np.array of a list or tuple other than as an assignment's value")
        return self.expr(positional[0])

    _read_array = _read_asarray

    # --- joins --------------------------------------------------------------------------------
    def _joined(self, node, sequence, what: str) -> list:
        if not isinstance(sequence, (cst.List, cst.Tuple)) or not sequence.elements \
                or any(isinstance(el, cst.StarredElement) for el in sequence.elements):
            raise self.unsupported(node, f"{what} of something other than a list or tuple of arrays")
        return [self._literal_vector(el.value) if isinstance(el.value, (cst.List, cst.Tuple)) else self.expr(el.value)
                for el in sequence.elements]

    def _literal_vector(self, node) -> ir.Expr:
        """A list or tuple of numbers joined to arrays (np.concatenate(([0.0], x, [0.0]))): the
        vector they make, each number np.full(1, c) or np.atleast_1d(e)."""
        if not node.elements or any(isinstance(el, cst.StarredElement) or isinstance(el.value, (cst.List, cst.Tuple))
                                    for el in node.elements):
            raise self.unsupported(node, "a list or tuple joined to arrays other than of numbers")
        pieces = []
        for el in node.elements:
            value = self._integer(el.value)  # -1.0 folded
            pieces.append(ir.Call("full", (ir.Const(1), value)) if isinstance(value, ir.Const)
                          else ir.Call("atleast_1d", (value,)))
        return self._chain("concatenate", pieces, (ir.Const(0),))

    def _chain(self, name: str, parts: list, options: tuple) -> ir.Expr:
        result = parts[0]
        for part in parts[1:]:
            result = ir.Call(name, (result, part) + options)
        return result

    def _read_concatenate(self, node, positional, keywords) -> ir.Expr:
        arrays, axis = self._arguments(node, positional, keywords, ("arrays", "axis"), "np.concatenate")
        parts = self._joined(node, arrays, "np.concatenate")
        axis = self._constant_axis(axis, "np.concatenate", 0, allow_none=False)
        return self._chain("concatenate", parts, (axis,))  # of one array: that array

    def _read_stack(self, node, positional, keywords) -> ir.Expr:
        arrays, axis = self._arguments(node, positional, keywords, ("arrays", "axis"), "np.stack")
        axis = self._constant_axis(axis, "np.stack", 0, allow_none=False)
        parts = [ir.Call("expand_dims", (p, axis)) for p in self._joined(node, arrays, "np.stack")]
        return self._chain("concatenate", parts, (axis,))

    def _read_hstack(self, node, positional, keywords) -> ir.Expr:
        (arrays,) = self._arguments(node, positional, keywords, ("tup",), "np.hstack")
        parts = self._joined(node, arrays, "np.hstack")
        return ir.Call("atleast_1d", (parts[0],)) if len(parts) == 1 else self._chain("hstack", parts, ())

    def _read_vstack(self, node, positional, keywords) -> ir.Expr:
        (arrays,) = self._arguments(node, positional, keywords, ("tup",), "np.vstack")
        parts = self._joined(node, arrays, "np.vstack")
        return ir.Call("atleast_2d", (parts[0],)) if len(parts) == 1 else self._chain("vstack", parts, ())

    # --- measures of spread -------------------------------------------------------------------
    def _read_var(self, node, positional, keywords) -> ir.Expr:
        """np.var(x, axis) as the eager engine computes it: the mean of the squared deviations
        from the mean kept with its axes (so it broadcasts back along any axis)."""
        a, axis, ddof = self._arguments(node, positional, keywords, ("a", "axis", "ddof"), f"np.{_called(node)}")
        x = self.expr(a)
        axis = self._constant_axis(axis, f"np.{_called(node)}")
        mean = ir.Call("mean", (x, axis, ir.Const(True)))
        centred = ir.BinOp("-", x, mean)
        variance = ir.Call("mean", (ir.BinOp("*", centred, centred), axis))
        ddof = ir.Const(0) if ddof is None else self._integer(ddof)
        if ddof == ir.Const(0):
            return variance
        count = ir.BinOp("//", ir.Call("size", (x,)), ir.Call("size", (mean,)))  # the elements each mean averages
        return ir.BinOp("*", variance, ir.BinOp("/", count, ir.BinOp("-", count, ddof)))

    def _read_std(self, node, positional, keywords) -> ir.Expr:
        return ir.Call("sqrt", (self._read_var(node, positional, keywords),))

    def _read_average(self, node, positional, keywords) -> ir.Expr:
        """np.average(x) is np.mean(x); with weights of x's shape, sum(x * w) / sum(w)."""
        a, axis, weights = self._arguments(node, positional, keywords, ("a", "axis", "weights"), "np.average")
        x, axis = self.expr(a), self._constant_axis(axis, "np.average")
        if weights is None:
            return ir.Call("mean", (x, axis))
        if axis.value is not None:
            raise self.unsupported(node, "np.average with weights and an axis")
        w = self.expr(weights)
        return ir.BinOp("/", ir.Call("sum", (ir.BinOp("*", x, w), axis)), ir.Call("sum", (w, axis)))

    def _read_norm(self, node, positional, keywords) -> ir.Expr:
        """np.linalg.norm: of all elements (ord None), or of vectors along an axis (ord 2, 1,
        inf); ord 1 and inf of a whole matrix are other norms and are refused."""
        x_node, order, axis = self._arguments(node, positional, keywords, ("x", "ord", "axis"), "np.linalg.norm")
        x = self.expr(x_node)
        axis = self._constant_axis(axis, "np.linalg.norm")
        order = None if order is None or (isinstance(order, cst.Name) and order.value == "None") else self.expr(order)
        if isinstance(order, ir.Unary) and order.op == "-" and isinstance(order.operand, ir.Const):
            order = ir.Const(-order.operand.value)
        if order is None or (order in (ir.Const(2), ir.Const(2.0)) and axis.value is not None):
            return ir.Call("sqrt", (ir.Call("sum", (ir.BinOp("*", x, x), axis)),))
        if axis.value is None:  # ord=2 of a matrix is its largest singular value, ord=1 a column sum
            x = ir.Call("one_dimensional", (x,))
        if order in (ir.Const(2), ir.Const(2.0)):
            return ir.Call("sqrt", (ir.Call("sum", (ir.BinOp("*", x, x), axis)),))
        if order in (ir.Const(1), ir.Const(1.0)):
            return ir.Call("sum", (ir.Call("absolute", (x,)), axis))
        if order == ir.Const(_INFINITY):
            return ir.Call("max", (ir.Call("absolute", (x,)), axis))
        raise self.unsupported(node, "np.linalg.norm with an ord other than None, 1, 2 or inf")

    # --- np.linalg.slogdet's parts, A.T[i, j] ---------------------------------------------------
    def _slogdet_position(self, node):
        """(the operand node, 0 or 1) of `np.linalg.slogdet(a)[1]` or `.logabsdet` (1), `[0]` or
        `.sign` (0); None for any other node. Reads nothing."""
        if isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            call, position = node.value, _constant_integer(node.slice[0].slice.value)
        elif isinstance(node, cst.Attribute) and node.attr.value in _SLOGDET_PARTS:
            call, position = node.value, _SLOGDET_PARTS.index(node.attr.value)
        else:
            return None
        operand = self.slogdet_operand(call)
        return None if operand is None or position not in (0, 1, -1, -2) else (operand, position % 2)

    def slogdet_operand(self, node):
        """a's node where node is the call np.linalg.slogdet(a), else None."""
        if not isinstance(node, cst.Call) or len(node.args) != 1 or node.args[0].keyword is not None \
                or node.args[0].star:
            return None
        try:
            qualified = qualify(dotted_name(node.func), self.facts)
        except ValueError:
            return None
        return node.args[0].value if qualified == "numpy.linalg.slogdet" else None

    def slogdet_parts(self, operand) -> tuple:
        """np.linalg.slogdet(a) as (its sign, piecewise constant; log |det a|)."""
        a = self.expr(operand)
        return ir.Call("slogdet_sign", (a,)), ir.Call("logabsdet", (a,))

    def _transposed_element(self, node: cst.Subscript):
        """`A.T[i, j]` with integer indices, A a local or module matrix: A[j, i]; None for other subscripts."""
        value = node.value
        if not (isinstance(value, cst.Attribute) and value.attr.value == "T" and isinstance(value.value, cst.Name)
                and len(node.slice) == 2
                and all(isinstance(e.slice, cst.Index) and e.slice.star is None for e in node.slice)):
            return None
        name, swapped = value.value.value, tuple(reversed(node.slice))
        if name not in self.locals:
            array = self.facts.arrays.get(name)
            if array is None or array.ndim != 2:
                return None
            return self._constant_index(node.with_changes(value=value.value, slice=swapped))
        if _indexed_more_than_twice(self.function.node, name):  # A.T[i, j] of a 3-D A is no element
            raise self.unsupported(node, "A.T[i, j] of an array indexed with more than two indices")
        self._read(value.value)
        return self.element_of(name, node.with_changes(slice=swapped))


_SLOGDET_PARTS = ("sign", "logabsdet")


def _constant_integer(node):
    """The value of an integer literal (negative too), else None."""
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        value = _constant_integer(node.expression)
        return None if value is None else -value
    return int(node.value, 0) if isinstance(node, cst.Integer) else None


def _indexed_more_than_twice(function: cst.FunctionDef, name: str) -> bool:
    found = []

    class Finder(cst.CSTVisitor):
        def visit_Subscript(self, node):
            if isinstance(node.value, cst.Name) and node.value.value == name and len(node.slice) > 2:
                found.append(node)

    function.visit(Finder())
    return bool(found)


def _is_float(node) -> bool:
    return dotted_name_or_none(node) in ("float", "np.float64", "numpy.float64")


def _called(node: cst.Call) -> str:
    return node.func.attr.value if isinstance(node.func, cst.Attribute) else node.func.value


def dotted_name_or_none(node) -> str:
    try:
        return dotted_name(node)
    except ValueError:
        return ""
