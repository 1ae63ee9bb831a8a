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
