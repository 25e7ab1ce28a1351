"""(4) Query latency on a large state: 10,000 commitments and 1,000,000 applied reports.

Ingesting a million reports through Kafka would make the benchmark long, so the state is
computed in this process with monitoring's own code, as the hot path computes it (the
adapters' inbound mapping, CommitmentProgress.apply, the rules, reconcile, contribution) and
bulk-inserted in the exact documents its repositories write (core/adapters/documents.py;
the alert board reads the same alerts), with a receipt (its only record) for every report.
Only the latest revision of each period is applied (that is all a period's cell keeps) and
the rules run once, at the end: the alerts are those firing now, without the history of
episodes that fired and resolved along the way."""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

import httpx

from bench.perf_world import LEVELS, PARTNERSHIPS, World, percentile
from monitoring.core.adapters import alert_documents as ad
from monitoring.core.adapters import documents as d
from monitoring.core.adapters import inbound
from monitoring.core.adapters.counters import (
    bucket_doc,
    presence_doc,
    year_count_counts,
    year_doc,
    year_fields,
    year_partner_counts,
    year_partner_fields,
)
from monitoring.core.adapters.report_codec import to_report
from monitoring.core.domain import buckets, presence, year_counts, years
from monitoring.core.domain.alerting import Alert, reconcile
from monitoring.core.domain.conditions import AlertConfig
from monitoring.core.domain.events import AlertFired, AlertResolved
from monitoring.core.domain.model import Commitment, Partner, Partnership, PartnershipTarget
from monitoring.core.domain.progress import CommitmentProgress, TargetProgress
from monitoring.core.domain.rollups import Totals, contribution, members_key, merge
from monitoring.core.domain.rules import (
    commitment_subject,
    evaluate_commitment,
    evaluate_target,
    on_track,
    target_subject,
)
from pact_common.auth import Principal, Role, TokenIssuer
from pact_common.dev_keys import DEV_JWT_PRIVATE_KEY
from pact_contracts import ProgressReported
from pactctl.simulation import ProgressSimulator

Doc = dict[str, Any]
CHUNK = 10_000


def _evaluate(
    progress: dict[str, CommitmentProgress], targets: list[TargetProgress], now: datetime
) -> tuple[list[Alert], list[AlertFired | AlertResolved], dict[str, Totals]]:
    config, today = AlertConfig(), now.date()
    alerts: list[Alert] = []
    events: list[AlertFired | AlertResolved] = []
    rollups: dict[str, Totals] = {}
    for p in progress.values():
        conditions = evaluate_commitment(p, today, config)
        p.on_track = on_track(p, conditions)
        p.evaluated_on = today
        result = reconcile(commitment_subject(p.commitment), {}, conditions, now)
        alerts += result.changed
        events += result.events
        merge(rollups, contribution(p))
    for t in targets:
        definition = t.target.target
        key = members_key(t.target.partnership_id, definition.metric)
        actual = definition.baseline + rollups.get(key, Totals()).value(definition.metric)
        result = reconcile(
            target_subject(t.target), {}, evaluate_target(definition, actual, today, config), now
        )
        alerts += result.changed
        events += result.events
        t.evaluated_on = today
    return alerts, events, rollups


async def _insert(db: Any, name: str, docs: list[Doc]) -> None:
    for i in range(0, len(docs), CHUNK):
        await db[name].insert_many(docs[i : i + CHUNK], ordered=False)


async def build_state(
    db: Any, world: World, reports: int, now: datetime, group: str, *, seed: int = 11
) -> dict[str, Any]:
    """Fills `db` as monitoring would have after taking `reports` simulated reports."""
    started = time.perf_counter()
    progress: dict[str, CommitmentProgress] = {}
    targets: list[TargetProgress] = []
    for event in world.commitment_events:
        known = inbound.commitment(event)  # type: ignore[arg-type]
        if isinstance(known, Commitment):
            progress[known.id] = CommitmentProgress(known)
        elif isinstance(known, PartnershipTarget):
            targets.append(TargetProgress(known))
    simulator = ProgressSimulator(world.commitments, seed=seed, today=now.date())
    latest: dict[tuple[str, str], ProgressReported] = {}
    receipts: list[Doc] = []
    for _ in range(reports):
        r = simulator.next_report()
        latest[(r.commitment_id, r.period)] = r
        digest = hashlib.sha256(r.to_bytes()).hexdigest()
        receipts.append({"_id": str(r.event_id), "hash": digest, "reused": [], "at": now})
    for r in latest.values():
        raw = json.loads(r.to_bytes())
        report = to_report(r, raw, json.dumps(raw), None, "bench")
        progress[r.commitment_id].apply(report, now)
    alerts, _fired_or_resolved, rollups = _evaluate(progress, targets, now)
    computed = time.perf_counter() - started
    partners, partnerships = [], []
    for event in world.partner_events:
        who = inbound.partner(event)  # type: ignore[arg-type]
        if isinstance(who, Partner):
            doc = asdict(who) | {"partnerships": list(who.partnerships)}
            doc["_id"] = doc.pop("id")
            partners.append(doc)
        elif isinstance(who, Partnership):
            partnerships.append({"_id": who.id, "name": who.name})
    await _insert(db, "partners", partners)
    await _insert(db, "partnerships", partnerships)
    written = [d.commitment_doc(p) for p in progress.values()]
    await _insert(db, "commitments", [head for head, _ in written])
    await _insert(db, "periods", [cell for _, cells in written for cell in cells])
    await _insert(db, "targets", [d.target_doc(t) for t in targets])
    await _insert(
        db,
        "rollups",
        [{"_id": k, **t.as_dict(), "kind": k.split(":")[0]} for k, t in sorted(rollups.items())],
    )
    kept: buckets.Buckets = {}
    present: presence.Presence = {}
    for p in progress.values():
        buckets.merge(kept, buckets.contribution(p))
        p.extra = buckets.extras(p)
        presence.merge(present, presence.contribution(p))
    await _insert(db, "buckets", [bucket_doc(key, row) for key, row in sorted(kept.items())])
    await _insert(
        db, "scope_partners", [presence_doc(key, row) for key, row in sorted(present.items())]
    )
    yearly = years.Yearly()
    for p in progress.values():
        yearly.merge(years.contribution(p))
    await _insert(db, "years", [year_doc(key, row) for key, row in sorted(yearly.rows.items())])
    await _insert(
        db,
        "year_partners",
        [
            {"_id": key, **year_partner_fields(key), **year_partner_counts(row)}
            for key, row in sorted(yearly.partners.items())
        ],
    )
    counts = year_counts.partners_counted({}, yearly.partners)
    await _insert(
        db,
        "year_counts",
        [
            {"_id": key, **year_fields(key), **year_count_counts(row)}
            for key, row in sorted(counts.items())
        ],
    )
    await _insert(db, "alerts", [ad.alert_doc(a) for a in alerts])
    await _insert(db, "receipts", receipts)
    return {
        "commitments": len(progress),
        "reports": reports,
        "periods_applied": len(latest),
        "alerts": len(alerts),
        "firing": sum(a.is_firing for a in alerts),
        "rollups": len(rollups),
        "buckets": len(kept),
        "year_rows": len(yearly.rows),
        "computed_s": round(computed, 1),
        "built_s": round(time.perf_counter() - started, 1),
    }


def queries(world: World, year: int) -> dict[str, Callable[[random.Random], str]]:
    """What is asked, with a fresh subject each time."""
    commitments = [c.commitment_id for c in world.commitments]
    partners = sorted({c.partner_id for c in world.commitments})
    countries = sorted({x for c in world.commitments for x in c.countries})
    return {
        "progress per partnership": lambda r: f"/progress/partnerships/{r.choice(PARTNERSHIPS)}",
        "progress per partnership, series": (
            lambda r: f"/progress/partnerships/{r.choice(PARTNERSHIPS)}/series"
        ),
        "progress per commitment": lambda r: f"/progress/commitments/{r.choice(commitments)}",
        "alerts: firing, newest 50": lambda r: "/alerts?status=firing&limit=50",
        "alerts: one partner's": lambda r: f"/alerts?partner={r.choice(partners)}",
        "progress per partner": lambda r: f"/progress/partners/{r.choice(partners)}",
        "progress per country": lambda r: f"/progress/countries/{r.choice(countries)}",
        "progress per skill level": lambda r: f"/progress/levels/{r.choice(LEVELS)}",
        "annual report": lambda r: f"/reports/annual?year={year}",
        "annual report, one partnership": (
            lambda r: f"/reports/annual?year={year}&partnership={r.choice(PARTNERSHIPS)}"
        ),
        "annual report CSV": lambda r: f"/reports/annual?year={year}&format=csv",
    }


async def query_latency(
    url: str, world: World, year: int, *, samples: int, budget: float
) -> dict[str, dict[str, Any]]:
    """Each query asked one at a time: a few to warm up, then `samples` (or as many as fit
    in `budget` seconds, at least 5); p50/p95 in ms."""
    issuer = TokenIssuer(DEV_JWT_PRIVATE_KEY, "pact-registry", "pact-platform", timedelta(hours=2))
    token = issuer.issue(Principal("secretariat", Role.SECRETARIAT))
    rng = random.Random(3)
    out: dict[str, dict[str, Any]] = {}
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as http:
        for name, path in queries(world, year).items():
            for _ in range(3):
                (await http.get(path(rng))).raise_for_status()
            times: list[float] = []
            size = 0
            deadline = time.perf_counter() + budget
            while len(times) < samples and (len(times) < 5 or time.perf_counter() < deadline):
                target = path(rng)
                started = time.perf_counter()
                response = await http.get(target)
                times.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
                size = max(size, len(response.content))
            out[name] = {
                "n": len(times),
                "p50_ms": round(percentile(times, 50), 1),
                "p95_ms": round(percentile(times, 95), 1),
                "max_ms": round(max(times), 1),
                "largest_body_bytes": size,
            }
    return out
