"""Builds the registry: settings -> runtime -> repositories, handlers -> app.
Nothing here does I/O until the app starts."""

from __future__ import annotations

import contextlib
import functools
from datetime import timedelta

from fastapi import FastAPI

from pact_common.auth import TokenIssuer
from pact_common.clock import Clock, utc_now
from pact_common.runtime import Runtime
from pact_common.webhook_secrets import partner_secret

from .adapters import accounts as account_storage
from .adapters import api_keys as api_key_storage
from .adapters import repository
from .adapters.oidc import OidcVerifier
from .adapters.unit_of_work import MongoUnitOfWork
from .adapters.views import RegistryViews
from .config import Settings
from .domain import commands
from .domain.errors import DuplicatePartnership
from .domain.partnership import DIGITAL_ECOSYSTEM_PARTNERSHIP
from .entrypoints import accounts, consumers, credentials, lifecycle, notifications
from .entrypoints.http import router
from .entrypoints.services import Services
from .service_layer import accounts as account_handlers
from .service_layer import handlers

DESCRIPTION = """Partner organisations of the Digital Ecosystem Skills Partnership register,
are approved by the partnership secretariat, join partnerships and get credentials.
Tokens from `POST /auth/token` are accepted by every service of the platform."""


def build_app(settings: Settings | None = None, clock: Clock = utc_now) -> FastAPI:
    settings = settings or Settings()
    runtime = Runtime(settings)
    consumers.register(runtime)
    services = Services(
        uow=lambda: MongoUnitOfWork(runtime.unit_of_work()),
        views=RegistryViews(runtime.mongo.db),
        issuer=TokenIssuer(
            settings.jwt_private_key.get_secret_value(),
            settings.jwt_issuer,
            settings.jwt_audience,
            timedelta(seconds=settings.token_ttl_seconds),
        ),
        admin_api_key=settings.admin_api_key.get_secret_value(),
        clock=clock,
        webhook_secrets=functools.partial(partner_secret, settings.webhook_key.get_secret_value()),
        webhook_overlap=timedelta(seconds=settings.webhook_secret_overlap_seconds),
    )

    people = accounts.Accounts(
        issuer=TokenIssuer(
            settings.jwt_private_key.get_secret_value(),
            settings.jwt_issuer,
            settings.jwt_audience,
            timedelta(seconds=settings.user_token_ttl_seconds),
        ),
        invitation_ttl=timedelta(hours=settings.invitation_ttl_hours),
        views=account_storage.UserViews(runtime.mongo.db),
        oidc=OidcVerifier(settings.oidc_issuer, settings.oidc_client_id)
        if settings.oidc_issuer and settings.oidc_client_id
        else None,
    )

    async def on_start() -> None:
        await repository.ensure_indexes(runtime.mongo.db)
        await account_storage.ensure_indexes(runtime.mongo.db)
        await api_key_storage.ensure_indexes(runtime.mongo.db)
        seed = DIGITAL_ECOSYSTEM_PARTNERSHIP
        # The Digital Ecosystem Skills Partnership exists out of the box.
        with contextlib.suppress(DuplicatePartnership):
            await handlers.create_partnership(
                commands.CreatePartnership(
                    seed["id"],
                    seed["name"],
                    seed["ecosystem"],
                    seed["description"],
                    actor="registry",
                ),
                services.uow(),
                clock,
            )
        while await account_handlers.publish_unpublished(services.uow()):
            pass  # accounts made before accounts were published (issue 16)

    app = runtime.create_app(
        title="Registry",
        description=DESCRIPTION,
        routers=[
            router,
            lifecycle.router,
            credentials.router,
            accounts.router,
            notifications.router,
        ],
        on_start=on_start,
    )
    app.state.services = services
    app.state.accounts = people
    return app
