"""Pages: `render(request, "name.html", **context)` gives every template the signed-in
`user`, the request's translations (`_`, `gettext`, `ngettext`), the `csrf_token`, the
`flash` messages and the `nav` the person's role may use; `flash(request, message)` keeps a
message for the next page shown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from . import i18n
from .i18n import N_
from .session import SignedIn, csrf_token, signed_in

TEMPLATES = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES))
templates.env.autoescape = True
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str
    shown: Callable[[SignedIn], bool]


#: The menu, in order; each item shows only to the roles that may use it.
NAV: tuple[NavItem, ...] = (
    NavItem("/dashboard", N_("Dashboard"), lambda u: True),
    NavItem("/commitments", N_("Commitments"), lambda u: True),
    NavItem("/targets", N_("Targets"), lambda u: u.is_secretariat),
    NavItem("/calls", N_("Calls for pledges"), lambda u: True),
    NavItem("/report", N_("Report progress"), lambda u: u.may_write and not u.is_secretariat),
    NavItem("/upload", N_("Upload CSV"), lambda u: u.may_write and not u.is_secretariat),
    NavItem("/rejections", N_("Rejected reports"), lambda u: not u.is_secretariat),
    NavItem("/alerts", N_("Alerts"), lambda u: True),
    NavItem("/silences", N_("Silences"), lambda u: True),
    NavItem("/survey", N_("Annual survey"), lambda u: u.partner_id is not None),
    NavItem("/secretariat/approvals", N_("Approvals"), lambda u: u.is_secretariat),
    NavItem("/organisation", N_("Organisation"), lambda u: u.partner_id is not None),
    NavItem("/organisation/people", N_("People"), lambda u: u.manages_people),
)


def nav_for(user: SignedIn | None, gettext: i18n.Gettext) -> list[dict[str, str]]:
    if user is None:
        return []
    return [{"path": item.path, "label": gettext(item.label)} for item in NAV if item.shown(user)]


def flash(request: Request, message: str, kind: str = "info") -> None:
    """Shown once on the next page rendered. `kind`: info, success, error."""
    messages = list(request.session.get("flash", []))
    messages.append({"message": message, "kind": kind})
    request.session["flash"] = messages


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    user = context.pop("user", None) or signed_in(request)
    gettext = i18n.gettext_for(request)
    language = i18n.language(request)
    values = {
        "user": user,
        "_": gettext,
        "gettext": gettext,
        "ngettext": i18n.ngettext_for(request),
        "csrf_token": csrf_token(request),
        "flash": request.session.pop("flash", []),
        "nav": nav_for(user, gettext),
        "current_path": request.url.path,
        "lang": language,
        "languages": i18n.LANGUAGES,
        **context,
    }
    return templates.TemplateResponse(request, name, values, status_code=status_code)
