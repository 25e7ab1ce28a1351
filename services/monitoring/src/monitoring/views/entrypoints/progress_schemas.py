"""What monitoring's HTTP API answers (requests are contract events: ProgressReported)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from monitoring.core.domain.figures import AMOUNTS, FIGURES, FigureSpec, Kind
from monitoring.core.domain.forecast import Forecast


class Accepted(BaseModel):
    event_id: str = Field(description="The report's event_id; look for it among rejections.")
    status: str = Field(default="accepted", description="Queued on the progress topic.")


class Rejection(BaseModel):
    rejection_id: str
    reason: str = Field(description="RejectionReason code.", examples=["period_out_of_range"])
    message: str = Field(description="What is wrong, naming the field and the rule.")
    field: str | None = Field(description="The field the rule is about.", examples=["period"])
    rejected_at: datetime
    event_id: str | None
    partner_id: str | None
    commitment_id: str | None
    period: str | None = None
    payload: str = Field(description="The report as received.")
    payload_encoding: str = Field(examples=["utf-8"])

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Rejection:
        return cls(rejection_id=doc["_id"], **{k: v for k, v in doc.items() if k != "_id"})


class RejectionPage(BaseModel):
    items: list[Rejection]
    next: str | None = Field(description="Pass as `before` for the next, older page.")


#: A page's position: the microseconds from 1970 to the last rejection's rejected_at, `:`,
#: then its id. Every text of this shape is a position (the rejections older than it), so the
#: pattern is all there is to check: an opaque cursor (base64) was refused when it did not
#: decode, though the schema could only say "a string".
CURSOR_PATTERN = r"^[0-9]{1,16}:"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def cursor(doc: dict[str, Any]) -> str:
    return f"{(doc['rejected_at'] - _EPOCH) // _MICROSECOND}:{doc['_id']}"


def parse_cursor(text: str) -> tuple[datetime, str]:
    micros, _, rejection_id = text.partition(":")
    return _EPOCH + int(micros) * _MICROSECOND, rejection_id


class Milestone(BaseModel):
    due_date: date
    value: float


def figure_fields(specs: Iterable[FigureSpec], *, defaults: bool = False) -> dict[str, Any]:
    """Fields for declared figures (domain/figures.py), named as reports name them: counts
    are whole numbers, money in euros, breakdowns a count per key. For `create_model`."""
    fields: dict[str, Any] = {}
    for spec in specs:
        if spec.kind is Kind.BREAKDOWN:
            empty: dict[str, Any] = {"default_factory": dict} if defaults else {}
            field = Field(description=spec.description, **empty)
            fields[spec.reported_as] = (dict[str, int], field)
        else:
            kind = float if spec.kind is Kind.MONEY else int
            default = kind(0) if defaults else ...
            fields[spec.reported_as] = (kind, Field(default, description=spec.description))
    return fields


def shown(doc: dict[str, Any], specs: Iterable[FigureSpec]) -> dict[str, Any]:
    """Declared figures of a stored document (or rollup), as reports name them; those the
    document lacks are left out."""
    return {s.reported_as: s.shown(doc[s.name]) for s in specs if s.name in doc}


if TYPE_CHECKING:
    PeriodFigures = BaseModel
    Totals = BaseModel
else:
    PeriodFigures = create_model(
        "PeriodFigures",
        __config__=ConfigDict(extra="ignore"),
        period=(str, ...),
        revision=(int, ...),
        value=(float, Field(description="The commitment's metric in this period.")),
        cumulative=(float, Field(description="Baseline plus every period up to this one.")),
        **figure_fields(AMOUNTS),
        reported_at=(datetime, ...),
    )
    Totals = create_model("Totals", **figure_fields(FIGURES, defaults=True))


class Alert(BaseModel):
    model_config = ConfigDict(extra="ignore")

    fingerprint: str
    episode: int
    rule: str
    severity: str
    expected: float
    actual: float
    due_date: date | None
    message: str
    fired_at: datetime


class ForecastRange(BaseModel):
    as_of: date = Field(description="Progress is known up to this day.")
    expected_now: float = Field(description="What the plan (milestones' path) expects by as_of.")
    low: float = Field(description="At the deadline, at the slowest recent period's pace.")
    central: float = Field(description="At the deadline, at the recent periods' pooled pace.")
    high: float = Field(description="At the deadline, at the fastest recent period's pace.")
    needed_per_month: float = Field(
        description="What is left to the target per month from as_of to the deadline."
    )


class CommitmentProgress(BaseModel):
    model_config = ConfigDict(extra="ignore")

    commitment_id: str
    partner_id: str
    partnership_id: str
    title: str
    status: str
    metric: str
    target_value: float
    baseline: float
    start_date: date
    deadline: date
    cadence: str
    grace_days: int
    milestones: list[Milestone]
    achieved: float = Field(description="Baseline plus the latest revision of every period.")
    share: float = Field(description="achieved / target_value.")
    on_track: bool | None
    last_report_at: datetime | None
    stale_reports: int = Field(description="Reports ignored for a revision not above the last.")
    totals: Totals
    periods: list[PeriodFigures]
    alerts: list[Alert] = Field(description="Alerts firing now.")
    projected: float | None = Field(
        default=None,
        description="Where the metric ends at the deadline at the recent pace against the "
        "plan (the forecast's central value); null when not measured.",
    )
    forecast: ForecastRange | None = Field(
        default=None,
        description="The forecast against the plan the at-risk rule reads; null when not measured.",
    )

    @classmethod
    def from_doc(
        cls, doc: dict[str, Any], alerts: list[dict[str, Any]], forecast: Forecast | None = None
    ) -> CommitmentProgress:
        def period(point: dict[str, Any]) -> PeriodFigures:
            figures = doc["periods"][point["period"]]
            return PeriodFigures.model_validate(figures | point | shown(figures, AMOUNTS))

        return cls.model_validate(
            doc
            | {
                "commitment_id": doc["_id"],
                "share": doc["achieved"] / doc["target_value"],
                "totals": Totals.model_validate(shown(doc["totals"], FIGURES)),
                "periods": [period(point) for point in doc["series"]],
                "alerts": [Alert.model_validate(a | {"fingerprint": a["_id"]}) for a in alerts],
                "projected": forecast.central if forecast else None,
                "forecast": ForecastRange.model_validate(forecast, from_attributes=True)
                if forecast
                else None,
            }
        )


class CommitmentProgressPage(BaseModel):
    items: list[CommitmentProgress]
    next: str | None = Field(description="Pass as `after` for the next page.")


class TargetProgress(BaseModel):
    model_config = ConfigDict(extra="ignore")

    target_id: str
    title: str
    metric: str
    target_value: float
    baseline: float
    start_date: date
    deadline: date
    milestones: list[Milestone]
    achieved: float = Field(description="Baseline plus the metric over member commitments.")
    share: float


class _PartnershipProgress(BaseModel):
    """Its fields: partnership_id, name, the declared figures, commitments (measured: active,
    achieved or missed), commitments_on_track and targets."""

    @classmethod
    def from_docs(
        cls,
        partnership_id: str,
        known: dict[str, Any] | None,
        rollup: dict[str, Any] | None,
        targets: list[tuple[dict[str, Any], float]],
    ) -> _PartnershipProgress:
        r = rollup or {}
        return cls.model_validate(
            {
                "partnership_id": partnership_id,
                "name": known["name"] if known else None,
                **shown({s.name: r.get(s.name, 0) for s in AMOUNTS}, AMOUNTS),
                "commitments": r.get("commitments", 0),
                "commitments_on_track": r.get("commitments_on_track", 0),
                "targets": [
                    TargetProgress.model_validate(
                        t
                        | {"target_id": t["_id"], "achieved": got, "share": got / t["target_value"]}
                    )
                    for t, got in targets
                ],
            }
        )


if TYPE_CHECKING:
    PartnershipProgress = _PartnershipProgress
else:
    PartnershipProgress = create_model(
        "PartnershipProgress",
        __base__=_PartnershipProgress,
        partnership_id=(str, ...),
        name=(str | None, ...),
        **figure_fields(AMOUNTS),
        commitments=(
            int,
            Field(description="Commitments measured: active, achieved or missed."),
        ),
        commitments_on_track=(int, ...),
        targets=(list[TargetProgress], ...),
    )
