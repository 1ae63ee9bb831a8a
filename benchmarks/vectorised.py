"""Which loops of srcgrad's generated adjoints GCC vectorises under `--fast-math`.

    python benchmarks/vectorised.py                            # every adjoint of workloads.py
    python benchmarks/vectorised.py --only rosenbrock,huber    # some of them
    python benchmarks/vectorised.py FILE.py --only NAME

Generates FILE's Cython as `srcgrad build --fast-math` does, translates it to C, compiles that
once with the build's C flags (srcgrad.compile.c_flags: -O3 -ffast-math -march=native) plus
GCC's `-fopt-info-vec-all`, and prints each `for` loop of the adjoints (`_NAME_adjoint`) with the
vectoriser's verdict on it: "vectorized" or its first reason not to. The C's line markers
(`/* "FILE_grad.pyx":LINE`) tie GCC's report to the generated .pyx lines.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import numpy as np

from srcgrad.compile import c_flags, cython_include_dir, cython_to_c
from srcgrad.generate import generate

HERE = Path(__file__).resolve().parent
_MARKER = re.compile(r'/\* "([^"]+\.pyx)":(\d+)')
_REPORT = re.compile(r"^(.+\.c):(\d+):\d+: (optimized|missed): (.*)$")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(HERE / "workloads.py"))
    parser.add_argument("--only", default="", help="comma-separated function names")
    parser.add_argument("--keep", default="", help="also write GCC's whole report to this file")
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n]
    generated = generate(Path(args.file).read_text(), args.file, fast_math=True)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        pyx = folder / (generated.module_name + ".pyx")
        pyx.write_text(generated.text)
        extensions = cython_to_c(pyx, generated.module_name, True, cython_include_dir(folder / "include"))
        c_file = pyx.with_suffix(".c")
        report = folder / "vectoriser.txt"
        includes = [sysconfig.get_paths()["include"], np.get_include()] + list(extensions[0].include_dirs)
        command = [sysconfig.get_config_var("CC").split()[0], "-fPIC", *c_flags(True),
                   f"-fopt-info-vec-all={report}", *[f"-I{d}" for d in includes], "-c", str(c_file), "-o",
                   str(folder / "module.o")]
        subprocess.run(command, check=True)
        verdicts = _verdicts(c_file.read_text().splitlines(), report.read_text().splitlines())
        if args.keep:
            Path(args.keep).write_text(report.read_text())
    for name, line, text, verdict in _loops(generated.text.splitlines(), verdicts, names):
        print(f"{name:12} {pyx.name}:{line:<5} {verdict:60.60}  {text.strip()}")
    return 0


def _verdicts(c_lines: list, report: list) -> dict:
    """.pyx line -> the vectoriser's verdict on the loop that starts there."""
    pyx_line_of, current = {}, None
    for number, text in enumerate(c_lines, 1):
        found = _MARKER.search(text)
        if found:
            current = int(found.group(2))
        pyx_line_of[number] = current
    verdicts = {}
    for entry in report:
        found = _REPORT.match(entry)
        if not found:
            continue
        line = pyx_line_of.get(int(found.group(2)))
        kind, message = found.group(3), found.group(4)
        if line is None:
            continue
        if kind == "optimized" and message.startswith("loop vectorized"):
            if not verdicts.get(line, "").startswith("vectorized"):
                verdicts[line] = "vectorized (" + message.replace("loop vectorized ", "") + ")"
        elif kind == "missed" and not verdicts.get(line, "").startswith("vectorized"):
            reason = verdicts.get(line, "not vectorized")
            if reason == "not vectorized" and "couldn't vectorize loop" not in message:
                reason = "not vectorized: " + message.replace("not vectorized: ", "")  # GCC's first reason
            verdicts[line] = reason
    return verdicts


def elementwise_loop(function: str) -> bool:
    return function.startswith("loop_")


def _loops(lines: list, verdicts: dict, names: list):
    """(function, line, text, verdict) of every `for` loop in the adjoints asked for, and of the
    loops over whole arrays' elements that --fast-math modules define (emit/loops.py)."""
    function = None
    for number, text in enumerate(lines, 1):
        found = re.match(r"cdef .*\b_(\w+)_adjoint\(", text)
        elementwise = re.match(r"cdef void _(loop_\d+)_elements\(", text)  # whole-array expressions' loops
        if found:
            function = found.group(1)
        elif elementwise:
            function = elementwise.group(1)
        elif text and not text.startswith(" "):
            function = None
        if function and (not names or function in names or elementwise_loop(function)) and text.lstrip().startswith("for "):
            yield function, number, text, verdicts.get(number, "no loop report (a loop of at most a few iterations, unrolled)")


if __name__ == "__main__":
    sys.exit(main())
