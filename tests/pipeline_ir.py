"""Small IR for the direct tests of the pipeline's stages: source text -> the lowered, typed
ir.Function the analyses and transforms receive (front end, lowering and type inference only)."""

from __future__ import annotations

from srcgrad import ir
from srcgrad.analysis.types import infer
from srcgrad.frontend.parse import FunctionReader, read_module
from srcgrad.transform.lower import Names, lower, split_whole_array_expressions, user_names


def lowered(source: str, name: str = "f"):
    """(function, result variable, names, module facts) for function `name` of source."""
    facts = read_module(source, "small.py")
    function = FunctionReader(facts, facts.functions[name]).read()
    names = Names(user_names(function) | facts.constant_names() | set(facts.functions) | {"tape"})
    result = lower(function, names)
    infer(function, result, {}, facts.constants)
    split_whole_array_expressions(function, names, {})
    return function, result, names, facts


def assignments(function: ir.Function, target: str) -> list:
    return [s for s in ir.walk(function.body) if isinstance(s, ir.Assign) and s.target == target]
