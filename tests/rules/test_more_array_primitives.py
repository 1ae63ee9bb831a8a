"""Array primitives as NumPy users write them, each an entry of the array rule table
(srcgrad.rules.arrays, srcgrad.rules.rearrangements): reshapes (x.reshape, np.reshape, ravel,
flatten, atleast_1d/2d), np.size/x.size/len, np.roll, np.sort, np.cumprod, joins (np.concatenate,
np.stack, np.hstack, np.vstack), np.tile, np.repeat, np.asarray/np.array of an array and of (nested) literals of expressions, keepdims on
sum/mean/max/min, np.max/min/argmax with an axis, np.var/np.std along any axis (ddof too), np.average, np.flip, x.transpose(), x.astype(float), np.linalg.norm
(ord 1, 2, inf; axis), the builtins sum/max/min/abs of arrays, abs(x).max(), x.dot(y), x.prod()
and np.clip: compiled and --pure gradients against central differences and the eager engine,
jvp against directional differences, hvp against differences of gradients."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from array_checks import (BUILD_IDS, BUILDS, as_tuple, check_gradient, check_jvp_and_hvp, compiled_names,
                          differentiable_positions)
from support import assert_close, original_module

from srcgrad.eager.fallback import eager_value_and_gradient

PATH = str(Path(__file__).resolve().parent / "programs" / "more_array_primitives.py")
RNG = np.random.default_rng(1207)
CASES = [
    ("reshape_method", (RNG.normal(size=6),)),
    ("reshape_function", (RNG.normal(size=6),)),
    ("reshape_inferred", (RNG.normal(size=8),)),
    ("reshape_of_expression", (RNG.normal(size=(2, 3)),)),
    ("ravel_weighted", (RNG.normal(size=(2, 3)),)),
    ("flatten_cubed", (RNG.normal(size=(3, 2)),)),
    ("mean_by_size", (RNG.normal(size=5),)),
    ("mean_by_len", (RNG.normal(size=5),)),
    ("rolled", (RNG.normal(size=5),)),
    ("rolled_rows", (RNG.normal(size=(3, 2)),)),
    ("sorted_weighted", (RNG.normal(size=5),)),
    ("sorted_columns", (RNG.normal(size=(4, 3)),)),
    ("running_product", (RNG.uniform(0.5, 1.5, size=5),)),
    ("running_product", (np.array([0.7, 0.0, -1.2, 0.4]),)),  # a zero: no division
    ("running_product_rows", (RNG.normal(size=(2, 4)),)),
    ("concatenated", (RNG.normal(size=3), RNG.normal(size=3))),
    ("concatenated_columns", (RNG.normal(size=(2, 4)), RNG.normal(size=(2, 2)))),
    ("stacked", (RNG.normal(size=3), RNG.normal(size=3))),
    ("horizontally", (RNG.normal(size=3), RNG.normal(size=3))),
    ("vertically", (RNG.normal(size=3), RNG.normal(size=3))),
    ("horizontally_matrices", (RNG.normal(size=(2, 2)), RNG.normal(size=(2, 1)))),
    ("tiled", (RNG.normal(size=5),)),
    ("repeated", (RNG.normal(size=5),)),
    ("at_least", (RNG.normal(size=3),)),
    ("as_arrays", (RNG.normal(size=4),)),
    ("normalised_rows", (RNG.uniform(0.5, 2.0, size=(3, 4)),)),
    ("centred_columns", (RNG.uniform(0.5, 2.0, size=(3, 4)),)),
    ("softmax_stable", (RNG.normal(size=(2, 3)),)),
    ("smallest_kept", (RNG.normal(size=(3, 4)),)),
    ("column_extremes", (RNG.normal(size=(3, 4)),)),
    ("spreads", (RNG.normal(size=(2, 3)),)),
    ("norms", (RNG.normal(size=5),)),
    ("row_norms", (RNG.normal(size=(3, 4)),)),
    ("builtins", (RNG.normal(size=5),)),
    ("methods", (RNG.normal(size=4), RNG.normal(size=4))),
    ("clipped", (np.array([-1.3, -0.2, 0.3, 0.9, 0.1]),)),
    ("array_of_expressions", (RNG.normal(size=3),)),
    ("array_of_rows", (RNG.normal(size=2),)),
    ("rotation", (0.7, RNG.normal(size=2))),
    ("literal_in_expression", (RNG.normal(size=3),)),
    ("literal_in_a_loop", (RNG.normal(size=3), 4)),
    ("size_in_loops", (RNG.normal(size=5),)),
    ("sorted_then_indexed", (RNG.normal(size=5),)),
    ("filled_then_reshaped", (RNG.normal(size=4),)),
    ("scalars_stacked", (RNG.normal(size=4),)),
    ("more_methods", (np.array([[0.3, -0.8, 1.1], [0.6, 0.2, -0.4]]),)),
    ("padded_with_literals", (RNG.normal(size=4),)),
    ("sample_spreads", (RNG.normal(size=(3, 4)),)),
    ("standardised", (RNG.normal(size=(4, 3)),)),
    ("flipped_and_cast", (RNG.normal(size=(3, 3)), RNG.normal(size=4))),
    ("weighted_average", (RNG.normal(size=4), RNG.uniform(0.5, 1.5, size=4))),
]
IDS = [f"{name}-{k}" for k, (name, _) in enumerate(CASES)]


@pytest.mark.parametrize("name,args", CASES, ids=IDS)
@pytest.mark.parametrize("build", BUILDS, ids=BUILD_IDS)
def test_gradient(build, name, args):
    check_gradient(build, PATH, name, args, engines=False)
    # the eager engine as the fallback runs the function (np.asarray and np.array of Tensors too)
    positions = tuple(differentiable_positions(args))
    _, eager = eager_value_and_gradient(getattr(original_module(PATH), name), args, positions)
    gradient = as_tuple(getattr(build(PATH), "grad_" + name)(*args))
    assert_close(gradient, as_tuple(eager), 1e-9, 1e-11, f"grad_{name} vs the eager engine")


@pytest.mark.parametrize("name,args", CASES, ids=IDS)
def test_jvp_and_hvp(name, args):
    check_jvp_and_hvp(PATH, name, args)


def test_all_compile():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compiled = compiled_names(PATH)
    assert {name for name, _ in CASES} <= compiled
