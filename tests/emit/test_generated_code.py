"""The generated source itself: golden files, determinism, C-only loop bodies, what is taped."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from srcgrad.compile import cython_include_dir
from srcgrad.generate import generate
from support import EXAMPLES, ROOT

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.py"))
COMPILED_EXAMPLES = [p for p in EXAMPLE_FILES if not p.name.startswith(("tutorial_eager", "derivatives_plot"))]


def test_committed_generated_files_are_up_to_date():
    result = subprocess.run([sys.executable, "-m", "srcgrad", "build", "--check", *map(str, EXAMPLE_FILES),
                             "-o", str(ROOT / "generated")], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_generation_is_deterministic_and_path_independent(path):
    text = path.read_text()
    first = generate(text, str(path)).text
    second = generate(text, path.name).text
    assert first == second
    assert str(ROOT) not in first


SCORE = re.compile(r'class="cython line score-(\d+)"[^>]*>.?<span class="">(\d+)</span>:')


def _annotation_scores(pyx: Path, workdir: Path) -> dict:
    """Line number -> Cython's count of Python C-API calls on that line (`cython -a`)."""
    include = cython_include_dir(workdir / "include")  # where `cimport srcgrad.runtime.tape` resolves
    command = [sys.executable, "-c", "import sys; from Cython.Compiler.Main import setuptools_main; "
               "sys.exit(setuptools_main())", "-a", "-I", str(include), str(pyx), "-o", str(workdir / "out.c")]
    subprocess.run(command, check=True, capture_output=True)
    html = (workdir / "out.html").read_text()
    return {int(line): int(score) for score, line in SCORE.findall(html)}


@pytest.mark.parametrize("path", COMPILED_EXAMPLES, ids=lambda p: p.name)
def test_loop_bodies_have_no_python_interaction(path, tmp_path):
    """`cython -a` scores every line inside a loop of a generated cdef function 0 (pure C); functions
    that run without the GIL (`nogil`) have every line checked, but for the `with gil:` blocks in
    which they raise or allocate an array (outside loops)."""
    pyx = tmp_path / (path.stem + "_grad.pyx")
    pyx.write_text(generate(path.read_text(), str(path)).text)
    scores = _annotation_scores(pyx, tmp_path)
    lines = pyx.read_text().splitlines()
    in_cdef, nogil, loop_indents, checked, loops, gil_indent = False, False, [], 0, 0, None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if line.startswith("cdef ") and stripped.endswith(":"):
            in_cdef, nogil, loop_indents = True, stripped.endswith("nogil:"), []
            continue
        if line and not line[0].isspace():
            in_cdef = False
        if not in_cdef or not stripped:
            continue
        while loop_indents and indent <= loop_indents[-1]:
            loop_indents.pop()
        if gil_indent is not None and indent > gil_indent:
            assert not loop_indents, f"{pyx.name}:{number} takes the GIL in a loop: {stripped}"
            continue
        gil_indent = indent if stripped == "with gil:" else None
        if gil_indent is not None:
            continue
        if nogil or loop_indents:
            checked += 1
            assert scores.get(number, 0) == 0, f"{pyx.name}:{number} interacts with Python: {stripped}"
        if stripped.startswith(("for ", "while ")):
            loop_indents.append(indent)
            loops += 1
    if loops:
        assert checked >= 3


def _cdef_function(source: str, name: str) -> str:
    start = source.index(f"cdef ", source.index(name) - 40)
    end = source.find("\n\n\n", start)
    return source[start:end]


def test_power_loop_tapes_one_double_per_iteration():
    module = generate((EXAMPLES / "tutorial.py").read_text(), "tutorial.py").function_sources["power"]
    source = _cdef_function(module, "_power_adjoint(")
    assert source.count("push_double(tape, out)") == 1
    assert "reserve_doubles(tape, n)" in source
    assert "push_branch" not in source and "push_int" not in source


def test_straight_line_and_recomputable_branches_tape_nothing():
    generated = generate((EXAMPLES / "piecewise.py").read_text(), "piecewise.py")
    report = {r.name: r.taped for r in generated.reports}
    assert report["soft_clip"] == "nothing"
    assert "push" not in generated.function_sources["soft_clip"]


def test_oscillator_tapes_only_overwritten_state():
    generated = generate((EXAMPLES / "oscillator.py").read_text(), "oscillator.py")
    taped = {r.name: r.taped for r in generated.reports}["energy_after"]
    recorded = sorted(part.split(":")[0] for part in taped.split("; "))
    assert recorded == ["a", "v", "x"]  # acc is never needed by an adjoint, so it is not taped
