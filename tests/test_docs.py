"""Every code block of README.md and docs/*.md runs, in order, as a reader would run it.

Each document runs in its own temporary folder holding a copy of examples/ (so builds write
there, never into the repository's generated/), in one fresh Python process: ```python blocks
share one namespace, ```sh blocks run with bash -euo pipefail, both with the folder as the
current directory and on sys.path. ```text blocks are output or syntax, not code. An HTML comment
on the line before a block changes what happens to it:

    <!-- not run: WHY -->          the block is not run (only for network or minutes-long commands)
    <!-- same as: PATH -->         the block must equal the repository file PATH (which runs where
                                   it is used: the sample package's files in tests/building/test_ecosystem.py's
                                   wheel build, the example test file by a block of docs/testing.md)
    <!-- needs: MODULE -->         run only when MODULE (an optional extra) is installed

The README's first line starts with `python -m pip install -e ".[test]" && `: the package is
installed already (reinstalling would need the network), so the rest of the line runs.
docs/fuzzing.md is left out: its blocks start fuzzing runs that take minutes to hours.

Run one document by hand: python tests/test_docs.py README.md
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTALL_PREFIX = 'python -m pip install -e ".[test]" && '
NOT_DOCUMENTS = {"fuzzing.md"}
BLOCK = re.compile(r"^(?P<fence>```+)(?P<language>[\w-]*)\n(?P<code>.*?)^(?P=fence)\s*$", re.M | re.S)
MARKER = re.compile(r"<!--\s*(?P<kind>not run|same as|needs):\s*(?P<value>.*?)\s*-->\s*$")
RUNNABLE = {"python", "sh"}
INERT = {"text", "toml"}  # toml only as a `same as` copy of a real file


def documents() -> list[Path]:
    return [ROOT / "README.md"] + sorted(p for p in (ROOT / "docs").glob("*.md") if p.name not in NOT_DOCUMENTS)


def blocks(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    found = []
    for match in BLOCK.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = MARKER.search(before)
        found.append({"line": line, "language": match["language"], "code": match["code"],
                      "marker": (marker["kind"], marker["value"]) if marker else None})
    return found


# --------------------------------------------------------------------------- the runner process


def run_document(path: Path) -> int:
    """Run every block of one document in the current folder; report the first failure."""
    namespace = {"__name__": "__docs__"}
    sys.path.insert(0, str(Path.cwd()))
    for block in blocks(path):
        where = f"{path.relative_to(ROOT)}:{block['line']}"
        kind, value = block["marker"] or (None, None)
        if kind in ("not run", "same as") or block["language"] not in RUNNABLE:
            continue
        if kind == "needs" and importlib.util.find_spec(value) is None:
            print(f"{where}: not run: {value} is not installed (an optional extra)")
            continue
        code = block["code"]
        if block["language"] == "sh":
            if code.startswith(INSTALL_PREFIX):
                code = code[len(INSTALL_PREFIX):]
            result = subprocess.run(["bash", "-euo", "pipefail", "-c", code], capture_output=True, text=True)
            if result.returncode != 0:
                print(f"{where}: the sh block exited {result.returncode}\n{code}\n{result.stdout}{result.stderr}")
                return 1
            continue
        try:
            exec(compile(code, where, "exec", dont_inherit=True), namespace)
        except BaseException:
            print(f"{where}: the python block failed\n{traceback.format_exc()}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(run_document((ROOT / sys.argv[1]).resolve()))


# --------------------------------------------------------------------------- the tests

import pytest  # noqa: E402  (the runner above needs no pytest)


@pytest.mark.parametrize("path", documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_code_block_runs(path):
    with tempfile.TemporaryDirectory(prefix="srcgrad-docs-") as folder:
        shutil.copytree(ROOT / "examples", Path(folder) / "examples",
                        ignore=shutil.ignore_patterns("__pycache__", "build", "dist", "*.egg-info", "model_grad.*"))
        result = subprocess.run([sys.executable, __file__, str(path.relative_to(ROOT))], cwd=folder,
                                capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_block_is_run_or_says_why_not(path):
    for block in blocks(path):
        where = f"{path.name}:{block['line']}"
        kind, value = block["marker"] or (None, None)
        assert block["language"] in RUNNABLE | INERT, f"{where}: a block needs a language (python, sh, text)"
        if kind == "not run":
            assert len(value) > 10, f"{where}: say why the block is not run"
        if kind == "same as":
            assert block["code"] == (ROOT / value).read_text(encoding="utf-8"), f"{where} differs from {value}"
        if block["language"] == "toml":
            assert kind == "same as", f"{where}: a toml block must be a copy of a real file (<!-- same as: PATH -->)"


def test_few_blocks_are_left_unrun():
    unrun = [(p.name, b["line"]) for p in documents() for b in blocks(p) if (b["marker"] or ("",))[0] == "not run"]
    assert len(unrun) <= 3, unrun


def test_the_readme_opens_with_the_two_commands_and_keeps_the_supported_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first, second = blocks(ROOT / "README.md")[:2]
    assert first["code"].startswith(INSTALL_PREFIX + "srcgrad build examples/tutorial.py")
    assert second["code"] == INSTALL_PREFIX + "python -m pytest -q -n auto --dist loadfile\n"
    assert readme.index("## Quick start") > readme.index(second["code"])
    assert readme.index("<!-- supported:start -->") < readme.index("<!-- supported:end -->")


def test_linked_documents_exist():
    for path in documents():
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
            assert (path.parent / target).exists(), f"{path.name} links to missing {target}"
