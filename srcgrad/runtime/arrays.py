"""Entry checks for array arguments of generated functions."""

import numpy as np


def as_float_array(value, name: str, ndim: int) -> np.ndarray:
    """`value` as a C-contiguous float64 array of `ndim` dimensions, or a ValueError naming `name`.

    Float64 C-contiguous arrays pass through untouched (in-place updates reach the caller);
    integer and boolean arrays are converted; other inputs are copied to a contiguous array.
    """
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"parameter '{name}' must be an array of numbers, not of dtype {array.dtype}")
    if array.ndim != ndim:
        raise ValueError(f"parameter '{name}' must be a {ndim}-dimensional array, got {array.ndim} "
                         f"dimension{'s' if array.ndim != 1 else ''} (shape {array.shape})")
    return np.ascontiguousarray(array, dtype=np.float64)
