"""White space, defined once for every service: what the OpenAPI documents' patterns call
white space, what the HTTP bodies trim and what the domains call blank. Pure Python."""

from __future__ import annotations

#: Unicode's White_Space and ECMAScript's `\s` together (the regex engines a schema meets
#: disagree on U+0085 and U+FEFF; Python's str.strip also trims U+001C to U+001F), as the
#: ranges of a regex character class in `\uXXXX` escapes, which every one of them reads alike.
_RANGES = (
    (0x09, 0x0D), (0x20, 0x20), (0x85, 0x85), (0xA0, 0xA0), (0x1680, 0x1680),
    (0x2000, 0x200A), (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F),
    (0x3000, 0x3000), (0xFEFF, 0xFEFF),
)  # fmt: skip
WHITE_SPACE = "".join(chr(c) for low, high in _RANGES for c in range(low, high + 1))
#: A regex for one character that is not white space.
NOT_WHITE_SPACE = "[^{}]".format(
    "".join(f"\\u{low:04x}" + (f"-\\u{high:04x}" if high > low else "") for low, high in _RANGES)
)


def trim(text: str) -> str:
    """Without the white space around it."""
    return text.strip(WHITE_SPACE)


def is_blank(text: str) -> bool:
    return not trim(text)
