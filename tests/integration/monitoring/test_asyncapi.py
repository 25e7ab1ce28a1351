"""Monitoring's AsyncAPI document: it reads the partners', registry's and commitments' topics
and publishes alerts and rejections, and never reads a topic it publishes (no self-loop)."""

from __future__ import annotations

import pytest

from pact_contracts import (
    ALERTS,
    COMMITMENT_EVENTS,
    PARTNER_EVENTS,
    PROGRESS_REJECTED,
    PROGRESS_REPORTED,
)
from tests.support.schemas import validate_asyncapi

from .conftest import Monitoring

pytestmark = pytest.mark.integration


async def test_monitoring_subscribes_to_no_topic_it_publishes(monitoring: Monitoring) -> None:
    answer = await monitoring.http.get("/asyncapi.json")
    assert answer.status_code == 200
    document = answer.json()
    validate_asyncapi(document)
    received: set[str] = set()
    sent: set[str] = set()
    for operation in document["operations"].values():
        channel = document["channels"][operation["channel"]["$ref"].split("/")[-1]]
        (received if operation["action"] == "receive" else sent).add(channel["address"])
    print(f"monitoring receives {sorted(received)}; sends {sorted(sent)}")
    t = monitoring.topic
    assert received == {t(PARTNER_EVENTS), t(COMMITMENT_EVENTS), t(PROGRESS_REPORTED)}
    assert sent == {t(ALERTS), t(PROGRESS_REJECTED)}
    assert received & sent == set()
