"""srcgrad: ahead-of-time, source-to-source automatic differentiation for numerical Python."""

__version__ = "0.1.0"
