"""Live text: each firing alert's current values, its rule run again at read time on the
projection (the commitment's periods, the partnership's sums) with today's date, so the board
never shows the figures of when it fired next to today's. `text_at_firing` stays in the alert."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from monitoring.core.adapters import lanes
from monitoring.core.adapters.documents import WRITE_SIDE, commitment_from, target_from
from monitoring.core.adapters.repository import COMMITMENTS, ROLLUPS, TARGETS
from monitoring.core.domain.conditions import AlertConfig, Condition
from monitoring.core.domain.rollups import Totals, members_key
from monitoring.core.domain.rules import (
    commitment_subject,
    evaluate_commitment,
    evaluate_target,
    target_subject,
)

Doc = dict[str, Any]
Db = AsyncDatabase[Doc]


def current_of(c: Condition) -> Doc:
    return {
        "current": {"expected": c.expected, "actual": c.actual, "holds": c.active},
        "current_text": c.message,
    }


class LiveText:
    def __init__(self, db: Db, config: AlertConfig) -> None:
        self._db = db
        self._config = config

    async def of(self, alerts: Sequence[Doc], today: date) -> dict[str, Doc]:
        """fingerprint -> {current: {expected, actual, holds}, current_text}, for the firing
        alerts among `alerts` (board documents)."""
        firing = [a for a in alerts if a.get("status") == "firing"]
        out: dict[str, Doc] = {}
        commitments = [a["subject_id"] for a in firing if a["subject_type"] == "commitment"]
        if commitments:
            query = {"_id": {"$in": sorted(set(commitments))}}
            async for doc in self._db[COMMITMENTS].find(query, WRITE_SIDE):
                p = commitment_from(doc)
                subject = commitment_subject(p.commitment)
                conditions = evaluate_commitment(p, today, self._config, at_risk_firing=True)
                for c in conditions:
                    out[c.fingerprint(subject)] = current_of(c)
        targets = [a["subject_id"] for a in firing if a["subject_type"] == "partnership_target"]
        if targets:
            async for doc in self._db[TARGETS].find({"_id": {"$in": sorted(set(targets))}}):
                t = target_from(doc).target
                key = members_key(t.partnership_id, t.target.metric)
                sums = (await lanes.sums_of(self._db[ROLLUPS], [key])).get(key)
                fields = Totals().as_dict()
                totals = Totals(**{k: (sums or {}).get(k, 0) for k in fields})
                actual = t.target.baseline + totals.value(t.target.metric)
                subject = target_subject(t)
                for c in evaluate_target(
                    t.target, actual, today, self._config, at_risk_firing=True
                ):
                    out[c.fingerprint(subject)] = current_of(c)
        wanted = {a["_id"] for a in firing}
        return {fp: v for fp, v in out.items() if fp in wanted}
