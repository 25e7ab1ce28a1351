"""JSON Schema of every event, as committed under contracts/schemas/.

python -m pact_contracts.schemas write DIR   # regenerate
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .topics import CATALOGUE


def generate() -> dict[str, dict[str, Any]]:
    """File name (topic/EventType.json) -> JSON Schema."""
    out: dict[str, dict[str, Any]] = {}
    for topic in CATALOGUE:
        if topic.name.endswith(".dead-letter.v1") and topic.name != CATALOGUE[5].name:
            continue  # every dead-letter topic carries the same event
        folder = "dead-letter" if topic.name.endswith(".dead-letter.v1") else topic.name
        for event in topic.events:
            out[f"{folder}/{event.__name__}.json"] = event.model_json_schema()
    return out


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(root: Path) -> list[Path]:
    written = []
    for name, schema in generate().items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) != 3 or sys.argv[1] != "write":
        sys.exit("usage: python -m pact_contracts.schemas write DIR")
    for p in write(Path(sys.argv[2])):
        print(p)
