"""From generated module text to files in OUTDIR: the readable source and its compiled extension.

How a build runs (see `install`):

1. Compile into the cache. The cache key is a sha256 of everything that can change the binary:
   the generated text, the module name, the srcgrad, Cython, NumPy and Python versions, the
   runtime .pxd files the text cimports, and the C flags. A cache hit costs a hash and a stat,
   and never imports Cython or setuptools. A miss compiles in a private temporary folder under
   the cache and publishes the finished entry with a single directory rename, under a per-key
   file lock, so parallel processes (pytest-xdist, `srcgrad build -j`) compiling the same module
   compile it once and never see a half-written entry.
2. Install into OUTDIR under a lock on OUTDIR itself (fcntl.flock on the directory), so two
   builds of the same file never interleave their .pyx and binary. Each file is written to a
   temporary file in OUTDIR and renamed over the old one (os.replace), so a failed or
   interrupted build leaves the previous output whole, and the temporary file is removed on
   every way out. Files whose bytes are already right are not rewritten.

`generate_cached` also remembers what the compiler generated for a source text, keyed by that
text, the options and a hash of the srcgrad package's own source files (so editing the compiler
invalidates it), so a no-change rebuild does not even load the compiler (libcst and all).

Cache layout (SRCGRAD_CACHE_DIR, default ~/.cache/srcgrad):

    generated/<key>.json                                 generate() results (GeneratedModule)
    modules/<key>/<module>.pyx, <module><EXT_SUFFIX>   finished entries, never modified
    locks/<key>.lock                                     per-key compile locks
    build/<random>/                                      compiles in progress, removed after
    failed/<module>.pyx                                  the text of the last failed compile

Nothing evicts old entries; deleting the cache folder between builds is safe.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import hashlib
import io
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__, runtime

CYTHON_DIRECTIVES = {
    "language_level": 3,
    "boundscheck": False,
    "wraparound": False,
    "cdivision": True,
    "cpow": True,
    "initializedcheck": False,
}

# The package generated modules cimport: <site-packages>/srcgrad/runtime once installed, the
# checkout's top-level runtime/ folder in an editable install.
RUNTIME_DIR = Path(runtime.__file__).resolve().parent

EXT_SUFFIX = sysconfig.get_config_var("EXT_SUFFIX") or ".so"


class BuildError(Exception):
    """The generated module could not be compiled or installed; the message is for the user."""


@dataclass
class BuildResult:
    source_path: Path  # OUTDIR/FILE_grad.pyx or .py
    binary_path: Path | None  # OUTDIR/FILE_grad<EXT_SUFFIX>; None for pure Python
    compiled: bool  # the C compiler ran (False: cache hit, or pure Python)
    changed: bool  # some file in OUTDIR was written or removed
    stages: list[tuple[str, float]] = field(default_factory=list)  # (stage, seconds)


# --------------------------------------------------------------------------- paths and keys


def default_cache_dir() -> Path:
    configured = os.environ.get("SRCGRAD_CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "srcgrad"


def cython_include_dir(scratch: Path) -> Path:
    """A folder from which Cython resolves `cimport srcgrad.runtime.NAME`.

    Cython finds a .pxd by path (FOLDER/srcgrad/runtime/NAME.pxd), not through the import
    system. An installed srcgrad has that path under site-packages. An editable install keeps the
    runtime in the checkout's top-level runtime/ folder, which no such path reaches, so its .pxd
    files are copied into `scratch`/srcgrad/runtime/ (with the empty __init__.pxd files that make
    the folders packages for Cython).
    """
    if RUNTIME_DIR.name == "runtime" and RUNTIME_DIR.parent.name == "srcgrad":
        return RUNTIME_DIR.parent.parent
    package = scratch / "srcgrad" / "runtime"
    package.mkdir(parents=True, exist_ok=True)
    copies = {package.parent / "__init__.pxd": b"", package / "__init__.pxd": b""}
    copies.update((package / pxd.name, pxd.read_bytes()) for pxd in RUNTIME_DIR.glob("*.pxd"))
    for target, data in copies.items():
        if not _same_bytes(target, data):
            atomic_write(target, data)
    return scratch


def output_paths(outdir: Path, module_name: str, suffix: str) -> tuple[Path, Path]:
    """The generated source and the compiled binary of `module_name` inside `outdir`."""
    return outdir / f"{module_name}{suffix}", outdir / f"{module_name}{EXT_SUFFIX}"


# SRCGRAD_SANITIZE=1: compile generated modules under AddressSanitizer and UBSan (a test mode,
# docs/fuzzing.md): an out-of-bounds read or undefined behaviour aborts with a report instead of
# passing silently. Python itself is not instrumented, so the process needs the ASan runtime
# preloaded (LD_PRELOAD=$(gcc -print-file-name=libasan.so)).
SANITIZE_FLAGS = ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined", "-fno-omit-frame-pointer"]


def sanitizing() -> bool:
    return os.environ.get("SRCGRAD_SANITIZE", "") not in ("", "0")


def c_flags(fast_math: bool) -> list[str]:
    # -g0 drops the debug info Python's own CFLAGS ask for: a fifth of the compile time, and a
    # binary a fraction of the size, for symbols nobody steps through in generated code.
    flags = ["-O3", "-g0"]
    if fast_math:
        flags += ["-ffast-math", "-march=native"]
    if sanitizing():  # -O1 -g: faster to compile, and reports that name lines
        flags = ["-O1", "-g"] + flags[2:] + SANITIZE_FLAGS
    return flags


def link_flags() -> list[str]:
    return SANITIZE_FLAGS[:1] if sanitizing() else []


def cache_key(text: str, module_name: str, fast_math: bool = False) -> str:
    digest = hashlib.sha256()
    for part in _key_parts(module_name, fast_math):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(text.encode())
    return digest.hexdigest()


def _key_parts(module_name: str, fast_math: bool) -> list[str]:
    import importlib.metadata

    import Cython  # only Cython/Shadow.py: a few milliseconds, unlike the compiler

    parts = [
        "srcgrad-build-1",
        module_name,
        __version__,
        Cython.__version__,
        importlib.metadata.version("numpy"),
        sys.version,
        EXT_SUFFIX,
        platform.machine(),
        " ".join(c_flags(fast_math) + link_flags()),
        os.environ.get("CC", ""),
        os.environ.get("CFLAGS", ""),
    ]
    if fast_math:
        # -march=native code must not be reused on another CPU sharing the same cache folder.
        parts.append(_cpu_model())
    for pxd in sorted(RUNTIME_DIR.glob("*.pxd")):
        parts.append(hashlib.sha256(pxd.read_bytes()).hexdigest())
    return parts


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("model name", "flags")):
                return line
    return platform.processor()


# --------------------------------------------------------------------------- generating


def generate_cached(source: str, filename: str, *, pure: bool = False, only=None, cache_dir: Path | None = None,
                    third_order: bool = False):
    """srcgrad.generate.generate(...), remembered on disk across processes.

    Source errors are not remembered: they are raised again, by the compiler, every time.
    """
    from . import generate as generator

    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    options = json.dumps([filename, pure, sorted(only) if only else None] + ([True] if third_order else []))
    key = _generation_key(generator.generate, source, options)
    path = cache / "generated" / f"{key}.json"
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        return _module_from_json(path.read_bytes())
    extra = {"third_order": True} if third_order else {}
    generated = generator.generate(source, filename, pure=pure, only=only, **extra)
    with contextlib.suppress(OSError, ValueError, TypeError):
        data = json.dumps(dataclasses.asdict(generated), sort_keys=True).encode()
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
    return generated


def _generation_key(generate, source: str, options: str) -> str:
    digest = hashlib.sha256()
    # The generator's identity keeps a stand-in (tests monkeypatch one) from sharing entries.
    for part in ("srcgrad-generate-1", f"{generate.__module__}.{generate.__qualname__}", __version__,
                 sys.version, _package_fingerprint(), options, source):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


@functools.lru_cache(maxsize=None)
def _package_fingerprint() -> str:
    """A hash of srcgrad's own source files: any change to the compiler invalidates its results."""
    import importlib.metadata

    digest = hashlib.sha256(importlib.metadata.version("libcst").encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".pyx", ".pxd"):
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _module_from_json(data: bytes):
    from .diagnostics import Diagnostic
    from .generate import FunctionReport, GeneratedModule

    fields = json.loads(data)
    fields["diagnostics"] = [Diagnostic(**d) for d in fields["diagnostics"]]
    fields["reports"] = [FunctionReport(**r) for r in fields["reports"]]
    return GeneratedModule(**fields)


# --------------------------------------------------------------------------- files and locks


@contextlib.contextmanager
def file_lock(path: Path):
    """Hold an exclusive fcntl lock on `path` (a file, created if missing, or a directory)."""
    if path.is_dir():
        fd = os.open(path, os.O_RDONLY)
    else:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` by `data` in one rename; on any failure the old file stays as it was."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_copy(source: Path, destination: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.", suffix=".tmp")
    try:
        os.close(fd)
        shutil.copyfile(source, tmp)
        os.chmod(tmp, 0o755)
        os.replace(tmp, destination)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.stat().st_size != b.stat().st_size:
            return False
        return a.read_bytes() == b.read_bytes()
    except OSError:
        return False


# --------------------------------------------------------------------------- compiling


def compile_cached(
    text: str,
    module_name: str,
    *,
    fast_math: bool = False,
    cache_dir: Path | None = None,
    display_name: str | None = None,
    stages: list[tuple[str, float]] | None = None,
) -> tuple[Path, bool]:
    """Return (path of the compiled extension in the cache, whether the compiler ran).

    `display_name` is how error messages name the generated file (e.g. generated/x_grad.pyx).
    """
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    key = cache_key(text, module_name, fast_math)
    binary = cache / "modules" / key / f"{module_name}{EXT_SUFFIX}"
    if binary.is_file():
        return binary, False
    try:
        return _compile_locked(text, module_name, key, cache, fast_math, display_name, stages)
    except OSError as error:
        raise BuildError(f"cannot use the build cache {cache}: {error}") from None


def _compile_locked(text, module_name, key, cache, fast_math, display_name, stages) -> tuple[Path, bool]:
    """Compile into cache entry `key` under its lock, unless another process just did."""
    entry = cache / "modules" / key
    binary = entry / f"{module_name}{EXT_SUFFIX}"
    for sub in ("modules", "locks", "build"):
        (cache / sub).mkdir(parents=True, exist_ok=True)
    with file_lock(cache / "locks" / f"{key}.lock"):
        if binary.is_file():  # another process compiled it while we waited for the lock
            return binary, False
        if entry.exists():  # an entry whose binary someone deleted: the rename needs the name free
            shutil.rmtree(entry)
        staging = Path(tempfile.mkdtemp(dir=cache / "build", prefix=f"{module_name}-"))
        try:
            built = _compile(text, module_name, staging / "src", fast_math, stages)
            published = staging / "entry"
            published.mkdir()
            (published / f"{module_name}.pyx").write_text(text, encoding="utf-8")
            os.replace(built, published / binary.name)
            os.rename(published, entry)
        except _CompileFailed as failure:
            kept = _keep_failed_text(cache, module_name, text)
            raise BuildError(failure.explain(display_name or f"{module_name}.pyx", text, kept)) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return binary, True


def _keep_failed_text(cache: Path, module_name: str, text: str) -> Path | None:
    """Keep the text that failed to compile, so the user can read the whole file."""
    with contextlib.suppress(OSError):
        path = cache / "failed" / f"{module_name}.pyx"
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, text.encode())
        return path
    return None


class _CompileFailed(Exception):
    def __init__(self, tool: str, output: str, c_file: Path | None = None):
        super().__init__(output)
        self.tool = tool  # "Cython" or "C compiler"
        self.output = output
        self.c_file = c_file

    def explain(self, display_name: str, text: str, kept: Path | None) -> str:
        line, message = self._locate()
        lines = [f"{self.tool} failed on {display_name}" + (f", line {line}" if line else "") + f": {message}"]
        source_lines = text.splitlines()
        if line and 1 <= line <= len(source_lines):
            lines.append(f"  {display_name}:{line}: {source_lines[line - 1].strip()}")
        if kept is not None:
            lines.append(f"  (the generated text is kept in {kept})")
        return "\n".join(lines)

    def _locate(self) -> tuple[int | None, str]:
        if self.tool == "Cython":
            return _locate_cython_error(self.output)
        return _locate_c_error(self.output, self.c_file)


_CYTHON_ERROR = re.compile(r"^(?P<file>.+?\.pyx):(?P<line>\d+):(?P<col>\d+): (?P<message>.*)$", re.M)
_C_LOCATION = re.compile(r"^(?P<file>.+?\.c):(?P<line>\d+):(?:\d+:)? (?P<kind>error|warning|note): (?P<message>.*)$", re.M)
_SOURCE_MARKER = re.compile(r'^\s*/\* "(?P<file>[^"]+\.(?:pyx|pxd))":(?P<line>\d+)$')


def _locate_cython_error(output: str) -> tuple[int | None, str]:
    found = _CYTHON_ERROR.search(output)
    if not found:
        return None, _last_line(output)
    return int(found["line"]), found["message"]


def _locate_c_error(output: str, c_file: Path | None) -> tuple[int | None, str]:
    """The first C error message, and the .pyx line of the first C location Cython marked."""
    locations = list(_C_LOCATION.finditer(output))
    errors = [m["message"] for m in locations if m["kind"] == "error"]
    message = errors[0] if errors else _last_line(output)
    if c_file is None or not c_file.is_file():
        return None, message
    c_lines = c_file.read_text(errors="replace").splitlines()
    pyx_name = c_file.with_suffix(".pyx").name
    for location in locations:
        pyx_line = _pyx_line_before(c_lines, int(location["line"]), pyx_name)
        if pyx_line is not None:
            return pyx_line, message
    return None, message


def _pyx_line_before(c_lines: list[str], c_line: int, pyx_name: str) -> int | None:
    """The line of `pyx_name` whose C code contains `c_line`, if any.

    Cython precedes the C code of each source line by a comment `/* "FILE.pyx":N`; code from a
    cimported .pxd (inline runtime functions) is marked with that .pxd instead.
    """
    for index in range(min(c_line, len(c_lines)) - 1, -1, -1):
        marker = _SOURCE_MARKER.match(c_lines[index])
        if marker:
            return int(marker["line"]) if Path(marker["file"]).name == pyx_name else None
    return None


def _last_line(output: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def _compile(text: str, module_name: str, workdir: Path, fast_math: bool, stages) -> Path:
    """Cythonize and compile `text` inside `workdir`; return the path of the built extension."""
    workdir.mkdir(parents=True)
    pyx = workdir / f"{module_name}.pyx"
    pyx.write_text(text, encoding="utf-8")

    started = time.perf_counter()
    extensions = _cythonize(pyx, module_name, fast_math, cython_include_dir(workdir / "include"))
    _record(stages, "cythonize", started)

    started = time.perf_counter()
    binary = _c_compile(extensions, module_name, workdir, pyx.with_suffix(".c"))
    _record(stages, "compile", started)
    return binary


def _cythonize(pyx: Path, module_name: str, fast_math: bool, include_dir: Path) -> list:
    import numpy
    from Cython.Build import cythonize
    from Cython.Compiler.Errors import CompileError
    from setuptools import Extension

    extension = Extension(
        module_name,
        [str(pyx)],
        include_dirs=[numpy.get_include()],
        extra_compile_args=c_flags(fast_math),
        extra_link_args=link_flags(),
    )
    messages = io.StringIO()
    try:
        # Cython reports errors on sys.stderr; keep them for the BuildError instead.
        with contextlib.redirect_stderr(messages), contextlib.redirect_stdout(messages):
            return cythonize(
                [extension],
                include_path=[str(include_dir)],
                compiler_directives=CYTHON_DIRECTIVES,
                quiet=True,
                force=True,
            )
    except CompileError:
        raise _CompileFailed("Cython", messages.getvalue()) from None


def _c_compile(extensions: list, module_name: str, workdir: Path, c_file: Path) -> Path:
    from setuptools import Distribution
    from setuptools.command.build_ext import build_ext

    class CapturingBuildExt(build_ext):
        """build_ext whose compiler keeps its messages for the BuildError instead of printing them."""

        def build_extensions(self):
            # setuptools < 80 runs the compiler through `spawn`, later versions through `call`.
            self.compiler.spawn = self.compiler.call = _run_capturing
            super().build_extensions()

    command = CapturingBuildExt(Distribution({"ext_modules": extensions}))
    command.build_lib = str(workdir / "lib")
    command.build_temp = str(workdir / "obj")
    command.ensure_finalized()
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # distutils' chatter
            command.run()
    except _CompilerOutput as failure:
        raise _CompileFailed("C compiler", failure.output, c_file) from None
    return Path(command.get_ext_fullpath(module_name))


def _record(stages, stage: str, started: float) -> None:
    if stages is not None:
        stages.append((stage, time.perf_counter() - started))


class _CompilerOutput(Exception):
    def __init__(self, output: str):
        super().__init__(output)
        self.output = output


def _run_capturing(command: list[str], *, env=None, **_ignored) -> None:
    """Stand-in for distutils' spawn/call that keeps the compiler's messages for the BuildError."""
    finished = subprocess.run(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
    )
    if finished.returncode != 0:
        raise _CompilerOutput(finished.stdout)


# --------------------------------------------------------------------------- installing


def install(
    generated,
    outdir: Path | str,
    *,
    fast_math: bool = False,
    cache_dir: Path | None = None,
) -> BuildResult:
    """Write `generated` (a srcgrad.generate.GeneratedModule) into OUTDIR; compile if Cython.

    The compile happens before OUTDIR is touched: if it fails, OUTDIR keeps its old contents.
    A pure-Python build removes a compiled binary of the same module, which would otherwise
    shadow the new .py on import; a compiled build leaves a stray .py alone (the binary wins).
    """
    outdir = Path(outdir)
    source_path, binary_path = output_paths(outdir, generated.module_name, generated.suffix)
    stages: list[tuple[str, float]] = []
    if outdir.exists() and not outdir.is_dir():
        raise BuildError(f"cannot create output folder {outdir}: a file of that name is in the way")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except NotADirectoryError:  # -o afile/sub
        raise BuildError(f"cannot create output folder {outdir}: a file is in the way on its path") from None
    except OSError as error:
        raise BuildError(f"cannot create output folder {outdir}: {error.strerror}") from None

    compiled = False
    cached_binary = None
    if generated.suffix == ".pyx":
        started = time.perf_counter()
        cached_binary, compiled = compile_cached(
            generated.text,
            generated.module_name,
            fast_math=fast_math,
            cache_dir=cache_dir,
            display_name=str(source_path),
            stages=stages,
        )
        if not compiled:
            _record(stages, "cached", started)

    started = time.perf_counter()
    try:
        with file_lock(outdir):
            changed = _install_files(generated.text.encode(), source_path, cached_binary, binary_path)
            changed = _install_stub(generated, outdir) or changed
    except OSError as error:
        raise BuildError(f"cannot write into {outdir}: {error.strerror or error}") from None
    _record(stages, "install", started)
    return BuildResult(
        source_path=source_path,
        binary_path=binary_path if cached_binary is not None else None,
        compiled=compiled,
        changed=changed,
        stages=stages,
    )


def _install_files(text: bytes, source_path: Path, cached_binary: Path | None, binary_path: Path) -> bool:
    changed = False
    if not _same_bytes(source_path, text):
        atomic_write(source_path, text)
        changed = True
    if cached_binary is None:
        if binary_path.exists():
            binary_path.unlink()
            changed = True
    elif not _same_file(cached_binary, binary_path):
        atomic_copy(cached_binary, binary_path)
        changed = True
    return changed


def stub_path(outdir: Path, module_name: str) -> Path:
    return Path(outdir) / f"{module_name}.pyi"


def _install_stub(generated, outdir: Path) -> bool:
    """Write the module's type stub (FILE_grad.pyi) beside it, for mypy and editors."""
    stub = getattr(generated, "stub", "")
    if not stub:
        return False
    path = stub_path(outdir, generated.module_name)
    if _same_bytes(path, stub.encode()):
        return False
    atomic_write(path, stub.encode())
    return True
