"""One generated module's C in two translation units, so two C compiler processes share its
compile (issue 13 part 5: GCC spent a cold build of a file of 90 small functions in one process,
one core idle).

Cython writes one .c file per module, every function `static`. Its function definitions are one
section (`module_code`, between Cython's `/* #### Code section: module_code ### */` and the next
section marker), and they make most of the file. `split` keeps everything else whole in part 0
(declarations, module initialisation, Cython's utility functions) and deals the module's own
functions to the two parts:

- the module's functions (`__pyx_f_`/`__pyx_pf_`/`__pyx_pw_` + the mangled module name) and its
  method definitions (`__pyx_mdef_`) lose `static` (hidden visibility instead: not exported from
  the extension), so one part calls or registers what the other defines;
- every file-scope `static` variable outside `module_code` (the module state, the function
  pointers imported from cimported modules and the shared utility module, cached flags) is
  defined once, in part 0; part 1 declares it `extern` and leaves its own copy unused, so both
  parts see the state the module initialisation sets;
- everything else at file scope in `module_code` (the runtime .pxd's inline helpers, directives)
  goes to both parts, and so do the text before and after `module_code` (declarations, Cython's
  utility functions), except that part 1's module initialisation is made static, so unused and
  dropped (PyInit_ is the extension's one exported symbol).

Anything not laid out as expected (no markers, unbalanced braces or conditionals, a declaration
of two variables at once) gives None: the module compiles as one file, as before.
"""

from __future__ import annotations

import re

SHARED = "__SRCGRAD_SHARED"  # defined in compile._GUARD: hidden visibility under GCC
_SECTION = "/* #### Code section: {} ### */"
_ANY_SECTION = "/* #### Code section: "
# Below this much C of its own functions, a module compiles as one file: the second part parses
# Cython's declarations and utility code again (some 0.5 MB), which a small module does not win
# back. (benchmarks/workloads.py, six functions: 1.3 MB; a function of numbers: about 0.1 MB.)
MINIMUM_CHARS = 1_000_000


def split(text: str, module_name: str, minimum_chars: int = MINIMUM_CHARS) -> tuple[str, str] | None:
    """(part 0, part 1) of a module's C, or None when it is small or not laid out as expected."""
    start = text.find(_SECTION.format("module_code"))
    end = text.find(_ANY_SECTION, start + 1) if start >= 0 else -1
    if min(start, end) < 0 or end - start < minimum_chars:
        return None
    mangled, name = f"{len(module_name)}{module_name}", re.escape(module_name)
    blank = _blank(text)
    chunks = _chunks(text, blank, start, end)
    owned = [_owned(blank[a:b], mangled) for a, b, _ in chunks or ()]
    boundary = _boundary(chunks, owned, blank) if chunks else None
    statics = _file_scope_statics(blank, 0, start), _file_scope_statics(blank, end, len(text))
    if boundary is None or None in statics:
        return None
    shared = _shared_variables(blank, statics[0] + statics[1])
    if shared is None:
        return None
    methods = "".join(f"extern {SHARED} PyMethodDef {method};\n" for method in
                      re.findall(rf"\nstatic PyMethodDef (__pyx_mdef_{mangled}_\w+)", text[start:end]))
    code = ["".join(text[a:b] for index, ((a, b, _), mine) in enumerate(zip(chunks, owned))
                    if not mine or (index < boundary) == (part == 0)) for part in (0, 1)]
    part0 = (_define(text, 0, start, statics[0], shared) + methods + code[0]
             + _define(text, end, len(text), statics[1], shared))
    part1 = (_declare(text, 0, start, statics[0], shared) + methods + code[1]
             + _declare(text, end, len(text), statics[1], shared))
    # part 1's copy of the module initialisation: static, so unused and dropped (PyInit_ is exported)
    renamed = f"static CYTHON_UNUSED PyObject *__srcgrad_unused_PyInit_{module_name}("
    part1, found = re.subn(rf"__Pyx_PyMODINIT_FUNC PyInit_{name}\(", renamed, part1)
    # the one file-scope definition Cython writes without `static` (an `extern` line precedes it)
    part1, defined = re.subn(rf"^int __pyx_module_is_main_{name} = 0;$", "", part1, flags=re.M)
    return (_unhide(part0, mangled), _unhide(part1, mangled)) if found and defined == 1 else None


def _unhide(text: str, mangled: str) -> str:
    """The module's functions and method definitions declared with external (hidden) linkage."""
    pattern = rf"\n((?:__SRCGRAD_\w+ )*)static (?!CYTHON_INLINE)(?=[^(;={{\n]*\b__pyx_(?:pw|pf|f|mdef)_{mangled}_\w*\s*[(=;])"
    return re.sub(pattern, rf"\n\1{SHARED} ", text)  # (a literal first character: a fast scan)


# Comments, string and character constants, and preprocessor lines (with their continuations)
_OPAQUE = re.compile(r"/\*.*?\*/|//[^\n]*|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'|\n[ \t]*#(?:\\\n|[^\n])*", re.S)
_PUNCTUATION = re.compile(r"[{};]")
_CONDITIONAL = re.compile(r"^[ \t]*#[ \t]*(if|ifdef|ifndef|endif)\b", re.M)


def _blank(text: str) -> str:
    """text with its comments, literals and preprocessor lines made spaces (newlines kept), so
    that braces and semicolons are the code's own and offsets stay those of text. (Every
    alternative of _OPAQUE starts with one of four characters, which keeps the scan fast; a
    preprocessor line is matched with the newline before it.)"""
    return _OPAQUE.sub(lambda found: _spaces(found[0]), text)


def _spaces(text: str) -> str:
    if "\n" not in text:
        return " " * len(text)
    return "\n".join(" " * len(line) for line in text.split("\n"))


def _owned(head_text: str, mangled: str) -> bool:
    """Whether a file-scope item of module_code is the module's own (goes to one part only):
    its declaration (before any body or initialiser) names one of the module's functions,
    method definitions or docstrings. Inline functions are copied to both parts."""
    head = re.split(r"[{=;]", head_text, maxsplit=1)[0]
    if "CYTHON_INLINE" in head:
        return False
    return re.search(rf"\b__pyx_(?:pw|pf|f|mdef|doc)_{mangled}_", head) is not None


def _boundary(chunks: list, owned: list, blank: str) -> int | None:
    """The index of the first chunk of part 1: about half the module's own code, at a function
    definition or a Python wrapper's prototype (never between a docstring and its method
    definition), outside any preprocessor conditional."""
    sizes = [b - a if mine else 0 for (a, b, _), mine in zip(chunks, owned)]
    total, running = sum(sizes), 0
    for index, ((a, b, conditionals), size) in enumerate(zip(chunks, sizes)):
        head = blank[a:min(b, a + 400)].lstrip()
        starts_item = owned[index] and not head.startswith(("PyDoc_STRVAR", "static PyMethodDef"))
        if starts_item and conditionals == 0 and running >= total * 0.5:
            return index if index > 0 else None
        running += size
    return None


def _chunks(text: str, blank: str, start: int, end: int) -> list | None:
    """The file-scope items of text[start:end] as (start, end, preprocessor conditionals open at
    its start): each ends with a `;` or a closing `}` at brace depth 0 (an initialiser's `};` is
    one item). None if the braces or conditionals do not balance."""
    opened = [(m.start(), 1 if m[1] != "endif" else -1) for m in _CONDITIONAL.finditer(text, start, end)]
    spans, depth, item_start, pending = [], 0, start, None
    for token in _PUNCTUATION.finditer(blank, start, end):
        kind = token[0]
        if pending is not None:  # a `}` at depth 0 ends its item unless `;` or `,` follows
            if kind != ";" and not blank[pending:token.start()].lstrip().startswith(","):
                spans.append((item_start, pending))
                item_start = pending
            pending = None
        if kind == "{":
            depth += 1
        elif kind == "}":
            depth -= 1
            if depth < 0:
                return None
            pending = token.end() if depth == 0 else None
        elif depth == 0:
            spans.append((item_start, token.end()))
            item_start = token.end()
    if depth != 0 or sum(step for _, step in opened) != 0:
        return None
    spans.append((item_start, end))
    result, open_count, next_conditional = [], 0, 0
    for a, b in spans:  # the conditionals open where each item starts
        while next_conditional < len(opened) and opened[next_conditional][0] < a:
            open_count += opened[next_conditional][1]
            next_conditional += 1
        result.append((a, b, open_count))
    return result


# --------------------------------------------------------------------------- shared variables

_TOKEN = re.compile(r"^static\b|[{};()]", re.M)


def _file_scope_statics(blank: str, start: int, end: int) -> list | None:
    """(start, end) of every `static` declaration or definition at brace depth 0 of
    blank[start:end]; None if one does not end."""
    found, depth = [], 0
    tokens = _TOKEN.finditer(blank, start, end)
    for token in tokens:
        if token[0] == "{":
            depth += 1
        elif token[0] == "}":
            depth -= 1
        elif token[0] == "static" and depth == 0:
            statement_end = _statement_end(blank, token.start(), tokens)
            if statement_end is None:
                return None
            found.append((token.start(), statement_end))
    return found


def _statement_end(blank: str, start: int, tokens) -> int | None:
    """The end of the declaration or definition at `start` (its `static` the last token taken):
    its `;` outside braces and parentheses, or the `}` closing a function's body. The tokens
    are consumed up to it."""
    depth, body = 0, False
    for token in tokens:
        kind = token[0]
        if kind in ("{", "("):
            if kind == "{" and depth == 0:
                body = "=" not in blank[start:token.start()]
            depth += 1
        elif kind in ("}", ")"):
            depth -= 1
            if depth == 0 and body:
                return token.end()
        elif kind == ";" and depth == 0:
            return token.end()
    return None


_POINTER = re.compile(r"^static [^(]*\(\s*\*\s*(\w+)\s*\)\s*\(")


def _variable(statement: str) -> tuple[str, str] | None | bool:
    """(name, declaration without `static` and initialiser) of a static variable's declaration
    (comments blanked); False for a function or a constant address (each part keeps its own);
    None if it declares several names."""
    head = re.split(r"=|;", statement, maxsplit=1)[0]
    pointer = _POINTER.match(head)
    if head.startswith("static CYTHON_INLINE") or ("(" in head and not pointer):
        return False
    if re.search(r"=\s*&\s*\w+\s*;\s*$", statement):
        return False  # the module state's pointer: an address constant in either part
    declarator = re.sub(r"\[[^\]]*\]", "", head).strip()
    name = pointer[1] if pointer else (re.search(r"(\w+)\s*$", declarator) or [None, None])[1]
    if name is None or (not pointer and "," in declarator):
        return None
    return name, " ".join(head[len("static "):].split())


def _shared_variables(blank: str, spans: list) -> dict | None:
    """name -> declaration of every file-scope static variable among the spans of blank."""
    shared = {}
    for start, end in spans:
        variable = _variable(blank[start:end])
        if variable is None:
            return None
        if variable:
            shared[variable[0]] = variable[1]
    return shared


def _define(text: str, start: int, end: int, spans: list, shared: dict) -> str:
    """Part 0's text[start:end]: the shared variables defined with external (hidden) linkage."""
    out, last = [], start
    for a, b in spans:
        if text.startswith("static", a) and _named(text, a, b, shared):
            out += [text[last:a], SHARED]
            last = a + len("static")
    return "".join(out) + text[last:end]


def _declare(text: str, start: int, end: int, spans: list, shared: dict) -> str:
    """Part 1's text[start:end]: each shared variable declared extern; its own definition,
    renamed, is left unused (it may hold preprocessor conditionals, so it is not cut out)."""
    out, last = [], start
    for a, b in spans:
        variable = _variable(_blank(text[a:b])) if text.startswith("static", a) else False
        if variable and variable[0] in shared:
            # declared as this statement declares it: a conditional's branches may differ
            name, declaration = variable
            unused = re.sub(rf"\b{name}\b", f"__srcgrad_unused_{name}", text[a:b], count=1)
            out += [text[last:a], f"extern {SHARED} {declaration};\nCYTHON_UNUSED ", unused]
            last = b
    return "".join(out) + text[last:end]


def _named(text: str, start: int, end: int, shared: dict) -> str | None:
    variable = _variable(_blank(text[start:end]))
    return variable[0] if variable and variable[0] in shared else None
