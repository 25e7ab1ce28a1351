"""Committed JSON Schemas match the models, and v1 only ever grows additively: every
message a v1 baseline schema accepts, the schema of today accepts too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pact_contracts import CATALOGUE
from pact_contracts.schemas import generate, render
from tests.support.compatibility import breaking_changes
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


def test_v1_changes_are_additive_only() -> None:
    generated = generate()
    breaking = {}
    for path in sorted(BASELINE.rglob("*.json")):
        name = str(path.relative_to(BASELINE))
        assert name in generated, f"{name} was removed from v1"
        problems = breaking_changes(json.loads(path.read_text()), generated[name])
        if problems:
            breaking[name] = problems
    assert not breaking, (
        "v1 schemas that refuse messages their baseline accepts (a breaking change: make a "
        f".v2 topic instead): {breaking}"
    )


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
