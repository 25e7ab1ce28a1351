"""MongoDB storage: commitments (current version), their history (one document per version,
append-only, in its own collection), partnership targets, and the read model of partners
and partnerships kept from the registry's events."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from pact_common.mongo import newer_than

from ..domain.errors import ConcurrentUpdate
from ..domain.events import CommitmentAmended, CommitmentEvent
from ..domain.model import Commitment, CommitmentStatus, PartnershipTarget
from ..domain.partners import PartnershipView, PartnerStatus, PartnerView
from ..service_layer.unit_of_work import (
    CommitmentRepository,
    PartnershipViewRepository,
    PartnerViewRepository,
    TargetRepository,
)
from .calls import cells_doc, cells_from
from .documents import target_from_doc, target_to_doc, terms_from_doc, terms_to_doc

COMMITMENTS, HISTORY, TARGETS = "commitments", "commitment_history", "partnership_targets"
PARTNERS, PARTNERSHIPS = "partners", "partnerships"
Db = AsyncDatabase[dict[str, Any]]

#: GET /commitments lists in pledge order; each filter has an index ending in that order.
LIST_ORDER = [("pledged_at", ASCENDING), ("_id", ASCENDING)]
FILTERED_FIELDS = (
    "partner_id", "partnership_id", "status", "countries", "levels", "specialisations"
)  # fmt: skip


async def ensure_indexes(db: Db) -> None:
    await db[COMMITMENTS].create_indexes(
        [
            IndexModel(LIST_ORDER),
            *(IndexModel([(f, ASCENDING), *LIST_ORDER]) for f in FILTERED_FIELDS),
            IndexModel([("deadline", ASCENDING), ("_id", ASCENDING)]),
        ]
    )
    await db[HISTORY].create_index(
        [("commitment_id", ASCENDING), ("version", ASCENDING)], unique=True
    )
    await db[TARGETS].create_index([("partnership_id", ASCENDING), ("set_at", ASCENDING)])
    await db[TARGETS].create_index([("set_at", ASCENDING), ("_id", ASCENDING)])


def commitment_to_doc(commitment: Commitment) -> dict[str, Any]:
    return {
        "_id": commitment.id,
        **terms_to_doc(commitment.terms),
        "status": commitment.status.value,
        "version": commitment.version,
        "pledged_at": commitment.pledged_at,
        "updated_at": commitment.updated_at,
    }


def commitment_from_doc(doc: dict[str, Any]) -> Commitment:
    return Commitment(
        id=doc["_id"],
        terms=terms_from_doc(doc),
        pledged_at=doc["pledged_at"],
        status=CommitmentStatus(doc["status"]),
        version=doc["version"],
        updated_at=doc.get("updated_at"),
    )


def history_doc(event: CommitmentEvent) -> dict[str, Any]:
    """One version of a commitment: what happened, who, why, and the whole commitment after."""
    changed = event.changed_fields if isinstance(event, CommitmentAmended) else ()
    return {
        "_id": f"{event.commitment_id}:{event.version}",
        "commitment_id": event.commitment_id,
        "version": event.version,
        "event_type": event.name,
        "occurred_at": event.occurred_at,
        "actor": event.actor,
        "reason": event.reason,
        "changed_fields": list(changed),
        "caused_by": event.caused_by,
        "status": event.status.value,
        "commitment": terms_to_doc(event.terms),
    }


class _Repo:
    """What every repository here holds: the database, and the unit of work's session."""

    def __init__(self, db: Db, session: AsyncClientSession) -> None:
        super().__init__()  # a SeenAggregates port starts remembering
        self._db = db
        self._session = session


class MongoCommitmentRepository(_Repo, CommitmentRepository):
    def __init__(self, db: Db, session: AsyncClientSession) -> None:
        super().__init__(db, session)
        self._stored_versions: dict[str, int] = {}

    async def _get(self, commitment_id: str) -> Commitment | None:
        doc = await self._db[COMMITMENTS].find_one({"_id": commitment_id}, session=self._session)
        return self._loaded(doc) if doc else None

    async def _of_partner(
        self, partner_id: str, statuses: frozenset[CommitmentStatus]
    ) -> list[Commitment]:
        query = {"partner_id": partner_id, "status": {"$in": sorted(s.value for s in statuses)}}
        docs = await self._db[COMMITMENTS].find(query, session=self._session).to_list()
        return [self._loaded(d) for d in docs]

    def _loaded(self, doc: dict[str, Any]) -> Commitment:
        self._stored_versions[doc["_id"]] = doc["version"]
        return commitment_from_doc(doc)

    async def _add(self, commitment: Commitment) -> None:
        await self._db[COMMITMENTS].insert_one(commitment_to_doc(commitment), session=self._session)
        await self._append_history(commitment, stored_version=0)

    async def save(self, commitment: Commitment) -> None:
        stored = self._stored_versions.get(commitment.id, -1)
        doc = commitment_to_doc(commitment)
        doc.pop("_id")
        result = await self._db[COMMITMENTS].update_one(
            {"_id": commitment.id, "version": stored}, {"$set": doc}, session=self._session
        )
        if result.matched_count != 1:
            raise ConcurrentUpdate(f"commitment {commitment.id} was changed meanwhile; try again")
        await self._append_history(commitment, stored)

    async def _append_history(self, commitment: Commitment, stored_version: int) -> None:
        """Insert-only: a version's entry is written once (unique commitment_id+version)."""
        new = [e for e in commitment.events if e.version > stored_version]
        if new:
            await self._db[HISTORY].insert_many(
                [history_doc(e) for e in new], session=self._session
            )
        self._stored_versions[commitment.id] = commitment.version


class MongoPartnerViewRepository(_Repo, PartnerViewRepository):
    async def get(self, partner_id: str) -> PartnerView | None:
        doc = await self._db[PARTNERS].find_one({"_id": partner_id}, session=self._session)
        return partner_from_doc(doc) if doc else None

    async def put(self, partner: PartnerView) -> None:
        await self._db[PARTNERS].update_one(
            {"_id": partner.partner_id},
            {
                "$set": {
                    "version": partner.version,
                    "status": partner.status.value,
                    "partnerships": list(partner.partnerships),
                    "credential_version": partner.credential_version,
                }
            },
            upsert=True,
            session=self._session,
        )

    async def newer_by_now(self, partner_id: str, version: int | None) -> bool:
        # outside the session: what every reader sees, not the transaction's snapshot
        query = newer_than({partner_id: version})
        return await self._db[PARTNERS].find_one(query, {"_id": 1}) is not None

    async def hold(self, partner_id: str) -> None:
        await self._db[PARTNERS].update_one(
            {"_id": partner_id}, {"$inc": {"pledges": 1}}, session=self._session
        )


def partner_from_doc(doc: dict[str, Any]) -> PartnerView:
    return PartnerView(
        partner_id=doc["_id"],
        version=doc["version"],
        status=PartnerStatus(doc["status"]),
        partnerships=tuple(doc["partnerships"]),
        credential_version=doc.get("credential_version", 1),
    )


class MongoPartnershipViewRepository(_Repo, PartnershipViewRepository):
    async def get(self, partnership_id: str) -> PartnershipView | None:
        doc = await self._db[PARTNERSHIPS].find_one({"_id": partnership_id}, session=self._session)
        return PartnershipView(doc["_id"], doc["name"], doc["ecosystem"]) if doc else None

    async def put(self, partnership: PartnershipView) -> None:
        await self._db[PARTNERSHIPS].update_one(
            {"_id": partnership.partnership_id},
            {"$set": {"name": partnership.name, "ecosystem": partnership.ecosystem}},
            upsert=True,
            session=self._session,
        )


def target_doc(target: PartnershipTarget) -> dict[str, Any]:
    return {
        "_id": target.id,
        "partnership_id": target.partnership_id,
        "title": target.title,
        **target_to_doc(target.target),
        "version": target.version,
        "set_at": target.set_at,
        "cells": cells_doc(target.cells),
    }


class MongoTargetRepository(_Repo, TargetRepository):
    async def _add(self, target: PartnershipTarget) -> None:
        await self._db[TARGETS].insert_one(target_doc(target), session=self._session)

    async def _get(self, target_id: str) -> PartnershipTarget | None:
        doc = await self._db[TARGETS].find_one({"_id": target_id}, session=self._session)
        if doc is None:
            return None
        return PartnershipTarget(
            doc["_id"],
            doc["partnership_id"],
            doc["title"],
            target_from_doc(doc),
            set_at=doc["set_at"],
            version=doc["version"],
            cells=cells_from(doc.get("cells")),
        )
