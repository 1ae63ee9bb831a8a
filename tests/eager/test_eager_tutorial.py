"""The eager tutorial (examples/tutorial_eager.py) passes, every assertion of it."""

from __future__ import annotations

import runpy
import subprocess
import sys
from math import pi
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = runpy.run_path(str(ROOT / "examples" / "tutorial_eager.py"))


@pytest.mark.parametrize("check", TUTORIAL["CHECKS"], ids=lambda c: c.__name__)
def test_tutorial_assertion(check):
    check()


def test_derivatives_of_sin_squared_to_third_order_on_100_points():
    x = np.linspace(-2 * pi, 2 * pi, 100)
    f0, f1, f2, f3 = TUTORIAL["derivatives"](x)
    assert f1.shape == f2.shape == f3.shape == (100,)
    assert np.allclose(f0, np.sin(x) ** 2)
    assert np.allclose(f1.numpy(), 2 * np.sin(x) * np.cos(x))
    assert np.allclose(f2.numpy(), 2 * np.cos(2 * x))
    assert np.allclose(f3.numpy(), -4 * np.sin(2 * x))


def test_tutorial_runs_as_a_script():
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "tutorial_eager.py")],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "all tutorial assertions hold" in result.stdout


def test_derivatives_plot(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "derivatives.png"
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "derivatives_plot.py"), "-o", str(out)],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000
