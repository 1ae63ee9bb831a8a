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

compile.py runs Cython and the C compiler (flags, include folder, error locations); files.py
writes files whole and holds the locks.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import platform
import shutil
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .compile import (RUNTIME_DIR, CompileFailed, c_compile, c_flags, cython_include_dir, cython_to_c, link_flags,
                      shared_utility_module)
from .files import atomic_copy, atomic_write, file_lock, same_bytes, same_file

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


def output_paths(outdir: Path, module_name: str, suffix: str) -> tuple[Path, Path]:
    """The generated source and the compiled binary of `module_name` inside `outdir`."""
    return outdir / f"{module_name}{suffix}", outdir / f"{module_name}{EXT_SUFFIX}"


def cache_key(text: str, module_name: str, fast_math: bool = False) -> str:
    digest = hashlib.sha256()
    for part in _key_parts(module_name, fast_math):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(text.encode())
    return digest.hexdigest()


def _key_parts(module_name: str, fast_math: bool) -> list[str]:
    import Cython  # only Cython/Shadow.py: a few milliseconds, unlike the compiler

    parts = [
        "srcgrad-build-1",
        module_name,
        __version__,
        Cython.__version__,
        _installed_version("numpy"),
        sys.version,
        EXT_SUFFIX,
        platform.machine(),
        " ".join(c_flags(fast_math) + link_flags()),
        "kernels -O3, rare entries and init code -O0, the rest -O1 (GCC); other Cython -O3",  # compile.mark_kernels
        shared_utility_module() or "own utility code",
        os.environ.get("CC", ""),
        os.environ.get("CFLAGS", ""),
    ]
    if fast_math:
        # -march=native code must not be reused on another CPU sharing the same cache folder.
        parts.append(_cpu_model())
    for pxd in sorted(RUNTIME_DIR.glob("*.pxd")):
        parts.append(hashlib.sha256(pxd.read_bytes()).hexdigest())
    return parts


@functools.lru_cache(maxsize=None)
def _installed_version(package: str) -> str:
    """What identifies the installed version of `package`: its version file's text, read without
    importing the package or importlib.metadata (which alone took 0.1 s, half of a no-change
    rebuild); the version from importlib.metadata if it has no such file."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is not None and spec.origin:
        for name in ("version.py", "_version.py"):
            with contextlib.suppress(OSError):
                return (Path(spec.origin).parent / name).read_text(encoding="utf-8")
    import importlib.metadata

    return importlib.metadata.version(package)


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("model name", "flags")):
                return line
    return platform.processor()


# --------------------------------------------------------------------------- generating


def generate_cached(source: str, filename: str, *, cache_dir: Path | None = None, **options):
    """srcgrad.generate.generate(source, filename, **options), remembered on disk across processes.

    The options (pure, only, ...) are the generator's own: they are passed on and keyed as they
    are, so an option left at its default and one not given share an entry. Source errors are
    not remembered: they are raised again, by the compiler, every time.
    """
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    asked = {name: sorted(value) if name == "only" else value for name, value in options.items() if value}
    key = _generation_key(_generator_name(), source, json.dumps([filename, asked], sort_keys=True))
    path = cache / "generated" / f"{key}.json"
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        return _module_from_json(path.read_bytes())
    from . import generate as generator  # only now: the compiler (libcst and all) takes most of a second to load

    generated = generator.generate(source, filename, **options)
    with contextlib.suppress(OSError, ValueError, TypeError):
        data = json.dumps(dataclasses.asdict(generated), sort_keys=True).encode()
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
    return generated


def _generator_name() -> str:
    """The generator's identity, which keeps a stand-in (tests monkeypatch one) from sharing
    entries with it. A stand-in needs srcgrad.generate loaded; if it is not, the real one is meant."""
    loaded = sys.modules.get(f"{__package__}.generate")
    generate = getattr(loaded, "generate", None)
    if generate is None:
        return f"{__package__}.generate.generate"
    return f"{generate.__module__}.{generate.__qualname__}"


def _generation_key(generator_name: str, source: str, options: str) -> str:
    digest = hashlib.sha256()
    for part in ("srcgrad-generate-1", generator_name, __version__,
                 sys.version, _package_fingerprint(), options, source):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


@functools.lru_cache(maxsize=None)
def _package_fingerprint() -> str:
    """A hash of srcgrad's own source files: any change to the compiler invalidates its results."""
    digest = hashlib.sha256(_installed_version("libcst").encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".pyx", ".pxd"):
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _module_from_json(data: bytes):
    from .diagnostics import Diagnostic
    from .generated import FunctionReport, GeneratedModule

    fields = json.loads(data)
    fields["diagnostics"] = [Diagnostic(**d) for d in fields["diagnostics"]]
    fields["reports"] = [FunctionReport(**r) for r in fields["reports"]]
    return GeneratedModule(**fields)


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
        except CompileFailed as failure:
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


def _compile(text: str, module_name: str, workdir: Path, fast_math: bool, stages) -> Path:
    """Cythonize and compile `text` inside `workdir`; return the path of the built extension."""
    workdir.mkdir(parents=True)
    pyx = workdir / f"{module_name}.pyx"
    pyx.write_text(text, encoding="utf-8")

    started = time.perf_counter()
    # One include folder for the whole process: Cython remembers where it found each .pxd, so a
    # folder removed with an earlier build's work folder would break the next build.
    extensions = cython_to_c(pyx, module_name, fast_math, cython_include_dir(default_cache_dir() / "include"),
                             shared_utility_module())
    _record(stages, "cythonize", started)

    started = time.perf_counter()
    binary = c_compile(extensions, module_name, workdir, pyx.with_suffix(".c"))
    _record(stages, "compile", started)
    return binary


def _record(stages, stage: str, started: float) -> None:
    if stages is not None:
        stages.append((stage, time.perf_counter() - started))


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
    if not same_bytes(source_path, text):
        atomic_write(source_path, text)
        changed = True
    if cached_binary is None:
        if binary_path.exists():
            binary_path.unlink()
            changed = True
    elif not same_file(cached_binary, binary_path):
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
    if same_bytes(path, stub.encode()):
        return False
    atomic_write(path, stub.encode())
    return True
