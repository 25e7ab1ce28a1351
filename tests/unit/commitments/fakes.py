"""In-memory doubles of the commitments service's ports (subclasses, not mocks)."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any

from commitments.domain.cells import CallForPledges
from commitments.domain.events import DomainEvent
from commitments.domain.model import Commitment, CommitmentStatus, PartnershipTarget
from commitments.domain.partners import PartnershipView, PartnerStatus, PartnerView
from commitments.domain.values import Actor, Milestone
from commitments.service_layer.unit_of_work import (
    CallRepository,
    CommitmentRepository,
    PartnershipViewRepository,
    PartnerViewRepository,
    TargetRepository,
    UnitOfWork,
)

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
PARTNER_ID = "p-acme"
PARTNER = Actor(subject=PARTNER_ID, partner_id=PARTNER_ID)
OTHER = Actor(subject="p-other", partner_id="p-other")
SECRETARIAT = Actor(subject="secretariat")
ACTIVE_PARTNER = PartnerView(PARTNER_ID, 2, PartnerStatus.ACTIVE, ("digital-ecosystem",))


def clock() -> datetime:
    return NOW


def pledge_fields(**changes: Any) -> dict[str, Any]:
    """What PledgeCommitment takes: the cloud provider's pledge of DOMAIN.md."""
    fields: dict[str, Any] = {
        "actor": PARTNER,
        "partner_id": PARTNER_ID,
        "partnership_id": "digital-ecosystem",
        "title": "Cloud and cybersecurity skills for 5,000 workers",
        "principle": "lifelong_learning",
        "action_type": "reskilling",
        "specialisations": ("cloud", "cybersecurity"),
        "levels": ("advanced",),
        "countries": ("DE", "FR"),
        "target_value": 5000,
        "start_date": date(2026, 1, 1),
        "deadline": date(2027, 12, 31),
        "cadence": "quarterly",
        "grace_days": 30,
        "milestones": (
            Milestone(date(2026, 6, 30), 1000),
            Milestone(date(2026, 12, 31), 2500),
        ),
    }
    fields.update(changes)
    return fields


class Store:
    """What the fake repositories keep between units of work (copies, as a database)."""

    def __init__(self) -> None:
        self.commitments: dict[str, Commitment] = {}
        self.history: list[DomainEvent] = []
        self.partners: dict[str, PartnerView] = {}
        self.holds: dict[str, int] = {}
        self.partnerships: dict[str, PartnershipView] = {
            "digital-ecosystem": PartnershipView(
                "digital-ecosystem", "Digital Ecosystem Skills Partnership", "digital"
            )
        }
        self.targets: dict[str, PartnershipTarget] = {}
        self.calls: dict[str, CallForPledges] = {}
        self.published: list[DomainEvent] = []


class FakeCommitmentRepository(CommitmentRepository):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    async def _get(self, commitment_id: str) -> Commitment | None:
        found = self.store.commitments.get(commitment_id)
        return copy.deepcopy(found) if found else None

    async def _of_partner(
        self, partner_id: str, statuses: frozenset[CommitmentStatus]
    ) -> list[Commitment]:
        return [
            copy.deepcopy(c)
            for c in self.store.commitments.values()
            if c.terms.partner_id == partner_id and c.status in statuses
        ]

    async def _add(self, commitment: Commitment) -> None:
        await self.save(commitment)

    async def save(self, commitment: Commitment) -> None:
        stored_version = getattr(self.store.commitments.get(commitment.id), "version", 0)
        self.store.history.extend(e for e in commitment.events if e.version > stored_version)
        stored = copy.deepcopy(commitment)
        stored.events = []
        self.store.commitments[commitment.id] = stored


class FakePartnerViewRepository(PartnerViewRepository):
    """`latest`: the store as committed, which newer_by_now reads past the unit of work's
    copy (its snapshot)."""

    def __init__(self, store: Store, latest: Store | None = None) -> None:
        self.store = store
        self.latest = latest or store

    async def newer_by_now(self, partner_id: str, version: int | None) -> bool:
        found = self.latest.partners.get(partner_id)
        return found is not None and (version is None or found.version > version)

    async def get(self, partner_id: str) -> PartnerView | None:
        return self.store.partners.get(partner_id)

    async def put(self, partner: PartnerView) -> None:
        self.store.partners[partner.partner_id] = partner

    async def hold(self, partner_id: str) -> None:
        self.store.holds[partner_id] = self.store.holds.get(partner_id, 0) + 1


class FakePartnershipViewRepository(PartnershipViewRepository):
    def __init__(self, store: Store) -> None:
        self.store = store

    async def get(self, partnership_id: str) -> PartnershipView | None:
        return self.store.partnerships.get(partnership_id)

    async def put(self, partnership: PartnershipView) -> None:
        self.store.partnerships[partnership.partnership_id] = partnership


class FakeTargetRepository(TargetRepository):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    async def _add(self, target: PartnershipTarget) -> None:
        self.store.targets[target.id] = copy.deepcopy(target)

    async def _get(self, target_id: str) -> PartnershipTarget | None:
        found = self.store.targets.get(target_id)
        return copy.deepcopy(found) if found else None


class FakeCallRepository(CallRepository):
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add(self, call: CallForPledges) -> None:
        self.store.calls[call.id] = call


class FakeUnitOfWork(UnitOfWork):
    """A transaction: the repositories work on a copy of the store that replaces it on
    commit, events included; leaving without commit leaves the store as it was."""

    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()
        self.committed = 0

    async def __aenter__(self) -> FakeUnitOfWork:
        self._working = copy.deepcopy(self.store)
        self.commitments = FakeCommitmentRepository(self._working)
        self.partners = FakePartnerViewRepository(self._working, latest=self.store)
        self.partnerships = FakePartnershipViewRepository(self._working)
        self.targets = FakeTargetRepository(self._working)
        self.calls = FakeCallRepository(self._working)
        return self

    async def commit(self) -> None:
        self._working.published.extend(e for e, _ in self.collect_new_events())
        self.store.__dict__.update(copy.deepcopy(self._working).__dict__)
        self.committed += 1
