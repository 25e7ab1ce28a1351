"""The dashboard (moved here from monitoring, which now only answers its HTTP API): the
secretariat's page of a partnership (`/dashboard`) and one partner's page
(`/dashboard/partners/{partner_id}`), with legal names, refreshed live by fetching the
page's content again (`?fragment=1`; dashboard.js, a progressive enhancement)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from ..adapters.api import Apis
from ..adapters.monitoring_api import DashboardData, partner_dashboard, partnership_dashboard
from ..dashboard import progress as p
from ..dashboard import summary as s
from ..i18n import Gettext, gettext_for
from ..rendering import render
from ..session import CurrentUser

router = APIRouter(include_in_schema=False)
Slug = Annotated[str | None, Query(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
DEFAULT_PARTNERSHIP = "digital-ecosystem"


def _settings(request: Request, name: str, default: Any) -> Any:
    return getattr(request.app.state.settings, name, default)


@router.get("/dashboard")
async def dashboard(
    request: Request, user: CurrentUser, partnership: Slug = None, fragment: bool = False
) -> Response:
    """The secretariat's page of a partnership; a partner's person goes to its own page."""
    if not user.is_secretariat:
        return RedirectResponse(f"/dashboard/partners/{user.partner_id}", status_code=303)
    chosen = partnership or _settings(request, "dashboard_partnership", DEFAULT_PARTNERSHIP)
    apis: Apis = request.app.state.apis
    today = datetime.now(UTC).date()
    data = await partnership_dashboard(
        apis, user.token, chosen, lambda commitments: s.years_reported(commitments, today)
    )
    return show(request, data, fragment)


@router.get("/dashboard/partners/{partner_id}")
async def partner_page(
    request: Request, user: CurrentUser, partner_id: str, fragment: bool = False
) -> Response:
    """One partner's page: its own to its people, any to the secretariat (monitoring's API
    refuses the rest)."""
    _ = gettext_for(request)
    if not user.is_secretariat and user.partner_id != partner_id:
        message = _("You may see your own organisation's dashboard only.")
        return render(request, "error.html", 403, title=_("Not allowed"), message=message)
    chosen = _settings(request, "dashboard_partnership", DEFAULT_PARTNERSHIP)
    data = await partner_dashboard(request.app.state.apis, user.token, partner_id, chosen)
    return show(request, data, fragment)


def context(data: DashboardData, _: Gettext, now: datetime) -> dict[str, Any]:
    """What the templates show, shaped from the APIs' answers."""
    today = now.date()
    mine = data.partner_id is not None
    titles = {c["commitment_id"]: c["title"] for c in data.commitments}
    titles |= {t.get("target_id") or t.get("id", ""): t["title"] for t in data.targets}
    contribution = s.contributions(data.commitments, data.partnership_id) if mine else None
    breakdowns, everyone = s.breakdowns_of(data.commitments)
    if mine:
        years = s.years_reported(data.commitments, today)
        annual = [s.annual_row(y, s.own_year(y, data.commitments), _) for y in years]
    else:
        annual = [s.annual_row(y, report, _) for y, report in data.annual]
    names = data.names
    partner_name = names.get(data.partner_id or "", data.partner_id or "")
    return {
        "scope_partner": data.partner_id,
        "partnership_id": data.partnership_id,
        "partnership_name": data.partnership_name,
        "partnerships": data.partnerships,
        "heading": partner_name if mine else _("Progress toward the common targets"),
        "updated_at": now.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "figures": s.key_figures(data.totals, data.targets, len(data.firing), _, contribution)
        + s.learners_figure(data.learners, _),
        "targets": [] if mine else p.target_charts(data.targets, data.commitments, today, _),
        "commitments": p.commitment_rows(data.commitments, names, today, _),
        "breakdowns": s.breakdown_charts(breakdowns, everyone, _),
        "firing": s.alert_rows(s.most_severe_first(data.firing), titles, names, _),
        "history": s.alert_rows(data.history, titles, names, _),
        "annual": annual,
    }


def show(request: Request, data: DashboardData, fragment: bool) -> Response:
    values = context(data, gettext_for(request), datetime.now(UTC))
    refresh = float(_settings(request, "dashboard_refresh_seconds", 5.0))
    name = "dashboard/_content.html" if fragment else "dashboard/page.html"
    response = render(request, name, refresh_ms=int(refresh * 1000), **values)
    response.headers["Cache-Control"] = "no-store"
    return response
