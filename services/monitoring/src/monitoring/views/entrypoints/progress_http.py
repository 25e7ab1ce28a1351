"""Progress as partners and the secretariat read it: what was refused and why, one
commitment's progress (with its firing alerts), a partnership's sums and targets."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from monitoring.core.adapters.documents import commitment_from
from monitoring.core.domain.errors import CommitmentNotFound, PartnershipNotFound
from monitoring.core.domain.forecast import Forecast, forecast
from monitoring.core.domain.model import is_measured
from monitoring.core.domain.rollups import PARTNERSHIP
from monitoring.core.domain.rules import as_of_date, recent_of
from monitoring.views.adapters.aggregate_views import AggregateViews
from monitoring.views.adapters.progress_views import MonitoringViews, RejectionFilter
from monitoring.views.entrypoints import progress_schemas as s
from monitoring.views.entrypoints.aggregates_http import too_few
from pact_common.auth import CurrentPrincipal
from pact_common.clock import Clock
from pact_common.http import PROBLEMS
from pact_common.mongo import matching
from pact_contracts import RejectionReason

#: commitment ids are the commitments service's: `c-` and hex, or what tests give
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"


def projected(doc: dict[str, Any], today: date) -> Forecast | None:
    """Where the commitment ends at the deadline at its recent pace against its plan, as
    the at-risk rule sees it."""
    p = commitment_from(doc)
    if not is_measured(p.commitment.status):
        return None
    as_of = as_of_date(p, today)
    return forecast(p.commitment.target, p.achieved, as_of, recent_of(p, as_of))


def progress_router(views: MonitoringViews, aggregates: AggregateViews, clock: Clock) -> APIRouter:
    """Reads of progress and rejections, on the views bootstrap built."""
    router = APIRouter(tags=["progress"])

    @router.get(
        "/progress/commitments",
        response_model=s.CommitmentProgressPage,
        responses={k: PROBLEMS[k] for k in (401, 403, 422)},
    )
    async def list_commitment_progress(
        principal: CurrentPrincipal,
        partner: str | None = None,
        partnership: str | None = None,
        after: Annotated[
            str | None,
            Query(pattern=ID_PATTERN, description="`next` of the previous page."),
        ] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> s.CommitmentProgressPage:
        """Progress of many commitments at once, in id order (what the portal's dashboard
        draws): a partner's own, the secretariat's any partner's or partnership's."""
        where = matching(
            partner_id=principal.scope(partner, may="see its own commitments", field="partner"),
            partnership_id=partnership,
        )
        docs = await views.commitments(where, after, limit)
        firing = await views.firing_of([f"commitment:{d['_id']}" for d in docs])
        today = clock().date()
        items = [
            s.CommitmentProgress.from_doc(
                d, firing.get(f"commitment:{d['_id']}", []), projected(d, today)
            )
            for d in docs
        ]
        return s.CommitmentProgressPage(
            items=items, next=docs[-1]["_id"] if len(docs) == limit else None
        )

    @router.get(
        "/progress/rejections",
        response_model=s.RejectionPage,
        responses={k: PROBLEMS[k] for k in (401, 403, 422)},
    )
    async def list_rejections(
        principal: CurrentPrincipal,
        partner_id: str | None = None,
        commitment_id: str | None = None,
        reason: RejectionReason | None = None,
        before: Annotated[
            str | None,
            Query(
                pattern=s.CURSOR_PATTERN, max_length=300, description="`next` of the previous page."
            ),
        ] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> s.RejectionPage:
        """Rejected reports, newest first: a partner sees its own, the secretariat all."""
        f = RejectionFilter(
            principal.scope(partner_id, may="list its own rejections"),
            commitment_id,
            reason.value if reason else None,
            s.parse_cursor(before) if before else None,
        )
        docs = await views.rejections(f, limit)
        return s.RejectionPage(
            items=[s.Rejection.from_doc(d) for d in docs],
            next=s.cursor(docs[-1]) if len(docs) == limit else None,
        )

    @router.get(
        "/progress/commitments/{commitment_id}",
        response_model=s.CommitmentProgress,
        responses={k: PROBLEMS[k] for k in (401, 403, 404)},
    )
    async def commitment_progress(
        commitment_id: str, principal: CurrentPrincipal
    ) -> s.CommitmentProgress:
        """Progress of one commitment: its owner's and the secretariat's to see."""
        doc = await views.commitment(commitment_id)
        if doc is None:
            raise CommitmentNotFound(f"no commitment {commitment_id}", field="commitment_id")
        principal.require_partner_or_secretariat(doc["partner_id"])
        alerts = await views.firing_alerts(f"commitment:{commitment_id}")
        return s.CommitmentProgress.from_doc(doc, alerts, projected(doc, clock().date()))

    @router.get(
        "/progress/partnerships/{partnership_id}",
        response_model=s.PartnershipProgress,
        responses={k: PROBLEMS[k] for k in (401, 403, 404)},
    )
    async def partnership_progress(
        partnership_id: str, principal: CurrentPrincipal
    ) -> s.PartnershipProgress:
        """Sums over the partnership's commitments, and its targets' progress; a partner reads
        them when they come from at least 3 partners."""
        known, rollup = await views.partnership(partnership_id)
        targets = await views.targets(partnership_id)
        if known is None and rollup is None and not targets:
            raise PartnershipNotFound(f"no partnership {partnership_id}", field="partnership_id")
        if not principal.is_secretariat and await aggregates.suppressed(
            PARTNERSHIP, partnership_id
        ):
            raise too_few(PARTNERSHIP, partnership_id)
        return s.PartnershipProgress.from_docs(partnership_id, known, rollup, targets)

    return router
