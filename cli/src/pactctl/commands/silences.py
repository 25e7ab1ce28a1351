"""Silences of alerts: list, create, expire (monitoring's /silences). A silenced alert is
still recorded and shown, not delivered (webhook or email); when the silence ends, those
still firing are delivered then."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer

from ..output import Listing, console, emit_json, handled
from ..output import show as show_listing
from ..settings import settings

app = typer.Typer(help="Silences: alerts recorded but not delivered until a silence ends.")

COLUMNS = ["silence_id", "state", "matchers", "starts_at", "ends_at", "author", "comment"]
WIDE = ["created_at", "expired_by"]
_DURATION = re.compile(r"^(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def ends(value: str, now: datetime) -> datetime:
    """`2h`, `3d`, `1w` from now, or an ISO date-time (UTC if it names no zone)."""
    if m := _DURATION.match(value.strip()):
        return now + timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r}: a duration like 2h, 3d, 1w or an ISO date-time"
        ) from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _row(s: dict[str, Any]) -> dict[str, Any]:
    matchers = ", ".join(f"{k}={v}" for k, v in s.get("matchers", {}).items()) or "(all)"
    return s | {"matchers": matchers}


@app.command("list")
@handled
def list_silences(
    ctx: typer.Context,
    state: Annotated[str | None, typer.Option(help="active, pending or expired.")] = None,
) -> None:
    """Silences, newest first (GET /silences?state=...)."""
    s = settings(ctx)
    body = s.platform().get("monitoring", "/silences", state=state)
    found = [_row(x) for x in body.get("items", [])]
    title = f"Silences ({state or 'all'}: {len(found)})"
    show_listing(s, Listing(title, COLUMNS, found, body, wide=WIDE, id_column="silence_id"))


@app.command("create")
@handled
def create(
    ctx: typer.Context,
    comment: Annotated[str, typer.Option("--comment", "-c", help="Why.")],
    ends_in: Annotated[
        str, typer.Option("--ends", help="A duration (2h, 3d, 1w) or an ISO date-time.")
    ] = "2h",
    rule: Annotated[str | None, typer.Option(help="e.g. CommitmentAtRisk.")] = None,
    severity: Annotated[str | None, typer.Option(help="critical, warning or info.")] = None,
    partner: Annotated[str | None, typer.Option(help="Partner id (yours, as a partner).")] = None,
    commitment: Annotated[str | None, typer.Option(help="Commitment id.")] = None,
    partnership: Annotated[str | None, typer.Option(help="Partnership id.")] = None,
    starts: Annotated[str | None, typer.Option(help="An ISO date-time; default now.")] = None,
) -> None:
    """Silence the alerts every given matcher matches (POST /silences)."""
    s = settings(ctx)
    now = datetime.now(UTC)
    matchers = {"rule": rule, "severity": severity, "partner_id": partner,
                "commitment_id": commitment, "partnership_id": partnership}  # fmt: skip
    body: dict[str, Any] = {
        "matchers": {k: v for k, v in matchers.items() if v is not None},
        "ends_at": ends(ends_in, now).isoformat(),
        "comment": comment,
    }
    if starts is not None:
        body["starts_at"] = ends(starts, now).isoformat()
    silence = s.platform().post("monitoring", "/silences", body)
    if s.quiet:
        print(silence["silence_id"])
    elif s.json_output:
        emit_json(silence)
    else:
        console.print(f"Silence {silence['silence_id']} ({silence['state']}) until "
                      f"{silence['ends_at']}: {_row(silence)['matchers']}.")  # fmt: skip


@app.command("expire")
@handled
def expire(
    ctx: typer.Context,
    silence_id: Annotated[str, typer.Argument(help="The silence's id (silences list).")],
) -> None:
    """End a silence now (POST /silences/{id}/expire): its alerts still firing are delivered."""
    s = settings(ctx)
    silence = s.platform().post("monitoring", f"/silences/{silence_id}/expire")
    if s.quiet:
        print(silence["silence_id"])
    elif s.json_output:
        emit_json(silence)
    else:
        console.print(f"Silence {silence_id} expired.")
