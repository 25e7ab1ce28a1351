"""The benchmark's world: partners and commitments as the registry and commitments services
announce them (contract events), the same commitments for pactctl's seeded progress
simulator, and the few pieces of plumbing every phase shares (producing in batches,
polling MongoDB, reading a process's memory)."""

from __future__ import annotations

import asyncio
import math
import os
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from aiokafka import AIOKafkaProducer

from pact_contracts import (
    COMMITMENT_EVENTS,
    PARTNER_EVENTS,
    CommitmentPledged,
    CommitmentSnapshot,
    Event,
    Milestone,
    PartnerApproved,
    PartnershipCreated,
    PartnershipTarget,
    PartnershipTargetSet,
    PartnerSnapshot,
    key_for,
    vocabulary,
)
from pactctl.simulation import SimulatedCommitment

PARTNERSHIPS = (
    "digital-ecosystem",
    "cyber-skills-alliance",
    "ai-talent-pact",
    "cloud-skills-coalition",
    "data-literacy-network",
)
COUNTRIES = sorted(vocabulary.COUNTRIES)
LEVELS = ("basic", "intermediate", "advanced", "expert")
#: metric -> (share of commitments, lowest target, highest target)
METRICS = {
    "people_trained": (0.7, 2_000, 50_000),
    "people_reached": (0.1, 20_000, 500_000),
    "investment_eur": (0.1, 100_000, 5_000_000),
    "programmes_developed": (0.1, 5, 60),
}


@dataclass
class World:
    """`commitments` get the progress reports; `probes` are fresh commitments kept aside
    (no report yet) that one report each drives over its target."""

    partner_events: list[Event] = field(default_factory=list)
    commitment_events: list[Event] = field(default_factory=list)
    commitments: list[SimulatedCommitment] = field(default_factory=list)
    probes: list[str] = field(default_factory=list)
    probe_partner: str = ""
    probe_period: str = ""

    @property
    def partners(self) -> int:
        return sum(isinstance(e, PartnerApproved) for e in self.partner_events)


def _milestones(start: date, deadline: date, target: float) -> list[Milestone]:
    """One at the end of every year before the deadline, on a straight line (as pactctl)."""
    span = (deadline - start).days
    out = []
    for due in (date(y, 12, 31) for y in range(start.year, deadline.year)):
        value = round(target * (due - start).days / span)
        if 0 < value < target:
            out.append(Milestone(due_date=due, value=value))
    return out


def make_world(commitments: int, today: date, *, per_partner: int = 10, seed: int = 7) -> World:
    """`commitments` pledged by commitments/per_partner active partners, spread over five
    partnerships (two targets each); started on 1 January last year, due at the end of next
    year; quarterly (a fifth monthly); most count people trained."""
    rng = random.Random(seed)
    world = World()
    for pid in PARTNERSHIPS:
        world.partner_events.append(
            PartnershipCreated(
                partnership_id=pid, name=pid.replace("-", " ").title(), ecosystem="digital"
            )
        )
    start, deadline = date(today.year - 1, 1, 1), date(today.year + 1, 12, 31)
    for p in range((commitments + per_partner - 1) // per_partner):
        partner_id, partnership = f"p-bench-{p:05d}", PARTNERSHIPS[p % len(PARTNERSHIPS)]
        countries = rng.sample(COUNTRIES, rng.choice((1, 1, 2, 3, 4)))
        snapshot = PartnerSnapshot(
            legal_name=f"Bench Partner {p:05d}",
            organisation_type="company",
            size_class="large",
            hq_country=countries[0],
            countries=countries,
            status="active",
            partnerships=[partnership],
        )
        world.partner_events.append(
            PartnerApproved(partner_id=partner_id, partner_version=2, partner=snapshot)
        )
        for n in range(min(per_partner, commitments - p * per_partner)):
            metric = rng.choices(list(METRICS), [m[0] for m in METRICS.values()])[0]
            _, low, high = METRICS[metric]
            target = float(round(rng.uniform(low, high)))
            pledge = CommitmentSnapshot(
                partner_id=partner_id,
                partnership_id=partnership,
                title=f"Bench commitment {n} of {partner_id}",
                principle="lifelong_learning",
                action_type="upskilling",
                specialisations=["cloud"],
                levels=rng.sample(LEVELS, rng.choice((1, 1, 2))),
                countries=rng.sample(countries, rng.randint(1, len(countries))),
                metric=metric,
                target_value=target,
                start_date=start,
                deadline=deadline,
                milestones=_milestones(start, deadline, target),
                cadence="monthly" if rng.random() < 0.2 else "quarterly",
                grace_days=30,
                status="active",
            )
            cid = f"c-bench-{p * per_partner + n:06d}"
            world.commitment_events.append(
                CommitmentPledged(commitment_id=cid, commitment_version=1, commitment=pledge)
            )
            world.commitments.append(
                SimulatedCommitment.from_json(
                    pledge.model_dump(mode="json") | {"commitment_id": cid}
                )
            )
    value = 100.0 * commitments
    for pid in PARTNERSHIPS:
        goal = PartnershipTarget(
            partnership_id=pid,
            title=f"{value:,.0f} people trained",
            metric="people_trained",
            target_value=value,
            start_date=start,
            deadline=deadline,
        )
        world.commitment_events.append(
            PartnershipTargetSet(target_id=f"t-{pid}", target_version=1, target=goal)
        )
    return world


def add_probes(world: World, count: int, today: date) -> None:
    """Fresh commitments of 10 people trained, started this quarter and due in two years
    (so no period is due and none is at risk): one report of 10 fires TargetAchieved."""
    quarter = (today.month - 1) // 3
    start = date(today.year, quarter * 3 + 1, 1)
    world.probe_period = f"{today.year}-Q{quarter + 1}"
    partner = next(e for e in world.partner_events if isinstance(e, PartnerApproved))
    world.probe_partner = partner.partner_id
    for i in range(count):
        cid = f"c-probe-{i:05d}"
        snapshot = CommitmentSnapshot(
            partner_id=partner.partner_id,
            partnership_id=partner.partner.partnerships[0],
            title=f"Latency probe {i}",
            principle="lifelong_learning",
            action_type="upskilling",
            specialisations=["cloud"],
            levels=["basic"],
            countries=[partner.partner.hq_country],
            metric="people_trained",
            target_value=10,
            start_date=start,
            deadline=date(today.year + 2, 12, 31),
            cadence="quarterly",
            grace_days=30,
            status="active",
        )
        world.commitment_events.append(
            CommitmentPledged(commitment_id=cid, commitment_version=1, commitment=snapshot)
        )
        world.probes.append(cid)


def topic_of(event: Event) -> str:
    return PARTNER_EVENTS.name if type(event) in PARTNER_EVENTS.events else COMMITMENT_EVENTS.name


class BatchProducer:
    """aiokafka with a 5 ms linger; `send_many` waits for every acknowledgement."""

    def __init__(self, bootstrap: str) -> None:
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap,
            enable_idempotence=False,
            linger_ms=5,
            max_batch_size=256 * 1024,
        )

    async def __aenter__(self) -> BatchProducer:
        await self._producer.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._producer.stop()

    async def send(self, topic: str, value: bytes, key: bytes) -> Any:
        return await self._producer.send(topic, value, key=key)

    async def send_many(self, messages: Iterable[tuple[str, bytes, bytes]]) -> int:
        pending, sent = [], 0
        for topic, value, key in messages:
            pending.append(await self._producer.send(topic, value, key=key))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                sent, pending = sent + len(pending), []
        await asyncio.gather(*pending)
        return sent + len(pending)

    async def send_events(self, namespace: str, events: Sequence[Event]) -> int:
        return await self.send_many(
            (f"{namespace}{topic_of(e)}", e.to_bytes(), key_for(e)) for e in events
        )


async def wait_for(
    what: str, check: Callable[[], Awaitable[bool]], timeout: float, interval: float = 0.25
) -> float:
    """Polls `check` until true; returns the seconds it took."""
    started = time.monotonic()
    while not await check():
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        await asyncio.sleep(interval)
    return time.monotonic() - started


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process, in KiB, from /proc."""
    out = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                out[name] = int(value.split()[0])
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (/proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def find_process(name: str, *args: str) -> int | None:
    """The pid of the first process whose command name is `name` and whose command line
    holds `args` one after the other (e.g. the mongod on a port: "--port", "27018")."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as comm, open(f"/proc/{entry}/cmdline") as line:
                    words = line.read().split("\0")
                    if comm.read().strip() == name and _holds(words, list(args)):
                        return int(entry)
            except OSError:
                continue
    return None


def _holds(words: list[str], part: list[str]) -> bool:
    return any(words[i : i + len(part)] == part for i in range(len(words) - len(part) + 1))


def mongod_of(url: str) -> int | None:
    """The local mongod serving `url` (the benchmark's runs beside the development one)."""
    port = urlsplit(url.split(",")[0]).port or 27017
    return find_process("mongod", "--port", str(port))


def percentile(samples: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of unsorted samples."""
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]
