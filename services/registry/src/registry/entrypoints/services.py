"""What the registry's routes need, built by bootstrap, and the dependency that gives it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Request

from pact_common.auth import TokenIssuer
from pact_common.clock import Clock

from ..adapters.views import RegistryViews
from ..service_layer import handlers
from ..service_layer.unit_of_work import UnitOfWork


@dataclass
class Services:
    """What the routes need; built by bootstrap."""

    uow: Any  # () -> UnitOfWork
    views: RegistryViews
    issuer: TokenIssuer
    admin_api_key: str
    clock: Clock
    #: (partner id, version) -> that webhook secret (derived from the deployment key)
    webhook_secrets: handlers.WebhookSecrets
    #: how long a rotated webhook secret signs beside the new one, unless the request says
    webhook_overlap: timedelta


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


Svc = Annotated[Services, Depends(services)]


def unit_of_work(svc: Services) -> UnitOfWork:
    uow: UnitOfWork = svc.uow()
    return uow
