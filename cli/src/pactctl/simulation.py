"""Progress reports as partner systems send them: pure, seeded and importable.

`ProgressSimulator` walks each commitment's reporting periods from its start date up to
today, one report per period (revision 1, or `first_revision`), then keeps correcting the
last period with figures growing toward that period's full figures (revision 2, 3, ...), as
a partner's HR or learning system does while the quarter runs. Figures follow the
commitment's pace toward its target, so an endless stream never overshoots it by much; the
breakdowns by level, country and gender always sum exactly to `people_trained`.

No I/O: benchmarks, the demo and `pactctl simulate` give it commitments and read reports.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pact_contracts import ProgressReported

from .periods import Period, periods_between

PRODUCER = "pactctl-simulate"
GENDER_MINORITIES = {"non_binary": 0.01, "undisclosed": 0.02}
#: Each correction of the period under way adds a fifth of what it still lacks.
GROWTH = 0.8
#: The contract's highest revision; a stream that long repeats it (monitoring refuses those).
MAX_REVISION = 1_000_000


#: figures of "attracting people into digital jobs", as a share of the people trained (fixed,
#: so that a seed gives the same reports as before they were simulated)
PER_TRAINED = {"people_placed_in_jobs": 0.2, "new_entrants": 0.35, "certificates_issued": 0.85}


@dataclass(frozen=True)
class SimulatedCommitment:
    """What the simulator needs to know of a commitment to report on it realistically."""

    commitment_id: str
    partner_id: str
    countries: tuple[str, ...]
    levels: tuple[str, ...]
    start_date: date
    deadline: date
    target_value: float
    metric: str = "people_trained"
    baseline: float = 0
    cadence: str = "quarterly"
    #: Share of women among people trained; drawn between 0.3 and 0.5 when not given.
    female_share: float | None = None
    #: The partner's Ed25519 private key (base64), when it signs its reports.
    signing_key: str | None = None

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> SimulatedCommitment:
        """From `pactctl simulate --save` output or the commitments API (`id` or
        `commitment_id`); other keys are ignored."""
        return cls(
            commitment_id=str(doc.get("commitment_id") or doc["id"]),
            partner_id=str(doc["partner_id"]),
            countries=tuple(doc["countries"]),
            levels=tuple(doc["levels"]),
            start_date=date.fromisoformat(str(doc["start_date"])),
            deadline=date.fromisoformat(str(doc["deadline"])),
            target_value=float(doc["target_value"]),
            metric=str(doc.get("metric", "people_trained")),
            baseline=float(doc.get("baseline", 0)),
            cadence=str(doc.get("cadence", "quarterly")),
            female_share=doc.get("female_share"),
            signing_key=doc.get("signing_key"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "commitment_id": self.commitment_id,
            "partner_id": self.partner_id,
            "countries": list(self.countries),
            "levels": list(self.levels),
            "start_date": self.start_date.isoformat(),
            "deadline": self.deadline.isoformat(),
            "target_value": self.target_value,
            "metric": self.metric,
            "baseline": self.baseline,
            "cadence": self.cadence,
            "female_share": self.female_share,
            "signing_key": self.signing_key,
        }


def split(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """`total` shared out in proportion to `weights` (largest remainders), summing exactly
    to `total`; keys that get nothing are left out."""
    if total <= 0 or not weights:
        return {}
    whole = sum(weights.values())
    raw = {k: total * w / whole for k, w in weights.items()}
    shares = {k: int(v) for k, v in raw.items()}
    order = {k: i for i, k in enumerate(raw)}
    by_remainder = sorted(raw, key=lambda k: (shares[k] - raw[k], order[k]))
    for k in by_remainder[: total - sum(shares.values())]:
        shares[k] += 1
    return {k: v for k, v in shares.items() if v > 0}


@dataclass
class _Track:
    """One commitment's state: its periods, where the simulator is, its weights."""

    commitment: SimulatedCommitment
    periods: list[Period]
    per_period: float
    level_weights: dict[str, float]
    country_weights: dict[str, float]
    female_share: float
    next_index: int = 0
    revision: int = 0
    metric_value: int = 0  # of the last report
    full: int = 0  # what the last period reaches when it is over
    corrections: int = 0
    latest: dict[str, int] = field(default_factory=dict)  # people trained per period


class ProgressSimulator:
    """An endless, reproducible stream of valid ProgressReported events."""

    def __init__(
        self,
        commitments: Sequence[SimulatedCommitment],
        *,
        seed: int | None = None,
        today: date | None = None,
        clock: Callable[[], datetime] | None = None,
        producer: str = PRODUCER,
        first_revision: int = 1,
    ) -> None:
        self._rng = random.Random(seed)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._producer = producer
        self._first_revision = first_revision
        self._today = today = today or self._clock().date()
        self._tracks = [t for c in commitments if (t := self._track(c, today)) is not None]
        if not self._tracks:
            raise ValueError("no commitment has a reporting period that has begun by " + str(today))
        self._turn = 0
        self.sent = 0

    def _track(self, c: SimulatedCommitment, today: date) -> _Track | None:
        periods = periods_between(c.start_date, min(c.deadline, today), c.cadence)
        if not periods or c.start_date > today:
            return None
        all_periods = len(periods_between(c.start_date, c.deadline, c.cadence))
        rng = self._rng
        return _Track(
            commitment=c,
            periods=periods,
            per_period=max(c.target_value - c.baseline, 1.0) / all_periods,
            level_weights={lv: rng.uniform(0.5, 2.0) for lv in c.levels},
            country_weights={cc: rng.uniform(0.5, 2.0) for cc in c.countries},
            female_share=c.female_share if c.female_share is not None else rng.uniform(0.3, 0.5),
        )

    @property
    def commitments(self) -> list[SimulatedCommitment]:
        """The commitments reported on (those with a period begun by today)."""
        return [t.commitment for t in self._tracks]

    @property
    def people_trained(self) -> int:
        """People trained over every commitment, counting each period's latest revision."""
        return sum(sum(t.latest.values()) for t in self._tracks)

    def __iter__(self) -> Iterator[ProgressReported]:
        while True:
            yield self.next_report()

    def take(self, count: int) -> list[ProgressReported]:
        return [self.next_report() for _ in range(count)]

    def next_report(self) -> ProgressReported:
        """The next report, commitments taking turns."""
        track = self._tracks[self._turn % len(self._tracks)]
        self._turn += 1
        if track.next_index < len(track.periods):
            period = track.periods[track.next_index]
            track.next_index += 1
            track.revision = self._first_revision
            metric_value = track.full = self._noisy(track.per_period, 0.7, 1.25)
            if period.end >= self._today:  # under way: a first part of the period's figures
                metric_value = max(1, round(track.full * (1 - GROWTH)))
        else:  # every period reported: correct the last one, its figures growing toward full
            period = track.periods[-1]
            track.revision = min(track.revision + 1, MAX_REVISION)  # then stale: refused
            track.corrections += 1
            reached = round(track.full * (1 - GROWTH ** (track.corrections + 1)))
            metric_value = max(track.metric_value, reached)
        track.metric_value = metric_value
        report = self._report(track, period, metric_value)
        track.latest[str(period)] = report.people_trained
        self.sent += 1
        return report

    def _noisy(self, value: float, low: float, high: float) -> int:
        return max(1, round(value * self._rng.uniform(low, high)))

    def _report(self, track: _Track, period: Period, metric_value: int) -> ProgressReported:
        rng, c = self._rng, track.commitment
        metric = c.metric
        if metric == "people_trained":
            trained = metric_value
        elif metric == "people_reached":
            trained = round(metric_value * rng.uniform(0.01, 0.04))
        elif metric == "investment_eur":
            trained = round(metric_value / rng.uniform(400, 1200))
        elif metric in PER_TRAINED:  # a share of the people trained, drawing no number
            trained = round(metric_value / PER_TRAINED[metric])
        else:  # programmes_developed: people in the pilot runs of the new programmes
            trained = round(metric_value * rng.uniform(15, 40))
        female = min(0.97, max(0.0, track.female_share + rng.uniform(-0.04, 0.04)))
        gender = {"female": female, "male": 1 - female - sum(GENDER_MINORITIES.values())}
        return ProgressReported(
            event_id=uuid.UUID(int=rng.getrandbits(128), version=4),
            occurred_at=self._clock(),
            producer=self._producer,
            partner_id=c.partner_id,
            commitment_id=c.commitment_id,
            period=str(period),
            revision=track.revision,
            people_trained=trained,
            by_level=split(trained, self._jitter(track.level_weights)) if trained else None,
            by_country=split(trained, self._jitter(track.country_weights)) if trained else None,
            by_gender=split(trained, gender | GENDER_MINORITIES) if trained else None,
            programmes_developed=(
                metric_value if metric == "programmes_developed" else rng.randint(0, 3)
            ),
            investment_eur=(
                float(metric_value)
                if metric == "investment_eur"
                else round(trained * rng.uniform(150, 900), 2)
            ),
            people_reached=(
                metric_value if metric == "people_reached" else round(trained * rng.uniform(5, 30))
            ),
            **{
                name: metric_value if metric == name else round(trained * share)
                for name, share in PER_TRAINED.items()
            },
        )

    def _jitter(self, weights: Mapping[str, float]) -> dict[str, float]:
        return {k: w * self._rng.uniform(0.85, 1.15) for k, w in weights.items()}
