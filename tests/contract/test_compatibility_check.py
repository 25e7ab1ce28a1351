"""The v1 compatibility check (tests/support/compatibility.py) fails every change
that refuses a message the old schema accepted, and lets loosenings through.

Each mutation is made on a committed v1 baseline schema and comes with a witness: a message
built from the contract's example event that shows, by plain JSON Schema validation, what
the change does (a message the old schema accepts and the mutated one refuses, or the
other way round for a loosening). So a mutation that stopped being what its name says
fails here too, not only a checker that stopped seeing it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.contract.test_schemas import BASELINE
from tests.support.compatibility import accepts_every_old_message
from tests.support.examples import every_event

Schema = dict[str, Any]
Message = dict[str, Any]

PROGRESS = "partners.progress-reported.v1/ProgressReported.json"
PLEDGED = "commitments.commitment-events.v1/CommitmentPledged.json"
DEAD_LETTER = "dead-letter/MessageDeadLettered.json"


def baseline(name: str) -> Schema:
    schema: Schema = json.loads((BASELINE / name).read_text())
    return schema


def example(name: str) -> Message:
    """The example event of that schema, as a producer of the baseline's day sent it: its
    wire form with the fields the baseline knows (optional fields added since are left out)."""
    title = Path(name).stem
    event = next(e for e in every_event() if type(e).__name__ == title)
    message: Message = json.loads(event.to_bytes())
    known = baseline(name)["properties"]
    return {k: v for k, v in message.items() if k in known}


def accepts(schema: Schema, message: Message) -> bool:
    checker = Draft202012Validator.FORMAT_CHECKER  # formats asserted, as the models do
    return bool(Draft202012Validator(schema, format_checker=checker).is_valid(message))


def prop(schema: Schema, name: str) -> Schema:
    found: Schema = schema["properties"][name]
    return found


def first(schema: Schema, name: str) -> Schema:
    """The non-null branch of an optional field (anyOf [X, null])."""
    found: Schema = prop(schema, name)["anyOf"][0]
    return found


def snapshot(schema: Schema) -> Schema:
    found: Schema = schema["$defs"]["CommitmentSnapshot"]
    return found


def put(message: Message, **fields: Any) -> Message:
    return {**message, **fields}


def without(message: Message, name: str) -> Message:
    return {k: v for k, v in message.items() if k != name}


def nested(message: Message, key: str, **fields: Any) -> Message:
    return {**message, key: {**message[key], **fields}}


@dataclass(frozen=True)
class Mutation:
    name: str
    schema: str
    change: Callable[[Schema], None]
    witness: Callable[[Message], Message]  # accepted by one schema, refused by the other

    def apply(self) -> tuple[Schema, Schema, Message]:
        old = baseline(self.schema)
        new = copy.deepcopy(old)
        self.change(new)
        return old, new, self.witness(example(self.schema))


TIGHTENINGS = [
    Mutation(
        "maximum 1e9 -> 10 (by_country counts)",
        PROGRESS,
        lambda s: first(s, "by_country")["additionalProperties"].update(maximum=10),
        lambda m: put(m, by_country={"DE": 11}),
    ),
    Mutation(
        "maximum 1e6 -> 10 (revision)",
        PROGRESS,
        lambda s: prop(s, "revision").update(maximum=10),
        lambda m: put(m, revision=11),
    ),
    Mutation(
        "minimum 0 -> 1 (people_trained)",
        PROGRESS,
        lambda s: prop(s, "people_trained").update(minimum=1),
        lambda m: put(m, people_trained=0),
    ),
    Mutation(
        "exclusiveMinimum 0 -> 10 (nested: commitment target_value)",
        PLEDGED,
        lambda s: prop(snapshot(s), "target_value").update(exclusiveMinimum=10),
        lambda m: nested(m, "commitment", target_value=5),
    ),
    Mutation(
        "maxLength 64 -> 3 (commitment_id)",
        PROGRESS,
        lambda s: prop(s, "commitment_id").update(maxLength=3),
        lambda m: put(m, commitment_id="c-1234"),
    ),
    Mutation(
        "minLength 1 -> 20 (producer)",
        DEAD_LETTER,
        lambda s: prop(s, "producer").update(minLength=20),
        lambda m: put(m, producer="commitments"),
    ),
    Mutation(
        "pattern: quarters only (period)",
        PROGRESS,
        lambda s: prop(s, "period").update(pattern="^[0-9]{4}-Q[1-4]$"),
        lambda m: put(m, period="2026-09"),
    ),
    Mutation(
        "enum loses a value (by_country: NO)",
        PROGRESS,
        lambda s: first(s, "by_country")["propertyNames"]["enum"].remove("NO"),
        lambda m: put(m, by_country={"NO": 5}),
    ),
    Mutation(
        "enum loses a value through $ref (SkillLevel: expert)",
        PROGRESS,
        lambda s: s["$defs"]["SkillLevel"]["enum"].remove("expert"),
        lambda m: put(m, by_level={"expert": 5}),
    ),
    Mutation(
        "null dropped (by_country)",
        PROGRESS,
        lambda s: prop(s, "by_country")["anyOf"].pop(),
        lambda m: put(m, by_country=None),
    ),
    Mutation(
        "null dropped (causation_id)",
        PROGRESS,
        lambda s: prop(s, "causation_id")["anyOf"].pop(),
        lambda m: put(m, causation_id=None),
    ),
    Mutation(
        "optional field made required (by_country)",
        PROGRESS,
        lambda s: s["required"].append("by_country"),
        lambda m: without(m, "by_country"),
    ),
    Mutation(
        "nested optional field made required (commitment baseline)",
        PLEDGED,
        lambda s: snapshot(s)["required"].append("baseline"),
        lambda m: {**m, "commitment": without(m["commitment"], "baseline")},
    ),
    Mutation(
        "property removed, additionalProperties false (programmes_developed)",
        PROGRESS,
        lambda s: s["properties"].pop("programmes_developed"),
        lambda m: put(m, programmes_developed=2),
    ),
    Mutation(
        "nested property removed, additionalProperties false (commitment description)",
        PLEDGED,
        lambda s: snapshot(s)["properties"].pop("description"),
        lambda m: nested(m, "commitment", description="Cloud skills"),
    ),
    Mutation(
        "type narrowed: integer or null -> null (people_reached)",
        PROGRESS,
        lambda s: prop(s, "people_reached").update(anyOf=[{"type": "null"}]),
        lambda m: put(m, people_reached=3),
    ),
    Mutation(
        "type narrowed: number -> integer (commitment target_value)",
        PLEDGED,
        lambda s: prop(snapshot(s), "target_value").update(type="integer"),
        lambda m: nested(m, "commitment", target_value=2.5),
    ),
    Mutation(
        "type changed: integer -> string (revision)",
        PROGRESS,
        lambda s: prop(s, "revision").update(type="string"),
        lambda m: put(m, revision=2),
    ),
    Mutation(
        "array gains maxItems (commitment countries)",
        PLEDGED,
        lambda s: prop(snapshot(s), "countries").update(maxItems=1),
        lambda m: nested(m, "commitment", countries=["DE", "FR"]),
    ),
    Mutation(
        "format: date-time -> date (occurred_at)",
        PROGRESS,
        lambda s: prop(s, "occurred_at").update(format="date"),
        lambda m: put(m, occurred_at="2026-10-05T09:30:00Z"),
    ),
    Mutation(
        "format added (commitment_id: uuid)",
        PROGRESS,
        lambda s: prop(s, "commitment_id").update(format="uuid"),
        lambda m: put(m, commitment_id="c-cloud-skills"),
    ),
    Mutation(
        "const changed (event_type)",
        PROGRESS,
        lambda s: prop(s, "event_type").update(const="ProgressReportedV2"),
        lambda m: m,
    ),
]

LOOSENINGS = [
    Mutation(
        "maxLength 64 -> 200 (commitment_id)",
        PROGRESS,
        lambda s: prop(s, "commitment_id").update(maxLength=200),
        lambda m: put(m, commitment_id="c" * 100),
    ),
    Mutation(
        "maximum 1e9 -> 1e12 (people_trained)",
        PROGRESS,
        lambda s: prop(s, "people_trained").update(maximum=10**12),
        lambda m: put(m, people_trained=10**10),
    ),
    Mutation(
        "optional property added (notes)",
        PROGRESS,
        lambda s: s["properties"].update(notes={"type": "string", "maxLength": 500}),
        lambda m: put(m, notes="first report from the new LMS"),
    ),
    Mutation(
        "optional property with a format added to a closed object (reviewed_at)",
        PROGRESS,
        lambda s: s["properties"].update(
            reviewed_at={"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]}
        ),
        lambda m: put(m, reviewed_at="2026-10-06T09:30:00Z"),
    ),
    Mutation(
        "enum gains a value through $ref (SkillLevel: master)",
        PROGRESS,
        lambda s: s["$defs"]["SkillLevel"]["enum"].append("master"),
        lambda m: put(m, by_level={"master": 5}),
    ),
    Mutation(
        "required field made optional (period)",
        PROGRESS,
        lambda s: s["required"].remove("period"),
        lambda m: without(m, "period"),
    ),
    Mutation(
        "null allowed (commitment_id)",
        PROGRESS,
        lambda s: s["properties"].update(
            commitment_id={"anyOf": [prop(s, "commitment_id"), {"type": "null"}]}
        ),
        lambda m: put(m, commitment_id=None),
    ),
]


def _ids(mutations: list[Mutation]) -> list[str]:
    return [m.name for m in mutations]


@pytest.mark.parametrize("mutation", TIGHTENINGS, ids=_ids(TIGHTENINGS))
def test_a_change_that_refuses_an_old_message_fails_the_check(mutation: Mutation) -> None:
    old, new, witness = mutation.apply()
    assert accepts(old, witness) and not accepts(new, witness), "the witness shows no tightening"
    assert not accepts_every_old_message(old, new)


@pytest.mark.parametrize("mutation", LOOSENINGS, ids=_ids(LOOSENINGS))
def test_a_change_that_only_accepts_more_passes_the_check(mutation: Mutation) -> None:
    old, new, witness = mutation.apply()
    assert accepts(new, witness) and not accepts(old, witness), "the witness shows no loosening"
    assert accepts_every_old_message(old, new)


def test_every_example_event_is_valid_for_its_baseline_schema() -> None:
    """The witnesses start from these; an example the baseline refuses would prove nothing."""
    for name in {m.schema for m in [*TIGHTENINGS, *LOOSENINGS]}:
        assert accepts(baseline(name), example(name)), name


def test_a_changed_pattern_counts_as_breaking_even_when_it_loosens() -> None:
    """Conservative: no checker here proves one regex's language inside another's."""
    old = baseline(PROGRESS)
    new = copy.deepcopy(old)
    prop(new, "period").update(pattern="^[0-9]{4}-(Q[1-4]|H[12]|0[1-9]|1[0-2])$")
    witness = put(example(PROGRESS), period="2026-H1")
    assert accepts(new, witness) and not accepts(old, witness)
    assert not accepts_every_old_message(old, new)
