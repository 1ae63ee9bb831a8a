"""Direct tests of emit.printer on small generated IR: how each output spells an expression, and
how generated statements are laid out."""

from srcgrad import ir
from srcgrad.emit.printer import CYTHON_DIRECTIVES, CYTHON_HEADER, ExpressionPrinter, Printer

TYPES = {"x": ir.DOUBLE, "y": ir.DOUBLE, "i": ir.INT, "j": ir.INT, "v": "array1"}


def printer(pure: bool) -> ExpressionPrinter:
    return ExpressionPrinter(pure, lambda e: TYPES.get(e.id) if isinstance(e, ir.Name) else
                             (ir.DOUBLE if isinstance(e, (ir.Index, ir.Call)) else None))


def test_integer_division_follows_python_in_cython_and_stays_python_in_pure():
    e = ir.BinOp("//", ir.Name("i"), ir.Name("j"))
    assert printer(True)(e) == "i // j"
    cython = printer(False)
    assert cython(e) == "_scalar.floordiv_int(i, j)"
    assert "floordiv_int" in cython.used


def test_a_cube_is_a_runtime_call_in_cython_only():
    e = ir.BinOp("**", ir.Name("x"), ir.Const(3.0))
    assert printer(False)(e) == "_scalar.cube(x)"
    assert printer(True)(e) == "x ** 3.0"


def test_true_division_of_integers_is_cast_in_cython():
    e = ir.BinOp("/", ir.Name("i"), ir.Name("j"))
    assert printer(False)(e) == "<double>i / j"
    assert printer(True)(e) == "i / j"


def test_precedence_adds_only_the_parentheses_needed():
    x, y = ir.Name("x"), ir.Name("y")
    assert printer(True)(ir.BinOp("*", ir.BinOp("+", x, y), ir.BinOp("-", x, y))) == "(x + y) * (x - y)"
    assert printer(True)(ir.BinOp("-", x, ir.BinOp("-", y, x))) == "x - (y - x)"
    assert printer(True)(ir.Unary("-", ir.BinOp("**", x, y))) == "-x ** y"
    assert printer(True)(ir.IfExp(ir.Compare(">", x, y), x, y)) == "x if x > y else y"


def test_math_functions_come_from_the_private_math_alias():
    e = ir.Call("sin", (ir.Index("v", (ir.Name("i"),)),))
    for pure in (False, True):
        p = printer(pure)
        assert p(e) == "_math.sin(v[i])"
        assert p.used == {"sin"}
    assert printer(True)(ir.Const(float("inf"))) == "_math.INFINITY"
    assert printer(True)(ir.Const(-float("inf"))) == "-_math.INFINITY"


def test_statements_are_laid_out_with_comments_and_tape_calls():
    out = Printer(pure=True)
    body = [
        ir.GComment("forward sweep"),
        ir.GFor("i", (ir.Name("n"),), [
            ir.GCall("push_double", (ir.TAPE, ir.Name("x")), "x is overwritten at line 4"),
            ir.GAssign("x", ir.Name("x") * ir.Name("y"), comment="line 4"),
        ], "line 3"),
        ir.GIf(ir.Compare("<", ir.Name("x"), ir.Const(0.0)), [ir.GRaise("ValueError", "negative")]),
        ir.GAssign("b_y", ir.Name("b_x") * ir.Name("x"), "+="),
        ir.GCall("return", (ir.Name("x"), ir.Name("b_y"))),
    ]
    out.emit_block(body, 1, printer(True))
    assert out.lines == [
        "    # forward sweep",
        "    for i in range(n):  # line 3",
        "        _tape.push_double(tape, x)  # x is overwritten at line 4",
        "        x = x * y  # line 4",
        "    if x < 0.0:",
        "        raise ValueError('negative')",
        "    b_y += b_x * x",
        "    return x, b_y",
    ]


def test_the_cython_header_is_the_build_directives():
    assert CYTHON_HEADER.startswith("# cython: language_level=3, boundscheck=False")
    assert all(f"{key}={value}" in CYTHON_HEADER for key, value in CYTHON_DIRECTIVES.items())
