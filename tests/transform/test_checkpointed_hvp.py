"""Checkpointed Hessian-vector products: hvp_ (forward over reverse) of a `--tape-limit` build
runs its loops on the same schedule as grad_, with snapshots holding the loop-carried values and
their tangents, so its tape and snapshots stay within the limit; its results are bit-identical to
the taped build's hvp_, compiled and --pure, and agree with central differences of grad_ and with
the eager engine's Hessian-vector product (reverse over reverse).

The loops: scalar state (the oscillator), a nested loop, a while loop (the online schedule:
counted first), a loop calling a looping function and arrays carried by the loop (1-D and 2-D)
are tests/programs/checkpointing.py's, built exactly as tests/transform/test_checkpointing.py
builds them, so a session compiles them once for both files; steps other than 1, an integer
counter beside branches, a loop that breaks, and a loop marked `# srcgrad: checkpoint 2K` in a
build without a limit are tests/programs/checkpointed_hvp.py's.
"""

from __future__ import annotations

import re
import tracemalloc
import types
from pathlib import Path

import numpy as np
import pytest

import srcgrad
from srcgrad import build
from srcgrad.api import _import_extension
from srcgrad.eager.fallback import traceable
from srcgrad.eager.functions import hvp_of
from srcgrad.generate import generate
from srcgrad.runtime import pytape
from srcgrad.runtime import tape as compiled_tape
from support import PROGRAMS, assert_close, original_module

PROGRAM = str(PROGRAMS / "checkpointed_hvp.py")
SHARED = str(PROGRAMS / "checkpointing.py")
SHARED_LOOPS = {"oscillator", "nested", "falls", "calls_a_looping_function", "diffuses", "relaxes_a_grid"}
LIMIT = 2048
U0 = np.array([0.1, 0.9, 0.4, -0.3, 0.7, 0.2, -0.5, 0.6])
GRID = np.array([[0.3, -0.6], [0.9, 0.1], [-0.2, 0.5]])

# name, arguments (loops long enough to be checkpointed under 2K), a direction per float parameter
CASES = [
    ("oscillator", (1.3, 0.2, 0.5, -0.1, 0.01, 300), (1.0, -0.5, 0.3, 0.2, 0.1)),
    ("strided", (0.3, 0.6, 400), (0.5, 1.0)),
    ("counts_flips", (0.7, 0.4, 300), (1.0, -0.5)),
    ("nested", (0.4, 0.3, 40, 5), (1.0, 0.5)),
    ("falls", (1.0, 9.81), (1.0, 0.5)),  # 450 iterations of a while loop
    ("stops_early", (0.5, 600), (1.0,)),  # breaks at i = 165
    ("stops_early", (0.5, 150), (1.0,)),  # runs to its end
    ("calls_a_looping_function", (0.8, 0.9, 300), (1.0, 0.25)),
    ("diffuses", (U0, 0.2, 60), (U0[::-1].copy(), 0.5)),
    ("relaxes_a_grid", (GRID, 40), (np.array([[1.0, 0.5], [-0.5, 0.25], [0.3, -1.0]]),)),
    ("marked", (0.5, 0.7, 400), (1.0, 0.3)),  # checkpointed by its comment, in the build without a limit
]
IDS = [f"{name}-{args[-1]}" if isinstance(args[-1], int) else name for name, args, _ in CASES]


def _source(markers: bool) -> str:
    text = Path(PROGRAM).read_text()
    return text if markers else re.sub(r"#\s*srcgrad:\s*checkpoint.*", "", text)


def program_of(name: str) -> str:
    return SHARED if name in SHARED_LOOPS else PROGRAM


_modules = {}


def built(kind: str, which: str, program: str = PROGRAM):
    """A program's module, kind 'compiled' or 'pure': 'taped' (no limit; PROGRAM's checkpoint
    comments taken out, SHARED's kept as test_checkpointing.py keeps them: its one marked loop is
    not used here), 'limited' (a 2K limit), 'marked' (PROGRAM, no limit: the commented loop alone
    is checkpointed), 'tiny' (SHARED, a limit of 1 byte, the oscillator and the while loop only)."""
    key = (kind, which, program)
    if key not in _modules:
        limit = {"limited": LIMIT, "tiny": 1}.get(which)
        only = ["oscillator", "falls"] if which == "tiny" else None
        text = Path(program).read_text() if program == SHARED else _source(which != "taped")
        generated = generate(text, program, pure=kind == "pure", tape_limit=limit, only=only)
        if kind == "pure":
            module = types.ModuleType(f"{generated.module_name}_pure_{which}")
            exec(compile(generated.text, generated.module_name + ".py", "exec", dont_inherit=True), module.__dict__)
        else:
            binary, _ = build.compile_cached(generated.text, generated.module_name)
            module = _import_extension(binary, generated.module_name)
        _modules[key] = module
    return _modules[key]


def _checkpointed(kind: str, name: str):
    return built(kind, "marked" if name == "marked" else "limited", program_of(name))


def _bits(value):
    """A value's exact bits, for results that must be bit-identical."""
    if isinstance(value, tuple):
        return tuple(_bits(v) for v in value)
    return np.asarray(value, dtype=float).tobytes()


def _direction(direction: tuple):
    return direction if len(direction) > 1 else direction[0]


def _recording_schedules(monkeypatch) -> list:
    """The --pure runtime's schedules as they are planned (None where the loop's tape fits whole):
    checkpoints_new plans through checkpoints_plan, as counted loops do after their count."""
    schedules = []
    plan = pytape.checkpoints_plan
    monkeypatch.setattr(pytape, "checkpoints_plan",
                        lambda c, *a: schedules.append(c if plan(c, *a) else None) or schedules[-1] is not None)
    return schedules


@pytest.mark.parametrize("kind", ["compiled", "pure"])
@pytest.mark.parametrize("name, args, direction", CASES, ids=IDS)
def test_hvp_is_bit_identical_to_the_taped_build(kind, name, args, direction, monkeypatch):
    taped, checkpointed = built(kind, "taped", program_of(name)), _checkpointed(kind, name)
    schedules = _recording_schedules(monkeypatch)
    v = _direction(direction)
    expected = getattr(taped, f"hvp_{name}")(*args, v)
    schedules.clear()
    assert _bits(getattr(checkpointed, f"hvp_{name}")(*args, v)) == _bits(expected)
    if kind == "pure":  # the loops were scheduled, not taped because they fit
        assert any(s is not None and s.blocks > 1 for s in schedules), schedules
    hessian = getattr(checkpointed, f"hessian_{name}", None)  # made of hvp_ calls
    if hessian is not None:
        assert _bits(hessian(*args)) == _bits(getattr(taped, f"hessian_{name}")(*args))


@pytest.mark.parametrize("kind", ["compiled", "pure"])
@pytest.mark.parametrize("name, args, direction", CASES, ids=IDS)
def test_checkpointed_hvp_against_differences_of_grad_and_the_eager_engine(kind, name, args, direction):
    module = _checkpointed(kind, name)
    positions = [k for k, a in enumerate(args) if isinstance(a, (float, np.ndarray))]
    hvp = getattr(module, f"hvp_{name}")(*args, _direction(direction))
    hvp = hvp if len(positions) > 1 else (hvp,)
    grad, step = getattr(module, f"grad_{name}"), 1e-5

    def moved(sign):
        shifted = list(args)
        for position, d in zip(positions, direction):
            shifted[position] = args[position] + sign * step * d
        g = grad(*shifted)
        return g if len(positions) > 1 else (g,)

    differences = tuple((up - down) / (2 * step) for up, down in zip(moved(1), moved(-1)))
    assert_close(hvp, differences, 1e-5, 1e-6, f"hvp_{name} against central differences of grad_{name}")
    eager = hvp_of(traceable(getattr(original_module(program_of(name)), name)), args, positions, list(direction))
    assert_close(hvp, tuple(eager), 1e-9, 1e-12, f"hvp_{name} against the eager engine")


@pytest.mark.parametrize("name, counts", [
    ("oscillator", [0, 1, 2, 3, 20, 21, 22, 23, 500]),  # 21 steps of 48 bytes fit half of 2K
    ("strided", [0, 1, 2, 3, 4, 5, 6, 31, 32, 33, 34, 1001]),  # steps 3 and -2, one loop taped, then both not
    ("stops_early", [0, 1, 2, 20, 21, 22, 23, 165, 166, 167, 1000]),  # the break at i = 165
])
def test_every_trip_count_matches_including_the_edges(name, counts):
    direction = {"oscillator": (1.0, -0.5, 0.3, 0.2, 0.1), "strided": (0.5, 1.0), "stops_early": (1.0,)}[name]
    point = {"oscillator": (1.1, 0.3, 0.4, 0.2, 0.02), "strided": (0.3, 0.6), "stops_early": (0.5,)}[name]
    for kind in ("compiled", "pure"):
        taped, limited = built(kind, "taped", program_of(name)), built(kind, "limited", program_of(name))
        for count in counts:
            args = point + (count,)
            expected = getattr(taped, f"hvp_{name}")(*args, _direction(direction))
            assert _bits(getattr(limited, f"hvp_{name}")(*args, _direction(direction))) == _bits(expected), (kind, count)


def _peaks(call) -> int:
    compiled_tape.reset_peak_bytes()
    value = call()
    return value, compiled_tape.peak_bytes()


@pytest.mark.parametrize("name, args, direction", [
    ("oscillator", (1.3, 0.2, 0.5, -0.1, 0.01, 100_000), (1.0, -0.5, 0.3, 0.2, 0.1)),
    ("counts_flips", (0.7, 0.4, 50_000), (1.0, -0.5)),
    ("nested", (0.4, 0.3, 2000, 7), (1.0, 0.5)),
    ("falls", (30.0, 9.81), (1.0, 0.5)),  # 2,400 iterations of a while loop
    ("calls_a_looping_function", (0.8, 0.9, 50_000), (1.0, 0.25)),
    ("diffuses", (np.linspace(-0.5, 0.8, 16), 0.2, 2000), (np.linspace(1.0, -1.0, 16), 0.5)),  # 2 snapshots of 560 bytes
])
def test_compiled_hvp_tape_and_snapshots_stay_within_the_limit(name, args, direction):
    v = _direction(direction)
    taped, limited = built("compiled", "taped", program_of(name)), built("compiled", "limited", program_of(name))
    expected, taped_peak = _peaks(lambda: getattr(taped, f"hvp_{name}")(*args, v))
    actual, limited_peak = _peaks(lambda: getattr(limited, f"hvp_{name}")(*args, v))
    assert _bits(actual) == _bits(expected)
    assert taped_peak > 20 * LIMIT, taped_peak  # the taped build needs far more
    assert 0 < limited_peak <= LIMIT, limited_peak


def test_the_marked_loop_bounds_its_hvp_without_a_build_limit():
    args, v = (0.5, 0.7, 100_000), (1.0, 0.3)
    expected, taped_peak = _peaks(lambda: built("compiled", "taped").hvp_marked(*args, v))
    actual, marked_peak = _peaks(lambda: built("compiled", "marked").hvp_marked(*args, v))
    assert _bits(actual) == _bits(expected)
    assert taped_peak > 100 * LIMIT and 0 < marked_peak <= LIMIT, (taped_peak, marked_peak)


def test_pure_hvp_stays_within_the_limit_by_tracemalloc():
    args, v = (1.3, 0.2, 0.5, -0.1, 0.01, 20_000), (1.0, -0.5, 0.3, 0.2, 0.1)
    peaks = {}
    for which in ("taped", "limited"):
        module = built("pure", which, SHARED)
        module.hvp_oscillator(1.3, 0.2, 0.5, -0.1, 0.01, 10, v)  # warm up: imports, caches
        tracemalloc.start()
        module.hvp_oscillator(*args, v)
        peaks[which] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peaks["taped"] > 6 * 8 * 20_000  # the whole tape: 3 doubles and their tangents a step
    assert peaks["limited"] < 6 * 8 * 20_000 / 10, peaks


def test_snapshots_hold_values_and_their_tangents():
    """A value at twice its place in the slot, its tangent after it; the schedule is made with
    twice the doubles and twice the bytes an iteration tapes (each double beside its tangent)."""
    generated = generate(Path(SHARED).read_text(), SHARED, pure=True, tape_limit=LIMIT)
    adjoint, hvp = _function(generated.text, "_oscillator_adjoint"), _function(generated.text, "_oscillator_hvp")
    assert "checkpoints_new(tape, steps, 24, 4, 0, 2048)" in adjoint
    assert "checkpoints_new(tape, steps, 48, 8, 0, 2048)" in hvp
    saved = re.findall(r"save_double\(checkpoints, (\d+), (\w+)\)", hvp)
    assert sorted(set(saved)) == sorted({(str(2 * k + t), ("d_" if t else "") + v)
                                         for k, v in enumerate(["a", "acc", "v", "x"]) for t in (0, 1)})
    assert "d_x = _tape.load_double(checkpoints, 7)" in hvp
    grid = _function(generated.text, "_relaxes_a_grid_hvp")
    assert "save_double(checkpoints, 2 * (element * g.shape[1] + element2) + 1, d_g[element, element2])" in grid
    falls = _function(generated.text, "_falls_hvp")  # the online schedule
    assert "checkpoints_entry(tape, 3, 0)" in _function(generated.text, "_falls_adjoint")
    assert "checkpoints_entry(tape, 6, 0)" in falls
    assert re.search(r"checkpoints_plan\(checkpoints, tape, trips\d*, 32, 2048\)", falls)


def _function(text: str, name: str) -> str:
    start = text.index(f"def {name}(")
    end = text.find("\ndef ", start + 1)
    return text[start:end if end > 0 else len(text)]


@pytest.mark.parametrize("kind", ["compiled", "pure"])
def test_a_limit_below_one_snapshot_is_exceeded_as_grad_exceeds_it(kind, monkeypatch):
    """A limit of 1 byte holds no snapshot: grad_ does not refuse it, it keeps the schedule's
    floor (two snapshots, blocks of one iteration), and hvp_ does the same, bit-identical to the
    taped build."""
    taped, tiny = built(kind, "taped", SHARED), built(kind, "tiny", SHARED)
    schedules = _recording_schedules(monkeypatch)
    for name, args, v in (("oscillator", (1.3, 0.2, 0.5, -0.1, 0.01, 300), (1.0, -0.5, 0.3, 0.2, 0.1)),
                          ("falls", (1.0, 9.81), (1.0, 0.5))):
        for entry, extra in ((f"grad_{name}", ()), (f"hvp_{name}", (v,))):
            schedules.clear()
            expected, _ = _peaks(lambda: getattr(taped, entry)(*args, *extra))
            actual, peak = _peaks(lambda: getattr(tiny, entry)(*args, *extra))
            assert _bits(actual) == _bits(expected), entry
            if kind == "pure":
                assert [(s.snaps, s.block) for s in schedules if s is not None] == [(2, 1)], entry
            else:  # the tape's first 64 doubles and two snapshots (each slot: values, tangents, a frame)
                width = {"grad_oscillator": 4, "hvp_oscillator": 8, "grad_falls": 3, "hvp_falls": 6}[entry]
                assert peak == 64 * 8 + 2 * (width + 5) * 8, (entry, peak)


def test_in_process_hvp_takes_the_limit():
    oscillator = original_module(SHARED).oscillator
    args, v = (1.3, 0.2, 0.5, -0.1, 0.01, 50_000), (1.0, -0.5, 0.3, 0.2, 0.1)
    expected, taped_peak = _peaks(lambda: srcgrad.hvp(oscillator)(*args, v))
    actual, limited_peak = _peaks(lambda: srcgrad.hvp(oscillator, tape_limit="2K")(*args, v))
    assert _bits(actual) == _bits(expected)
    assert taped_peak > 100 * LIMIT and 0 < limited_peak <= LIMIT, (taped_peak, limited_peak)


def test_third_order_over_a_checkpointed_loop_doubles_the_slots_again():
    """Forward mode over hvp_ (nested srcgrad.grad: third_derivative_) keeps the schedule too: a
    slot holds a value, its two tangents and their cross tangent, the sizes four times grad's."""
    def third_order(limit):
        generated = generate(Path(SHARED).read_text(), SHARED, pure=True, third_order=True, tape_limit=limit,
                             only=["settle"])
        module = types.ModuleType(f"third_order_{limit}")
        exec(compile(generated.text, "third_order.py", "exec", dont_inherit=True), module.__dict__)
        return module, generated.text

    (taped, _), (limited, text) = third_order(None), third_order(LIMIT)
    assert "checkpoints_new(tape, n, 32, 4, 0, 2048)" in _function(text, "_settle_hvp2")
    for x, n in ((0.3, 300), (1.1, 500), (0.7, 2)):
        third = limited.third_derivative_settle(x, n)
        assert _bits(third) == _bits(taped.third_derivative_settle(x, n))
        step, eager_settle = 1e-4, traceable(original_module(SHARED).settle)
        second = [hvp_of(eager_settle, (x + sign * step, n), [0], [1.0])[0] for sign in (1, -1)]
        assert_close(third, (second[0] - second[1]) / (2 * step), 1e-6, 1e-8,
                     f"third derivative of settle at {x}, {n}, against differences of the eager engine's second")
