"""Checkpointed loops (`--tape-limit`, `# srcgrad: checkpoint`): gradients bit-identical to the
taped build's, compiled and --pure, with the tape actually bounded.

tests/programs/checkpointing.py is built taped and with a 2K limit, which its loops exceed at a
few hundred iterations: scalar state (the oscillator), branches and an integer counter, ranges
that do not start at 0 or step down, nested loops (the outer one checkpointed, block by block of
one iteration), loops inside called functions (checkpointed inside the callee's adjoint), a loop
reading an array. Loops that write arrays or break stay taped, with a warning naming them. Every
function is also checked every way a user differentiates it (every_mode: finite differences,
the eager engine, jvp, hvp) in its checkpointed build.
"""

from __future__ import annotations

import re
import tracemalloc
import types
from pathlib import Path

import numpy as np
import pytest

from every_mode import check_every_mode
from srcgrad import build
from srcgrad.api import _import_extension
from srcgrad.generate import generate
from srcgrad.runtime import pytape
from srcgrad.runtime import tape as compiled_tape
from support import PROGRAMS

PROGRAM = str(PROGRAMS / "checkpointing.py")
LIMIT = 2048
W = np.array([0.3, -0.5, 0.8, 0.1, -0.2])

# name, arguments (a long loop), a direction for jvp/hvp
CASES = [
    ("oscillator", (1.3, 0.2, 0.5, -0.1, 0.01, 150), (1.0, -0.5, 0.3, 0.2, 0.1)),
    ("branches_and_counts", (0.7, 0.4, 200), (1.0, -0.5)),
    ("shifted_ranges", (0.3, 0.6, 150), (0.5, 1.0)),
    ("nested", (0.4, 0.3, 30, 5), (1.0, 0.5)),
    ("calls_a_looping_function", (0.8, 0.9, 150), (1.0, 0.25)),
    ("loop_calling_a_looping_function", (0.2, 0.1, 200), (1.0, -1.0)),
    ("reads_an_array", (W, 0.4, 150), (np.array([1.0, 0.5, -0.5, 0.25, 0.0]), 1.0)),
    ("writes_an_array", (0.3, 200), (1.0,)),
    ("leaves_early", (0.5, 150), (1.0,)),
    ("marked", (0.5, 400), (1.0,)),
    ("falls", (1.0, 9.81), (1.0, 0.5)),
    ("returns_inside", (0.47, 400), (1.0,)),  # returns at i = 320, away from a jump
    ("diffuses", (np.array([0.1, 0.9, 0.4, -0.3, 0.7, 0.2]), 0.2, 300), (np.array([1.0, -0.5, 0.3, 0.2, 0.1, 0.6]), 0.5)),
    ("relaxes_a_grid", (np.array([[0.3, -0.6], [0.9, 0.1], [-0.2, 0.5]]), 200),
     (np.array([[1.0, 0.5], [-0.5, 0.25], [0.3, -1.0]]),)),
    ("rewritten_after", (W, 0.4, 200), (np.array([0.5, 1.0, -0.5, 0.25, 0.1]), 1.0)),
]


def _generated(pure: bool, tape_limit=None):
    return generate(Path(PROGRAM).read_text(), PROGRAM, pure=pure, tape_limit=tape_limit)


_modules = {}


def built(kind: str, limited: bool):
    """The program's module: kind 'compiled' or 'pure', taped or with the 2K limit."""
    key = (kind, limited)
    if key not in _modules:
        generated = _generated(kind == "pure", LIMIT if limited else None)
        if kind == "pure":
            module = types.ModuleType(f"{generated.module_name}_pure_{limited}")
            exec(compile(generated.text, generated.module_name + ".py", "exec", dont_inherit=True), module.__dict__)
        else:
            binary, _ = build.compile_cached(generated.text, generated.module_name)
            module = _import_extension(binary, generated.module_name)
        _modules[key] = module
    return _modules[key]


@pytest.mark.parametrize("kind", ["compiled", "pure"])
@pytest.mark.parametrize("name, args, direction", CASES, ids=[c[0] for c in CASES])
def test_gradients_are_bit_identical_to_the_taped_build(kind, name, args, direction, monkeypatch):
    taped, limited = built(kind, False), built(kind, True)
    schedules = []
    if kind == "pure":  # see that the loops were checkpointed, not taped because they fit
        new, plan = pytape.checkpoints_new, pytape.checkpoints_plan
        monkeypatch.setattr(pytape, "checkpoints_new", lambda *a: schedules.append(new(*a)) or schedules[-1])
        monkeypatch.setattr(pytape, "checkpoints_plan", lambda *a: schedules.append(plan(*a) or None) or bool(schedules[-1]))
    for entry in (f"value_and_grad_{name}", f"grad_{name}"):
        expected, actual = getattr(taped, entry)(*args), getattr(limited, entry)(*args)
        assert _bits(actual) == _bits(expected), f"{entry}: {actual!r} != {expected!r}"
    dout = 0.37
    assert _bits(getattr(limited, f"vjp_{name}")(*args, dout)) == _bits(getattr(taped, f"vjp_{name}")(*args, dout))
    # jvp_ has no tape; hvp_ is checkpointed too (tests/transform/test_checkpointed_hvp.py): the same numbers
    tangents = direction if len(direction) > 1 else direction[0]
    for entry in (f"jvp_{name}", f"hvp_{name}"):
        assert _bits(getattr(limited, entry)(*args, tangents)) == _bits(getattr(taped, entry)(*args, tangents))
    if kind == "pure":
        checkpointed = name != "rewritten_after"
        assert any(s is not None for s in schedules) == checkpointed, schedules


@pytest.mark.parametrize("kind", ["compiled", "pure"])
@pytest.mark.parametrize("name, args, direction", CASES, ids=[c[0] for c in CASES])
def test_checkpointed_build_against_differences_and_the_eager_engine(kind, name, args, direction):
    check_every_mode(lambda path: built(kind, True), PROGRAM, name, args, direction)


@pytest.mark.parametrize("steps", [0, 1, 2, 3, 50, 85, 86, 87, 1000, 4321])
def test_every_trip_count_matches_including_the_edges(steps):
    """85 iterations of 24 bytes fill half of 4K minus nothing: around there the build switches
    between taping the loop and checkpointing it."""
    args = (1.1, 0.3, 0.4, 0.2, 0.02, steps)
    for kind in ("compiled", "pure"):
        expected = built(kind, False).value_and_grad_oscillator(*args)
        assert _bits(built(kind, True).value_and_grad_oscillator(*args)) == _bits(expected)


def test_compiled_tape_stays_within_the_limit():
    taped, limited = built("compiled", False), built("compiled", True)
    for name, args in (("oscillator", (1.3, 0.2, 0.5, -0.1, 0.01, 200_000)), ("branches_and_counts", (0.7, 0.4, 100_000)),
                       ("nested", (0.4, 0.3, 3000, 7)), ("calls_a_looping_function", (0.8, 0.9, 100_000))):
        compiled_tape.reset_peak_bytes()
        expected = getattr(taped, f"grad_{name}")(*args)
        taped_peak = compiled_tape.peak_bytes()
        compiled_tape.reset_peak_bytes()
        actual = getattr(limited, f"grad_{name}")(*args)
        limited_peak = compiled_tape.peak_bytes()
        assert _bits(actual) == _bits(expected), name
        assert taped_peak > 50 * LIMIT, (name, taped_peak)  # the taped build needs far more
        assert 0 < limited_peak <= LIMIT, (name, limited_peak)


def test_pure_tape_stays_within_the_limit_by_tracemalloc():
    args = (1.3, 0.2, 0.5, -0.1, 0.01, 20_000)
    peaks = {}
    for limited in (False, True):
        module = built("pure", limited)
        module.grad_oscillator(1.3, 0.2, 0.5, -0.1, 0.01, 10)  # warm up: imports, caches
        tracemalloc.start()
        module.grad_oscillator(*args)
        peaks[limited] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peaks[False] > 3 * 8 * 20_000  # the whole tape: 3 doubles per step
    assert peaks[True] < 3 * 8 * 20_000 / 10, peaks


def test_loops_a_limit_cannot_checkpoint_are_named_in_warnings():
    warnings = [d.format() for d in _generated(True, LIMIT).diagnostics]
    assert warnings == [
        f"{PROGRAM}:144:5: warning: rewritten_after: the loop at line 144 is taped, not checkpointed "
        "(the array 'v' it reads is written after it); its tape is not bounded by the tape limit",
    ]
    assert [d.format() for d in _generated(True).diagnostics] == []


def test_loops_without_a_trip_count_are_counted_first():
    """A while loop, and a for loop that can break or return, run once untaped to count their
    iterations, then are scheduled as the others: the count pass is in the generated code."""
    sources = _generated(True, LIMIT).function_sources
    for name in ("falls", "leaves_early", "returns_inside"):
        assert "checkpoints_entry(tape, " in sources[name] and "count the iterations" in sources[name], name
    compiled_tape.reset_peak_bytes()
    expected = built("compiled", False).grad_falls(30.0, 9.81)  # 2,400 iterations
    taped_peak = compiled_tape.peak_bytes()
    compiled_tape.reset_peak_bytes()
    assert _bits(built("compiled", True).grad_falls(30.0, 9.81)) == _bits(expected)
    assert taped_peak > 4 * LIMIT and compiled_tape.peak_bytes() <= LIMIT


def test_the_marker_checkpoints_its_loop_without_a_build_limit():
    taped = _generated(True).function_sources
    assert "checkpoints_new(tape, n, 8, 1, 0, 2048)" in taped["marked"]
    assert "checkpoints_new" not in taped["oscillator"]
    compiled_tape.reset_peak_bytes()
    built("compiled", False).grad_marked(0.5, 100_000)
    assert compiled_tape.peak_bytes() <= 2048


def test_snapshots_hold_what_the_loop_carries():
    source = _generated(True, LIMIT).function_sources["branches_and_counts"]
    # s and the integer counter flips are carried; x and y never change, so they are not saved
    # (hvp_'s snapshots hold s at twice its place, its tangent after it)
    assert set(re.findall(r"save_double\(checkpoints, (\d+), (\w+)\)", source)) == {("0", "s"), ("1", "d_s")}
    assert "_tape.save_int(checkpoints, 0, flips)" in source


def _bits(value):
    """A value's exact bits, for comparing results that must be bit-identical (nan included)."""
    if isinstance(value, tuple):
        return tuple(_bits(v) for v in value)
    return np.asarray(value, dtype=float).tobytes()


def test_a_nested_loop_counts_in_the_bytes_an_outer_iteration_tapes(monkeypatch):
    """The inner loop's trip count never changes, so an outer iteration's tape is known when the
    outer loop starts (8 bytes times m): a short loop is taped as usual, a long one is scheduled."""
    source = _generated(True, LIMIT).function_sources["nested"]
    assert "checkpoints_new(tape, n, 8 * _scalar.range_length(0, m, 1), 1, 1, 2048)" in source
    schedules = []
    new = pytape.checkpoints_new
    monkeypatch.setattr(pytape, "checkpoints_new", lambda *a: schedules.append(new(*a)) or schedules[-1])
    for n, m, checkpointed in ((4, 7, False), (40, 7, True)):
        schedules.clear()
        args = (0.4, 0.3, n, m)
        assert _bits(built("pure", True).grad_nested(*args)) == _bits(built("pure", False).grad_nested(*args))
        assert (schedules[0] is not None) == checkpointed, (n, m)
        if checkpointed:  # a block takes a quarter of the limit: 9 outer iterations of 56 bytes
            assert schedules[0].block == 2048 // 4 // 56


def test_arrays_the_loop_writes_are_part_of_its_snapshots():
    """diffuses (the heat example's loop: two 1-D arrays), relaxes_a_grid (a 2-D array) and
    writes_an_array (an array filled one element an iteration) keep the arrays' elements in each
    snapshot, after the scalars."""
    sources = _generated(True, LIMIT).function_sources
    assert "checkpoints_new(tape, steps, 8 * _scalar.range_length(1, n - 1, 1), new.shape[0] + u.shape[0], 1, 2048)" \
        in sources["diffuses"]
    assert "_tape.save_double(checkpoints, element * g.shape[1] + element2, g[element, element2])" \
        in sources["relaxes_a_grid"]
    args = (np.linspace(-0.5, 0.8, 40), 0.2, 5000)
    compiled_tape.reset_peak_bytes()
    expected = built("compiled", False).grad_diffuses(*args)
    taped_peak = compiled_tape.peak_bytes()
    compiled_tape.reset_peak_bytes()
    assert _bits(built("compiled", True).grad_diffuses(*args)) == _bits(expected)
    assert taped_peak > 100 * LIMIT and compiled_tape.peak_bytes() <= LIMIT
