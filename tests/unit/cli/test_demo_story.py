"""The demo's story (`make run`) shows what the partnership measures (issue 17): some
partners report people placed in digital jobs, new entrants and certificates; two attach
learners sketches whose learners partly overlap (unique people fewer than those trained);
and a common target split into cells leaves one cell no demo pledge covers."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime

from datasketches import hll_sketch, hll_union  # type: ignore[import-untyped]

from pactctl import catalogue
from pactctl.demo import PLACING, PROFILES, DemoCommitment, cast, split_target

TODAY = date(2026, 12, 4)


def story() -> list[DemoCommitment]:
    members = catalogue.members(12, seed=7)
    cast_ = cast([DemoCommitment(m, *PROFILES[i]) for i, m in enumerate(members)])
    for i, c in enumerate(cast_):
        c.partner_id, c.commitment_id = f"p-{i}", f"c-{i}"
        c.pledge(TODAY)
    return cast_


def reports(c: DemoCommitment) -> list:  # type: ignore[type-arg]
    return c.due(datetime(2027, 5, 1, tzinfo=UTC))


def test_some_partners_report_placements_entrants_and_certificates() -> None:
    sent = [reports(c) for c in story()]
    placing = [i for i, rs in enumerate(sent) if any(r.people_placed_in_jobs for r in rs)]
    assert placing == list(PLACING)
    r = sent[0][0]
    assert 0 < r.people_placed_in_jobs < r.new_entrants < r.certificates_issued < r.people_trained


def test_two_partners_sketch_learners_they_partly_share() -> None:
    sent = [reports(c) for c in story()]
    sketched = [i for i, rs in enumerate(sent) if any(r.learners_sketch for r in rs)]
    assert sketched == [0, 1]
    union, each = hll_union(12), []
    trained = 0
    for rs in sent[:2]:
        mine = hll_union(12)
        for r in rs:
            sk = hll_sketch.deserialize(base64.b64decode(r.learners_sketch))
            mine.update(sk)
            union.update(sk)
            trained += r.people_trained
        each.append(mine.get_result().get_estimate())
    both = union.get_result().get_estimate()
    shared = sum(each) - both
    assert both < trained * 0.95  # people trained by both count once
    assert 0.1 * trained < shared < 0.3 * trained


def test_a_split_target_leaves_a_cell_no_pledge_covers() -> None:
    s = story()
    body, gap = split_target(s, TODAY)
    assert gap in body["cells"] and len(body["cells"]) == 2
    assert body["target_value"] == sum(c["value"] for c in body["cells"])
    for c in s:
        pledge = c.pledge(TODAY)
        assert not (gap["level"] in pledge["levels"] and gap["country"] in pledge["countries"])
    covered = next(cell for cell in body["cells"] if cell is not gap)
    first = s[0].pledge(TODAY)
    assert covered["level"] in first["levels"] and covered["country"] in first["countries"]
