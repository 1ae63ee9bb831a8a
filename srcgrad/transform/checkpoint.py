"""Checkpointed loops: a loop's reverse sweep within a memory limit (`--tape-limit SIZE`, or a
`# srcgrad: checkpoint` comment on the loop).

A `for` loop at the top level of a function whose trip count is known when it starts, and that
neither breaks nor writes arrays, is reversed by the runtime's binomial schedule (revolve,
runtime/tape.pyx): its forward sweep runs the iterations without taping and saves the variables
they hand on (the loop-carried snapshot) at the schedule's checkpoints; its reverse sweep loads a
snapshot, runs a block of iterations again, taped exactly as the plain forward sweep tapes them,
and reverses that block. Every adjoint statement runs in the same order on the same values as in
the taped loop, so the gradients are bit-identical. When the whole loop's tape fits the limit
(the runtime decides, from the trip count), the loop is taped as usual.

The taped form stays in the generated code beside the checkpointed one, behind
`if checkpointing(cp)`, for when the whole tape fits.

Forward mode over the adjoint (hvp_, forward over reverse) keeps the schedule: `with_tangents`
makes each snapshot hold the carried values and their tangents, so a block run again from a
snapshot carries its tangents too, and the reverse sweep's adjoint tangents follow the same
blocks. The hvp's statements are those of the taped hvp, in the same order, so it is
bit-identical to it.
"""

from __future__ import annotations

import re

from .. import ir
from ..ir import TAPE, GAssign, GBreak, GCall, GFor, GIf, GUnpack, GWhile
from ..runtime_names import PUSH, PUSH_BRANCH, RESERVE
from ..sizes import DEFAULT_CHECKPOINT_LIMIT, parse_size

CHECKPOINTS = "checkpoints"  # the kind of the local holding a loop's schedule
ADVANCE, SAVE, RESTORE, TURN, DONE = 1, 2, 3, 4, 0
_MARKER = re.compile(r"#\s*srcgrad:\s*checkpoint\b\s*(\S*)")
_TAPING = frozenset(PUSH.values()) | {PUSH_BRANCH} | frozenset(RESERVE.values())
_BYTES = {"push_double": 8, "push_int": 8, PUSH_BRANCH: 1}


def marker_limit(source_lines: list, line: int):
    """The limit a `# srcgrad: checkpoint [SIZE]` comment on the loop at `line` (or alone on the
    line above it) asks for; None without one."""
    for number, whole_line in ((line, False), (line - 1, True)):
        if not 1 <= number <= len(source_lines):
            continue
        text = source_lines[number - 1]
        match = _MARKER.search(text)
        if match and (not whole_line or text.strip().startswith("#")):
            try:
                return parse_size(match.group(1)) if match.group(1) else DEFAULT_CHECKPOINT_LIMIT
            except ValueError:
                return DEFAULT_CHECKPOINT_LIMIT
    return None


def loop_limit(mode, s) -> int | None:
    """The memory limit of loop s: the build's --tape-limit, or its own comment's."""
    marked = marker_limit(mode.fn.source_lines, s.line)
    return marked if marked is not None and mode.tape_limit is None else mode.tape_limit


def note_taped(mode, s, body_f: list, why: str) -> None:
    """A loop under a limit that stays taped: say so (a build warning naming the loop). A loop
    nested in another is named only when its comment asks: the outer loop bounds its tape."""
    if loop_limit(mode, s) is None or not _tapes(body_f):
        return
    if mode._loop_depth > 0 and marker_limit(mode.fn.source_lines, s.line) is None:
        return
    mode.checkpoint_notes.append((s.line, s.column, f"the loop at line {s.line} is taped, not checkpointed "
                                                    f"({why}); its tape is not bounded by the tape limit"))


def checkpointed(mode, s, body_f: list, body_r: list, taped_f: list, taped_r: list) -> tuple:
    """(forward, reverse) of the loop s at a function's top level: checkpointed when its tape would
    not fit, taped (taped_f, taped_r) when it would. Unchanged when no limit applies or the loop
    cannot be checkpointed (with a note).

    A for loop over a range whose bounds and step never change, with no break, knows its trip
    count when it starts. A while loop, or a for loop that can break, is first run untaped from a
    snapshot of its start to count its iterations (one more primal run of the loop), then loaded
    back and scheduled as the other."""
    limit = loop_limit(mode, s)
    if limit is None or not _tapes(body_f):
        return taped_f, taped_r
    doubles, ints, arrays, why = _carried(mode, s, body_f)
    if mode._loop_depth > 0:
        why = "it is nested in another loop; loops at a function's top level are checkpointed"
    if why:
        note_taped(mode, s, body_f, why)
        return taped_f, taped_r
    cp = mode.temp("checkpoints", CHECKPOINTS)
    per_iteration = _bytes_per_iteration(mode, body_f)
    carried = _Carried(mode, cp, doubles, ints, arrays)
    checkpointed_f, checkpointed_r = _schedule(mode, s, cp, body_f, body_r, carried)
    sizes = (ir.Const(0) if per_iteration is None else per_iteration, carried.width_doubles(), ir.Const(len(ints)),
             ir.Const(limit))
    if isinstance(s, ir.For) and s.exit_flag is None:
        forward = [GAssign(cp, ir.Call("checkpoints_new", (TAPE, _trip_count(s)) + sizes)),
                   GIf(ir.Call("checkpointing", (ir.Name(cp),)), checkpointed_f, taped_f)]
    else:
        trips = mode.temp("trips", ir.INT)
        forward = [GAssign(cp, ir.Call("checkpoints_entry", (TAPE,) + sizes[1:3])),
                   GIf(ir.Call("checkpoints_counting", (ir.Name(cp),)),
                       carried.save() + [GAssign(trips, ir.Const(0)), _counting_loop(mode, s, trips, body_f)]
                       + carried.restore()),
                   GIf(ir.Call("checkpoints_plan", (ir.Name(cp), TAPE, ir.Name(trips), sizes[0], sizes[3])),
                       checkpointed_f, taped_f)]
    reverse = [GIf(ir.Call("checkpointing", (ir.Name(cp),)), checkpointed_r, taped_r),
               GCall("checkpoints_free", (ir.Name(cp),))]
    what = f"{len(doubles)} double{'s' if len(doubles) != 1 else ''}, {len(ints)} int{'s' if len(ints) != 1 else ''}" \
        + "".join(f", the array {name}" for name in arrays)
    mode.taped.append(f"loop at line {s.line} checkpointed within {limit} bytes (snapshot: {what})")
    return forward, reverse


def _schedule(mode, s, cp: str, body_f: list, body_r: list, carried) -> tuple:
    """The checkpointed arms: forward, run to the last block saving snapshots and tape that block;
    reverse, reverse the taped block, then reach, tape and reverse each earlier block in turn."""
    action = mode.temp("action", ir.INT)
    iterations = _Iterations(mode, s, cp)
    turn = iterations.forward(body_f)
    advance = iterations.forward(untaped(body_f))
    forward = [GWhile(ir.Const(True), _dispatch(action, cp, [ADVANCE, SAVE], advance, carried),
                      f"line {s.line}: to the last block, saving snapshots")] + turn
    reverse = [GWhile(ir.Const(True), iterations.backward(body_r) + [
        GWhile(ir.Const(True), _dispatch(action, cp, [ADVANCE, SAVE, RESTORE], advance, carried),
               "to the next block to reverse"),
        GIf(ir.Compare("==", ir.Name(action), ir.Const(DONE)), [GBreak()])] + turn,
        f"line {s.line}, reversed block by block")]
    return forward, reverse


def _counting_loop(mode, s, trips: str, body_f: list):
    """The loop run untaped, counting its iterations into trips (it stops as the original does)."""
    count = GAssign(trips, ir.Const(1), "+=")
    if isinstance(s, ir.While):
        return GWhile(s.test, [count] + untaped(body_f), f"line {s.line}: count the iterations")
    k = mode.temp("iteration", ir.INT)
    return GFor(k, (_trip_count(s),), [GAssign(s.var, s.start + ir.Name(k) * s.step), count] + untaped(body_f),
                f"line {s.line}: count the iterations")


def _dispatch(action: str, cp: str, codes: list, advance: list, carried) -> list:
    """`action = checkpoints_next(cp)`, then the statements of each action in codes; any other
    action (a turn, or done) leaves the enclosing while loop."""
    arms = {ADVANCE: advance, SAVE: carried.save(), RESTORE: carried.restore()}
    chain = [GBreak()]
    for code in reversed(codes):
        chain = [GIf(ir.Compare("==", ir.Name(action), ir.Const(code)), arms[code], chain)]
    return [GAssign(action, ir.Call("checkpoints_next", (ir.Name(cp),)))] + chain


class _Carried:
    """The loop-carried variables, saved to and loaded from the schedule's current slot: the
    scalars, then the elements of the arrays the loop writes (their sizes are known when it
    starts: arrays are not allocated anew inside loops)."""

    def __init__(self, mode, cp: str, doubles: list, ints: list, arrays: list):
        self.cp, self.doubles, self.ints, self.arrays = ir.Name(cp), doubles, ints, arrays
        self.kinds = {name: mode.types[name] for name in arrays}
        self.counters = [mode.temp("element", ir.INT) for _ in range(max(map(ir.array_dims, self.kinds.values()),
                                                                             default=0))]

    def width_doubles(self) -> ir.Expr:
        """The doubles a snapshot holds, as an expression evaluated when the loop starts."""
        width = ir.Const(len(self.doubles))
        for name in self.arrays:
            width = width + self._size(name)
        return width

    def save(self) -> list:
        return [GCall(f"save_{kind}", (self.cp, ir.Const(k), ir.Name(v)))
                for kind, names in (("double", self.doubles), ("int", self.ints)) for k, v in enumerate(names)] \
            + self._elements(lambda element, at: GCall("save_double", (self.cp, at, element)))

    def restore(self) -> list:
        return [GAssign(v, ir.Call(f"load_{kind}", (self.cp, ir.Const(k))))
                for kind, names in (("double", self.doubles), ("int", self.ints)) for k, v in enumerate(names)] \
            + self._elements(lambda element, at: GAssign(element, ir.Call("load_double", (self.cp, at))))

    def _size(self, name: str) -> ir.Expr:
        size = ir.Const(1)
        for d in range(ir.array_dims(self.kinds[name])):
            size = size * ir.Call("shape", (ir.Name(name), ir.Const(d)))
        return size

    def _elements(self, statement) -> list:
        """statement(element, its place in the slot) for every element of every carried array."""
        out, offset = [], ir.Const(len(self.doubles))
        for name in self.arrays:
            dims = ir.array_dims(self.kinds[name])
            index = [ir.Name(c) for c in self.counters[:dims]]
            at = offset
            flat = index[0]
            for d in range(1, dims):
                flat = flat * ir.Call("shape", (ir.Name(name), ir.Const(d))) + index[d]
            body = [statement(ir.Index(name, tuple(index)), at + flat)]
            for d in reversed(range(dims)):
                body = [GFor(self.counters[d], (ir.Call("shape", (ir.Name(name), ir.Const(d))),), body)]
            out += body
            offset = offset + self._size(name)
        return out


class _Iterations:
    """Loops over the schedule's iterations [first, last) of the loop s, forward or reversed,
    with s's variable taking the values it takes in the original loop."""

    def __init__(self, mode, s: ir.For, cp: str):
        self.s, self.mode = s, mode
        self.first = ir.Call("checkpoints_first", (ir.Name(cp),))
        self.last = ir.Call("checkpoints_last", (ir.Name(cp),))

    def forward(self, body: list) -> list:
        return self._loop(body, (self.first, self.last), 1)

    def backward(self, body: list) -> list:
        return self._loop(body, (self.last - 1, self.first - 1, ir.Const(-1)), -1)

    def _loop(self, body: list, bounds: tuple, direction: int) -> list:
        s = self.s
        if isinstance(s, ir.While):
            return [GFor(self.mode.temp("iteration", ir.INT), bounds, body)]
        if _unit_step(s) == 1 and isinstance(s.start, ir.Const) and s.start.value == 0:
            return [GFor(s.var, bounds, body)]
        k = self.mode.temp("iteration", ir.INT)
        step = _unit_step(s)
        value = s.start + ir.Name(k) if step == 1 else s.start - ir.Name(k) if step == -1 else \
            s.start + ir.Name(k) * s.step
        return [GFor(k, bounds, [GAssign(s.var, value)] + body)]


def _unit_step(s: ir.For) -> int:
    """1 or -1 for a loop stepping by that constant, else 0."""
    return s.step.value if isinstance(s.step, ir.Const) and s.step.value in (1, -1) else 0


def _trip_count(s: ir.For) -> ir.Expr:
    """The iterations of a for loop's range (before any break)."""
    step = _unit_step(s)
    if step:
        return s.stop - s.start if step == 1 else s.start - s.stop
    return ir.Call("range_length", (s.start, s.stop, s.step))


def untaped(stmts: list) -> list:
    """A forward sweep without its pushes: the primal's statements, in the same order."""
    out = []
    for g in stmts:
        if not (isinstance(g, GCall) and g.func in _TAPING):
            out.append(_with_blocks(g, untaped))
    return out


# the arguments of the schedule's calls that size it: bytes an iteration tapes, doubles a snapshot holds
_SIZES = {"checkpoints_new": (2, 3), "checkpoints_entry": (1,), "checkpoints_plan": (3,)}


def with_tangents(tangents, g):
    """g, a statement of a checkpointed adjoint, under forward mode (tangents: forward.Tangents);
    None when g is not one of the schedule's statements that tangents change.

    A snapshot holds each value at twice its place and its tangent just after it, so the schedule
    is made with twice the doubles; an iteration tapes at most twice the bytes (each double beside
    its tangent), so twice the bytes an iteration tapes plans the blocks within the limit."""
    if isinstance(g, GCall) and g.func == "save_double":
        cp, at, value = g.args
        saved = [GCall("save_double", (cp, 2 * at, value), g.comment)]
        if _tangent_kept(tangents, value):
            saved.append(GCall("save_double", (cp, 2 * at + 1, tangents.tangent(value)), "and its tangent"))
        return saved
    if isinstance(g, GAssign) and isinstance(g.value, ir.Call) and g.value.func == "load_double":
        cp, at = g.value.args
        loaded = GAssign(g.target, ir.Call("load_double", (cp, 2 * at)), g.op, g.comment)
        if not _tangent_kept(tangents, g.target if isinstance(g.target, ir.Index) else ir.Name(g.target)):
            return [loaded]
        d_target = ir.Index(tangents.d(g.target.array), g.target.indices) if isinstance(g.target, ir.Index) \
            else tangents.d(g.target)
        return [GAssign(d_target, ir.Call("load_double", (cp, 2 * at + 1))), loaded]
    if isinstance(g, GAssign) and isinstance(g.value, ir.Call) and g.value.func in _SIZES:
        return [GAssign(g.target, _doubled_sizes(g.value), g.op, g.comment)]
    if isinstance(g, GIf) and isinstance(g.test, ir.Call) and g.test.func == "checkpoints_counting":
        return [g]  # counting a loop's iterations needs no tangents: values saved, run, loaded back
    if isinstance(g, GIf) and isinstance(g.test, ir.Call) and g.test.func in _SIZES:
        return [GIf(_doubled_sizes(g.test), tangents.transform(g.body), tangents.transform(g.orelse))]
    return None


def _tangent_kept(tangents, value) -> bool:
    """Whether a snapshot keeps the tangent of value (a name or an array element): it varies and
    what the function returns reads its tangent."""
    name = value.array if isinstance(value, ir.Index) else getattr(value, "id", None)
    return name in tangents.varied and (tangents.needed is None or name in tangents.needed)


def _doubled_sizes(call: ir.Call) -> ir.Call:
    return ir.Call(call.func, tuple(ir.Const(2) * a if k in _SIZES[call.func] else a for k, a in enumerate(call.args)))


def _with_blocks(g, transform):
    """g with transform applied to each statement list it holds (g itself when it holds none)."""
    if isinstance(g, GIf):
        return GIf(g.test, transform(g.body), transform(g.orelse))
    if isinstance(g, GFor):
        return GFor(g.var, g.args, transform(g.body), g.comment)
    if isinstance(g, GWhile):
        return GWhile(g.test, transform(g.body), g.comment)
    return g


def _tapes(body_f: list) -> bool:
    return any(isinstance(g, GCall) and g.func in _TAPING for g in ir.walk_generated(body_f))


def _bytes_per_iteration(mode, body: list):
    """The bytes one iteration of a loop body pushes, as an expression the generated code
    evaluates when the loop starts (an if counts its larger arm, or both when they are not
    constants; a nested loop its pushes times its trip count); None when a nested loop's trip count can change from one iteration to the next
    (the runtime then schedules one iteration per block)."""
    total = ir.Const(0)
    for g in body:
        if isinstance(g, GCall) and g.func in _BYTES:
            total = total + ir.Const(_BYTES[g.func])
        elif isinstance(g, GIf):
            arms = [_bytes_per_iteration(mode, g.body), _bytes_per_iteration(mode, g.orelse)]
            if None in arms:
                return None
            both = isinstance(arms[0], ir.Const) and isinstance(arms[1], ir.Const)
            total = total + (ir.Const(max(arms[0].value, arms[1].value)) if both else arms[0] + arms[1])
        elif isinstance(g, (GFor, GWhile)) and _tapes(g.body):
            inner = _bytes_per_iteration(mode, g.body) if isinstance(g, GFor) else None
            if inner is None or not set().union(*map(ir.names_in, g.args)) <= mode.stable:
                return None
            bounds = (ir.Const(0),) + g.args if len(g.args) == 1 else g.args
            trips = ir.Call("range_length", (bounds + (ir.Const(1),))[:3])
            total = total + inner * trips
    return total


def _carried(mode, s, body_f: list) -> tuple:
    """(doubles, ints, arrays, ""): the scalars the loop's forward sweep reads or writes that can
    change during a call, and the arrays it writes, which a snapshot keeps; or ([], [], [], why the
    loop cannot be checkpointed).

    Not the function's result: a loop sets it only as it returns, in its last iteration (which
    the last block's run sets again), and the adjoint returns it after the reverse sweep, which
    loading a snapshot taken before would undo."""
    kinds = {**mode.types, **mode.temps}
    names = set()
    for g in ir.walk_generated(body_f):
        names |= _names_of(g)
    order = list(ir.walk(mode.fn.body))
    start = next(k for k, x in enumerate(order) if x is s)
    inside = {id(x) for x in ir.walk(s.body)}
    arrays = []
    for name in sorted(n for n in names if n in kinds and kinds[n] not in (ir.DOUBLE, ir.INT, ir.BOOL)):
        writes = [x for x in order[start:] if isinstance(x, ir.Assign) and x.target == name]
        if any(id(x) not in inside for x in writes):
            return [], [], [], f"the array '{name}' it reads is written after it"
        if writes and not ir.array_dims(kinds[name]):
            return [], [], [], f"it gives the whole array '{name}' new values"
        if writes:
            arrays.append(name)
    scalars = sorted(n for n in names if kinds.get(n) in (ir.DOUBLE, ir.INT, ir.BOOL)
                     and n not in (getattr(s, "var", None), mode.result) and n not in mode.stable)
    return [n for n in scalars if kinds[n] == ir.DOUBLE], [n for n in scalars if kinds[n] != ir.DOUBLE], arrays, ""


def _names_of(g) -> set:
    names = set()
    if isinstance(g, GAssign):
        if isinstance(g.target, str):
            names.add(g.target)
        else:
            names |= ir.names_in(g.target)
        names |= ir.names_in(g.value)
    elif isinstance(g, GCall):
        for a in g.args:
            names |= ir.names_in(a)
    elif isinstance(g, (GIf, GWhile)):
        names |= ir.names_in(g.test)
    elif isinstance(g, GFor):
        names.add(g.var)
        for a in g.args:
            names |= ir.names_in(a)
    elif isinstance(g, GUnpack):
        names |= set(g.targets) | ir.names_in(g.value)
    return names
