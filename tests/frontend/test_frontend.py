"""Front end: parsing, name resolution, the subset check and its diagnostics."""

from __future__ import annotations

import pytest

from srcgrad import ir
from srcgrad.diagnostics import SourceError, Unsupported
from srcgrad.frontend.parse import FunctionReader, read_module
from srcgrad.generate import generate


def read(source: str, name: str):
    facts = read_module(source, "m.py")
    return FunctionReader(facts, facts.functions[name]).read()


def test_syntax_error_position_comes_from_python():
    source = "import math\n\n\ndef f(x):\n    return (x +\n"
    with pytest.raises(SourceError) as err:
        generate(source, "m.py")
    diagnostic = err.value.diagnostic
    assert (diagnostic.filename, diagnostic.line, diagnostic.severity) == ("m.py", 5, "error")
    assert diagnostic.format().startswith("m.py:5:")
    assert "syntax error" in diagnostic.message


def test_tokenizer_error_is_not_reported_on_line_one():
    source = "def f(x):\n    y = x\n    return y $ 2\n"
    with pytest.raises(SourceError) as err:
        generate(source, "m.py")
    assert err.value.diagnostic.line == 3


def test_undefined_name_is_an_error_with_position():
    with pytest.raises(SourceError) as err:
        generate("def f(x):\n    return x * undefined_thing\n", "m.py")
    assert err.value.diagnostic.format() == "m.py:2:16: error: name 'undefined_thing' is not defined"


def test_imports_and_aliases_resolve_without_importing():
    source = (
        "import math\nimport numpy as np\nfrom math import sin as s, pi\nfrom numpy import exp\n"
        "RATE = 2 * pi\n\n"
        "def f(x):\n    return s(x) + np.cos(x) + math.tan(x) + exp(x) + RATE + math.e\n"
    )
    function = read(source, "f")
    value = function.body[0].value
    calls = sorted(c.func for c in _walk(value) if isinstance(c, ir.Call))
    assert calls == ["cos", "exp", "sin", "tan"]
    facts = read_module(source, "m.py")
    assert facts.constants["RATE"] == pytest.approx(2 * 3.141592653589793)


def _walk(e):
    yield e
    for c in ir.children(e):
        yield from _walk(c)


@pytest.mark.parametrize("body,construct", [
    ("    return [x]\n", "a list"),
    ("    g = lambda y: y\n    return x\n", "lambda"),
    ("    print(x)\n    return x\n", "a print call"),
    ("    for v in {1, 2}:\n        x = x + v\n    return x\n", "a for loop over something other than range"),
    ("    try:\n        x = 1 / x\n    except ZeroDivisionError:\n        x = 0.0\n    return x\n", "try"),
    ("    global G\n    return x\n", "global"),
    ("    while x < 1:\n        x = x * 2\n    else:\n        x = 0.0\n    return x\n", "while ... else"),
    ("    return x if x else 'no'\n", "a string"),
])
def test_unsupported_constructs_are_named(body, construct):
    with pytest.raises(Unsupported) as err:
        read("def f(x):\n" + body, "f")
    assert construct in err.value.construct
    assert err.value.line >= 2


def test_unsupported_function_falls_back_with_a_warning_naming_line_and_column():
    source = "def f(x):\n    y = {0: x, 1: x}\n    return y[0]\n\n\ndef g(x):\n    return x * 2.0\n"
    generated = generate(source, "m.py")
    assert [d.format() for d in generated.diagnostics] == [
        "m.py:2:9: warning: f: a dict is not supported by the compiler; grad_f uses the eager tape"]
    assert {r.name: r.compiled for r in generated.reports} == {"f": False, "g": True}


def test_caller_of_an_unsupported_function_falls_back_too():
    source = "def f(x):\n    return [x][0]\n\n\ndef g(x):\n    return f(x) * 2.0\n"
    generated = generate(source, "m.py")
    assert {r.name: r.compiled for r in generated.reports} == {"f": False, "g": False}
    assert "a call of 'f'" in generated.diagnostics[1].message


def test_recursion_falls_back():
    source = "def f(x, n: int):\n    if n == 0:\n        return x\n    return f(x * x, n - 1)\n"
    generated = generate(source, "m.py")
    assert generated.reports[0].compiled is False
    assert "recursive" in generated.diagnostics[0].message


def test_generated_name_collision_is_an_error():
    with pytest.raises(SourceError) as err:
        generate("def f(x):\n    return x\n\n\ndef grad_f(x):\n    return 1.0\n", "m.py")
    assert "grad_f" in err.value.diagnostic.message and err.value.diagnostic.line == 5


def test_user_names_that_look_like_adjoints_do_not_collide():
    source = "def f(x, b_x):\n    b_tmp = x * b_x\n    result = b_tmp * x\n    tape = result + 1.0\n    return tape * x\n"
    generated = generate(source, "m.py", pure=True)
    namespace = {}
    exec(generated.text, namespace)
    x, b_x = 1.5, 0.7
    gx, gb = namespace["grad_f"](x, b_x)  # f = (x^2 b + 1) x = x^3 b + x
    assert gx == pytest.approx(3 * x * x * b_x + 1.0)
    assert gb == pytest.approx(x ** 3)


def test_strings_and_docstrings_cannot_inject_code():
    source = ('def f(x):\n    """A docstring with \\"\\"\\" quotes, a backslash \\\\ and\n    a newline."""\n'
              '    return x * 2.0  # a comment """ with quotes\n')
    generated = generate(source, "m.py", pure=True)
    namespace = {}
    exec(generated.text, namespace)
    assert namespace["grad_f"](3.0) == 2.0


def test_the_builder_never_runs_the_file(tmp_path):
    marker = tmp_path / "marker.txt"
    marker.write_text("still here")
    source = (f"import os\nos.remove({str(marker)!r})\nraise SystemExit('top level ran')\n\n"
              "def f(x):\n    return x * x\n")
    generated = generate(source, "m.py")
    assert marker.read_text() == "still here"
    assert "os.remove" not in generated.text
