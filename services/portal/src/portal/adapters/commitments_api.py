"""What the portal asks of commitments with the signed-in person's token: commitments
(list, one with its history, pledge, amend, withdraw) and partnership targets. The API
decides who may do what; its refusals come back as ApiError."""

from __future__ import annotations

from typing import Any

from .api import ApiClient

Doc = dict[str, Any]


async def page(
    api: ApiClient, token: str, *, after: str | None = None, status: str | None = None
) -> Doc:
    """A page of commitments in pledge order: a partner's own, the secretariat's all."""
    found: Doc = await api.get(
        "/commitments", token=token, params={"after": after, "status": status, "limit": 50}
    )
    return found


async def every(api: ApiClient, token: str, partner: str | None, status: str | None) -> list[Doc]:
    """Every commitment (up to 2,000) of the partner: for its report form's choices."""
    out: list[Doc] = []
    after = None
    for _ in range(10):
        params = {"partner": partner, "status": status, "limit": 200, "after": after}
        found = await api.get("/commitments", token=token, params=params)
        out.extend(found["items"])
        if not (after := found.get("next")):
            break
    return out


async def one(api: ApiClient, token: str, commitment_id: str) -> Doc:
    found: Doc = await api.get(f"/commitments/{commitment_id}", token=token)
    return found


async def pledge(api: ApiClient, token: str, body: Doc) -> Doc:
    done: Doc = await api.post("/commitments", token=token, json=body)
    return done


async def amend(api: ApiClient, token: str, commitment_id: str, body: Doc) -> Doc:
    done: Doc = await api.post(f"/commitments/{commitment_id}/amendments", token=token, json=body)
    return done


async def withdraw(api: ApiClient, token: str, commitment_id: str, reason: str) -> Doc:
    done: Doc = await api.post(
        f"/commitments/{commitment_id}/withdraw", token=token, json={"reason": reason}
    )
    return done


async def targets(api: ApiClient, token: str, partnership: str | None) -> list[Doc]:
    out: list[Doc] = []
    after = None
    for _ in range(10):
        params = {"partnership": partnership, "limit": 200, "after": after}
        found = await api.get("/partnership-targets", token=token, params=params)
        out.extend(found["items"])
        if not (after := found.get("next")):
            break
    return out


async def set_target(api: ApiClient, token: str, body: Doc) -> Doc:
    done: Doc = await api.post("/partnership-targets", token=token, json=body)
    return done
