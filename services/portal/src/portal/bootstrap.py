"""Builds the portal: settings -> logger, API clients (opened in the lifespan), session,
static files, pages. Nothing here does I/O until the app starts."""

from __future__ import annotations

import contextlib
import importlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from pact_common.logging import configure_logging

from . import entrypoints, i18n
from .adapters.api import ApiClient, Apis, client_address
from .adapters.mail import Mailer
from .config import PortalSettings
from .entrypoints import PAGES, errors

STATIC = Path(__file__).parent / "static"


def page_routers() -> list[Any]:
    """The router of every page module of `portal.entrypoints` (`ops` and `*_pages`), so a
    new group of pages is one new module."""
    return [importlib.import_module(f"{entrypoints.__name__}.{name}").router for name in PAGES]


#: On every page: not framed by another site, no form sent elsewhere, no referrer leaving
#: the site (an invitation's token is in its address), and not kept in a shared cache.
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
    ),
}


async def _security_headers(request: Request, call_next: Any) -> Response:
    # the visitor's address (behind the proxy, the one it forwarded) goes on to the APIs
    client_address.set(request.client.host if request.client else None)
    response: Response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.url.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def build_app(settings: PortalSettings | None = None) -> FastAPI:
    settings = settings or PortalSettings()
    log = configure_logging(settings.service_name, settings.log_level, settings.log_json)
    # httpx logs every URL it calls at INFO: an invitation's token is in its path
    for chatty in ("httpx", "httpcore"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    i18n.load_all()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        timeout = settings.api_timeout_seconds
        app.state.apis = Apis(
            registry=ApiClient("registry", settings.registry_url, timeout),
            commitments=ApiClient("commitments", settings.commitments_url, timeout),
            monitoring=ApiClient("monitoring", settings.monitoring_url, timeout),
        )
        log.info("started", registry=settings.registry_url, port=settings.http_port)
        try:
            yield
        finally:
            await app.state.apis.aclose()
            log.info("stopped")

    app = FastAPI(title="Portal", version="1.0.0", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.mailer = Mailer(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_from,
        settings.smtp_username,
        settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        settings.smtp_starttls,
    )
    app.state.log = log
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret.get_secret_value(),
        session_cookie="portal_session",
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.middleware("http")(_security_headers)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    errors.install(app)
    for router in page_routers():
        app.include_router(router)
    return app
