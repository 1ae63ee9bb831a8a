"""A fuzz sample compiled under AddressSanitizer and UBSan (SRCGRAD_SANITIZE=1, docs/fuzzing.md).

The generated C reads arrays without bounds checks inside loops (the shapes are checked once, on
entry), so a missing entry check reads past the end of a buffer and returns garbage instead of
failing (issue 10.4). Under the sanitizers such a read, and any undefined behaviour, aborts with a
report. Python itself is not instrumented: the sample runs in a subprocess with the ASan runtime
preloaded. It includes element loops over array parameters and local arrays, and the
wrong-shaped tangent, direction and cotangent calls of fuzzing.check (they must raise ValueError).

SRCGRAD_FUZZ_SANITIZED=60 draws more programs (default 20, one module: a sanitized compile of
a dozen programs takes minutes).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PROGRAMS = int(os.environ.get("SRCGRAD_FUZZ_SANITIZED", "20"))


def _runtime(name: str) -> str | None:
    """The sanitizer runtime's path from the C compiler, or None when it has none."""
    try:
        path = subprocess.run([os.environ.get("CC", "gcc"), f"-print-file-name={name}"], capture_output=True,
                              text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return path if os.path.isabs(path) and os.path.exists(path) else None


ASAN = _runtime("libasan.so")

# Run in the child: draw the sample, compile it in one module under the sanitizers, check it.
CHILD = """
import sys
sys.path.insert(0, {tests!r})
import fuzzing
from hypothesis import HealthCheck, Phase, given, settings

features = fuzzing.Features(arrays=True, element_writes=True)
drawn = []


@settings(max_examples={count}, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
          suppress_health_check=list(HealthCheck))
@given(fuzzing.programs(features))
def collect(program):
    drawn.append(program)


collect()
programs = [p for p in drawn if any(kind == "array" for _, kind in p.entry.params)]
source = fuzzing.batch_source(programs)
generated, module = fuzzing.compiled_build(source, "fuzz_sanitized.py")
assert not fuzzing.unexpected_diagnostics(generated), fuzzing.unexpected_diagnostics(generated)
stats = fuzzing.Stats()
for k, program in enumerate(programs):
    fuzzing.check(program, module, fuzzing.batch_entry_name(programs, k), stats, "compiled")
print("SANITIZED", len(programs), stats.wrong_shapes_checked, module.__file__)
"""


@pytest.mark.skipif(ASAN is None, reason="the C compiler has no AddressSanitizer runtime (libasan.so)")
def test_fuzz_sample_under_address_and_undefined_behaviour_sanitizers():
    with tempfile.TemporaryDirectory(prefix="srcgrad-sanitized-") as cache:
        environment = dict(os.environ, SRCGRAD_SANITIZE="1", SRCGRAD_CACHE_DIR=cache, LD_PRELOAD=ASAN,
                           # CPython's own allocations are never freed at exit: not ours to report
                           ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:halt_on_error=1",
                           UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
        child = subprocess.run([sys.executable, "-c", CHILD.format(tests=str(HERE), count=PROGRAMS)],
                               env=environment, capture_output=True, text=True, timeout=1800)
    report = child.stdout + child.stderr
    assert child.returncode == 0, f"exit {child.returncode}\n{report[-6000:]}"
    line = next(line for line in child.stdout.splitlines() if line.startswith("SANITIZED"))
    _, count, wrong_shapes, binary = line.split()
    assert int(count) >= 3 and int(wrong_shapes) >= 3, line  # the sample really has array programs
    assert binary.startswith(cache)  # built in the sanitized cache, not taken from the normal one
    assert "AddressSanitizer" not in report and "runtime error:" not in report, report[-6000:]
