"""What every service's HTTP side shares: error shape, body limit, the methods a path
allows, health, readiness, metrics and the AsyncAPI document; paging and short text (the
other input types are in inputs.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import AfterValidator, BaseModel, Field, StringConstraints
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import DomainError
from .text import NOT_WHITE_SPACE, trim

ReadinessCheck = Callable[[], Awaitable[bool]]

#: The documented problem answers every service's routes pick from (`responses=`).
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No or bad token"},
    403: {"description": "Not allowed"},
    404: {"description": "Not found"},
    409: {"description": "Conflict"},
    413: {"description": "Body too large"},
    422: {"description": "Invalid input"},
}


#: The paging query parameters of the registry's and commitments' listings.
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Limit = Annotated[int, Query(ge=1, le=200)]

#: A request's short text (a name, a title) and the reason it gives for a change: the same
#: rules in the bodies of every service. Measured as sent, as the schema's minLength and
#: maxLength say, with at least one (three) characters besides the white space around them,
#: as its pattern says; kept trimmed. (Measured after trimming, as Pydantic's strip_whitespace
#: does, "\x85" passed the schema's minLength of 1 and was refused.)
Text = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=NOT_WHITE_SPACE),
    AfterValidator(trim),
]
Reason = Annotated[
    str,
    StringConstraints(
        min_length=3,
        max_length=2000,
        pattern=f"{NOT_WHITE_SPACE}[\\s\\S]+{NOT_WHITE_SPACE}",
    ),
    AfterValidator(trim),
]


class Page(BaseModel):
    """A page of a listing: `total` matches in all, from `offset`, at most `limit`; a
    subclass declares its `items`."""

    total: int
    offset: int
    limit: int
    next: str | None = Field(
        default=None,
        description="Pass as `after` for the next page (pact_common.paging); none after "
        "the last one.",
    )


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: PROBLEMS[code] for code in codes}


def error_body(code: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field, **extra}}


async def _domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return JSONResponse(error_body(exc.code, exc.message, exc.field), status_code=exc.status)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        problems.append(
            {"field": ".".join(loc) or "body", "rule": err.get("type"), "message": err.get("msg")}
        )
    message = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
    first = problems[0]["field"] if problems else None
    return JSONResponse(error_body("invalid", message, first, problems=problems), status_code=422)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's and FastAPI's own errors (unknown path, wrong method, a body FastAPI cannot
    decode) in the platform's error shape. A body that is not UTF-8, or nested too deep for
    the JSON parser, is invalid input (422) like any other body that is not JSON."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        message = "body: the request body is not UTF-8 encoded JSON"
        problem = {"field": "body", "rule": "json_invalid", "message": message}
        return JSONResponse(error_body("invalid", message, "body", problems=[problem]), 422)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
    body = error_body(code, str(exc.detail))
    headers = exc.headers
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": allow_header(allowed_methods(request.scope))}
    return JSONResponse(body, status_code=exc.status_code, headers=headers)


def allowed_methods(scope: Scope) -> set[str]:
    """Every method some route of the app answers on the path of `scope` (Starlette's own
    405 names only the methods of the first route on the path: `GET /partners` and `POST
    /partners` are two routes)."""
    routes = scope["app"].router.routes
    return {
        method
        for method in _METHODS
        if any(route.matches({**scope, "method": method})[0] is Match.FULL for route in routes)
    }


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allow_header(methods: set[str]) -> str:
    """OPTIONS is answered on every path (AllowedMethods)."""
    return ", ".join(sorted(methods | {"OPTIONS"}))


class AllowedMethods:
    """OPTIONS on a path of the app: 204 with `Allow` naming every method the path has, before
    any route (no token needed: the OpenAPI document says as much)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "OPTIONS":
            methods = allowed_methods(scope)
            if methods:
                response = Response(status_code=204, headers={"Allow": allow_header(methods)})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuses request bodies over `limit` bytes with 413, declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        response = JSONResponse(
            error_body(
                "too_large", f"request body is over the limit of {self.limit} bytes", "body"
            ),
            status_code=413,
        )
        await response({"type": "http"}, _empty_receive, send)


class _TooLarge(Exception):
    pass


#: the operations' own paths (ops_router): probes and scrapers, which must always get through
OPERATIONS = frozenset({"/health", "/ready", "/metrics"})


class ReadsInTurn:
    """At most `limit` GET requests answered at once, but the operations' own (`/health`,
    `/ready`, `/metrics`); the others wait their turn, in order of arrival, without using
    the process meanwhile. A service that consumes on the same event loop keeps its share of
    it however many clients read at once, and `/health` is answered between two reads rather
    than after every read in flight.

    While `busy()` says the service has work of its own under way (a batch being stored),
    reads keep to `share` of the time: a read that held its turn for d seconds keeps it, its
    answer sent, d x (1 / share - 1) longer (at most `MOST_HELD` s), so that readers asking
    again at once take no more of the loop and the database. Idle, reads follow at once."""

    MOST_HELD = 2.0  # seconds: the longest a turn is kept after its read

    def __init__(
        self, app: ASGIApp, limit: int, share: float = 1.0, busy: Callable[[], bool] = bool
    ) -> None:
        if not 0 < share <= 1:
            raise ValueError(f"share must be over 0 and at most 1, not {share}")
        self.app, self.turns, self.share, self.busy = app, asyncio.Semaphore(limit), share, busy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or scope["path"] in OPERATIONS
        ):
            await self.app(scope, receive, send)
            return
        await self.turns.acquire()
        loop = asyncio.get_running_loop()
        began = loop.time()
        try:
            await self.app(scope, receive, send)
        finally:  # the turn back now, or once the read's share of the time is kept to
            rest = min((loop.time() - began) * (1 / self.share - 1), self.MOST_HELD)
            if rest > 0 and self._busy():
                loop.call_later(rest, self.turns.release)
            else:
                self.turns.release()

    def _busy(self) -> bool:
        try:
            return self.busy()
        except Exception:  # noqa: BLE001 - a failing signal must not keep a turn
            return False


async def _empty_receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def ops_router(
    checks: dict[str, ReadinessCheck], asyncapi: Callable[[], dict[str, Any]]
) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/health", summary="Liveness: the process answers")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/ready",
        summary="Readiness: MongoDB and Kafka are reachable",
        responses={503: {"description": "A dependency is unreachable"}},
    )
    async def ready() -> JSONResponse:
        results = {name: await check() for name, check in checks.items()}
        ok = all(results.values())
        return JSONResponse(
            {"status": "ready" if ok else "not ready", "checks": results},
            status_code=200 if ok else 503,
        )

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @router.get(
        "/asyncapi.json",
        summary="AsyncAPI 3.0 document of what this service publishes and consumes",
    )
    async def asyncapi_document() -> dict[str, Any]:
        return asyncapi()

    return router


def install_common(app: FastAPI, max_body_bytes: int) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_middleware(BodyLimit, limit=max_body_bytes)
    app.add_middleware(AllowedMethods)
