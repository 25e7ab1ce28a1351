"""Liveness and readiness, as every service answers them: ready when the three APIs the
portal calls answer their /health."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["operations"], include_in_schema=False)


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready")
async def ready(request: Request) -> JSONResponse:
    clients = request.app.state.apis.all()
    answers = await asyncio.gather(*(client.healthy() for client in clients))
    checks = {client.name: ok for client, ok in zip(clients, answers, strict=True)}
    ok = all(checks.values())
    return JSONResponse(
        {"status": "ready" if ok else "not ready", "checks": checks},
        status_code=200 if ok else 503,
    )
