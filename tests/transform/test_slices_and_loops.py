"""Slice assignment (`y[1:] = ...`, `y[a:b] += ...`, `Y[:, j] = ...`, `y[::2] = ...`), slices and
whole-array NumPy inside loops (`np.sum(x[i:i + 3])`, `y = y * 0.5 + x`), arrays allocated inside
loops, 3-D arrays in element loops: each compiled and --pure, its value against the original
Python, its gradient against central differences and the eager engine, its jvp against the
gradient and its hvp against differences of eager gradients (tests/every_mode.py)."""

from __future__ import annotations

import numpy as np
import pytest

from every_mode import check_every_mode
from support import PROGRAMS, compiled_module, pure_module

PATH = str(PROGRAMS / "slices_and_loops.py")
RNG = np.random.default_rng(1212)


def _v(*shape):
    return RNG.normal(size=shape)


CASES = [
    ("cube_filled", (_v(3),)),
    ("cube_parameter", (_v(2, 3, 4), _v(4))),
    ("cube_used_whole", (_v(4),)),
]


def _direction(args):
    return tuple(RNG.normal(size=np.shape(a)) for a in args if isinstance(a, (float, np.ndarray)))


@pytest.mark.parametrize("name,args", CASES, ids=[f"{name}-{i}" for i, (name, _) in enumerate(CASES)])
@pytest.mark.parametrize("build", [compiled_module, pure_module], ids=["compiled", "pure"])
def test_every_mode(build, name, args):
    check_every_mode(build, PATH, name, args, _direction(args))
