"""Where a compiled elementwise loop of a `--fast-math` module (emit/loops.py) reads and writes.

The loop runs over rows of `columns` elements: an operand of the result's shape steps a row
at a time, an operand broadcast down the rows (a bias of the last dimension's length, as in
`X @ W1 + b1`) is read again for every row. Anything else (another broadcast, an operand that
is not a float64 array, an empty or 0-d result) is left to NumPy: loop_layout returns None.
"""

import numpy as np

_FLOAT = np.dtype(np.float64)


def loop_layout(into, operands: tuple):
    """(out, rows, columns, operands, row steps) for a loop over operands' elements, or None.

    into: an array the result may be written into (an operand nothing reads afterwards), or
    None; a new array holds the result otherwise. Operands the loop cannot read as they are (not
    C-contiguous, unaligned) are read from contiguous copies."""
    for a in operands:
        if type(a) is not np.ndarray or a.dtype != _FLOAT:
            return None
    shape = operands[0].shape
    if any(a.shape != shape for a in operands):
        shape = _broadcast([a.shape for a in operands])
        if shape is None:
            return None
    if not shape or 0 in shape:
        return None
    columns = shape[-1]
    arrays, steps = [], []
    for a in operands:
        if a.shape == shape:
            steps.append(columns)
        elif a.ndim and a.shape[-1] == columns and a.size == columns:  # one row, read for every row
            steps.append(0)
        else:
            return None
        if not (a.flags.c_contiguous and a.flags.aligned):
            a = np.array(a, order="C")
        arrays.append(a)
    if not (type(into) is np.ndarray and into.dtype == _FLOAT and into.shape == shape
            and into.flags.c_contiguous and into.flags.aligned and into.flags.writeable):
        into = np.empty(shape)
    return into, into.size // columns, columns, tuple(arrays), tuple(steps)


def _broadcast(shapes: list):
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:  # NumPy raises its own error when the fallback computes the expression
        return None
