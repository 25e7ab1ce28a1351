"""Partners on the registry: listing and the secretariat's lifecycle decisions (a partner's
self-registration and tokens are in register.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from pact_contracts.vocabulary import OrganisationType, PartnerStatus

from ..inputs import InputProblem
from ..inputs import country as country_code
from ..output import CliError, Format, Listing, console, emit_json, fields, handled
from ..output import show as show_listing
from ..settings import settings

app = typer.Typer(help="Partner organisations (the lifecycle commands need the secretariat key).")

Reason = Annotated[str, typer.Option("--reason", "-r", help="Why; kept in the audit trail.")]


PARTNER_COLUMNS = ["id", "legal_name", "organisation_type", "hq_country", "countries", "status"]
PARTNER_WIDE = ["size_class", "partnerships", "website", "registered_at", "version"]


@app.command("list")
@handled
def list_partners(
    ctx: typer.Context,
    status: Annotated[PartnerStatus | None, typer.Option(help="Only this status.")] = None,
    type_: Annotated[
        OrganisationType | None,
        typer.Option("--organisation-type", "--type", help="Only this organisation type."),
    ] = None,
    country: Annotated[str | None, typer.Option(help="Only partners operating here.")] = None,
    partnership: Annotated[str | None, typer.Option(help="Only members of it.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="Page size.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many.")] = 0,
) -> None:
    """List partners (GET /partners), in registration order."""
    s = settings(ctx)
    page = s.platform().get(
        "registry",
        "/partners",
        status=status.value if status else None,
        type=type_.value if type_ else None,
        country=checked_country("--country", country) if country else None,
        partnership=partnership,
        limit=limit,
        offset=offset,
    )
    shown = f"{offset + 1}-{offset + len(page['items'])}" if page["items"] else "none"
    title = f"Partners ({shown} of {page['total']})"
    show_listing(s, Listing(title, PARTNER_COLUMNS, page["items"], page, wide=PARTNER_WIDE))


HISTORY_COLUMNS = ["at", "action", "actor", "from_status", "to_status", "reason"]


@app.command("show")
@handled
def show(
    ctx: typer.Context,
    partner_id: Annotated[str, typer.Argument(help="The partner's id.")],
    history: Annotated[bool, typer.Option(help="Also the audit trail.")] = False,
) -> None:
    """One partner (GET /partners/{id}), with --history its audit trail."""
    s = settings(ctx)
    platform = s.platform()
    partner = platform.get("registry", f"/partners/{partner_id}")
    trail = platform.get("registry", f"/partners/{partner_id}/history") if history else None
    doc = partner | ({"history": trail} if trail is not None else {})
    listing = fields(partner)
    listing.doc = doc
    show_listing(s, listing)
    if trail is not None and s.output in (None, Format.TABLE, Format.WIDE) and not s.quiet:
        show_listing(s, Listing("History", HISTORY_COLUMNS, trail, trail))


def _transition(ctx: typer.Context, action: str, partner_id: str, reason: str | None) -> None:
    s = settings(ctx)
    body = {"reason": reason} if reason else {}
    path = f"/partners/{partner_id}/{action}"
    partner = s.platform().post("registry", path, body, step_up=action == "withdraw")
    if s.quiet:
        print(partner["id"])
    elif s.json_output:
        emit_json(partner)
    else:
        console.print(
            f"{partner['legal_name']} ({partner['id']}) is now [bold]{partner['status']}[/]"
        )


@app.command()
@handled
def approve(
    ctx: typer.Context,
    partner_id: str,
    reason: Annotated[str | None, typer.Option("--reason", "-r", help="Why (optional).")] = None,
) -> None:
    """Secretariat: approve a pending partner (POST /partners/{id}/approve)."""
    _transition(ctx, "approve", partner_id, reason)


@app.command()
@handled
def reject(ctx: typer.Context, partner_id: str, reason: Reason) -> None:
    """Secretariat: reject a pending partner (POST /partners/{id}/reject)."""
    _transition(ctx, "reject", partner_id, reason)


@app.command()
@handled
def suspend(ctx: typer.Context, partner_id: str, reason: Reason) -> None:
    """Secretariat: suspend an active partner (POST /partners/{id}/suspend)."""
    _transition(ctx, "suspend", partner_id, reason)


@app.command()
@handled
def reinstate(ctx: typer.Context, partner_id: str, reason: Reason) -> None:
    """Secretariat: reinstate a suspended partner (POST /partners/{id}/reinstate)."""
    _transition(ctx, "reinstate", partner_id, reason)


@app.command()
@handled
def withdraw(ctx: typer.Context, partner_id: str, reason: Reason) -> None:
    """The secretariat or the partner itself: withdraw (POST /partners/{id}/withdraw), for
    good. The API key given (--api-key, PACT_API_KEY) is sent again beside the token, as the
    registry asks for this change."""
    _transition(ctx, "withdraw", partner_id, reason)


def checked_country(where: str, value: str) -> str:
    try:
        return country_code(value)
    except InputProblem as exc:
        raise CliError(f"{where}: {exc}") from exc
