"""Unique learners (issue 17): partners attach learners sketches built by `pactctl learners
sketch` (HLL of HMAC-SHA256(salt, id); no id leaves the partner) to their reports; monitoring
merges them per commitment, partner and partnership and year, and answers distinct people
with the sketch's error bounds beside the summed counts, and the learners partners share.
A sketch it cannot take is refused with its own reason."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from monitoring.core.adapters.learner_sketches import unique
from monitoring.core.adapters.repository import SKETCHES
from monitoring.rebuild.replay import rebuild
from pactctl.main import app as pactctl
from tests.support.kafka import wait_until

from .conftest import Monitoring, report

pytestmark = pytest.mark.integration

#: p-a: learners 0..1999, in two reports that share 400; p-b: 1400..3399, so 600 of each
#: partner's 2,000 learners (30%) are the other's too; p-c reports no sketch
LEARNERS = {
    ("p-a", "2026-Q1"): range(0, 1200),
    ("p-a", "2026-Q2"): range(800, 2000),
    ("p-b", "2026-Q1"): range(1400, 3400),
}


def sketch(tmp: Path, ids: range) -> str:
    """`pactctl learners sketch` on a CSV of the ids, as a partner runs it."""
    (tmp / "ids.csv").write_text("learner_id\n" + "".join(f"L-{i:06d}\n" for i in ids))
    (tmp / "salt").write_text("a fixed salt for a deterministic test, kept by the partners\n")
    done = CliRunner().invoke(
        pactctl,
        [
            "-o",
            "json",
            "learners",
            "sketch",
            str(tmp / "ids.csv"),
            "--salt-file",
            str(tmp / "salt"),
        ],
    )
    assert done.exit_code == 0, done.output
    built = json.loads(done.stdout)
    assert built["rows"] == len(ids)
    return str(built["learners_sketch"])


def within(found: dict[str, int] | None, truth: int) -> bool:
    return found is not None and found["lower"] <= truth <= found["upper"]


async def two_partners(m: Monitoring, tmp_path: Path) -> None:
    """p-a and p-b report learners sketches (30% of each one's learners shared), p-c none."""
    for p in ("p-a", "p-b", "p-c"):
        await m.partner(p, partnerships=["digital-ecosystem"])
        await m.commitment(f"c-{p}", partner_id=p, partnership_id="digital-ecosystem")
    for p in ("p-a", "p-b", "p-c"):
        await m.wait_for_partner(p)
        await m.wait_for_commitment(f"c-{p}")
    for (p, period), ids in LEARNERS.items():
        await m.send(
            report(period, len(ids), partner_id=p, commitment_id=f"c-{p}",
                   learners_sketch=sketch(tmp_path, ids))
        )  # fmt: skip
    await m.send(report("2026-Q1", 500, partner_id="p-c", commitment_id="c-p-c"))
    for p, achieved in (("p-a", 2400), ("p-b", 2000), ("p-c", 500)):
        await wait_until(
            lambda q={"_id": f"c-{p}", "achieved": achieved}: m.db["commitments"].find_one(q)
        )
    await wait_until(m.views_kept)  # the partners per scope, when the views are kept apart


async def test_two_partners_sharing_30_percent_give_unique_and_overlap_within_the_bound(
    monitoring: Monitoring, tmp_path: Path
) -> None:
    m = monitoring
    await two_partners(m, tmp_path)

    async def get(path: str, who: str | None) -> Any:
        answer = await m.http.get(path, params={"year": 2026}, headers=m.token(who))
        assert answer.status_code == 200, answer.text
        return answer.json()

    everyone = await get("/learners/partnerships/digital-ecosystem", None)
    assert within(everyone["unique"], 3400), everyone["unique"]
    assert everyone["people_trained"] == 2400 + 2000 + 500  # summed: trainings, not people
    rows = {r["id"]: r for r in everyone["partners"]}
    assert within(rows["p-a"]["unique"], 2000) and within(rows["p-b"]["unique"], 2000)
    assert rows["p-c"]["unique"] is None and rows["p-c"]["people_trained"] == 500
    [pair] = everyone["overlaps"]
    assert pair["partners"] == ["p-a", "p-b"] and within(pair["shared"], 600), pair
    assert abs(pair["shared"]["estimate"] - 600) <= 0.05 * 3400  # the union's error dominates
    assert within(rows["p-a"]["shared_with_others"], 600)

    mine = await get("/learners/partnerships/digital-ecosystem", "p-a")
    assert [r["id"] for r in mine["partners"]] == ["p-a"] and mine["overlaps"] == []
    assert within(mine["unique"], 3400)
    partner = await get("/learners/partners/p-a", "p-a")
    assert within(partner["unique"], 2000) and partner["people_trained"] == 2400
    commitment = await get("/learners/commitments/c-p-a", "p-a")
    assert within(commitment["unique"], 2000) and commitment["people_trained"] == 2400
    other = await m.http.get(
        "/learners/partners/p-a", params={"year": 2026}, headers=m.token("p-b")
    )
    assert other.status_code == 403
    empty = await m.http.get(
        "/learners/partners/p-a", params={"year": 2025}, headers=m.token("p-a")
    )
    assert empty.json()["unique"] is None and empty.json()["people_trained"] == 0


async def test_a_sketch_that_cannot_be_taken_is_refused_with_its_own_reason(
    monitoring: Monitoring,
) -> None:
    m = monitoring
    await m.partner()
    await m.commitment()
    await m.wait_for_partner()
    await m.wait_for_commitment()
    bad = {
        "not base64": "this is not base64!",
        "too large": base64.b64encode(bytes(9000)).decode(),
        "not a sketch": base64.b64encode(b"a learners list, not a sketch").decode(),
    }
    for text in bad.values():
        await m.send(report("2026-Q1", 10, learners_sketch=text))
    refused = await m.rejections(3)
    assert {r["reason_code"] for r in refused} == {"bad_learners_sketch"}
    assert any("8,192" in r["message"] for r in refused)
    assert await m.progress() is None or (await m.progress() or {}).get("periods") in ([], {})


async def test_a_rebuild_gives_back_the_same_unique_learners(
    monitoring: Monitoring, mongo_client: Any, tmp_path: Path
) -> None:
    m = monitoring
    await two_partners(m, tmp_path)
    name = f"{m.settings.mongo_db}-rebuilt"

    async def estimates(db: Any) -> dict[str, float]:
        docs = await db[SKETCHES].find().to_list()
        return {d["_id"]: unique(bytes(d["sketch"])).estimate for d in docs}

    try:
        await rebuild(
            m.settings.model_copy(update={"mongo_db": name}), clock=m.clock, idle_seconds=30
        )
        live = await estimates(m.db)
        assert len(live) == 3 * 2 + 1  # commitment, partner, member of p-a and p-b; partnership
        assert await estimates(mongo_client[name]) == live
    finally:
        await mongo_client.drop_database(name)
