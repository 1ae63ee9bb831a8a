"""The `srcgrad` command line: exit codes, error lines, --check, progress, -q, -j, interrupts, locks.

Most tests call srcgrad.cli.main in process with tests/fake_generator.py standing in for the
compiler; the ones about processes (signals, concurrency, `python -m srcgrad`) run
`python tests/fake_generator.py ...`, which is the same command line with the fake installed.
All builds share one session cache, so the demo module is compiled once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import fake_generator
import support
import srcgrad.generate
from srcgrad import build
from srcgrad.cli import main

FAKE_CLI = [sys.executable, str(Path(fake_generator.__file__))]

DEMO_SOURCE = """\
def power(x: float, n: int) -> float:
    out = 1.0
    for i in range(n):
        out = out * x
    return out
"""

WARNED_SOURCE = DEMO_SOURCE + """

def odd(x):  # fake: warn
    return x * x
"""


@pytest.fixture(scope="session")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli-cache")


@pytest.fixture
def project(tmp_path, monkeypatch, cache) -> Path:
    """A folder with demo.py, as the current directory, with the fake compiler installed."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SRCGRAD_CACHE_DIR", str(cache))
    monkeypatch.setattr(srcgrad.generate, "generate", fake_generator.generate)
    (tmp_path / "demo.py").write_text(DEMO_SOURCE)
    return tmp_path


@pytest.fixture
def built(project) -> Path:
    """`project` after `srcgrad build demo.py` (compiled once per session, then cached)."""
    assert main(["build", "demo.py", "-q"]) == 0
    return project / "generated"


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def run_process(args, cwd: Path, cache: Path, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "SRCGRAD_CACHE_DIR": str(cache), **env}
    return subprocess.run(FAKE_CLI + args, cwd=cwd, env=environment, capture_output=True, text=True)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# --------------------------------------------------------------------------- bad usage and input


@pytest.mark.parametrize(
    "args, message",
    [
        (["build", "missing.py"], "srcgrad: error: missing.py: no such file"),
        (["build", "notes.txt"], "srcgrad: error: notes.txt: not a .py file"),
        (["build", "demo.py", "--frobnicate"], "srcgrad: error: unrecognized arguments: --frobnicate"),
        (["build", "demo.py", "-j", "0"], "srcgrad: error: -j needs a positive number of processes, not 0"),
        (["build", "demo.py", "--only", "a,,b"], "srcgrad: error: --only needs function names"),
        (["build", "demo.py", "--only", "nothere"], "srcgrad: error: --only: demo.py has no top-level function nothere"),
        (["build"], "srcgrad: error: the following arguments are required: FILE.py"),
        ([], "srcgrad: error: missing command"),
        (["show", "demo.py"], "srcgrad: error: show needs FILE.py:NAME"),
        (["show", "demo.py:nothere"], "srcgrad: error: demo.py has no top-level function nothere (functions: power)"),
    ],
)
def test_bad_usage_is_one_error_line_and_exit_2(project, capsys, args, message):
    (project / "notes.txt").write_text("")
    code, out, err = run(args, capsys)
    assert code == 2
    assert err.startswith(message) and err.count("\n") == 1
    assert out == ""
    assert not (project / "generated").exists()


def test_syntax_error_is_reported_at_its_line_and_column(project, capsys):
    (project / "broken.py").write_text("def f(x):\n    return (x +\n")
    code, out, err = run(["build", "broken.py"], capsys)
    assert code == 2
    assert err.startswith("broken.py:2:") and ": error: " in err and err.count("\n") == 1
    assert not (project / "generated").exists()


def test_undecodable_file_is_a_source_error(project, capsys):
    (project / "latin.py").write_bytes(b"x = 1\ny = '\xe9'\n")
    code, _, err = run(["build", "latin.py"], capsys)
    assert code == 2 and err.startswith("latin.py:2:1: error: cannot decode the file")


def test_bad_input_never_prints_a_traceback(project, cache):
    (project / "broken.py").write_text("def f(x:\n")
    for args in (["build", "broken.py"], ["build", "missing.py"], ["bogus"], ["show", "broken.py:f"]):
        finished = run_process(args, project, cache)
        assert finished.returncode == 2, args
        assert "Traceback" not in finished.stderr and finished.stderr.count("\n") == 1, finished.stderr


def test_a_failed_compile_is_an_error_and_keeps_the_previous_output(built, capsys):
    before = snapshot(built)
    Path("demo.py").write_text(DEMO_SOURCE + "# fake: broken-cython\n")
    code, out, err = run(["build", "demo.py"], capsys)
    assert code == 2
    first, shown = err.splitlines()[:2]
    assert first.startswith("srcgrad: error: Cython failed on generated/demo_grad.pyx, line ")
    assert shown.endswith(": cdef double y = undefined_thing(x)")
    assert out == ""
    assert snapshot(built) == before


def test_the_build_never_runs_the_source_file(project, capsys):
    (project / "harmful.py").write_text("open('ran', 'w').close()\n\ndef f(x):\n    return x\n")
    assert run(["build", "harmful.py", "--pure"], capsys)[0] == 0
    assert not (project / "ran").exists()


# --------------------------------------------------------------------------- building


def test_build_writes_the_module_and_summarises_it(project, capsys):
    code, out, err = run(["build", "demo.py"], capsys)
    assert code == 0
    assert (project / "generated" / "demo_grad.pyx").read_text() == fake_generator.generate(DEMO_SOURCE, "demo.py").text
    assert (project / "generated" / ("demo_grad" + build.EXT_SUFFIX)).is_file()
    assert out.startswith("srcgrad: built 1 of 1 file into generated/")
    assert "power" in out and "taped: x: 1 double per call" in out
    assert err.startswith("[1/1] demo.py: generate ")


def test_quiet_build_prints_only_warnings(project, capsys):
    Path("demo.py").write_text(WARNED_SOURCE)
    code, out, err = run(["build", "demo.py", "-q", "--pure"], capsys)
    assert code == 0 and out == ""
    assert err == (
        "demo.py:8:1: warning: odd: while-else is not supported; grad_odd uses the eager tape\n"
    )


def test_strict_turns_warnings_into_errors_and_writes_nothing(project, capsys):
    Path("demo.py").write_text(WARNED_SOURCE)
    code, _, err = run(["build", "demo.py", "--strict", "--pure", "-q"], capsys)
    assert code == 2
    assert err.startswith("demo.py:8:1: error: odd: while-else is not supported")
    assert not (project / "generated" / "demo_grad.py").exists()


def test_output_folder_option_and_only(project, capsys):
    Path("demo.py").write_text(WARNED_SOURCE)
    assert run(["build", "demo.py", "-o", "out/sub", "--only", "power", "--pure", "-q"], capsys)[0] == 0
    text = (project / "out" / "sub" / "demo_grad.py").read_text()
    assert "def grad_power" in text and "def grad_odd" not in text


def test_parallel_build_of_several_files(project, cache):
    # In a fresh process: forking this one, which may run threads (JAX's), could deadlock.
    names = ["alpha", "beta", "gamma"]
    for name in names:
        Path(f"{name}.py").write_text(DEMO_SOURCE.replace("power", name))
    finished = run_process(["build", *[f"{n}.py" for n in names], "-j", "2", "--pure"], project, cache)
    assert finished.returncode == 0, finished.stderr
    assert sorted(line.split("]")[0] for line in finished.stderr.splitlines()) == ["[1/3", "[2/3", "[3/3"]
    for name in names:
        assert f"def grad_{name}" in (project / "generated" / f"{name}_grad.py").read_text()
        assert f"generated/{name}_grad.py" in finished.stdout


def test_two_files_naming_the_same_module_are_refused(project, capsys):
    (project / "sub").mkdir()
    Path("sub/demo.py").write_text(DEMO_SOURCE)
    code, _, err = run(["build", "demo.py", "sub/demo.py"], capsys)
    assert code == 2 and "would both write demo_grad" in err


def test_show_prints_the_adjoint_source(project, capsys):
    code, out, err = run(["show", "demo.py:power"], capsys)
    assert code == 0 and err == ""
    assert out == fake_generator.generate(DEMO_SOURCE, "demo.py").function_sources["power"]


# --------------------------------------------------------------------------- --check


def test_check_of_missing_output_prints_a_diff_and_writes_nothing(project, capsys):
    code, out, err = run(["build", "demo.py", "--check"], capsys)
    assert code == 1
    assert out.startswith("--- /dev/null\n+++ generated/demo_grad.pyx (regenerated from demo.py)\n")
    assert not (project / "generated").exists()


def test_check_of_fresh_output_passes_even_without_the_binary(built, capsys):
    (built / ("demo_grad" + build.EXT_SUFFIX)).unlink()
    code, out, err = run(["build", "demo.py", "--check"], capsys)
    assert (code, out) == (0, "")
    assert "(fresh)" in err


def test_check_of_stale_output_prints_the_change(built, capsys):
    before = snapshot(built)
    Path("demo.py").write_text(DEMO_SOURCE.replace("out = 1.0", "out = 2.0"))
    code, out, _ = run(["build", "demo.py", "--check", "-q"], capsys)
    assert code == 1
    assert "-    out = 1.0\n+    out = 2.0\n" in out
    assert snapshot(built) == before


# --------------------------------------------------------------------------- processes


def slow_compiler(folder: Path) -> str:
    """A C compiler that never finishes, so a test can interrupt a build during the compile."""
    script = folder / "slowcc"
    script.write_text("#!/bin/sh\nexec sleep 60\n")
    script.chmod(0o755)
    return str(script)


def wait_for_compile(cache: Path, count: int, timeout: float = 180.0) -> None:
    """Wait until `count` builds have cythonized and are in the C compiler."""
    deadline = time.monotonic() + timeout
    while len(list(cache.glob("build/*/src/*.c"))) < count:
        assert time.monotonic() < deadline, "the build never reached the C compiler"
        time.sleep(0.05)
    time.sleep(0.3)


@pytest.mark.parametrize("jobs", [1, 2])
def test_interrupt_during_compile_keeps_output_and_leaves_no_temporaries(built, tmp_path, jobs):
    before = snapshot(built)
    cache = tmp_path / "fresh-cache"  # nothing cached: the build must reach the compiler
    Path("demo.py").write_text(DEMO_SOURCE.replace("out = 1.0", "out = 1.5"))
    Path("other.py").write_text(DEMO_SOURCE.replace("power", "other"))
    environment = {**os.environ, "SRCGRAD_CACHE_DIR": str(cache), "CC": slow_compiler(tmp_path)}
    command = FAKE_CLI + ["build", "demo.py", "other.py", "-j", str(jobs)]
    process = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=support.default_sigint)
    try:
        wait_for_compile(cache, count=jobs)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130
    assert err.strip().endswith("srcgrad: interrupted; the output folder keeps its previous contents")
    assert "Traceback" not in err
    assert snapshot(built) == before
    assert list((cache / "build").iterdir()) == []
    assert list((cache / "modules").iterdir()) == []


def test_concurrent_builds_of_one_file_compile_once_and_agree(built, cache):
    project = built.parent
    Path("demo.py").write_text(DEMO_SOURCE.replace("out = 1.0", "out = 1.0 * 1.0"))
    environment = {**os.environ, "SRCGRAD_CACHE_DIR": str(cache)}
    processes = [
        subprocess.Popen(FAKE_CLI + ["build", "demo.py"], cwd=project, env=environment,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in processes]
    assert [code for code, _, _ in results] == [0, 0], results
    statuses = sorted(out.split("(")[1].split(")")[0] for _, out, _ in results)
    assert statuses in (["1 compiled", "1 unchanged"], ["1 cached", "1 compiled"]), statuses
    expected = fake_generator.generate(Path("demo.py").read_text(), "demo.py").text
    assert (built / "demo_grad.pyx").read_text() == expected
    assert [p.name for p in built.iterdir() if p.name.startswith(".")] == []
    code = "from generated.demo_grad import grad_power; print(grad_power(3.0, 2))"
    assert float(subprocess.check_output([sys.executable, "-c", code], cwd=project)) == pytest.approx(6.0)


def test_python_dash_m_srcgrad_is_the_same_program():
    finished = subprocess.run([sys.executable, "-m", "srcgrad", "--version"], capture_output=True, text=True)
    assert finished.returncode == 0 and finished.stdout.strip() == f"srcgrad {srcgrad.__version__}"


def test_an_internal_error_is_one_line_unless_debugging(project, capsys, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(srcgrad.generate, "generate", crash)
    code, _, err = run(["build", "demo.py"], capsys)
    assert code == 2
    assert err == (
        "srcgrad: error: internal error on demo.py: RuntimeError: boom "
        "(please report it; SRCGRAD_DEBUG=1 shows the traceback)\n"
    )
    monkeypatch.setenv("SRCGRAD_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        main(["build", "demo.py"])


def test_an_unusable_cache_folder_is_a_clear_error(project, capsys, monkeypatch):
    (project / "not-a-folder").write_text("")
    monkeypatch.setenv("SRCGRAD_CACHE_DIR", str(project / "not-a-folder"))
    code, _, err = run(["build", "demo.py", "-q"], capsys)
    assert code == 2 and err.startswith("srcgrad: error: cannot use the build cache") and err.count("\n") == 1
