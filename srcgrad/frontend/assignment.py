"""Definite assignment: which reads of a local variable may run before any assignment to it.

Python decides at run time: reading a local before an assignment to it ran raises
UnboundLocalError. Compiled code starts every local at zero, so an unchecked read would give
0.0 instead. Following Python's rules on a function's structured IR (a loop may run zero
times unless its range is a constant one that does not; `break`, `continue` and `return` leave
their paths), each read of a local is
- certain: assigned on every path that reaches it. Nothing to do, and nothing is generated;
- impossible: assigned on no path that reaches it. An error at build time, naming the variable;
- uncertain: the variable gets a flag `NAME_assigned`, set after each assignment to it, and the
  read a check `if not NAME_assigned: raise UnboundLocalError(...)` right before its statement,
  under the conditions Python reads it on (an arm of `a if c else b`, an operand after `and`/`or`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import ir
from ..diagnostics import Unsupported

UNBOUND = "UnboundLocalError"


def unbound_message(name: str) -> str:
    return f"cannot access local variable '{name}' where it is not associated with a value"


@dataclass(frozen=True)
class _State:
    must: frozenset  # assigned on every path here
    may: frozenset  # assigned on some path here


def _join(*states):
    """The state where paths meet; None (unreachable) when no path reaches."""
    live = [s for s in states if s is not None]
    if not live:
        return None
    return _State(frozenset.intersection(*[s.must for s in live]), frozenset.union(*[s.may for s in live]))


def _assigned(state, name: str):
    if state is None:
        return None
    return _State(state.must | {name}, state.may | {name})


def _after(state, reads, tracked):
    """The state once a statement's reads are done: each local it always reads is assigned there,
    or Python would have raised; no path goes on past a read of a local assigned on no path."""
    if state is None:
        return None
    read = frozenset(r.name for r in reads if not r.conditions and r.name in tracked)
    if not read <= state.may:
        return None
    return _State(state.must | read, state.may)


@dataclass
class _Loop:
    breaks: list = field(default_factory=list)
    continues: list = field(default_factory=list)


@dataclass
class Read:
    name: str
    conditions: tuple  # what must hold for Python to evaluate the read (empty: always)


def reads_of(e: ir.Expr, conditions: tuple = ()) -> list:
    """The names e reads, in Python's evaluation order, each with the conditions it is read under."""
    if isinstance(e, ir.Name):
        return [Read(e.id, conditions)]
    if isinstance(e, ir.IfExp):
        return (reads_of(e.test, conditions) + reads_of(e.body, conditions + (e.test,))
                + reads_of(e.orelse, conditions + (ir.Unary("not", e.test),)))
    if isinstance(e, ir.BoolOp):
        out, before = [], conditions
        for value in e.values:
            out += reads_of(value, before)
            before = before + ((value,) if e.op == "and" else (ir.Unary("not", value),))
        return out
    out = []
    for child in ir.children(e):  # an element x[i] reads x, then i
        out += reads_of(child, conditions)
    return out


def statement_reads(s) -> list:
    if isinstance(s, ir.Assign):
        found = reads_of(s.value)
        if s.index is not None:  # `y[i] = v` evaluates v, then y and i
            found += reads_of(ir.Index(s.target, s.index))
        return found
    if isinstance(s, (ir.If, ir.While)):
        return reads_of(s.test)
    if isinstance(s, ir.For):
        return reads_of(s.start) + reads_of(s.stop) + reads_of(s.step)
    if isinstance(s, ir.Return):
        return reads_of(s.value)
    return []


def _runs_at_least_once(s: ir.For) -> bool:
    bounds = (s.start, s.stop, s.step)
    if not all(isinstance(b, ir.Const) and type(b.value) is int for b in bounds) or s.step.value == 0:
        return False
    return len(range(s.start.value, s.stop.value, s.step.value)) > 0


class _Analysis:
    """One forward pass over the body per loop iteration until the loop's entry state settles;
    what the last (settled) pass finds about each statement is the answer."""

    def __init__(self, tracked: set):
        self.tracked = tracked
        self.uncertain = {}  # id(statement) -> [Read] checked right before it
        self.impossible = {}  # id(statement) -> (statement, name) of its first read of an unassigned name
        self.back_edge = {}  # id(While) -> [Read] of its test when evaluated again after an iteration

    def classify(self, key, s, reads, state, record_impossible=True) -> list:
        uncertain = []
        impossible = None
        if state is not None:
            for read in reads:
                if read.name not in self.tracked or read.name in state.must:
                    continue
                if read.name in state.may or not record_impossible:
                    uncertain.append(read)
                elif impossible is None:
                    impossible = (s, read.name)
        if record_impossible:
            self.impossible.pop(key, None)
            if impossible is not None:
                self.impossible[key] = impossible
        return uncertain

    def block(self, stmts, state, loop):
        for s in stmts:
            state = self.statement(s, state, loop)
        return state

    def statement(self, s, state, loop):
        if not isinstance(s, ir.While):
            reads = statement_reads(s)
            self.uncertain[id(s)] = self.classify(id(s), s, reads, state)
            state = _after(state, reads, self.tracked)
        if isinstance(s, ir.Assign):
            return state if s.index is not None else _assigned(state, s.target)
        if isinstance(s, ir.If):
            return _join(self.block(s.body, state, loop), self.block(s.orelse, state, loop))
        if isinstance(s, ir.Return):
            return None
        if isinstance(s, ir.Break):
            if loop is not None:
                loop.breaks.append(state)
            return None
        if isinstance(s, ir.Continue):
            if loop is not None:
                loop.continues.append(state)
            return None
        if isinstance(s, ir.For):
            first = _assigned(state, s.var)
            entry = first
            while True:
                inner = _Loop()
                back = _join(self.block(s.body, entry, inner), *inner.continues)
                settled = _join(first, _assigned(back, s.var))
                if settled == entry:
                    break
                entry = settled
            return _join(None if _runs_at_least_once(s) else state, back, *inner.breaks)
        if isinstance(s, ir.While):
            reads = statement_reads(s)
            self.uncertain[id(s)] = self.classify(id(s), s, reads, state)
            entry = state
            while True:
                inner = _Loop()
                back = _join(self.block(s.body, _after(entry, reads, self.tracked), inner), *inner.continues)
                settled = _join(state, back)
                if settled == entry:
                    break
                entry = settled
            self.back_edge[id(s)] = self.classify(None, s, reads, back, record_impossible=False)
            forever = isinstance(s.test, ir.Const) and s.test.value is True
            return _join(None if forever else _after(entry, reads, self.tracked), *inner.breaks)
        return state


def check_reads(function: ir.Function, tracked: set, fresh) -> tuple:
    """Make every read of a local in function.body behave as in Python.

    Returns (None, None) when nothing needs to change, (statement, name) of the first read of a
    variable assigned on no path before it (an error in the source), or else inserts the flags
    and checks in function.body and returns (None, {variable: flag}). `fresh(base)` gives an unused name.
    """
    params = frozenset(name for name, _ in function.params)
    analysis = _Analysis(set(tracked) - params)
    analysis.block(function.body, _State(params, params), None)
    if analysis.impossible:
        return min(analysis.impossible.values(), key=lambda found: (found[0].line, found[0].column)), None
    names = {read.name for reads in list(analysis.uncertain.values()) + list(analysis.back_edge.values())
             for read in reads}
    if not names:
        return None, None
    flags = {name: fresh(f"{name}_assigned") for name in sorted(names)}
    checker = _Rewriter(analysis, flags)
    body = checker.block(function.body, None)
    line, column = function.line, function.column
    function.body = [ir.Assign(line, column, flags[name], ir.Const(False)) for name in sorted(flags)] + body
    for flag in flags.values():
        function.var_types[flag] = ir.BOOL
    return None, flags


class _Rewriter:
    def __init__(self, analysis: _Analysis, flags: dict):
        self.analysis = analysis
        self.flags = flags

    def checks(self, s, reads) -> list:
        out, seen = [], set()
        for read in reads:
            key = (read.name, read.conditions)
            if key in seen:
                continue
            seen.add(key)
            for condition in read.conditions:
                if _unsafe_to_repeat(condition):
                    raise Unsupported(f"the variable '{read.name}', which may be unassigned, read under a condition "
                                      "that reads an array element or calls a function", s.line, s.column)
            unassigned = ir.Unary("not", ir.Name(self.flags[read.name]))
            test = ir.BoolOp("and", (unassigned,) + read.conditions) if read.conditions else unassigned
            out.append(ir.RaiseIf(s.line, s.column, test, UNBOUND, unbound_message(read.name)))
        return out

    def set_flag(self, s, name: str) -> list:
        if name not in self.flags:
            return []
        return [ir.Assign(s.line, s.column, self.flags[name], ir.Const(True))]

    def block(self, stmts, loop) -> list:
        """loop: the innermost enclosing While whose test a `continue` re-evaluates, else None."""
        out = []
        for s in stmts:
            out.extend(self.checks(s, self.analysis.uncertain.get(id(s), [])))
            if isinstance(s, ir.If):
                s.body, s.orelse = self.block(s.body, loop), self.block(s.orelse, loop)
            elif isinstance(s, ir.For):
                s.body = self.set_flag(s, s.var) + self.block(s.body, None)
            elif isinstance(s, ir.While):
                s.body = self.block(s.body, s) + self.checks(s, self.analysis.back_edge.get(id(s), []))
            elif isinstance(s, ir.Continue) and loop is not None:
                out.extend(self.checks(loop, self.analysis.back_edge.get(id(loop), [])))
            out.append(s)
            if isinstance(s, ir.Assign) and s.index is None:
                out.extend(self.set_flag(s, s.target))
        return out


def _unsafe_to_repeat(e: ir.Expr) -> bool:
    """Whether evaluating e once more, ahead of its statement, could do what Python would not:
    read an element before its bounds check, or call a function."""
    if isinstance(e, (ir.Index, ir.UserCall, ir.Alloc)):
        return True
    return any(_unsafe_to_repeat(c) for c in ir.children(e))
