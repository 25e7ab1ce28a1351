"""The alert board's HTTP API: alerts (filtered, paged), acknowledging one, and the webhook
deliveries (failed ones with their attempts, last error and next attempt). Partner tokens see
their own alerts and deliveries; the secretariat sees all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from monitoring.core.domain.errors import AlertNotFound
from monitoring.notify.adapters.delivery_queue import DeliveryViews
from monitoring.notify.adapters.live_text import LiveText
from monitoring.notify.domain.delivery import DeliveryStatus, partner_receiver
from monitoring.notify.entrypoints import schemas as s
from monitoring.notify.entrypoints.board_state import annotated
from monitoring.notify.service_layer import handlers as alert_handlers
from monitoring.notify.service_layer.ports import AlertUnitOfWork, DeliveryQueue
from monitoring.notify.service_layer.silencing import Muting
from monitoring.views.adapters.alert_views import AlertBoardViews
from pact_common.auth import CurrentPrincipal
from pact_common.clock import Clock
from pact_common.errors import Forbidden
from pact_common.http import problems
from pact_common.mongo import matching
from pact_common.permissions import Permission
from pact_common.unit_of_work import retry_transient
from pact_contracts import AlertRule, Severity


@dataclass
class AlertServices:
    board: AlertBoardViews
    deliveries: DeliveryViews
    queue: DeliveryQueue
    uow: Callable[[], AlertUnitOfWork]
    clock: Clock
    #: silences and inhibition, and the live text, shown on each alert
    muting: Muting | None = None
    live: LiveText | None = None


Limit = Annotated[int, Query(ge=1, le=500, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Skip this many.")]


def alerts_router(svc: AlertServices) -> APIRouter:
    router = APIRouter(tags=["alerts"])

    @router.get("/alerts", response_model=s.AlertPage, responses=problems(401, 403, 422))
    async def list_alerts(
        principal: CurrentPrincipal,
        status: Literal["firing", "resolved", "notified"] | None = None,
        partner: str | None = None,
        partnership: str | None = None,
        rule: AlertRule | None = None,
        severity: Severity | None = None,
        subject: Annotated[str | None, Query(description="commitment or target id.")] = None,
        acknowledged: bool | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> s.AlertPage:
        """Alerts, latest fired first (as announced on monitoring.alerts.v1)."""
        where = matching(
            status=status,
            partner_id=principal.scope(partner, may="see its own alerts", field="partner"),
            partnership_id=partnership,
            rule=rule,
            severity=severity,
            subject_id=subject,
            acknowledged=acknowledged,
        )
        total, docs = await svc.board.page(where, offset, limit)
        docs = await annotated(docs, svc.muting, svc.live, svc.clock)
        return s.AlertPage(
            total=total, offset=offset, limit=limit, items=[s.Alert.from_doc(d) for d in docs]
        )

    @router.get(
        "/alerts/deliveries", response_model=s.DeliveryPage, responses=problems(401, 403, 422)
    )
    async def list_deliveries(
        principal: CurrentPrincipal,
        status: DeliveryStatus | None = None,
        receiver: Annotated[
            str | None, Query(description="`partner:<id>` or `secretariat`.")
        ] = None,
        fingerprint: str | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> s.DeliveryPage:
        """Webhook deliveries, newest first: `?status=failed` lists those failing (with
        `next_attempt_at`) and given up (`gave_up`)."""
        own = None
        if not principal.is_secretariat:
            own = partner_receiver(principal.partner_id or "")
            if receiver not in (None, own):
                raise Forbidden(
                    f"partner {principal.partner_id} may see the deliveries to itself only",
                    field="receiver",
                )
        # a partner sees the deliveries to itself only
        where = matching(status=status, receiver=own or receiver, fingerprint=fingerprint)
        total, docs = await svc.deliveries.page(where, offset, limit)
        return s.DeliveryPage(
            total=total, offset=offset, limit=limit, items=[s.Delivery.from_doc(d) for d in docs]
        )

    @router.post(
        "/alerts/deliveries/{delivery_id}/retry",
        response_model=s.Delivery,
        responses=problems(401, 403, 404, 409),
    )
    async def retry_delivery(delivery_id: str, principal: CurrentPrincipal) -> s.Delivery:
        """The secretariat sends a delivery given up or skipped again (fresh attempts)."""
        principal.require_secretariat()
        await alert_handlers.requeue(delivery_id, svc.queue, svc.clock)
        doc = await svc.deliveries.one(delivery_id)
        assert doc is not None
        return s.Delivery.from_doc(doc)

    @router.get(
        "/alerts/{fingerprint}",
        response_model=s.AlertWithDeliveries,
        responses=problems(401, 403, 404),
    )
    async def get_alert(fingerprint: str, principal: CurrentPrincipal) -> s.AlertWithDeliveries:
        """One alert with its webhook deliveries (a partner sees those to itself)."""
        doc = await svc.board.get(fingerprint)
        if doc is None:
            raise AlertNotFound(f"no alert {fingerprint}", field="fingerprint")
        if not principal.is_secretariat and doc.get("partner_id") != principal.partner_id:
            raise Forbidden(
                f"partner {principal.partner_id} may see its own alerts only", field="fingerprint"
            )
        (doc,) = await annotated([doc], svc.muting, svc.live, svc.clock)
        receiver = None if principal.is_secretariat else partner_receiver(doc["partner_id"])
        deliveries = await svc.deliveries.of_alert(fingerprint, receiver)
        return s.AlertWithDeliveries.model_validate(
            s.Alert.from_doc(doc).model_dump()
            | {"deliveries": [s.Delivery.from_doc(d) for d in deliveries]}
        )

    @retry_transient
    async def _acknowledge(cmd: alert_handlers.Acknowledge) -> Any:
        return await alert_handlers.acknowledge(cmd, svc.uow(), svc.clock)

    @router.post(
        "/alerts/{fingerprint}/acknowledge",
        response_model=s.Alert,
        responses=problems(401, 403, 404, 409, 413, 422),
    )
    async def acknowledge(
        fingerprint: str, body: s.AcknowledgeBody, principal: CurrentPrincipal
    ) -> s.Alert:
        """Acknowledge the alert's current episode with a note (again: the note is replaced).
        A partner acknowledges its own alerts; the secretariat any (a viewer none)."""
        principal.require(Permission.ACKNOWLEDGE_ALERTS)
        cmd = alert_handlers.Acknowledge(
            fingerprint,
            principal.actor,
            body.note,
            None if principal.is_secretariat else principal.partner_id,
        )
        await _acknowledge(cmd)
        doc = await svc.board.get(fingerprint)
        assert doc is not None
        return s.Alert.from_doc(doc)

    return router
