"""srcgrad.build: compile into a content-hash cache, install into OUTDIR atomically, under locks.

The generated modules come from tests/fake_generator.py, so these tests exercise the build
machinery alone. Each distinct module is compiled once per session, into a session cache.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

import fake_generator
import srcgrad.generate
from srcgrad import build
from srcgrad.diagnostics import SourceError

DEMO_SOURCE = """\
import math


def power(x: float, n: int) -> float:
    out = 1.0
    for i in range(n):
        out = out * x
    return out


def wave(x, y):
    return math.sin(x) * y
"""


def demo(source: str = DEMO_SOURCE, pure: bool = False):
    return fake_generator.generate(source, "demo.py", pure=pure)


@pytest.fixture(scope="session")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def first_build(tmp_path_factory, cache):
    """The one compile of the demo module: OUTDIR is `<tmp>/generated`."""
    outdir = tmp_path_factory.mktemp("first") / "generated"
    return build.install(demo(), outdir, cache_dir=cache)


@pytest.fixture
def outdir(tmp_path, cache, first_build) -> Path:
    """A fresh OUTDIR holding the demo build (installed from the cache, no compile)."""
    out = tmp_path / "generated"
    result = build.install(demo(), out, cache_dir=cache)
    assert not result.compiled
    return out


def no_compile(*args, **kwargs):
    raise AssertionError("the C compiler must not run")


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or p.name.endswith(".tmp"))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def run_python(code: str, cwd: Path) -> str:
    finished = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    return finished.stdout.strip()


# --------------------------------------------------------------------------- first build


def test_first_build_compiles_and_installs_source_and_binary(first_build):
    assert first_build.compiled and first_build.changed
    assert first_build.source_path.name == "demo_grad.pyx"
    assert first_build.source_path.read_text() == demo().text
    assert first_build.binary_path.name == "demo_grad" + build.EXT_SUFFIX
    assert [stage for stage, _ in first_build.stages] == ["cythonize", "compile", "install"]
    assert temp_files(first_build.source_path.parent) == []


def test_module_imports_with_outdir_on_sys_path(first_build):
    code = "import demo_grad as m; print(m.grad_power(3.0, 2), m.tape_roundtrip(2.5))"
    gradient, roundtrip = run_python(code, cwd=first_build.source_path.parent).split()
    assert float(gradient) == pytest.approx(6.0) and float(roundtrip) == 2.5


def test_module_imports_as_submodule_of_the_default_outdir(first_build):
    code = "from generated.demo_grad import grad_power; print(grad_power(3.0, 2))"
    assert float(run_python(code, cwd=first_build.source_path.parent.parent)) == pytest.approx(6.0)


# --------------------------------------------------------------------------- the cache


def test_unchanged_rebuild_neither_compiles_nor_writes(first_build, cache, monkeypatch):
    monkeypatch.setattr(build, "_compile", no_compile)
    outdir = first_build.source_path.parent
    before = {p: p.stat().st_mtime_ns for p in outdir.iterdir()}
    result = build.install(demo(), outdir, cache_dir=cache)
    assert not result.compiled and not result.changed
    assert [stage for stage, _ in result.stages] == ["cached", "install"]
    assert {p: p.stat().st_mtime_ns for p in outdir.iterdir()} == before  # (its time: benchmarks/build_time.py)


def test_missing_binary_is_restored_from_the_cache(outdir, cache, monkeypatch):
    monkeypatch.setattr(build, "_compile", no_compile)
    binary = outdir / ("demo_grad" + build.EXT_SUFFIX)
    binary.unlink()
    result = build.install(demo(), outdir, cache_dir=cache)
    assert result.changed and not result.compiled and binary.is_file()


def test_cache_key_covers_text_module_name_and_flags():
    text = demo().text
    key = build.cache_key(text, "demo_grad")
    assert key == build.cache_key(text, "demo_grad")
    assert key != build.cache_key(text + "\n", "demo_grad")
    assert key != build.cache_key(text, "other_grad")
    assert key != build.cache_key(text, "demo_grad", fast_math=True)


def test_cache_dir_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SRCGRAD_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert build.default_cache_dir() == tmp_path / "elsewhere"
    monkeypatch.delenv("SRCGRAD_CACHE_DIR")
    assert build.default_cache_dir() == Path.home() / ".cache" / "srcgrad"


def test_cache_entries_are_published_whole(first_build, cache):
    entries = list((cache / "modules").iterdir())
    assert entries and all(sorted(p.suffix for p in entry.iterdir()) == [".pyx", ".so"] for entry in entries)
    assert list((cache / "build").iterdir()) == []


# --------------------------------------------------------------------------- failures


def test_cython_error_names_the_generated_line_and_keeps_the_old_output(outdir, cache):
    before = snapshot(outdir)
    broken = demo(DEMO_SOURCE + "# fake: broken-cython\n")
    with pytest.raises(build.BuildError) as failure:
        build.install(broken, outdir, cache_dir=cache)
    line = broken.text.splitlines().index("    cdef double y = undefined_thing(x)") + 1
    message = str(failure.value)
    assert message.startswith(f"Cython failed on {outdir / 'demo_grad.pyx'}, line {line}: ")
    assert "undefined_thing" in message.splitlines()[0]
    assert f"demo_grad.pyx:{line}: cdef double y = undefined_thing(x)" in message
    assert (cache / "failed" / "demo_grad.pyx").read_text() == broken.text
    assert snapshot(outdir) == before
    assert list((cache / "build").iterdir()) == []


def test_c_compiler_error_names_the_generated_line_and_keeps_the_old_output(outdir, cache):
    before = snapshot(outdir)
    broken = demo(DEMO_SOURCE + "# fake: broken-c\n")
    with pytest.raises(build.BuildError) as failure:
        build.install(broken, outdir, cache_dir=cache)
    line = broken.text.splitlines().index("    return SRCGRAD_BROKEN(x)") + 1
    message = str(failure.value)
    assert message.startswith(f"C compiler failed on {outdir / 'demo_grad.pyx'}, line {line}: ")
    assert "expected expression" in message.splitlines()[0]
    assert f"demo_grad.pyx:{line}: return SRCGRAD_BROKEN(x)" in message
    assert snapshot(outdir) == before
    assert list((cache / "build").iterdir()) == []


@pytest.mark.parametrize("failure", [OSError("disk full"), KeyboardInterrupt()])
def test_a_failed_write_keeps_the_old_file_and_no_temporary(tmp_path, monkeypatch, failure):
    target = tmp_path / "x_grad.pyx"
    target.write_text("old")

    def failing_replace(src, dst):
        raise failure

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(type(failure)):
        build.atomic_write(target, b"new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["x_grad.pyx"]


def test_an_interrupted_compile_leaves_no_build_folder_and_releases_its_lock(tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(build, "_compile", interrupted)
    text = demo().text
    with pytest.raises(KeyboardInterrupt):
        build.compile_cached(text, "demo_grad", cache_dir=tmp_path)
    assert list((tmp_path / "build").iterdir()) == []
    assert list((tmp_path / "modules").iterdir()) == []
    lock = tmp_path / "locks" / f"{build.cache_key(text, 'demo_grad')}.lock"
    with open(lock) as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # would raise if still held


def test_output_folder_that_cannot_be_created_is_a_build_error(tmp_path, cache):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(build.BuildError, match="cannot create output folder"):
        build.install(demo(pure=True), blocker / "generated", cache_dir=cache)


def test_outdir_lock_excludes_another_holder(tmp_path):
    with build.file_lock(tmp_path):
        other = os.open(tmp_path, os.O_RDONLY)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(other)


# --------------------------------------------------------------------------- pure Python


def test_pure_build_writes_python_and_removes_the_binary_that_would_shadow_it(outdir, cache):
    result = build.install(demo(pure=True), outdir, cache_dir=cache)
    assert result.changed and not result.compiled and result.binary_path is None
    assert (outdir / "demo_grad.py").read_text() == demo(pure=True).text
    assert not (outdir / ("demo_grad" + build.EXT_SUFFIX)).exists()
    assert (outdir / "demo_grad.pyx").exists()  # the Cython text is left alone
    assert float(run_python("import demo_grad as m; print(m.grad_power(3.0, 2))", outdir)) == pytest.approx(6.0)


def test_text_is_written_byte_for_byte(tmp_path, cache):
    generated = demo(pure=True)
    generated.text = "# ünïcode, \\r\\n stays escaped\r\nx = 1"  # no newline at the end
    build.install(generated, tmp_path, cache_dir=cache)
    assert (tmp_path / "demo_grad.py").read_bytes() == generated.text.encode()


# --------------------------------------------------------------------------- the generation cache


class CountingGenerator:
    """The fake generator, counting its calls; one identity, so its cache entries are shared."""

    def __init__(self):
        self.calls = 0
        self.__module__, self.__qualname__ = "tests.CountingGenerator", "generate"

    def __call__(self, source, filename, *, pure=False, only=None):
        self.calls += 1
        return fake_generator.generate(source, filename, pure=pure, only=only)


def test_generation_is_remembered_per_source_and_options(tmp_path, monkeypatch):
    counting = CountingGenerator()
    monkeypatch.setattr(srcgrad.generate, "generate", counting)
    source = DEMO_SOURCE.replace("def wave(x, y):", "def wave(x, y):  # fake: warn")
    first = build.generate_cached(source, "demo.py", cache_dir=tmp_path)
    again = build.generate_cached(source, "demo.py", cache_dir=tmp_path)
    assert counting.calls == 1
    assert again == first and again.diagnostics and again.reports
    build.generate_cached(source, "demo.py", pure=True, cache_dir=tmp_path)
    build.generate_cached(source, "other/demo.py", cache_dir=tmp_path)
    build.generate_cached(source, "demo.py", only=["power"], cache_dir=tmp_path)
    build.generate_cached(source + "\n", "demo.py", cache_dir=tmp_path)
    assert counting.calls == 5


def test_source_errors_are_not_remembered(tmp_path, monkeypatch):
    counting = CountingGenerator()
    monkeypatch.setattr(srcgrad.generate, "generate", counting)
    for _ in range(2):
        with pytest.raises(SourceError):
            build.generate_cached("def f(:\n", "bad.py", cache_dir=tmp_path)
    assert counting.calls == 2


def test_an_entry_missing_its_binary_is_compiled_again(tmp_path, monkeypatch):
    text = demo().text
    entry = tmp_path / "modules" / build.cache_key(text, "demo_grad")
    entry.mkdir(parents=True)
    (entry / "demo_grad.pyx").write_text(text)

    def fake_compile(text, module_name, workdir, fast_math, stages):
        workdir.mkdir(parents=True)
        (workdir / "demo_grad.so").write_bytes(b"binary")
        return workdir / "demo_grad.so"

    monkeypatch.setattr(build, "_compile", fake_compile)
    binary, compiled = build.compile_cached(text, "demo_grad", cache_dir=tmp_path)
    assert compiled and binary.read_bytes() == b"binary"


def test_fast_math_flags_and_include_paths_reach_the_c_compiler(tmp_path, monkeypatch):
    arguments = tmp_path / "arguments"
    compiler = tmp_path / "cc"
    compiler.write_text(f'#!/bin/sh\necho "$@" >> {arguments}\necho "cc: refusing on purpose"\nexit 1\n')
    compiler.chmod(0o755)
    monkeypatch.setenv("CC", str(compiler))
    with pytest.raises(build.BuildError, match="C compiler failed on demo_grad.pyx: cc: refusing on purpose"):
        build.compile_cached(demo().text, "demo_grad", fast_math=True, cache_dir=tmp_path / "cache")
    words = arguments.read_text().split()
    assert words[-4:] == ["-O3", "-g0", "-ffast-math", "-march=native"]  # last, so they win
    assert any(word.startswith("-I") and "numpy" in word for word in words)
