"""Build the runtime kernels that generated modules cimport.

The kernels live in the top-level runtime/ folder and are installed as the package
srcgrad.runtime (`from srcgrad.runtime cimport tape`), .pxd and .pyx files included.

srcgrad.runtime._cyutility is Cython's shared utility module (`cython --generate-shared`): the
typed-memoryview code every generated module would otherwise compile again. Generated modules
translated by the same Cython version import it instead (srcgrad/compile.py).
"""
import shutil
import sys
from pathlib import Path

import numpy
from Cython.Build import cythonize
from setuptools import Extension, find_packages, setup

# Cython finds `cimport srcgrad.runtime.tape` by path (FOLDER/srcgrad/runtime/tape.pxd), not
# through package_dir, so the .pxd files are also laid out that way under build/.
CYTHON_INCLUDE = Path("build", "cython-include")
for package in (CYTHON_INCLUDE / "srcgrad", CYTHON_INCLUDE / "srcgrad" / "runtime"):
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.pxd").touch()
for pxd in Path("runtime").glob("*.pxd"):
    shutil.copyfile(pxd, CYTHON_INCLUDE / "srcgrad" / "runtime" / pxd.name)

extensions = [
    Extension(
        "srcgrad.runtime.tape",
        ["runtime/tape.pyx"],
        include_dirs=[numpy.get_include()],
    ),
    Extension(
        "srcgrad.runtime.kernels",
        ["runtime/kernels.pyx"],
        include_dirs=[numpy.get_include()],
        # the same roundings as NumPy's operation-by-operation results: no fused multiply-add
        extra_compile_args=[] if sys.platform == "win32" else ["-O3", "-ffp-contract=off"],
    ),
]

SHARED_UTILITY = "srcgrad.runtime._cyutility"  # srcgrad.compile.SHARED_UTILITY
# Cython writes the C again when another Cython version wrote it: the one doing this install is
# the one whose version generated modules check.
shared_utility = cythonize([Extension(SHARED_UTILITY, ["runtime/_cyutility.c"])],
                           shared_utility_qualified_name=SHARED_UTILITY)

setup(
    packages=find_packages(include=["srcgrad", "srcgrad.*"]) + ["srcgrad.runtime"],
    package_dir={"srcgrad.runtime": "runtime"},
    ext_modules=cythonize(
        extensions,
        include_path=[str(CYTHON_INCLUDE)],
        language_level=3,
        compiler_directives={"boundscheck": False, "wraparound": False},
    ) + shared_utility,
)
