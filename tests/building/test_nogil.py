"""Compiled code runs without the GIL between the argument checks and the packing of results
(issue 14.3): the generated wrappers call the compiled functions inside `with nogil:`, two Python
threads computing gradients of independent inputs at once get exactly the serial results, and an
error raised inside such code (an index out of range) is still the same IndexError.

Thread speed-ups are measured in benchmarks/threads.py, never asserted here.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from tests import fuzzing
from tests.support import PROGRAMS, assert_close, central_differences

SOURCE = (PROGRAMS / "threaded_loops.py").read_text() + """


def energy_after(k, c, x0, v0, dt, steps: int):
    x = x0
    v = v0
    acc = 0.0
    for step in range(steps):  # srcgrad: checkpoint 4K
        a = -k * x - c * v - 0.1 * x ** 3
        acc += x * x * dt
        x = x + dt * v
        v = v + dt * a
    return x * x + v * v + acc


def term(a, xi):
    return a * math.sin(xi) * xi


def summed(a, x: np.ndarray):
    total = 0.0
    for i in range(len(x)):
        total += term(a, x[i])
    return total
"""

# (function, arguments for one call, positions of the differentiable arguments)
RNG = np.random.default_rng(14)
CASES = {
    "rosen": lambda r: ((r.uniform(-1.5, 1.5, 40),), [0]),
    "smooth": lambda r: ((r.uniform(-1.0, 1.0, 12), r.uniform(0.05, 0.3), 7), [0, 1]),
    "energy_after": lambda r: ((r.uniform(0.5, 2.0), r.uniform(0.0, 0.3), r.uniform(-1.0, 1.0),
                                r.uniform(-1.0, 1.0), 0.01, 300), [0, 1, 2, 3, 4]),
    "summed": lambda r: ((r.uniform(0.5, 2.0), r.uniform(-2.0, 2.0, 25)), [0, 1]),
}


@pytest.fixture(scope="module")
def builds():
    generated, compiled = fuzzing.compiled_build(SOURCE, "threads_model.py")
    _, pure = fuzzing.pure_build(SOURCE, "threads_model.py")
    return generated, compiled, pure


def _wrapper(text: str, name: str) -> str:
    """Entry name's def; compiled, value_and_vjp_, jvp_ and hvp_ are Python functions that bind the
    arguments of a cdef function (emit/entries.py): that function, which calls the kernel."""
    head = f"\ndef {name}("
    for prefix, cores in (("value_and_vjp_", ("value_and_vjp", "vjp_entry")), ("jvp_", ("jvp_entry",)),
                          ("hvp_", ("hvp_entry",))):
        for core in cores if name.startswith(prefix) else ():
            if f"\ncdef object _{name[len(prefix):]}_{core}(" in text:
                head = f"\ncdef object _{name[len(prefix):]}_{core}("
    start = text.index(head)
    end = text.find("\n\n\n", start)
    return text[start:end]


@pytest.mark.parametrize("name", ["rosen", "smooth", "energy_after", "summed", "pick"])
def test_compiled_calls_of_the_wrappers_run_without_the_gil(builds, name):
    generated, _, _ = builds
    text = generated.text
    kernels = {"": f"_{name}_primal(", "value_and_vjp_": f"_{name}_adjoint(", "jvp_": f"_{name}_jvp(",
               "hvp_": f"_{name}_hvp("}
    for prefix, kernel in kernels.items():
        wrapper = _wrapper(text, prefix + name)
        lines = wrapper.splitlines()
        calls = [k for k, line in enumerate(lines) if kernel in line]
        assert calls, f"{prefix}{name} does not call {kernel}"
        for k in calls:  # the line before the call opens the block, at one indent less
            assert lines[k - 1].strip() == "with nogil:", f"{prefix}{name}: {lines[k - 1]!r} before {lines[k]!r}"
            indent = len(lines[k]) - len(lines[k].lstrip())
            assert len(lines[k - 1]) - len(lines[k - 1].lstrip()) == indent - 4
    # and the compiled functions themselves are declared to run without it
    for kernel in kernels.values():
        header = next(line for line in text.splitlines() if line.startswith("cdef ") and kernel in line)
        assert header.endswith("nogil:"), header
    # raising (a bounds check) and allocating take the GIL back for that statement alone
    for raised in re.finditer(r"\n( +)raise IndexError", text):
        before = text[:raised.start()].rsplit("\n", 1)[1]
        assert before.strip() == "with gil:" and len(before) - len(before.lstrip()) == len(raised[1]) - 4


def test_straight_line_functions_of_numbers_keep_the_gil_in_their_wrappers(builds):
    """Releasing the GIL costs about what such a call takes in all: term's wrappers call its
    (nogil) adjoint directly."""
    generated, compiled, pure = builds
    assert "with nogil" not in _wrapper(generated.text, "grad_term")
    assert "noexcept nogil" in next(line for line in generated.text.splitlines() if "cdef" in line and "_term_adjoint(" in line)
    a, xi = 1.3, 0.4
    assert compiled.grad_term(a, xi) == pure.grad_term(a, xi)
    assert_close(compiled.grad_term(a, xi), central_differences(pure.term, (a, xi), [0, 1]), 1e-6, 1e-8, "grad_term")


def _all_derivatives(module, name: str, args: tuple):
    value, gradient = getattr(module, f"value_and_grad_{name}")(*args)
    tangent = tuple(np.ones_like(a) if isinstance(a, np.ndarray) else 0.5 for a in args if not isinstance(a, int))
    tangent = tangent[0] if len(tangent) == 1 else tangent
    return (getattr(module, name)(*args), value, gradient, getattr(module, f"jvp_{name}")(*args, tangent),
            getattr(module, f"hvp_{name}")(*args, tangent))


@pytest.mark.parametrize("name", sorted(CASES))
def test_two_threads_get_the_serial_results(builds, name):
    """Eight independent inputs, computed by two threads at once, give bit for bit what one
    thread gives; the gradients agree with the --pure build and with central differences."""
    _, compiled, pure = builds
    inputs = [CASES[name](np.random.default_rng(seed)) for seed in range(8)]
    serial = [_all_derivatives(compiled, name, args) for args, _ in inputs]
    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in range(3):  # a few rounds, so the threads overlap
            threaded = list(pool.map(lambda case: _all_derivatives(compiled, name, case[0]), inputs))
            for one, other in zip(serial, threaded):
                for a, b in zip(one, other):
                    assert_close(b, a, 0.0, 0.0, f"{name} in a thread")
    for (args, positions), results in zip(inputs[:3], serial[:3]):
        expected = pure.grad_rosen(*args) if name == "rosen" else getattr(pure, f"grad_{name}")(*args)
        assert_close(results[2], expected, 1e-12, 1e-12, f"grad_{name} against --pure")
        differences = central_differences(getattr(pure, name), args, positions)
        assert_close(results[2], differences[0] if len(positions) == 1 else differences, 1e-5, 1e-6,
                     f"grad_{name} against central differences")


@pytest.mark.parametrize("entry", ["", "grad_", "value_and_grad_", "jvp_", "hvp_"])
def test_an_index_out_of_range_raises_the_same_index_error(builds, entry):
    """pick(x, k) reads x[k]: out of range, the check inside the nogil code raises, in the caller's
    thread and in another, the IndexError the --pure build raises, message included."""
    _, compiled, pure = builds
    x = np.array([1.0, 2.0, 3.0])
    extra = {"jvp_": (np.ones(3),), "hvp_": (np.ones(3),)}.get(entry, ())
    with pytest.raises(IndexError) as expected:
        getattr(pure, entry + "pick")(x, 5, *extra)
    assert "index out of range for array 'x'" in str(expected.value)
    with pytest.raises(IndexError) as raised:
        getattr(compiled, entry + "pick")(x, 5, *extra)
    assert str(raised.value) == str(expected.value)
    with ThreadPoolExecutor(max_workers=2) as pool:
        failing = pool.submit(getattr(compiled, entry + "pick"), x, 7, *extra)
        working = pool.submit(getattr(compiled, entry + "pick"), x, 2, *extra)
        with pytest.raises(IndexError) as in_thread:
            failing.result()
        assert str(in_thread.value) == str(expected.value)
        assert_close(working.result(), getattr(pure, entry + "pick")(x, 2, *extra), 0.0, 0.0, entry + "pick")
    # in range, the value and gradient are exact: x[2] * x[0]
    assert compiled.pick(x, 2) == 3.0
    assert_close(compiled.grad_pick(x, 2), np.array([3.0, 0.0, 1.0]), 0.0, 0.0, "grad_pick")


def test_memory_running_out_inside_nogil_code_raises_memory_error(builds, tmp_path):
    """Under a memory limit: smooth's copy of its input (allocated inside the nogil code, with the
    GIL taken back) raises NumPy's MemoryError, and a tape that cannot grow raises the wrapper's
    MemoryError naming the function; the module keeps working after both. (The tape is small: each
    push after a failed growth tries to grow it again, some 40 µs under such a limit.)"""
    if not sys.platform.startswith("linux"):
        pytest.skip("needs /proc and RLIMIT_AS (Linux)")
    generated, compiled, pure = builds
    script = tmp_path / "limited.py"
    script.write_text(f"""
import importlib.util, re, resource
import numpy as np
spec = importlib.util.spec_from_file_location({generated.module_name!r}, {compiled.__file__!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
big = np.zeros(40 * 2 ** 20)  # 320 MB of address space, reserved before the limit
size = int(re.search(r"VmSize:\\s+(\\d+)", open("/proc/self/status").read())[1]) * 1024
resource.setrlimit(resource.RLIMIT_AS, (size + 2 ** 18, resource.RLIM_INFINITY))
for call in (lambda: module.smooth(big, 0.1, 1), lambda: module.grad_smooth(np.full(1000, 0.5), 0.1, 40)):
    try:
        call()
        print("no error")
    except MemoryError as error:
        print("MemoryError:", error)
gradient = module.grad_smooth(np.full(4, 0.5), 0.1, 2)
print(repr((gradient[0].tolist(), gradient[1])))
""")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("MemoryError")
    assert lines[1] == "MemoryError: the tape of smooth could not grow"
    gradient = eval(lines[2])
    gradient = (np.array(gradient[0]), gradient[1])
    assert_close(gradient, pure.grad_smooth(np.full(4, 0.5), 0.1, 2), 1e-12, 1e-14, "grad_smooth after")


RAISING_HELPER = """\
import numpy as np


def helper(a, b):
    if a > 0.0:
        y = a * b
    return y * 2.0


def caller(x: np.ndarray, b):
    t = 0.0
    for i in range(len(x)):
        t += helper(x[i], b)
    return t
"""


def test_a_loop_calling_a_helper_that_can_raise_keeps_the_gil():
    """helper can raise (y may be unassigned): its adjoint returns a C tuple, whose errors Cython
    checks after every call, taking the GIL each time if it were released. caller, which calls it
    in a loop, keeps the GIL (its wrappers call it directly); helper itself runs without it. The
    gradient is right and the error still raised."""
    generated, compiled = fuzzing.compiled_build(RAISING_HELPER, "raising_helper.py")
    _, pure = fuzzing.pure_build(RAISING_HELPER, "raising_helper.py")
    headers = {re.search(r"(_\w+)\(", line)[1]: line for line in generated.text.splitlines()
               if line.startswith("cdef ") and "(" in line}  # functions, not the module's table of entries
    assert headers["_helper_adjoint"].endswith("except * nogil:")
    assert headers["_caller_adjoint"].endswith("except *:") and "with nogil" not in _wrapper(generated.text,
                                                                                               "value_and_vjp_caller")
    x, b = np.array([0.3, 1.2, 0.7]), 0.4
    gradient = compiled.grad_caller(x, b)
    assert_close(gradient, pure.grad_caller(x, b), 1e-12, 1e-12, "grad_caller against --pure")
    original = fuzzing.run_source(RAISING_HELPER, "caller")
    assert_close(gradient, central_differences(original, (x, b), [0, 1]), 1e-6, 1e-8, "grad_caller")
    with pytest.raises(UnboundLocalError) as raised:
        compiled.grad_caller(np.array([0.3, -1.0]), b)
    with pytest.raises(UnboundLocalError) as expected:
        pure.grad_caller(np.array([0.3, -1.0]), b)
    assert str(raised.value) == str(expected.value)
