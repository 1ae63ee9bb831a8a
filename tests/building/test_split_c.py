"""A big generated module's C compiled as two parts in parallel (srcgrad.csplit, issue 13 part 5),
checked by behaviour, never by time: a module built in two parts computes exactly what the same
module built as one file does, and both agree with central differences and the --pure build;
every function is defined in one part, the module state once; a small module stays one file;
parts that do not compile fall back to the whole file."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from srcgrad import build, compile as compiling, csplit
from srcgrad.api import _import_extension
from srcgrad.generate import generate
from support import PROGRAMS, central_differences, original_module, pure_module

# chain, bump and power, and two callers: calls, and keyed with defaults and a keyword-only parameter
SOURCE = (PROGRAMS / "chain_bump_power.py").read_text() + """

def calls(a: float, b: float) -> float:
    return bump(a, b) * power(a, 3) + math.tanh(b)


def keyed(a: float, b: float = 0.5, *, scale: float = 2.0) -> float:
    return scale * a * a + b * math.cos(a)
"""

pytestmark = [pytest.mark.skipif(not compiling.splits_optimisation(), reason="the C compiler is not GCC: no split"),
              pytest.mark.usefixtures("optimised_builds")]


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("split") / "many.py"
    path.write_text(SOURCE)
    return path


def _build(source: Path, cache: Path, split: bool):
    """The module compiled with its C in two parts (the threshold lowered to split it) or whole;
    which one happened is checked, not assumed."""
    generated = generate(source.read_text(), str(source))
    made = []
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SRCGRAD_SANITIZE", raising=False)
        patch.setenv("SRCGRAD_SPLIT_C", "1" if split else "0")
        patch.setattr(csplit, "MINIMUM_CHARS", 0)
        patch.setattr(compiling, "_split_sources", _recording(compiling._split_sources, made))
        binary, compiled = build.compile_cached(generated.text, generated.module_name, cache_dir=cache)
    assert compiled and made == ([2] if split else [])
    return _import_extension(binary, generated.module_name)


def _recording(split_sources, made: list):
    def recorded(extension, c_file, module_name):
        split_sources(extension, c_file, module_name)
        if getattr(extension, "whole_sources", None):
            made.append(len(extension.sources))
    return recorded


@pytest.fixture(scope="module")
def builds(source, tmp_path_factory):
    return {"parts": _build(source, tmp_path_factory.mktemp("cache-parts"), True),
            "whole": _build(source, tmp_path_factory.mktemp("cache-whole"), False)}


def _every_entry(module) -> list:
    x = np.array([0.3, -1.2, 0.8, 2.0, -0.4])
    return [
        module.chain(x, 1.7), module.value_and_grad_chain(x, 1.7), module.vjp_chain(x, 1.7, 0.5),
        module.jvp_chain(x, 1.7, (x * 0.1, 1.0)), module.hvp_chain(x, 1.7, (x, 1.0)),
        module.bump(0.4, -0.9), module.grad_bump(0.4, -0.9), module.value_and_vjp_bump(0.4, -0.9, 2.0),
        module.jvp_bump(0.4, -0.9, (1.0, 0.5)), module.hvp_bump(0.4, -0.9, (1.0, 0.5)), module.hessian_bump(0.4, -0.9),
        module.value_and_grad_power(1.1, 7), module.jvp_power(1.1, 7, 1.0), module.hessian_power(1.1, 7),
        module.grad_calls(0.7, 0.2), module.hvp_calls(0.7, 0.2, v=(1.0, -1.0)),
        module.grad_keyed(0.3), module.grad_keyed(0.3, 0.1, scale=3.0), module.vjp_keyed(0.3, 2.0, scale=3.0),
        module.hvp_keyed(0.3, b=0.1, v=(1.0, 0.0, 0.5)),
    ]


def _same(left, right) -> None:
    if isinstance(left, tuple):
        assert isinstance(right, tuple) and len(left) == len(right)
        for a, b in zip(left, right):
            _same(a, b)
    else:
        np.testing.assert_array_equal(left, right)


def test_a_module_in_two_parts_computes_exactly_what_the_whole_file_does(builds):
    for parts, whole in zip(_every_entry(builds["parts"]), _every_entry(builds["whole"])):
        _same(parts, whole)


def test_the_parts_agree_with_differences_and_the_pure_build(source, builds):
    module, original, pure = builds["parts"], original_module(str(source)), pure_module(str(source))
    x = np.array([0.3, -1.2, 0.8, 2.0, -0.4])
    g_x, g_k = module.grad_chain(x, 1.7)
    expected_x, expected_k = central_differences(original.chain, (x, 1.7), [0, 1])
    np.testing.assert_allclose(g_x, expected_x, rtol=1e-6)
    assert g_k == pytest.approx(expected_k, rel=1e-6)
    np.testing.assert_allclose(g_x, pure.grad_chain(x, 1.7)[0], rtol=1e-13)
    for name, args in (("bump", (0.4, -0.9)), ("calls", (0.7, 0.2))):
        got = getattr(module, f"grad_{name}")(*args)
        assert got == pytest.approx(central_differences(getattr(original, name), args, [0, 1]), rel=1e-6)
        assert got == pytest.approx(getattr(pure, f"grad_{name}")(*args), rel=1e-13)
    got = module.grad_keyed(0.3, 0.1, scale=3.0)
    keyed = lambda a, b, scale: original.keyed(a, b, scale=scale)  # noqa: E731
    assert got == pytest.approx(central_differences(keyed, (0.3, 0.1, 3.0), [0, 1, 2]), rel=1e-6)
    assert got == pytest.approx(pure.grad_keyed(0.3, 0.1, scale=3.0), rel=1e-13)
    assert module.grad_power(1.1, 7) == pytest.approx(7 * 1.1 ** 6, rel=1e-14)
    hessian = module.hessian_bump(0.4, -0.9)
    column = central_differences(lambda a, b: np.array(module.grad_bump(a, b)), (0.4, -0.9), [0, 1])
    np.testing.assert_allclose(np.array(hessian), np.array(column).T, rtol=1e-5)
    with pytest.raises(ValueError, match="tangents must be a tuple"):
        module.jvp_bump(0.4, -0.9, "one")


def _translated(source: Path, tmp_path: Path) -> tuple[str, str]:
    generated = generate(source.read_text(), str(source))
    pyx = tmp_path / f"{generated.module_name}.pyx"
    pyx.write_text(generated.text)
    include = compiling.cython_include_dir(build.default_cache_dir() / "include")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SRCGRAD_SPLIT_C", "0")
        compiling.cython_to_c(pyx, generated.module_name, False, include, compiling.shared_utility_module())
    return pyx.with_suffix(".c").read_text(), generated.module_name


def test_each_function_is_defined_in_one_part_and_the_module_state_in_part_0(source, tmp_path):
    text, name = _translated(source, tmp_path)
    assert csplit.split(text, name, minimum_chars=len(text)) is None  # a small module stays one file
    part0, part1 = csplit.split(text, name, minimum_chars=0)
    mangled = f"{len(name)}{name}"
    wrapper = re.compile(rf"^(?:__SRCGRAD_\w+ )*(?:static )?PyObject \*(__pyx_pw_{mangled}_\w+)\(.*\n(?:.*\n){{0,6}}?\) {{$", re.M)
    defined = [set(wrapper.findall(part)) for part in (part0, part1)]
    everything = set(wrapper.findall(text))
    # three defs a function (f, grad_, value_and_grad_) and the module's _srcgrad_entries (emit/entries.py)
    assert len(everything) >= 5 * 3 + 1 and defined[0] | defined[1] == everything and not defined[0] & defined[1]
    assert defined[0] and defined[1]
    assert re.search(r"^__SRCGRAD_SHARED __pyx_mstatetype __pyx_mstate_global_static =", part0, re.M)
    assert "extern __SRCGRAD_SHARED __pyx_mstatetype __pyx_mstate_global_static;" in part1
    assert re.search(rf"^__Pyx_PyMODINIT_FUNC PyInit_{name}\(void\)$", part0, re.M)
    assert not re.search(rf"PyMODINIT_FUNC PyInit_{name}", part1)
    assert not re.search(rf"^static .*__pyx_[fp][fw]?_{mangled}_", part0 + part1, re.M)  # all reachable across parts


def test_parts_that_do_not_compile_fall_back_to_the_whole_file(source, tmp_path, monkeypatch):
    def broken(text, module_name, minimum_chars):
        return "#error part 0 does not compile\n", "#error part 1 does not compile\n"

    monkeypatch.setattr(csplit, "split", broken)
    monkeypatch.setenv("SRCGRAD_SPLIT_C", "1")
    monkeypatch.delenv("SRCGRAD_SANITIZE", raising=False)
    generated = generate(source.read_text(), str(source))
    binary, compiled = build.compile_cached(generated.text, generated.module_name, cache_dir=tmp_path / "cache")
    module = _import_extension(binary, generated.module_name)
    assert compiled and module.grad_power(1.1, 7) == pytest.approx(7 * 1.1 ** 6, rel=1e-14)


@pytest.mark.parametrize("setting, cores, expected", [
    ("", 2, False),     # not by default: kernels in one part, wrappers in the other, are not inlined
    ("", 8, False),
    ("1", 2, True),     # asked for
    ("1", 1, False),    # one core: nothing to share
    ("0", 4, False),    # turned off
])
def test_a_module_is_split_only_when_asked(monkeypatch, setting, cores, expected):
    monkeypatch.setenv("SRCGRAD_SPLIT_C", setting)
    monkeypatch.setattr(compiling.os, "cpu_count", lambda: cores)
    assert compiling.splitting() is expected
