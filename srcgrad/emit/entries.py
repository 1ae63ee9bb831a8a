"""The entries users call less often, value_and_vjp_NAME, vjp_NAME, jvp_NAME, hvp_NAME and
hessian_NAME, in a compiled module: Python functions that bind their arguments as NAME does
(positions, keywords, defaults, the trailing dout / tangents / v) and hand them to NAME's compiled
part through one table, instead of five `def` functions each.

Cython writes some 90 lines of C argument parsing for each `def`, and a function of numbers had
eight: with their bodies, the five rare entries were over half a module's C (benchmarks/README.md,
"Build time"), translated by Cython and compiled by the C compiler in every cold build. Here the
work after the binding stays compiled as it was, in `cdef` functions taking the arguments C-typed
as the defs took them (so conversions and their errors are the same): _NAME_value_and_vjp (also
called by grad_NAME and value_and_grad_NAME), _NAME_jvp_entry, _NAME_hvp_entry, and _NAME_entries,
which converts the bound arguments and picks one of them. hessian_NAME is Python alone: its work
is hvp_NAME's. The module's one `def _srcgrad_entries(function, which, args, extra)` calls
_NAME_entries from the table _SRCGRAD_ENTRIES. The Python functions are compiled from source text
when the module is imported (runtime arrays.python_entries, which gives them the module's name);
a call costs some 0.1 µs more than a `def`'s, on entries that do far more work than that.

--pure output is unchanged: every entry is a Python function there already.
"""

from __future__ import annotations

from .. import ir
from ..runtime_names import ARRAYS
from .printer import C_TYPES

# module globals no user function is called (a private helper may be called _entries)
TABLE, CALL = "_SRCGRAD_ENTRIES", "_srcgrad_entries"
# which: the entries' numbers in _NAME_entries; vjp_ is value_and_vjp_'s gradient, hessian_ Python alone
WHICH = {"value_and_vjp_": 0, "vjp_": 0, "jvp_": 1, "hvp_": 2}
# the cdef functions doing the work of the entries once their arguments are bound: _NAME_<core>;
# value_and_vjp_'s is _NAME_vjp_entry where grad_NAME calls the adjoint itself (compile.py compiles
# the *_entry functions at -O0, and _NAME_value_and_vjp, which grad_NAME calls, at -O1)
_CORES = {"value_and_vjp_": "value_and_vjp", "jvp_": "jvp_entry", "hvp_": "hvp_entry"}


def core_name(prefix: str, name: str, called_by_grad: bool = True) -> str:
    """The cdef function doing the work of entry PREFIX+NAME once its arguments are bound."""
    return f"_{name}_{_CORES[prefix] if called_by_grad else 'vjp_entry'}"


def table_header(count: int) -> list:
    """The module's table of its functions' _NAME_entries, and the one def that calls into it."""
    if not count:
        return []
    return ["ctypedef object (*_SrcgradEntries)(int, tuple, object)",
            f"cdef _SrcgradEntries {TABLE}[{count}]",
            "",
            "",
            f"def {CALL}(Py_ssize_t function, int which, tuple args, extra):",
            '    """The compiled part of value_and_vjp_NAME, vjp_NAME, jvp_NAME, hvp_NAME and hessian_NAME of',
            "    function number `function` (Python functions that bind their arguments, made below each",
            '    function, which pass them here as a tuple)."""',
            f"    if not 0 <= function < {count}:",
            '        raise ValueError(f"no compiled function number {function}")',
            f"    return {TABLE}[function](which, args, extra)",
            "",
            ""]


class EntryTable:
    """Mixed into the module printer with WrapperPrinter (its _trailing_def, _to_arrays, _signature,
    _param, _objects); self.entry_functions lists the functions with a table entry."""

    def _entry_start(self, sig, prefix: str, params: str, trailing: str | None, doc: str,
                     called_by_grad: bool = True) -> list:
        """The first lines of entry PREFIX+NAME: --pure, its def (the binding, the docstring, the
        hand-off of an ndarray to NAME's array version); compiled, the cdef function of the bound
        arguments its body follows, the def being a Python function made by `_entry_table`."""
        if self.pure:
            name = prefix + sig.name
            head = self._trailing_def(name, params, trailing, trailing) if trailing else [f"def {name}({params}):"]
            return head + [f'    """{doc}"""'] + self._hand_off(sig, prefix, trailing)
        core = core_name(prefix, sig.name, called_by_grad)
        self._python_entry(sig, prefix, trailing, doc, core=core)
        typed = self._core_parameters(sig) + ([trailing] if trailing else [])
        return [f"cdef object {core}({', '.join(typed)}):"]

    def _python_entry(self, sig, prefix: str, trailing: str | None, doc: str, body: list | None = None,
                      core: str | None = None) -> None:
        """Entry PREFIX+NAME as Python source: bind, hand an ndarray to the array version, call the table
        (or run body, lines of Python: hessian_ calls hvp_, no compiled function of its own)."""
        if not hasattr(self, "entry_functions"):
            self.entry_functions = []
        pending = self.__dict__.setdefault("_pending_entries", [])
        name, params = prefix + sig.name, self._signature(sig, [p for p, _ in sig.params])
        head = self._trailing_def(name, params, trailing, trailing) if trailing else [f"def {name}({params}):"]
        if body is None:
            bound = ", ".join(p for p, _ in sig.params) + ("," if len(sig.params) == 1 else "")
            call = f"{CALL}({len(self.entry_functions)}, {WHICH[prefix]}, ({bound}), {trailing or 'None'})"
            body = [f"    return {call}{'[1]' if prefix == 'vjp_' else ''}"]
        pending.append((prefix, trailing, head + [f'    """{doc}"""'] + self._hand_off(sig, prefix, trailing)
                        + body + ["", ""], core))

    def _hand_off(self, sig, prefix: str, trailing: str | None) -> list:
        """An ndarray argument handed to the array version's entry; not by hessian_, whose hvp_ calls do."""
        return [] if prefix == "hessian_" else self._to_arrays(sig, prefix, trailing)

    def _core_parameters(self, sig) -> list:
        """The cdef functions' parameters: typed as the entries' defs were (Python objects for arrays
        and for the numbers an array version may take), without defaults or keyword-only marks."""
        objects = {p for p, k in sig.params if ir_is_object(k)} | set(self._objects(sig))
        return [p if p in objects else self._param(p, k) for p, k in sig.params]

    def _entry_table(self, out, sig) -> None:
        """After a function's entries: _NAME_entries, its place in the table, and the Python entries."""
        pending = self.__dict__.pop("_pending_entries", [])
        if self.pure or not pending:
            return
        index = len(self.entry_functions)
        self.entry_functions.append(sig.name)
        taken = {p for p, _ in sig.params}
        which, args, extra = (_free(base, taken) for base in ("which", "args", "extra"))
        objects = {p for p, k in sig.params if ir_is_object(k)} | set(self._objects(sig))
        shown = ", ".join(prefix + sig.name for prefix, _, _, _ in pending)
        lines = out.lines
        lines.append(f"cdef object _{sig.name}_entries(int {which}, tuple {args}, object {extra}):")
        lines.append(f'    """{shown} once bound: converted as their defs did, and done."""')
        lines.append(f"    if len({args}) != {len(sig.params)}:")
        lines.append(f'        raise TypeError("{sig.name}\'s entries bind {len(sig.params)} arguments")')
        lines.extend(f"    cdef {'object' if p in objects else C_TYPES[k]} {p} = {args}[{i}]"
                     for i, (p, k) in enumerate(sig.params))
        cores = [(prefix, trailing, core) for prefix, trailing, _, core in pending if core]
        names = [p for p, _ in sig.params]
        for position, (prefix, trailing, core) in enumerate(cores):
            call = f"{core}({', '.join(names + ([extra] if trailing else []))})"
            if position + 1 < len(cores):
                lines += [f"    if {which} == {WHICH[prefix]}:", f"        return {call}"]
            else:
                lines.append(f"    return {call}")
        lines += ["", "", f"{TABLE}[{index}] = _{sig.name}_entries", ""]
        source = "\n".join(line for _, _, text, _ in pending for line in text).rstrip("\n") + "\n"
        lines.append(f"# {shown}: Python functions binding their arguments as {sig.name} does")
        define, ending = f"{ARRAYS}.python_entries(", f", globals(), {self.module_name!r})"
        if "'''" in source or "\\" in source:
            lines.append(f"{define}{source!r}{ending}")
        else:
            lines += [f"{define}'''"] + source.splitlines() + [f"'''{ending}"]
        lines += ["", ""]


def ir_is_object(kind: str) -> bool:
    """Whether an entry takes a parameter of this kind as a Python object (arrays, whole arrays)."""
    return bool(ir.array_dims(kind)) or kind == ir.NDARRAY


def _free(base: str, taken: set) -> str:
    """base, or base with underscores appended, unlike any of taken (the function's parameters)."""
    while base in taken:
        base += "_"
    return base
