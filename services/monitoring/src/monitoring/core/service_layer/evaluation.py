"""After a commitment's progress or definition changed, or a day passed: run the alert rules,
reconcile the alerts (emitting fired/resolved events), keep the rollups, and do the same for
the partnership targets whose sums moved. Runs inside the caller's unit of work."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime

from monitoring.core.domain import buckets, presence, year_deltas
from monitoring.core.domain.alerting import Alert, AlertState, AlertStatus, reconcile
from monitoring.core.domain.conditions import AlertConfig, Condition, Rule, Subject, fingerprint
from monitoring.core.domain.model import CommitmentStatus
from monitoring.core.domain.ownership import EVERYTHING, Held
from monitoring.core.domain.progress import CommitmentProgress, TargetProgress
from monitoring.core.domain.rollups import (
    MEMBERS,
    Rows,
    Totals,
    add_rows,
    change_rows,
    members_key,
    moved_periods,
)
from monitoring.core.domain.rules import (
    commitment_subject,
    evaluate_commitment,
    evaluate_target,
    on_track,
    target_subject,
)
from monitoring.core.domain.view_journal import Deltas, Entry, entry_of
from monitoring.core.service_layer.keeper import add_views
from monitoring.core.service_layer.known_alerts import quiet as held_quiet
from monitoring.core.service_layer.known_alerts import remember, settled
from monitoring.core.service_layer.unit_of_work import UnitOfWork
from pact_common.turns import paced


async def settle_commitments(
    uow: UnitOfWork,
    changed: Iterable[CommitmentProgress],
    now: datetime,
    config: AlertConfig,
) -> None:
    changed = list(changed)
    if not changed:
        return
    today = now.date()
    subjects = {p.id: commitment_subject(p.commitment) for p in changed}
    # the alerts whose resolve is held and still waits: not read unless needed (below)
    waiting = {p.id: {fp: t for fp, t in p.held.items() if t > now} for p in changed}
    # the firing alerts a head knows of are not read either unless needed; those of heads
    # stored before they kept them are
    unknown = [p for p in changed if p.firing is None]
    skip = [fp for p in unknown for fp in waiting[p.id]]
    keys = [subjects[p.id].key for p in unknown]
    firing: Firing = {}
    for key, read in (await uow.alerts.firing_of(keys, skip) if keys else {}).items():
        firing[key] = dict[str, Alert | AlertState](read)
    for p in changed:
        if p.firing is not None:
            mine = firing[subjects[p.id].key] = {}
            for fp, episode in p.firing.items():
                mine[fp] = AlertState(fp, AlertStatus.FIRING, episode)
    conditions: dict[str, list[Condition]] = {}
    quiet: dict[str, set[str]] = {}  # by id, the held alerts of milestones left out
    async for p in paced(changed):  # minutes of Python for a big batch: others get turns
        subject = subjects[p.id]
        # held counts as firing, its hold ended or not (then not read yet, but firing)
        at_risk = at_risk_firing(subject, firing.get(subject.key, {}), p.held)
        reached = settled(p, subject, waiting[p.id])
        conditions[p.id] = evaluate_commitment(p, today, config, at_risk, reached)
        quiet[p.id] = held_quiet(p, subject, reached)
        p.on_track = on_track(p, conditions[p.id])
        p.evaluated_on = today
    # what reconciling needs of the alerts, in one read: those to read whole (_needed) and
    # the state of the others whose condition holds (_wanted), but those read whole
    needed = _needed(changed, firing, subjects, conditions, waiting, quiet)
    notified = {p.id: p.notified for p in changed}
    wanted, known = _wanted(subjects, conditions, firing, notified)
    whole = set(needed)
    asked = [fp for fps in wanted.values() for fp in fps if fp not in whole]
    found = await uow.alerts.whole([*needed, *asked])  # none: not asked of mongod
    _found(firing, needed, found)
    states = {fp: AlertState(fp, a.status, a.episode) for fp in asked if (a := found.get(fp))}
    alerts = _assembled(subjects, wanted, known, states, firing)
    updated: list[Alert] = []
    summed: Rows = {}
    views, entries = Deltas.none(), list[Entry]()  # the views kept inline, or apart
    async for p in paced(changed):
        subject, status = subjects[p.id], p.commitment.status
        active = status is CommitmentStatus.ACTIVE
        gone = "the commitment was amended" if active else f"commitment {p.id} is {status.value}"
        result = reconcile(
            subject, alerts[p.id], conditions[p.id], now, gone=gone, min_firing=config.min_firing
        )
        updated += result.changed
        p.events.extend(result.events)
        remember(p, waiting[p.id], alerts[p.id], result.changed)
        periods = moved_periods(p)  # what the changed periods attribute, worked out once
        add_rows(summed, change_rows(p, periods), 1)
        if uow.journal is None:
            views.add(Deltas(buckets.change(p, periods), presence.change(p, periods),
                             year_deltas.change(p, periods)))  # fmt: skip
        elif (entry := entry_of(p, periods)) is not None:
            entries.append(entry)
        p.settled()
    await uow.commitments.save_many(changed)
    await uow.alerts.save_many(updated)
    deltas = {key: Totals(*r) for key, r in summed.items() if any(r)}
    await uow.rollups.add(deltas)
    if uow.journal is None:
        await add_views(uow, views)
    elif entries:
        await uow.journal.add(entries, now)
    partnerships = {key.split(":")[1] for key in deltas if key.startswith(f"{MEMBERS}:")}
    if partnerships:
        targets = await uow.targets.in_partnerships(partnerships)
        moved = [t for t in targets if _sum_key(t) in deltas and uow.held.owns(t.id)]
        await settle_targets(uow, moved, now, config)


#: by subject key, its firing alerts: whole, or as its head knows them (AlertState)
Firing = dict[str, dict[str, Alert | AlertState]]


async def _alerts_of(
    uow: UnitOfWork,
    subjects: Mapping[str, Subject],
    conditions: Mapping[str, list[Condition]],
    firing: Mapping[str, Mapping[str, Alert | AlertState]],
    notified: Mapping[str, set[str]] | None = None,
) -> dict[str, dict[str, Alert | AlertState]]:
    """By id, what reconciling each subject needs of its alerts: the firing ones (read
    whole), and the state of the others whose condition holds now (notified, or resolved
    and firing again), rather than every alert it ever had. `notified`: by id, the
    informational alerts known to be notified already (their state is not read)."""
    wanted, known = _wanted(subjects, conditions, firing, notified)
    states = await uow.alerts.states(fp for fps in wanted.values() for fp in fps)
    return _assembled(subjects, wanted, known, states, firing)


def _wanted(
    subjects: Mapping[str, Subject],
    conditions: Mapping[str, list[Condition]],
    firing: Mapping[str, Mapping[str, Alert | AlertState]],
    notified: Mapping[str, set[str]] | None,
) -> tuple[dict[str, list[str]], dict[str, dict[str, Alert | AlertState]]]:
    """By id, the alerts whose state _alerts_of reads, and those it knows without reading."""
    wanted: dict[str, list[str]] = {}
    known: dict[str, dict[str, Alert | AlertState]] = {}
    for i, subject in subjects.items():
        mine, told = firing.get(subject.key, {}), (notified or {}).get(i, set())
        fps = [c.fingerprint(subject) for c in conditions[i] if c.active]
        wanted[i] = [fp for fp in fps if fp not in mine and fp not in told]
        # an informational alert never fires again: its episode does not matter
        known[i] = {fp: AlertState(fp, AlertStatus.NOTIFIED, 1) for fp in fps if fp in told}
    return wanted, known


def _assembled(
    subjects: Mapping[str, Subject],
    wanted: Mapping[str, list[str]],
    known: Mapping[str, dict[str, Alert | AlertState]],
    states: Mapping[str, Alert | AlertState],
    firing: Mapping[str, Mapping[str, Alert | AlertState]],
) -> dict[str, dict[str, Alert | AlertState]]:
    return {
        i: known[i]
        | {fp: states[fp] for fp in fps if fp in states}
        | dict(firing.get(subjects[i].key, {}))
        for i, fps in wanted.items()
    }


def at_risk_firing(
    subject: Subject, alerts: Mapping[str, Alert | AlertState], held: Collection[str] = ()
) -> bool:
    """Is the subject's CommitmentAtRisk alert firing (its hysteresis)? One whose resolve is
    held (`held`, its hold ended or not) is."""
    fp = fingerprint(Rule.COMMITMENT_AT_RISK, subject)
    alert = alerts.get(fp)
    return fp in held or (alert is not None and alert.status is AlertStatus.FIRING)


def _needed(
    changed: Iterable[CommitmentProgress],
    firing: Firing,
    subjects: Mapping[str, Subject],
    conditions: Mapping[str, list[Condition]],
    waiting: Mapping[str, Mapping[str, datetime]],
    quiet: Mapping[str, Collection[str]],
) -> list[str]:
    """The alerts that reconciling changes and that were not read, to be read whole into
    `firing` (_found): those with a held resolve whose condition holds again (the hold is
    dropped) or is gone (they resolve; not those of milestones left out as settled,
    `quiet`), and, of a head that knows its firing alerts, those whose condition stopped
    holding or is gone, and those whose hold has ended. The others with a held resolve stay
    firing until their hold ends, and a batch then reads them."""
    needed: list[str] = []
    for p in changed:
        held, known = waiting[p.id], p.firing or {}
        # holds ended: read with the firing alerts if the head does not know those
        ended = [] if p.firing is None else [fp for fp in p.held if fp not in held]
        if not (held or known or ended):
            continue  # nothing unread that reconciling could change
        now = {c.fingerprint(subjects[p.id]): c for c in conditions[p.id]}
        left = quiet[p.id]
        needed += [
            fp for fp in held if (c.active if (c := now.get(fp)) is not None else fp not in left)
        ]
        needed += [fp for fp in known if (c := now.get(fp)) is None or not c.active]
        needed += ended
    return needed


def _found(firing: Firing, needed: Collection[str], found: Mapping[str, Alert]) -> None:
    """The needed alerts read, into `firing`; one no longer stored: forgotten."""
    for fp in needed:
        if (alert := found.get(fp)) is not None:
            firing.setdefault(alert.subject.key, {})[fp] = alert
    if missing := set(needed) - found.keys():
        for mine in firing.values():
            for fp in missing & mine.keys():
                del mine[fp]


def _sum_key(t: TargetProgress) -> str:
    return members_key(t.target.partnership_id, t.target.target.metric)


async def settle_targets(
    uow: UnitOfWork, targets: Iterable[TargetProgress], now: datetime, config: AlertConfig
) -> None:
    """A partnership target's progress: its baseline plus the metric summed over the
    partnership's commitments of that metric; stored when new or first evaluated that day."""
    targets = list(targets)
    if not targets:
        return
    today = now.date()
    stale = [t for t in targets if t.evaluated_on != today]
    sums = await uow.rollups.get_many(_sum_key(t) for t in targets)
    subjects = {t.id: target_subject(t.target) for t in targets}
    firing = await uow.alerts.firing_of(s.key for s in subjects.values())
    conditions: dict[str, list[Condition]] = {}
    for t in targets:
        goal = t.target.target
        actual = goal.baseline + sums.get(_sum_key(t), Totals()).value(goal.metric)
        at_risk = at_risk_firing(subjects[t.id], firing.get(subjects[t.id].key, {}))
        conditions[t.id] = evaluate_target(goal, actual, today, config, at_risk_firing=at_risk)
    alerts = await _alerts_of(uow, subjects, conditions, firing)
    updated: list[Alert] = []
    for t in targets:
        result = reconcile(
            subjects[t.id], alerts[t.id], conditions[t.id], now, min_firing=config.min_firing
        )
        updated += result.changed
        t.events.extend(result.events)
        t.evaluated_on = today
    await uow.targets.save_many(stale)
    await uow.alerts.save_many(updated)


async def settle_held(
    uow: UnitOfWork, now: datetime, limit: int, config: AlertConfig, held: Held = EVERYTHING
) -> int:
    """Evaluate again the subjects whose alerts' held resolves are due (no flapping: they
    resolve now if their condition still does not hold), of those `held` owns (a commitment
    by its partner's partition, a target by its own). Returns how many were settled."""
    keys = await uow.alerts.held_resolves(now, limit, held)
    ids = {kind: [k.split(":", 1)[1] for k in keys if k.startswith(f"{kind}:")] for kind in
           ("commitment", "partnership_target")}  # fmt: skip
    progress = list((await uow.commitments.get_many(ids["commitment"])).values())
    await settle_commitments(uow, progress, now, config)
    targets = [t for i in ids["partnership_target"] if (t := await uow.targets.get(i))]
    await settle_targets(uow, targets, now, config)
    return len(progress) + len(targets)
