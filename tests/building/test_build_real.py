"""Build robustness with the real compiler (tests/cli/test_cli.py covers the same machinery with a fake
generator): an interrupted C compile, two builds of one file at once, an output folder that cannot
be written, a failing C compile naming the generated line, a file whose top level must never run,
and the progress and summary of a parallel build.

Each test runs `python -m srcgrad` in its own process on a small file, with its own cache folder
where a test needs the compiler to run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import support
from srcgrad.generate import generate

SOURCE = """\
import math


def f(x, n: int):
    s = x
    for i in range(n):
        s = math.sin(s) * x
    return s
"""


def srcgrad(args, cwd: Path, cache: Path, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "SRCGRAD_CACHE_DIR": str(cache), **env}
    return subprocess.run([sys.executable, "-m", "srcgrad", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True)


def snapshot(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("real-cache")


@pytest.fixture
def built(tmp_path, cache) -> Path:
    """A project folder after a successful compiled build of demo.py (compiled once per session)."""
    (tmp_path / "demo.py").write_text(SOURCE)
    finished = srcgrad(["build", "demo.py", "-q"], tmp_path, cache)
    assert finished.returncode == 0, finished.stderr
    return tmp_path


def _gradient(project: Path, x: float, n: int) -> float:
    code = f"from generated.demo_grad import grad_f; print(repr(grad_f({x}, {n})))"
    return float(subprocess.check_output([sys.executable, "-c", code], cwd=project, text=True))


def slow_compiler(folder: Path) -> str:
    script = folder / "slowcc"
    script.write_text("#!/bin/sh\nexec sleep 60\n")
    script.chmod(0o755)
    return str(script)


def test_sigint_during_the_c_compile_keeps_the_output_and_leaves_no_temporary_files(built, tmp_path):
    before, gradient = snapshot(built / "generated"), _gradient(built, 0.7, 3)
    (built / "demo.py").write_text(SOURCE.replace("math.sin(s) * x", "math.cos(s) * x"))
    cache = tmp_path / "fresh-cache"
    environment = {**os.environ, "SRCGRAD_CACHE_DIR": str(cache), "CC": slow_compiler(tmp_path)}
    process = subprocess.Popen([sys.executable, "-m", "srcgrad", "build", "demo.py"], cwd=built, env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=support.default_sigint)
    try:
        deadline = time.monotonic() + 180
        while not list(cache.glob("build/*/src/*.c")):  # cythonized: the C compiler is running
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.05)
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert err.splitlines()[-1] == "srcgrad: interrupted; the output folder keeps its previous contents"
    assert "Traceback" not in err
    assert snapshot(built / "generated") == before  # no temporary files either
    assert list((cache / "build").iterdir()) == [] and list((cache / "modules").iterdir()) == []
    assert _gradient(built, 0.7, 3) == gradient  # the old module still loads and works


def test_two_builds_of_one_file_at_once_agree_and_leave_a_working_module(built, tmp_path):
    changed = SOURCE.replace("math.sin(s) * x", "math.sin(s) * x + 0.25")
    (built / "demo.py").write_text(changed)
    cache = tmp_path / "shared-cache"
    environment = {**os.environ, "SRCGRAD_CACHE_DIR": str(cache)}
    processes = [subprocess.Popen([sys.executable, "-m", "srcgrad", "build", "demo.py"], cwd=built,
                                  env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    results = [(p.wait(timeout=300), *p.communicate()) for p in processes]
    assert [code for code, _, _ in results] == [0, 0], results
    statuses = sorted(out.split("(")[1].split(")")[0] for _, out, _ in results)
    assert statuses in (["1 compiled", "1 unchanged"], ["1 cached", "1 compiled"]), statuses
    assert len(list((cache / "modules").iterdir())) == 1  # compiled once
    assert (built / "generated" / "demo_grad.pyx").read_text() == generate(changed, "demo.py").text
    assert [p.name for p in (built / "generated").iterdir() if p.name.startswith(".")] == []
    x, n = 0.7, 3
    h = 1e-6

    def f(x):
        s = x
        for _ in range(n):
            s = __import__("math").sin(s) * x + 0.25
        return s

    assert _gradient(built, x, n) == pytest.approx((f(x + h) - f(x - h)) / (2 * h), rel=1e-6)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_output_folder_is_one_error_line_and_keeps_its_contents(built, cache):
    out = built / "generated"
    before = snapshot(out)
    (built / "demo.py").write_text(SOURCE.replace("* x", "* x * 2.0"))
    out.chmod(0o555)
    try:
        finished = srcgrad(["build", "demo.py", "-q"], built, cache)
    finally:
        out.chmod(0o755)
    assert finished.returncode == 2
    assert finished.stderr == "srcgrad: error: cannot write into generated: Permission denied\n"
    assert snapshot(out) == before


@pytest.mark.parametrize("outdir,message", [
    ("afile", "srcgrad: error: cannot create output folder afile: a file of that name is in the way\n"),
    ("afile/sub", "srcgrad: error: cannot create output folder afile/sub: a file is in the way on its path\n"),
])
def test_output_folder_that_cannot_be_a_folder_is_one_error_line(tmp_path, cache, outdir, message):
    (tmp_path / "demo.py").write_text(SOURCE)
    (tmp_path / "afile").write_text("not a folder")
    finished = srcgrad(["build", "demo.py", "--pure", "-q", "-o", outdir], tmp_path, cache)
    assert (finished.returncode, finished.stdout, finished.stderr) == (2, "", message)
    assert (tmp_path / "afile").read_text() == "not a folder"


def test_missing_output_folder_is_created(tmp_path, cache):
    (tmp_path / "demo.py").write_text(SOURCE)
    finished = srcgrad(["build", "demo.py", "--pure", "-q", "-o", "new/deeper/out"], tmp_path, cache)
    assert finished.returncode == 0, finished.stderr
    assert (tmp_path / "new" / "deeper" / "out" / "demo_grad.py").is_file()


def test_failing_c_compile_names_the_generated_line_and_keeps_the_output(built, tmp_path):
    """A C compiler error (here: gcc told to refuse float equality) names the generated .pyx line."""
    before = snapshot(built / "generated")
    source = "def f(x):\n    if x == 1.5:\n        return x * x\n    return x * 3.0\n"
    (built / "demo.py").write_text(source)
    finished = srcgrad(["build", "demo.py", "-q"], built, tmp_path / "cflags-cache",
                       CFLAGS="-Werror=float-equal")
    assert finished.returncode == 2 and finished.stdout == ""
    text = generate(source, "demo.py").text.splitlines()
    line = next(k for k, code in enumerate(text, 1) if code.strip() == "if x == 1.5:")
    first, shown, kept = finished.stderr.splitlines()
    assert first.startswith(f"srcgrad: error: C compiler failed on generated/demo_grad.pyx, line {line}: ")
    assert "float-equal" in first
    assert shown == f"  generated/demo_grad.pyx:{line}: if x == 1.5:"
    assert kept.startswith("  (the generated text is kept in ") and "demo_grad.pyx" in kept
    assert snapshot(built / "generated") == before


HARMFUL = """\
import os
import sys

os.remove({marker!r})
sys.exit("the top level ran")


def f(x):
    return x * x
"""


def test_the_builder_never_runs_the_file(tmp_path, cache):
    marker = tmp_path / "marker.txt"
    marker.write_text("still here")
    (tmp_path / "harmful.py").write_text(HARMFUL.format(marker=str(marker)))
    for args in (["build", "harmful.py", "--pure", "-q"], ["build", "harmful.py", "--check"],
                 ["show", "harmful.py:f"]):
        finished = srcgrad(args, tmp_path, cache)
        assert finished.returncode in (0, 1), (args, finished.stderr)
        assert marker.read_text() == "still here", args
    code = "from generated.harmful_grad import grad_f; print(grad_f(1.5))"
    assert subprocess.check_output([sys.executable, "-c", code], cwd=tmp_path, text=True) == "3.0\n"
    assert marker.read_text() == "still here"


FALLING_BACK = """\
def g(x):
    table = {"a": x}
    return table["a"] * 3.0
"""


def test_parallel_build_prints_progress_and_a_summary_and_q_silences_them(tmp_path, cache):
    (tmp_path / "one.py").write_text(SOURCE)
    (tmp_path / "two.py").write_text(FALLING_BACK)
    finished = srcgrad(["build", "one.py", "two.py", "-j", "2", "--pure"], tmp_path, cache)
    assert finished.returncode == 0, finished.stderr
    progress = [line for line in finished.stderr.splitlines() if line.startswith("[")]
    assert sorted(line[:5] for line in progress) == ["[1/2]", "[2/2]"]
    for name in ("one", "two"):
        line = next(line for line in progress if f" {name}.py: " in line)
        assert "generate " in line and line.endswith(f"-> generated/{name}_grad.py (pure)")
    assert "two.py:2:13: warning: g: a dict is not supported" in finished.stderr
    summary = finished.stdout.splitlines()
    assert summary[0].startswith("srcgrad: built 2 of 2 files into generated/ in ")
    assert any(line.split()[:2] == ["f", "compiled"] and "taped:" in line for line in summary)
    assert any(line.split()[:3] == ["g", "eager", "tape"] for line in summary)
    assert len(summary) <= 40
    quiet = srcgrad(["build", "one.py", "two.py", "-j", "2", "--pure", "-q"], tmp_path, cache)
    assert quiet.returncode == 0 and quiet.stdout == ""
    assert [line for line in quiet.stderr.splitlines() if "warning" not in line] == []
