"""POST /progress, for partners without Kafka access: the report is decided at once, in
process, exactly as one from partners.progress-reported.v1 (same checks, same exactly-once
bookkeeping by event_id), so monitoring never publishes to a topic it reads."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Header, Request, status
from pydantic import BaseModel, Field

from monitoring.core.adapters.report_codec import from_http
from monitoring.core.domain.commands import TakeReports
from monitoring.core.domain.intake import Taken
from pact_common.auth import CurrentPrincipal
from pact_common.errors import DomainError
from pact_common.http import PROBLEMS
from pact_contracts import ProgressReported

Take = Callable[[TakeReports], Awaitable[Counter[Taken]]]


class Accepted(BaseModel):
    event_id: str = Field(description="The report's event_id (generated when it had none).")


def intake_router(take: Take) -> APIRouter:
    """POST /progress, deciding each report with `take` (bootstrap's)."""
    router = APIRouter(tags=["progress"])

    @router.post(
        "/progress",
        status_code=status.HTTP_202_ACCEPTED,
        response_model=Accepted,
        responses={k: PROBLEMS[k] for k in (401, 403, 413, 422)},
    )
    async def report_progress(
        report: ProgressReported,
        request: Request,
        principal: CurrentPrincipal,
        pact_signature: Annotated[
            str | None, Header(description="Ed25519 signature (base64) of the report.")
        ] = None,
    ) -> Accepted:
        """For partners without Kafka access: the report is taken like one sent to
        partners.progress-reported.v1, and accepted or rejected the same way (see GET
        /progress/rejections). A report without event_id gets one; a signed report must carry
        its own."""
        principal.require_partner_or_secretariat(report.partner_id)
        body = await request.body()
        document = json.loads(body)
        if "event_id" not in document:
            if pact_signature is not None:
                raise DomainError("a signed report must carry its event_id", field="event_id")
            document = {"event_id": str(report.event_id), **document}
            body = json.dumps(document).encode()
        taken = from_http(body, pact_signature)
        await take(TakeReports([taken]))
        return Accepted(event_id=taken.event_id)

    return router
