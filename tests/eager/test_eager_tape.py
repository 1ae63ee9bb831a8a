"""GradientTape semantics (TensorFlow's) and the Tensor type."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import srcgrad
from srcgrad.eager import GradientTape, Tensor, Variable, constant, ones, zeros


# --- Tensor ---------------------------------------------------------------------------------
def test_tensor_wraps_float64_values():
    t = constant([[1, 2, 3], [4, 5, 6]])
    assert isinstance(t, Tensor)
    assert t.dtype == np.float64 and t.shape == (2, 3) and t.ndim == 2 and t.size == 6
    assert len(t) == 2
    assert t.numpy().tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert float(constant(2.5)) == 2.5 and int(constant(3.0)) == 3
    assert constant(2.0).numpy() == 2.0 and isinstance(constant(2.0).numpy(), np.float64)
    assert ones((2,)).numpy().tolist() == [1.0, 1.0] and zeros(3).numpy().tolist() == [0.0] * 3
    assert constant(t) is t


def test_numpy_returns_a_copy():
    t = constant([1.0, 2.0])
    t.numpy()[0] = 99.0
    assert t.numpy().tolist() == [1.0, 2.0]


def test_repr_is_readable():
    assert repr(constant(1.5)) == "Tensor(1.5)"
    assert repr(constant([1.0, 2.0])) == "Tensor([1., 2.], shape=(2,))"
    assert repr(Variable(3.0)) == "Variable(3.)"


def test_operators_both_ways():
    t = constant([1.0, 2.0])
    for expr, expected in [
        (2.0 * t, [2.0, 4.0]), (t * 2.0, [2.0, 4.0]), (1.0 + t, [2.0, 3.0]), (1.0 - t, [0.0, -1.0]),
        (t - 1.0, [0.0, 1.0]), (2.0 / t, [2.0, 1.0]), (t / 2.0, [0.5, 1.0]), (t ** 2, [1.0, 4.0]),
        (2.0 ** t, [2.0, 4.0]), (-t, [-1.0, -2.0]), (abs(-t), [1.0, 2.0]), (t // 2.0, [0.0, 1.0]),
        (t % 2.0, [1.0, 0.0]), (np.ones(2) + t, [2.0, 3.0]), (np.float64(3.0) * t, [3.0, 6.0]),
        (constant([[1.0, 0.0], [0.0, 2.0]]) @ t, [1.0, 4.0]), (np.eye(2) @ t, [1.0, 2.0]),
    ]:
        assert isinstance(expr, Tensor)
        assert expr.numpy().tolist() == expected


def test_comparisons_are_plain_and_not_recorded():
    t = constant([1.0, 2.0])
    with GradientTape() as tape:
        tape.watch(t)
        for result in (t < 1.5, t <= 1.0, t > 1.5, t >= 2.0, t == 1.0, t != 1.0, np.greater(t, 1.0)):
            assert isinstance(result, np.ndarray) and result.dtype == bool
    assert len(tape._records) == 0
    if constant(2.0) > 1.0:  # usable in Python control flow
        pass
    else:
        pytest.fail("comparison of a 0-d Tensor")


def test_index_and_iteration_and_int_conversion():
    t = constant([[1.0, 2.0], [3.0, 4.0]])
    assert [row.numpy().tolist() for row in t] == [[1.0, 2.0], [3.0, 4.0]]
    assert t[1][0].numpy() == 3.0 and t[1, 1].numpy() == 4.0
    assert list(range(constant(3.0))) == [0, 1, 2]  # __index__ for integral values
    with pytest.raises(TypeError):
        range(constant(2.5))


# --- GradientTape -----------------------------------------------------------------------------
def test_watch_and_gradient():
    x = constant(3.0)
    with GradientTape() as tape:
        tape.watch(x)
        y = x * x + np.sin(x)
    dy = tape.gradient(y, x)
    assert isinstance(dy, Tensor)
    assert dy.numpy() == pytest.approx(6.0 + np.cos(3.0))


def test_unwatched_tensors_are_not_tracked():
    x = constant(3.0)
    with GradientTape() as tape:
        y = x * x
    assert tape.gradient(y, x) is None


def test_non_persistent_tape_allows_one_gradient_call():
    x = constant(2.0)
    with GradientTape() as tape:
        tape.watch(x)
        y = x * x
    assert tape.gradient(y, x).numpy() == 4.0
    with pytest.raises(RuntimeError, match="persistent"):
        tape.gradient(y, x)


def test_persistent_tape_and_intermediate_values():
    x = ones((2, 2))
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = np.sum(x)
        z = y * y
    assert tape.gradient(z, y).numpy() == 8.0
    assert tape.gradient(z, x).numpy().tolist() == [[8.0, 8.0], [8.0, 8.0]]
    assert tape.gradient(y, x).numpy().tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert tape.gradient(z, z).numpy() == 1.0


def test_gradient_structure_follows_sources():
    x, y = constant(1.0), constant(2.0)
    with GradientTape(persistent=True) as tape:
        tape.watch([x, y])
        z = x * y
    dx, dy = tape.gradient(z, [x, y])
    assert (dx.numpy(), dy.numpy()) == (2.0, 1.0)
    result = tape.gradient(z, (x, [y, x]))
    assert isinstance(result, tuple) and isinstance(result[1], list)
    assert [float(result[0]), float(result[1][0]), float(result[1][1])] == [2.0, 1.0, 2.0]


def test_unconnected_gradients():
    x, y = constant(1.0), constant([1.0, 2.0])
    with GradientTape(persistent=True) as tape:
        tape.watch([x, y])
        z = x * 2.0
    assert tape.gradient(z, [x, y])[1] is None
    zero = tape.gradient(z, [x, y], unconnected_gradients="zero")[1]
    assert isinstance(zero, Tensor) and zero.numpy().tolist() == [0.0, 0.0]
    with pytest.raises(ValueError):
        tape.gradient(z, x, unconnected_gradients="zeros")


def test_gradient_with_respect_to_an_intermediate_does_not_flow_past_it():
    x = constant(2.0)
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * 3.0
    assert tape.gradient(z, y).numpy() == 3.0
    assert [float(g) for g in tape.gradient(z, [y, x])] == [3.0, 12.0]


def test_non_scalar_target_is_summed_and_output_gradients_weight_it():
    x = constant([1.0, 2.0, 3.0])
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
    assert tape.gradient(y, x).numpy().tolist() == [2.0, 4.0, 6.0]
    w = np.array([1.0, 0.0, -1.0])
    assert tape.gradient(y, x, output_gradients=w).numpy().tolist() == [2.0, 0.0, -6.0]
    assert tape.gradient([y, np.sum(x)], x).numpy().tolist() == [2.0, 4.0, 6.0]  # not recorded: sum after exit
    with tape:
        s = np.sum(x)
    assert tape.gradient([y, s], x).numpy().tolist() == [3.0, 5.0, 7.0]


def test_same_tensor_used_twice():
    x = constant(3.0)
    with GradientTape() as tape:
        tape.watch(x)
        y = x * x * x
    assert tape.gradient(y, x).numpy() == 27.0


def test_variables_are_watched_automatically():
    v = Variable([1.0, 2.0])
    frozen = Variable(3.0, trainable=False)
    with GradientTape(persistent=True) as tape:
        y = np.sum(v * v) * frozen
    assert tape.gradient(y, v).numpy().tolist() == [6.0, 12.0]
    assert tape.gradient(y, frozen) is None
    assert tape.watched_variables() == (v,)
    with GradientTape(watch_accessed_variables=False) as tape:
        y = v * v
    assert tape.gradient(y, v) is None


def test_stop_recording():
    x = constant(2.0)
    with GradientTape() as tape:
        tape.watch(x)
        y = x * x
        with tape.stop_recording():
            z = y * x  # not recorded
        w = z + y
    assert tape.gradient(w, x).numpy() == 4.0  # only through y
    with pytest.raises(RuntimeError):
        with tape.stop_recording():
            pass


def test_reset_forgets_the_recording():
    x = constant(2.0)
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        tape.reset()
        tape.watch(x)
        z = x * 5.0
    assert tape.gradient(y, x) is None
    assert tape.gradient(z, x).numpy() == 5.0


def test_gradient_inside_the_tape_context_is_not_recorded_on_itself():
    x = constant(2.0)
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x * x
        dy = tape.gradient(y, x)
        n = len(tape._records)
    assert len(tape._records) == n == 2
    assert dy.numpy() == 12.0


def test_nested_tapes_second_and_third_derivatives():
    x = constant(1.0)
    with GradientTape() as t1:
        with GradientTape() as t2:
            with GradientTape() as t3:
                t3.watch(x)  # the outer tapes track x too
                y = x * x * x * x
            d1 = t3.gradient(y, x)
        d2 = t2.gradient(d1, x)
    d3 = t1.gradient(d2, x)
    assert (d1.numpy(), d2.numpy(), d3.numpy()) == (4.0, 12.0, 24.0)


def test_watch_on_the_outer_tape_only_does_not_leak_inward():
    x = constant(1.0)
    with GradientTape() as outer:
        with GradientTape() as inner:
            outer.watch(x)
            y = x * x
        assert inner.gradient(y, x) is None
    assert outer.gradient(y, x).numpy() == 2.0


def test_watch_rejects_non_tensors():
    with GradientTape() as tape:
        with pytest.raises(TypeError, match="constant"):
            tape.watch(1.0)


def test_jacobian():
    x = constant([1.0, 2.0, 3.0])
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = np.stack([x[0] * x[1], np.sin(x[2]), x[0] ** 2])
    jac = tape.jacobian(y, x)
    expected = [[2.0, 1.0, 0.0], [0.0, 0.0, np.cos(3.0)], [2.0, 0.0, 0.0]]
    assert isinstance(jac, Tensor) and jac.shape == (3, 3)
    assert np.allclose(jac.numpy(), expected)
    a = constant(np.arange(6.0).reshape(2, 3))
    with GradientTape() as tape:
        tape.watch(a)
        b = a * 2.0
    jac = tape.jacobian(b, [a, x], unconnected_gradients="zero")
    assert jac[0].shape == (2, 3, 2, 3) and np.allclose(jac[0].numpy().reshape(6, 6), 2 * np.eye(6))
    assert jac[1].shape == (2, 3, 3) and not jac[1].numpy().any()


def test_jacobian_of_a_gradient_is_the_hessian():
    x = constant([1.0, 2.0])
    with GradientTape() as outer:
        outer.watch(x)
        with GradientTape() as inner:
            inner.watch(x)
            f = x[0] ** 2 * x[1] + np.sin(x[1])
        g = inner.gradient(f, x)
    hessian = outer.jacobian(g, x)
    assert np.allclose(hessian.numpy(), [[2 * 2.0, 2 * 1.0], [2 * 1.0, -np.sin(2.0)]])


def test_tapes_are_per_thread():
    """A tape never records another thread's operations, even on the Tensors it watches."""
    x = constant(2.0)
    ready, done = threading.Barrier(2), threading.Event()
    other: dict = {}

    def worker():
        ready.wait()
        y = x
        for _ in range(200):
            y = y * 1.5 + x
        other["y"] = y
        done.set()

    thread = threading.Thread(target=worker)
    thread.start()
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        ready.wait()  # the worker computes on x while this tape is recording
        z = x
        for _ in range(200):
            z = z * 3.0
        done.wait()
    thread.join()
    assert len(tape._records) == 200
    assert tape.gradient(other["y"], x) is None
    assert tape.gradient(z, x).numpy() == pytest.approx(3.0 ** 200)


def test_each_thread_has_its_own_tape_stack():
    results = {}

    def worker(k):
        x = constant(float(k))
        with GradientTape() as tape:
            tape.watch(x)
            y = x
            for _ in range(50):
                y = y * x / x
            y = y * x
        results[k] = float(tape.gradient(y, x))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {k: 2.0 * k for k in range(1, 5)}


def test_top_level_exports():
    for name in ("Tensor", "GradientTape", "constant", "ones", "zeros", "Variable",
                 "gradients_function", "FallbackWarning"):
        assert getattr(srcgrad, name) is getattr(srcgrad.eager, name)
    assert issubclass(srcgrad.FallbackWarning, UserWarning)


def test_round_is_plain():
    assert round(constant(2.6)) == 3 and round(constant(2.56), 1) == 2.6
