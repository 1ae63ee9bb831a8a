"""From generated .pyx text to a compiled extension: Cython, then the C compiler, with the flags,
the include folder for `cimport srcgrad.runtime`, and the errors of either located on the line
of the generated file they come from. build.py decides where (the cache) and when."""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
from pathlib import Path

from . import runtime
from .emit.printer import CYTHON_DIRECTIVES
from .files import atomic_write, same_bytes

# The package generated modules cimport: <site-packages>/srcgrad/runtime once installed, the
# checkout's top-level runtime/ folder in an editable install.
RUNTIME_DIR = Path(runtime.__file__).resolve().parent


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
        if not same_bytes(target, data):
            atomic_write(target, data)
    return scratch


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


class CompileFailed(Exception):
    """Cython or the C compiler refused the generated text; `explain` names the line."""

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


def cython_to_c(pyx: Path, module_name: str, fast_math: bool, include_dir: Path) -> list:
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
        raise CompileFailed("Cython", messages.getvalue()) from None


def c_compile(extensions: list, module_name: str, workdir: Path, c_file: Path) -> Path:
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
        raise CompileFailed("C compiler", failure.output, c_file) from None
    return Path(command.get_ext_fullpath(module_name))


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
