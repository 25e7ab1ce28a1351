"""A progress report's Kafka key is its partner_id. Reports keyed by their commitment_id (the
key until 2026-12-06) are still taken, and counted by partner, so that operators know whom
to ask to switch: with several monitoring instances they make them conflict more often."""

from __future__ import annotations

from typing import Any

from prometheus_client import REGISTRY

from tests.integration.monitoring.conftest import Monitoring, report
from tests.support.kafka import wait_until

METRIC = "pact_progress_reports_commitment_keyed_total"


def keyed_by_commitment(partner_id: str) -> float:
    return REGISTRY.get_sample_value(METRIC, {"partner": partner_id}) or 0.0


async def test_reports_keyed_by_commitment_are_taken_and_counted(monitoring: Monitoring) -> None:
    m = monitoring
    await m.partner()
    await m.commitment()
    await m.wait_for_commitment()
    before = keyed_by_commitment("p-acme")
    old_key = report("2026-Q1", 10)
    await m.send_raw(old_key.to_bytes(), key=b"c-cloud")
    new_key = report("2026-Q2", 20)
    await m.send(new_key)  # keyed by partner_id
    ids = [str(old_key.event_id), str(new_key.event_id)]

    async def both_taken() -> bool:
        return await m.db["receipts"].count_documents({"_id": {"$in": ids}}) == 2

    await wait_until(both_taken)
    doc: Any = await m.progress()
    counted = keyed_by_commitment("p-acme") - before
    print(f"periods stored {sorted(doc['periods'])}; counted as keyed by commitment: {counted}")
    assert sorted(doc["periods"]) == ["2026-Q1", "2026-Q2"]
    assert counted == 1
    assert await m.db["rejections"].count_documents({"partner_id": "p-acme"}) == 0
