"""Diagnostics: what the front end reports about a source file, with file, line and column."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Diagnostic:
    filename: str
    line: int
    column: int  # 1-based, as editors count
    severity: str  # "error" or "warning"
    message: str

    def format(self) -> str:
        return f"{self.filename}:{self.line}:{self.column}: {self.severity}: {self.message}"


class SourceError(Exception):
    """A problem in the user's source file; the CLI prints it as one line and exits 2."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.format())
        self.diagnostic = diagnostic


class WrtError(ValueError):
    """A `--wrt` (or in-process `wrt=`) request the module cannot honour: an unknown function or
    parameter, or a parameter that is not a float; the CLI prints it as `srcgrad: error: ...`."""


class Unsupported(Exception):
    """A construct outside the compiled subset; the function falls back to the eager tape."""

    def __init__(self, construct: str, line: int, column: int):
        super().__init__(f"{construct} is not supported")
        self.construct = construct
        self.line = line
        self.column = column


_EAGER_TAIL = "; grad_{name} uses the eager tape"


def fallback_warning(filename: str, name: str, error: Unsupported) -> Diagnostic:
    """The build's warning for a function outside the compiled subset."""
    return Diagnostic(filename, error.line, error.column, "warning",
                      f"{name}: {error.construct} is not supported by the compiler" + _EAGER_TAIL.format(name=name))


def strict_error(warning: str) -> str:
    """A formatted fallback warning as --strict reports it: an error, and no eager tape is used,
    so the text no longer says one is."""
    location, _, message = warning.partition(": warning: ")
    name = message.split(": ", 1)[0]
    tail = _EAGER_TAIL.format(name=name)
    if message.endswith(tail):
        message = message[: -len(tail)]
    return f"{location}: error: {message}"
