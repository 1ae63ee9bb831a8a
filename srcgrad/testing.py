"""Helpers for a user's own test suite.

    from srcgrad.testing import assert_generated_current, check_grads

    def test_generated_gradients_are_committed_and_current():
        assert_generated_current(["mypkg/model.py"], "mypkg/generated")

`assert_generated_current` regenerates in memory, exactly as `srcgrad build --check` does (the
same code), and fails with the unified diff when a committed generated file (the .pyx or .py and
its .pyi stub) is stale or missing. `check_grads` is `srcgrad.check_grads`: a function's compiled
derivatives against central finite differences.
"""

from __future__ import annotations

import os

from .api import check_grads

__all__ = ["assert_generated_current", "check_grads"]


def assert_generated_current(paths, outdir, *, pure: bool = False, only=None) -> None:
    """Raise AssertionError with the diff if OUTDIR's generated source for `paths` is not current.

    paths: one source file or several; outdir: the folder `srcgrad build -o OUTDIR` writes;
    pure and only as `srcgrad build --pure --only`. A source error is an AssertionError naming
    FILE:LINE:COL. Compiled binaries are not compared (they are not committed).
    """
    from .cli import BuildJob, UsageError, _parse_only, _validated_sources, build_file

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = [os.fspath(p) for p in paths]
    try:
        _validated_sources(paths)
        only_names = _parse_only(only if only is None or isinstance(only, str) else ",".join(only))
    except UsageError as error:
        raise AssertionError(f"srcgrad: error: {error}") from None
    outdir = os.fspath(outdir)
    outcomes = [build_file(BuildJob(path, outdir, only_names, True, False, pure, False)) for path in paths]
    errors = [line for outcome in outcomes for line in outcome.errors]
    if errors:
        raise AssertionError("\n".join(errors))
    diff = "".join(outcome.diff for outcome in outcomes)
    if diff:
        stale = [outcome.path for outcome in outcomes if outcome.status == "stale"]
        command = "srcgrad build " + " ".join(stale) + f" -o {outdir}" + (" --pure" if pure else "")
        raise AssertionError(f"generated source in {outdir} is stale; regenerate it with `{command}`:\n{diff}")
