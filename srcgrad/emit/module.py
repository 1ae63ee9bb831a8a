"""The printer of a whole generated module: header (directives, imports, module constants), then
per compiled function its primal, adjoint, wrappers and forward-mode functions, then the eager
fallback. Everything it prints is handed to it: generated code from the transforms, and facts
about the source module from the front end.
"""

from __future__ import annotations

import functools
import math
import re

from .. import __version__, ir
from ..analysis.types import expr_type
from ..runtime_names import (ARRAYS, BATCH, EAGER_ENTRIES, FALLBACK, IMPORTS, MATH, POP, POP_BRANCH, SCALAR, TAPE,
                             VECTOR, module_of)
from .batch import BatchPrinter, batchable
from .entries import table_header
from .loops import IMPORT_LINES as LOOP_IMPORTS, ElementwiseLoops
from .printer import C_TYPES, CYTHON_HEADER, ExpressionPrinter, Printer, ZERO
from .wrappers import ENTRY_PREFIXES, WrapperPrinter, array_entry


class ModuleEmitter(WrapperPrinter, BatchPrinter):
    """facts: what the front end read of the source module (its functions, constants, lines);
    interfaces: function name -> [(default or NO_DEFAULT, keyword_only)] per parameter;
    fallback_params: function name -> (parameter names, indices of the differentiable ones);
    batch: also grad_NAME_batched for the functions emit.batch can batch (`build --batch`);
    guessed: function name -> its array parameters whose dimensions the compiler guessed, whose
    entries run the eager tape for an argument of other dimensions (WrapperPrinter._guarded)."""

    def __init__(self, facts, shown_name: str, module_name: str, pure: bool, interfaces: dict,
                 fallback_params: dict, batch: bool = False, guessed: dict | None = None, fast_math: bool = False):
        self.batch = batch
        # --fast-math: elementwise array expressions as compiled loops (emit/loops.py)
        self.loops = ElementwiseLoops() if fast_math and not pure else None
        self.guessed = guessed or {}
        self.batched = []  # the functions given a grad_NAME_batched
        self.facts = facts
        self.shown_name = shown_name
        self.module_name = module_name
        self.pure = pure
        self.interfaces = interfaces
        self.fallback_params = fallback_params

    def emit(self, selected, codes: dict, forward: dict, fallbacks: dict, specialised: dict | None = None,
             on_arrays: dict | None = None) -> tuple:
        """(module text, function name -> its part of the text) for the compiled functions (codes,
        with their forward-mode functions) and the eager fallbacks, in the order of selected.
        specialised: name -> (code, forward) of a function whose public derivatives are taken with
        respect to some parameters only while its callers use the full adjoint in codes;
        on_arrays: name -> (code, forward) of a function of numbers taking whole arrays for them,
        whose entries NAME's hand an ndarray argument to (self.dispatch)."""
        specialised, on_arrays = specialised or {}, on_arrays or {}
        body = Printer(self.pure)
        used = set()
        sources = {}
        versions = {code.signature.name: (code, derived) for code, derived in on_arrays.values()}
        self.dispatch = {name: (code.signature.name, _numbers_taken_whole(code))
                         for name, (code, _) in on_arrays.items() if not name.startswith("_")}
        self.holding, self.raising = _gil_facts({**codes, **{n: c for n, (c, _) in versions.items()}},
                                                {**forward, **{n: d for n, (_, d) in versions.items()}},
                                                set(self.facts.arrays))
        self.releasing = {name for name, code in codes.items() if name not in self.holding and _long_running(code)}
        for name in selected:
            if name not in codes:
                continue
            start = len(body.lines)
            special = specialised.get(name)
            used |= self._function(body, codes[name], codes, forward.get(name), public=special is None)
            if special is not None:
                used |= self._function(body, special[0], codes, special[1], primal=False)
            if name in on_arrays:
                version, start_of_version = on_arrays[name][0].signature.name, len(body.lines)
                used |= self._function(body, on_arrays[name][0], codes, on_arrays[name][1])
                private = re.compile(rf"\b({'|'.join(ENTRY_PREFIXES)}){re.escape(version)}\b")
                body.lines[start_of_version:] = [private.sub(lambda m: array_entry(m[1], version), line)
                                                 for line in body.lines[start_of_version:]]
                whole = ", ".join(_numbers_taken_whole(on_arrays[name][0]))
                body.lines[start_of_version + 1] = body.lines[start_of_version + 1].replace(
                    f"# {version}:", f"# {name} taking arrays for {whole}:", 1)
            sources[name] = "\n".join(body.lines[start:]).strip("\n") + "\n"
        fallback_names = [n for n in selected if n in fallbacks]
        eager = bool(fallback_names) or any(self.guessed.get(n) and n in codes for n in selected)
        if eager:
            self._fallbacks(body, fallback_names)
        if fallback_names:
            for name in fallback_names:  # `srcgrad show` of a fallback: that function, as it runs
                function, err = self.facts.functions[name], fallbacks[name]
                sources[name] = (f"# {name}: {self.shown_name} line {function.line}, outside the compiled subset "
                                 f"({err.construct}, line {err.line});\n"
                                 "# it runs as written and its gradient comes from the eager tape.\n"
                                 + function.text.strip("\n") + "\n")
        header = self._header(used, bool(codes), eager)
        if self.loops is not None and self.loops.lines:
            header += LOOP_IMPORTS + ["", ""] + self.loops.lines
        text = "\n".join(header + body.lines).rstrip("\n") + "\n"
        return text, sources

    # header ------------------------------------------------------------------------------

    def _header(self, used: set, any_compiled: bool, any_fallback: bool) -> list:
        lines = []
        if not self.pure:
            lines.append(CYTHON_HEADER)
        lines.append(f"# Generated by srcgrad {__version__} from {self.shown_name}; do not edit, regenerate with "
                     f"`srcgrad build {self.shown_name}`.")
        lines.append(f"# Every function of {self.shown_name} appears as its primal, then its adjoint: a forward "
                     "sweep that runs")
        lines.append("# the original code and records on the tape what the reverse sweep needs, then the reverse "
                     "sweep.")
        lines.append("")
        if any(isinstance(v, float) and not math.isfinite(v) for v in self.facts.constants.values()):
            used = used | {"INFINITY"}  # such a constant is printed as _math.INFINITY or _math.NAN
        lines.extend(_imports(used, self.pure, any_compiled, any_fallback, self.facts.arrays_read))
        if self.batched and not self.pure:  # grad_NAME_batched's threads (OpenMP: the build adds -fopenmp)
            lines.append("from cython.parallel cimport prange")
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
        return lines + table_header(len(getattr(self, "entry_functions", [])))

    # one compiled function ---------------------------------------------------------------

    def _function(self, out: Printer, code, codes, forward, public: bool = True, primal: bool = True) -> set:
        """public: with the Python wrappers (grad_NAME, ...); primal: with the compiled primal."""
        sig = code.signature
        # a private helper is compiled for its callers; an array version for its function's entries too
        public = public and (not sig.name.startswith("_") or sig.name in self._array_versions())
        types = {**code.locals, **dict(sig.params)}
        printer = ExpressionPrinter(self.pure, self._type_of(types, codes), self.loops)
        line_text = self.facts.lines[code.line - 1].strip() if code.line - 1 < len(self.facts.lines) else ""
        out.lines.append(f"# {'-' * 94}")
        shown = sig.name if primal else f"{sig.name} with respect to {', '.join(sig.differentiable)} only"
        out.lines.append(f"# {shown}: {self.shown_name} line {code.line}  ({line_text})")
        out.lines.append(f"# tape: {'; '.join(code.taped)}")
        out.lines.append("")
        params = ", ".join(self._param(p, k) for p, k in sig.params)

        uses_arrays = any(ir.array_dims(k) or k == ir.NDARRAY for k in types.values())
        whole_arrays = any(k == ir.NDARRAY for k in types.values()) or sig.return_type == ir.NDARRAY
        qualifiers = functools.partial(self._qualifiers, sig.name)
        out.nogil = not self.pure and sig.name not in self.holding  # its raises and allocations take the GIL
        if primal:
            self._primal(out, code, printer, params, qualifiers)
        if sig.differentiable:
            self._adjoint(out, code, printer, params, qualifiers, types, whole_arrays)
        if public:
            self._wrappers(out, code)
        batched = public and self.batch and batchable(sig, self.holding)
        if batched:
            self._batched(out, code)
            self.batched.append(sig.name)
        if forward is not None:
            self._forward_functions(out, code, forward, printer, qualifiers, whole_arrays, public)
        if public:  # compiled: the rare entries' table entry and Python functions
            self._entry_table(out, sig)
        # the wrappers of a differentiable function check their arguments with srcgrad.runtime.arrays
        used = printer.used | ({"numpy"} if uses_arrays or not sig.name.startswith("_") else set())
        if any(k == ir.NDARRAY for k, in ((k,) for _, k in sig.params)):
            used |= {"as_float_ndarray", "gradients_like"}
        if batched:
            used |= {"batch_arguments", "numpy"}
        return used

    def _type_of(self, types: dict, codes: dict):
        """The type of an expression of one function's generated code, for the printer."""
        return_types = {k: c.signature.return_type for k, c in codes.items()}
        adjoint_names = {c.signature.adjoint: c for c in codes.values()}
        primal_names = {c.signature.primal: c for c in codes.values()}
        # module array constants read whole (x[2] * B) are whole arrays: a select on them is np.where
        known = {**{n: ir.NDARRAY for n in self.facts.arrays}, **types,
                 **{n: _const_type(v) for n, v in self.facts.constants.items()}}

        def type_of(e):
            if isinstance(e, ir.UserCall):
                callee = primal_names.get(e.func) or adjoint_names.get(e.func)
                return callee.signature.return_type if callee else None
            if isinstance(e, ir.Call) and e.func == POP[ir.DOUBLE]:
                return ir.DOUBLE
            if isinstance(e, ir.Call) and e.func in (POP[ir.INT], POP_BRANCH, "range_length"):
                return ir.INT
            return expr_type(e, known, return_types)

        return type_of

    def _qualifiers(self, name: str, returned: str) -> str:
        """How a compiled function of NAME returning C type `returned` signals errors, and whether it
        runs without the GIL: all do but those handling Python objects (whole NumPy arrays), which
        carry errors in the object they return. A number returned is -1 on an error (Cython looks
        for one only then); a C tuple has no such value, so its caller takes the GIL after each call
        to look: only a function that can raise pays that."""
        if returned in ("tuple", "object"):
            return ""
        if name in self.holding:
            return " except *"
        if name not in self.raising:
            return " noexcept nogil"
        return " except? -1 nogil" if returned in ("double", "Py_ssize_t", "bint") else " except * nogil"

    def _primal(self, out: Printer, code, printer, params: str, qualifiers) -> None:
        sig = code.signature
        if self.pure:
            out.lines.append(f"def {sig.primal}({params}):")
        else:
            returned = C_TYPES[sig.return_type]
            out.lines.append(f"cdef {returned} {sig.primal}({params}){qualifiers(returned)}:")
        self._declarations(out, code.primal_locals, set())
        out.emit_block(code.primal_body, 1, printer)
        out.lines.append("")
        out.lines.append("")

    def _adjoint(self, out: Printer, code, printer, params: str, qualifiers, types: dict,
                 whole_arrays: bool) -> None:
        sig = code.signature
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
            out.lines.append(f"cdef {returned} {sig.adjoint}(_tape.Tape* tape, {params}, {cotangent} "
                             f"{code.adjoint_param}{b_arrays}){qualifiers(returned)}:")
        added, written = ([code.adjoint_names[p] for p in array_grads if (p in code.overwritten) == once]
                          for once in (False, True))
        added = (f"; adds {code.adjoint_param} times the gradient to {', '.join(added)}" if added else "") \
            + (f"; writes {code.adjoint_param} times the gradient into {', '.join(written)}" if written else "")
        out.lines.append(f'    """Returns {sig.name}({", ".join(p for p, _ in sig.params)})'
                         + (f" and {code.adjoint_param} times its gradient" if scalar_grads else "")
                         + f'{added}."""')
        self._declarations(out, code.locals, set(code.zero_init))
        out.emit_block(code.adjoint_body, 1, printer)
        out.lines.append("")
        out.lines.append("")

    def _forward_functions(self, out: Printer, code, forward, printer, qualifiers, whole_arrays: bool,
                           public: bool) -> None:
        """jvp (forward mode on the primal) and hvp (forward mode on the adjoint), with wrappers;
        for third order, forward mode once more on each of them."""
        sig = code.signature
        params = dict(sig.params)
        diff = sig.differentiable
        arrays = [p for p in diff if ir.array_dims(params[p])]
        scalar_grads = [p for p in diff if p not in arrays]

        def emit(derived):
            typed = ", ".join(self._param(p, k) for p, k in derived.params)
            if self.pure:
                header = f"def {derived.name}({typed}):"
            else:
                returned = "tuple" if whole_arrays else "(" + ", ".join(C_TYPES[k] for k in derived.returned) + ")"
                header = f"cdef {returned} {derived.name}({typed}){qualifiers(returned)}:"
            out.lines.append(header)
            self._declarations(out, derived.locals, derived.zero_init)
            tangent_printer = ExpressionPrinter(self.pure, _tangent_type_of(printer.type_of, derived), self.loops)
            out.emit_block(derived.body, 1, tangent_printer)
            printer.used |= tangent_printer.used  # its math functions are imported with the rest
            out.lines.append("")
            out.lines.append("")

        emit(forward.jvp)
        emit(forward.hvp)
        if public:
            self._forward_wrappers(out, code, [(forward.hvp.tangent_of[p], params[p]) for p in diff], scalar_grads,
                                   arrays, forward.hvp.body)
        if forward.jvp2 is None:
            return
        emit(forward.jvp2)
        emit(forward.hvp2)
        if len(diff) == 1 and not arrays and params[diff[0]] == ir.DOUBLE:
            if public:
                self._third_derivative_wrapper(out, code, forward.hvp2)

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
        for kind in sorted(k for k in by_type if ir.array_dims(k)):
            names = sorted(by_type.get(kind, []))
            if names:
                out.lines.append(f"    cdef {C_TYPES[kind]} " + ", ".join(names))
        names = sorted(by_type.get("checkpoints", []))
        if names:  # a checkpointed loop's schedule (transform/checkpoint.py)
            out.lines.extend(f"    cdef _tape.Checkpoints* {n} = NULL" for n in names)  # a pointer a line
        names = sorted(by_type.get(ir.NDARRAY, []))
        if names:  # whole arrays are NumPy objects; their adjoints start as the number 0.0
            out.lines.append("    cdef object " + ", ".join(f"{n} = {'0.0' if n in zero_init else 'None'}"
                                                           for n in names))


def _numbers_taken_whole(array_version) -> list:
    """The parameters an array version takes as whole arrays (its function's unannotated numbers)."""
    return [p for p, k in array_version.signature.params if k == ir.NDARRAY]


def _tangent_type_of(type_of, derived):
    """Types for printing tangent code: a tangent has its variable's type."""
    locals_ = derived.locals

    def tangent_type_of(e):
        if isinstance(e, ir.Name) and e.id in derived.tangent_locals:
            return derived.tangent_locals[e.id]
        if isinstance(e, ir.Name) and e.id in locals_:
            return locals_[e.id]
        kind = type_of(e)
        if kind is None and not isinstance(e, ir.Name):
            return expr_type(e, {**locals_, **derived.tangent_locals, **derived.types}, {})
        return kind

    return tangent_type_of


def _imports(used: set, pure: bool, any_compiled: bool, any_fallback: bool, arrays_read: bool) -> list:
    """The import lines of the runtime modules the printed code uses, each behind its private alias
    (see srcgrad.runtime_names)."""
    modules = {module_of(n) for n in used if n != "numpy"}
    wanted = [m for m in (MATH, SCALAR) if m in modules] + ([TAPE] if any_compiled else [])
    numpy = "numpy" in used or arrays_read  # module array constants are NumPy arrays
    if numpy:
        wanted.append(ARRAYS)
    if VECTOR in modules:
        wanted.append(VECTOR)
    if BATCH in modules:
        wanted.append(BATCH)
    if any_fallback:
        wanted += ([] if numpy else [ARRAYS]) + [FALLBACK, EAGER_ENTRIES]
    lines = [IMPORTS[m][pure] for m in wanted]
    if numpy:
        lines.insert(wanted.index(ARRAYS), "import numpy as np")
    return lines


def _const_type(value) -> str:
    return ir.BOOL if isinstance(value, bool) else ir.INT if isinstance(value, int) else ir.DOUBLE


def _gil_facts(codes: dict, forward: dict, whole_constants: set = frozenset()) -> tuple:
    """(holding, raising): the functions whose compiled code keeps the GIL, as it handles Python
    objects (whole NumPy arrays, a module array constant read whole) or calls a function that
    does; and those that can raise (a check, an allocation, a call of one that can). A function
    calling the adjoint, jvp or hvp of one that can raise keeps the GIL too: those return C
    tuples, whose errors (except *) Cython looks for after every call, taking the GIL each time
    when it is released (some 150 ns a call in a loop, against nothing holding it)."""
    owner = {}
    bodies = {}
    for name, code in codes.items():
        sig = code.signature
        derived = forward.get(name)
        derived = [d for d in (derived.jvp, derived.hvp, derived.jvp2, derived.hvp2) if d is not None] \
            if derived is not None else []
        owner.update((function, name) for function in (sig.primal, sig.adjoint, sig.jvp, sig.hvp) if function)
        owner.update((d.name, name) for d in derived)
        bodies[name] = [code.primal_body, code.adjoint_body] + [d.body for d in derived]
    holding, raising, callees, tuple_callees = set(), set(), {}, {}
    for name, code in codes.items():
        kinds = list(code.locals.values()) + [k for _, k in code.signature.params] + [code.signature.return_type]
        expressions = [e for body in bodies[name] for s in ir.walk_generated(body) for e in _expressions(s)]
        called = {c.func for e in expressions for c in ir.user_calls_in(e)}
        callees[name] = {owner.get(c, c) for c in called}
        tuple_callees[name] = {owner[c] for c in called if c in owner and c != codes[owner[c]].signature.primal}
        if ir.NDARRAY in kinds or any(ir.names_in(e) & whole_constants for e in expressions):
            holding.add(name)
        if any(isinstance(s, ir.GRaise) for body in bodies[name] for s in ir.walk_generated(body)) \
                or any(_allocates(e) for e in expressions) or any(c not in owner for c in called):
            raising.add(name)
    for facts in (raising, holding):  # through calls
        if facts is holding:
            holding |= {name for name, called in tuple_callees.items() if called & raising}
        grown = True
        while grown:
            grown = {name for name, called in callees.items() if called & facts} - facts
            facts |= grown
    return holding, raising


def _expressions(s) -> list:
    """The expressions a generated statement evaluates (not those of the blocks it holds)."""
    if isinstance(s, ir.GAssign):
        return [s.value] + ([s.target] if isinstance(s.target, ir.Expr) else [])
    if isinstance(s, (ir.GCall, ir.GFor)):
        return list(s.args)
    if isinstance(s, (ir.GIf, ir.GWhile)):
        return [s.test]
    if isinstance(s, ir.GUnpack):
        return [s.value]
    return []


def _allocates(e) -> bool:
    return isinstance(e, ir.Alloc) or any(_allocates(c) for c in ir.children(e))


def _long_running(code) -> bool:
    """Whether a function's compiled code can run long: a loop, an array parameter, a call."""
    if any(ir.array_dims(k) for _, k in code.signature.params):
        return True
    for s in ir.walk_generated(code.primal_body + code.adjoint_body):
        if isinstance(s, (ir.GFor, ir.GWhile)) or any(ir.user_calls_in(e) for e in _expressions(s)):
            return True
    return False
