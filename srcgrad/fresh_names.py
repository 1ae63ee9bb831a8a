"""Fresh names for generated locals, drawn by the front end (its own temporaries) and by the
passes after it (transform.lower.Names): the same scheme everywhere, base then base2, base3, ..."""

from __future__ import annotations


def fresh_name(base: str, taken: set) -> str:
    """base, else base2, base3, ...: the first name not in taken, which it then joins."""
    name, k = base, 1
    while name in taken:
        k += 1
        name = f"{base}{k}"
    taken.add(name)
    return name
