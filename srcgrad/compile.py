"""From generated .pyx text to a compiled extension: Cython, then the C compiler, with the flags,
the include folder for `cimport srcgrad.runtime`, and the errors of either located on the line
of the generated file they come from. build.py decides where (the cache) and when."""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import itertools
import os
import re
import shlex
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from . import runtime
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


def quick_builds() -> bool:
    """SRCGRAD_QUICK_BUILD=1: compile generated modules at -O0 throughout, except --fast-math ones
    (whose point is the vectorised loops). A build in a fraction of the C compiler's time, for the
    test suite, whose hundreds of modules run a few calls each; the code is slower, its results
    the same numbers (x86-64's SSE2 arithmetic and the same libm calls at every level) but for
    the sign of a NaN, which follows the operand order the compiler picks."""
    return os.environ.get("SRCGRAD_QUICK_BUILD", "") not in ("", "0")


def _quick(fast_math: bool) -> bool:
    """Whether this build is a quick one (quick_builds): not --fast-math, not sanitized."""
    return quick_builds() and not fast_math and not sanitizing()


def c_flags(fast_math: bool, kernels_only: bool = False) -> list[str]:
    """The C compiler's flags. kernels_only: the module's C is marked by `mark_kernels`, so the
    rest of it (argument parsing, module set-up: most of the text) compiles at -O1 and only
    the marked numeric functions at -O3 (GCC only; other compilers get -O3 throughout)."""
    # -g0 drops the debug info Python's own CFLAGS ask for: a fifth of the compile time, and a
    # binary a fraction of the size, for symbols nobody steps through in generated code.
    if _quick(fast_math):
        return ["-O0", "-g0"]
    level = "-O1" if kernels_only and splits_optimisation() else "-O3"
    flags = [level, "-g0"]
    if fast_math:
        flags += ["-ffast-math", "-march=native"]
    if sanitizing():  # -O1 -g: faster to compile, and reports that name lines
        flags = ["-O1", "-g"] + flags[2:] + SANITIZE_FLAGS
    return flags


def link_flags() -> list[str]:
    return SANITIZE_FLAGS[:1] if sanitizing() else []


# --------------------------------------------------------------------------- compile time
#
# Two things made a cold build slow (benchmarks/build_time.py): every module carried its own copy
# of Cython's typed-memoryview utility code, and GCC spent most of its time optimising, at
# -O3, the code Cython writes around the numeric functions (argument parsing, result packing,
# module set-up), whose speed hardly matters.

SHARED_UTILITY = "srcgrad.runtime._cyutility"


def shared_utility_module() -> str | None:
    """The module holding Cython's shared utility code, if generated modules can use it.

    setup.py builds srcgrad.runtime._cyutility (Cython's --generate-shared module: the typed
    memoryview types and helpers) once at install time; generated modules then import it instead
    of compiling that code again. It can only be shared with modules translated by the same
    Cython version (its ABI name, _cython_X_Y_Z, is in the binary); otherwise, or without it (an
    install that did not build it; SRCGRAD_SHARED_UTILITY=0), each module keeps its own copy.
    """
    if os.environ.get("SRCGRAD_SHARED_UTILITY", "") == "0":
        return None
    return SHARED_UTILITY if _shared_utility_built_by_this_cython() else None


@functools.lru_cache(maxsize=None)
def _shared_utility_built_by_this_cython() -> bool:
    import Cython  # only Cython/Shadow.py: a few milliseconds, unlike the compiler

    binary = RUNTIME_DIR / ("_cyutility" + (sysconfig.get_config_var("EXT_SUFFIX") or ".so"))
    try:
        data = binary.read_bytes()
    except OSError:
        return False
    return ("_cython_" + Cython.__version__.replace(".", "_") + ".").encode() in data


def splits_optimisation() -> bool:
    """Whether the C compiler (CC, else Python's) is GCC, which honours a per-function
    optimize("O3") attribute. Told by its name, without running it: an unknown compiler gets -O3
    throughout, and the marks are also guarded in the C (`_GUARD`) should a "gcc" be another."""
    command = shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")
    return any(re.fullmatch(r"(.*-)?gcc(-[0-9.]+)?", Path(word).name) for word in command)


# The prototype Cython writes for each cdef function of module NAME (mangled as its length and
# itself), e.g. `static double __pyx_f_9demo_grad__f_primal(double, double); /*proto*/`, and for
# each cdef inline function of a cimported .pxd (the runtime's tape and scalar helpers).
_PROTOTYPE = r"^static [^\n;]*?\b__pyx_f_{mangled}_\w+\([^\n]*\); /\*proto\*/$"
_INLINE_PROTOTYPE = r"^static CYTHON_INLINE [^\n;(]*\b__pyx_f_\w+\([^\n]*\); /\*proto\*/$"
# The compiled parts of the entries users call less often than f, grad_f and value_and_grad_f
# (emit/entries.py): the cdef functions _NAME_value_and_vjp (or _NAME_vjp_entry), _NAME_jvp_entry,
# _NAME_hvp_entry and _NAME_entries, and the module's def _srcgrad_entries (their C prototypes and
# definitions: Cython names a cdef function __pyx_f_ and the mangled module, a def's
# __pyx_pw_/__pyx_pf_ and a counter). grad_NAME of a taped or array function calls
# _NAME_value_and_vjp, at -O0 as the def value_and_vjp_NAME it called before was (the kernel it
# calls is -O3): with it at -O1, workloads.py's cold build took 0.5-0.9 s more CPU than before.
_RARE_ENTRY = (r"^(?=static PyObject \*(?:__pyx_f_{mangled}_\w+_(?:value_and_vjp|vjp_entry|jvp_entry|hvp_entry|"
               r"entries)\(|__pyx_p[wf]_{mangled}_\d+_srcgrad_entries\())")
_HOT = "__SRCGRAD_KERNEL "
_COLD = "__SRCGRAD_UNOPTIMISED "
_ALWAYS_INLINE = "__SRCGRAD_INLINE "
# CYTHON_SMALL_CODE marks Cython's run-once code (module and type initialisation; Cython defines
# it only where it is not defined yet): not optimised either.
_GUARD = """#if defined(__GNUC__) && !defined(__clang__) && !defined(__INTEL_COMPILER)
#define __SRCGRAD_KERNEL __attribute__((optimize("O3")))
#define __SRCGRAD_UNOPTIMISED __attribute__((optimize("O0")))
#define __SRCGRAD_INLINE __attribute__((always_inline))
#define CYTHON_SMALL_CODE __attribute__((cold, optimize("O0")))
#define __SRCGRAD_SHARED __attribute__((visibility("hidden")))
#else
#define __SRCGRAD_KERNEL
#define __SRCGRAD_UNOPTIMISED
#define __SRCGRAD_INLINE
#define __SRCGRAD_SHARED
#endif
"""


def mark_kernels(c_file: Path, module_name: str) -> int:
    """Mark the module's numeric cdef functions (those taking and returning no Python object)
    optimize("O3"), to compile with `c_flags(..., kernels_only=True)`; return how many.

    An attribute on a function's prototype applies to its definition. The cdef inline helpers
    of the .pxd files the kernels cimport (the runtime's push_double, sign, ...) are marked
    always_inline: GCC does not inline a function into one with another optimisation level
    otherwise (push_double stayed a call in O3 kernels of a file compiled at -O1), and inlined,
    their code is optimised as part of the kernel.

    The compiled parts of jvp_, hvp_ and the other rare entries (_RARE_ENTRY) and Cython's
    run-once initialisation code are marked optimize("O0"): a quarter less C compiler time for a
    file of small functions (a 20-function file: 9.3 to 7.0 s of CPU, when those entries were
    defs), those calls some 0.1-0.3 µs slower (nothing inlined into them), still far under
    issue 13's 2 µs. f, grad_ and value_and_grad_ stay at -O1: -O0 doubled their cost per call.
    """
    mangled = f"{len(module_name)}{re.escape(module_name)}"
    kernel = re.compile(_PROTOTYPE.format(mangled=mangled), re.M)
    text = c_file.read_text(encoding="utf-8")
    count = 0

    def marked(found: re.Match) -> str:
        nonlocal count
        if "PyObject" in found[0]:
            return found[0]
        count += 1
        return _HOT + found[0]

    text = kernel.sub(marked, text)
    text = re.sub(_INLINE_PROTOTYPE, lambda found: _ALWAYS_INLINE + found[0], text, flags=re.M)
    text = re.sub(_RARE_ENTRY.format(mangled=mangled), _COLD, text, flags=re.M)
    first_line, _, rest = text.partition("\n")  # Cython's "Generated by" line stays first
    text = first_line + "\n" + _GUARD + rest
    c_file.write_text(text, encoding="utf-8")
    return count


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


# an error's line, not a warning's or a performance hint's ("performance hint: m.pyx:548:5: ...")
_CYTHON_ERROR = re.compile(r"^(?!warning: |performance hint: )(?P<file>.+?\.pyx):(?P<line>\d+):(?P<col>\d+): "
                           r"(?P<message>.*)$", re.M)
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


def cython_to_c(pyx: Path, module_name: str, fast_math: bool, include_dir: Path,
                shared_utility: str | None = None) -> list:
    """Translate `pyx` to C beside it; the setuptools Extensions that compile it.

    shared_utility: the module to import Cython's utility code from (`shared_utility_module()`)
    instead of compiling it into this one.
    """
    import numpy
    from Cython.Build import cythonize
    from Cython.Compiler.Errors import CompileError
    from setuptools import Extension

    from .emit.printer import CYTHON_DIRECTIVES  # here: a no-change rebuild never loads the emitter

    # only srcgrad's own output is split: other Cython (a hand-written adjoint) compiles at -O3 as written
    kernels_only = not sanitizing() and not _quick(fast_math) and splits_optimisation() and _generated_by_srcgrad(pyx)
    openmp = OPENMP_FLAGS if _uses_prange(pyx) else []  # only then: other builds keep their flags
    extension = Extension(
        module_name,
        [str(pyx)],
        include_dirs=[numpy.get_include()],
        extra_compile_args=c_flags(fast_math, kernels_only) + openmp,
        extra_link_args=link_flags() + openmp,
        # glibc's vector math library (libmvec), which GCC calls for tanh, exp, ... in loops it
        # vectorises under -ffast-math: linked through libm (its linker script names libmvec)
        libraries=["m"] if fast_math and sys.platform.startswith("linux") else [],
    )
    messages = io.StringIO()
    shared = {"shared_utility_qualified_name": shared_utility} if shared_utility else {}
    try:
        # Cython reports errors on sys.stderr; keep them for the BuildError instead.
        with contextlib.redirect_stderr(messages), contextlib.redirect_stdout(messages), _no_cyclic_gc():
            extensions = cythonize(
                [extension],
                include_path=[str(include_dir)],
                compiler_directives=CYTHON_DIRECTIVES,
                quiet=True,
                force=True,
                **shared,
            )
    except CompileError:
        raise CompileFailed("Cython", messages.getvalue()) from None
    if kernels_only:
        mark_kernels(pyx.with_suffix(".c"), module_name)
        if splitting():
            _split_sources(extensions[0], pyx.with_suffix(".c"), module_name)
    return extensions


@contextlib.contextmanager
def _no_cyclic_gc():
    """Python's cyclic garbage collector off while Cython runs. Cython's syntax trees are millions
    of live objects that are not garbage: each full collection walks them all, and cost a
    quarter of Cython's CPU time on a file of 90 small functions (3.7 of 13 s, nine full
    collections), a tenth on benchmarks/workloads.py; what Cython drops is freed by reference
    counting anyway (the peak memory grew by 12 MB of 390)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def splitting() -> bool:
    """Whether a big generated module's C is compiled as two parts in parallel (`csplit`): only
    when asked (SRCGRAD_SPLIT_C=1) and with two cores or more. Not by default: a kernel in one
    part cannot be inlined into its wrappers in the other, and huber's gradient measured 8%
    slower split (benchmarks/README.md); a build's binary should not depend on the machine's load
    either. A second part also parses Cython's declarations and utility code again (some 10%
    more CPU time), which only an idle core repays."""
    return os.environ.get("SRCGRAD_SPLIT_C", "") == "1" and (os.cpu_count() or 1) >= 2


def _split_sources(extension, c_file: Path, module_name: str) -> None:
    """Give `extension` the two parts of c_file when csplit can split it; c_file stays whole,
    for the one-file compile if the parts fail (extension.whole_sources)."""
    from . import csplit

    parts = csplit.split(c_file.read_text(encoding="utf-8"), module_name, csplit.MINIMUM_CHARS)
    if parts is None:
        return
    paths = [c_file.with_name(f"{c_file.stem}_part{index}.c") for index in range(len(parts))]
    for path, text in zip(paths, parts):
        path.write_text(text, encoding="utf-8")
    extension.whole_sources = list(extension.sources)
    extension.sources = [str(path) for path in paths]


# a module whose batched gradients run rows in threads (`build --batch`: Cython's prange) needs
# OpenMP, from the compiler (GCC, Clang with libomp) and at link time
OPENMP_FLAGS = ["-fopenmp"]


def _uses_prange(pyx: Path) -> bool:
    return "from cython.parallel cimport prange" in pyx.read_text(encoding="utf-8")


def _generated_by_srcgrad(pyx: Path) -> bool:
    with open(pyx, encoding="utf-8") as source:
        return any(line.startswith("# Generated by srcgrad ") for line in itertools.islice(source, 3))


def c_compile(extensions: list, module_name: str, workdir: Path, c_file: Path) -> Path:
    """Compile and link; the sources of an extension compile in parallel (a split module's two
    parts). Should the parts fail, the whole file compiles as one, and its errors are reported."""
    try:
        return _build_ext(extensions, module_name, workdir, c_file)
    except CompileFailed:
        whole = [getattr(extension, "whole_sources", None) for extension in extensions]
        if not any(whole):
            raise
    for extension, sources in zip(extensions, whole):
        extension.sources = sources or extension.sources
    return _build_ext(extensions, module_name, workdir / "whole", c_file)


def _build_ext(extensions: list, module_name: str, workdir: Path, c_file: Path) -> Path:
    from setuptools import Distribution
    from setuptools.command.build_ext import build_ext

    runner = _ParallelCompiles()

    class CapturingBuildExt(build_ext):
        """build_ext whose compiler keeps its messages for the BuildError instead of printing them."""

        def build_extensions(self):
            # setuptools < 80 runs the compiler through `spawn`, later versions through `call`.
            self.compiler.spawn = self.compiler.call = runner
            super().build_extensions()

    command = CapturingBuildExt(Distribution({"ext_modules": extensions}))
    command.build_lib = str(workdir / "lib")
    command.build_temp = str(workdir / "obj")
    command.ensure_finalized()
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # distutils' chatter
            try:
                command.run()
                runner.finish()
            except BaseException:  # an interrupt, a failed compile: no compiler left running
                runner.stop()
                raise
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


class _ParallelCompiles:
    """distutils' spawn/call: each compile (`-c`) starts at once, in the background; any other
    command (the link) first waits for them. Messages are kept for the BuildError."""

    def __init__(self):
        self.running = []

    def __call__(self, command: list[str], *, env=None, **_ignored) -> None:
        if "-c" not in command:
            self.finish()
            _run_capturing(command, env=env)
            return
        output = tempfile.TemporaryFile()
        self.running.append((subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT), output))

    def finish(self) -> None:
        """Wait for every compile started; raise _CompilerOutput with the first failure's messages."""
        failures = []
        while self.running:  # each taken off once done: stop() kills the rest should this wait be interrupted
            process, output = self.running[0]
            process.wait()
            self.running.pop(0)
            with output:
                if process.returncode != 0:
                    output.seek(0)
                    failures.append(output.read().decode(errors="replace"))
        if failures:
            raise _CompilerOutput(failures[0])

    def stop(self) -> None:
        for process, output in self.running:
            process.kill()
            process.wait()
            output.close()
        self.running = []
