"""Shared helpers for compiler tests: build a source file once per session, both ways."""

from __future__ import annotations

import ast
import functools
import math
import signal
import types
from pathlib import Path

import numpy as np

from srcgrad import build
from srcgrad.api import _import_extension
from srcgrad.generate import generate

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PROGRAMS = Path(__file__).resolve().parent / "programs"


@functools.lru_cache(maxsize=None)
def generated_module(path: str, pure: bool = False):
    """What the compiler generates for a source file, once per session (tests that read the text
    share it with the build)."""
    return generate(Path(path).read_text(), path, pure=pure)


@functools.lru_cache(maxsize=None)
def compiled_module(path: str):
    """The Cython build of a source file (compiled once per content, cached on disk)."""
    generated = generated_module(path)
    binary, _ = build.compile_cached(generated.text, generated.module_name)
    return _import_extension(binary, generated.module_name)


@functools.lru_cache(maxsize=None)
def pure_module(path: str):
    """The --pure build of a source file, executed as a fresh module."""
    generated = generated_module(path, pure=True)
    module = types.ModuleType(generated.module_name + "_pure")
    exec(compile(generated.text, generated.module_name + ".py", "exec", dont_inherit=True), module.__dict__)
    return module


@functools.lru_cache(maxsize=None)
def original_module(path: str):
    """The user's file itself, run as Python (tests only; the builder never does this)."""
    module = types.ModuleType(Path(path).stem + "_original")
    exec(compile(Path(path).read_text(), path, "exec", dont_inherit=True), module.__dict__)
    return module


def function_source(path, *names: str) -> str:
    """The text of the named top-level functions of a program file, in file order, for a test
    that builds them beside functions of its own (one copy of each program in tests/programs)."""
    text = Path(path).read_text()
    found = [node for node in ast.parse(text).body if isinstance(node, ast.FunctionDef) and node.name in names]
    assert sorted(node.name for node in found) == sorted(names), f"{path} lacks one of {names}"
    return "\n\n\n".join(ast.get_source_segment(text, node) for node in found) + "\n"


def as_tuple(gradient, count: int) -> tuple:
    return (gradient,) if count == 1 else tuple(gradient)


def central_differences(f, args: tuple, positions: list, step: float = 1e-6) -> tuple:
    """Central finite differences of f at args, for each argument position listed (arrays too)."""
    out = []
    for position in positions:
        if isinstance(args[position], np.ndarray):
            base = args[position]
            gradient = np.zeros_like(base, dtype=float)
            for index in np.ndindex(base.shape):
                h = step * max(1.0, abs(base[index]))
                up, down = base.astype(float).copy(), base.astype(float).copy()
                up[index] += h
                down[index] -= h
                gradient[index] = (f(*_replace(args, position, up)) - f(*_replace(args, position, down))) / (2 * h)
            out.append(gradient)
            continue
        x = float(args[position])
        h = step * max(1.0, abs(x))
        out.append((f(*_replace(args, position, x + h)) - f(*_replace(args, position, x - h))) / (2 * h))
    return tuple(out)


def _replace(args: tuple, position: int, value) -> list:
    changed = list(args)
    changed[position] = value
    return changed


def copied(args: tuple) -> tuple:
    """Fresh copies of array arguments, so a function that updates its input in place cannot leak."""
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def assert_close(actual, expected, rtol: float, atol: float, what: str) -> None:
    """Compare numbers, arrays, or tuples of them, element by element."""
    if isinstance(actual, (tuple, list)) and isinstance(expected, (tuple, list)):
        if len(actual) != len(expected):
            raise AssertionError(f"{what}: {len(actual)} values, expected {len(expected)}")
        for k, (a, e) in enumerate(zip(actual, expected)):
            assert_close(a, e, rtol, atol, f"{what} [{k}]")
        return
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    if actual.shape != expected.shape or not np.allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True):
        raise AssertionError(f"{what}: got {actual.tolist()}, expected {expected.tolist()}")


def is_finite(values) -> bool:
    return all(math.isfinite(v) for v in np.ravel(values))


def default_sigint() -> None:
    """preexec_fn of a child that a test interrupts: SIGINT back to its default. A command started
    in the background by a shell without job control (`cmd &` in a script) ignores SIGINT, its
    children inherit that, and Python then never installs its KeyboardInterrupt handler in them."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
