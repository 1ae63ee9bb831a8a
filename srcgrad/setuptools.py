"""Build generated gradient modules as part of a package: `pip install .` and `pip wheel .`.

    # setup.py
    from setuptools import setup
    from srcgrad.setuptools import grad_extensions

    setup(ext_modules=grad_extensions(["mypkg/model.py"]))

For each `pkg/model.py`, `grad_extensions` generates `pkg/model_grad.pyx` and its type stub
`pkg/model_grad.pyi` beside the source (reading the source, never importing it), translates the
.pyx to C with Cython and returns a setuptools `Extension` named `pkg.model_grad` that setuptools'
own build_ext compiles, so the installed package offers `from pkg.model_grad import grad_f`.
With `pure=True` it writes `pkg/model_grad.py` instead and returns no extension (the module is
then an ordinary Python module of the package).

The generated module needs srcgrad at build time (the Cython code cimports srcgrad's runtime:
`[build-system] requires = [..., "srcgrad"]`) and at run time (`dependencies = ["srcgrad"]`;
pin the version you build with, since the compiled module uses that version's tape layout).

A source problem ends setup.py with one line `FILE:LINE:COL: error: ...`; functions outside
the compiled subset are still built (their gradients use the eager tape) with a warning line.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from . import build as _build
from .compile import c_flags, cython_include_dir
from .diagnostics import SourceError
from .emit.printer import CYTHON_DIRECTIVES
from .files import atomic_write

__all__ = ["grad_extensions"]

_C_FOLDER = os.path.join("build", "srcgrad")


def grad_extensions(paths, fast_math: bool = False, pure: bool = False, only=None) -> list:
    """setuptools Extensions that compile each source's generated gradient module (see the module doc).

    paths: source files relative to the folder setup.py runs in (e.g. "mypkg/model.py" or
    "src/mypkg/model.py"). only: function names (a list or "a,b") to differentiate, with the
    functions they call. fast_math: -ffast-math -march=native (the wheel then only runs on CPUs
    like the build machine's). pure: pure-Python modules, no C compiler needed.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    only_names = _only_names(only)
    extensions = []
    for path in paths:
        source_path = Path(path)
        generated = _generate(source_path, pure, only_names, fast_math)
        target = source_path.with_name(generated.module_name + generated.suffix)
        _write_if_changed(target, generated.text)
        if getattr(generated, "stub", ""):
            _write_if_changed(source_path.with_name(generated.module_name + ".pyi"), generated.stub)
        if not pure:
            extensions.append(_extension(target, _dotted_name(source_path, generated.module_name), fast_math))
    return extensions


def _only_names(only):
    if only is None:
        return None
    names = [n.strip() for n in only.split(",")] if isinstance(only, str) else list(only)
    if not names or not all(isinstance(n, str) and n.isidentifier() for n in names):
        raise SystemExit(f"srcgrad: error: grad_extensions(only=...) needs function names, not {only!r}")
    return names


def _generate(source_path: Path, pure: bool, only, fast_math: bool = False):
    try:
        from .cli import _read_source  # decodes like Python does (coding cookies)

        text = _read_source(str(source_path))
        generated = _build.generate_cached(text, str(source_path), pure=pure, only=only,
                                           **({"fast_math": True} if fast_math and not pure else {}))
    except SourceError as error:
        raise SystemExit(error.diagnostic.format()) from None
    except Exception as error:  # a missing file, an unreadable one
        raise SystemExit(f"srcgrad: error: {error}") from None
    for diagnostic in generated.diagnostics:
        print(diagnostic.format(), file=sys.stderr)
    missing = [name for name in only or () if name not in generated.function_sources]
    if missing:
        raise SystemExit(f"srcgrad: error: only: {source_path} has no top-level function {', '.join(missing)}")
    return generated


def _write_if_changed(path: Path, text: str) -> None:
    # an unchanged file keeps its timestamp, so Cython and the C compiler skip it on rebuilds
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    atomic_write(path, data)


def _dotted_name(source_path: Path, module_name: str) -> str:
    """pkg/sub/model.py -> pkg.sub.model_grad: the folders above it that are packages.

    Folders without __init__.py above the innermost package (a src/ layout) are not part of the
    name; if no folder is a package (namespace packages), every folder of the path is.
    """
    folders = source_path.parent.parts
    packaged = []
    here = source_path.parent
    for part in reversed(folders):
        if not (here / "__init__.py").is_file():
            break
        packaged.insert(0, part)
        here = here.parent
    if not packaged:
        packaged = [part for part in folders if part not in (".", "")]
    return ".".join(packaged + [module_name])


def _extension(pyx: Path, dotted_name: str, fast_math: bool):
    import numpy
    from Cython.Build import cythonize
    from setuptools import Extension

    extension = Extension(
        dotted_name,
        [str(pyx)],
        include_dirs=[numpy.get_include()],
        extra_compile_args=c_flags(fast_math),
        libraries=["m"] if fast_math and sys.platform.startswith("linux") else [],  # libmvec (emit/loops.py)
    )
    (translated,) = cythonize(
        [extension],
        include_path=[str(cython_include_dir(Path(_C_FOLDER, "include")))],  # `cimport srcgrad.runtime`
        compiler_directives=CYTHON_DIRECTIVES,
        quiet=True,
        build_dir=_C_FOLDER,  # the C text stays out of the package, so out of the wheel
    )
    return translated
