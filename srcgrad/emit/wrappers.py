"""The Python-level functions of a generated module: NAME, value_and_vjp_NAME, grad_NAME, jvp_NAME,
hvp_NAME, hessian_NAME ... around the compiled primal, adjoint and forward-mode functions, and
the eager fallback of functions outside the compiled subset. They check their arguments with
srcgrad.runtime.arrays and own the tape of each call.
"""

from __future__ import annotations

import math

from .. import ir
from ..runtime_names import qualified
from .entries import EntryTable, core_name
from .printer import C_TYPES, Printer

NO_DEFAULT = object()  # a parameter without a default (None is a default)


class WrapperPrinter(EntryTable):
    """Mixed into the module printer: needs self.pure, self.shown_name, self.module_name,
    self.interfaces (name -> [(default or NO_DEFAULT, keyword_only)]) and self.fallback_params."""

    def _wrappers(self, out: Printer, code) -> None:
        sig = code.signature
        arrays = [p for p, k in sig.params if ir.array_dims(k)]
        whole = [p for p, k in sig.params if k == ir.NDARRAY]
        params = self._entry_parameters(sig, arrays)
        args = ", ".join(p for p, _ in sig.params)
        where = f"{self.shown_name} line {code.line}"
        lines = out.lines
        convert = _conversions(sig.params)

        lines.append(f"def {sig.name}({params}):")
        lines.append(f'    """{sig.name}({args}) from {where}, compiled."""')
        lines.extend(self._to_arrays(sig, ""))
        lines.extend(self._guarded(sig, convert, "", None))
        if self._releases(sig.name):
            value = _WrapperNames({p for p, _ in sig.params})["value"]
            lines += self._kernel_call(sig, [(value, sig.return_type)], sig.primal, self._arguments(sig))
            lines.append(f"    return {value}")
        else:
            lines.append(f"    return {sig.primal}({args})")
        lines.append("")
        lines.append("")
        if not sig.differentiable:
            self._no_gradient_wrappers(lines, sig, params, args)
            return
        self._gradient_wrappers(lines, sig, params, args, arrays, whole, convert, _uses_tape(code.adjoint_body),
                                code.overwritten)

    def _gradient_wrappers(self, lines: list, sig, params: str, args: str, arrays: list, whole: list,
                           convert: list, taped: bool, overwritten: frozenset = frozenset()) -> None:
        """value_and_vjp_NAME (one forward and one reverse sweep), and grad_, value_and_grad_, vjp_ from it.
        An adjoint that never touches the tape (taped false) is handed none: nothing to set up or free."""
        local = _WrapperNames({p for p, _ in sig.params})  # wrapper locals never shadow a parameter
        value, dout, tape, out_of_memory = local["value"], local["dout"], local["tape"], local["out_of_memory"]
        grads = {p: local[f"b_{p}"] for p in sig.differentiable}
        scalar_grads = [grads[p] for p in sig.differentiable if p not in arrays]
        array_grads = [grads[p] for p in sig.differentiable if p in arrays]
        ordered = [grads[p] for p in sig.differentiable]
        packed = ordered[0] if len(ordered) == 1 else "(" + ", ".join(ordered) + ")"
        dout_param = dout  # checked below: a float output takes a number, an array output its shape
        received = [(value, sig.return_type)] + [(b, ir.DOUBLE) for b in scalar_grads]
        call_args = self._arguments(sig, [(dout, ir.DOUBLE)] + [(grads[p], dict(sig.params)[p]) for p in
                                                                sig.differentiable if p in arrays])
        # an adjoint with nothing to set up around it (no tape, no arrays): each entry calls it itself
        plain = not taped and not arrays and not whole and sig.return_type != ir.NDARRAY
        lines.extend(self._entry_start(sig, "value_and_vjp_", params, dout_param,
                                       f"({sig.name}({args}), dout times the gradient), in one forward and one "
                                       "reverse sweep.", called_by_grad=not plain))
        lines.extend(self._tape_declaration(tape) if taped else [])
        if sig.return_type != ir.NDARRAY:  # (an array output's cotangent is checked against it in the sweep)
            lines.extend(_cotangent_check(dout, sig.name))
        lines.extend(self._guarded(sig, convert, "value_and_vjp_", dout))
        lines.extend(_adjoint_arrays(grads, arrays, overwritten))
        lines += self._kernel_call(sig, received, sig.adjoint, call_args, (tape, out_of_memory) if taped else None)
        whole_grads = [p for p in sig.differentiable if p in whole]
        if whole_grads:
            names = ", ".join(grads[p] for p in whole_grads)
            lines.append(f"    {names}{',' if len(whole_grads) == 1 else ''} = {qualified('gradients_like')}(({names},), "
                         f"({', '.join(whole_grads)},))")
        if sig.return_type == ir.NDARRAY:
            lines.append(f"    {value} = np.asarray({value})")
        lines += [f"    return {value}, {packed}", "", ""]
        respect = ", ".join(sig.differentiable)
        direct = None
        if plain:
            def direct(prefix: str, cotangent: str) -> list:
                return self._direct_entry(sig, args, cotangent, prefix == "value_and_grad_", value, scalar_grads)
        # compiled, the cdef function behind value_and_vjp_ is called directly, as C
        swept = f"value_and_vjp_{sig.name}({self._passed_on(sig, '1.0')})" if self.pure else \
            f"{core_name('value_and_vjp_', sig.name)}({args}, 1.0)"
        for prefix, doc, body in (("grad_", "gradient", f"{swept}[1]"), ("value_and_grad_", "(value, gradient)", swept)):
            lines.append(f"def {prefix}{sig.name}({params}):")
            lines.append(f'    """The {doc} of {sig.name} with respect to {respect}."""')
            lines.extend(self._to_arrays(sig, prefix))
            lines.extend(direct(prefix, "1.0") if direct else [f"    return {body}"])
            lines.append("")
            lines.append("")
        doc = f"dout times the gradient of {sig.name} with respect to {respect}."
        if not self.pure:  # a Python function: value_and_vjp_'s compiled part, its gradient taken
            return self._python_entry(sig, "vjp_", dout_param, doc)
        lines.extend(self._entry_start(sig, "vjp_", params, dout_param, doc))
        if direct:
            lines += _cotangent_check(dout, sig.name) + direct("vjp_", dout)
        else:
            lines.append(f"    return value_and_vjp_{sig.name}({self._passed_on(sig, dout)})[1]")
        lines.append("")
        lines.append("")

    def _passed_on(self, sig, trailing: str | None) -> str:
        """The primal's parameters and a trailing argument (dout) passed on to a sibling: the
        keyword-only ones by keyword, after the trailing one."""
        interface = self.interfaces.get(sig.name, [])
        by_keyword = [k for _, k in interface] if len(interface) == len(sig.params) else [False] * len(sig.params)
        positional = [p for (p, _), keyword in zip(sig.params, by_keyword) if not keyword]
        keywords = [f"{p}={p}" for (p, _), keyword in zip(sig.params, by_keyword) if keyword]
        return ", ".join(positional + ([trailing] if trailing is not None else []) + keywords)

    def _direct_entry(self, sig, args: str, cotangent: str, with_value: bool, value: str, grads: list) -> list:
        """The body of grad_, value_and_grad_ or vjp_ calling an adjoint that needs no tape: no
        call of value_and_vjp_ in between, the fewest Python objects made."""
        if self._releases(sig.name):
            received = [(value, sig.return_type)] + [(g, ir.DOUBLE) for g in grads]
            cotangent_kind = None if cotangent == "1.0" else ir.DOUBLE
            lines = self._kernel_call(sig, received, sig.adjoint, self._arguments(sig, [(cotangent, cotangent_kind)]),
                                      None)
            packed = grads[0] if len(grads) == 1 else "(" + ", ".join(grads) + ")"
            return lines + [f"    return {f'{value}, ' if with_value else ''}{packed}"]
        call = f"{sig.adjoint}({'None' if self.pure else 'NULL'}, {args}, {cotangent})"
        if with_value and len(grads) == 1:
            return [f"    return {call}"]
        if len(grads) == 1:
            return [f"    return {call}[1]"]
        packed = "(" + ", ".join(grads) + ")"
        return [f"    {', '.join([value] + grads)} = {call}", f"    return {f'{value}, ' if with_value else ''}{packed}"]

    def _no_gradient_wrappers(self, lines, sig, params, args) -> None:
        self._refusals(lines, sig.name, [p for p, _ in sig.params])

    @staticmethod
    def _refusals(lines, name: str, parameters: list) -> None:
        """grad_NAME and its siblings for a function without a differentiable parameter: each raises
        a TypeError saying so."""
        refused = " = ".join(f"{prefix}{name}" for prefix in ("grad_", "value_and_grad_", "vjp_", "jvp_", "hvp_",
                                                               "hessian_"))
        lines.append(f"# {name} has no differentiable parameter: its derivatives raise a TypeError saying so")
        lines.append(f"{refused} = {qualified('no_gradient')}({name!r}, {tuple(parameters)!r})")
        lines.append("")
        lines.append("")

    def _forward_wrappers(self, out: Printer, code, d_params, scalar_grads, arrays, hvp_body: list) -> None:
        sig = code.signature
        whole = [p for p, k in sig.params if k == ir.NDARRAY]
        params = self._entry_parameters(sig, arrays)
        diff = sig.differentiable
        lines = out.lines
        convert = _conversions(sig.params)
        local = _WrapperNames({p for p, _ in sig.params})
        tangents, v, value, d_value, tape, out_of_memory = (local[n] for n in (
            "tangents", "v", "value", "d_value", "tape", "out_of_memory"))
        directions = [local[name] for name, _ in d_params]
        g = {p: local[f"g_{p}"] for p in diff}
        hv = {p: local[f"hv_{p}"] for p in diff}
        kinds = dict(sig.params)
        floats = all(kinds[p] == ir.DOUBLE for p in diff)

        def unpack(source: str, what: str) -> list:
            return _directions(source, what, diff, directions, floats, self.pure)

        respect = ", ".join(diff)
        lines.extend(self._entry_start(sig, "jvp_", params, tangents, f"The derivative of {sig.name} along tangents "
                                       f"(one per parameter: {respect}), forward mode."))
        lines.extend(self._guarded(sig, convert, "jvp_", tangents))
        lines.extend(unpack(tangents, "tangents"))
        call_args = self._arguments(sig, [(d, kinds[p]) for d, p in zip(directions, diff)])
        if self._releases(sig.name):
            lines += self._kernel_call(sig, [(value, sig.return_type), (d_value, ir.DOUBLE)], sig.jvp, call_args)
            lines.append(f"    return {d_value}")
        else:  # the C tuple's member, no Python float made for the value
            lines.append(f"    return {sig.jvp}({', '.join(t for t, _ in call_args)})[1]")
        lines += ["", ""]

        lines.extend(self._entry_start(sig, "hvp_", params, v, f"The Hessian of {sig.name} times v (shaped like the "
                                       f"parameters {respect}): forward over reverse."))
        taped = _uses_tape(hvp_body)
        lines.extend(self._tape_declaration(tape) if taped else [])
        lines.extend(self._guarded(sig, convert, "hvp_", v))
        lines.extend(unpack(v, "v"))
        for p in arrays:
            lines.append(f"    {g[p]} = np.zeros_like({p})")
            lines.append(f"    {hv[p]} = np.zeros_like({p})")
        call_args = self._arguments(sig, [("1.0", None)] + [(g[p], kinds[p]) for p in arrays]
                                    + [(d, kinds[p]) for d, p in zip(directions, diff)]
                                    + [("0.0", None)] + [(hv[p], kinds[p]) for p in arrays])
        received = [(value, sig.return_type)] + [(g[p], ir.DOUBLE) for p in scalar_grads] \
            + [(d_value, ir.DOUBLE)] + [(hv[p], ir.DOUBLE) for p in scalar_grads]
        lines += self._kernel_call(sig, received, sig.hvp, call_args, (tape, out_of_memory) if taped else None)
        results = [hv[p] for p in diff]
        if whole:
            wanted = [p for p in diff if p in whole]
            names = ", ".join(hv[p] for p in wanted)
            lines.append(f"    {names}{',' if len(wanted) == 1 else ''} = {qualified('gradients_like')}(({names},), "
                         f"({', '.join(wanted)},))")
        lines.append(f"    return {results[0] if len(results) == 1 else '(' + ', '.join(results) + ')'}")
        lines.append("")
        lines.append("")

        self._hessian_wrapper(lines, sig, params, self._guarded(sig, convert, "hessian_", None), v)

    def _hessian_wrapper(self, lines: list, sig, params: str, convert: list, v: str) -> None:
        diff = sig.differentiable
        respect = ", ".join(diff)
        doc = (f"The dense Hessian of {sig.name} with respect to {respect}, as jax.hessian lays it out, from one "
               f"hvp_{sig.name} per element.")
        arguments = ", ".join(f"{p!r}: {p}" for p, _ in sig.params)  # a dict, not a closure: less C
        body = convert + [f"    return {qualified('dense_hessian')}(hvp_{sig.name}, ({', '.join(diff)}"
                          f"{',' if len(diff) == 1 else ''}), {{{arguments}}}, {v!r})"]
        if not self.pure:  # compiled too, a Python function: its work is hvp_'s
            self._python_entry(sig, "hessian_", None, doc, body)
            return
        lines += [f"def hessian_{sig.name}({params}):", f'    """{doc}"""'] + body + ["", ""]

    def _third_derivative_wrapper(self, out: Printer, code, hvp2) -> None:
        """d3f/dx3 for one float parameter: the tangent, along x, of the Hessian-vector product with v = 1."""
        sig = code.signature
        local = _WrapperNames({p for p, _ in sig.params})
        tape, out_of_memory = local["tape"], local["out_of_memory"]
        params = self._entry_parameters(sig, [])
        outputs = [(local[f"output{k}"], kind) for k, kind in enumerate(hvp2.returned)]
        # inputs after the parameters: b_result, d_x, d_b_result, e_x, e_b_result, e_d_x, e_d_b_result
        call_args = self._arguments(sig, [(value, None) for value in ("1.0", "1.0", "0.0", "1.0", "0.0", "0.0", "0.0")])
        lines = out.lines
        lines.append(f"def third_derivative_{sig.name}({params}):")
        lines.append(f'    """The third derivative of {sig.name} in {sig.differentiable[0]}: forward over forward over reverse."""')
        if self._dispatched(sig):  # an array for x: a function of numbers is elementwise, so is this derivative
            x = sig.differentiable[0]
            arguments = ", ".join(f"{p!r}: {p}" for p, _ in sig.params)
            lines += [f"    if type({x}) is not float and {qualified('has_dimensions')}({x}):",
                      f"        return {qualified('at_each_element')}(third_derivative_{sig.name}, {{{arguments}}}, {x!r})"]
        lines.extend(self._tape_declaration(tape))
        lines += self._kernel_call(sig, outputs, hvp2.name, call_args, (tape, out_of_memory))
        outputs = [name for name, _ in outputs]
        lines.append(f"    return {outputs[7]}")
        lines.append("")
        lines.append("")

    def _tape_declaration(self, tape: str) -> list:
        return [] if self.pure else [f"    cdef {qualified('Tape')} {tape}"]

    def _arguments(self, sig, trailing: list = ()) -> list:
        """The arguments of a compiled function: the primal's parameters, then `trailing`, as
        (text, kind); kind None for what is a C value already (a number parameter, a constant)."""
        dispatched = self._objects(sig)  # a Python object: converted to a C double before a call without the GIL
        return [(p, k if ir.array_dims(k) or k == ir.NDARRAY or p in dispatched else None)
                for p, k in sig.params] + list(trailing)

    def _entry_parameters(self, sig, arrays: list) -> str:
        """The parameter list of NAME's entries: C types for numbers; Python objects for arrays and
        for the numbers whose ndarray the entries hand to NAME's array version."""
        objects = set(arrays) | {p for p, k in sig.params if k == ir.NDARRAY} | set(self._objects(sig))
        return self._signature(sig, [p if self.pure or p in objects else self._param(p, k) for p, k in sig.params])

    def _array_versions(self) -> set:
        return {version for version, _ in getattr(self, "dispatch", {}).values()}

    def _dispatched(self, sig) -> list:
        """The parameters of a function of numbers whose entries hand an ndarray to its array version."""
        return getattr(self, "dispatch", {}).get(sig.name, (None, []))[1]

    def _objects(self, sig) -> list:
        """The numbers the entries take as Python objects: those _dispatched, and those whose ndarray
        they hand to the eager tape (_guarded), converted to C doubles after the check."""
        guessed = getattr(self, "guessed", {}).get(sig.name) or {}
        return self._dispatched(sig) + [p for p, kind in guessed.items() if kind == ir.DOUBLE]

    def _to_arrays(self, sig, prefix: str, trailing: str | None = None) -> list:
        """The first lines of entry PREFIX+NAME of a function of numbers with an array version: an
        ndarray argument goes to that version's entry (a float passes with one type check). With
        an array argument, grad_ is the gradient of the sum of the outputs, as for any function
        with an array output."""
        if sig.name not in getattr(self, "dispatch", {}):
            return []
        version, params = self.dispatch[sig.name]
        test = " or ".join(f"type({p}) is not float" for p in params)
        test = f"({test})" if len(params) > 1 else test
        return [f"    if {test} and {qualified('has_dimensions')}({', '.join(params)}):",
                f"        return {array_entry(prefix, version)}({self._passed_on(sig, trailing)})"]

    def _guarded(self, sig, convert: list, entry: str, trailing: str | None) -> list:
        """An entry's conversions of its array arguments (convert), those of the parameters whose
        dimensions the compiler guessed (self.guessed: name -> those parameters) last, inside a try:
        an argument of other dimensions makes the entry run the original function on the eager tape
        (runtime eager_entry), not refuse what the original takes. No cost on the common path."""
        guessed = getattr(self, "guessed", {}).get(sig.name)
        if not guessed:
            return convert
        params = sig.params
        mismatch = _WrapperNames({p for p, _ in params})["mismatch"]
        interface = self.interfaces.get(sig.name, [])
        by_keyword = [k for _, k in interface] if len(interface) == len(params) else [False] * len(params)
        positional = [p for (p, _), keyword in zip(params, by_keyword) if not keyword]
        keywords = ", ".join(f"{p!r}: {p}" for (p, _), keyword in zip(params, by_keyword) if keyword)
        positions = tuple(i for i, (p, _) in enumerate(params) if p in sig.differentiable)
        names = tuple(params[i][0] for i in positions)
        call = (f"{qualified('eager_entry')}({entry!r}, _eager_namespace[{sig.name!r}], {sig.name!r}, "
                f"({', '.join(positional)}{',' if len(positional) == 1 else ''}), {{{keywords}}}, {positions!r}, "
                f"{names!r}, {trailing or 'None'}, {mismatch}, __name__)")
        # a number an np.array literal stores as an element: an array there is NumPy's stack
        numbers = [line for p, _ in params if guessed.get(p) == ir.DOUBLE
                   for line in (f"        if type({p}) is not float and {qualified('has_dimensions')}({p}):",
                                f"            raise {qualified('RankMismatch')}({p!r}, 0, np.shape({p}))")]
        return (_conversions([(p, k) for p, k in params if p not in guessed]) + ["    try:"] + numbers
                + ["    " + line for line in _conversions([(p, guessed[p]) for p, _ in params
                                                            if p in guessed and guessed[p] != ir.DOUBLE])]
                + [f"    except {qualified('RankMismatch')} as {mismatch}:", f"        return {call}"])

    def _releases(self, name: str) -> bool:
        """Whether the wrappers of NAME call its compiled functions without the GIL: those that run
        without it and can run long (a loop, an array, a call). Releasing it costs some 45 ns a call,
        about what a straight-line function of numbers takes in all, which never gains by it."""
        return not self.pure and name in self.releasing

    def _kernel_call(self, sig, received: list, function: str, args: list, tape: tuple | None = False) -> list:
        """Lines running `received = function(args)`; received [(name, kind)], args [(text, kind)]
        from _arguments. An adjoint or hvp takes a tape first: tape (tape, out_of_memory) for a fresh
        one, freed on every way out, a failed growth raising MemoryError; None for no tape (NULL);
        False (the default) for a function without a tape parameter. Without the GIL (_releases),
        C copies of the Python objects passed (typed memoryviews of the arrays) and typed locals
        for the results are declared first."""
        release = self._releases(sig.name)
        local = _WrapperNames({p for p, _ in sig.params} | {n for n, _ in received} | {t for t, _ in args})
        lines, texts = [], []
        for text, kind in args:
            if release and kind is not None:
                texts.append(local[f"c_{text}"])
                lines.append(f"    cdef {C_TYPES[kind]} {texts[-1]} = {text}")
            else:
                texts.append(text)
        if release:
            types = {}
            for name, kind in received:
                types.setdefault(C_TYPES[kind], []).append(name)
            lines += [f"    cdef {ctype} {', '.join(names)}" for ctype, names in types.items()]
        if tape:
            texts.insert(0, tape[0] if self.pure else f"&{tape[0]}")
        elif tape is None:
            texts.insert(0, "None" if self.pure else "NULL")
        call = [f"{', '.join(n for n, _ in received)} = {function}({', '.join(texts)})"]
        if release:
            call = ["with nogil:", "    " + call[0]]
        if not tape:
            return lines + ["    " + c for c in call]
        if self.pure:
            return lines + [f"    {tape[0]} = {qualified('Tape')}()"] + ["    " + c for c in call]
        return lines + [f"    {qualified('tape_init')}(&{tape[0]})", "    try:"] + ["        " + c for c in call] + [
            f"        {tape[1]} = {tape[0]}.failed",
            "    finally:",
            f"        {qualified('tape_free')}(&{tape[0]})",
            f"    if {tape[1]}:",
            f'        raise MemoryError("the tape of {sig.name} could not grow")']

    def _signature(self, sig, params: list) -> str:
        """The parameter list of a public function: the primal's defaults and keyword-only marker."""
        interface = self.interfaces.get(sig.name, [])
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
                f"def {bound}({trailing}, {params}):"]  # keyword-only ones stay so: one without a default may follow defaults

    def _param(self, name: str, kind: str) -> str:
        if kind == "tape":
            return name if self.pure else f"{qualified('Tape')}* {name}"
        return name if self.pure else f"{C_TYPES[kind]} {name}"

    def _fallbacks(self, out: Printer, names: list) -> None:
        facts = self.facts
        # the module's imports, assignments and functions in source order: fallbacks see every constant
        parts = [_eager_import(text) if kind == "import" else text for kind, text in facts.top_level]
        source = "\n".join(parts) + "\n"
        lines = out.lines
        lines.append(f"# {'-' * 94}")
        if names:
            lines.append(f"# Outside the compiled subset: {', '.join(names)}. These run as written in "
                         f"{self.shown_name},")
            lines.append("# and their gradients come from the eager tape.")
        else:
            lines.append(f"# The functions of {self.shown_name} as written, for the eager tape: the entries of those "
                         "whose array dimensions")
            lines.append("# the compiler guessed run them for arguments of other dimensions.")
        lines.append("")
        lines.append(f"_EAGER_SOURCE = {source!r}")
        lines.append("_eager_namespace = {'__name__': " + repr(self.module_name + "_eager")
                     + ", 'float': " + qualified("tensor_float") + "}  # float(t) keeps a Tensor's derivative")
        lines.append(f"exec(compile(_EAGER_SOURCE, {self.shown_name!r}, 'exec'), _eager_namespace)")
        lines.append("")
        for name in names:
            if name.startswith("_"):  # private: only its callers (fallbacks too) use it
                continue
            parameters, differentiable = self.fallback_params[name]
            lines.append(f"{name} = _eager_namespace[{name!r}]")
            lines.append("")
            lines.append("")
            if not differentiable:
                self._refusals(lines, name, list(parameters))
                continue
            self._fallback_wrappers(lines, name, parameters, differentiable)

    @staticmethod
    def _fallback_wrappers(lines: list, name: str, parameters: tuple, differentiable: tuple) -> None:
        """grad_NAME and its siblings of a function the eager tape differentiates: they take the
        primal's arguments as it does, keywords and left-out defaults too."""
        shown = ", ".join(parameters[i] for i in differentiable)
        lines.append(f"def value_and_vjp_{name}(*args, dout=1.0, **keywords):")
        lines.append(f'    """({name}(*args), dout times its gradient with respect to {shown}), by the eager tape."""')
        lines.append(f"    return {qualified('eager_value_and_gradient')}({qualified('one_output')}({name}, {name!r}), args, "
                     f"{differentiable!r}, dout, keywords)")
        lines.append("")
        lines.append("")
        for prefix, result in (("grad_", "[1]"), ("value_and_grad_", "")):
            lines.append(f"def {prefix}{name}(*args, **keywords):")
            lines.append(f"    return value_and_vjp_{name}(*args, **keywords){result}")
            lines.append("")
            lines.append("")
        names = tuple(parameters[i] for i in differentiable)
        for entry, last in (("vjp", "dout"), ("jvp", "tangents"), ("hvp", "v"), ("hessian", None)):
            lines.append(f"def {entry}_{name}(*args, **keywords):")
            if last:  # the last positional argument, or a keyword
                lines += [f"    if {last!r} in keywords:", f"        {last} = keywords.pop({last!r})", "    else:",
                          f"        *args, {last} = args"]
            if entry == "vjp":
                lines.append(f"    return value_and_vjp_{name}(*args, dout=dout, **keywords)[1]")
            else:
                lines.append(f"    return {qualified('eager_' + entry)}({name}, {name!r}, args, {differentiable!r}, "
                             f"{names!r}{', ' + last if last else ''}, keywords=keywords)")
            lines.append("")
            lines.append("")


ENTRY_PREFIXES = ("value_and_vjp_", "value_and_grad_", "grad_", "vjp_", "jvp_", "hvp_", "hessian_")


def array_entry(prefix: str, version: str) -> str:
    """The name of entry PREFIX of an array version (_sigmoid_on_arrays -> _grad_sigmoid_on_arrays):
    private, as the version is; NAME's entries call it."""
    return f"_{prefix}{version.lstrip('_')}"


def _conversions(params: list) -> list:
    """The wrapper's first lines: each array parameter checked and converted (a float array of its
    dimensions, or a whole-array value)."""
    return [f"    {p} = {qualified('as_float_array')}({p}, {p!r}, {ir.array_dims(kind)})" if ir.array_dims(kind)
            else f"    {p} = {qualified('as_float_ndarray')}({p}, {p!r})" for p, kind in params
            if ir.array_dims(kind) or kind == ir.NDARRAY]


def _adjoint_arrays(grads: dict, arrays: list, overwritten: frozenset) -> list:
    """The array adjoints value_and_vjp_ hands the kernel: zeros it adds into, or, for one it writes
    whole, once per element (transform/write_once.py), memory it overwrites."""
    return [f"    {b} = np.{'empty' if p in overwritten else 'zeros'}_like({p})" for p, b in grads.items() if p in arrays]


def _cotangent_check(dout: str, name: str) -> list:
    """vjp's dout for a float output checked to be a number; a float, as grad_ passes, needs no
    check: no call on the common path."""
    return [f"    if type({dout}) is not float:", f"        {dout} = {qualified('scalar_cotangent')}({dout}, {name!r})"]


def _uses_tape(stmts) -> bool:
    """Whether generated code reads, passes on or records on the tape; a statement of a kind not
    known here counts as using it."""
    for s in ir.walk_generated(stmts):
        if isinstance(s, ir.GAssign):
            read = [s.value] + ([s.target] if isinstance(s.target, ir.Expr) else [])
        elif isinstance(s, (ir.GCall, ir.GFor)):
            read = list(s.args)
        elif isinstance(s, (ir.GIf, ir.GWhile)):
            read = [s.test]
        elif isinstance(s, ir.GUnpack):
            read = [s.value]
        elif isinstance(s, (ir.GComment, ir.GBreak, ir.GRaise)):
            continue
        else:
            return True
        if any(ir.TAPE.id in ir.names_in(e) for e in read):
            return True
    return False


def _directions(source: str, what: str, diff: list, directions: list, floats: bool, pure: bool = True) -> list:
    """jvp_'s tangents or hvp_'s v unpacked: one direction per differentiable parameter, each
    checked against its parameter's shape. Floats for float parameters (floats true), the common
    case, are taken as they are, with no call. Compiled, they are read as C doubles from the
    tuple: a sequence unpacking is some 60 lines of C, and jvp_ and hvp_ had two each."""
    received = directions[0] + "," if len(diff) == 1 else ", ".join(directions)
    checked = f"({', '.join(diff)},), {tuple(diff)!r}" if len(diff) == 1 else f"({', '.join(diff)}), {tuple(diff)!r}"
    call = f"{qualified('per_parameter')}({source}, {checked}, {what!r})"
    if not floats:
        return [f"    {received} = {call}"]
    if not pure:
        declared = f"    cdef double {', '.join(directions)}"
        if len(diff) == 1:
            return [declared, f"    if type({source}) is float:", f"        {directions[0]} = {source}", "    else:",
                    f"        {directions[0]} = {call}[0]"]
        entries = f"(<tuple>{source})"
        test = " or ".join([f"type({source}) is not tuple", f"len(<tuple>{source}) != {len(diff)}"]
                           + [f"type({entries}[{k}]) is not float" for k in range(len(diff))])
        return [declared, f"    if {test}:", f"        {source} = {call}"] + [
            f"    {d} = {entries}[{k}]" for k, d in enumerate(directions)]
    if len(diff) == 1:
        test, taken = f"type({source}) is float", f"{directions[0]} = {source}"
    else:
        test = f"type({source}) is tuple and len({source}) == {len(diff)} and " \
               + " and ".join(f"type({source}[{k}]) is float" for k in range(len(diff)))
        taken = f"{', '.join(directions)} = {source}"
    return [f"    if {test}:", f"        {taken}", "    else:", f"        {received} = {call}"]


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


def _default_text(value) -> str:
    """A parameter default as Python (and Cython) source."""
    if isinstance(value, float) and not math.isfinite(value):
        return f'float("{value}")'
    return repr(value)


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
