"""Unique learners (issue 17): distinct people per commitment, partner and partnership and
year, merged from the learners sketches partners attach to their reports, with the
sketch's error bounds (2 standard deviations), beside the summed people trained (which
counts a learner once per period, commitment and partner); and how many learners partners
of a partnership share (|A| + |B| - |A or B|). A partner reads its own commitments and
itself, and a partnership whose figures come from at least 3 partners, with its own share
of the partnership's learners; the secretariat reads every partner and every pair."""

from __future__ import annotations

import math
from itertools import combinations
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from pymongo.asynchronous.database import AsyncDatabase

from monitoring.core.adapters import lanes
from monitoring.core.adapters.learner_sketches import sketches_of, union, unique
from monitoring.core.adapters.repository import SKETCHES
from monitoring.core.domain.errors import CommitmentNotFound
from monitoring.core.domain.learners import LearnerScope, Unique, learners_key, member, overlap
from monitoring.core.domain.progress import CommitmentProgress
from monitoring.core.domain.rollups import PARTNERSHIP
from monitoring.views.adapters.aggregate_views import AggregateViews
from monitoring.views.entrypoints.aggregates_http import too_few
from pact_common.auth import CurrentPrincipal
from pact_common.http import problems

Year = Annotated[int, Query(ge=2020, le=2100, description="The year: periods that begin in it.")]


class UniquePeople(BaseModel):
    estimate: int = Field(description="Distinct people, estimated.", examples=[1700])
    lower: int = Field(description="Lower bound (2 standard deviations).", examples=[1664])
    upper: int = Field(description="Upper bound (2 standard deviations).", examples=[1737])

    @classmethod
    def of(cls, u: Unique) -> UniquePeople:
        return cls(estimate=u.people, lower=math.floor(u.lower), upper=math.ceil(u.upper))


class Learners(BaseModel):
    scope: str = Field(description="commitment, partner or partnership.", examples=["partner"])
    id: str = Field(description="Its id.", examples=["p-3f2a9c1e"])
    year: int = Field(examples=[2026])
    unique: UniquePeople | None = Field(
        description="Distinct learners of the reports with a learners sketch; null: none had one."
    )
    people_trained: int = Field(
        description="People trained as reported (summed over periods and commitments, so a "
        "learner may count more than once).",
        examples=[2000],
    )


class MemberLearners(Learners):
    shared_with_others: UniquePeople | None = Field(
        description="Its learners who are learners of other partners of the partnership too."
    )


class Overlap(BaseModel):
    partners: tuple[str, str] = Field(examples=[["p-acme", "p-nordic"]])
    shared: UniquePeople


class PartnershipLearners(Learners):
    partners: list[MemberLearners] = Field(
        description="Each partner's learners in the partnership (a partner: its own only)."
    )
    overlaps: list[Overlap] = Field(
        description="Learners shared by each pair of partners (the secretariat's to see)."
    )


def trained(progress: list[CommitmentProgress], year: int) -> int:
    prefix = f"{year}-"
    return sum(
        p.figures.people_trained
        for c in progress
        for name, p in c.periods.items()
        if name.startswith(prefix)
    )


def learners_router(db: AsyncDatabase[dict[str, object]], views: AggregateViews) -> APIRouter:
    router = APIRouter(tags=["learners"])

    async def sketches(keys: list[str]) -> dict[str, bytes]:
        return sketches_of(await db[SKETCHES].find(lanes.of_keys(keys)).to_list())

    async def one(scope: LearnerScope, subject: str, year: int) -> UniquePeople | None:
        key = learners_key(scope, subject, year)
        found = (await sketches([key])).get(key)
        return UniquePeople.of(unique(found)) if found is not None else None

    @router.get(
        "/learners/commitments/{commitment_id}",
        response_model=Learners,
        responses=problems(401, 403, 404),
    )
    async def of_commitment(
        commitment_id: str, year: Year, principal: CurrentPrincipal
    ) -> Learners:
        """A commitment's distinct learners in the year: its owner's and the secretariat's."""
        progress = await views.progress({"_id": commitment_id})
        if not progress:
            raise CommitmentNotFound(f"no commitment {commitment_id}", field="commitment_id")
        principal.require_partner_or_secretariat(progress[0].commitment.partner_id)
        return Learners(
            scope="commitment",
            id=commitment_id,
            year=year,
            unique=await one(LearnerScope.COMMITMENT, commitment_id, year),
            people_trained=trained(progress, year),
        )

    @router.get(
        "/learners/partners/{partner_id}", response_model=Learners, responses=problems(401, 403)
    )
    async def of_partner(partner_id: str, year: Year, principal: CurrentPrincipal) -> Learners:
        """A partner's distinct learners in the year, over all its commitments."""
        principal.require_partner_or_secretariat(partner_id)
        return Learners(
            scope="partner",
            id=partner_id,
            year=year,
            unique=await one(LearnerScope.PARTNER, partner_id, year),
            people_trained=trained(await views.progress({"partner_id": partner_id}), year),
        )

    @router.get(
        "/learners/partnerships/{partnership_id}",
        response_model=PartnershipLearners,
        responses=problems(401, 403),
    )
    async def of_partnership(
        partnership_id: str, year: Year, principal: CurrentPrincipal
    ) -> PartnershipLearners:
        """A partnership's distinct learners in the year, each partner's, and the learners
        partners share. A partner reads it when its figures come from at least 3 partners,
        with its own row only."""
        if not principal.is_secretariat and await views.suppressed(PARTNERSHIP, partnership_id):
            raise too_few(PARTNERSHIP, partnership_id)
        progress = await views.progress({"partnership_id": partnership_id})
        partner_ids = sorted({c.commitment.partner_id for c in progress})
        keys = {
            p: learners_key(LearnerScope.MEMBER, member(partnership_id, p), year)
            for p in partner_ids
        }
        everyone_key = learners_key(LearnerScope.PARTNERSHIP, partnership_id, year)
        found = await sketches([everyone_key, *keys.values()])
        own = {p: unique(found[k]) for p, k in keys.items() if k in found}
        everyone = unique(found[everyone_key]) if everyone_key in found else None
        shown = partner_ids if principal.is_secretariat else [principal.partner_id or ""]
        rows = []
        for p in (p for p in shown if p in partner_ids):
            others = [found[k] for q, k in keys.items() if q != p and k in found]
            shared = None
            if p in own and others and everyone is not None:
                shared = UniquePeople.of(overlap(own[p], unique(union(others)), everyone))
            rows.append(
                MemberLearners(
                    scope="member",
                    id=p,
                    year=year,
                    unique=UniquePeople.of(own[p]) if p in own else None,
                    people_trained=trained(
                        [c for c in progress if c.commitment.partner_id == p], year
                    ),
                    shared_with_others=shared,
                )
            )
        pairs = []
        if principal.is_secretariat:
            for a, b in combinations(sorted(own), 2):
                both = unique(union([found[keys[a]], found[keys[b]]]))
                pairs.append(
                    Overlap(partners=(a, b), shared=UniquePeople.of(overlap(own[a], own[b], both)))
                )
        return PartnershipLearners(
            scope="partnership",
            id=partnership_id,
            year=year,
            unique=UniquePeople.of(everyone) if everyone is not None else None,
            people_trained=trained(progress, year),
            partners=rows,
            overlaps=pairs,
        )

    return router
