"""Monitoring's HTTP API. Thin: parse, build a command, call a handler, shape the answer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, status

from monitoring.core.domain.commands import SubmitReport
from monitoring.core.domain.errors import CommitmentNotFound, PartnershipNotFound
from monitoring.core.entrypoints import schemas as s
from monitoring.core.service_layer import handlers
from monitoring.core.service_layer.unit_of_work import ReportPublisher
from monitoring.views.adapters.progress_views import MonitoringViews, RejectionFilter
from pact_common.auth import Principal, principal_dependency
from pact_common.errors import DomainError, Forbidden
from pact_contracts import ProgressReported, RejectionReason


@dataclass
class Services:
    """What the routes need; built by bootstrap."""

    views: MonitoringViews
    publisher: ReportPublisher


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


CurrentPrincipal = Annotated[
    Principal, Depends(principal_dependency(lambda r: r.app.state.runtime.verifier))
]
Svc = Annotated[Services, Depends(services)]
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No or bad token"},
    403: {"description": "Not allowed"},
    404: {"description": "Not found"},
    413: {"description": "Body too large"},
    422: {"description": "Invalid input"},
}

router = APIRouter(tags=["progress"])


@router.post(
    "/progress",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=s.Accepted,
    responses={k: PROBLEMS[k] for k in (401, 403, 413, 422)},
)
async def report_progress(
    report: ProgressReported,
    request: Request,
    svc: Svc,
    principal: CurrentPrincipal,
    pact_signature: Annotated[
        str | None, Header(description="Ed25519 signature (base64) of the report.")
    ] = None,
) -> s.Accepted:
    """For partners without Kafka access: the report goes to partners.progress-reported.v1
    as it is and is accepted or rejected like any other (see GET /progress/rejections).
    A report without event_id gets one; a signed report must carry its own."""
    principal.require_partner_or_secretariat(report.partner_id)
    body = await request.body()
    document = json.loads(body)
    if "event_id" not in document:
        if pact_signature is not None:
            raise DomainError("a signed report must carry its event_id", field="event_id")
        document = {"event_id": str(report.event_id), **document}
        body = json.dumps(document).encode()
    cmd = SubmitReport(
        str(report.event_id), report.partner_id, report.commitment_id, body, pact_signature
    )
    return s.Accepted(event_id=await handlers.submit_report(cmd, svc.publisher))


@router.get(
    "/progress/rejections",
    response_model=s.RejectionPage,
    responses={k: PROBLEMS[k] for k in (401, 403, 422)},
)
async def list_rejections(
    svc: Svc,
    principal: CurrentPrincipal,
    partner_id: str | None = None,
    commitment_id: str | None = None,
    reason: RejectionReason | None = None,
    before: Annotated[str | None, Query(description="`next` of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> s.RejectionPage:
    """Rejected reports, newest first: a partner sees its own, the secretariat all."""
    if not principal.is_secretariat:
        if partner_id not in (None, principal.partner_id):
            raise Forbidden(
                f"partner {principal.partner_id} may list its own rejections only",
                field="partner_id",
            )
        partner_id = principal.partner_id
    f = RejectionFilter(
        partner_id,
        commitment_id,
        reason.value if reason else None,
        s.parse_cursor(before) if before else None,
    )
    docs = await svc.views.rejections(f, limit)
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
    commitment_id: str, svc: Svc, principal: CurrentPrincipal
) -> s.CommitmentProgress:
    """Progress of one commitment: its owner's and the secretariat's to see."""
    doc = await svc.views.commitment(commitment_id)
    if doc is None:
        raise CommitmentNotFound(f"no commitment {commitment_id}", field="commitment_id")
    principal.require_partner_or_secretariat(doc["partner_id"])
    alerts = await svc.views.firing_alerts(f"commitment:{commitment_id}")
    return s.CommitmentProgress.from_doc(doc, alerts)


@router.get(
    "/progress/partnerships/{partnership_id}",
    response_model=s.PartnershipProgress,
    responses={k: PROBLEMS[k] for k in (401, 404)},
)
async def partnership_progress(
    partnership_id: str, svc: Svc, principal: CurrentPrincipal
) -> s.PartnershipProgress:
    """Sums over the partnership's commitments, and its targets' progress."""
    known, rollup = await svc.views.partnership(partnership_id)
    targets = await svc.views.targets(partnership_id)
    if known is None and rollup is None and not targets:
        raise PartnershipNotFound(f"no partnership {partnership_id}", field="partnership_id")
    return s.PartnershipProgress.from_docs(partnership_id, known, rollup, targets)
