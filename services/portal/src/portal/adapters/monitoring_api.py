"""What the portal reads from monitoring (and the names it shows from the registry), with the
signed-in person's token: the dashboard's figures, rejected reports, alerts. Monitoring's
API decides what each person may see; a partner reads its own."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .api import ApiClient, ApiError, Apis

Doc = dict[str, Any]
#: the dashboard draws at most this many commitments (most at risk first)
MAX_COMMITMENTS = 2000


async def commitment_progress(
    monitoring: ApiClient, token: str, *, partner: str | None, partnership: str | None
) -> list[Doc]:
    """Every commitment's progress in the scope (page after page, up to MAX_COMMITMENTS)."""
    out: list[Doc] = []
    after = None
    while len(out) < MAX_COMMITMENTS:
        page = await monitoring.get(
            "/progress/commitments",
            token=token,
            params={"partner": partner, "partnership": partnership, "after": after, "limit": 500},
        )
        out.extend(page["items"])
        if not (after := page.get("next")):
            break
    return out


async def legal_names(
    registry: ApiClient, token: str, partnership: str | None = None
) -> dict[str, str]:
    """Partner id -> legal name, of every partner the person may see (up to 2,000)."""
    names: dict[str, str] = {}
    after = None
    for _ in range(10):
        page = await registry.get(
            "/partners",
            token=token,
            params={"partnership": partnership, "limit": 200, "after": after},
        )
        names |= {p["id"]: p["legal_name"] for p in page["items"]}
        if not (after := page.get("next")):
            break
    return names


async def own_name(registry: ApiClient, token: str, partner_id: str) -> dict[str, str]:
    partner = await registry.get(f"/partners/{partner_id}", token=token)
    return {partner_id: str(partner["legal_name"])}


async def partnerships(registry: ApiClient, token: str) -> list[Doc]:
    """The partnerships (anyone may list them; with the person's token, the request counts
    against the person's rate limit, not against the portal's address as anonymous ones do)."""
    found: list[Doc] = await registry.get("/partnerships", token=token)
    return found


@dataclass
class DashboardData:
    """Everything one dashboard page shows, as the APIs answered it."""

    partnership_id: str
    partner_id: str | None
    totals: Doc
    targets: list[Doc]
    commitments: list[Doc]
    firing: list[Doc]
    history: list[Doc]
    names: dict[str, str]
    partnerships: list[Doc] = field(default_factory=list)
    annual: list[tuple[int, Doc]] = field(default_factory=list)
    #: this year's unique learners (GET /learners/...), when monitoring answers them
    learners: Doc | None = None

    @property
    def partnership_name(self) -> str | None:
        found = [p["name"] for p in self.partnerships if p["id"] == self.partnership_id]
        return found[0] if found else None


async def _or_none(call: Awaitable[Any]) -> Any:
    """The answer, or None when there is nothing yet (404)."""
    try:
        return await call
    except ApiError as exc:
        if exc.status == 404:
            return None
        raise


async def learners(monitoring: ApiClient, token: str, path: str) -> Doc | None:
    """This year's unique learners of `path` (partners/<id>, partnerships/<id>); None when
    they are not to be seen (a partnership of fewer than 3 partners, say)."""
    try:
        found: Doc = await monitoring.get(
            f"/learners/{path}", token=token, params={"year": datetime.now(UTC).year}
        )
    except ApiError:
        return None
    return found


async def _alerts(monitoring: ApiClient, token: str, **params: Any) -> list[Doc]:
    page = await monitoring.get("/alerts", token=token, params=params)
    items: list[Doc] = page["items"]
    return items


async def partnership_dashboard(
    apis: Apis, token: str, partnership_id: str, years: Any
) -> DashboardData:
    """The secretariat's page: the partnership's sums, targets, commitments and alerts, and
    the annual report of each year `years(commitments)` names."""
    m = apis.monitoring
    progress, commitments, firing, history, names, known, unique = await asyncio.gather(
        _or_none(m.get(f"/progress/partnerships/{partnership_id}", token=token)),
        commitment_progress(m, token, partner=None, partnership=partnership_id),
        _alerts(m, token, status="firing", partnership=partnership_id, limit=50),
        _alerts(m, token, partnership=partnership_id, limit=20),
        legal_names(apis.registry, token),
        partnerships(apis.registry, token),
        learners(m, token, f"partnerships/{partnership_id}"),
    )
    chosen: list[int] = years(commitments)
    reports = await asyncio.gather(
        *(
            m.get("/reports/annual", token=token, params={"year": y, "partnership": partnership_id})
            for y in chosen
        )
    )
    progress = progress or {"targets": []}  # nothing known of it yet: an empty page
    return DashboardData(
        partnership_id=partnership_id,
        partner_id=None,
        totals=progress,
        targets=progress["targets"],
        commitments=commitments,
        firing=firing,
        history=history,
        names=names,
        partnerships=known,
        annual=list(zip(chosen, reports, strict=True)),
        learners=unique,
    )


async def partner_dashboard(
    apis: Apis, token: str, partner_id: str, partnership_id: str
) -> DashboardData:
    """One partner's page: its totals, commitments and alerts, and the common targets its
    commitments count toward (their definitions: what it contributed is its own)."""
    m = apis.monitoring
    mine, commitments, firing, history, names, targets, unique = await asyncio.gather(
        _or_none(m.get(f"/progress/partners/{partner_id}", token=token)),
        commitment_progress(m, token, partner=partner_id, partnership=None),
        _alerts(m, token, status="firing", partner=partner_id, limit=50),
        _alerts(m, token, partner=partner_id, limit=20),
        own_name(apis.registry, token, partner_id),
        apis.commitments.get(
            "/partnership-targets", token=token, params={"partnership": partnership_id}
        ),
        learners(m, token, f"partners/{partner_id}"),
    )
    return DashboardData(
        partnership_id=partnership_id,
        partner_id=partner_id,
        totals=mine["totals"] if mine else {},  # monitoring has not heard of it yet
        targets=targets["items"],
        commitments=commitments,
        firing=firing,
        history=history,
        names=names,
        learners=unique,
    )


async def send_report(monitoring: ApiClient, token: str, report: Doc) -> Doc:
    """POST /progress: monitoring takes it as one sent to the topic (202), and accepts or
    rejects it the same way (its rejections list says why)."""
    accepted: Doc = await monitoring.post("/progress", token=token, json=report)
    return accepted


async def rejections(monitoring: ApiClient, token: str, before: str | None) -> Doc:
    found: Doc = await monitoring.get(
        "/progress/rejections", token=token, params={"before": before, "limit": 50}
    )
    return found


async def alerts(monitoring: ApiClient, token: str, status: str | None, offset: int) -> Doc:
    found: Doc = await monitoring.get(
        "/alerts", token=token, params={"status": status, "offset": offset, "limit": 50}
    )
    return found


async def acknowledge(monitoring: ApiClient, token: str, fingerprint: str, note: str) -> Doc:
    done: Doc = await monitoring.post(
        f"/alerts/{fingerprint}/acknowledge", token=token, json={"note": note}
    )
    return done
