"""What the board adds to an alert at read time: whether it is muted now (silenced by which
silences, inhibited by which alerts) and, while it fires, its current values (live text)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from monitoring.notify.adapters.live_text import LiveText
from monitoring.notify.domain.silences import AlertFacts
from monitoring.notify.service_layer.silencing import Muting
from pact_common.clock import Clock

Doc = dict[str, Any]


def facts(doc: Doc) -> AlertFacts:
    return AlertFacts(
        doc["_id"],
        doc["rule"],
        doc["severity"],
        doc["subject_type"],
        doc["subject_id"],
        doc.get("partner_id"),
        doc["partnership_id"],
    )


async def annotated(
    docs: Sequence[Doc], muting: Muting | None, live: LiveText | None, clock: Clock
) -> list[Doc]:
    now = clock()
    out = [dict(d) for d in docs]
    if muting is not None:
        checks = await muting.check_many([facts(d) for d in out], now)
        for d, why in zip(out, checks, strict=True):
            firing = d.get("status") in ("firing", "notified")
            d["silenced_by"] = list(why.silenced_by)
            d["inhibited_by"] = list(why.inhibited_by) if firing else []
            d["muted"] = why.state if firing and why.muted else None
    if live is not None:
        current = await live.of(out, now.date())
        for d in out:
            d.update(current.get(d["_id"], {}))
    return out
