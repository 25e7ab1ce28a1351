"""The dashboard: server-rendered pages for the secretariat (`/`) and for one partner
(`/partners/{partner_id}`), refreshed live by polling a fragment of the page.

Authentication for a browser: the platform's bearer tokens (the registry issues them, e.g.
`pactctl token`; monitoring never calls the registry). `POST /login` takes a token from a
form, verifies it with the runtime's TokenVerifier and keeps it in an HttpOnly,
SameSite=Strict cookie for the token's remaining lifetime; the pages read that cookie (or an
`Authorization: Bearer` header). A partner sees its own page only; the secretariat sees all.
`MONITORING_DASHBOARD_PUBLIC=true` opens the pages without a token, as the secretariat, to
requests from the loopback interface only, and never with ENVIRONMENT=production."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, quote, urlsplit

import jwt
from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, StrictUndefined
from pydantic import BaseModel, Field

from monitoring.core.adapters.documents import commitment_from
from monitoring.views.adapters.dashboard_views import DashboardViews, Scope
from monitoring.views.entrypoints import dashboard_page as page
from monitoring.views.entrypoints import dashboard_summary as summary
from pact_common.auth import Principal, Role, app_check
from pact_common.errors import DomainError, NotFound

COOKIE = "pact_dashboard"
STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
STATIC = {"dashboard.css": "text/css", "dashboard.js": "text/javascript"}
PUBLIC = Principal("dashboard-public", Role.SECRETARIAT)
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; script-src 'self'; "
    "img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
Slug = Annotated[str | None, Query(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]


class DashboardSettings(BaseModel):
    """The dashboard's part of monitoring's settings (MONITORING_DASHBOARD_*)."""

    #: open the pages without a token to loopback requests (a local demo); off in production
    public: bool = False
    #: the partnership the secretariat's page shows unless ?partnership= says otherwise
    partnership: str = "digital-ecosystem"
    #: how often an open page asks for fresh figures
    refresh_seconds: float = Field(default=5.0, ge=1, le=3600)


@dataclass
class Dashboard:
    settings: DashboardSettings
    views: DashboardViews
    clock: Callable[[], datetime]
    production: bool = False

    def public_for(self, request: Request) -> bool:
        if not self.settings.public or self.production or request.client is None:
            return False
        try:
            return ipaddress.ip_address(request.client.host).is_loopback
        except ValueError:
            return False


def dashboard(request: Request) -> Dashboard:
    """The one bootstrap built (tests may put another in app.state.dashboard)."""
    found: Dashboard = getattr(request.app.state, "dashboard", None) or (
        request.app.state.dashboard_default
    )
    return found


@cache
def templates() -> Jinja2Templates:
    env = Environment(
        loader=PackageLoader("monitoring", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Jinja2Templates(env=env)


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    return templates().TemplateResponse(
        request, name, context, status_code=status, headers=SECURITY_HEADERS
    )


def bearer_token(request: Request) -> str | None:
    if token := request.cookies.get(COOKIE):
        return token
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return credentials.strip() or None if scheme.lower() == "bearer" else None


async def signed_in(request: Request, token: str) -> Principal:
    """The token's principal, judged as the API judges it (a partner in good standing, with
    a token no older than its credentials), or the refusal."""
    principal: Principal = request.app.state.runtime.verifier.verify(token)
    await app_check(request, principal)
    return principal


async def viewer(request: Request, d: Dashboard) -> Principal | None:
    """Who is looking: the token's principal; the public secretariat view when allowed."""
    if token := bearer_token(request):
        try:
            return await signed_in(request, token)
        except DomainError:
            pass
    return PUBLIC if d.public_for(request) else None


def login_page(request: Request, status: int, error: str | None = None) -> Response:
    return render(request, "dashboard/login.html", {"error": error}, status)


def home_of(principal: Principal) -> str:
    return "/" if principal.is_secretariat else f"/partners/{quote(principal.partner_id or '')}"


def same_origin(request: Request) -> bool:
    """Forms are posted from our own pages: an Origin (or Referer) naming another host is
    refused, on top of the SameSite=Strict cookie."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return source is None
    return urlsplit(source).netloc == request.headers.get("host", "")


router = APIRouter(include_in_schema=False)


@router.get("/")
async def secretariat_page(
    request: Request, partnership: Slug = None, fragment: bool = False
) -> Response:
    d = dashboard(request)
    who = await viewer(request, d)
    if who is None:
        return login_page(request, 401)
    if not who.is_secretariat:
        return RedirectResponse(home_of(who), status_code=303)
    scope = Scope(partnership or d.settings.partnership)
    return await show(request, d, who, scope, fragment)


@router.get("/partners/{partner_id}")
async def partner_page(request: Request, partner_id: str, fragment: bool = False) -> Response:
    d = dashboard(request)
    who = await viewer(request, d)
    if who is None:
        return login_page(request, 401)
    if not who.is_secretariat and who.partner_id != partner_id:
        error = f"Signed in as partner {who.partner_id}: you may see your own page only."
        return render(request, "dashboard/forbidden.html", {"error": error, "who": who}, 403)
    return await show(request, d, who, Scope(d.settings.partnership, partner_id), fragment)


async def show(
    request: Request, d: Dashboard, who: Principal, scope: Scope, fragment: bool
) -> Response:
    views, today = d.views, d.clock().date()
    targets = await views.targets(scope.partnership_id)
    commitments = await views.commitments(scope)
    firing = await views.alerts(scope, "firing")
    breakdowns, everyone = await views.breakdowns(scope)
    titles = {c["_id"]: c.get("title") or c["_id"] for c in commitments}
    titles |= {t["_id"]: t.get("title") or t["_id"] for t, _ in targets}
    contribution = None
    if scope.partner_id is not None:
        contribution = summary.contributions(commitments, scope.partnership_id)
    context = {
        "who": who,
        "public": who is PUBLIC,
        "scope": scope,
        "partnership_name": await views.partnership_name(scope.partnership_id),
        "partnerships": await views.partnerships() if scope.partner_id is None else [],
        "updated_at": d.clock().strftime("%Y-%m-%d %H:%M:%S UTC"),
        "refresh_ms": int(d.settings.refresh_seconds * 1000),
        "figures": summary.key_figures(
            await views.totals(scope), targets, len(firing), contribution
        ),
        "targets": page.target_charts(targets, commitments, today)
        if scope.partner_id is None
        else [],
        "commitments": page.commitment_rows(commitments, firing, today),
        "breakdowns": summary.breakdown_charts(breakdowns, everyone),
        "firing": summary.alert_rows(summary.most_severe_first(firing), titles),
        "history": summary.alert_rows(await views.alerts(scope, None, limit=20), titles),
        "annual": summary.annual_rows(
            [commitment_from(c) for c in commitments],
            None if scope.partner_id else scope.partnership_id,
            today.year,
        ),
    }
    name = "dashboard/_content.html" if fragment else "dashboard/page.html"
    return render(request, name, context)


@router.get("/login")
async def login_form(request: Request) -> Response:
    return login_page(request, 200)


@router.post("/login")
async def login(request: Request) -> Response:
    """Form field `token`: a platform token; kept in a cookie, never shown again."""
    if not same_origin(request):
        return login_page(request, 403, "The form was not sent from this site.")
    form = parse_qs((await request.body()).decode("utf-8", "replace"), max_num_fields=10)
    token = (form.get("token") or [""])[0].strip()
    if not token:
        return login_page(request, 401, "Paste a token (from `pactctl token`).")
    try:
        who = await signed_in(request, token)
    except DomainError as exc:
        return login_page(request, 401, f"That token was refused: {exc.message}.")
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    response = RedirectResponse(home_of(who), status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=max(1, int(expires - datetime.now(UTC).timestamp())),
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https" or dashboard(request).production,
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    if not same_origin(request):
        return login_page(request, 403, "The form was not sent from this site.")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/static/{name}")
async def static(name: str) -> Response:
    if name not in STATIC:
        raise NotFound(f"no static file {name}", field="name")
    return FileResponse(
        STATIC_DIR / name,
        media_type=STATIC[name],
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )
