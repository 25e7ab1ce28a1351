"""The secretariat undoes a forged revision: a report at revision 1,000,000 (any Kafka
login can write one where signatures are not required) would lock its period for good; a
correction sets the period back, the partner reports again, everyone sees the audit, and a
rebuild re-applies the correction in its place in time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from monitoring.rebuild.replay import rebuild
from tests.support.kafka import wait_until
from tests.support.progress_store import stored_progress

from .conftest import Monitoring, report

URL = "/progress/commitments/c-cloud/periods/2025-Q1/correction"


async def achieved(m: Monitoring, value: float) -> None:
    async def reached() -> bool:
        return ((await m.progress()) or {}).get("achieved") == value

    await wait_until(reached)


async def test_a_forged_revision_is_corrected_audited_and_rebuilt(
    monitoring: Monitoring, mongo_client: Any
) -> None:
    m = monitoring
    await m.partner()
    await m.partner("p-other")
    await m.commitment()
    await m.wait_for_commitment()
    await m.send(report("2025-Q1", 100))
    await m.send(report("2025-Q2", 30))
    await achieved(m, 130)
    await m.send(report("2025-Q1", 0, revision=1_000_000))  # forged
    await achieved(m, 30)
    await m.send(report("2025-Q1", 100, revision=2))  # the partner cannot put it back
    await m.barrier()
    assert (await m.progress() or {})["achieved"] == 30

    m.clock.now = datetime.now(UTC)  # the time Kafka stamps records with, for the rebuild
    body = {"reason": "revision 1,000,000 sent with a shared login", "revision": 2}
    body |= {"figures": {"people_trained": 100, "by_country": {"DE": 100}}}
    refused = await m.http.post(URL, json=body, headers=m.token())
    assert refused.status_code == 403, refused.text
    outside = await m.http.post(URL.replace("2025-Q1", "2031-Q1"), json=body, headers=m.token(None))
    assert outside.status_code == 422, outside.text
    assert outside.json()["error"]["code"] == "reported_after_deadline"
    no_year = await m.http.post(URL.replace("2025-Q1", "0000-Q1"), json=body, headers=m.token(None))
    assert no_year.status_code == 422, no_year.text  # the pattern says so: there is no year 0
    assert no_year.json()["error"]["problems"][0]["rule"] == "string_pattern_mismatch"
    unsummed = body | {"figures": {"people_trained": 100, "by_country": {"DE": 90}}}
    bad = await m.http.post(URL, json=unsummed, headers=m.token(None))
    assert bad.status_code == 422 and "by_country" in bad.text, bad.text
    done = await m.http.post(URL, json=body, headers=m.token(None))
    assert done.status_code == 200, done.text
    correction = done.json()
    assert correction["before"]["revision"] == 1_000_000
    assert correction["before"]["figures"]["people_trained"] == 0
    assert (correction["revision"], correction["by"]) == (2, "secretariat")
    assert (await m.progress() or {})["achieved"] == 130
    rollup = await m.db["rollups"].find_one({"_id": "partner:p-acme"})
    assert rollup is not None and rollup["people_trained"] == 130

    await m.send(report("2025-Q1", 120, revision=3))  # the partner reports again
    await achieved(m, 150)

    listed = await m.http.get("/progress/commitments/c-cloud/corrections", headers=m.token())
    assert listed.status_code == 200, listed.text
    [item] = listed.json()["items"]
    assert item["correction_id"] == correction["correction_id"]
    assert item["reason"] == "revision 1,000,000 sent with a shared login"
    other = await m.http.get(
        "/progress/commitments/c-cloud/corrections", headers=m.token("p-other")
    )
    assert other.status_code == 403, other.text

    name = f"{m.settings.mongo_db}-rebuilt"
    try:
        summary = await rebuild(
            m.settings.model_copy(update={"mongo_db": name}),
            carry_from=m.settings.mongo_db,
            idle_seconds=30,
        )
        assert summary.carried_over["corrections"] == 1
        rebuilt = await stored_progress(mongo_client[name], "c-cloud")
        live = await m.progress()
        assert rebuilt is not None and live is not None

        def periods(doc: dict[str, Any]) -> dict[str, Any]:  # live ran on a manual clock
            return {p: {**e, "reported_at": None} for p, e in doc["periods"].items()}

        assert rebuilt["achieved"] == live["achieved"] == 150
        assert periods(rebuilt) == periods(live)
        assert await mongo_client[name]["corrections"].count_documents({}) == 1
    finally:
        await mongo_client.drop_database(name)
