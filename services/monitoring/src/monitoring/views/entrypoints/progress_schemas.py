"""What monitoring's HTTP API answers (requests are contract events: ProgressReported)."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from monitoring.core.domain.errors import DomainError


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


def cursor(doc: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(
        f"{doc['rejected_at'].isoformat()}|{doc['_id']}".encode()
    ).decode()


def parse_cursor(text: str) -> tuple[datetime, str]:
    try:
        at, _, rejection_id = base64.urlsafe_b64decode(text.encode()).decode().partition("|")
        return datetime.fromisoformat(at), rejection_id
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise DomainError("before is not a cursor from a previous page", field="before") from exc


class Milestone(BaseModel):
    due_date: date
    value: float


class PeriodFigures(BaseModel):
    model_config = ConfigDict(extra="ignore")

    period: str
    revision: int
    value: float = Field(description="The commitment's metric in this period.")
    cumulative: float = Field(description="Baseline plus every period up to this one.")
    people_trained: int
    people_reached: int
    programmes_developed: int
    investment_eur: float
    reported_at: datetime


class Totals(BaseModel):
    people_trained: int = 0
    people_reached: int = 0
    programmes_developed: int = 0
    investment_eur: float = 0
    by_level: dict[str, int] = Field(default_factory=dict)
    by_country: dict[str, int] = Field(default_factory=dict)
    by_gender: dict[str, int] = Field(default_factory=dict)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Totals:
        return cls(
            **{k: v for k, v in doc.items() if k in cls.model_fields},
            investment_eur=doc.get("investment_cents", 0) / 100,
        )


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

    @classmethod
    def from_doc(cls, doc: dict[str, Any], alerts: list[dict[str, Any]]) -> CommitmentProgress:
        def period(point: dict[str, Any]) -> PeriodFigures:
            figures = doc["periods"][point["period"]]
            return PeriodFigures.model_validate(
                figures | point | {"investment_eur": figures["investment_cents"] / 100}
            )

        return cls.model_validate(
            doc
            | {
                "commitment_id": doc["_id"],
                "share": doc["achieved"] / doc["target_value"],
                "totals": Totals.from_doc(doc["totals"]),
                "periods": [period(point) for point in doc["series"]],
                "alerts": [Alert.model_validate(a | {"fingerprint": a["_id"]}) for a in alerts],
            }
        )


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


class PartnershipProgress(BaseModel):
    partnership_id: str
    name: str | None
    people_trained: int
    people_reached: int
    programmes_developed: int
    investment_eur: float
    commitments: int = Field(description="Commitments measured: active, achieved or missed.")
    commitments_on_track: int
    targets: list[TargetProgress]

    @classmethod
    def from_docs(
        cls,
        partnership_id: str,
        known: dict[str, Any] | None,
        rollup: dict[str, Any] | None,
        targets: list[tuple[dict[str, Any], float]],
    ) -> PartnershipProgress:
        r = rollup or {}
        return cls(
            partnership_id=partnership_id,
            name=known["name"] if known else None,
            people_trained=r.get("people_trained", 0),
            people_reached=r.get("people_reached", 0),
            programmes_developed=r.get("programmes_developed", 0),
            investment_eur=r.get("investment_cents", 0) / 100,
            commitments=r.get("commitments", 0),
            commitments_on_track=r.get("commitments_on_track", 0),
            targets=[
                TargetProgress.model_validate(
                    t | {"target_id": t["_id"], "achieved": got, "share": got / t["target_value"]}
                )
                for t, got in targets
            ],
        )
