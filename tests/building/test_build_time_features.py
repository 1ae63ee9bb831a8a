"""What makes builds fast (issue 13 part 5), checked by behaviour, never by time.

- Generated modules import Cython's utility code (typed memoryviews) from the shared module
  srcgrad.runtime._cyutility, built once at install time, instead of compiling their own copy;
  modules built either way compute the same values and gradients.
- The C of a generated module compiles at -O1 except its numeric kernels (GCC: an
  optimize("O3") attribute on each), whose runtime helpers are always inlined; a compiler not
  named gcc gets -O3 throughout, without running it to ask.
- A rebuild with nothing changed loads neither the compiler, nor Cython, nor a C compiler.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from srcgrad import build, compile as compiling
from srcgrad.api import _import_extension
from srcgrad.generate import generate
from support import PROGRAMS, central_differences, original_module, pure_module

CHAIN = (PROGRAMS / "chain_bump_power.py").read_text()

SPRINGS = """\
import numpy as np


def springs(x: np.ndarray, rest: float) -> float:
    total = 0.0
    for i in range(len(x) - 1):
        d = x[i + 1] - x[i] - rest
        total += d * d
    return total
"""


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sources")
    (folder / "chain.py").write_text(CHAIN)
    (folder / "springs.py").write_text(SPRINGS)
    return folder


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


def _compiled(path: Path, cache: Path):
    generated = generate(path.read_text(), str(path))
    binary, _ = build.compile_cached(generated.text, generated.module_name, cache_dir=cache)
    return binary, generated.module_name


@pytest.fixture(scope="module")
def shared_builds(sources, cache):
    assert compiling.shared_utility_module() == "srcgrad.runtime._cyutility", (
        "the install did not build srcgrad.runtime._cyutility with this Cython: pip install -e .")
    return {name: _compiled(sources / f"{name}.py", cache) for name in ("chain", "springs")}


@pytest.fixture(scope="module")
def own_utility_build(sources, tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SRCGRAD_SHARED_UTILITY", "0")
        assert compiling.shared_utility_module() is None
        return _compiled(sources / "chain.py", tmp_path_factory.mktemp("own-cache"))


def _shared_module_file() -> Path:
    return compiling.RUNTIME_DIR / f"_cyutility{build.EXT_SUFFIX}"


def test_two_modules_in_one_cache_import_the_one_shared_utility_module(shared_builds):
    before = _shared_module_file().stat()
    for binary, _ in shared_builds.values():
        assert b"srcgrad.runtime._cyutility" in binary.read_bytes()
    assert shared_builds["chain"][0].parent.parent == shared_builds["springs"][0].parent.parent  # one cache
    for binary, module_name in shared_builds.values():
        _import_extension(binary, module_name)
    assert "srcgrad.runtime._cyutility" in sys.modules
    after = _shared_module_file().stat()
    assert (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size)  # built once, at install


def test_a_module_without_the_shared_module_carries_its_own_memoryview_code(shared_builds, own_utility_build):
    own_binary, _ = own_utility_build
    shared_binary, _ = shared_builds["chain"]
    assert b"srcgrad.runtime._cyutility" not in own_binary.read_bytes()
    assert own_binary.stat().st_size > shared_binary.stat().st_size + 100_000  # the memoryview code
    assert own_binary != shared_binary  # the cache keys differ: the choice is part of the key


def test_modules_built_both_ways_agree_with_each_other_differences_and_pure_python(sources, shared_builds,
                                                                                 own_utility_build):
    shared = _import_extension(*shared_builds["chain"])
    own = _import_extension(*own_utility_build)
    path = str(sources / "chain.py")
    original, pure = original_module(path), pure_module(path)
    x = np.array([0.3, -1.2, 0.8, 2.0, -0.4])
    value, (g_x, g_k) = shared.value_and_grad_chain(x, 1.7)
    own_value, (own_x, own_k) = own.value_and_grad_chain(x, 1.7)
    assert (value, g_k) == (own_value, own_k)
    np.testing.assert_array_equal(g_x, own_x)
    assert value == pytest.approx(original.chain(x, 1.7), rel=1e-14)
    expected_x, expected_k = central_differences(original.chain, (x, 1.7), [0, 1])
    np.testing.assert_allclose(g_x, expected_x, rtol=1e-6)
    assert g_k == pytest.approx(expected_k, rel=1e-6)
    pure_x, pure_k = pure.grad_chain(x, 1.7)
    np.testing.assert_allclose(g_x, pure_x, rtol=1e-13)
    assert g_k == pytest.approx(pure_k, rel=1e-13)
    np.testing.assert_array_equal(shared.hvp_chain(x, 1.7, (x, 1.0))[0], own.hvp_chain(x, 1.7, (x, 1.0))[0])
    assert shared.grad_bump(0.4, -0.9) == own.grad_bump(0.4, -0.9)
    assert shared.value_and_grad_power(1.1, 7) == own.value_and_grad_power(1.1, 7) == pytest.approx((1.1 ** 7, 7 * 1.1 ** 6),
                                                                                                rel=1e-14)
    assert shared.grad_bump(0.4, -0.9) == pytest.approx(
        central_differences(original.bump, (0.4, -0.9), [0, 1]), rel=1e-7)

    springs = _import_extension(*shared_builds["springs"])
    (expected,) = central_differences(original_module(str(sources / "springs.py")).springs, (x, 0.5), [0])
    np.testing.assert_allclose(springs.grad_springs(x, 0.5)[0], expected, rtol=1e-6, atol=1e-9)


def _translated(sources: Path, tmp_path: Path) -> str:
    generated = generate(CHAIN, str(sources / "chain.py"))
    pyx = tmp_path / f"{generated.module_name}.pyx"
    pyx.write_text(generated.text)
    # the include folder builds use: Cython remembers where it found a .pxd for the whole process
    include = compiling.cython_include_dir(build.default_cache_dir() / "include")
    compiling.cython_to_c(pyx, generated.module_name, False, include, compiling.shared_utility_module())
    return pyx.with_suffix(".c").read_text()


@pytest.mark.skipif(not compiling.splits_optimisation(), reason="the C compiler is not GCC: -O3 throughout")
def test_only_the_numeric_kernels_are_compiled_at_O3(optimised_builds, sources, tmp_path, monkeypatch):
    monkeypatch.delenv("SRCGRAD_SANITIZE", raising=False)
    c_text = _translated(sources, tmp_path)
    assert '#define __SRCGRAD_KERNEL __attribute__((optimize("O3")))' in c_text  # for GCC only
    marked = [line for line in c_text.splitlines() if line.startswith("__SRCGRAD_KERNEL ")]
    expected = {f"_{function}_{part}" for function in ("chain", "bump", "power") for part in ("primal", "adjoint", "jvp", "hvp")}
    assert {name for line in marked for name in expected if f"_grad_{name}(" in line} == expected
    assert all("PyObject" not in line and "/*proto*/" in line for line in marked)
    inlined = [line for line in c_text.splitlines() if line.startswith("__SRCGRAD_INLINE ")]
    assert any("__pyx_f_7srcgrad_7runtime_4tape_push_double(" in line for line in inlined)
    assert compiling.c_flags(False, kernels_only=True)[:2] == ["-O1", "-g0"]
    assert compiling.c_flags(True)[:1] == ["-O3"]  # srcgrad.setuptools compiles unmarked C


HAND_WRITTEN = """\
# cython: boundscheck=False, wraparound=False
cdef double _total(double[::1] x):
    cdef double s = 0.0
    cdef Py_ssize_t i
    for i in range(x.shape[0]):
        s += x[i] * x[i]
    return s


def total(x):
    return _total(x)
"""


def test_cython_srcgrad_did_not_generate_compiles_at_O3_throughout(optimised_builds, tmp_path, monkeypatch):
    """Hand-written Cython compiled through srcgrad (the benchmarks' hand adjoints) has no generated
    kernels to mark: it must not be left at -O1, or the hand adjoints the benchmarks compare with
    run slower than written."""
    monkeypatch.delenv("SRCGRAD_SANITIZE", raising=False)
    pyx = tmp_path / "hand_written.pyx"
    pyx.write_text(HAND_WRITTEN)
    include = compiling.cython_include_dir(build.default_cache_dir() / "include")
    extensions = compiling.cython_to_c(pyx, "hand_written", False, include, compiling.shared_utility_module())
    c_text = pyx.with_suffix(".c").read_text()
    assert not [line for line in c_text.splitlines() if line.startswith("__SRCGRAD_KERNEL ")]
    assert [e.extra_compile_args[0] for e in extensions] == ["-O3"]


def test_only_a_compiler_named_gcc_compiles_around_the_kernels_at_O1(optimised_builds, monkeypatch):
    for name, splits in [("gcc", True), ("ccache gcc-12", True), ("x86_64-linux-gnu-gcc -pthread", True),
                         ("clang", False), ("cc", False), ("/opt/slowcc", False), ("icx", False)]:
        monkeypatch.setenv("CC", name)
        assert compiling.splits_optimisation() is splits, name
        assert compiling.c_flags(False, kernels_only=True)[0] == ("-O1" if splits else "-O3"), name


def test_sanitized_builds_compile_everything_alike(sources, tmp_path, monkeypatch):
    monkeypatch.setenv("SRCGRAD_SANITIZE", "1")
    c_text = _translated(sources, tmp_path)
    assert "__SRCGRAD_KERNEL" not in c_text and "__SRCGRAD_INLINE" not in c_text
    flags = compiling.c_flags(False, kernels_only=True)
    assert flags[:2] == ["-O1", "-g"] and "-fsanitize=address,undefined" in flags


REBUILD = """\
import json, sys
from srcgrad.cli import main
status = main(sys.argv[1:])
heavy = ["libcst", "Cython.Compiler.Main", "Cython.Build", "setuptools", "srcgrad.generate", "srcgrad.eager",
         "numpy"]
print(json.dumps({"status": status, "loaded": [name for name in heavy if name in sys.modules]}))
"""


def _cli_build(source: Path, outdir: Path, cache: Path) -> dict:
    finished = subprocess.run([sys.executable, "-c", REBUILD, "build", str(source), "-o", str(outdir), "-q"],
                              env=dict(os.environ, SRCGRAD_CACHE_DIR=str(cache)), capture_output=True, text=True,
                              timeout=600)
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout.splitlines()[-1])


def test_a_rebuild_with_nothing_changed_loads_no_compiler(sources, cache, tmp_path, shared_builds):
    outdir = tmp_path / "out"
    first = _cli_build(sources / "springs.py", outdir, cache)  # the binary comes from the cache already
    assert first["status"] == 0 and "libcst" in first["loaded"]  # the generator ran once
    binary = outdir / f"springs_grad{build.EXT_SUFFIX}"
    stamp = binary.stat().st_mtime_ns
    again = _cli_build(sources / "springs.py", outdir, cache)
    assert again == {"status": 0, "loaded": []}
    assert binary.stat().st_mtime_ns == stamp
    springs = _import_extension(binary, "springs_grad")
    x = np.array([0.1, 0.9, 1.4])
    (expected,) = central_differences(original_module(str(sources / "springs.py")).springs, (x, 0.5), [0])
    np.testing.assert_allclose(springs.grad_springs(x, 0.5)[0], expected, rtol=1e-6, atol=1e-9)
