"""Does a new JSON Schema accept every message an old one accepted? The v1 contract rule:
consumers on the new schema still read what producers on the old one send.

jsoncompat decides it on the schemas themselves (its "deserializer" role): bounds, lengths,
enums, types, nullability, required fields and closed objects, through $ref and anyOf.
Its 0.3.1 release (the newest this project's index serves) does not reason about `pattern`
or `format` (its README: it "does not prove regex-language inclusion" nor "format-language
inclusion") and lets any change to them through. So a pattern or format that the new schema
states where the old one stated none or another counts as breaking here: conservative, a
loosened pattern is refused too, as jsoncompat's later releases do for patterns.
tests/contract/test_compatibility_check.py proves both parts on mutated schemas.
"""

from __future__ import annotations

import json
from typing import Any

import jsoncompat

UNPROVEN = ("pattern", "format")
# Keywords whose value maps names to schemas (a property may be called "format"), and
# keywords whose value is data, not schema.
SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties", "dependentSchemas")
DATA = ("const", "enum", "default", "examples", "title", "description")


def _unproven(schema: Any, where: str = "#") -> dict[tuple[str, str], str]:
    """{(where, keyword): value} of every pattern and format in a schema."""
    found: dict[tuple[str, str], str] = {}
    if isinstance(schema, list):
        for i, item in enumerate(schema):
            found |= _unproven(item, f"{where}/{i}")
    elif isinstance(schema, dict):
        for key, value in schema.items():
            if key in UNPROVEN and isinstance(value, str):
                found[(where, key)] = value
            elif key in SCHEMA_MAPS and isinstance(value, dict):
                for name, sub in value.items():
                    found |= _unproven(sub, f"{where}/{key}/{name}")
            elif key not in DATA:
                found |= _unproven(value, f"{where}/{key}")
    return found


def _added_to_a_closed_object(old: Any, where: str) -> bool:
    """Does `where` lie under a property the old schema's object did not have while it was
    closed (additionalProperties false)? No old message has that property, so no pattern or
    format on it can refuse one."""
    node, parts = old, where.split("/")[1:]
    for i, part in enumerate(parts):
        if not isinstance(node, dict):
            return False
        if part == "properties" and i + 1 < len(parts):
            closed = node.get("additionalProperties") is False
            if closed and parts[i + 1] not in node.get("properties", {}):
                return True
        node = node.get(part) if part in node else None
        if node is None:
            return False
    return False


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Why `new` may refuse a message `old` accepts; empty when it accepts them all."""
    problems = []
    if not jsoncompat.check_compat(json.dumps(old), json.dumps(new), jsoncompat.Role.DESERIALIZER):
        problems.append("jsoncompat: the new schema refuses some message the old one accepts")
    before = _unproven(old)
    for (where, keyword), value in sorted(_unproven(new).items()):
        if before.get((where, keyword)) != value and not _added_to_a_closed_object(old, where):
            was = before.get((where, keyword))
            problems.append(f"{keyword} at {where}: {value!r} (was {was!r})")
    return problems


def accepts_every_old_message(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return not breaking_changes(old, new)
