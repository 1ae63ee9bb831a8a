"""Derivative rule tables. Importing the package registers every array rule (the rearrangements
live in their own module but in the one table of srcgrad.rules.arrays)."""

from . import rearrangements  # noqa: F401  (registers its table entries)
