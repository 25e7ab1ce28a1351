"""The development mail sink's messages (`make run`, `make up`: scripts/mail_sink.py, whose
HTTP API has Mailpit's shape, so `--url` may name a Mailpit too)."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
import typer

from ..output import CliError, Listing, handled
from ..output import show as show_listing
from ..settings import settings

COLUMNS = ["ID", "Created", "To", "Subject"]


def _row(m: dict[str, Any]) -> dict[str, Any]:
    to = ", ".join(t.get("Address", "") for t in m.get("To") or [])
    sender = (m.get("From") or {}).get("Address", "")
    return {**m, "To": to, "From": sender}


@handled
def mail(
    ctx: typer.Context,
    url: Annotated[
        str, typer.Option(envvar="PACT_MAIL_URL", help="The mail sink's (or Mailpit's) HTTP API.")
    ] = "http://127.0.0.1:8025",
    to: Annotated[str | None, typer.Option(help="Only those sent to this address.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many.")] = 50,
) -> None:
    """Emails the platform sent (alerts), newest first, from the mail sink's
    GET /api/v1/messages."""
    s = settings(ctx)
    try:
        response = httpx.get(
            f"{url.rstrip('/')}/api/v1/messages", params={"limit": limit}, timeout=s.timeout
        )
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise CliError(
            f"the mail sink at {url} did not answer ({exc}): is `make up` running?"
        ) from exc
    body = response.json()
    found = [_row(m) for m in body.get("messages", [])]
    if to is not None:
        found = [m for m in found if to.lower() in m["To"].lower()]
    title = f"Mail ({len(found)} of {body.get('total', len(found))})"
    show_listing(s, Listing(title, COLUMNS, found, body, wide=["From", "Snippet"], id_column="ID"))


def sink_summary(url: str = "http://127.0.0.1:8025") -> str:
    """One line on what the mail sink holds (the demo's summary)."""
    try:
        body = httpx.get(f"{url}/api/v1/messages", params={"limit": 1000}, timeout=5).json()
    except (httpx.HTTPError, ValueError):
        return f"Mail sink: not answering at {url}"
    people = {t.get("Address") for m in body.get("messages", []) for t in m.get("To") or []}
    return (
        f"Alert emails in the mail sink: {body.get('total', 0)} messages to {len(people)} "
        f"people, each listing the alerts of one group ({url}, pactctl mail)"
    )
