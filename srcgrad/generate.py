"""The compiler's entry point and pipeline driver: source text in, generated module text out.

generate(source, filename, pure=False, only=None) -> GeneratedModule

parse (frontend) -> lower (transform.lower) -> analyse (analysis.types; activity, recording and
bounds inside reverse mode) -> reverse mode (transform.reverse) -> forward mode on its output
(transform.jvp) -> print (emit). Functions are compiled callees first, so a caller knows each
callee's signature. A function outside the subset (or calling one) keeps its original source in
the generated module and is differentiated by the eager tape.

It never imports or executes the source. Source problems raise SourceError; functions outside
the compiled subset are still emitted (their gradients use the eager tape) and reported as
warnings in GeneratedModule.diagnostics.
"""

from __future__ import annotations

import copy
import os

from . import ir
from .analysis.ranks import guessed_dimensions
from .analysis.types import check_call_arguments, infer
from .diagnostics import Diagnostic, SourceError, Unsupported, WrtError, fallback_warning
from .emit.module import ModuleEmitter
from .emit.stubs import module_stub
from .emit.wrappers import NO_DEFAULT
from .frontend import parse
from .frontend.names import ARRAY
from .frontend.loop_reductions import outlined_source
from .frontend.parse import read_module
from .generated import FunctionReport, GeneratedModule  # noqa: F401  (part of this module's interface)
from .transform.fast_loops import merge_elementwise_chains
from .transform.in_place import reuse_array_memory
from .transform.accumulate import accumulate_adjoints
from .transform.release import release_dead_arrays
from .transform.uniform_adjoints import keep_uniform_adjoints
from .transform.whole_views import view_unwritten_arrays
from .transform.write_once import overwrite_whole_adjoints
from .transform.inline import inline_array_calls
from .transform.inline_helpers import inline_indexing_helpers
from .transform.jvp import forward_functions
from .transform.lower import Names, lower, split_whole_array_expressions, user_names
from .transform.rebinding import rename_rebindings
from .transform.reverse import ReverseMode, Signature, point_calls_at_primals


GENERATED_PREFIXES = ("grad_", "value_and_grad_", "value_and_vjp_", "vjp_", "jvp_", "hvp_", "hessian_",
                      "third_derivative_")
# the one bare name generated code uses besides the user's (runtime helpers are behind private
# module aliases: _math, _scalar, _vector, _arrays, _tape, _fallback, _mathlib)
RESERVED_NAMES = frozenset({"np"})


def module_name_for(filename: str) -> str:
    stem = os.path.splitext(os.path.basename(filename))[0]
    return f"{stem}_grad"


def generate(source: str, filename: str, *, pure: bool = False, only: list[str] | None = None,
             third_order: bool = False, wrt=None, tape_limit: int | None = None,
             batch: bool = False, fast_math: bool = False) -> GeneratedModule:
    """The generated module of source (options: _generate's). A function that falls back with
    whole-array reductions in its loops is read again with each one a call of a module function
    of its own (frontend.loop_reductions), where that makes it compile."""
    options = dict(pure=pure, only=only, third_order=third_order, wrt=wrt, tape_limit=tape_limit,
                   batch=batch, fast_math=fast_math)
    generated, fallbacks = _generate(source, filename, **options)
    retried = set(fallbacks)
    while retried:
        outlined = outlined_source(source, read_module(source, filename), retried)
        if outlined is None:
            break
        again, fallbacks_again = _generate(outlined, filename, **options)
        compiled = {name for name in retried if name not in fallbacks_again}
        if compiled == retried:
            return again
        retried = compiled  # read again with only those outlined whose outlining compiles
    return generated


def _generate(source: str, filename: str, *, pure: bool = False, only: list[str] | None = None,
              third_order: bool = False, wrt=None, tape_limit: int | None = None,
              batch: bool = False, fast_math: bool = False) -> tuple:
    """(the GeneratedModule, name -> why it falls back).
    third_order adds, per function, forward mode over jvp and hvp (used by nested srcgrad.grad);
    batch adds grad_NAME_batched where it can (emit/batch.py: `srcgrad build --batch`).
    wrt maps function names to the parameters their derivatives are taken with respect to (a
    dict, or pairs (name, params)); the other parameters are constants (see _specialised).
    fast_math (`build --fast-math`): elementwise array expressions as loops (emit/loops.py)."""
    facts = read_module(source, filename)
    _check_collisions(facts, filename)
    selected = list(facts.functions)
    if only:
        missing = [n for n in only if n not in facts.functions]
        if missing:
            raise SourceError(Diagnostic(filename, 1, 1, "error", f"no top-level function named '{missing[0]}'"))
        selected = _with_callees(facts, only)
    wrt = _checked_wrt(facts, selected, wrt, filename)
    codes, fallbacks, specialised, on_arrays = _compile_functions(facts, selected, wrt, tape_limit)
    # array versions are functions too: callers passing arrays call them (transform.inline)
    codes = {**codes, **{code.signature.name: code for code in on_arrays.values()}}
    forward = {name: forward_functions(code, codes, third_order) for name, code in codes.items()}
    special_forward = {name: forward_functions(code, codes, third_order) for name, code in specialised.items()}
    arrays_forward = {name: forward[code.signature.name] for name, code in on_arrays.items()}
    primal_of = {name: code.signature.primal for name, code in codes.items()}
    for every_code, every_forward in ((codes, forward), (specialised, special_forward)):
        for name, code in every_code.items():  # calls in generated code call the generated primals
            _point_calls_at_primals(code, every_forward[name], primal_of)
    _reuse_array_memory([*codes.values(), *specialised.values(), *on_arrays.values()], fast_math and not pure)

    diagnostics = [fallback_warning(filename, name, fallbacks[name])
                   for name in selected if name in fallbacks and not name.startswith("_")]
    if not only:
        diagnostics += _method_warnings(source, filename)
    # tape_limit (bytes): loops it cannot checkpoint (transform.checkpoint) are named in warnings
    diagnostics += [Diagnostic(filename, line, column, "warning", f"{name}: {message}")
                    for name in selected if name in codes and not name.startswith("_")
                    for line, column, message in codes[name].notes]
    interfaces = {name: [(NO_DEFAULT if default is parse.NO_DEFAULT else default, keyword_only)
                         for default, keyword_only in parse.parameter_defaults(facts.functions[name], facts)]
                  for name in codes if name in facts.functions}
    interfaces.update({code.signature.name: interfaces[name] for name, code in on_arrays.items()})
    fallback_params = {name: _fallback_parameters(facts.functions[name], wrt.get(name)) for name in fallbacks}
    guessed = _guessed_dimensions(facts, codes)
    emitter = ModuleEmitter(facts, os.path.basename(filename), module_name_for(filename), pure, interfaces,
                            fallback_params, batch, guessed, fast_math=fast_math)
    text, sources = emitter.emit(selected, codes, forward, fallbacks,
                                 {name: (code, special_forward[name]) for name, code in specialised.items()},
                                 {name: (code, arrays_forward[name]) for name, code in on_arrays.items()})
    if batch:  # `build --batch`: the functions it leaves without grad_NAME_batched, and why
        diagnostics += [Diagnostic(filename, facts.functions[name].line, facts.functions[name].column, "warning",
                                   f"{name}: no grad_{name}_batched (--batch takes compiled functions of numbers and "
                                   "1-D float arrays that return a number and run without the GIL)")
                        for name in selected if not name.startswith("_") and name not in emitter.batched
                        and name not in fallbacks and (specialised.get(name) or codes[name]).signature.differentiable]
    reports = [_report(facts, name, specialised.get(name) or codes.get(name), wrt.get(name))
               for name in selected if not name.startswith("_")]
    stub = module_stub(source, filename, text, reports)
    return GeneratedModule(module_name_for(filename), ".py" if pure else ".pyx", text, sources,
                           diagnostics, reports, stub), fallbacks


def _guessed_dimensions(facts, codes: dict) -> dict:
    """Public function name -> its array parameters compiled with more dimensions than its element
    reads and slices name: guessed (an operand of `@`, a row read X[i]), so an argument of other
    dimensions goes to the eager tape (emit.wrappers); each with the type its entries check (a
    number for one an np.array literal stores as an element, where an array would be stacked)."""
    readers = {name: parse.FunctionReader(facts, facts.functions[name]) for name in codes if name in facts.functions}
    functions = {name: reader.read() for name, reader in readers.items()}
    literals = {name: reader.literal_sites for name, reader in readers.items()  # arrays go to the array version
                if not any(version.startswith(f"_{name}_on_arrays") for version in codes)}
    guessed = guessed_dimensions(functions, {name: codes[name].signature.params for name in functions}, literals)
    return {name: kinds for name, kinds in guessed.items() if not name.startswith("_")}


def _reuse_array_memory(codes: list, fast_math: bool = False) -> None:
    """Elementwise array steps of primals and adjoints write into temporaries nothing reads again
    (transform.in_place); after forward mode, which differentiates the bodies as written.
    fast_math: chains of them first become one expression each, one loop (transform.fast_loops)."""
    return_types = {name: c.signature.return_type for c in codes
                    for name in (c.signature.name, c.signature.primal)}
    for code in {id(c): c for c in codes}.values():
        if fast_math:
            merge_elementwise_chains(code, return_types)
        else:
            keep_uniform_adjoints(code, return_types)
        reuse_array_memory(code, return_types)
        accumulate_adjoints(code)
        overwrite_whole_adjoints(code)
        release_dead_arrays(code)
        view_unwritten_arrays(code)


def _compile_functions(facts, selected: list, wrt: dict, tape_limit: int | None = None) -> tuple:
    """(name -> FunctionCode, name -> why it falls back to the eager tape, name -> the FunctionCode
    specialised to wrt of a function other functions call, name -> the FunctionCode of a function
    of numbers taking whole arrays for them: _array_version), callees first, so a caller knows each
    callee's signature."""
    module_names = Names(set(facts.functions) | facts.constant_names() | set(facts.array_constants())
                         | set(facts.aliases))
    functions, fallbacks = {}, {}
    for name in selected:
        try:
            functions[name] = parse.FunctionReader(facts, facts.functions[name]).read()
        except Unsupported as err:
            fallbacks[name] = err
    signatures, codes, specialised, on_arrays, versions = {}, {}, {}, {}, {}
    called = set().union(*(_calls_of(f) for f in functions.values())) if wrt else set()
    for name in _callees_first(functions, fallbacks):
        function = functions[name]
        try:
            _check_callees(function, fallbacks)
            function, (names, result) = _typed_reading(facts, name, signatures, versions, function)
            differentiable = [p for p, _ in function.params if function.var_types[p] == ir.DOUBLE
                              or function.var_types[p] == ir.NDARRAY or ir.array_dims(function.var_types[p])]
            asked = _asked_parameters(name, wrt.get(name), differentiable)
            spare_names = copy.deepcopy(names) if asked is not None and name in called else None
            constants = {**facts.constants, **facts.array_constants()}
            signatures[name] = Signature(name, [(p, function.var_types[p]) for p, _ in function.params],
                                         function.return_type, asked if spare_names is None and asked is not None
                                         else differentiable,
                                         module_names.fresh(f"_{name}_primal"), module_names.fresh(f"_{name}_adjoint"),
                                         module_names.fresh(f"_{name}_jvp"), module_names.fresh(f"_{name}_hvp"))
            codes[name] = ReverseMode(function, result, names, signatures, constants, tape_limit).generate()
            if spare_names is not None:  # callers need the full adjoint; grad_NAME gets its own
                specialised[name] = _specialised(function, result, spare_names, signatures, constants, asked,
                                                 module_names, tape_limit)
            if asked is not None:
                _check_constant_parameters(name, specialised.get(name) or codes[name])
        except Unsupported as err:
            fallbacks[name] = err
            signatures.pop(name, None)
            continue
        array_version = _array_version(facts, name, signatures, constants, module_names, asked, tape_limit, versions)
        if array_version is not None:
            on_arrays[name] = array_version
            if asked is None:  # one taken with respect to some parameters only is no callee's adjoint
                versions[name] = array_version.signature.name
                signatures[versions[name]] = array_version.signature
    return codes, fallbacks, specialised, on_arrays


def _array_version(facts, name: str, signatures: dict, constants: dict, module_names: Names, asked,
                   tape_limit: int | None, versions: dict):
    """The FunctionCode of a public function of numbers (`def sigmoid(z): return 1 / (1 + np.exp(-z))`)
    with its unannotated float parameters taken as whole arrays, as NumPy users call such helpers:
    sigmoid(X @ w). Its public entries hand an ndarray argument to this version's entries and a
    number to the compiled scalar code, unchanged (emit.wrappers); a caller passing an array for
    such a number calls it where the body cannot be inlined (transform.inline). None when the
    function takes or makes whole arrays already (element arrays may be read: a model
    `p[0] * np.exp(-p[1] * t)`), reads the math module (which takes numbers only), takes a truth
    value (_truth_values: Python refuses an array there), has a loop (whose carried numbers would
    change shape), or its body is not whole-array code (a branch on the parameter, an element write)."""
    sig = signatures[name]
    if any(k == ir.NDARRAY for _, k in sig.params) or sig.return_type != ir.DOUBLE \
            or _reads_math(facts, facts.functions[name]) or _truth_values(facts.functions[name]):
        return None
    function = parse.FunctionReader(facts, facts.functions[name]).read()
    numbers = [p for p, declared in function.params if declared is None and dict(sig.params)[p] == ir.DOUBLE]
    if not numbers or any(isinstance(s, (ir.For, ir.While)) for s in ir.walk(function.body)):
        return None

    def taken_whole(function):
        function.params = [(p, ARRAY if p in numbers else declared) for p, declared in function.params]

    taken_whole(function)
    try:
        function, (names, result) = _typed_reading(facts, name, signatures, versions, function, taken_whole)
        array_name = module_names.fresh(f"_{name}_on_arrays")
        params = [(p, function.var_types[p]) for p, _ in function.params]
        if not any(kind == ir.NDARRAY for _, kind in params):  # inference took them all for numbers again
            return None
        own = Signature(array_name, params, function.return_type,
                        [p for p, _ in params if p in sig.differentiable and (asked is None or p in asked)],
                        module_names.fresh(f"{array_name}_primal"), module_names.fresh(f"{array_name}_adjoint"),
                        module_names.fresh(f"{array_name}_jvp"), module_names.fresh(f"{array_name}_hvp"))
        return ReverseMode(function, result, names, {**signatures, name: own}, constants, tape_limit).generate()
    except Unsupported:
        return None


def _typed_reading(facts, name: str, signatures: dict, versions: dict, function: ir.Function,
                   prepare=lambda function: None) -> tuple:
    """(function, _read_typed(function)), where typing finds an array stored as an element of an
    np.array literal (np.array([x, y]) of arrays x and y, which NumPy stacks): the function read
    again with that literal an np.stack (prepared as `function` was), until none is left."""
    stacked = frozenset()
    while True:
        try:
            return function, _read_typed(facts, function, signatures, versions)
        except Unsupported as err:
            site = (err.line, err.column)
            if not err.construct.startswith("storing an array as an element") or site in stacked:
                raise
            reader = parse.FunctionReader(facts, facts.functions[name])
            reader.stacked_literals = stacked = stacked | {site}
            function = reader.read()
            if site not in reader.literal_sites:  # an element write of the source's own: refused
                raise err from None
            prepare(function)


def _read_typed(facts, function: ir.Function, signatures: dict, versions: dict) -> tuple:
    """The function renamed, lowered and typed as the compiler reads every function (its calls
    checked, its whole-array expressions split): (its names, the result's variable)."""
    _inline_indexing_helpers(facts, function, signatures)
    names = Names(user_names(function) | facts.constant_names() | set(facts.array_constants())
                  | set(facts.functions) | {"tape"})
    rename_rebindings(function, names)
    result = lower(function, names)
    return_types = _infer_inlining(function, result, names, signatures, facts, versions)
    check_call_arguments(function, {k: s.params for k, s in signatures.items()})
    split_whole_array_expressions(function, names, return_types)
    return names, result


def _inline_indexing_helpers(facts, function: ir.Function, signatures: dict) -> None:
    """Calls of compiled helpers that read an array parameter by element (`g(x)` with x[0] * x[1]
    in g) replaced by their bodies (transform.inline_helpers), before lowering."""
    helpers = {name: [k for k, (_, kind) in enumerate(sig.params) if ir.array_dims(kind)]
               for name, sig in signatures.items() if name in facts.functions}
    of_numbers = {name for name, sig in signatures.items() if name in facts.functions and sig.return_type == ir.DOUBLE
                  and all(kind == ir.DOUBLE for _, kind in sig.params)}
    helpers = {name: positions for name, positions in helpers.items() if positions}
    if helpers or of_numbers:
        names = Names(user_names(function) | facts.constant_names() | set(facts.array_constants())
                      | set(facts.functions) | {"tape"})
        inline_indexing_helpers(function, names, lambda name: parse.FunctionReader(facts, facts.functions[name]).read(),
                                helpers, of_numbers)


def _infer_inlining(function: ir.Function, result: str, names: Names, signatures: dict, facts,
                    versions: dict | None = None) -> dict:
    """Infer function's types, inlining the helpers it passes whole arrays to where their bodies
    read as scalar code (transform.inline; elsewhere calling their array versions, `versions`),
    and inferring again, until none is left; returns the callees' return types."""
    declared = dict(function.var_types)
    return_types = {k: s.return_type for k, s in signatures.items()}
    while True:
        try:
            infer(function, result, return_types, facts.constants)
            refused = None
        except Unsupported as err:  # an element array passed whole (cube(x) beside x[0]) is refused
            refused = err  # unless inlining takes it whole; the types are settled before the checks
        if not inline_array_calls(function, names, signatures, lambda callee: _lowered_copy(facts, callee),
                                  set(facts.arrays), versions) and not _arrays_passed_on(function, signatures):
            if refused is not None:
                raise refused
            return return_types
        function.var_types = dict(declared)


def _arrays_passed_on(function: ir.Function, signatures: dict) -> bool:
    """Unannotated parameters typed as numbers that the function passes to a callee's array
    parameter (`weighted(x, a)` with `np.sum(w * np.sin(x))`) are arrays: declared so (True) for
    the types to be inferred again."""
    passed = set()
    for s in ir.walk(function.body):
        for e in ir.reads_of(s):
            for call in ir.user_calls_in(e):
                params = signatures[call.func].params if call.func in signatures else ()
                passed |= {arg.id for arg, (_, kind) in zip(call.args, params)
                           if isinstance(arg, ir.Name) and (kind == ir.NDARRAY or ir.array_dims(kind))}
    promoted = {p for p, declared in function.params
                if p in passed and declared is None and function.var_types.get(p) == ir.DOUBLE}
    function.params = [(p, "array" if p in promoted else declared) for p, declared in function.params]
    return bool(promoted)


def _lowered_copy(facts, name: str) -> tuple:
    """(a fresh lowered ir.Function of `name`, its result variable), to be inlined."""
    function = parse.FunctionReader(facts, facts.functions[name]).read()
    if any(declared is not None for _, declared in function.params):
        raise Unsupported("annotated parameters", function.line, function.column)
    if _reads_math(facts, facts.functions[name]):
        raise Unsupported("a function of the math module, which takes numbers only", function.line, function.column)
    names = Names(user_names(function) | facts.constant_names() | set(facts.array_constants()) | set(facts.functions))
    return function, lower(function, names)


_TRUTH_BUILTINS = frozenset({"max", "min", "float", "int", "round", "bool"})


def _truth_values(function_source) -> bool:
    """Whether the function takes the truth value or Python number of a value: a conditional
    expression, and/or, or max, min, float, int, round, bool, which an array refuses (compiled
    whole-array code would take max as np.maximum and a conditional as np.where)."""
    import libcst as cst

    found = []

    class Finds(cst.CSTVisitor):
        def visit_IfExp(self, node):
            found.append(node)

        def visit_BooleanOperation(self, node):
            found.append(node)

        def visit_Call(self, node):
            if isinstance(node.func, cst.Name) and node.func.value in _TRUTH_BUILTINS:
                found.append(node)

    function_source.node.visit(Finds())
    return bool(found)


def _reads_math(facts, function_source) -> bool:
    """Whether the function names the math module or a function imported from it."""
    import libcst as cst

    found = set()

    class Reads(cst.CSTVisitor):
        def visit_Name(self, node):
            found.add(node.value)

    function_source.node.visit(Reads())
    return any(facts.aliases.get(name, "").split(".")[0] == "math" for name in found)


def _specialised(function, result: str, names: Names, signatures: dict, constants: dict, asked: list,
                 module_names: Names, tape_limit: int | None = None):
    """The reverse mode of a function called by others, taken with respect to `asked` only: its
    own adjoint, jvp and hvp functions beside the full ones its callers use (the primal is shared)."""
    import dataclasses

    full = signatures[function.name]
    special = dataclasses.replace(full, differentiable=asked,
                                  adjoint=module_names.fresh(f"_{function.name}_wrt_adjoint"),
                                  jvp=module_names.fresh(f"_{function.name}_wrt_jvp"),
                                  hvp=module_names.fresh(f"_{function.name}_wrt_hvp"))
    return ReverseMode(function, result, names, {**signatures, function.name: special}, constants,
                       tape_limit).generate()


def _asked_parameters(name: str, asked, differentiable: list) -> list | None:
    """The parameters of `name` that wrt asks for, in parameter order (None: all of them)."""
    if asked is None:
        return None
    not_float = [p for p in asked if p not in differentiable]
    if not_float:
        raise WrtError(f"--wrt {name}={','.join(asked)}: parameter '{not_float[0]}' of {name} is not a float "
                       f"or a float array, so it has no gradient (differentiable: {', '.join(differentiable) or 'none'})")
    return [p for p in differentiable if p in asked]


def _check_constant_parameters(name: str, code) -> None:
    """An array parameter left out of wrt but overwritten with values that depend on the asked
    ones would need an adjoint of its own, which the generated gradient has no place for."""
    sig = code.signature
    written = [p for p, kind in sig.params if p not in sig.differentiable and p in code.adjoint_names
               and ir.array_dims(kind)]
    if written:
        raise WrtError(f"--wrt {name}={','.join(sig.differentiable)}: {name} overwrites its parameter "
                       f"'{written[0]}' with values that depend on {', '.join(sig.differentiable)}, so "
                       f"'{written[0]}' needs a gradient too; add it to the parameters wrt names")


def _checked_wrt(facts, selected: list, wrt, filename: str) -> dict:
    """wrt as {function name: tuple of parameter names}, each naming a selected public function
    and its parameters; WrtError (a usage error) when it does not."""
    checked = {}
    for name, params in (dict(wrt) if wrt else {}).items():
        if name not in facts.functions:
            raise WrtError(f"--wrt {name}=...: {filename} has no top-level function '{name}'")
        if name.startswith("_") or name not in selected:
            why = "it is private (starts with _)" if name.startswith("_") else "--only leaves it out"
            raise WrtError(f"--wrt {name}=...: {name} gets no grad_ function ({why})")
        params = tuple(params)
        names = [p.name.value for p in _parameters(facts.functions[name])
                 + list(facts.functions[name].node.params.kwonly_params)]
        unknown = [p for p in params if p not in names]
        if not params or unknown:
            raise WrtError(f"--wrt {name}={','.join(params)}: {name} has no parameter "
                           f"'{unknown[0] if unknown else ''}' (its parameters: {', '.join(names) or 'none'})")
        integral = [p.name.value for p in _parameters(facts.functions[name])
                    if p.name.value in params and _annotated_integral(p)]
        if integral:
            raise WrtError(f"--wrt {name}={','.join(params)}: parameter '{integral[0]}' of {name} is annotated "
                           "int or bool, so it has no gradient")
        checked[name] = params
    return checked


def _point_calls_at_primals(code, derivatives, primal_of: dict) -> None:
    code.primal_body = point_calls_at_primals(code.primal_body, primal_of)
    code.adjoint_body = point_calls_at_primals(code.adjoint_body, primal_of)
    for derived in (derivatives.jvp, derivatives.hvp, derivatives.jvp2, derivatives.hvp2) if derivatives else ():
        if derived is not None:
            derived.body = point_calls_at_primals(derived.body, primal_of)


def _report(facts, name: str, code, wrt=None) -> FunctionReport:
    if code is None:
        return FunctionReport(name, facts.functions[name].line, False, "eager tape",
                              [p for p in _fallback_differentiable(facts.functions[name]) if wrt is None or p in wrt],
                              {})
    return FunctionReport(name, facts.functions[name].line, True, "; ".join(code.taped),
                          code.signature.differentiable,
                          {**dict(code.signature.params), "return": code.signature.return_type})


def _method_warnings(source: str, filename: str) -> list:
    """A warning per method of a top-level class: only top-level functions get derivatives."""
    import ast

    warnings = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    warnings.append(Diagnostic(filename, item.lineno, item.col_offset + 1, "warning",
                                               f"{node.name}.{item.name}: a method of a class is not compiled and "
                                               f"gets no grad_ function (srcgrad differentiates top-level "
                                               f"functions; call it from one)"))
    return warnings


def _check_collisions(facts, filename: str) -> None:
    for name, function in facts.functions.items():
        if name in RESERVED_NAMES:
            raise SourceError(Diagnostic(filename, function.line, function.column, "error",
                                         f"function '{name}' collides with the generated module's NumPy; "
                                         f"rename it"))
        for prefix in GENERATED_PREFIXES:
            if name.startswith(prefix) and name[len(prefix):] in facts.functions:
                raise SourceError(Diagnostic(filename, function.line, function.column, "error",
                                             f"function '{name}' collides with the generated {prefix.rstrip('_')} "
                                             f"of '{name[len(prefix):]}'; rename it"))


def _called(function_source) -> set:
    import libcst as cst

    names = set()

    class Calls(cst.CSTVisitor):
        def visit_Call(self, node):
            if isinstance(node.func, cst.Name):
                names.add(node.func.value)

    function_source.node.visit(Calls())
    return names


def _with_callees(facts, roots) -> list:
    chosen, stack = set(), list(roots)
    while stack:
        name = stack.pop()
        if name in chosen:
            continue
        chosen.add(name)
        stack.extend(n for n in _called(facts.functions[name]) if n in facts.functions)
        stack.extend(facts.functions[name].nested.values())
    return [n for n in facts.functions if n in chosen]


def _calls_of(function: ir.Function) -> set:
    calls = set()
    for s in ir.walk(function.body):
        for e in ir.reads_of(s):
            calls |= {c.func for c in ir.user_calls_in(e)}
    return calls


def _callees_first(functions: dict, fallbacks: dict) -> list:
    """Topological order of the call graph; a function in a call cycle falls back."""
    order, state = [], {}

    def visit(name, path):
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            function = functions[path[-1]]
            fallbacks.setdefault(path[-1], Unsupported(f"a recursive call of '{name}'", function.line, function.column))
            return
        state[name] = "visiting"
        for callee in sorted(_calls_of(functions[name])):
            if callee in functions:
                visit(callee, path + [name])
        state[name] = "done"
        order.append(name)

    for name in functions:
        visit(name, [name])
    return [n for n in order if n not in fallbacks]


def _check_callees(function: ir.Function, fallbacks: dict) -> None:
    for callee in sorted(_calls_of(function)):
        if callee in fallbacks:
            raise Unsupported(f"a call of '{callee}', which uses the eager tape", function.line, function.column)


def _parameters(function) -> list:
    """Every named parameter, keyword-only ones last (the order compiled functions take them in)."""
    params = function.node.params
    return list(params.posonly_params) + list(params.params) + list(params.kwonly_params)


def _annotated_integral(param) -> bool:
    import libcst as cst

    annotation = param.annotation
    return (annotation is not None and isinstance(annotation.annotation, cst.Name)
            and annotation.annotation.value in ("int", "bool"))


def _fallback_differentiable(function) -> list:
    return [p.name.value for p in _parameters(function) if not _annotated_integral(p)]


def _fallback_parameters(function, wrt=None) -> tuple:
    """(parameter names, indices of those the eager tape differentiates: all but int and bool, or
    those wrt names)."""
    parameters = _parameters(function)
    return (tuple(p.name.value for p in parameters),
            tuple(i for i, p in enumerate(parameters) if not _annotated_integral(p)
                  and (wrt is None or p.name.value in wrt)))
