"""`srcgrad build --tape-limit SIZE` and `tape_limit=` of the in-process API.

The option's checkpointing itself is tested in tests/transform/test_checkpointing.py; here: how
SIZE is read and refused, that the built modules (compiled and --pure) give the taped build's
gradients bit for bit while the tape stays within SIZE, the warnings naming loops the limit cannot
checkpoint, that a build without the option is unchanged, and srcgrad.grad/value_and_grad/vjp/hvp
with tape_limit= (a module cached apart from the plain one).
"""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import srcgrad
from srcgrad.cli import main
from srcgrad.runtime import tape as compiled_tape
from srcgrad.sizes import parse_size
from support import EXAMPLES, central_differences

OSCILLATOR = str(EXAMPLES / "oscillator.py")
ARGS = (1.3, 0.2, 0.5, -0.1, 0.01, 30_000)


@pytest.mark.parametrize("text, size", [("4096", 4096), ("4K", 4096), ("16M", 16 << 20), ("1G", 1 << 30),
                                        ("16m", 16 << 20), ("64MB", 64 << 20), (2048, 2048)])
def test_sizes_are_bytes_with_binary_suffixes(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["16Q", "-5", "0", "", "1.5M", "M", "16 M B"])
def test_a_bad_size_is_one_error_line_and_exit_2(text, tmp_path, capsys):
    assert main(["build", OSCILLATOR, "-o", str(tmp_path), "--pure", "--tape-limit", text]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("srcgrad: error: --tape-limit: "), err
    assert repr(text) in err[0]
    assert not list(tmp_path.iterdir())  # nothing written


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _bits(value):
    if isinstance(value, tuple):
        return tuple(_bits(v) for v in value)
    return np.asarray(value, dtype=float).tobytes()


def test_pure_build_is_bit_identical_while_loops_too(tmp_path, capsys):
    taped_dir, limited_dir = tmp_path / "taped", tmp_path / "limited"
    assert main(["build", OSCILLATOR, "-o", str(taped_dir), "--pure", "-q"]) == 0
    assert main(["build", OSCILLATOR, "-o", str(limited_dir), "--pure", "-q", "--tape-limit", "4K"]) == 0
    assert capsys.readouterr().err == ""  # both loops are checkpointed: nothing to warn about
    taped = _load(taped_dir / "oscillator_grad.py", "oscillator_grad_taped")
    limited = _load(limited_dir / "oscillator_grad.py", "oscillator_grad_limited")
    text = (limited_dir / "oscillator_grad.py").read_text()
    assert "checkpoints_new(tape, steps, 24, 4, 0, 4096)" in text
    # pendulum_period's while loop: counted untaped first, then scheduled
    assert "checkpoints_entry(tape, 3, 0)" in text
    args = (1.3, 0.2, 0.5, -0.1, 0.01, 3000)
    assert _bits(limited.value_and_grad_energy_after(*args)) == _bits(taped.value_and_grad_energy_after(*args))
    pendulum = (1.0, 9.81, 0.3, 2000)  # about 1000 steps: more than 4K of tape
    assert _bits(limited.grad_pendulum_period(*pendulum)) == _bits(taped.grad_pendulum_period(*pendulum))


def test_a_loop_the_limit_cannot_checkpoint_is_named(tmp_path, capsys):
    source = tmp_path / "rewrites.py"
    source.write_text("import math\nimport numpy as np\n\n\ndef rewrites(w: np.ndarray, x, n: int):\n"
                      "    v = w.copy()\n    s = x\n    for i in range(n):\n        s = math.cos(s) + v[i % len(v)]\n"
                      "    v[0] = s\n    return s * v[0]\n")
    assert main(["build", str(source), "-o", str(tmp_path / "out"), "--pure", "-q", "--tape-limit", "1K"]) == 0
    assert capsys.readouterr().err.strip() == (
        f"{source}:8:5: warning: rewrites: the loop at line 8 is taped, not checkpointed (the array 'v' it "
        "reads is written after it); its tape is not bounded by the tape limit")


def test_without_the_option_the_output_is_unchanged(tmp_path, capsys):
    assert main(["build", OSCILLATOR, "-o", str(tmp_path), "--pure", "-q"]) == 0
    assert main(["build", OSCILLATOR, "-o", str(tmp_path), "--pure", "--check"]) == 0
    assert main(["build", OSCILLATOR, "-o", str(tmp_path), "--pure", "--check", "--tape-limit", "16M"]) == 1
    assert "+    checkpoints = _tape.checkpoints_new(tape, steps, 24, 4, 0, 16777216)" in capsys.readouterr().out


def test_compiled_build_is_bit_identical_within_the_limit(tmp_path, capsys):
    taped_dir, limited_dir = tmp_path / "taped", tmp_path / "limited"
    assert main(["build", OSCILLATOR, "-o", str(taped_dir), "-q"]) == 0
    assert main(["build", OSCILLATOR, "-o", str(limited_dir), "-q", "--tape-limit", "4K"]) == 0
    suffix = next(taped_dir.glob("oscillator_grad.*.so")).name[len("oscillator_grad"):]
    sys.path.insert(0, str(taped_dir))
    try:
        taped = _load(taped_dir / f"oscillator_grad{suffix}", "oscillator_grad")
        sys.modules.pop("oscillator_grad", None)
        limited_module = _load(limited_dir / f"oscillator_grad{suffix}", "oscillator_grad")
    finally:
        sys.path.remove(str(taped_dir))
        sys.modules.pop("oscillator_grad", None)
    compiled_tape.reset_peak_bytes()
    expected = taped.value_and_grad_energy_after(*ARGS)
    taped_peak = compiled_tape.peak_bytes()
    compiled_tape.reset_peak_bytes()
    actual = limited_module.value_and_grad_energy_after(*ARGS)
    assert _bits(actual) == _bits(expected)
    assert taped_peak >= 24 * ARGS[-1] and compiled_tape.peak_bytes() <= 4096


API_SOURCE = '''\
import math


def drift(x, y, steps: int):
    s = x
    for i in range(steps):
        s = s + 0.001 * math.sin(s * y) + 0.0001 * x
    return s * s
'''


@pytest.fixture(scope="module")
def drift(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tape_limit_api")
    path = folder / "tape_limit_drift.py"
    path.write_text(API_SOURCE)
    module = _load(path, "tape_limit_drift")
    return module.drift


def test_in_process_tape_limit_gives_the_same_bits_in_bounded_memory(drift):
    args = (0.4, 1.7, 20_000)
    plain = srcgrad.value_and_grad(drift)(*args)
    compiled_tape.reset_peak_bytes()
    limited = srcgrad.value_and_grad(drift, tape_limit="8K")(*args)
    assert compiled_tape.peak_bytes() <= 8192
    assert _bits(limited) == _bits(plain)
    assert _bits(srcgrad.grad(drift, tape_limit=8192)(*args)) == _bits(plain[1])
    assert _bits(srcgrad.grad(drift, wrt=1, tape_limit="8K")(*args)) == _bits(plain[1][1])
    assert _bits(srcgrad.vjp(drift, tape_limit="8K")(*args, 2.5)) == _bits(srcgrad.vjp(drift)(*args, 2.5))
    assert _bits(srcgrad.hvp(drift, tape_limit="8K")(*args, (1.0, 0.5))) == _bits(srcgrad.hvp(drift)(*args, (1.0, 0.5)))
    expected = central_differences(drift, (0.4, 1.7, 2000), [0, 1])
    np.testing.assert_allclose(srcgrad.grad(drift, tape_limit="1K")(0.4, 1.7, 2000), expected, rtol=1e-6)


def test_in_process_source_shows_the_checkpointed_module_apart(drift):
    assert "checkpoints_new" not in srcgrad.source(drift)
    srcgrad.grad(drift, tape_limit="8K")
    assert "checkpoints_new" not in srcgrad.source(drift)  # the plain module is cached apart


@pytest.mark.parametrize("bad", ["8Q", 0, -1, 1.5, True])
def test_in_process_bad_limit_is_a_value_error(drift, bad):
    with pytest.raises(ValueError, match="tape limit"):
        srcgrad.grad(drift, tape_limit=bad)
