"""GradientTape: records operations on tracked Tensors and runs the backward pass.

A tape tracks Tensors by identity: those it was told to `watch`, trainable `Variable`s it
sees, and every output of an operation it recorded. Records are kept in execution order, so
walking them backwards visits every consumer of a value before the value's producer.

The backward pass calls the primitives' VJPs on plain NumPy values, unless another tape of this
thread is recording: then it calls them on the Tensors themselves, so that the outer tape
records the gradient computation and can differentiate it again (higher order).
"""

from __future__ import annotations

import contextlib

import numpy as np

from srcgrad.eager.core import LIVE_TAPES, STATE, MutableTensor, Tensor, Variable, _new, _node

_UNCONNECTED = ("none", "zero")


class GradientTape:
    """Record operations for automatic differentiation (TensorFlow's `tf.GradientTape`).

    with GradientTape() as tape:
        tape.watch(x)
        y = x * x
    dy_dx = tape.gradient(y, x)          # a Tensor: 2 x

    `persistent=False` allows one `gradient` (or `jacobian`) call. Tapes belong to the thread
    that enters them: a tape never records another thread's operations. Watching a Tensor on
    a tape that is nested in other recording tapes makes those outer tapes track it too.
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self._persistent = persistent
        self._watch_variables = watch_accessed_variables
        self._records: list = []  # (primitive, args, kwargs, output, positions of tracked args)
        self._tracked: set = set()  # ids of tracked Tensors
        self._watched: list = []  # the watched Tensors, kept alive so that their ids stay unique
        self._used = False
        LIVE_TAPES.add(self)

    # --- recording ----------------------------------------------------------------------
    def __enter__(self) -> "GradientTape":
        if self in STATE.recording:
            raise RuntimeError("this GradientTape is already recording")
        STATE.recording.append(self)
        return self

    def __exit__(self, *exc) -> None:
        if self in STATE.recording:
            STATE.recording.remove(self)

    def _record(self, prim, args, kwargs, out) -> None:
        tracked = self._tracked
        pos = ()
        i = 0
        for a in args:
            if id(a) in tracked:
                pos += (i,)
            elif type(a) is Variable and self._watch_variables and a.trainable:
                self._watch(a)
                pos += (i,)
            i += 1
        if pos:
            self._records.append((prim, args, kwargs, out, pos))
            tracked.add(id(out))

    def _watch(self, t: Tensor) -> None:
        if id(t) not in self._tracked:
            self._tracked.add(id(t))
            self._watched.append(t)

    def watch(self, tensor) -> None:
        """Track `tensor` (or every Tensor in a list/tuple): gradients can be taken w.r.t. it.

        Outer tapes that are recording around this one start tracking it too, so that they can
        differentiate what this tape computes (nested tapes, higher-order derivatives).
        """
        tapes = STATE.recording
        owners = tapes[: tapes.index(self) + 1] if self in tapes else [self]
        for t in _flatten(tensor):
            if not isinstance(t, Tensor):
                raise TypeError(f"GradientTape.watch expects Tensors, got {type(t).__name__}; "
                                "wrap values with srcgrad.constant")
            if type(t) is MutableTensor:  # watched as its current value, which sources then mean
                t._cell.origin = t = t._cell.node
            for tape in owners:
                tape._watch(t)

    def _rename(self, old: Tensor, new: Tensor) -> None:
        """Let `new` stand for `old` in everything recorded so far (old is about to change)."""
        if id(old) not in self._tracked:
            return
        self._tracked.discard(id(old))
        self._tracked.add(id(new))
        self._watched = [new if t is old else t for t in self._watched]
        swap = lambda a: new if a is old else a  # noqa: E731
        self._records = [
            (prim, tuple(map(swap, args)) if any(a is old for a in args) else args, kwargs, swap(out), pos)
            for prim, args, kwargs, out, pos in self._records
        ]

    def watched_variables(self) -> tuple:
        return tuple(t for t in self._watched if isinstance(t, Variable))

    @contextlib.contextmanager
    def stop_recording(self):
        """Temporarily stop recording on this tape (operations inside are not differentiated)."""
        tapes = STATE.recording
        if self not in tapes:
            raise RuntimeError("stop_recording: this tape is not recording")
        i = tapes.index(self)
        tapes.remove(self)
        try:
            yield
        finally:
            tapes.insert(min(i, len(tapes)), self)

    def reset(self) -> None:
        """Forget everything recorded and watched so far."""
        self._records, self._tracked, self._watched, self._used = [], set(), [], False

    # --- differentiation ----------------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """The gradient of `target` with respect to `sources`.

        `target` is a Tensor (a non-scalar one is differentiated as the sum of its elements) or
        a list of Tensors (their sum). `sources` is a Tensor or a (nested) list/tuple of them;
        the result has the same structure, with Tensors shaped like the sources. A source the
        target does not depend on gets None, or zeros with `unconnected_gradients="zero"`.
        `output_gradients` replaces the implicit all-ones cotangent of each target.
        """
        unconnected_gradients = _check_unconnected(unconnected_gradients)
        flat_sources = [self._source(s) for s in _flatten(sources)]
        for s in flat_sources:
            if not isinstance(s, Tensor):
                raise TypeError(f"gradient sources must be Tensors, got {type(s).__name__}")
        targets = [_node(t) for t in _flatten(target)]
        seeds = [None] * len(targets) if output_gradients is None else _flatten(output_gradients)
        if len(seeds) != len(targets):
            raise ValueError("output_gradients must have the same structure as target")
        with self._backward_context() as raw:
            reach = self._reach(flat_sources)
            grads = self._backward(targets, seeds, flat_sources, reach, raw)
            result = [_finish(g, s, unconnected_gradients) for g, s in zip(grads, flat_sources)]
        return _unflatten(sources, iter(result))

    def jacobian(self, target, sources, unconnected_gradients="none"):
        """The Jacobian of `target` with respect to each source: a Tensor shaped
        `target.shape + source.shape` (same structure as `sources`)."""
        unconnected_gradients = _check_unconnected(unconnected_gradients)
        flat_sources = [self._source(s) for s in _flatten(sources)]
        if not isinstance(target, Tensor):
            raise TypeError("jacobian target must be a Tensor")
        target = _node(target)
        n = target.size
        with self._backward_context() as raw:
            reach = self._reach(flat_sources)
            rows = []
            for k in range(n):
                seed = np.zeros(n)
                seed[k] = 1.0
                rows.append(self._backward([target], [seed.reshape(target.shape)], flat_sources, reach, raw))
            result = []
            for j, s in enumerate(flat_sources):
                column = [row[j] for row in rows]
                if all(g is None for g in column):
                    result.append(_finish(None, s, unconnected_gradients, target.shape))
                    continue
                column = [np.zeros(s.shape) if g is None else g for g in column]
                stacked = np.stack(column) if n else np.zeros((0,) + s.shape)
                result.append(_as_tensor(np.reshape(stacked, target.shape + s.shape)))
        return _unflatten(sources, iter(result))

    @contextlib.contextmanager
    def _backward_context(self):
        if self._used and not self._persistent:
            raise RuntimeError(
                "a non-persistent GradientTape can compute gradients only once; "
                "use GradientTape(persistent=True) to call gradient() several times"
            )
        tapes = STATE.recording
        i = tapes.index(self) if self in tapes else None
        if i is not None:  # the tape does not record its own backward pass
            tapes.remove(self)
        STATE.backward += 1
        try:
            yield not tapes  # no other tape recording: the backward pass works on plain arrays
        finally:
            STATE.backward -= 1
            if i is not None:
                tapes.insert(min(i, len(tapes)), self)
            if not self._persistent:
                self._used = True
                self._records, self._watched, self._tracked = [], [], set()

    def _source(self, s):
        """A MutableTensor as a source means its value when it was watched (see MutableTensor)."""
        if type(s) is not MutableTensor:
            return s
        cell = s._cell
        return cell.origin if id(cell.origin) in self._tracked else cell.node

    def _reach(self, sources) -> set:
        """Ids of the sources and of every recorded value that depends on one of them."""
        reach = {id(s) for s in sources}
        for _, args, _, out, pos in self._records:
            for i in pos:
                if id(args[i]) in reach:
                    reach.add(id(out))
                    break
        return reach

    def _backward(self, targets, seeds, sources, reach, raw) -> list:
        cot: dict = {}
        for t, seed in zip(targets, seeds):
            if isinstance(t, Tensor) and id(t) in reach:
                if seed is None:
                    seed = np.ones(t.shape)
                elif raw or not isinstance(seed, Tensor):
                    seed = np.broadcast_to(np.asarray(seed._value if isinstance(seed, Tensor) else seed, np.float64), t.shape)
                _accumulate(cot, id(t), seed)
        keep = {id(s) for s in sources}
        for prim, args, kwargs, out, pos in reversed(self._records):
            if not cot:
                break
            oid = id(out)
            if oid not in cot:
                continue
            g = cot[oid] if oid in keep else cot.pop(oid)
            argnums = [i for i in pos if id(args[i]) in reach]
            if not argnums:
                continue
            if raw:
                vals = tuple([a._value if isinstance(a, Tensor) else a for a in args])
                grads = prim.vjp(argnums, g, out._value, vals, kwargs)
            else:
                grads = prim.vjp(argnums, g, out, args, kwargs)
            for i, gi in zip(argnums, grads):
                _accumulate(cot, id(args[i]), gi)
        return [cot.get(id(s)) for s in sources]


def _accumulate(cot: dict, key: int, g) -> None:
    prev = cot.get(key)
    cot[key] = g if prev is None else prev + g


def _as_tensor(g) -> Tensor:
    return g if isinstance(g, Tensor) else _new(np.asarray(g, dtype=np.float64))


def _finish(g, source, unconnected: str, lead_shape: tuple = ()):
    if g is not None:
        return _as_tensor(g)
    return _new(np.zeros(lead_shape + source.shape)) if unconnected == "zero" else None


def _check_unconnected(mode) -> str:
    mode = getattr(mode, "value", mode)  # also accepts an enum whose values are the strings
    if mode not in _UNCONNECTED:
        raise ValueError(f"unconnected_gradients must be 'none' or 'zero', not {mode!r}")
    return mode


def _flatten(x) -> list:
    if isinstance(x, (list, tuple)):
        return [leaf for item in x for leaf in _flatten(item)]
    return [x]


def _unflatten(structure, leaves):
    if isinstance(structure, (list, tuple)):
        return type(structure)(_unflatten(item, leaves) for item in structure)
    return next(leaves)
