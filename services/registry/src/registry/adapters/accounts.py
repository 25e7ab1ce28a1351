"""MongoDB storage of people's accounts and invitations (`users`, `invitations`), and the
read side of the user listing."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from pact_common.mongo import Document, page
from pact_common.paging import Position
from pact_common.permissions import UserRole

from ..domain.account_errors import UserExists
from ..domain.accounts import DEFAULT_NOTIFICATIONS, Invitation, User, UserStatus
from ..service_layer.unit_of_work import InvitationRepository, UserRepository

USERS, INVITATIONS = "users", "invitations"
#: The order of GET /users: creation, then id.
USER_ORDER = [("created_at", ASCENDING), ("_id", ASCENDING)]
_LINKED = {"oidc_iss": {"$type": "string"}}


async def ensure_indexes(db: AsyncDatabase[dict[str, Any]]) -> None:
    await db[USERS].create_indexes(
        [
            IndexModel("email", unique=True),  # stored lower-cased (normalise_email)
            IndexModel(
                [("oidc_iss", ASCENDING), ("oidc_sub", ASCENDING)],
                name="oidc_unique",
                unique=True,
                partialFilterExpression=_LINKED,
            ),
            IndexModel([("partner_id", ASCENDING), *USER_ORDER]),
            IndexModel(USER_ORDER),
        ]
    )
    await db[INVITATIONS].create_indexes([IndexModel("token_hash", unique=True)])


def user_to_doc(user: User) -> dict[str, Any]:
    return {
        "_id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "partner_id": user.partner_id,
        "status": user.status.value,
        "created_at": user.created_at,
        "password_hash": user.password_hash,
        "totp_secret": user.totp_secret,
        "totp_pending": user.totp_pending,
        "totp_last_step": user.totp_last_step,
        "oidc_iss": user.oidc[0] if user.oidc else None,
        "oidc_sub": user.oidc[1] if user.oidc else None,
        "notifications": dict(user.notifications),
        "version": user.version,
    }


def user_from_doc(doc: dict[str, Any]) -> User:
    return User(
        id=doc["_id"],
        email=doc["email"],
        name=doc["name"],
        role=UserRole(doc["role"]),
        partner_id=doc.get("partner_id"),
        created_at=doc["created_at"],
        status=UserStatus(doc["status"]),
        password_hash=doc.get("password_hash"),
        totp_secret=doc.get("totp_secret"),
        totp_pending=doc.get("totp_pending"),
        totp_last_step=doc.get("totp_last_step"),
        oidc=(doc["oidc_iss"], doc["oidc_sub"]) if doc.get("oidc_iss") else None,
        notifications={**DEFAULT_NOTIFICATIONS, **doc.get("notifications", {})},
        version=doc.get("version", 1),
    )


def _stored(doc: dict[str, Any]) -> dict[str, Any]:
    """A user's document without its empty OIDC link (the partial unique index skips it)."""
    if doc["oidc_iss"] is None:
        doc.pop("oidc_iss")
        doc.pop("oidc_sub")
    return doc


class MongoUserRepository(UserRepository):
    def __init__(self, db: AsyncDatabase[dict[str, Any]], session: AsyncClientSession) -> None:
        super().__init__()
        self._users = db[USERS]
        self._session = session

    async def _one(self, where: Document) -> User | None:
        doc = await self._users.find_one(where, session=self._session)
        return user_from_doc(doc) if doc else None

    async def get(self, user_id: str) -> User | None:
        return await self._one({"_id": user_id})

    async def by_email(self, email: str) -> User | None:
        return await self._one({"email": email})

    async def by_oidc(self, issuer: str, subject: str) -> User | None:
        return await self._one({"oidc_iss": issuer, "oidc_sub": subject})

    async def _add(self, user: User) -> None:
        try:
            await self._users.insert_one(_stored(user_to_doc(user)), session=self._session)
        except DuplicateKeyError as exc:
            raise UserExists(
                f"there is an account for {user.email} already", field="email"
            ) from exc

    async def _save(self, user: User) -> None:
        doc = user_to_doc(user)
        doc.pop("_id")
        unset = {k: "" for k in ("oidc_iss", "oidc_sub") if doc[k] is None}
        update: dict[str, Any] = {"$set": {k: v for k, v in doc.items() if k not in unset}}
        if unset:
            update["$unset"] = unset
        try:
            await self._users.update_one({"_id": user.id}, update, session=self._session)
        except DuplicateKeyError as exc:
            raise UserExists(
                "that identity is linked to another account", field="id_token"
            ) from exc

    async def unpublished(self, limit: int) -> list[str]:
        where = {"version": {"$exists": False}}
        docs = await self._users.find(where, {"_id": 1}, session=self._session).to_list(limit)
        return [d["_id"] for d in docs]

    async def count_in(self, partner_id: str) -> int:
        return await self._users.count_documents({"partner_id": partner_id}, session=self._session)

    async def active_coordinators(self, partner_id: str) -> int:
        where = {"partner_id": partner_id, "role": "coordinator", "status": "active"}
        marked = await self._users.update_many(
            where, {"$inc": {"coordinators_seen": 1}}, session=self._session
        )
        return marked.matched_count


def invitation_to_doc(invitation: Invitation) -> dict[str, Any]:
    return {
        "_id": invitation.id,
        "token_hash": invitation.token_hash,
        "email": invitation.email,
        "role": invitation.role.value,
        "partner_id": invitation.partner_id,
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
        "created_by": invitation.created_by,
        "used_at": invitation.used_at,
    }


class MongoInvitationRepository(InvitationRepository):
    def __init__(self, db: AsyncDatabase[dict[str, Any]], session: AsyncClientSession) -> None:
        self._invitations = db[INVITATIONS]
        self._session = session

    async def by_token_hash(self, token_hash: str) -> Invitation | None:
        doc = await self._invitations.find_one({"token_hash": token_hash}, session=self._session)
        if doc is None:
            return None
        return Invitation(
            id=doc["_id"],
            token_hash=doc["token_hash"],
            email=doc["email"],
            role=UserRole(doc["role"]),
            partner_id=doc.get("partner_id"),
            created_at=doc["created_at"],
            expires_at=doc["expires_at"],
            created_by=doc["created_by"],
            used_at=doc.get("used_at"),
        )

    async def add(self, invitation: Invitation) -> None:
        await self._invitations.insert_one(invitation_to_doc(invitation), session=self._session)

    async def save(self, invitation: Invitation) -> None:
        doc = invitation_to_doc(invitation)
        await self._invitations.replace_one({"_id": invitation.id}, doc, session=self._session)


class UserViews:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._users = db[USERS]

    async def users(
        self, partner_id: str | None, limit: int, start: Position | None
    ) -> list[dict[str, Any]]:
        """One page of users (of one organisation, or all: None)."""
        where = {} if partner_id is None else {"partner_id": partner_id}
        _, docs = await page(self._users, where, USER_ORDER, 0, limit, start)
        return docs
