"""MongoDB storage of the reports that wait (parked for their commitment or partner) and of
the refused ones kept for their partners, with their documents."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, UpdateOne

from monitoring.core.adapters.documents import Doc, figures_doc, figures_from
from monitoring.core.adapters.repository import (
    COMMITMENTS,
    HOLDS,
    PARKED,
    PARTNERS,
    REJECTIONS,
    _Repo,
)
from monitoring.core.domain.acceptance import Awaited
from monitoring.core.domain.events import ReportRejected
from monitoring.core.domain.intake import ParkedReport
from monitoring.core.domain.model import Report
from monitoring.core.service_layer import unit_of_work as ports
from pact_common.mongo import newer_than


def report_doc(r: Report) -> Doc:
    return {
        "event_id": r.event_id,
        "partner_id": r.partner_id,
        "commitment_id": r.commitment_id,
        "period": r.period,
        "revision": r.revision,
        "figures": figures_doc(r.figures),
        "occurred_at": r.occurred_at,
        "content_hash": r.content_hash,
        "payload": r.payload,
        "signature": r.signature,
        "bound": r.bound,
        "learners": r.learners,
        "learners_problem": r.learners_problem,
    }


def report_from(doc: Doc) -> Report:
    return Report(**{**doc, "figures": figures_from(doc["figures"])})


def parked_doc(p: ParkedReport) -> Doc:
    r = p.report
    return {
        "_id": r.event_id,
        "commitment_id": r.commitment_id,
        "partner_id": r.partner_id,
        "parked_at": p.parked_at,
        "expires_at": p.expires_at,
        "awaiting": p.awaiting.value,
        "report": report_doc(r),
    }


def parked_from(doc: Doc) -> ParkedReport:
    return ParkedReport(
        report_from(doc["report"]), doc["parked_at"], doc["expires_at"], Awaited(doc["awaiting"])
    )


def rejection_doc(r: ReportRejected) -> Doc:
    doc = asdict(r)
    doc["_id"] = doc.pop("rejection_id")
    doc["reason"] = r.reason.value
    return doc


class MongoParkingRepository(_Repo, ports.ParkingRepository):
    """Parking a report and taking the reports awaiting the same commitment (partner) both
    write that key's hold document: done concurrently, they conflict and one transaction is
    retried. Without it, under snapshot isolation a report could be parked just as its
    commitment is stored, each unaware of the other (write skew), and wait for nothing."""

    async def _hold(self, keys: Iterable[str]) -> None:
        ops = [UpdateOne({"_id": k}, {"$inc": {"n": 1}}, upsert=True) for k in sorted(set(keys))]
        if ops:
            await self._db[HOLDS].bulk_write(ops, ordered=True, session=self._session)

    async def park(self, parked: Iterable[ParkedReport]) -> None:
        parked = list(parked)
        if parked:
            await self._hold(f"{p.awaiting.value}:{p.awaited_id}" for p in parked)
            docs = [parked_doc(p) for p in parked]
            await self._db[PARKED].insert_many(docs, ordered=False, session=self._session)

    async def _take(self, query: dict[str, Any], **kw: Any) -> list[ParkedReport]:
        docs = await self._find(PARKED, query, **kw)
        if docs:
            ids = [doc["_id"] for doc in docs]
            await self._db[PARKED].delete_many({"_id": {"$in": ids}}, session=self._session)
        return [parked_from(doc) for doc in docs]

    async def take_awaiting(self, awaiting: Awaited, awaited_id: str) -> list[ParkedReport]:
        await self._hold([f"{awaiting.value}:{awaited_id}"])
        field = "commitment_id" if awaiting is Awaited.COMMITMENT else "partner_id"
        query = {"awaiting": awaiting.value, field: awaited_id}
        return await self._take(query, sort=[("parked_at", ASCENDING)])

    async def take_expired(self, now: datetime, limit: int) -> list[ParkedReport]:
        return await self._take({"expires_at": {"$lte": now}}, limit=limit)

    async def counts(self, partner_ids: Iterable[str]) -> Counter[str]:
        pipeline: list[dict[str, Any]] = [
            {"$match": {"partner_id": {"$in": list(set(partner_ids))}}},
            {"$group": {"_id": "$partner_id", "n": {"$sum": 1}}},
        ]
        cursor = await self._db[PARKED].aggregate(pipeline, session=self._session)
        return Counter({doc["_id"]: doc["n"] async for doc in cursor})


class MongoRejectionRepository(_Repo, ports.RejectionRepository):
    """Rejections are kept for `kept` (wall-clock time: a TTL index removes them after)."""

    kept = timedelta(days=180)

    async def existing(self, rejection_ids: Iterable[str]) -> set[str]:
        ids = list(set(rejection_ids))
        if not ids:
            return set()
        return {
            doc["_id"]
            for doc in await self._find(REJECTIONS, {"_id": {"$in": ids}}, projection=["_id"])
        }

    async def outdated(
        self, partners: Mapping[str, int | None], commitments: Mapping[str, int | None]
    ) -> bool:
        for name, seen in ((PARTNERS, partners), (COMMITMENTS, commitments)):
            # outside the session: what every reader sees, not the transaction's snapshot
            if seen and await self._db[name].find_one(newer_than(seen), {"_id": 1}):
                return True
        return False

    async def _store(self, rejections: list[ReportRejected]) -> None:
        expires_at = datetime.now(UTC) + self.kept
        docs = [rejection_doc(r) | {"expires_at": expires_at} for r in rejections]
        if docs:
            await self._db[REJECTIONS].insert_many(docs, ordered=False, session=self._session)
