"""MongoDB storage of monitoring's read models, progress, alerts and report bookkeeping.
Every repository works inside the unit of work's transaction (its session)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, DeleteOne, IndexModel, InsertOne, ReplaceOne, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from monitoring.core.adapters import alert_documents as ad
from monitoring.core.adapters import documents as d
from monitoring.core.adapters import fault_pause, lanes
from monitoring.core.domain.acceptance import Receipt
from monitoring.core.domain.alerting import Alert, AlertState, AlertStatus
from monitoring.core.domain.model import Partner, Partnership
from monitoring.core.domain.ownership import EVERYTHING, Held
from monitoring.core.domain.progress import CommitmentProgress, TargetProgress
from monitoring.core.service_layer import unit_of_work as ports
from pact_common.mongo import create_collections
from pact_common.turns import paced

PARTNERS, PARTNERSHIPS, COMMITMENTS, TARGETS = "partners", "partnerships", "commitments", "targets"
HOLDS = "parking_holds"
#: each scope's figures per quarter and per year (domain/buckets.py)
BUCKETS = "buckets"
#: per scope and partner: commitments counted there, and with figures (domain/presence.py)
PRESENCE = "scope_partners"
#: the annual report's rows per (partnership, scope, year), per partner there, and the
#: partners counted there (domain/years.py, domain/year_counts.py)
YEARS, YEAR_PARTNERS, YEAR_COUNTS = "years", "year_partners", "year_counts"
#: documents per batch of a find (decoded at once, between two turns of the event loop)
FIND_BATCH = 500
#: operations per bulk write: pymongo checks and prepares every operation of a bulk before it
#: sends any, without giving way, so a batch's thousands of writes go in bulks of this many,
#: built and sent paced (turns.paced): the loop gets a turn between them
WRITE_CHUNK = 500
#: one document per (commitment, period): that period's latest figures
CELLS = "periods"
ROLLUPS, ALERTS, RECEIPTS = "rollups", "alerts", "receipts"
#: the learners' sketches (learner_sketches.py)
SKETCHES = "learner_sketches"
PARKED, REJECTIONS = "parked_reports", "rejections"
Db = AsyncDatabase[dict[str, Any]]
Doc = dict[str, Any]


async def ensure_indexes(db: Db) -> None:
    await db[COMMITMENTS].create_indexes(
        [
            IndexModel([("partner_id", ASCENDING)]),
            IndexModel([("partnership_id", ASCENDING)]),
            IndexModel([("measured", ASCENDING), ("evaluated_on", ASCENDING)]),
        ]
    )
    await db[CELLS].create_indexes([IndexModel([("commitment_id", ASCENDING)])])
    await db[BUCKETS].create_indexes(
        [IndexModel([("scope", ASCENDING), ("granularity", ASCENDING), ("bucket", ASCENDING)])]
    )
    for name in (ROLLUPS, BUCKETS, YEARS, YEAR_COUNTS, SKETCHES):  # lanes.py
        await db[name].create_indexes([IndexModel([("lane_of", ASCENDING)], sparse=True)])
    await db[PRESENCE].create_indexes([IndexModel([("kind", ASCENDING), ("scope", ASCENDING)])])
    for name in (YEARS, YEAR_PARTNERS, YEAR_COUNTS):
        await db[name].create_indexes(
            [IndexModel([("year", ASCENDING), ("partnership", ASCENDING)])]
        )
    await db[TARGETS].create_indexes(
        [
            IndexModel([("partnership_id", ASCENDING)]),
            IndexModel([("evaluated_on", ASCENDING)]),
        ]
    )
    await db[ALERTS].create_indexes(
        [
            IndexModel([("subject_key", ASCENDING), ("status", ASCENDING)]),
            IndexModel([("status", ASCENDING), ("fired_at", DESCENDING)]),
            IndexModel([("partner_id", ASCENDING), ("fired_at", DESCENDING)]),
            IndexModel([("partnership_id", ASCENDING), ("fired_at", DESCENDING)]),
            IndexModel([("fired_at", DESCENDING), ("_id", ASCENDING)]),
        ]
    )
    await db[PARKED].create_indexes(
        [
            IndexModel(
                [("awaiting", ASCENDING), ("commitment_id", ASCENDING), ("parked_at", ASCENDING)]
            ),
            IndexModel(
                [("awaiting", ASCENDING), ("partner_id", ASCENDING), ("parked_at", ASCENDING)]
            ),
            IndexModel([("expires_at", ASCENDING)]),
            IndexModel([("partner_id", ASCENDING)]),
        ]
    )
    await db[REJECTIONS].create_indexes(
        [
            IndexModel([("rejected_at", DESCENDING), ("_id", DESCENDING)]),
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
            IndexModel(
                [("partner_id", ASCENDING), ("rejected_at", DESCENDING), ("_id", DESCENDING)]
            ),
        ]
    )
    # the others a batch writes, made before any transaction does
    await create_collections(db, {RECEIPTS, HOLDS, PARTNERS, PARTNERSHIPS})


class _Repo:
    def __init__(self, db: Db, session: AsyncClientSession) -> None:
        super().__init__()  # a SeenAggregates port starts remembering
        self._db = db
        self._session = session

    async def _find(self, name: str, query: dict[str, Any], **kw: Any) -> list[dict[str, Any]]:
        """In batches of FIND_BATCH (decoding gives the loop turns); an empty `$in` not sent."""
        if any(isinstance(v, dict) and v.get("$in") == [] for v in query.values()):
            return []
        cursor = self._db[name].find(query, session=self._session, batch_size=FIND_BATCH, **kw)
        return await cursor.to_list()

    async def _write(self, name: str, ops: Iterable[Any], *, ordered: bool = False) -> None:
        """`ops` (built as they are taken) in bulks of WRITE_CHUNK, one after the other; in
        the unit of work's transaction, a failed write fails the whole batch either way."""
        bulk: list[Any] = []
        async for op in paced(ops):
            bulk.append(op)
            if len(bulk) == WRITE_CHUNK:
                await self._db[name].bulk_write(bulk, ordered=ordered, session=self._session)
                bulk = []
        if bulk:
            await self._db[name].bulk_write(bulk, ordered=ordered, session=self._session)

    async def _replace_all(self, name: str, docs: Iterable[dict[str, Any]]) -> None:
        await self._write(name, (ReplaceOne({"_id": doc["_id"]}, doc, upsert=True) for doc in docs))


class MongoPartnerRepository(_Repo, ports.PartnerRepository):
    async def get_many(self, partner_ids: Iterable[str]) -> dict[str, Partner]:
        docs = await self._find(PARTNERS, {"_id": {"$in": list(set(partner_ids))}})
        return {
            doc["_id"]: Partner(
                doc["_id"],
                doc["version"],
                doc["status"],
                tuple(doc["partnerships"]),
                doc.get("signing_key"),
                doc.get("webhook_url"),
                doc.get("webhook_secret_version", 0),
                doc.get("webhook_previous_secret_until"),
                doc.get("credential_version", 1),
            )
            for doc in docs
        }

    async def put(self, partner: Partner) -> None:
        doc = asdict(partner)
        doc["_id"] = doc.pop("id")
        doc["partnerships"] = list(partner.partnerships)
        await self._replace_all(PARTNERS, [doc])

    async def put_partnership(self, partnership: Partnership) -> None:
        await self._replace_all(PARTNERSHIPS, [{"_id": partnership.id, "name": partnership.name}])


class MongoCommitmentRepository(_Repo, ports.CommitmentRepository):
    async def _get_many(self, commitment_ids: Iterable[str]) -> dict[str, CommitmentProgress]:
        query = {"_id": {"$in": list(set(commitment_ids))}}
        docs = await self._find(COMMITMENTS, query, projection=d.WRITE_SIDE)
        return {doc["_id"]: d.commitment_from(doc) async for doc in paced(docs)}

    async def _load_cells(
        self, progress: dict[str, CommitmentProgress], periods: dict[str, set[str] | None]
    ) -> None:
        every = [i for i, ps in periods.items() if ps is None]
        ids = [d.cell_id(i, p) for i, ps in periods.items() if ps is not None for p in ps]
        clauses: list[dict[str, Any]] = []
        if every:
            clauses.append({"commitment_id": {"$in": every}})
        if ids:
            clauses.append({"_id": {"$in": ids}})
        query = clauses[0] if len(clauses) == 1 else {"$or": clauses}
        for doc in await self._find(CELLS, query):
            p = progress[doc["commitment_id"]]
            p.periods.setdefault(doc["period"], d.entry_from(doc))
        for i in every:
            progress[i].complete = True

    async def _save_many(self, progress: list[CommitmentProgress]) -> None:
        heads = [_head_write(p) async for p in paced(progress)]  # before `written` is cleared
        await self._write(CELLS, _cell_writes(progress))
        await self._write(COMMITMENTS, heads)

    async def _due_for_evaluation(
        self, today: date, limit: int, held: Held
    ) -> list[CommitmentProgress]:
        query = {"measured": True, "evaluated_on": {"$lt": today.isoformat()}}
        query |= lanes.held_heads(held)
        docs = await self._find(COMMITMENTS, query, limit=limit, projection=d.WRITE_SIDE)
        return [d.commitment_from(doc) for doc in docs]


def _head_write(p: CommitmentProgress) -> ReplaceOne[Any] | UpdateOne:
    """The head whole, or what changed in it (documents.head_update); whole the first time."""
    update = d.head_update(p)
    p.head_stored()
    if update is None:
        return ReplaceOne({"_id": p.id}, d.head_doc(p), upsert=True)
    return UpdateOne({"_id": p.id}, update)


def _cell_writes(progress: Iterable[CommitmentProgress]) -> Iterator[DeleteOne | ReplaceOne[Any]]:
    """Each written period's cell stored (or deleted: withdrawn), then marked written."""
    for p in progress:
        for period in sorted(p.written):
            entry = p.periods.get(period)
            _id = d.cell_id(p.id, period)
            if entry is None:
                yield DeleteOne({"_id": _id})
            else:
                yield ReplaceOne({"_id": _id}, d.cell_doc(p.id, entry), upsert=True)
        p.written.clear()


class MongoTargetRepository(_Repo, ports.TargetRepository):
    async def _get(self, target_id: str) -> TargetProgress | None:
        docs = await self._find(TARGETS, {"_id": target_id})
        return d.target_from(docs[0]) if docs else None

    async def _in_partnerships(self, partnership_ids: Iterable[str]) -> list[TargetProgress]:
        docs = await self._find(TARGETS, {"partnership_id": {"$in": list(set(partnership_ids))}})
        return [d.target_from(doc) for doc in docs]

    async def _save_many(self, targets: list[TargetProgress]) -> None:
        await self._replace_all(TARGETS, (d.target_doc(t) for t in targets))

    async def _due_for_evaluation(self, today: date, limit: int) -> list[TargetProgress]:
        docs = await self._find(TARGETS, {"evaluated_on": {"$lt": today.isoformat()}}, limit=limit)
        return [d.target_from(doc) for doc in docs]


class MongoAlertRepository(_Repo, ports.AlertRepository):
    async def firing_of(
        self, subject_keys: Iterable[str], skip: Collection[str] = ()
    ) -> dict[str, dict[str, Alert]]:
        out: dict[str, dict[str, Alert]] = {}
        query: Doc = {"subject_key": {"$in": list(set(subject_keys))}, "status": "firing"}
        if skip:
            query["_id"] = {"$nin": list(skip)}
        async for doc in paced(await self._find(ALERTS, query)):  # a batch's thousands
            out.setdefault(doc["subject_key"], {})[doc["_id"]] = ad.alert_from(doc)
        return out

    async def whole(self, fingerprints: Iterable[str]) -> dict[str, Alert]:
        query = {"_id": {"$in": list(set(fingerprints))}}
        return {doc["_id"]: ad.alert_from(doc) for doc in await self._find(ALERTS, query)}

    async def states(self, fingerprints: Iterable[str]) -> dict[str, AlertState]:
        query, fields = {"_id": {"$in": list(set(fingerprints))}}, {"status": 1, "episode": 1}
        out: dict[str, AlertState] = {}
        async for x in paced(await self._find(ALERTS, query, projection=fields)):
            out[x["_id"]] = AlertState(x["_id"], AlertStatus(x["status"]), x["episode"])
        return out

    async def save_many(self, alerts: Iterable[Alert]) -> None:
        await self._replace_all(ALERTS, (ad.alert_doc(a) for a in alerts))

    async def held_resolves(self, now: datetime, limit: int, held: Held = EVERYTHING) -> list[str]:
        query = {"status": "firing", "resolve_after": {"$lte": now}}
        found = self._db[ALERTS].find(query, lanes.SUBJECT, session=self._session)
        return await lanes.held_subjects(found, limit, held)


class MongoReceiptRepository(_Repo, ports.ReceiptRepository):
    async def get_many(self, event_ids: Iterable[str]) -> dict[str, Receipt]:
        docs = await self._find(RECEIPTS, {"_id": {"$in": list(set(event_ids))}})
        return {d["_id"]: Receipt(d["_id"], d["hash"], tuple(d.get("reused", ()))) for d in docs}

    def _doc(self, r: Receipt) -> dict[str, Any]:
        doc = {"_id": r.event_id, "hash": r.content_hash, "reused": list(r.reused_hashes)}
        return doc | {"at": datetime.now(UTC)}

    async def add_many(self, receipts: Iterable[Receipt]) -> None:
        docs = [self._doc(r) for r in receipts]
        if docs:
            await self._write(RECEIPTS, (InsertOne(doc) for doc in docs))
            await fault_pause.hold_batch_transaction([doc["_id"] for doc in docs])

    async def save_many(self, receipts: Iterable[Receipt]) -> None:
        await self._replace_all(RECEIPTS, (self._doc(r) for r in receipts))
