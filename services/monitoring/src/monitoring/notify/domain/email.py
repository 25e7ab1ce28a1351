"""Alerts by email to people (issue 16), pure Python: who gets an alert (the people of the
organisation concerned and the secretariat's, by their preferences per severity), when
(grouped within a wait, in the daily digest, or again while a critical one still fires),
and the message one person gets for one group.

One mail item per (alert, transition, recipient): its key is unique, so a transition is
mailed to a person once whatever replays or restarts happen. Items of one person and one
group are sent together in one message (messages.py words them)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum


class Mode(StrEnum):
    IMMEDIATELY = "immediately"
    DAILY = "daily"
    OFF = "off"


DEFAULT_MODES = {"critical": Mode.IMMEDIATELY, "warning": Mode.IMMEDIATELY, "info": Mode.DAILY}
#: the group of every "daily" item of a person: one digest a day
DIGEST = "digest"


@dataclass(frozen=True)
class Recipient:
    """A person, from the registry's PersonUpdated events (monitoring's recipients)."""

    user_id: str
    email: str
    name: str
    #: None: the secretariat's
    partner_id: str | None
    active: bool = True
    modes: dict[str, Mode] = field(default_factory=lambda: dict(DEFAULT_MODES))

    def mode(self, severity: str) -> Mode:
        return self.modes.get(severity, DEFAULT_MODES.get(severity, Mode.IMMEDIATELY))


@dataclass(frozen=True)
class AlertNote:
    """What a message says of one alert transition."""

    fingerprint: str
    episode: int
    #: "fired", "resolved", or "repeat-N" (still firing, the Nth repeat)
    transition: str
    rule: str
    severity: str
    subject_type: str
    subject_id: str
    partner_id: str | None
    partnership_id: str
    message: str


@dataclass(frozen=True)
class MailItem:
    """One alert transition for one person, waiting to go out in a message."""

    note: AlertNote
    recipient: Recipient
    mode: Mode
    group: str
    created_at: datetime
    due_at: datetime

    @property
    def key(self) -> str:
        n = self.note
        return f"{n.fingerprint}|{n.episode}|{n.transition}|{self.recipient.user_id}"


@dataclass(frozen=True)
class Timing:
    group_wait: timedelta = timedelta(seconds=30)
    #: a critical alert still firing is mailed again this long after it fired (and after
    #: each repeat); None: never
    repeat_interval: timedelta | None = timedelta(days=7)
    digest_at: time = time(8, 0)


def group_of(note: AlertNote, recipient: Recipient) -> str:
    """A partner's people get one message per partner; the secretariat's, per partnership."""
    if recipient.partner_id is None:
        return f"partnership:{note.partnership_id}"
    return f"partner:{recipient.partner_id}"


def next_digest(now: datetime, at: time) -> datetime:
    """The next digest time (UTC) after `now`."""
    today = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return today if today > now else today + timedelta(days=1)


def concerned(note: AlertNote, recipient: Recipient) -> bool:
    """The secretariat's people hear of every alert; a partner's, of its own."""
    if not recipient.active:
        return False
    return recipient.partner_id is None or recipient.partner_id == note.partner_id


def items_for(
    note: AlertNote, people: Iterable[Recipient], now: datetime, timing: Timing
) -> list[MailItem]:
    """The mail items of one alert transition: one per person concerned who wants it."""
    items = []
    for person in people:
        mode = person.mode(note.severity)
        if mode is Mode.OFF or not concerned(note, person):
            continue
        if mode is Mode.DAILY:
            group, due = DIGEST, next_digest(now, timing.digest_at)
        else:
            group, due = group_of(note, person), now + timing.group_wait
        items.append(MailItem(note, person, mode, group, now, due))
    return items


def repeat_number(fired_at: datetime, now: datetime, interval: timedelta | None) -> int:
    """How many repeat intervals a still-firing alert has been firing (0: none yet)."""
    if interval is None or interval <= timedelta(0) or now < fired_at:
        return 0
    return int((now - fired_at) / interval)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)

    def next_attempt(self, attempts: int, now: datetime) -> datetime | None:
        """When to try again after `attempts` failed ones; None: give up."""
        if attempts >= self.max_attempts:
            return None
        wait: timedelta = min(self.cap, self.base * 2 ** (attempts - 1))
        return now + wait


#: alert statuses in which a held firing is still worth mailing once nothing mutes it
STILL_FIRING = frozenset({"firing", "notified"})


def worth_mailing_after_mute(
    note: AlertNote, alert: tuple[str, int] | None, firing_unsent: bool
) -> bool:
    """A mail item held while its alert was silenced or inhibited, now that nothing mutes
    it: a firing (or repeat) is mailed if its episode still fires; a resolve, unless its
    firing was left unsent."""
    if note.transition == "resolved":
        return not firing_unsent
    return alert is not None and alert[0] in STILL_FIRING and alert[1] == note.episode
