"""The argument checks of batched gradients (`srcgrad build --batch`: grad_NAME_batched).

Each float argument of a batched gradient is either the primal's own kind of value, the same for
every row of the batch (a number, or a 1-D array), or a batch of them along a new leading axis (a
1-D array of numbers, one per row; a 2-D array of 1-D arrays, one row each). All batched
arguments must agree on the number of rows.
"""

from __future__ import annotations

import operator

import numpy as np


def batch_arguments(name: str, values: tuple, names: tuple, dims: tuple) -> tuple:
    """(rows, arrays): every float argument as a C-contiguous float64 array with a leading axis of
    `rows` (a number the same for every row repeated; an array the same for every row as one row,
    shape (1, n), which the compiled code reads for every row). dims: 0 for a number parameter,
    1 for a 1-D array parameter."""
    arrays, batched = [], []
    for value, parameter, ndim in zip(values, names, dims):
        try:
            array = np.asarray(value, dtype=np.float64)  # (np.ascontiguousarray makes a number 1-D)
        except (TypeError, ValueError):
            raise TypeError(f"grad_{name}_batched: {parameter} must be a number or an array of numbers, "
                            f"not {type(value).__name__}") from None
        if array.ndim not in (ndim, ndim + 1):
            what = "a number or a 1-D array of one per row" if ndim == 0 else "a 1-D array or a 2-D batch of them"
            raise ValueError(f"grad_{name}_batched: {parameter} must be {what}; it has shape {array.shape}")
        if array.ndim == ndim + 1:
            batched.append((parameter, array.shape[0]))
        arrays.append(array)
    if not batched:
        raise ValueError(f"grad_{name}_batched: no argument has a batch axis (a leading axis of one value per "
                         f"row); call grad_{name} for a single point")
    rows = batched[0][1]
    for parameter, count in batched[1:]:
        if count != rows:
            raise ValueError(f"grad_{name}_batched: {parameter} has {count} rows but {batched[0][0]} has {rows}")
    out = []
    for array, ndim in zip(arrays, dims):
        if array.ndim == ndim:  # the same for every row
            array = np.full(rows, float(array)) if ndim == 0 else array.reshape(1, -1)
        out.append(np.ascontiguousarray(array))
    return rows, tuple(out)


def thread_count(name: str, threads) -> int:
    """threads=: a positive number of threads, or 0 for as many as the machine has cores."""
    try:
        count = operator.index(threads)
    except TypeError:
        raise TypeError(f"grad_{name}_batched: threads must be an int, not {type(threads).__name__}") from None
    if count < 0:
        raise ValueError(f"grad_{name}_batched: threads must be 0 (every core) or more, not {count}")
    if count == 0:
        import os

        count = os.cpu_count() or 1
    return count

