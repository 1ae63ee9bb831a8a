"""Differential fuzzing of the compiler: random programs, three oracles.

Random programs over the compiled subset (tests/fuzzing.py) are built by srcgrad and their
gradients compared with the eager engine's (to 1e-10 relative) and with central finite
differences (to 1e-6, where the program is smooth at the drawn point):

- test_pure_builds: every program is built with `pure=True` (the pure-Python output), checked
  at one drawn point; hypothesis shrinks a failing program to a small one.
- test_compiled_builds: a sample of programs is compiled, many functions to a module (a compile
  costs seconds), and checked the same way.

The runs are derandomized (the same programs every time). Environment variables:

    SRCGRAD_FUZZ_PROGRAMS=10000   how many programs the pure test draws (default 300); the
                                  compiled test compiles one in ten of that many (default 24,
                                  one module: its compile takes most of a minute)
    SRCGRAD_FUZZ_SEED=123         draw different programs (a new seed each run: `$RANDOM`)
    SRCGRAD_FUZZ_ARRAYS=0         no np.ndarray parameters (default 1: element loops over one;
                                  =2 also writes into the parameter's elements)
    SRCGRAD_FUZZ_KEEP_GOING=1     do not stop at the first failing program: check them all, then
                                  fail listing each distinct failure with its smallest program
                                  (no shrinking; for long runs)

e.g. `SRCGRAD_FUZZ_PROGRAMS=10000 SRCGRAD_FUZZ_KEEP_GOING=1 python -m pytest tests/test_fuzz.py -q`
(docs/fuzzing.md). A failure prints the program and its arguments; it then belongs in
tests/test_fuzz_regressions.py as a named test.
"""

from __future__ import annotations

import collections
import functools
import os

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings

import fuzzing

PROGRAMS = int(os.environ.get("SRCGRAD_FUZZ_PROGRAMS", "300"))
COMPILED = max(1, PROGRAMS // 10) if "SRCGRAD_FUZZ_PROGRAMS" in os.environ else 24
BATCH = 30  # programs per compiled module
SEED = os.environ.get("SRCGRAD_FUZZ_SEED")
ARRAYS = os.environ.get("SRCGRAD_FUZZ_ARRAYS", "1")
KEEP_GOING = os.environ.get("SRCGRAD_FUZZ_KEEP_GOING", "0") not in ("", "0")
# SRCGRAD_FUZZ_KNOWN=1 also draws what fails today (the flags off in fuzzing.Features, each with a
# regression in tests/test_fuzz_regressions.py): for long runs that look for more of the same
KNOWN = os.environ.get("SRCGRAD_FUZZ_KNOWN", "0") not in ("", "0")
FEATURES = fuzzing.Features(arrays=ARRAYS in ("1", "2"), element_writes=ARRAYS == "2",
                            **({name: True for name in fuzzing.KNOWN_FAILURE_FLAGS} if KNOWN else {}))


def _settings(examples: int, shrink: bool = True):
    phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if shrink else [])

    def decorate(test):
        configured = settings(max_examples=examples, derandomize=SEED is None, database=None, deadline=None,
                              phases=phases, suppress_health_check=list(HealthCheck))(test)
        return seed(int(SEED))(configured) if SEED is not None else configured

    return decorate


STATS = {"pure": fuzzing.Stats(), "compiled": fuzzing.Stats()}


class Failures:
    """KEEP_GOING: each distinct failure (its message's first line, numbers blanked) with the
    shortest program that shows it; otherwise the first failure is raised (and shrunk)."""

    def __init__(self):
        self.seen = collections.OrderedDict()

    def run(self, check, program):
        if not KEEP_GOING:
            return check()
        self.checked = getattr(self, "checked", 0) + 1
        if self.checked % 200 == 0:  # a long run cut short by a time limit still tells how far it got
            print(f"{self.checked} programs checked, {sum(c for c, _ in self.seen.values())} failing", flush=True)
        try:
            check()
        except Exception as error:  # noqa: BLE001 - crashes of generated code count too
            first = (str(error).splitlines() or [type(error).__name__])[0]
            key = fuzzing.re.sub(r"[-+]?\d[\d.e+-]*|\[.*?\]|\(.*?\)", "#", first)[:120]
            key = f"{type(error).__name__}: {key}"
            count, shortest = self.seen.get(key, (0, None))
            text = f"{error}" if "program:" in str(error) else f"{error}\nprogram:\n{program.source()}"
            if not count:  # as it happens, whole, for long runs watched with -s (a run cut short keeps it)
                print(f"new failure: {key}\n{text}\n", flush=True)
            if shortest is None or len(text) < len(shortest):
                shortest = text
            self.seen[key] = (count + 1, shortest)

    def report(self, stats):
        print(stats)
        assert not self.seen, f"{sum(c for c, _ in self.seen.values())} failing programs, {len(self.seen)} distinct:\n" + \
            "\n\n".join(f"=== {count} x {key}\n{text}" for key, (count, text) in self.seen.items())


def test_pure_builds():
    failures = Failures()

    @_settings(PROGRAMS, shrink=not KEEP_GOING)
    @given(fuzzing.programs(FEATURES))
    def check(program):
        def run():
            generated, module = fuzzing.pure_build(program.source())
            assert not fuzzing.unexpected_diagnostics(generated), fuzzing.unexpected_diagnostics(generated)
            fuzzing.check(program, module, program.entry.name, STATS["pure"], "pure")

        failures.run(run, program)

    check()
    failures.report(STATS["pure"])


@functools.lru_cache(maxsize=None)
def _sample(count: int) -> tuple:
    drawn = []

    @_settings(count, shrink=False)
    @given(fuzzing.programs(FEATURES))
    def collect(program):
        drawn.append(program)

    collect()
    return tuple(drawn)


@pytest.mark.parametrize("batch", range((COMPILED + BATCH - 1) // BATCH))
def test_compiled_builds(batch):
    programs = _sample(COMPILED)[batch * BATCH:(batch + 1) * BATCH]
    source = fuzzing.batch_source(programs)
    generated, module = fuzzing.compiled_build(source, f"fuzz_batch{batch}.py")
    assert not fuzzing.unexpected_diagnostics(generated), fuzzing.unexpected_diagnostics(generated)
    failures = Failures()
    for k, program in enumerate(programs):
        failures.run(lambda: fuzzing.check(program, module, fuzzing.batch_entry_name(programs, k), STATS["compiled"],
                                           "compiled"), program)
    failures.report(STATS["compiled"])
