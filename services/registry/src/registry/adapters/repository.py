"""MongoDB storage of partners, partnerships and the audit trail."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from ..domain.errors import ConcurrentUpdate, DuplicatePartner
from ..domain.identity import HOLDS_IDENTITY
from ..domain.model import Partner, Profile, Status, Transition
from ..domain.partnership import Partnership
from ..service_layer.unit_of_work import PartnerRepository, PartnershipRepository

PARTNERS, PARTNERSHIPS, HISTORY = "partners", "partnerships", "partner_history"
_PROFILE_FIELDS = [f.name for f in fields(Profile)]
_IDENTIFIERS = ("vat", "euid", "pic")


#: a name or identifier is unique among the partners that hold theirs (domain.identity)
_HELD = {"status": {"$in": sorted(s.value for s in HOLDS_IDENTITY)}}
#: the unique indexes of before, over every partner, dropped for the ones over _HELD
_UNIQUE_OVER_ALL = ("name_key_1", *(f"{k}_1" for k in _IDENTIFIERS))


async def ensure_indexes(db: AsyncDatabase[dict[str, Any]]) -> None:
    existing = await db[PARTNERS].index_information()
    for name in _UNIQUE_OVER_ALL:
        if name in existing:
            await db[PARTNERS].drop_index(name)
    await db[PARTNERS].create_indexes(
        [
            IndexModel(
                "name_key", name="name_key_held", unique=True, partialFilterExpression=_HELD
            ),
            IndexModel("api_key_hash", unique=True),
            *(
                IndexModel(
                    k,
                    name=f"{k}_held",
                    unique=True,
                    partialFilterExpression={k: {"$type": "string"}, **_HELD},
                )
                for k in _IDENTIFIERS
            ),
            IndexModel([("registered_at", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("status", ASCENDING), ("registered_at", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("organisation_type", ASCENDING), ("registered_at", ASCENDING)]),
            IndexModel([("countries", ASCENDING), ("registered_at", ASCENDING)]),
            IndexModel([("partnerships", ASCENDING), ("registered_at", ASCENDING)]),
        ]
    )
    await db[HISTORY].create_index(
        [("partner_id", ASCENDING), ("at", ASCENDING), ("seq", ASCENDING)]
    )
    await db[PARTNERSHIPS].create_index([("created_at", DESCENDING)])


def partner_to_doc(partner: Partner) -> dict[str, Any]:
    doc = {k: v for k, v in asdict(partner.profile).items()}
    doc["countries"] = list(partner.profile.countries)
    doc.update(
        _id=partner.id,
        name_key=partner.profile.name_key,
        partnerships=list(partner.partnerships),
        api_key_hash=partner.api_key_hash,
        registered_at=partner.registered_at,
        status=partner.status.value,
        version=partner.version,
        webhook_secret_version=partner.webhook_secret_version,
        webhook_previous_secret_until=partner.webhook_previous_secret_until,
        credential_version=partner.credential_version,
    )
    return doc


def partner_from_doc(doc: dict[str, Any]) -> Partner:
    profile = Profile(
        **{k: doc.get(k) for k in _PROFILE_FIELDS} | {"countries": tuple(doc["countries"])}
    )
    return Partner(
        id=doc["_id"],
        profile=profile,
        partnerships=list(doc["partnerships"]),
        api_key_hash=doc["api_key_hash"],
        registered_at=doc["registered_at"],
        status=Status(doc["status"]),
        version=doc["version"],
        webhook_secret_version=doc.get("webhook_secret_version", 0),
        webhook_previous_secret_until=doc.get("webhook_previous_secret_until"),
        credential_version=doc.get("credential_version", 1),
    )


def _duplicate_field(exc: DuplicateKeyError) -> str:
    key = (exc.details or {}).get("keyPattern", {})
    return next(iter(key), "legal_name")


class MongoPartnerRepository(PartnerRepository):
    def __init__(self, db: AsyncDatabase[dict[str, Any]], session: AsyncClientSession) -> None:
        super().__init__()
        self._db = db
        self._session = session
        self._loaded_versions: dict[str, int] = {}

    async def _get(self, partner_id: str) -> Partner | None:
        doc = await self._db[PARTNERS].find_one({"_id": partner_id}, session=self._session)
        if doc is None:
            return None
        self._loaded_versions[partner_id] = doc["version"]
        return partner_from_doc(doc)

    async def _add(self, partner: Partner) -> None:
        try:
            await self._db[PARTNERS].insert_one(partner_to_doc(partner), session=self._session)
        except DuplicateKeyError as exc:  # a concurrent registration won the race
            field = _duplicate_field(exc)
            raise DuplicatePartner(
                f"a partner with the same {field} is already registered",
                field="legal_name" if field == "name_key" else field,
                existing_partner_id="",
            ) from exc
        await self._write_history(partner)

    async def save(self, partner: Partner) -> None:
        doc = partner_to_doc(partner)
        doc.pop("_id")
        result = await self._db[PARTNERS].update_one(
            {"_id": partner.id, "version": self._loaded_versions.get(partner.id, -1)},
            {"$set": doc},
            session=self._session,
        )
        if result.matched_count != 1:
            raise ConcurrentUpdate(f"partner {partner.id} was changed meanwhile; try again")
        self._loaded_versions[partner.id] = partner.version
        await self._write_history(partner)

    async def delete(self, partner: Partner) -> None:
        result = await self._db[PARTNERS].delete_one(
            {"_id": partner.id, "version": self._loaded_versions.get(partner.id, -1)},
            session=self._session,
        )
        if result.deleted_count != 1:
            raise ConcurrentUpdate(f"partner {partner.id} was changed meanwhile; try again")
        await self._write_history(partner)

    async def _write_history(self, partner: Partner) -> None:
        if partner.new_transitions:
            await self._db[HISTORY].insert_many(
                [
                    {
                        "partner_id": partner.id,
                        "seq": partner.version * 100 + i,
                        **asdict(t),
                        "changes": list(t.changes),
                    }
                    for i, t in enumerate(partner.new_transitions)
                ],
                session=self._session,
            )
            partner.new_transitions.clear()

    async def id_by_api_key_hash(self, api_key_hash: str) -> str | None:
        doc = await self._db[PARTNERS].find_one(
            {"api_key_hash": api_key_hash}, {"_id": 1}, session=self._session
        )
        return doc["_id"] if doc else None

    async def find_duplicate(self, partner: Partner) -> tuple[str, str] | None:
        clauses: list[dict[str, Any]] = [{"name_key": partner.profile.name_key}]
        clauses += [{k: v} for k, v in partner.profile.identifiers().items()]
        doc = await self._db[PARTNERS].find_one(
            {"$or": clauses, "_id": {"$ne": partner.id}, **_HELD}, session=self._session
        )
        if doc is None:
            return None
        for key, value in partner.profile.identifiers().items():
            if doc.get(key) == value:
                return key, doc["_id"]
        return "legal_name", doc["_id"]


def partnership_to_doc(p: Partnership) -> dict[str, Any]:
    return {
        "_id": p.id,
        "name": p.name,
        "ecosystem": p.ecosystem,
        "description": p.description,
        "created_at": p.created_at,
    }


class MongoPartnershipRepository(PartnershipRepository):
    def __init__(self, db: AsyncDatabase[dict[str, Any]], session: AsyncClientSession) -> None:
        super().__init__()
        self._db = db
        self._session = session

    async def get(self, partnership_id: str) -> Partnership | None:
        doc = await self._db[PARTNERSHIPS].find_one({"_id": partnership_id}, session=self._session)
        if doc is None:
            return None
        return Partnership(
            doc["_id"], doc["name"], doc["ecosystem"], doc["description"], doc["created_at"]
        )

    async def _add(self, partnership: Partnership) -> None:
        await self._db[PARTNERSHIPS].insert_one(
            partnership_to_doc(partnership), session=self._session
        )


def transition_from_doc(doc: dict[str, Any]) -> Transition:
    return Transition(
        at=doc["at"],
        action=doc["action"],
        actor=doc["actor"],
        from_status=doc["from_status"],
        to_status=doc["to_status"],
        reason=doc.get("reason"),
        changes=tuple(doc.get("changes", ())),
    )
