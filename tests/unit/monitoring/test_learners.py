"""Learners sketches: what is refused (and why), what a report's sketch goes into, the
overlap of two partners' learners, and pactctl's reading of a CSV of learner ids."""

from __future__ import annotations

import base64
from dataclasses import replace

import pytest

from monitoring.core.adapters.learner_sketches import read_sketch, union, unique
from monitoring.core.domain.learners import Unique, additions, overlap
from pactctl.commands.learners import encoded, learner_ids, sketch_of
from pactctl.output import CliError

from .builders import commitment, report

SALT = b"0123456789abcdef0123456789abcdef"


def test_a_sketch_is_taken_when_it_is_a_base64_hll_sketch_of_lg_k_12_up_to_8_kb() -> None:
    good = encoded(sketch_of([f"L-{i}" for i in range(100)], SALT))
    raw, problem = read_sketch(good)
    assert problem is None and raw is not None and 95 <= unique(raw).estimate <= 105
    assert read_sketch(None) == (None, None)
    for text, said in (
        ("not base64!", "not base64"),
        (base64.b64encode(bytes(8193)).decode(), "8,193 bytes"),
        (base64.b64encode(b"L-1;L-2").decode(), "not a DataSketches HLL sketch"),
    ):
        raw, problem = read_sketch(text)
        assert raw is None and problem is not None and said in problem, problem


def test_the_overlap_of_two_partners_is_within_its_bounds() -> None:
    a = sketch_of([f"L-{i}" for i in range(0, 2000)], SALT).serialize_compact()
    b = sketch_of([f"L-{i}" for i in range(1400, 3400)], SALT).serialize_compact()
    shared = overlap(unique(a), unique(b), unique(union([a, b])))
    assert shared.lower <= 600 <= shared.upper
    assert overlap(Unique(10, 9, 11), Unique(5, 4, 6), Unique(20, 18, 22)).estimate == 0


def test_a_reports_sketch_goes_into_its_commitment_partner_partnership_and_member_unions() -> None:
    c = commitment()
    sketch = sketch_of(["L-1"], SALT).serialize_compact()
    r = replace(report("2026-Q1"), learners=sketch)
    assert sorted(additions([(r, c), (report("2026-Q2"), c)])) == sorted(
        [
            f"commitment/{c.id}/2026",
            f"partner/{c.partner_id}/2026",
            f"partnership/{c.partnership_id}/2026",
            f"member/{c.partnership_id}:{c.partner_id}/2026",
        ]
    )


def test_pactctl_reads_the_ids_of_a_column_or_of_a_one_column_file() -> None:
    assert learner_ids("learner_id,name\nL1,a\n\nL2,b\n", "learner_id") == ["L1", "L2"]
    assert learner_ids("L1\nL2\n", "learner_id") == ["L1", "L2"]
    with pytest.raises(CliError, match="no column 'learner_id'"):
        learner_ids("id,name\nL1,a\n", "learner_id")
