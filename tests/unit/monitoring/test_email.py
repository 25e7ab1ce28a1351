"""Alerts by email, the pure rules (monitoring.notify.domain.email, mail_text): who is mailed
and when by their preferences, the groups, the digest's hour, repeats, retries, what a held
item becomes, and the words of a message."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from monitoring.notify.domain.email import (
    DIGEST,
    AlertNote,
    Mode,
    Recipient,
    RetryPolicy,
    Timing,
    items_for,
    next_digest,
    repeat_number,
    worth_mailing_after_mute,
)
from monitoring.notify.domain.mail_text import compose

NOW = datetime(2026, 12, 4, 13, 0, tzinfo=UTC)


def note(severity: str = "warning", transition: str = "fired", partner: str = "p-1") -> AlertNote:
    return AlertNote(
        "CommitmentAtRisk:commitment:c-1", 2, transition, "CommitmentAtRisk", severity,
        "commitment", "c-1", partner, "digital", "At the current pace <b>450</b> trained",
    )  # fmt: skip


ANA = Recipient("u-ana", "ana@one.example", "Ana", "p-1")
BO = Recipient("u-bo", "bo@one.example", "Bo", "p-1", modes={"warning": Mode.OFF})
CY = Recipient("u-cy", "cy@two.example", "Cy", "p-2")
SEC = Recipient("u-sec", "sec@secretariat.example", "Sé", None, modes={"warning": Mode.DAILY})
GONE = Recipient("u-gone", "gone@one.example", "Gone", "p-1", active=False)


def test_the_organisation_concerned_and_the_secretariat_by_their_preferences() -> None:
    items = {
        i.recipient.user_id: i for i in items_for(note(), [ANA, BO, CY, SEC, GONE], NOW, Timing())
    }
    assert set(items) == {"u-ana", "u-sec"}  # Bo: off; Cy: another partner; Gone: disabled
    assert items["u-ana"].group == "partner:p-1"
    assert items["u-ana"].due_at == NOW + timedelta(seconds=30)
    assert items["u-sec"].group == DIGEST and items["u-sec"].due_at == datetime(
        2026, 12, 5, 8, 0, tzinfo=UTC
    )
    assert items["u-ana"].key == "CommitmentAtRisk:commitment:c-1|2|fired|u-ana"


def test_the_secretariat_at_once_is_grouped_per_partnership() -> None:
    sec = Recipient("u-s", "s@sec.example", "S", None)
    (item,) = items_for(note(), [sec], NOW, Timing())
    assert item.group == "partnership:digital" and item.mode is Mode.IMMEDIATELY


def test_defaults_critical_and_warning_at_once_info_daily() -> None:
    assert ANA.mode("critical") is Mode.IMMEDIATELY and ANA.mode("info") is Mode.DAILY


def test_digest_hour_repeats_and_retries() -> None:
    assert next_digest(NOW, time(8)) == datetime(2026, 12, 5, 8, tzinfo=UTC)
    assert next_digest(NOW.replace(hour=7), time(8)) == NOW.replace(hour=8)
    week = timedelta(days=7)
    assert repeat_number(NOW, NOW + timedelta(days=6), week) == 0
    assert repeat_number(NOW, NOW + timedelta(days=15), week) == 2
    assert repeat_number(NOW, NOW + timedelta(days=15), None) == 0
    retry = RetryPolicy(max_attempts=3, base=timedelta(seconds=30), cap=timedelta(seconds=45))
    assert retry.next_attempt(1, NOW) == NOW + timedelta(seconds=30)
    assert retry.next_attempt(2, NOW) == NOW + timedelta(seconds=45)
    assert retry.next_attempt(3, NOW) is None


def test_a_held_item_once_unmuted() -> None:
    assert worth_mailing_after_mute(note(), ("firing", 2), firing_unsent=False)
    assert not worth_mailing_after_mute(note(), ("resolved", 2), firing_unsent=False)
    assert not worth_mailing_after_mute(note(), ("firing", 3), firing_unsent=False)
    resolved = note(transition="resolved")
    assert worth_mailing_after_mute(resolved, ("resolved", 2), firing_unsent=False)
    assert not worth_mailing_after_mute(resolved, ("resolved", 2), firing_unsent=True)


def test_one_message_lists_each_alert_with_its_link_text_and_html() -> None:
    other = AlertNote(
        "TargetMissed:commitment:c-2", 1, "fired", "TargetMissed", "critical", "commitment",
        "c-2", "p-1", "digital", "Missed",
    )  # fmt: skip
    letter = compose([note(), other], "partner:p-1", "Ana", "https://portal.example/")
    assert letter.subject == "[Pact for Skills] 2 alerts for partner p-1 (2 firing)"
    link = "https://portal.example/alerts/CommitmentAtRisk%3Acommitment%3Ac-1"
    assert link in letter.text and link in letter.html
    assert "<b>450</b>" in letter.text and "&lt;b&gt;450&lt;/b&gt;" in letter.html
    single = compose([note(transition="resolved")], "partner:p-1", "Ana", "https://p.example")
    assert single.subject == "[Pact for Skills] RESOLVED CommitmentAtRisk (warning) on c-1"
