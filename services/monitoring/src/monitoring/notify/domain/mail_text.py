"""The words of an alert email: one message lists every alert of one group (a partner, a
partnership, or a person's daily digest), in plain text and HTML, each alert with a link to
it in the portal (`{portal}/alerts/{fingerprint}`). Pure Python."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from monitoring.notify.domain.email import DIGEST, AlertNote

PRODUCT = "Pact for Skills"


@dataclass(frozen=True)
class Letter:
    subject: str
    text: str
    html: str


def alert_link(portal_url: str, fingerprint: str) -> str:
    return f"{portal_url.rstrip('/')}/alerts/{quote(fingerprint, safe='')}"


def state_of(note: AlertNote) -> str:
    if note.transition == "resolved":
        return "RESOLVED"
    if note.transition.startswith("repeat"):
        return "STILL FIRING"
    return "FIRING"


def _where(group: str) -> str:
    kind, _, value = group.partition(":")
    if group == DIGEST:
        return "your daily digest"
    return f"{'partnership' if kind == 'partnership' else 'partner'} {value}"


def subject_of(notes: Sequence[AlertNote], group: str) -> str:
    if group == DIGEST:
        return f"[{PRODUCT}] Daily digest: {len(notes)} alert{'s' * (len(notes) != 1)}"
    if len(notes) == 1:
        n = notes[0]
        return f"[{PRODUCT}] {state_of(n)} {n.rule} ({n.severity}) on {n.subject_id}"
    states = Counter(state_of(n).lower() for n in notes)
    counts = ", ".join(f"{v} {k}" for k, v in sorted(states.items()))
    return f"[{PRODUCT}] {len(notes)} alerts for {_where(group)} ({counts})"


def _line(n: AlertNote) -> str:
    return f"{state_of(n)} [{n.severity}] {n.rule} on {n.subject_type} {n.subject_id}"


def compose(notes: Sequence[AlertNote], group: str, name: str, portal_url: str) -> Letter:
    """The message for one person (`name`) and one group of alerts, ordered as given."""
    intro = f"Hello {name},\n\n{len(notes)} alert notification(s) for {_where(group)}:"
    blocks = [
        f"- {_line(n)}\n  {n.message}\n  {alert_link(portal_url, n.fingerprint)}" for n in notes
    ]
    outro = (
        "\nYou get these emails by your notification preferences: change them on your "
        f"account page, {portal_url.rstrip('/')}/account"
    )
    text = "\n\n".join([intro, *blocks, outro]) + "\n"
    items = "".join(
        f"<li><strong>{escape(_line(n))}</strong><br>{escape(n.message)}<br>"
        f'<a href="{escape(alert_link(portal_url, n.fingerprint))}">See the alert</a></li>'
        for n in notes
    )
    account = escape(f"{portal_url.rstrip('/')}/account")
    html = (
        f"<!doctype html><html><body><p>Hello {escape(name)},</p>"
        f"<p>{len(notes)} alert notification(s) for {escape(_where(group))}:</p>"
        f"<ul>{items}</ul><p>You get these emails by your notification preferences: "
        f'<a href="{account}">change them on your account page</a>.</p></body></html>'
    )
    return Letter(subject_of(notes, group), text, html)
