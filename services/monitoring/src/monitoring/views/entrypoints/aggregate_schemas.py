"""What the progress views and the annual report answer."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from monitoring.core.domain.figures import AMOUNTS
from monitoring.core.domain.rollups import Totals
from monitoring.core.domain.years import STATUSES, SUMMED
from monitoring.views.domain.annual_report import AnnualReport, Point, ScopeYear
from monitoring.views.domain.declarations import NetworksAndPrinciples
from monitoring.views.entrypoints.progress_schemas import figure_fields

if TYPE_CHECKING:
    _Figures = BaseModel
else:
    _Figures = create_model("_Figures", **figure_fields(AMOUNTS))


class Figures(_Figures):
    """The declared figures' counts and amounts (domain/figures.py), as reports name them."""

    @classmethod
    def of(cls, t: Totals | dict[str, Any]) -> Figures:
        values: dict[str, Any] = t.as_dict() if isinstance(t, Totals) else t
        return Figures.model_validate(
            {s.reported_as: s.shown(values.get(s.name, 0)) for s in AMOUNTS}
        )


class ScopeTotals(Figures):
    commitments: int = Field(description="Commitments measured: active, achieved or missed.")
    commitments_on_track: int

    @classmethod
    def of_rollup(cls, doc: dict[str, Any] | None) -> ScopeTotals:
        doc = doc or {}
        return cls(
            **Figures.of(doc).model_dump(),
            commitments=doc.get("commitments", 0),
            commitments_on_track=doc.get("commitments_on_track", 0),
        )


class SeriesPoint(Figures):
    period: str = Field(description="A quarter YYYY-Qn (months fold into theirs) or a year.")
    commitments_reporting: int = Field(description="Commitments with a report in the period.")
    cumulative: Figures = Field(description="Every period up to and including this one.")

    @classmethod
    def from_point(cls, p: Point) -> SeriesPoint:
        return cls(
            **Figures.of(p.figures).model_dump(),
            period=p.period,
            commitments_reporting=p.commitments_reporting,
            cumulative=Figures.of(p.cumulative),
        )


class ScopeProgress(BaseModel):
    scope: str = Field(examples=["country"])
    id: str = Field(examples=["DE"])
    totals: ScopeTotals = Field(description="Everything reported so far (the running rollup).")
    granularity: str = Field(examples=["quarter"])
    series: list[SeriesPoint]


class CommitmentSummary(BaseModel):
    model_config = ConfigDict(extra="ignore")

    commitment_id: str
    title: str
    partnership_id: str
    status: str
    metric: str
    target_value: float
    achieved: float
    share: float
    on_track: bool | None
    last_report_at: datetime | None

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> CommitmentSummary:
        share = doc["achieved"] / doc["target_value"] if doc["target_value"] else 0.0
        return cls.model_validate(doc | {"commitment_id": doc["_id"], "share": share})


class PartnerProgress(ScopeProgress):
    commitments: list[CommitmentSummary]


class ScopeRow(ScopeTotals):
    id: str


SUPPRESSED = (
    "Groups left out: those whose figures come from fewer than 3 partners are for the "
    "secretariat only (their figures are in the totals). 0 for the secretariat."
)


class ScopeList(BaseModel):
    scope: str
    items: list[ScopeRow]
    suppressed: int = Field(default=0, description=SUPPRESSED)


class PrincipleYear(BaseModel):
    principle: str = Field(examples=["lifelong_learning"])
    partners_declaring: int = Field(description="Partners declaring activities for it.")
    activities_counted: int = Field(description="Activities counted, by those who count them.")


class NetworksYear(BaseModel):
    """The year's declarations summed (null figures: fewer than 3 partners declared, and the
    reader is a partner)."""

    partners_declaring: int = Field(description="Partners with a declaration for the year.")
    stakeholders_joined_networks: int | None = Field(
        description="Stakeholders who joined networks, over the declaring partners."
    )
    principles: list[PrincipleYear] | None = Field(
        description="Progress per charter principle, in the charter's order."
    )

    @classmethod
    def of(cls, s: NetworksAndPrinciples, shown: bool) -> NetworksYear:
        return cls(
            partners_declaring=len(s.partners_declaring),
            stakeholders_joined_networks=s.stakeholders_joined_networks if shown else None,
            principles=[
                PrincipleYear(
                    principle=p.principle,
                    partners_declaring=p.partners_declaring,
                    activities_counted=p.activities_counted,
                )
                for p in s.principles.values()
            ]
            if shown
            else None,
        )


class AnnualFigures(Figures):
    periods_reported: int = Field(description="Reporting periods of the year with figures.")
    partners_reporting: int = Field(description="Partners that reported for the year.")
    commitments: int = Field(
        description="Commitments that ran in the year (window overlapping it or reporting "
        "for it), whatever their status now."
    )
    commitments_with_progress: int = Field(description="Of those, with a report for the year.")
    share_with_progress: float | None = Field(description="The survey's share with progress.")
    commitments_by_status: dict[str, int] = Field(description="By current status.")

    @classmethod
    def of_scope(cls, s: ScopeYear) -> dict[str, Any]:
        return {
            **Figures.of(s.figures).model_dump(),
            "periods_reported": s.periods_reported,
            "partners_reporting": s.partners_reporting,
            "commitments": s.commitments,
            "commitments_with_progress": s.commitments_with_progress,
            "share_with_progress": s.share_with_progress,
            "commitments_by_status": {st: s.by_status[st] for st in STATUSES},
        }


class PartnershipYear(AnnualFigures):
    partnership_id: str
    name: str | None


class CountryYear(AnnualFigures):
    country: str


class LevelYear(AnnualFigures):
    level: str


class _AnnualReportOut(AnnualFigures):
    """The key figures of the Pact for Skills annual survey, measured from the reports."""

    @classmethod
    def from_report(
        cls,
        r: AnnualReport,
        names: dict[str, str],
        levels: list[str],
        suppressed: int = 0,
        networks: NetworksYear | None = None,
    ) -> _AnnualReportOut:
        return cls.model_validate(
            {
                **AnnualFigures.of_scope(r.total),
                "year": r.year,
                "suppressed_groups": suppressed,
                "partnership": r.partnership_id,
                "networks": networks,
                **r.breakdowns,
                "partnerships": [
                    PartnershipYear(
                        **AnnualFigures.of_scope(r.partnerships[k]),
                        partnership_id=k,
                        name=names.get(k),
                    )
                    for k in sorted(r.partnerships)
                ],
                "by_country": [
                    CountryYear(**AnnualFigures.of_scope(r.countries[k]), country=k)
                    for k in sorted(r.countries)
                ],
                "by_level": [
                    LevelYear(**AnnualFigures.of_scope(r.levels[k]), level=k) for k in levels
                ],
            }
        )


if TYPE_CHECKING:
    AnnualReportOut = _AnnualReportOut
else:
    AnnualReportOut = create_model(
        "AnnualReportOut",
        __base__=_AnnualReportOut,
        __doc__=_AnnualReportOut.__doc__,
        year=(int, ...),
        partnership=(str | None, Field(description="The partnership reported on; null: all.")),
        suppressed_groups=(int, Field(description=SUPPRESSED)),
        # the breakdowns without a scope of their own (by_gender), summed over the year
        **figure_fields(SUMMED),
        partnerships=(list[PartnershipYear], ...),
        by_country=(list[CountryYear], ...),
        by_level=(list[LevelYear], ...),
        networks=(
            NetworksYear | None,
            Field(
                default=None,
                description="Stakeholders who joined networks and progress per charter "
                "principle, from the partners' declarations of the year (PUT /declarations).",
            ),
        ),
    )
