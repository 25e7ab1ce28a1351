"""The unit of work port: repositories plus an atomic commit of state and events."""

from __future__ import annotations

import abc
from collections.abc import Iterable
from typing import Any

from pact_common.aggregates import EventCollectingUnitOfWork, SeenAggregates

from ..domain.accounts import Invitation, User
from ..domain.api_keys import ApiKey
from ..domain.model import Partner
from ..domain.partnership import Partnership


class PartnerRepository(SeenAggregates[Partner]):
    """Partners by id, by credentials and by the uniqueness rules."""

    async def get(self, partner_id: str) -> Partner | None:
        partner = await self._get(partner_id)
        self._saw(partner)
        return partner

    @abc.abstractmethod
    async def _get(self, partner_id: str) -> Partner | None: ...

    @abc.abstractmethod
    async def save(self, partner: Partner) -> None:
        """Store changes; raises ConcurrentUpdate if someone else changed it meanwhile."""

    @abc.abstractmethod
    async def delete(self, partner: Partner) -> None:
        """Remove a partner's record, its audit trail kept (with its new transitions);
        raises ConcurrentUpdate if someone else changed it meanwhile."""

    @abc.abstractmethod
    async def id_by_api_key_hash(self, api_key_hash: str) -> str | None: ...

    @abc.abstractmethod
    async def find_duplicate(self, partner: Partner) -> tuple[str, str] | None:
        """(field, existing partner id) of another partner holding the same legal
        identifier or the same normalised name (domain.identity.HOLDS_IDENTITY)."""


class PartnershipRepository(SeenAggregates[Partnership]):
    @abc.abstractmethod
    async def get(self, partnership_id: str) -> Partnership | None: ...


class UserRepository(SeenAggregates[User]):
    """People's accounts (domain.accounts): an account added or saved publishes the events
    it recorded (PersonUpdated) on commit."""

    @abc.abstractmethod
    async def get(self, user_id: str) -> User | None: ...

    @abc.abstractmethod
    async def by_email(self, email: str) -> User | None:
        """`email` normalised (domain.accounts.normalise_email)."""

    @abc.abstractmethod
    async def by_oidc(self, issuer: str, subject: str) -> User | None: ...

    @abc.abstractmethod
    async def _add(self, user: User) -> None:
        """Raises UserExists when another user has the email or the OIDC identity."""

    async def save(self, user: User) -> None:
        await self._save(user)
        self._saw(user)

    @abc.abstractmethod
    async def _save(self, user: User) -> None: ...

    @abc.abstractmethod
    async def unpublished(self, limit: int) -> list[str]:
        """Ids of accounts made before accounts were published (PersonUpdated)."""

    @abc.abstractmethod
    async def count_in(self, partner_id: str) -> int:
        """How many users (of any status) the organisation has."""

    @abc.abstractmethod
    async def active_coordinators(self, partner_id: str) -> int:
        """How many active coordinators the organisation has, marking them so that two
        transactions counting them at once conflict (one is retried)."""


class InvitationRepository(abc.ABC):
    @abc.abstractmethod
    async def by_token_hash(self, token_hash: str) -> Invitation | None: ...

    @abc.abstractmethod
    async def add(self, invitation: Invitation) -> None: ...

    @abc.abstractmethod
    async def save(self, invitation: Invitation) -> None: ...


class ApiKeyRepository(abc.ABC):
    """A partner's extra API keys (domain.api_keys)."""

    @abc.abstractmethod
    async def by_hash(self, key_hash: str) -> ApiKey | None: ...

    @abc.abstractmethod
    async def count_of(self, partner_id: str) -> int: ...

    @abc.abstractmethod
    async def add(self, key: ApiKey) -> None: ...

    @abc.abstractmethod
    async def delete(self, partner_id: str, key_id: str) -> bool:
        """Whether the partner had that key."""


class UnitOfWork(EventCollectingUnitOfWork):
    partners: PartnerRepository
    partnerships: PartnershipRepository
    users: UserRepository
    invitations: InvitationRepository
    api_keys: ApiKeyRepository

    def _repositories(self) -> Iterable[SeenAggregates[Any]]:
        return (self.partners, self.partnerships, self.users)
