"""Partners on the registry: listing and the secretariat's lifecycle decisions; a partner's
self-registration; tokens."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from pact_contracts.vocabulary import OrganisationType, PartnerStatus, SizeClass

from ..catalogue import PRINCIPLES
from ..output import CliError, console, emit_json, errors, handled, table
from ..settings import settings

app = typer.Typer(help="Partner organisations (the lifecycle commands need the secretariat key).")

Reason = Annotated[str, typer.Option("--reason", "-r", help="Why; kept in the audit trail.")]


def _partner_table(items: list[dict[str, Any]], title: str | None = None) -> None:
    console.print(
        table(
            title,
            ["id", "legal name", "type", "hq", "countries", "status", "partnerships"],
            [
                [
                    p["id"],
                    p["legal_name"],
                    p["organisation_type"],
                    p["hq_country"],
                    p["countries"],
                    p["status"],
                    p["partnerships"],
                ]
                for p in items
            ],
        )
    )


@app.command("list")
@handled
def list_partners(
    ctx: typer.Context,
    status: Annotated[PartnerStatus | None, typer.Option(help="Only this status.")] = None,
    type_: Annotated[
        OrganisationType | None, typer.Option("--type", help="Only this organisation type.")
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
        country=country.upper() if country else None,
        partnership=partnership,
        limit=limit,
        offset=offset,
    )
    if s.json_output:
        emit_json(page)
        return
    shown = f"{offset + 1}-{offset + len(page['items'])}" if page["items"] else "none"
    _partner_table(page["items"], f"Partners ({shown} of {page['total']})")


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
    if s.json_output:
        emit_json(partner | ({"history": trail} if trail is not None else {}))
        return
    fields = table(None, ["field", "value"], [[k, v] for k, v in partner.items()])
    console.print(fields)
    if trail is not None:
        console.print(
            table(
                "History",
                ["at", "action", "actor", "from", "to", "reason"],
                [
                    [
                        h["at"],
                        h["action"],
                        h["actor"],
                        h["from_status"],
                        h["to_status"],
                        h["reason"],
                    ]
                    for h in trail
                ],
            )
        )


def _transition(ctx: typer.Context, action: str, partner_id: str, reason: str | None) -> None:
    s = settings(ctx)
    body = {"reason": reason} if reason else {}
    partner = s.platform().post("registry", f"/partners/{partner_id}/{action}", body)
    if s.json_output:
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
    """The secretariat or the partner itself: withdraw (POST /partners/{id}/withdraw)."""
    _transition(ctx, "withdraw", partner_id, reason)


def _csv(values: list[str] | None) -> list[str]:
    return [v.strip().upper() for item in values or [] for v in item.split(",") if v.strip()]


@handled
def register(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            "-f",
            help="A JSON registration body; flags given override it.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    legal_name: Annotated[str | None, typer.Option(help="Registered legal name.")] = None,
    type_: Annotated[
        OrganisationType | None, typer.Option("--type", help="Organisation type.")
    ] = None,
    size: Annotated[SizeClass | None, typer.Option(help="Size class (companies, SMEs).")] = None,
    hq: Annotated[str | None, typer.Option(help="Headquarters country, e.g. DE.")] = None,
    country: Annotated[
        list[str] | None, typer.Option(help="Countries of operation: DE,FR or repeated.")
    ] = None,
    contact_name: Annotated[str | None, typer.Option(help="Contact person.")] = None,
    contact_email: Annotated[str | None, typer.Option(help="Contact e-mail.")] = None,
    website: Annotated[str | None, typer.Option(help="https://...")] = None,
    vat: Annotated[str | None, typer.Option(help="VAT number, e.g. DE123456789.")] = None,
    partnership: Annotated[
        list[str] | None, typer.Option(help="Partnerships to join (default digital-ecosystem).")
    ] = None,
    webhook_url: Annotated[str | None, typer.Option(help="Where alerts are delivered.")] = None,
    signing_public_key: Annotated[
        str | None,
        typer.Option(help="Ed25519 public key (base64) that signs its reports (pactctl keygen)."),
    ] = None,
    accept_charter: Annotated[
        bool,
        typer.Option(help="Accept the four principles of the Pact for Skills charter."),
    ] = False,
) -> None:
    """Register an organisation (POST /partners). The API key in the answer is shown once."""
    s = settings(ctx)
    body: dict[str, Any] = {}
    if file is not None:
        try:
            body = json.loads(file.read_text())
        except ValueError as exc:
            raise CliError(f"{file} is not JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise CliError(f"{file} must hold a JSON object")
    flags: dict[str, Any] = {
        "legal_name": legal_name,
        "organisation_type": type_.value if type_ else None,
        "size_class": size.value if size else None,
        "hq_country": hq.upper() if hq else None,
        "countries": _csv(country) or None,
        "contact_name": contact_name,
        "contact_email": contact_email,
        "website": website,
        "vat": vat,
        "partnerships": [p for item in partnership or [] for p in item.split(",")] or None,
        "webhook_url": webhook_url,
        "signing_public_key": signing_public_key,
        "principles": dict(PRINCIPLES) if accept_charter else None,
    }
    body |= {k: v for k, v in flags.items() if v is not None}
    missing = [
        k
        for k in (
            "legal_name",
            "organisation_type",
            "hq_country",
            "contact_name",
            "contact_email",
            "principles",
        )
        if k not in body
    ]
    if missing:
        flag = {"organisation_type": "type", "hq_country": "hq", "principles": "accept-charter"}
        raise CliError(
            "missing: " + ", ".join(f"--{flag.get(k, k).replace('_', '-')}" for k in missing)
        )
    done = s.platform().call("registry", "POST", "/partners", body, auth=False)
    if s.json_output:
        emit_json(done)
        return
    console.print(f"Registered [bold]{done['partner_id']}[/] (status {done['status']}).")
    console.print(f"API key (shown once, keep it safe): [bold]{done['api_key']}[/]")
    errors.print("The secretariat approves new partners before they can pledge and report.")


@handled
def token(ctx: typer.Context) -> None:
    """Exchange the API key for a short-lived token (POST /auth/token); prints the token."""
    s = settings(ctx)
    got = s.platform().token()
    if s.json_output:
        emit_json(
            {
                "access_token": got.access_token,
                "token_type": "bearer",
                "expires_in": got.expires_in,
                "role": got.role,
                "partner_id": got.partner_id,
            }
        )
        return
    print(got.access_token)
    who = got.partner_id or "the secretariat"
    errors.print(f"role {got.role} ({who}), valid {got.expires_in} s")
