"""Derivative rule tables. Importing the package registers every array rule (the rearrangements
and the linear algebra live in their own modules but in the one table of srcgrad.rules.arrays)."""

from . import linalg, rearrangements  # noqa: F401  (register their table entries)
