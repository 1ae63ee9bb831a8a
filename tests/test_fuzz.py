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
    SRCGRAD_FUZZ_ARRAYS=1         programs also take an np.ndarray and loop over its elements
                                  (fuzzing.Features.arrays; element writes: =2)

e.g. `SRCGRAD_FUZZ_PROGRAMS=10000 python -m pytest tests/test_fuzz.py -x -q` (about an hour on
two cores). A failure prints the program and its arguments; it then belongs in
tests/test_regressions.py as a named test.
"""

from __future__ import annotations

import functools
import os

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings

import fuzzing

PROGRAMS = int(os.environ.get("SRCGRAD_FUZZ_PROGRAMS", "300"))
COMPILED = max(1, PROGRAMS // 10) if "SRCGRAD_FUZZ_PROGRAMS" in os.environ else 24
BATCH = 30  # programs per compiled module
SEED = os.environ.get("SRCGRAD_FUZZ_SEED")
ARRAYS = os.environ.get("SRCGRAD_FUZZ_ARRAYS", "0")
FEATURES = fuzzing.Features(arrays=ARRAYS in ("1", "2"), element_writes=ARRAYS == "2")


def _settings(examples: int, shrink: bool = True):
    phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if shrink else [])

    def decorate(test):
        configured = settings(max_examples=examples, derandomize=SEED is None, database=None, deadline=None,
                              phases=phases, suppress_health_check=list(HealthCheck))(test)
        return seed(int(SEED))(configured) if SEED is not None else configured

    return decorate


STATS = {"pure": fuzzing.Stats(), "compiled": fuzzing.Stats()}


def test_pure_builds():
    @_settings(PROGRAMS)
    @given(fuzzing.programs(FEATURES))
    def check(program):
        generated, module = fuzzing.pure_build(program.source())
        assert not generated.diagnostics, [d.format() for d in generated.diagnostics]
        fuzzing.check(program, module, program.entry.name, STATS["pure"], "pure")

    check()
    print(STATS["pure"])


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
    assert not generated.diagnostics, [d.format() for d in generated.diagnostics]
    for k, program in enumerate(programs):
        fuzzing.check(program, module, program.entry_name(f"p{k}_"), STATS["compiled"], "compiled")
    print(STATS["compiled"])
