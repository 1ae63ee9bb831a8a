"""The tests live in one folder per pipeline stage: frontend/, analysis/, transform/, emit/,
building/ (pytest never looks into folders named build), eager/, api/, cli/, rules/. Their
shared helpers (support.py, fuzzing.py, fake_generator.py, pipeline_ir.py, programs/) live here,
and this folder goes on sys.path so every test imports them by name, from any folder and under
any pytest import mode."""

import sys
from pathlib import Path

TESTS = str(Path(__file__).resolve().parent)
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)

import os

# Compile the suite's generated modules at -O0 (srcgrad.compile.quick_builds): hundreds of modules,
# a few calls each, in half the CPU time; the results are the same bits. The tests of the -O3/-O1
# split and of the flags themselves turn it off with the `optimised_builds` fixture.
os.environ.setdefault("SRCGRAD_QUICK_BUILD", "1")

import pytest  # noqa: E402


@pytest.fixture(scope="module")
def optimised_builds():
    """Builds as users get them, for the rest of the test file: the -O3 kernels and -O1 rest, not
    the suite's quick -O0."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SRCGRAD_QUICK_BUILD", "0")
        yield


# The files that take longest (most of it compiling their modules) start first: with the suite
# spread over workers file by file (.ci/run's --dist loadfile), one of them collected last would
# run alone at the end while the other workers stand idle.
LONGEST_FIRST = ("test_corpus.py", "test_fuzz.py", "test_arrays_in_loops.py", "test_more_array_primitives.py",
                 "test_fused_random.py", "test_corpus_outside.py", "test_fuzz_sanitized.py", "test_bad_inputs.py")


def pytest_collection_modifyitems(items):
    rank = {name: k for k, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest as collected
