"""Committed JSON Schemas match the models, and v1 only ever grows additively."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pact_contracts import CATALOGUE
from pact_contracts.schemas import generate, render
from tests.support.examples import every_event

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "contracts" / "schemas"
BASELINE = Path(__file__).parent / "baseline-v1"


def test_committed_schemas_match_the_models() -> None:
    generated = generate()
    committed = {str(p.relative_to(COMMITTED)): p.read_text() for p in COMMITTED.rglob("*.json")}
    assert set(committed) == set(generated), "run: make schemas"
    drifted = [name for name, schema in generated.items() if committed[name] != render(schema)]
    assert not drifted, f"schemas drifted from the models (run `make schemas`): {drifted}"


def _compatible(old: Any, new: Any, path: str, problems: list[str]) -> None:
    """`new` accepts everything `old` accepted and emits everything `old` emitted."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in ("type", "$ref", "const", "format", "pattern", "additionalProperties"):
            if key in old and old.get(key) != new.get(key):
                problems.append(f"{path}.{key}: {old.get(key)!r} -> {new.get(key)!r}")
        if "enum" in old and not set(old["enum"]) <= set(new.get("enum", [])):
            problems.append(f"{path}.enum lost {set(old['enum']) - set(new.get('enum', []))}")
        if "required" in old or "required" in new:
            added = set(new.get("required", [])) - set(old.get("required", []))
            if added:
                problems.append(f"{path}.required added {sorted(added)}")
        for key, value in old.items():
            if key in ("properties", "$defs"):
                for name, sub in value.items():
                    if name not in new.get(key, {}):
                        problems.append(f"{path}.{key}.{name} removed")
                    else:
                        _compatible(sub, new[key][name], f"{path}.{name}", problems)
            elif key in ("items", "anyOf", "allOf", "oneOf") and key in new:
                if isinstance(value, list):
                    for i, (a, b) in enumerate(zip(value, new[key], strict=False)):
                        _compatible(a, b, f"{path}.{key}[{i}]", problems)
                else:
                    _compatible(value, new[key], f"{path}.{key}", problems)


def test_v1_changes_are_additive_only() -> None:
    generated = generate()
    problems: list[str] = []
    for path in BASELINE.rglob("*.json"):
        name = str(path.relative_to(BASELINE))
        assert name in generated, f"{name} was removed from v1"
        _compatible(json.loads(path.read_text()), generated[name], name, problems)
    assert not problems, "breaking change within v1 (make a .v2 topic instead): " + "; ".join(
        problems
    )


def test_the_compatibility_check_catches_breaking_changes() -> None:
    old = json.loads((BASELINE / "partners.progress-reported.v1/ProgressReported.json").read_text())
    new = json.loads(json.dumps(old))
    new["required"].append("country")
    del new["properties"]["period"]
    new["properties"]["revision"]["type"] = "string"
    problems: list[str] = []
    _compatible(old, new, "ProgressReported", problems)
    assert any("required added ['country']" in p for p in problems)
    assert any("properties.period removed" in p for p in problems)
    assert any("revision.type" in p for p in problems)


@pytest.mark.parametrize("event", every_event(), ids=lambda e: type(e).__name__)
def test_every_event_round_trips_through_its_topic_union(event: Any) -> None:
    topic = next(t for t in CATALOGUE if type(event) in t.events)
    again = topic.adapter.validate_json(event.to_bytes())
    assert again == event


def test_every_field_is_documented() -> None:
    undocumented = []
    for name, schema in generate().items():
        for model in [schema, *schema.get("$defs", {}).values()]:
            for prop, spec in model.get("properties", {}).items():
                if prop != "event_type" and not spec.get("description"):
                    undocumented.append(f"{name}:{model.get('title')}.{prop}")
    assert not undocumented, undocumented
