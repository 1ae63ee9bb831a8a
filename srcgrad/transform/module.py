"""Whole-module generation: read, lower, analyse, differentiate and print every function.

Functions are compiled callees first, so a caller knows each callee's signature. A function
outside the subset (or calling one) keeps its original source in the generated module and is
differentiated by the eager tape; the build reports it as a warning.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from .. import __version__, ir
from ..analysis.types import infer
from ..diagnostics import Diagnostic, SourceError, Unsupported, fallback_warning
from ..emit.printer import C_TYPES, LIBC_MATH, VECTOR_HELPERS, ExpressionPrinter, Printer, ZERO
from ..frontend.parse import NO_DEFAULT, FunctionReader, parameter_defaults, read_module
from ..generate import FunctionReport, GeneratedModule
from .lower import Names, lower, split_whole_array_expressions, user_names
from .reverse import ReverseMode, Signature

GENERATED_PREFIXES = ("grad_", "value_and_grad_", "value_and_vjp_", "vjp_", "jvp_", "hvp_", "hessian_",
                      "third_derivative_")
# the one bare name generated code uses besides the user's (runtime helpers are behind private
# module aliases: _math, _scalar, _vector, _arrays, _tape, _fallback, _mathlib)
RESERVED_NAMES = frozenset({"np"})
CYTHON_DIRECTIVES = ("# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, "
                     "cpow=True, initializedcheck=False")


def module_name_for(filename: str) -> str:
    stem = os.path.splitext(os.path.basename(filename))[0]
    return f"{stem}_grad"


def generate_module(source: str, filename: str, *, pure: bool = False, only=None,
                    third_order: bool = False) -> GeneratedModule:
    facts = read_module(source, filename)
    shown_name = os.path.basename(filename)
    _check_collisions(facts, filename)
    selected = list(facts.functions)
    if only:
        missing = [n for n in only if n not in facts.functions]
        if missing:
            raise SourceError(Diagnostic(filename, 1, 1, "error", f"no top-level function named '{missing[0]}'"))
        selected = _with_callees(facts, only)

    module_names = Names(set(facts.functions) | facts.constant_names() | set(facts.array_constants())
                         | set(facts.aliases))
    functions, fallbacks = {}, {}
    for name in selected:
        try:
            functions[name] = FunctionReader(facts, facts.functions[name]).read()
        except Unsupported as err:
            fallbacks[name] = err

    order = _callees_first(functions, fallbacks)
    signatures, codes = {}, {}
    for name in order:
        function = functions[name]
        try:
            _check_callees(function, fallbacks)
            names = Names(user_names(function) | facts.constant_names() | set(facts.array_constants())
                          | set(facts.functions) | {"tape"})
            result = lower(function, names)
            return_types = {k: s.return_type for k, s in signatures.items()}
            infer(function, result, return_types, facts.constants)
            split_whole_array_expressions(function, names, return_types)
            differentiable = [p for p, _ in function.params if function.var_types[p] == ir.DOUBLE
                              or function.var_types[p] == ir.NDARRAY or ir.array_dims(function.var_types[p])]
            signatures[name] = Signature(name, [(p, function.var_types[p]) for p, _ in function.params],
                                         function.return_type, differentiable,
                                         module_names.fresh(f"_{name}_primal"), module_names.fresh(f"_{name}_adjoint"),
                                         module_names.fresh(f"_{name}_jvp"), module_names.fresh(f"_{name}_hvp"))
            codes[name] = ReverseMode(function, result, names, signatures, {**facts.constants, **facts.array_constants()}).generate()
        except Unsupported as err:
            fallbacks[name] = err
            signatures.pop(name, None)

    diagnostics = []
    for name in selected:
        if name in fallbacks and not name.startswith("_"):
            err = fallbacks[name]
            diagnostics.append(fallback_warning(filename, name, err))
    if not only:
        diagnostics += _method_warnings(source, filename)
    emitter = _ModuleEmitter(facts, shown_name, pure, third_order)
    text, sources = emitter.emit(selected, codes, fallbacks)
    reports = [FunctionReport(name, facts.functions[name].line, name in codes,
                              "; ".join(codes[name].taped) if name in codes else "eager tape",
                              codes[name].signature.differentiable if name in codes
                              else _fallback_differentiable(facts.functions[name]),
                              {**dict(codes[name].signature.params), "return": codes[name].signature.return_type}
                              if name in codes else {})
               for name in selected if not name.startswith("_")]
    from ..emit.stubs import module_stub

    stub = module_stub(source, filename, text, reports)
    return GeneratedModule(module_name_for(filename), ".py" if pure else ".pyx", text, sources,
                           diagnostics, reports, stub)


def _method_warnings(source: str, filename: str) -> list:
    """A warning per method of a top-level class: only top-level functions get derivatives."""
    import ast

    warnings = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    warnings.append(Diagnostic(filename, item.lineno, item.col_offset + 1, "warning",
                                               f"{node.name}.{item.name}: a method of a class is not compiled and "
                                               f"gets no grad_ function (srcgrad differentiates top-level "
                                               f"functions; call it from one)"))
    return warnings


def _check_collisions(facts, filename: str) -> None:
    for name, function in facts.functions.items():
        if name in RESERVED_NAMES:
            raise SourceError(Diagnostic(filename, function.line, function.column, "error",
                                         f"function '{name}' collides with the generated module's NumPy; "
                                         f"rename it"))
        for prefix in GENERATED_PREFIXES:
            if name.startswith(prefix) and name[len(prefix):] in facts.functions:
                raise SourceError(Diagnostic(filename, function.line, function.column, "error",
                                             f"function '{name}' collides with the generated {prefix.rstrip('_')} "
                                             f"of '{name[len(prefix):]}'; rename it"))


def _called(function_source) -> set:
    import libcst as cst

    names = set()

    class Calls(cst.CSTVisitor):
        def visit_Call(self, node):
            if isinstance(node.func, cst.Name):
                names.add(node.func.value)

    function_source.node.visit(Calls())
    return names


def _with_callees(facts, roots) -> list:
    chosen, stack = set(), list(roots)
    while stack:
        name = stack.pop()
        if name in chosen:
            continue
        chosen.add(name)
        stack.extend(n for n in _called(facts.functions[name]) if n in facts.functions)
    return [n for n in facts.functions if n in chosen]


def _calls_of(function: ir.Function) -> set:
    calls = set()
    for s in ir.walk(function.body):
        exprs = []
        if isinstance(s, ir.Assign):
            exprs = [s.value]
        elif isinstance(s, (ir.If, ir.While)):
            exprs = [s.test]
        elif isinstance(s, ir.For):
            exprs = [s.start, s.stop, s.step]
        elif isinstance(s, ir.Return):
            exprs = [s.value]
        for e in exprs:
            calls |= {c.func for c in ir.user_calls_in(e)}
    return calls


def _callees_first(functions: dict, fallbacks: dict) -> list:
    """Topological order of the call graph; a function in a call cycle falls back."""
    order, state = [], {}

    def visit(name, path):
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            function = functions[path[-1]]
            fallbacks.setdefault(path[-1], Unsupported(f"a recursive call of '{name}'", function.line, function.column))
            return
        state[name] = "visiting"
        for callee in sorted(_calls_of(functions[name])):
            if callee in functions:
                visit(callee, path + [name])
        state[name] = "done"
        order.append(name)

    for name in functions:
        visit(name, [name])
    return [n for n in order if n not in fallbacks]


def _check_callees(function: ir.Function, fallbacks: dict) -> None:
    for callee in sorted(_calls_of(function)):
        if callee in fallbacks:
            raise Unsupported(f"a call of '{callee}', which uses the eager tape", function.line, function.column)


class _ModuleEmitter:
    def __init__(self, facts, shown_name: str, pure: bool, third_order: bool = False):
        self.facts = facts
        self.shown_name = shown_name
        self.pure = pure
        self.third_order = third_order

    def emit(self, selected, codes, fallbacks) -> tuple:
        body = Printer(self.pure)
        used = set()
        sources = {}
        for name in selected:
            if name not in codes:
                continue
            start = len(body.lines)
            used |= self._function(body, codes[name], codes)
            sources[name] = "\n".join(body.lines[start:]).strip("\n") + "\n"
        fallback_names = [n for n in selected if n in fallbacks]
        if fallback_names:
            start = len(body.lines)
            self._fallbacks(body, fallback_names)
            for name in fallback_names:  # `srcgrad show` of a fallback: that function, as it runs
                function, err = self.facts.functions[name], fallbacks[name]
                sources[name] = (f"# {name}: {self.shown_name} line {function.line}, outside the compiled subset "
                                 f"({err.construct}, line {err.line});\n"
                                 "# it runs as written and its gradient comes from the eager tape.\n"
                                 + function.text.strip("\n") + "\n")
        header = self._header(used, bool(codes), bool(fallback_names))
        text = "\n".join(header + body.lines).rstrip("\n") + "\n"
        return text, sources

    # header ------------------------------------------------------------------------------
    def _header(self, used: set, any_compiled: bool, any_fallback: bool) -> list:
        lines = []
        if not self.pure:
            lines.append(CYTHON_DIRECTIVES)
        lines.append(f"# Generated by srcgrad {__version__} from {self.shown_name}; do not edit, regenerate with "
                     f"`srcgrad build {self.shown_name}`.")
        lines.append(f"# Every function of {self.shown_name} appears as its primal, then its adjoint: a forward "
                     "sweep that runs")
        lines.append("# the original code and records on the tape what the reverse sweep needs, then the reverse "
                     "sweep.")
        lines.append("")
        if any(isinstance(v, float) and not math.isfinite(v) for v in self.facts.constants.values()):
            used = used | {"INFINITY"}  # such a constant is printed as _math.INFINITY or _math.NAN
        # runtime functions are reached through private module aliases (see emit.printer.qualified)
        uses_math = any(n in LIBC_MATH or n in ("NAN", "INFINITY") for n in used)
        uses_scalar = any(n not in _TAPE_NAMES and n not in LIBC_MATH and n not in VECTOR_HELPERS
                          and n not in ("numpy", "NAN", "INFINITY") for n in used)
        if self.pure:
            if uses_math:
                lines.append("from srcgrad.runtime import pymath as _math")
            if uses_scalar:
                lines.append("from srcgrad.runtime import pyscalar as _scalar")
            if any_compiled:
                lines.append("from srcgrad.runtime import pytape as _tape")
        else:
            if uses_math:
                lines.append("from libc cimport math as _math")
            if uses_scalar:
                lines.append("from srcgrad.runtime cimport scalar as _scalar")
            if any_compiled:
                lines.append("from srcgrad.runtime cimport tape as _tape")
        if self.facts.arrays_read:
            used = used | {"numpy"}  # module array constants are NumPy arrays
        if "numpy" in used:
            lines.append("import numpy as np")
            lines.append("from srcgrad.runtime import arrays as _arrays")
        if any(n in VECTOR_HELPERS for n in used):
            lines.append("from srcgrad.runtime import vector as _vector")
        if any_fallback:
            if "numpy" not in used:
                lines.append("from srcgrad.runtime import arrays as _arrays")
            lines.append("from srcgrad.eager import fallback as _fallback, mathlib as _mathlib")
            lines.append("from srcgrad.runtime import eager_entries as _eager_entries")
        lines.append("")
        for name in self.facts.constant_order:
            value = self.facts.constants[name]
            kind = ir.BOOL if isinstance(value, bool) else ir.INT if isinstance(value, int) else ir.DOUBLE
            text = ExpressionPrinter(self.pure, lambda e: None).const(value)
            if self.pure:
                lines.append(f"{name} = {text}")
            else:
                lines.append(f"cdef {C_TYPES[kind]} {name} = {text}")
        lines.extend(self.facts.array_constant_lines(self.pure))
        if self.facts.constant_order or self.facts.arrays_read:
            lines.append("")
        lines.append("")
        return lines

    # one compiled function ---------------------------------------------------------------
    def _function(self, out: Printer, code, codes) -> set:
        sig = code.signature
        types = {**code.locals, **dict(sig.params)}
        return_types = {k: c.signature.return_type for k, c in codes.items()}
        adjoint_names = {c.signature.adjoint: c for c in codes.values()}
        primal_names = {c.signature.primal: c for c in codes.values()}

        def type_of(e):
            from ..analysis.types import expr_type

            if isinstance(e, ir.UserCall):
                callee = primal_names.get(e.func) or adjoint_names.get(e.func)
                return callee.signature.return_type if callee else None
            if isinstance(e, ir.Call) and e.func in ("pop_double",):
                return ir.DOUBLE
            if isinstance(e, ir.Call) and e.func in ("pop_int", "pop_branch", "range_length"):
                return ir.INT
            return expr_type(e, {**types, **{n: _const_type(v) for n, v in self.facts.constants.items()}},
                             return_types)

        printer = ExpressionPrinter(self.pure, type_of)
        line_text = self.facts.lines[code.line - 1].strip() if code.line - 1 < len(self.facts.lines) else ""
        out.lines.append(f"# {'-' * 94}")
        out.lines.append(f"# {sig.name}: {self.shown_name} line {code.line}  ({line_text})")
        out.lines.append(f"# tape: {'; '.join(code.taped)}")
        out.lines.append("")
        params = ", ".join(self._param(p, k) for p, k in sig.params)

        uses_arrays = any(ir.array_dims(k) or k == ir.NDARRAY for k in types.values())
        whole_arrays = any(k == ir.NDARRAY for k in types.values()) or sig.return_type == ir.NDARRAY
        # array code allocates and raises IndexError, so it keeps the GIL; scalar code runs without,
        # unless it (or a function it calls) checks a read of a maybe-unassigned variable
        qualifiers = "except *" if uses_arrays or sig.name in _raising(codes) else "noexcept nogil"

        # primal
        primal_body = _rename_calls(code.primal_body, codes, primal=True)
        if self.pure:
            out.lines.append(f"def {sig.primal}({params}):")
        else:
            primal_qualifiers = "" if sig.return_type == ir.NDARRAY else f" {qualifiers}"  # objects carry errors
            out.lines.append(f"cdef {C_TYPES[sig.return_type]} {sig.primal}({params}){primal_qualifiers}:")
        self._declarations(out, code.primal_locals, set())
        out.emit_block(primal_body, 1, printer)
        out.lines.append("")
        out.lines.append("")

        # adjoint
        has_adjoint = bool(sig.differentiable)
        if has_adjoint:
            adjoint_body = _rename_calls(code.adjoint_body, codes, primal=False)
            scalar_grads = [p for p in sig.differentiable if not ir.array_dims(types[p])]
            array_grads = [p for p in sig.differentiable if ir.array_dims(types[p])]
            b_arrays = "".join(f", {self._param(code.adjoint_names[p], types[p])}" for p in array_grads)
            if self.pure:
                out.lines.append(f"def {sig.adjoint}(tape, {params}, {code.adjoint_param}{b_arrays}):")
            else:
                result_types = [sig.return_type] + [types[p] for p in scalar_grads]
                returned = C_TYPES[result_types[0]] if len(result_types) == 1 else \
                    "tuple" if whole_arrays else "(" + ", ".join(C_TYPES[k] for k in result_types) + ")"
                cotangent = C_TYPES[ir.DOUBLE if sig.return_type != ir.NDARRAY else ir.NDARRAY]
                adjoint_qualifiers = "" if returned in ("tuple", "object") else f" {qualifiers}"
                out.lines.append(f"cdef {returned} {sig.adjoint}(_tape.Tape* tape, {params}, {cotangent} "
                                 f"{code.adjoint_param}{b_arrays}){adjoint_qualifiers}:")
            added = f"; adds {code.adjoint_param} times the gradient to {', '.join(code.adjoint_names[p] for p in array_grads)}" \
                if array_grads else ""
            out.lines.append(f'    """Returns {sig.name}({", ".join(p for p, _ in sig.params)})'
                             + (f" and {code.adjoint_param} times its gradient" if scalar_grads else "")
                             + f'{added}."""')
            self._declarations(out, code.locals, set(code.zero_init))
            out.emit_block(adjoint_body, 1, printer)
            out.lines.append("")
            out.lines.append("")
        if not sig.name.startswith("_"):  # a private helper is compiled for its callers, not exported
            self._wrappers(out, code)
        if has_adjoint:
            self._forward_functions(out, code, codes, printer, qualifiers, whole_arrays)
        # the wrappers of a differentiable function check their arguments with srcgrad.runtime.arrays
        used = printer.used | ({"numpy"} if uses_arrays or not sig.name.startswith("_") else set())
        if any(k == ir.NDARRAY for k, in ((k,) for _, k in sig.params)):
            used |= {"as_float_ndarray", "gradients_like"}
        return used

    def _forward_functions(self, out: Printer, code, codes, printer, qualifiers: str, whole_arrays: bool) -> None:
        """jvp (forward mode on the primal) and hvp (forward mode on the adjoint), with wrappers;
        with third_order, forward mode once more on each of them."""
        sig = code.signature
        params = dict(sig.params)
        diff = sig.differentiable
        arrays = [p for p in diff if ir.array_dims(params[p])]
        scalar_grads = [p for p in diff if p not in arrays]
        cotangent_type = ir.NDARRAY if sig.return_type == ir.NDARRAY else ir.DOUBLE
        b_arrays = [(code.adjoint_names[p], params[p]) for p in arrays]
        compiled = [c for c in codes.values() if c.signature.differentiable]
        param_kinds = {c.signature.name: [k for _, k in c.signature.params] for c in compiled}
        diff_kinds = {c.signature.name: [dict(c.signature.params)[p] for p in c.signature.differentiable]
                      for c in compiled}

        def emit(derived: _Derived, returned_types):
            typed = ", ".join(self._param(p, k) for p, k in derived.params)
            if self.pure:
                header = f"def {derived.name}({typed}):"
            else:
                returned = "tuple" if whole_arrays else "(" + ", ".join(C_TYPES[k] for k in returned_types) + ")"
                suffix = "" if returned == "tuple" else f" {qualifiers}"
                header = f"cdef {returned} {derived.name}({typed}){suffix}:"
            out.lines.append(header)
            self._declarations(out, derived.locals, derived.zero_init)
            tangent_printer = ExpressionPrinter(self.pure, _tangent_type_of(printer.type_of, derived.tangents,
                                                                            derived.locals))
            out.emit_block(_rename_calls(derived.body, codes, primal=True), 1, tangent_printer)
            printer.used |= tangent_printer.used  # its math functions are imported with the rest
            out.lines.append("")
            out.lines.append("")

        # jvp: the primal with tangents
        jvp_map = {c.signature.name: (c.signature.jvp, param_kinds[c.signature.name]) for c in compiled}
        jvp = _derive(sig.jvp, code.primal_body, list(sig.params), diff, code.primal_locals, set(), "d_",
                      code.names, jvp_map)
        tangent = sig.return_type if _tangent_kind(sig.return_type) else ir.DOUBLE  # an int's tangent is 0.0
        emit(jvp, [sig.return_type, tangent])

        # hvp: the adjoint with tangents
        hvp_map = {**jvp_map, **{c.signature.adjoint: (c.signature.hvp, param_kinds[c.signature.name] + [ir.DOUBLE])
                                 for c in compiled}}
        adjoint_inputs = list(sig.params) + [(code.adjoint_param, cotangent_type)] + b_arrays
        hvp = _derive(sig.hvp, code.adjoint_body, [("tape", "tape")] + adjoint_inputs,
                      diff + [code.adjoint_param] + [n for n, _ in b_arrays], code.locals, set(code.zero_init), "d_",
                      code.names, hvp_map, outputs=[n for n, _ in b_arrays])
        grad_kinds = [params[p] for p in scalar_grads]
        emit(hvp, [sig.return_type] + grad_kinds + [tangent] + grad_kinds)
        if not sig.name.startswith("_"):
            self._forward_wrappers(out, code, [(hvp.tangent_of[p], params[p]) for p in diff], scalar_grads, arrays)

        if not self.third_order:
            return
        # third order: forward mode over jvp (for grad of grad along a line) and over hvp
        jvp2_map = {c.signature.jvp: (f"{c.signature.jvp}2", param_kinds[c.signature.name] + diff_kinds[c.signature.name])
                    for c in compiled}
        jvp2 = _derive(f"{sig.jvp}2", jvp.body, jvp.params, [p for p, k in jvp.params if _tangent_kind(k)],
                       jvp.locals, jvp.zero_init, "e_", code.names, jvp2_map)
        emit(jvp2, [sig.return_type] + [tangent] * 3)
        hvp2_map = {**jvp2_map, **{c.signature.hvp: (f"{c.signature.hvp}2", param_kinds[c.signature.name] + [ir.DOUBLE]
                                                     + diff_kinds[c.signature.name] + [ir.DOUBLE]) for c in compiled}}
        hvp2 = _derive(f"{sig.hvp}2", hvp.body, hvp.params, [p for p, k in hvp.params if _tangent_kind(k)],
                       hvp.locals, hvp.zero_init, "e_", code.names, hvp2_map,
                       outputs=[n for n, _ in b_arrays] + [hvp.tangent_of[n] for n, _ in b_arrays])
        emit(hvp2, [sig.return_type] + grad_kinds + ([tangent] + grad_kinds) * 3)
        if len(diff) == 1 and not arrays and params[diff[0]] == ir.DOUBLE:
            if not sig.name.startswith("_"):
                self._third_derivative_wrapper(out, code, hvp2)

    def _third_derivative_wrapper(self, out: Printer, code, hvp2) -> None:
        """d3f/dx3 for one float parameter: the tangent, along x, of the Hessian-vector product with v = 1."""
        sig = code.signature
        local = _WrapperNames({p for p, _ in sig.params})
        tape, out_of_memory = local["tape"], local["out_of_memory"]
        params = self._signature(sig, [self._param(p, k) for p, k in sig.params])
        args = ", ".join(p for p, _ in sig.params)
        outputs = [local[f"output{k}"] for k in range(8)]
        # inputs after the parameters: b_result, d_x, d_b_result, e_x, e_b_result, e_d_x, e_d_b_result
        call_args = f"{args}, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0"
        lines = out.lines
        lines.append(f"def third_derivative_{sig.name}({params}):")
        lines.append(f'    """The third derivative of {sig.name} in {sig.differentiable[0]}: forward over forward over reverse."""')
        lines.extend(self._tape_declaration(tape))
        lines.extend(self._taped_call(sig.name, tape, out_of_memory, ", ".join(outputs), hvp2.name, call_args))
        lines.append(f"    return {outputs[7]}")
        lines.append("")
        lines.append("")

    def _forward_wrappers(self, out: Printer, code, d_params, scalar_grads, arrays) -> None:
        sig = code.signature
        kinds = dict(sig.params)
        whole = [p for p, k in sig.params if k == ir.NDARRAY]
        params = self._signature(sig, [p if (self.pure or p in arrays or p in whole) else self._param(p, k)
                                       for p, k in sig.params])
        args = ", ".join(p for p, _ in sig.params)
        diff = sig.differentiable
        lines = out.lines
        convert = [f"    {p} = _arrays.as_float_array({p}, {p!r}, {ir.array_dims(kinds[p])})" if p in arrays
                   else f"    {p} = _vector.as_float_ndarray({p}, {p!r})" for p, _ in sig.params if p in arrays or p in whole]
        local = _WrapperNames({p for p, _ in sig.params})
        tangents, v, value, d_value, tape, out_of_memory = (local[n] for n in (
            "tangents", "v", "value", "d_value", "tape", "out_of_memory"))
        directions = [local[name] for name, _ in d_params]
        g = {p: local[f"g_{p}"] for p in diff}
        hv = {p: local[f"hv_{p}"] for p in diff}

        def unpack(source: str, what: str) -> list:
            """One direction per differentiable parameter, each checked against its parameter's shape."""
            received = directions[0] + "," if len(diff) == 1 else ", ".join(directions)
            checked = f"({', '.join(diff)},), {tuple(diff)!r}" if len(diff) == 1 else \
                f"({', '.join(diff)}), {tuple(diff)!r}"
            return [f"    {received} = _arrays.per_parameter({source}, {checked}, {what!r})"]

        respect = ", ".join(diff)
        lines.extend(self._trailing_def(f"jvp_{sig.name}", params, tangents, tangents))
        lines.append(f'    """The derivative of {sig.name} along tangents (one per parameter: {respect}), forward mode."""')
        lines.extend(convert)
        lines.extend(unpack(tangents, "tangents"))
        lines.append(f"    return {sig.jvp}({args}, {', '.join(directions)})[1]")
        lines.append("")
        lines.append("")

        grads = ", ".join(g[p] for p in scalar_grads)
        d_grads = ", ".join(hv[p] for p in scalar_grads)
        lines.extend(self._trailing_def(f"hvp_{sig.name}", params, v, v))
        lines.append(f'    """The Hessian of {sig.name} times v (shaped like the parameters {respect}): forward over reverse."""')
        lines.extend(self._tape_declaration(tape))
        lines.extend(convert)
        lines.extend(unpack(v, "v"))
        for p in arrays:
            lines.append(f"    {g[p]} = np.zeros_like({p})")
            lines.append(f"    {hv[p]} = np.zeros_like({p})")
        call_args = f"{args}, 1.0{''.join(', ' + g[p] for p in arrays)}, {', '.join(directions)}, " \
                    f"0.0{''.join(', ' + hv[p] for p in arrays)}"
        received = ", ".join(x for x in [value, grads, d_value, d_grads] if x)
        lines.extend(self._taped_call(sig.name, tape, out_of_memory, received, sig.hvp, call_args))
        results = [hv[p] for p in diff]
        if whole:
            wanted = [p for p in diff if p in whole]
            names = ", ".join(hv[p] for p in wanted)
            lines.append(f"    {names}{',' if len(wanted) == 1 else ''} = _vector.gradients_like(({names},), "
                         f"({', '.join(wanted)},))")
        lines.append(f"    return {results[0] if len(results) == 1 else '(' + ', '.join(results) + ')'}")
        lines.append("")
        lines.append("")

        lines.append(f"def hessian_{sig.name}({params}):")
        lines.append(f'    """The dense Hessian of {sig.name} with respect to {respect}, as jax.hessian lays it out, '
                     f'from one hvp_{sig.name} per element."""')
        lines.extend(convert)
        keywords = ", ".join(f"{p}={p}" for p, _ in sig.params)
        lines.append(f"    return _arrays.dense_hessian(lambda {v}: hvp_{sig.name}({keywords}, {v}={v}), "
                     f"({', '.join(diff)}{',' if len(diff) == 1 else ''}))")
        lines.append("")
        lines.append("")

    def _tape_declaration(self, tape: str) -> list:
        return [] if self.pure else [f"    cdef _tape.Tape {tape}"]

    def _taped_call(self, name: str, tape: str, out_of_memory: str, received: str, function: str, args: str) -> list:
        """Run a taped function: the tape is freed on every way out, and a failed growth raises."""
        if self.pure:
            return [f"    {tape} = _tape.Tape()", f"    {received} = {function}({tape}, {args})"]
        return [f"    _tape.tape_init(&{tape})",
                "    try:",
                f"        {received} = {function}(&{tape}, {args})",
                f"        {out_of_memory} = {tape}.failed",
                "    finally:",
                f"        _tape.tape_free(&{tape})",
                f"    if {out_of_memory}:",
                f'        raise MemoryError("the tape of {name} could not grow")']

    def _signature(self, sig, params: list) -> str:
        """The parameter list of a public function: the primal's defaults and keyword-only marker."""
        function = self.facts.functions.get(sig.name)
        interface = parameter_defaults(function, self.facts) if function is not None else []
        if len(interface) != len(params):
            return ", ".join(params)
        out, marked = [], False
        for param, (default, keyword_only) in zip(params, interface):
            if keyword_only and not marked:
                out.append("*")
                marked = True
            out.append(param if default is NO_DEFAULT else f"{param}={_default_text(default)}")
        return ", ".join(out)

    def _trailing_def(self, name: str, params: str, trailing: str, keyword: str) -> list:
        """`def NAME(params, trailing):`, the trailing argument (dout, tangents, v) after the
        primal's. When the primal has defaults or keyword-only parameters, Python cannot put a
        required parameter after them: NAME takes the last positional argument (or the keyword)
        as the trailing one and calls `_NAME_bound(trailing, params)`, which binds the rest."""
        if "=" not in params and "*" not in params.split(", "):
            return [f"def {name}({params}, {trailing}):"]
        bound = f"_{name}_bound"
        positional = ", ".join(p for p in params.split(", ") if p != "*")
        return [f"def {name}(*args, **keywords):",
                f'    """{keyword} is the last positional argument (or a keyword); the others are the primal\'s."""',
                f"    if {keyword!r} in keywords:",
                f"        {keyword} = keywords.pop({keyword!r})",
                "    elif args:",
                f"        *args, {keyword} = args",
                "    else:",
                f'        raise TypeError("{name}() missing its argument {keyword!r}")',
                f"    return {bound}({keyword}, *args, **keywords)",
                "",
                "",
                f"def {bound}({trailing}, {positional}):"]

    def _param(self, name: str, kind: str) -> str:
        if kind == "tape":
            return name if self.pure else f"_tape.Tape* {name}"
        return name if self.pure else f"{C_TYPES[kind]} {name}"

    def _declarations(self, out: Printer, locals_: dict, zero_init: set) -> None:
        if self.pure:  # start every local at zero, as the C declarations do
            for name in sorted(set(locals_) | zero_init):
                if name in zero_init:
                    out.lines.append(f"    {name} = 0.0")
                elif locals_.get(name) in ZERO:
                    out.lines.append(f"    {name} = {ZERO[locals_[name]]}")
            return
        by_type = {}
        for name, kind in locals_.items():
            by_type.setdefault(kind, []).append(name)
        for kind in (ir.DOUBLE, ir.INT, ir.BOOL):
            names = sorted(by_type.get(kind, []))
            if names:
                out.lines.append(f"    cdef {C_TYPES[kind]} " + ", ".join(f"{n} = {ZERO[kind]}" for n in names))
        for kind in ("array1", "array2"):
            names = sorted(by_type.get(kind, []))
            if names:
                out.lines.append(f"    cdef {C_TYPES[kind]} " + ", ".join(names))
        names = sorted(by_type.get(ir.NDARRAY, []))
        if names:  # whole arrays are NumPy objects; their adjoints start as the number 0.0
            out.lines.append("    cdef object " + ", ".join(f"{n} = {'0.0' if n in zero_init else 'None'}"
                                                           for n in names))

    def _wrappers(self, out: Printer, code) -> None:
        sig = code.signature
        kinds = dict(sig.params)
        arrays = [p for p, k in sig.params if ir.array_dims(k)]
        whole = [p for p, k in sig.params if k == ir.NDARRAY]
        params = self._signature(sig, [p if (self.pure or p in arrays or p in whole) else self._param(p, k)
                                       for p, k in sig.params])
        args = ", ".join(p for p, _ in sig.params)
        where = f"{self.shown_name} line {code.line}"
        lines = out.lines
        convert = [f"    {p} = _arrays.as_float_array({p}, {p!r}, {ir.array_dims(kinds[p])})" if p in arrays
                   else f"    {p} = _vector.as_float_ndarray({p}, {p!r})" for p, _ in sig.params if p in arrays or p in whole]

        lines.append(f"def {sig.name}({params}):")
        lines.append(f'    """{sig.name}({args}) from {where}, compiled."""')
        lines.extend(convert)
        lines.append(f"    return {sig.primal}({args})")
        lines.append("")
        lines.append("")
        if not sig.differentiable:
            self._no_gradient_wrappers(lines, sig, params, args)
            return
        local = _WrapperNames({p for p, _ in sig.params})  # wrapper locals never shadow a parameter
        value, dout, tape, out_of_memory = local["value"], local["dout"], local["tape"], local["out_of_memory"]
        grads = {p: local[f"b_{p}"] for p in sig.differentiable}
        scalar_grads = [grads[p] for p in sig.differentiable if p not in arrays]
        array_grads = [grads[p] for p in sig.differentiable if p in arrays]
        ordered = [grads[p] for p in sig.differentiable]
        packed = ordered[0] if len(ordered) == 1 else "(" + ", ".join(ordered) + ")"
        dout_param = dout  # checked below: a float output takes a number, an array output its shape
        received = ", ".join([value] + scalar_grads)
        call_args = ", ".join([args, dout] + array_grads)
        lines.extend(self._trailing_def(f"value_and_vjp_{sig.name}", params, dout_param, dout))
        lines.append(f'    """({sig.name}({args}), dout times the gradient), in one forward and one reverse sweep."""')
        lines.extend(self._tape_declaration(tape))
        if sig.return_type != ir.NDARRAY:  # (an array output's cotangent is checked against it in the sweep)
            lines.append(f"    {dout} = _arrays.scalar_cotangent({dout}, {sig.name!r})")
        lines.extend(convert)
        lines.extend(f"    {b} = np.zeros_like({p})" for p, b in grads.items() if p in arrays)
        lines.extend(self._taped_call(sig.name, tape, out_of_memory, received, sig.adjoint, call_args))
        whole_grads = [p for p in sig.differentiable if p in whole]
        if whole_grads:
            names = ", ".join(grads[p] for p in whole_grads)
            lines.append(f"    {names}{',' if len(whole_grads) == 1 else ''} = _vector.gradients_like(({names},), "
                         f"({', '.join(whole_grads)},))")
        if sig.return_type == ir.NDARRAY:
            lines.append(f"    {value} = np.asarray({value})")
        lines.append(f"    return {value}, {packed}")
        lines.append("")
        lines.append("")
        plain = ", ".join(p for p, _ in sig.params)
        respect = ", ".join(sig.differentiable)
        for prefix, doc, body in (
            ("grad_", "gradient", f"value_and_vjp_{sig.name}({plain}, 1.0)[1]"),
            ("value_and_grad_", "(value, gradient)", f"value_and_vjp_{sig.name}({plain}, 1.0)"),
        ):
            lines.append(f"def {prefix}{sig.name}({params}):")
            lines.append(f'    """The {doc} of {sig.name} with respect to {respect}."""')
            lines.append(f"    return {body}")
            lines.append("")
            lines.append("")
        lines.extend(self._trailing_def(f"vjp_{sig.name}", params, dout_param, dout))
        lines.append(f'    """dout times the gradient of {sig.name} with respect to {respect}."""')
        lines.append(f"    return value_and_vjp_{sig.name}({plain}, {dout})[1]")
        lines.append("")
        lines.append("")

    def _no_gradient_wrappers(self, lines, sig, params, args) -> None:
        self._refusals(lines, sig.name, [p for p, _ in sig.params])

    @staticmethod
    def _refusals(lines, name: str, parameters: list) -> None:
        """grad_NAME and its siblings for a function without a differentiable parameter: each raises
        a TypeError saying so."""
        refused = " = ".join(f"{prefix}{name}" for prefix in ("grad_", "value_and_grad_", "vjp_", "jvp_", "hvp_",
                                                               "hessian_"))
        lines.append(f"# {name} has no differentiable parameter: its derivatives raise a TypeError saying so")
        lines.append(f"{refused} = _arrays.no_gradient({name!r}, {tuple(parameters)!r})")
        lines.append("")
        lines.append("")

    # eager fallback ----------------------------------------------------------------------
    def _fallbacks(self, out: Printer, names: list) -> None:
        facts = self.facts
        # the module's imports, assignments and functions in source order: fallbacks see every constant
        parts = [_eager_import(text) if kind == "import" else text for kind, text in facts.top_level]
        source = "\n".join(parts) + "\n"
        lines = out.lines
        lines.append(f"# {'-' * 94}")
        lines.append(f"# Outside the compiled subset: {', '.join(names)}. These run as written in "
                     f"{self.shown_name},")
        lines.append("# and their gradients come from the eager tape.")
        lines.append("")
        lines.append(f"_EAGER_SOURCE = {source!r}")
        lines.append("_eager_namespace = {'__name__': " + repr(module_name_for(self.shown_name) + "_eager")
                     + ", 'float': _mathlib.tensor_float}  # float(t) keeps a Tensor's derivative")
        lines.append(f"exec(compile(_EAGER_SOURCE, {self.shown_name!r}, 'exec'), _eager_namespace)")
        lines.append("")
        for name in names:
            if name.startswith("_"):  # private: only its callers (fallbacks too) use it
                continue
            function = facts.functions[name]
            parameters = list(function.node.params.posonly_params) + list(function.node.params.params)
            differentiable = tuple(i for i, p in enumerate(parameters) if not _annotated_integral(p))
            shown = ", ".join(parameters[i].name.value for i in differentiable) or "nothing"
            lines.append(f"{name} = _eager_namespace[{name!r}]")
            lines.append("")
            lines.append("")
            if not differentiable:
                self._refusals(lines, name, [p.name.value for p in parameters])
                continue
            lines.append(f"def value_and_vjp_{name}(*args, dout=1.0):")
            lines.append(f'    """({name}(*args), dout times its gradient with respect to {shown}), by the eager tape."""')
            lines.append(f"    return _fallback.eager_value_and_gradient(_arrays.one_output({name}, {name!r}), args, "
                         f"{differentiable!r}, dout)")
            lines.append("")
            lines.append("")
            lines.append(f"def grad_{name}(*args):")
            lines.append(f"    return value_and_vjp_{name}(*args)[1]")
            lines.append("")
            lines.append("")
            lines.append(f"def value_and_grad_{name}(*args):")
            lines.append(f"    return value_and_vjp_{name}(*args)")
            lines.append("")
            lines.append("")
            lines.append(f"def vjp_{name}(*args):")
            lines.append("    *args, dout = args")
            lines.append(f"    return value_and_vjp_{name}(*args, dout=dout)[1]")
            lines.append("")
            lines.append("")
            names = tuple(parameters[i].name.value for i in differentiable)
            for entry, last in (("jvp", "tangents"), ("hvp", "v"), ("hessian", None)):
                lines.append(f"def {entry}_{name}(*args):")
                if last:
                    lines.append(f"    *args, {last} = args")
                lines.append(f"    return _eager_entries.eager_{entry}({name}, {name!r}, args, {differentiable!r}, "
                             f"{names!r}{', ' + last if last else ''})")
                lines.append("")
                lines.append("")


@dataclass
class _Derived:
    """A generated function transformed to forward mode."""

    name: str
    body: list
    params: list  # [(name, kind)]: the original inputs, then a tangent for each seeded one
    locals: dict
    zero_init: set
    tangents: object  # the Tangents transform that made it
    tangent_of: dict  # seeded input -> its tangent parameter


def _tangent_kind(kind) -> bool:
    return kind in (ir.DOUBLE, ir.NDARRAY) or bool(ir.array_dims(kind))


def _derive(name, body, inputs, seeds, locals_, zero_init, prefix, names, callee_map, outputs=()) -> _Derived:
    """Forward mode on `body` with a tangent for each seed; output arrays' tangents are parameters too."""
    from .forward import Tangents

    kinds = {**locals_, **dict(inputs)}
    tangents = Tangents(kinds, set(seeds) | set(outputs), Names(set(names.taken)), callee_map, prefix,
                        read_only=set(seeds) - set(outputs))
    tangent_of = {seed: tangents.d(seed) for seed in list(seeds) + [o for o in outputs if o not in seeds]}
    tangents.settle(body)
    derived_body = tangents.transform(body)
    tangent_params = [(tangent_of[s], kinds[s]) for s in list(seeds) + [o for o in outputs if o not in seeds]]
    taken = {n for n, _ in tangent_params}
    new_locals = {n: k for n, k in tangents.new_locals.items() if n not in taken}
    zero = set(zero_init) | {n for n, k in new_locals.items() if k in (ir.DOUBLE, ir.NDARRAY)}
    return _Derived(name, derived_body, list(inputs) + tangent_params, {**locals_, **new_locals}, zero,
                    tangents, tangent_of)


def _tangent_type_of(type_of, tangents, locals_):
    """Types for printing tangent code: a tangent has its variable's type."""
    from ..analysis.types import expr_type

    def tangent_type_of(e):
        if isinstance(e, ir.Name) and e.id in tangents.new_locals:
            return tangents.new_locals[e.id]
        if isinstance(e, ir.Name) and e.id in locals_:
            return locals_[e.id]
        kind = type_of(e)
        if kind is None and not isinstance(e, ir.Name):
            return expr_type(e, {**locals_, **tangents.new_locals, **tangents.types}, {})
        return kind

    return tangent_type_of


def _fallback_differentiable(function) -> list:
    parameters = list(function.node.params.posonly_params) + list(function.node.params.params)
    return [p.name.value for p in parameters if not _annotated_integral(p)]


def _eager_import(line: str) -> str:
    """`import math` -> the eager tape's math, whose functions record on Tensors."""
    import libcst as cst

    statement = cst.parse_statement(line)
    node = statement.body[0]
    if isinstance(node, cst.Import):
        names = [a.with_changes(name=cst.parse_expression("srcgrad.eager.mathlib"),
                                asname=a.asname or cst.AsName(name=cst.Name("math")))
                 if isinstance(a.name, cst.Name) and a.name.value == "math" else a for a in node.names]
        node = node.with_changes(names=names)
    elif isinstance(node, cst.ImportFrom) and isinstance(node.module, cst.Name) and node.module.value == "math":
        node = node.with_changes(module=cst.parse_expression("srcgrad.eager.mathlib"))
    return cst.Module(body=[statement.with_changes(body=[node])]).code.strip()


_TAPE_NAMES = {"push_double", "pop_double", "push_int", "pop_int", "push_branch", "pop_branch",
               "reserve_doubles", "reserve_ints", "reserve_branches"}


def _annotated_integral(param) -> bool:
    import libcst as cst

    annotation = param.annotation
    return (annotation is not None and isinstance(annotation.annotation, cst.Name)
            and annotation.annotation.value in ("int", "bool"))


def _default_text(value) -> str:
    """A parameter default as Python (and Cython) source."""
    if isinstance(value, float) and not math.isfinite(value):
        return f'float("{value}")'
    return repr(value)


def _const_type(value) -> str:
    return ir.BOOL if isinstance(value, bool) else ir.INT if isinstance(value, int) else ir.DOUBLE


class _WrapperNames:
    """Names for a wrapper's locals that differ from the wrapped function's parameters."""

    def __init__(self, taken: set):
        self.taken = set(taken)
        self.given = {}

    def __getitem__(self, base: str) -> str:
        if base not in self.given:
            self.given[base] = _unique(base, self.taken)
            self.taken.add(self.given[base])
        return self.given[base]


def _unique(name: str, taken: set) -> str:
    while name in taken:
        name += "_"
    return name


def _raising(codes: dict) -> set:
    """The functions whose primal, or a function it calls, has a check that raises (a RaiseIf)."""

    cached = getattr(_raising, "cache", None)
    if cached is not None and cached[0] is codes:
        return cached[1]

    def visit(stmts, calls: set) -> bool:
        raises = False
        for s in stmts:
            raises = raises or isinstance(s, ir.GRaise)
            if isinstance(s, ir.GAssign):
                calls.update(c.func for c in ir.user_calls_in(s.value) if c.func in codes)
            for block in (getattr(s, "body", []), getattr(s, "orelse", [])):
                raises = visit(block, calls) or raises
        return raises

    raising, callees = set(), {}
    for name, code in codes.items():
        callees[name] = set()
        if visit(code.primal_body, callees[name]):
            raising.add(name)
    changed = True
    while changed:
        grown = {name for name, called in callees.items() if called & raising} - raising
        raising |= grown
        changed = bool(grown)
    _raising.cache = (codes, raising)
    return raising


def _rename_calls(stmts, codes, primal: bool):
    """Point calls at the generated primal functions (UserCall names in the IR are user names)."""

    def fix(e):
        if isinstance(e, ir.UserCall):
            target = e.func if e.func not in codes else codes[e.func].signature.primal
            return ir.UserCall(target, tuple(fix(a) for a in e.args))
        if not ir.children(e):
            return e
        return ir.rebuild(e, [fix(c) for c in ir.children(e)])

    out = []
    for s in stmts:
        if isinstance(s, ir.GAssign):
            out.append(ir.GAssign(s.target, fix(s.value), s.op, s.comment))
        elif isinstance(s, ir.GUnpack):
            out.append(s)  # already names the adjoint function
        elif isinstance(s, ir.GCall):
            out.append(ir.GCall(s.func, tuple(fix(a) for a in s.args), s.comment))
        elif isinstance(s, ir.GIf):
            out.append(ir.GIf(fix(s.test), _rename_calls(s.body, codes, primal), _rename_calls(s.orelse, codes, primal)))
        elif isinstance(s, ir.GFor):
            out.append(ir.GFor(s.var, tuple(fix(a) for a in s.args), _rename_calls(s.body, codes, primal), s.comment))
        elif isinstance(s, ir.GWhile):
            out.append(ir.GWhile(fix(s.test), _rename_calls(s.body, codes, primal), s.comment))
        else:
            out.append(s)
    return out
