"""Copy into your tests/: the generated gradients are current and agree with finite differences."""

from pathlib import Path

import srcgrad
from srcgrad.testing import assert_generated_current, check_grads

# the project root: this file is in examples/ecosystem/; from your tests/ folder it is parents[1]
ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "examples" / "tutorial.py"]  # the files you build
OUTDIR = ROOT / "generated"  # where `srcgrad build -o OUTDIR` writes them


def test_generated_gradients_are_current():
    assert_generated_current(SOURCES, OUTDIR)


def test_gradients_agree_with_finite_differences():
    from examples.tutorial import power, square_sin

    check_grads(square_sin, (0.7,), order=2)
    check_grads(power, (1.3, 4), order=2)
    assert srcgrad.grad(power)(3.0, 2) == 6.0
