"""Memory sizes as users write them: `--tape-limit 16M`, `tape_limit="64M"`, `# srcgrad: checkpoint 4M`.

A number of bytes with an optional suffix K, M or G (binary multiples: 1K = 1024 bytes).
"""

from __future__ import annotations

import re

MULTIPLES = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
_SIZE = re.compile(r"(\d+)([KMG]?)B?", re.IGNORECASE)
# the budget of a loop marked `# srcgrad: checkpoint` in a build without --tape-limit
DEFAULT_CHECKPOINT_LIMIT = 16 << 20


def parse_size(text) -> int:
    """Bytes from '16M', '4096', '2G' (or an int); ValueError saying what is wrong otherwise."""
    if isinstance(text, bool) or not isinstance(text, (int, str)):
        raise ValueError(f"a tape limit is a number of bytes with an optional K, M or G suffix, not {text!r}")
    if isinstance(text, int):
        size = text
    else:
        match = _SIZE.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"a tape limit is a number of bytes with an optional K, M or G suffix "
                             f"(e.g. 16M), not {text!r}")
        size = int(match.group(1)) * MULTIPLES[match.group(2).upper()]
    if size <= 0:
        raise ValueError(f"a tape limit must be more than 0 bytes, not {text!r}")
    return size
