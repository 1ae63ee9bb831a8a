"""What the reverse sweep needs recorded, and what it can recompute instead.

The to-be-recorded analysis: a variable's old value is pushed on the tape before an assignment
only if some adjoint reads that variable and an earlier value can still be needed (the
assignment is in a loop, or the variable was set before). Element writes that never destroy a
needed value (each element of a fresh array written once) are not recorded, and loop-local
values that read only what never changes are recomputed by the reverse sweep instead of taped.
"""

from __future__ import annotations

from .. import ir


def recording_plan(function: ir.Function, adjoint_reads: dict) -> dict:
    """id(statement) -> whether the forward sweep must push the value it overwrites.

    adjoint_reads: id(assignment) -> the variables its adjoint reads.

    A forward dataflow over the lowered code: a variable is *pending* at a point when some
    statement executed earlier has an adjoint that reads it and no assignment has replaced it
    since. Overwriting a pending variable, or one whose old value the assignment's own adjoint
    reads, destroys a value the reverse sweep needs: that assignment records it. An element
    write keeps the rest of its array, so it never ends an array's pending state.
    """
    record = {}

    def mark(s, needed: bool):
        record[id(s)] = record.get(id(s), False) or needed

    def flow(stmts, pending: frozenset) -> frozenset:
        for s in stmts:
            if isinstance(s, ir.Assign):
                reads = adjoint_reads.get(id(s), set())
                mark(s, s.target in pending or s.target in reads)
                if s.index is None:
                    pending = (pending | reads) - {s.target}
                else:
                    pending = pending | reads
            elif isinstance(s, ir.If):
                pending = flow(s.body, pending) | flow(s.orelse, pending)
            elif isinstance(s, (ir.For, ir.While)):
                if isinstance(s, ir.For):
                    mark(s, s.var in pending)
                loop_pending = pending
                while True:  # around the back edge until nothing new is pending
                    after = flow(s.body, loop_pending - ({s.var} if isinstance(s, ir.For) else set()))
                    if after <= loop_pending:
                        break
                    loop_pending = loop_pending | after
                pending = loop_pending
        return pending

    flow(function.body, frozenset())
    return record


def recomputation_plan(function: ir.Function, stable: set) -> tuple:
    """Loop-local values cheaper to recompute than to tape.

    `a = abs(x[i])` at the top level of `for i` body, reading only values that never change,
    the loop variable and earlier such values, and read in the body only after it: the
    reverse sweep recomputes it at the start of each reversed iteration instead of popping it,
    and conditions on it become recomputable too. stable: the names whose value never changes
    during a call (analysis.activity.stable_names).

    Returns (id(For) -> its recomputed assignments in body order, the variables they assign).
    """
    recomputed, recomputed_vars = {}, set()
    types = function.var_types
    counts = {}
    for x in ir.walk(function.body):
        if isinstance(x, ir.Assign):
            counts[x.target] = counts.get(x.target, 0) + 1
    params = {p for p, _ in function.params}

    def visit(stmts, loop_vars):
        for s in stmts:
            if isinstance(s, ir.For):
                fixed = not any(isinstance(x, ir.Assign) and x.target == s.var for x in ir.walk(s.body))
                inner_vars = loop_vars | ({s.var} if fixed else set())
                chosen, known = [], set()
                for k, x in enumerate(s.body):
                    if not (isinstance(x, ir.Assign) and x.index is None and counts.get(x.target) == 1
                            and x.target not in params and types.get(x.target) in (ir.DOUBLE, ir.INT, ir.BOOL)
                            and not isinstance(x.value, (ir.UserCall, ir.Alloc)) and not ir.user_calls_in(x.value)
                            and ir.names_in(x.value) <= stable | inner_vars | known):
                        continue
                    if any(x.target in names_read(y) for y in s.body[:k]):
                        continue  # read before it is set: that reads the previous iteration's value
                    chosen.append(x)
                    known.add(x.target)
                if chosen:
                    recomputed[id(s)] = chosen
                    recomputed_vars.update(known)
                visit(s.body, inner_vars)
            elif isinstance(s, ir.If):
                visit(s.body, loop_vars)
                visit(s.orelse, loop_vars)
            elif isinstance(s, ir.While):
                visit(s.body, loop_vars)

    visit(function.body, set())
    return recomputed, recomputed_vars


def elements_written_once(function: ir.Function) -> set:
    """ids of element assignments that write each element of a fresh local array at most once,
    and that no code the reverse sweep replays reads before that write.

    Such a write never destroys a value the reverse sweep needs, so it is not taped: the array is
    allocated once outside loops, this is its only element assignment, its indices are the
    variables of all enclosing `for` loops (one each), and inside the outermost of those loops the
    array is read only at the element being written, and only after the write: `y[i] *= g`,
    `y[i] = f(y[i])`, or `t = y[i]` before `y[i] = ...` read the element's old value, which the
    reverse sweep needs. (`y[i] += e`, with e not reading y, needs only e.) Nor is the whole array
    read inside that loop or before it.
    """
    allocations, writes, order = {}, {}, []
    found = set()

    def visit(stmts, loops):
        for s in stmts:
            order.append(s)
            if isinstance(s, ir.Assign) and isinstance(s.value, ir.Alloc):
                allocations.setdefault(s.target, []).append((s, bool(loops)))
            if isinstance(s, ir.Assign) and s.index is not None:
                writes.setdefault(s.target, []).append((s, list(loops)))
            if isinstance(s, ir.If):
                visit(s.body, loops)
                visit(s.orelse, loops)
            elif isinstance(s, (ir.For, ir.While)):
                visit(s.body, loops + [s])

    visit(function.body, [])
    params = {p for p, _ in function.params}
    for array, [(s, loops)] in ((a, w) for a, w in writes.items() if len(w) == 1):
        if array in params or len(allocations.get(array, [])) != 1 or allocations[array][0][1]:
            continue
        if not loops or not all(isinstance(loop, ir.For) for loop in loops):
            continue
        loop_vars = [loop.var for loop in loops]
        if sorted(i.id for i in s.index if isinstance(i, ir.Name)) != sorted(loop_vars) or len(s.index) != len(loops):
            continue
        if any(x.target == v for x in ir.walk(loops[0].body) if isinstance(x, ir.Assign) for v in loop_vars):
            continue
        inside = {id(x) for x in ir.walk([loops[0]])}
        outer_position = next(k for k, x in enumerate(order) if x is loops[0])
        write_position = next(k for k, x in enumerate(order) if x is s)
        element = ir.Index(array, s.index)
        reads_ok = True
        for k, other in enumerate(order):
            if k >= outer_position and id(other) not in inside:
                continue  # after the loop: every write is done
            if other is s and accumulation_increment(s.value, element) is not None:
                continue  # y[i] += e: its adjoint does not need the old y[i]
            if _whole_array_reads(other, array):
                reads_ok = False
            for read in _element_reads(other, array):
                if k < outer_position or read.indices != s.index or k <= write_position:
                    reads_ok = False
        if reads_ok:
            found.add(id(s))
    return found


def _whole_array_reads(s, array: str) -> bool:
    """Whether statement s (itself, not what is nested in it) reads `array` other than by element."""
    def visit(e):
        if isinstance(e, ir.Index):
            return any(visit(i) for i in e.indices)
        if isinstance(e, ir.Call) and e.func == "shape":
            return False  # its shape, which element writes keep
        if isinstance(e, ir.Name):
            return e.id == array
        return any(visit(c) for c in ir.children(e))

    return any(visit(e) for e in ir.reads_of(s))


def names_read(s) -> set:
    """Names a statement (with everything nested in it) reads."""
    names = set()
    for x in ir.walk([s]):
        for e in ir.reads_of(x):
            names |= ir.names_in(e)
    return names


def reader_counts(function: ir.Function) -> dict:
    """How many statements read each variable."""
    counts = {}
    for s in ir.walk(function.body):
        names = set()
        for e in ir.reads_of(s):
            names |= ir.names_in(e)
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    return counts


def _element_reads(s, array: str) -> list:
    found = []

    def visit(e):
        if isinstance(e, ir.Index) and e.array == array:
            found.append(e)
        for c in ir.children(e):
            visit(c)

    for e in ir.reads_of(s):
        visit(e)
    return found


def accumulation_increment(value: ir.Expr, element: ir.Index):
    """(e, +1) for `element + e`, (e, -1) for `element - e`, if e does not read the array; else None."""
    if isinstance(value, ir.BinOp) and value.op in "+-" and value.left == element \
            and element.array not in ir.names_in(value.right):
        return value.right, (1 if value.op == "+" else -1)
    return None
