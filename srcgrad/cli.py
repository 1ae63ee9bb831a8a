"""The `srcgrad` command line: `srcgrad build ...` and `srcgrad show FILE.py:NAME`.

Messages (progress, warnings, errors) go to stderr; results (the build summary, `--check`
diffs, `show` output) go to stdout. Exit status: 0 success, 1 `--check` found stale output,
2 bad usage or bad input, 130 interrupted.

`--check` compares only the generated source text (.pyx, or .py with --pure) with OUTDIR. A
missing or outdated compiled binary is not "stale": binaries are not committed (the golden
files under generated/ are text), and `srcgrad build` rebuilds them from the cache.

Several files are built one after another, or with -j N in N worker processes. Each file is
independent: a file with an error is reported and skipped, the others are still built, and the
exit status is 2 if any failed.
"""

from __future__ import annotations

import argparse
import difflib
import multiprocessing
import os
import signal
import sys
import threading
import time
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from . import build as builder
from .sizes import parse_size
from .diagnostics import Diagnostic, SourceError, WrtError, strict_error

EXIT_OK, EXIT_STALE, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
SUMMARY_MAX_LINES = 40  # the build summary must fit on one screen


class UsageError(Exception):
    """Bad options or missing files: printed as `srcgrad: error: ...`, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse would print usage and exit; we want our one-line form
        raise UsageError(f"{message} (see `{self.prog} --help`)")


# --------------------------------------------------------------------------- one file


@dataclass(frozen=True)
class BuildJob:
    path: str  # FILE.py as the user wrote it
    outdir: str
    only: tuple[str, ...] | None
    check: bool
    strict: bool
    pure: bool
    fast_math: bool
    cache_dir: str | None = None
    tape_limit: int | None = None  # --tape-limit, in bytes
    wrt: tuple = ()  # ((function name, (parameter names...)), ...) of this file's functions
    batch: bool = False  # --batch: grad_NAME_batched too


@dataclass
class FunctionLine:
    name: str
    compiled: bool
    taped: str


@dataclass
class Outcome:
    """What building one file produced; plain data, so it can come back from a worker process."""

    path: str
    output: str = ""  # the generated source file in OUTDIR
    status: str = ""  # compiled, cached, unchanged, pure, fresh, stale, failed
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stages: list[tuple[str, float]] = field(default_factory=list)
    functions: list[FunctionLine] = field(default_factory=list)
    diff: str = ""


def build_file(job: BuildJob) -> Outcome:
    """Generate, then check or compile and install, one file. Reports problems in the Outcome."""
    outcome = Outcome(path=job.path)
    try:
        generated = _generate(job, outcome)
        if job.strict and outcome.warnings:
            outcome.errors += [_as_error(w) for w in outcome.warnings]
            outcome.warnings = []
        elif job.check:
            _compare(generated, job, outcome)
        else:
            _install(generated, job, outcome)
    except SourceError as error:
        outcome.errors.append(error.diagnostic.format())
    except (UsageError, WrtError, builder.BuildError) as error:
        outcome.errors.append(f"srcgrad: error: {error}")
    except Exception as error:  # a bug in srcgrad rather than in the input
        outcome.errors.append(_internal_error(job.path, error))
    if outcome.errors:
        outcome.status = "failed"
    return outcome


def _internal_error(path: str, error: Exception) -> str:
    """One line for the user; SRCGRAD_DEBUG=1 lets the traceback through for whoever fixes it."""
    if os.environ.get("SRCGRAD_DEBUG"):
        raise error
    return (
        f"srcgrad: error: internal error on {path}: {type(error).__name__}: {error} "
        "(please report it; SRCGRAD_DEBUG=1 shows the traceback)"
    )


def _generate(job: BuildJob, outcome: Outcome):
    text = _read_source(job.path)
    started = time.perf_counter()
    only = list(job.only) if job.only else None
    generated = builder.generate_cached(text, job.path, pure=job.pure, only=only, cache_dir=job.cache_dir,
                                        **({"tape_limit": job.tape_limit} if job.tape_limit else {}),
                                        **({"wrt": job.wrt} if job.wrt else {}),
                                        **({"batch": True} if job.batch else {}),  # only when asked
                                        **({"fast_math": True} if job.fast_math and not job.pure else {}))
    outcome.stages.append(("generate", time.perf_counter() - started))
    outcome.warnings = [d.format() for d in generated.diagnostics]
    outcome.functions = [FunctionLine(r.name, r.compiled, r.taped) for r in generated.reports]
    missing = [name for name in only or () if name not in generated.function_sources]
    if missing:
        raise UsageError(f"--only: {job.path} has no top-level function {', '.join(missing)}")
    outcome.output = str(Path(job.outdir) / f"{generated.module_name}{generated.suffix}")
    return generated


def plural(count: int, word: str) -> str:
    """'1 function', '2 functions'."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _read_source(path: str) -> str:
    """The file's text, decoded as Python decodes source files (PEP 263 coding cookie)."""
    try:
        with tokenize.open(path) as source:
            return source.read()
    except UnicodeDecodeError as error:
        line = error.object[: error.start].count(b"\n") + 1
        raise SourceError(_diagnostic(path, line, f"cannot decode the file: {error.reason}")) from None
    except SyntaxError as error:  # a bad coding cookie
        raise SourceError(_diagnostic(path, error.lineno or 1, error.msg)) from None
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None


def _diagnostic(path: str, line: int, message: str) -> Diagnostic:
    return Diagnostic(path, line, 1, "error", message)


def _as_error(warning: str) -> str:
    return strict_error(warning)


def _compare(generated, job: BuildJob, outcome: Outcome) -> None:
    outcome.diff = _diff_against(Path(outcome.output), generated.text, job.path)
    if getattr(generated, "stub", ""):  # the type stub is generated output too
        outcome.diff += _diff_against(builder.stub_path(Path(job.outdir), generated.module_name), generated.stub,
                                      job.path)
    outcome.status = "stale" if outcome.diff else "fresh"


def _diff_against(path: Path, text: str, source_path: str) -> str:
    """A unified diff from the file at `path` to `text`; "" when they are the same."""
    try:
        with open(path, encoding="utf-8", newline="") as existing:
            old = existing.read()
    except FileNotFoundError:
        old, old_name = None, "/dev/null"
    except (OSError, UnicodeDecodeError) as error:
        old, old_name = None, f"{path} (unreadable: {error})"
    else:
        old_name = str(path)
    if old == text:
        return ""
    diff = difflib.unified_diff(
        (old or "").splitlines(keepends=True),
        text.splitlines(keepends=True),
        fromfile=old_name,
        tofile=f"{path} (regenerated from {source_path})",
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in diff)


def _install(generated, job: BuildJob, outcome: Outcome) -> None:
    result = builder.install(
        generated,
        job.outdir,
        fast_math=job.fast_math,
        cache_dir=Path(job.cache_dir) if job.cache_dir else None,
    )
    outcome.stages += result.stages
    if generated.suffix != ".pyx":
        outcome.status = "pure" if result.changed else "unchanged"
    elif result.compiled:
        outcome.status = "compiled"
    else:
        outcome.status = "cached" if result.changed else "unchanged"


# --------------------------------------------------------------------------- many files


def _run_serial(jobs, report) -> None:
    for job in jobs:
        report(build_file(job))


def _run_parallel(jobs, workers: int, report) -> None:
    # fork: workers start at once and share the already imported compiler. Forking a process
    # that runs threads can deadlock the child, so a caller with threads gets fresh interpreters.
    context = multiprocessing.get_context("fork" if threading.active_count() == 1 else "spawn")
    pool = context.Pool(workers, initializer=_worker_init)
    try:
        for outcome in pool.imap_unordered(_worker_build, jobs):
            report(outcome)
        pool.close()
    except BaseException:
        pool.terminate()  # SIGTERM: a busy worker cleans up (see _worker_sigterm) and exits
        raise
    finally:
        pool.join()


_worker_busy = False


def _worker_init() -> None:
    # Ctrl-C is the parent's business: it stops the pool, which sends each worker SIGTERM.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_sigterm)


def _worker_sigterm(signum, frame):
    if not _worker_busy:
        os._exit(EXIT_INTERRUPTED)
    # Unwind the build once, so its `finally` blocks remove temporary files; ignore repeats.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def _worker_build(job: BuildJob) -> Outcome:
    global _worker_busy
    _worker_busy = True
    try:
        return build_file(job)
    except KeyboardInterrupt:
        os._exit(EXIT_INTERRUPTED)  # quietly: no traceback from multiprocessing
    finally:
        _worker_busy = False


class _Reporter:
    """Prints each file's warnings, errors and progress as it finishes; keeps the outcomes."""

    def __init__(self, total: int, quiet: bool):
        self.total = total
        self.quiet = quiet
        self.outcomes: list[Outcome] = []

    def __call__(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        for line in outcome.warnings + outcome.errors:
            _err(line)
        if not self.quiet and outcome.status != "failed":
            _err(f"[{len(self.outcomes)}/{self.total}] {outcome.path}: {_describe_stages(outcome)}")


def _describe_stages(outcome: Outcome) -> str:
    stages = ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in outcome.stages if stage != "install")
    return f"{stages} -> {outcome.output} ({outcome.status})"


def _summary(outcomes: list[Outcome], outdir: str, seconds: float) -> list[str]:
    built = [o for o in outcomes if o.status != "failed"]
    counts = {}
    for outcome in built:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    tally = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    failed = len(outcomes) - len(built)
    head = f"srcgrad: built {len(built)} of {plural(len(outcomes), 'file')} into {outdir}/ in {seconds:.2f} s"
    lines = [head + (f" ({tally})" if tally else "") + (f"; {failed} failed" if failed else "")]
    body = []
    width = min(24, max((len(f.name) for o in built for f in o.functions), default=0))
    for outcome in built:
        body.append(f"  {outcome.output}")
        if not outcome.functions:
            body.append("    (no public top-level functions: the module is empty)")
        for function in outcome.functions:
            how = "compiled" if function.compiled else "eager tape"
            body.append(f"    {function.name:<{width}}  {how:<10}  taped: {function.taped or 'nothing'}")
    if len(body) > SUMMARY_MAX_LINES:
        body = [f"  {o.output}: {plural(len(o.functions), 'function')}" for o in built][:SUMMARY_MAX_LINES]
    return lines + body


# --------------------------------------------------------------------------- commands


def _cmd_build(args) -> int:
    paths = _validated_sources(args.files)
    only = _parse_only(args.only)
    wrt = _parse_wrt(args.wrt or [])
    if args.jobs < 1:
        raise UsageError(f"-j needs a positive number of processes, not {args.jobs}")
    tape_limit = _parse_tape_limit(args.tape_limit)
    wrt_of = _wrt_per_file(paths, wrt)
    jobs = [
        BuildJob(path, args.outdir, only, args.check, args.strict, args.pure, args.fast_math,
                 tape_limit=tape_limit, wrt=wrt_of[path], batch=args.batch)
        for path in paths
    ]
    reporter = _Reporter(len(jobs), args.quiet)
    started = time.perf_counter()
    workers = min(args.jobs, len(jobs))
    if workers > 1:
        _run_parallel(jobs, workers, reporter)
    else:
        _run_serial(jobs, reporter)
    outcomes = sorted(reporter.outcomes, key=lambda o: paths.index(o.path))

    if args.check:
        sys.stdout.write("".join(o.diff for o in outcomes))
    elif not args.quiet and any(o.status != "failed" for o in outcomes):
        _out("\n".join(_summary(outcomes, args.outdir, time.perf_counter() - started)))
    if any(o.errors for o in outcomes):
        return EXIT_BAD_INPUT
    if any(o.status == "stale" for o in outcomes):
        return EXIT_STALE
    return EXIT_OK


def _validated_sources(files: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for path in files:
        source = Path(path)
        if source.is_dir():
            raise UsageError(f"{path} is a directory; give the .py files in it")
        if source.suffix != ".py":
            raise UsageError(f"{path}: not a .py file")
        if not source.exists():
            raise UsageError(f"{path}: no such file" + (" (a broken symbolic link)" if source.is_symlink() else ""))
        if not source.is_file():
            raise UsageError(f"{path}: not a regular file")
        if not source.stem.isidentifier():
            raise UsageError(f"{path}: the file name must be a Python identifier; it names the module {source.stem}_grad")
        if source.stem in seen and os.path.realpath(seen[source.stem]) == os.path.realpath(path):
            raise UsageError(f"{path} is given twice")
        if source.stem in seen:
            raise UsageError(f"{seen[source.stem]} and {path} would both write {source.stem}_grad")
        seen[source.stem] = path
    return list(files)


def _parse_tape_limit(value: str | None) -> int | None:
    """--tape-limit SIZE in bytes (K, M, G suffixes)."""
    if value is None:
        return None
    try:
        return parse_size(value)
    except ValueError as error:
        raise UsageError(f"--tape-limit: {error}") from None


def _parse_only(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = tuple(name.strip() for name in value.split(","))
    bad = [name for name in names if not name.isidentifier()]
    if bad or not names:
        raise UsageError(f"--only needs function names separated by commas, not {value!r}")
    return names


def _parse_wrt(values: list[str]) -> dict[str, tuple[str, ...]]:
    """--wrt NAME=PARAM[,PARAM] (repeatable) as {NAME: (PARAM, ...)}."""
    wrt: dict[str, tuple[str, ...]] = {}
    for value in values:
        name, equals, params = (part.strip() for part in value.partition("="))
        parameters = tuple(p.strip() for p in params.split(","))
        if not equals or not name.isidentifier() or not all(p.isidentifier() for p in parameters):
            raise UsageError(f"--wrt needs NAME=PARAM[,PARAM...] (a function and its parameters), not {value!r}")
        if name in wrt:
            raise UsageError(f"--wrt {name} is given twice; name all its parameters in one --wrt {name}=...")
        if len(set(parameters)) != len(parameters):
            raise UsageError(f"--wrt {value}: a parameter is named twice")
        wrt[name] = parameters
    return wrt


def _wrt_per_file(paths: list[str], wrt: dict) -> dict[str, tuple]:
    """Each file's share of --wrt: the entries naming its top-level functions. A NAME no file
    defines is an error (a file Python cannot parse is left to the build to report)."""
    import ast

    shares, used = {}, set()
    for path in paths:
        shares[path] = ()
        if not wrt:
            continue
        try:
            tree = ast.parse(_read_source(path))
        except (SyntaxError, ValueError, SourceError, UsageError):
            continue
        defined = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
        shares[path] = tuple((name, params) for name, params in wrt.items() if name in defined)
        used |= defined & set(wrt)
    missing = [name for name in wrt if name not in used]
    if missing:
        raise UsageError(f"--wrt {missing[0]}=...: no top-level function {missing[0]} in {', '.join(paths)}")
    return shares


def _cmd_show(args) -> int:
    path, _, name = args.target.rpartition(":")
    if not path or not name:
        raise UsageError(f"show needs FILE.py:NAME, not {args.target!r}")
    _validated_sources([path])
    outcome = Outcome(path=path)
    try:
        generated = _generate(BuildJob(path, ".", None, False, False, args.pure, False), outcome)
    except SourceError as error:
        _err(error.diagnostic.format())
        return EXIT_BAD_INPUT
    except UsageError:
        raise
    except Exception as error:  # a bug in srcgrad rather than in the input
        _err(_internal_error(path, error))
        return EXIT_BAD_INPUT
    for line in outcome.warnings:
        _err(line)
    if name not in generated.function_sources:
        known = ", ".join(sorted(generated.function_sources))
        raise UsageError(f"{path} has no top-level function {name}" + (f" (functions: {known})" if known
                                                                        else "; it has no public top-level functions"))
    _out(generated.function_sources[name].rstrip("\n"))
    return EXIT_OK


def _make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="srcgrad", description="Ahead-of-time, source-to-source automatic differentiation.")
    parser.add_argument("--version", action="version", version=f"srcgrad {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    build = commands.add_parser("build", help="generate and compile FILE_grad modules")
    build.add_argument("files", nargs="+", metavar="FILE.py", help="source files (read, never imported)")
    build.add_argument("-o", dest="outdir", default="generated", metavar="OUTDIR", help="output folder (default: generated)")
    build.add_argument("--only", metavar="NAME[,NAME...]", help="differentiate only these functions")
    build.add_argument("--check", action="store_true", help="write nothing; diff against OUTDIR, exit 1 if stale")
    build.add_argument("--strict", action="store_true", help="functions that need the eager tape are errors")
    build.add_argument("--pure", action="store_true", help="write pure Python FILE_grad.py instead of compiling")
    build.add_argument("--fast-math", action="store_true", help="-ffast-math -march=native (not portable)")
    build.add_argument("--wrt", action="append", metavar="NAME=PARAM[,PARAM]",
                       help="differentiate NAME with respect to these parameters only (repeatable)")
    build.add_argument("--tape-limit", metavar="SIZE",
                       help="keep each gradient's tape and checkpoints within SIZE bytes (K, M, G suffixes)")
    build.add_argument("--batch", action="store_true",
                       help="also grad_NAME_batched: the gradient over a leading batch axis, in threads if asked")
    build.add_argument("-j", dest="jobs", type=int, default=1, metavar="N", help="build N files in parallel")
    build.add_argument("-q", dest="quiet", action="store_true", help="print only warnings and errors")
    build.set_defaults(run=_cmd_build)

    show = commands.add_parser("show", help="print the generated adjoint of one function")
    show.add_argument("target", metavar="FILE.py:NAME")
    show.add_argument("--pure", action="store_true", help="show the pure Python version")
    show.set_defaults(run=_cmd_show)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = _make_parser().parse_args(argv)
        if args.command is None:
            raise UsageError("missing command: build or show (see `srcgrad --help`)")
        return args.run(args)
    except UsageError as error:
        _err(f"srcgrad: error: {error}")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        _err("srcgrad: interrupted; the output folder keeps its previous contents")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `srcgrad show ... | head`
        _silence_stdout()
        return EXIT_OK


def _out(text: str) -> None:
    print(text, flush=True)


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _silence_stdout() -> None:
    # Python would complain again when it flushes stdout at exit.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
