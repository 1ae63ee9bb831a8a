"""Fresh names for generated locals, drawn by the front end (its own temporaries) and by the
passes after it (transform.lower.Names): the same scheme everywhere, base then base2, base3, ...;
and the name of a module array constant's typed view."""

from __future__ import annotations


def fresh_name(base: str, taken: set) -> str:
    """base, else base2, base3, ...: the first name not in taken, which it then joins."""
    name, k = base, 1
    while name in taken:
        k += 1
        name = f"{base}{k}"
    taken.add(name)
    return name


def array_view(name: str) -> str:
    """What compiled code indexes a module array constant by (C needs a typed view to read it without the GIL)."""
    return f"_{name}_view"


def viewed_array(name: str) -> str:
    """The module array constant whose view `name` is (array_view's inverse), else name itself."""
    return name[1:-len("_view")] if name.startswith("_") and name.endswith("_view") and len(name) > 6 else name
