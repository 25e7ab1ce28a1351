"""The secretariat's corrections on MongoDB (collection `corrections`, one document each,
by correction_id): the audit of what each replaced, read back by the rebuild to re-apply
them in their place in time, and listed to the commitment's partner."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from monitoring.core.adapters.documents import figures_doc, figures_from
from monitoring.core.domain.corrections import Correction
from monitoring.core.domain.progress import PeriodEntry
from monitoring.core.service_layer.unit_of_work import CorrectionLog

CORRECTIONS = "corrections"
Doc = dict[str, Any]


def _entry_doc(e: PeriodEntry) -> Doc:
    return {
        "revision": e.revision,
        "event_id": e.event_id,
        "reported_at": e.reported_at,
        "figures": figures_doc(e.figures),
    }


def _entry_from(period: str, doc: Doc) -> PeriodEntry:
    figures = figures_from(doc["figures"])
    return PeriodEntry(period, doc["revision"], doc["event_id"], figures, doc["reported_at"])


def correction_doc(c: Correction) -> Doc:
    return {
        "_id": c.correction_id,
        "commitment_id": c.commitment_id,
        "period": c.period,
        "revision": c.revision,
        "figures": figures_doc(c.figures) if c.figures is not None else None,
        "reason": c.reason,
        "by": c.by,
        "at": c.at,
        "before": _entry_doc(c.before) if c.before is not None else None,
    }


def correction_from(doc: Doc) -> Correction:
    before = doc.get("before")
    return Correction(
        correction_id=doc["_id"],
        commitment_id=doc["commitment_id"],
        period=doc["period"],
        revision=doc["revision"],
        figures=figures_from(doc["figures"]) if doc.get("figures") is not None else None,
        reason=doc["reason"],
        by=doc["by"],
        at=doc["at"],
        before=_entry_from(doc["period"], before) if before is not None else None,
    )


class MongoCorrectionLog(CorrectionLog):
    def __init__(self, db: AsyncDatabase[Doc], session: AsyncClientSession | None) -> None:
        self._db = db
        self._session = session

    async def add(self, correction: Correction) -> None:
        doc = correction_doc(correction)
        await self._db[CORRECTIONS].replace_one(
            {"_id": doc["_id"]}, doc, upsert=True, session=self._session
        )


async def corrections_of(db: AsyncDatabase[Doc], commitment_id: str) -> list[Correction]:
    """A commitment's corrections, oldest first."""
    cursor = db[CORRECTIONS].find({"commitment_id": commitment_id}).sort([("at", 1), ("_id", 1)])
    return [correction_from(doc) async for doc in cursor]


async def every_correction(db: AsyncDatabase[Doc]) -> list[Correction]:
    """Every correction, oldest first (the rebuild re-applies them in their place in time)."""
    cursor = db[CORRECTIONS].find({}).sort([("at", 1), ("_id", 1)])
    return [correction_from(doc) async for doc in cursor]
