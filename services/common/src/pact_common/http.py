"""What every service's HTTP side shares: error shape, body limit, health, readiness,
metrics and the AsyncAPI document."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, StringConstraints
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import DomainError

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
#: rules in the bodies of every service.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]


class Page(BaseModel):
    """A page of a listing: `total` matches in all, from `offset`, at most `limit`; a
    subclass declares its `items`."""

    total: int
    offset: int
    limit: int


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


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
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
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


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
