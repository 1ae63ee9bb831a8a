"""The README's Supported Python table is the compiler's own behaviour, row by row."""

from __future__ import annotations

import pytest

from srcgrad.frontend.subset import COMPILED, SUPPORTED, example_source, markdown_table
from srcgrad.generate import generate
from support import ROOT


@pytest.mark.parametrize("construct", SUPPORTED, ids=lambda c: c.name[:40])
def test_each_row_is_what_the_compiler_does(construct):
    generated = generate(example_source(construct), "example.py")
    report = {r.name: r for r in generated.reports}["f"]
    assert report.compiled == (construct.engine == COMPILED), [d.format() for d in generated.diagnostics]


def test_readme_table_is_generated_from_the_rows():
    readme = (ROOT / "README.md").read_text()
    start = readme.index("<!-- supported:start -->") + len("<!-- supported:start -->\n")
    end = readme.index("<!-- supported:end -->")
    assert readme[start:end] == markdown_table(), "regenerate with: python -m srcgrad.frontend.subset"
