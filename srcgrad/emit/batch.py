"""Batched gradients (`srcgrad build --batch`): grad_NAME_batched maps grad_NAME over a leading
axis of its arguments inside the compiled code, in parallel threads (OpenMP, Cython's prange) when
asked with threads=.

In scope: functions of numbers and 1-D arrays returning a number, whose compiled code runs
without the GIL. Each float argument is given as grad_NAME takes it (the same for every row) or
with a leading batch axis (a 1-D array of numbers, a 2-D array of 1-D arrays); integer and bool
arguments are the same for every row. The result is grad_NAME's, with the batch axis first: an
array of one number per row for a number parameter, a 2-D array for an array parameter.

Each row runs the function's adjoint exactly as grad_NAME does, on its own tape, so the rows
equal a Python loop over grad_NAME bit for bit, whatever the number of threads.
"""

from __future__ import annotations

from .. import ir
from ..runtime_names import qualified
from .printer import C_TYPES
from .wrappers import _uses_tape, _WrapperNames

VECTOR = ir.array_type(1)
THREADS = "threads"


def batchable(sig, holding: set) -> bool:
    """Whether NAME gets a grad_NAME_batched: numbers and 1-D arrays in, a number out, nogil code."""
    kinds = [k for _, k in sig.params]
    return bool(sig.differentiable) and sig.name not in holding and sig.return_type == ir.DOUBLE \
        and all(k in (ir.DOUBLE, ir.INT, ir.BOOL, VECTOR) for k in kinds) \
        and THREADS not in (p for p, _ in sig.params)


class BatchPrinter:
    """Mixed into the module printer (needs self.pure, self._signature, self.interfaces)."""

    def _batched(self, out, code) -> None:
        sig = code.signature
        floats = [p for p, k in sig.params if k in (ir.DOUBLE, VECTOR)]
        local = _WrapperNames({p for p, _ in sig.params})
        names = {n: local[n] for n in ("rows", "row", "workers", "failures", "value", "tape", "failed")}
        grads = {p: local[f"b_{p}"] for p in sig.differentiable}
        names["steps"] = {p: local[f"{p}_step"] for p in floats if dict(sig.params)[p] == VECTOR}
        names["received"] = {p: local[f"g_{p}"] for p in sig.differentiable}
        names["views"] = {p: local[f"c_{p}"] for p in floats}
        names["grad_views"] = {p: local[f"c_{grads[p]}"] for p in sig.differentiable}
        if not self.pure:
            self._batch_row(out.lines, code, floats, grads, names)
        self._batch_wrapper(out.lines, code, floats, grads, names)

    def _batch_row(self, lines: list, code, floats: list, grads: dict, names: dict) -> None:
        """cdef NAME_batch_row: row r of the batch, through the adjoint on a tape of its own."""
        sig = code.signature
        kinds = dict(sig.params)
        steps = names["steps"]
        inputs = [f"{'double[:, ::1]' if kinds[p] == VECTOR else 'double[::1]'} {p}" if p in floats
                  else f"{C_TYPES[k]} {p}" for p, k in sig.params]
        outputs = [f"{'double[:, ::1]' if kinds[p] == VECTOR else 'double[::1]'} {grads[p]}" for p in sig.differentiable]
        row, tape, failed, value = names["row"], names["tape"], names["failed"], names["value"]
        lines.append(f"cdef int _{sig.name}_batch_row(Py_ssize_t {row}, {', '.join(inputs)}, "
                     + "".join(f"Py_ssize_t {s}, " for s in steps.values()) + f"{', '.join(outputs)}) except -1 nogil:")
        lines.append(f'    """One row of grad_{sig.name}_batched, through the adjoint as grad_{sig.name} calls it: '
                     + ('1 if its tape could not grow, else 0."""' if _uses_tape(code.adjoint_body) else '0."""'))
        scalar_grads = [p for p in sig.differentiable if kinds[p] != VECTOR]
        received = {p: names["received"][p] for p in scalar_grads}
        lines.append("    cdef double " + ", ".join([value] + list(received.values())))
        taped = _uses_tape(code.adjoint_body)
        if taped:
            lines.append(f"    cdef {qualified('Tape')} {tape}")
            lines.append(f"    cdef bint {failed} = False")
        arguments = [f"{p}[{row} * {steps[p]}]" if p in steps else f"{p}[{row}]" if p in floats else p
                     for p, _ in sig.params]
        arguments += ["1.0"] + [f"{grads[p]}[{row}]" for p in sig.differentiable if kinds[p] == VECTOR]
        call = f"{', '.join([value] + list(received.values()))} = " \
               f"{sig.adjoint}({'&' + tape if taped else 'NULL'}, {', '.join(arguments)})"
        if taped:
            lines += [f"    {qualified('tape_init')}(&{tape})", "    try:", f"        {call}",
                      f"        {failed} = {tape}.failed", "    finally:", f"        {qualified('tape_free')}(&{tape})"]
        else:
            lines.append(f"    {call}")
        lines += [f"    {grads[p]}[{row}] = {received[p]}" for p in scalar_grads]
        lines += [f"    return {failed if taped else 0}", "", ""]

    def _batch_wrapper(self, lines: list, code, floats: list, grads: dict, names: dict) -> None:
        sig = code.signature
        kinds = dict(sig.params)
        rows, row, workers, failures = names["rows"], names["row"], names["workers"], names["failures"]
        params = self._signature(sig, [p if self.pure or p in floats else f"{C_TYPES[k]} {p}" for p, k in sig.params])
        params += f", {THREADS}=1" if "*" in params.split(", ") else f", *, {THREADS}=1"
        lines.append(f"def grad_{sig.name}_batched({params}):")
        lines.append(f'    """grad_{sig.name} at every row of a batch: each of {", ".join(floats)} as grad_{sig.name} '
                     'takes it (the same')
        lines.append(f"    for every row) or with a leading axis of one per row; the gradients with that axis first. "
                     f"{THREADS}:")
        lines.append('    how many threads compute the rows (0: one per core)."""')
        packed = ", ".join(floats) + ("," if len(floats) == 1 else "")
        taped = _uses_tape(code.adjoint_body)
        if not self.pure:
            lines.append(f"    cdef Py_ssize_t {rows}, {row}, {workers}")
            lines += [f"    cdef int {failures} = 0"] if taped else []
        lines.append(f"    {workers} = {qualified('thread_count')}({sig.name!r}, {THREADS})")
        lines.append(f"    {rows}, ({packed}) = {qualified('batch_arguments')}({sig.name!r}, ({packed}), "
                     f"{tuple(floats)!r}, {tuple(1 if kinds[p] == VECTOR else 0 for p in floats)!r})")
        lines += [f"    {grads[p]} = np.zeros(({rows}, {p}.shape[1]))" if kinds[p] == VECTOR
                  else f"    {grads[p]} = np.zeros({rows})" for p in sig.differentiable]
        result = [grads[p] for p in sig.differentiable]
        result = result[0] if len(result) == 1 else "(" + ", ".join(result) + ")"
        if self.pure:
            lines += self._pure_batch_loop(sig, floats, grads, rows, row)
            lines += [f"    return {result}", "", ""]
            return
        views, grad_views, steps = names["views"], names["grad_views"], names["steps"]
        for view, source, kind in [(views[p], p, kinds[p]) for p in floats] \
                + [(grad_views[p], grads[p], kinds[p]) for p in sig.differentiable]:
            lines.append(f"    cdef {'double[:, ::1]' if kind == VECTOR else 'double[::1]'} {view} = {source}")
        lines += [f"    cdef Py_ssize_t {step} = 0 if {views[p]}.shape[0] == 1 else 1" for p, step in steps.items()]
        arguments = [views[p] if p in floats else p for p, _ in sig.params] + list(steps.values()) \
            + [grad_views[p] for p in sig.differentiable]
        call = f"_{sig.name}_batch_row({row}, {', '.join(arguments)})"
        lines += ["    with nogil:",
                  f'        for {row} in prange({rows}, num_threads={workers}, schedule="dynamic"):',
                  f"            {failures} += {call}" if taped else f"            {call}"]
        if taped:
            lines += [f"    if {failures}:", f'        raise MemoryError("the tape of {sig.name} could not grow")']
        lines += [f"    return {result}", "", ""]

    def _pure_batch_loop(self, sig, floats: list, grads: dict, rows: str, row: str) -> list:
        """--pure: grad_NAME row after row (threads= is checked, and the rows run in turn)."""
        kinds = dict(sig.params)
        interface = self.interfaces.get(sig.name, [])
        keyword = [k for _, k in interface] if len(interface) == len(sig.params) else [False] * len(sig.params)
        arguments = []
        for (p, k), by_keyword in zip(sig.params, keyword):
            value = (f"{p}[0 if {p}.shape[0] == 1 else {row}]" if k == VECTOR else f"{p}[{row}]") if p in floats else p
            arguments.append(f"{p}={value}" if by_keyword else value)
        targets = ", ".join(f"{grads[p]}[{row}]" for p in sig.differentiable)
        return [f"    for {row} in range({rows}):",
                f"        {targets} = grad_{sig.name}({', '.join(arguments)})"]
