"""After a commitment's progress or definition changed, or a day passed: run the alert rules,
reconcile the alerts (emitting fired/resolved events), keep the rollups, and do the same for
the partnership targets whose sums moved. Runs inside the caller's unit of work."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from monitoring.core.domain.alerting import Alert, reconcile
from monitoring.core.domain.conditions import AlertConfig
from monitoring.core.domain.model import CommitmentStatus
from monitoring.core.domain.progress import CommitmentProgress, TargetProgress
from monitoring.core.domain.rollups import (
    MEMBERS,
    Totals,
    contribution,
    difference,
    members_key,
    merge,
)
from monitoring.core.domain.rules import (
    commitment_subject,
    evaluate_commitment,
    evaluate_target,
    on_track,
    target_subject,
)
from monitoring.core.service_layer.unit_of_work import UnitOfWork

Contributions = Mapping[str, Mapping[str, Totals]]


def contributions(progress: Iterable[CommitmentProgress]) -> dict[str, dict[str, Totals]]:
    """Take before changing: what each commitment adds to the rollups now."""
    return {p.id: contribution(p) for p in progress}


async def settle_commitments(
    uow: UnitOfWork,
    changed: Iterable[CommitmentProgress],
    before: Contributions,
    now: datetime,
    config: AlertConfig,
) -> None:
    changed = list(changed)
    if not changed:
        return
    today = now.date()
    subjects = {p.id: commitment_subject(p.commitment) for p in changed}
    alerts = await uow.alerts.of_subjects(s.key for s in subjects.values())
    updated: list[Alert] = []
    deltas: dict[str, Totals] = {}
    for p in changed:
        conditions = evaluate_commitment(p, today, config)
        p.on_track = on_track(p, conditions)
        p.evaluated_on = today
        subject = subjects[p.id]
        status = p.commitment.status
        active = status is CommitmentStatus.ACTIVE
        gone = "the commitment was amended" if active else f"commitment {p.id} is {status.value}"
        result = reconcile(subject, alerts.get(subject.key, {}), conditions, now, gone=gone)
        updated += result.changed
        p.events.extend(result.events)
        merge(deltas, difference(contribution(p), before.get(p.id, {})))
    await uow.commitments.save_many(changed)
    await uow.alerts.save_many(updated)
    await uow.rollups.add(deltas)
    partnerships = {key.split(":")[1] for key in deltas if key.startswith(f"{MEMBERS}:")}
    if partnerships:
        targets = await uow.targets.in_partnerships(partnerships)
        moved = [t for t in targets if _sum_key(t) in deltas]
        await settle_targets(uow, moved, now, config)


def _sum_key(t: TargetProgress) -> str:
    return members_key(t.target.partnership_id, t.target.target.metric)


async def settle_targets(
    uow: UnitOfWork, targets: Iterable[TargetProgress], now: datetime, config: AlertConfig
) -> None:
    """A partnership target's progress: its baseline plus the metric summed over the
    partnership's commitments that count the same metric."""
    targets = list(targets)
    if not targets:
        return
    today = now.date()
    sums = await uow.rollups.get_many(_sum_key(t) for t in targets)
    subjects = {t.id: target_subject(t.target) for t in targets}
    alerts = await uow.alerts.of_subjects(s.key for s in subjects.values())
    updated: list[Alert] = []
    for t in targets:
        definition = t.target.target
        actual = definition.baseline + sums.get(_sum_key(t), Totals()).value(definition.metric)
        conditions = evaluate_target(definition, actual, today, config)
        subject = subjects[t.id]
        result = reconcile(subject, alerts.get(subject.key, {}), conditions, now)
        updated += result.changed
        t.events.extend(result.events)
        t.evaluated_on = today
    await uow.targets.save_many(targets)
    await uow.alerts.save_many(updated)
