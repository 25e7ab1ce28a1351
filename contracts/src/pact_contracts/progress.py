"""The public interface of partner systems: `partners.progress-reported.v1` (key:
commitment_id), and what monitoring says back on `monitoring.progress-rejected.v1`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum
from functools import cache
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, Field, StrictFloat, StrictInt, TypeAdapter, model_validator
from pydantic.fields import FieldInfo

from .envelope import Event, text
from .rejections import REJECTIONS as REJECTIONS  # said here too, as before
from .rejections import ProgressRejected as ProgressRejected
from .rejections import RejectionReason as RejectionReason
from .vocabulary import CountryCode, Gender, SkillLevel

#: The largest progress report accepted, in bytes of UTF-8 JSON.
MAX_REPORT_BYTES = 64 * 1024
#: The largest learners sketch accepted, in bytes after base64 decoding, and its lg_k.
MAX_LEARNERS_SKETCH_BYTES = 8 * 1024
LEARNERS_SKETCH_LG_K = 12
PERIOD_PATTERN = r"^[0-9]{4}-(Q[1-4]|0[1-9]|1[0-2])$"

Count = Annotated[StrictInt, Field(ge=0, le=1_000_000_000)]


def broken_down(name: str) -> str:
    """What a breakdown breaks down: `by_level` people trained, `<figure>_by_level` the figure."""
    of, by, _ = name.partition("_by_")
    return of if by else "people_trained"


def _by(of: str, key: str, example: dict[str, int]) -> Any:
    said = f"{of} by {key}; sums to {of}."
    return Field(default=None, description=said, examples=[example])


class ProgressReported(Event):
    """Figures for one period of one commitment, as a partner system reports them."""

    event_type: Literal["ProgressReported"] = "ProgressReported"
    producer: str | None = text(  # type: ignore[assignment]
        "The partner system that sent the report.", "acme-lms", max_length=100, default=None
    )
    partner_id: str = text("Partner id from registration.", "p-3f2a9c1e", max_length=64)
    commitment_id: str = text("Commitment id from the pledge.", "c-7b1d3e5f", max_length=64)
    period: str = Field(
        pattern=PERIOD_PATTERN,
        description="Reporting period: a quarter YYYY-Qn or a month YYYY-MM.",
        examples=["2026-Q3", "2026-09"],
    )
    revision: StrictInt = Field(
        default=1,
        ge=1,
        le=1_000_000,
        description="A higher revision for the same commitment and period replaces the last.",
        examples=[1],
    )
    people_trained: Count = Field(
        description="People who completed up- or reskilling in the period.", examples=[120]
    )
    by_level: dict[SkillLevel, Count] | None = Field(
        default=None,
        description="People trained by digital skill level; sums to people_trained.",
        examples=[{"basic": 20, "intermediate": 50, "advanced": 40, "expert": 10}],
    )
    by_country: dict[CountryCode, Count] | None = Field(
        default=None,
        description="People trained by country; sums to people_trained.",
        examples=[{"DE": 70, "FR": 50}],
    )
    by_gender: dict[Gender, Count] | None = Field(
        default=None,
        description="People trained by gender; sums to people_trained.",
        examples=[{"female": 50, "male": 68, "undisclosed": 2}],
    )
    programmes_developed: Count | None = Field(
        default=None,
        description="Training programmes developed or updated in the period.",
        examples=[2],
    )
    investment_eur: Annotated[StrictFloat | StrictInt, Field(ge=0, le=1e12)] | None = Field(
        default=None, description="Euros invested in training in the period.", examples=[150000.0]
    )
    people_reached: Count | None = Field(
        default=None,
        description="People reached by promotion and dissemination.",
        examples=[4000],
    )
    people_placed_in_jobs: Count | None = Field(
        default=None,
        description="People who entered a digital job after the programme, in the period.",
        examples=[35],
    )
    new_entrants: Count | None = Field(
        default=None,
        description="People from outside the digital sector who started a programme in the period.",
        examples=[60],
    )
    certificates_issued: Count | None = Field(
        default=None,
        description="Certificates (of completion or of a skill) issued in the period.",
        examples=[110],
    )
    # The new figures broken down like people trained, where the partner has it (issue 17).
    people_placed_in_jobs_by_level: dict[SkillLevel, Count] | None = _by(
        "people_placed_in_jobs", "digital skill level", {"advanced": 20, "expert": 15}
    )
    people_placed_in_jobs_by_country: dict[CountryCode, Count] | None = _by(
        "people_placed_in_jobs", "country", {"DE": 20, "RO": 15}
    )
    people_placed_in_jobs_by_gender: dict[Gender, Count] | None = _by(
        "people_placed_in_jobs", "gender", {"female": 18, "male": 17}
    )
    new_entrants_by_level: dict[SkillLevel, Count] | None = _by(
        "new_entrants", "digital skill level", {"basic": 40, "intermediate": 20}
    )
    new_entrants_by_country: dict[CountryCode, Count] | None = _by(
        "new_entrants", "country", {"DE": 35, "RO": 25}
    )
    new_entrants_by_gender: dict[Gender, Count] | None = _by(
        "new_entrants", "gender", {"female": 30, "male": 30}
    )
    certificates_issued_by_level: dict[SkillLevel, Count] | None = _by(
        "certificates_issued", "digital skill level", {"intermediate": 60, "advanced": 50}
    )
    certificates_issued_by_country: dict[CountryCode, Count] | None = _by(
        "certificates_issued", "country", {"DE": 70, "FR": 40}
    )
    certificates_issued_by_gender: dict[Gender, Count] | None = _by(
        "certificates_issued", "gender", {"female": 55, "male": 55}
    )
    learners_sketch: str | None = Field(
        default=None,
        max_length=MAX_REPORT_BYTES,
        description="The learners of the period as a mergeable count of distinct people, not "
        "a list: base64 of an Apache DataSketches HLL sketch (lg_k 12, at most 8 KB decoded) "
        "of HMAC-SHA256(salt, learner id), the salt kept by the partner (`pactctl learners "
        "sketch` builds it). Monitoring merges them into unique people per commitment, "
        "partner, partnership and year; one it cannot read is refused as bad_learners_sketch.",
        examples=["AgEHDAMIAwjHhJ4UqqYPBo8s2Q4="],
    )

    @model_validator(mode="after")
    def _breakdowns_sum_to_total(self) -> ProgressReported:
        for name, of in _breakdowns(type(self)):  # every report is checked: the pairs once
            breakdown = getattr(self, name)
            if breakdown is not None and sum(breakdown.values()) != (getattr(self, of) or 0):
                raise ValueError(
                    f"{name} must sum to {of} ({getattr(self, of) or 0}), "
                    f"but sums to {sum(breakdown.values())}"
                )
        return self


PROGRESS_REPORT: TypeAdapter[ProgressReported] = TypeAdapter(ProgressReported)

#: The fields of a report that are not figures: the envelope's and what the report is about.
#: Every other field of ProgressReported is a figure, read off its type by `report_figures`.
NOT_FIGURES = frozenset(
    {
        "event_id",
        "event_type",
        "schema_version",
        "occurred_at",
        "producer",
        "correlation_id",
        "causation_id",
        "partner_id",
        "commitment_id",
        "period",
        "revision",
    }
)
#: What a report carries beside its figures: not summed, handled on their own.
ATTACHMENTS = frozenset({"learners_sketch"})


class FigureKind(StrEnum):
    COUNT = "count"  # a whole number
    EUROS = "euros"  # an amount in euros
    BREAKDOWN = "breakdown"  # people trained split by a key (a level, a country, a gender)


@dataclass(frozen=True)
class ReportFigure:
    """One figure of the report, as its type says: what importers and consumers follow."""

    name: str
    kind: FigureKind
    required: bool
    description: str
    #: a breakdown's keys, and whether they come from an enum (rather than a code list)
    keys: tuple[str, ...] = ()
    enum_keys: bool = False
    example: Any = None
    #: a breakdown's figure, that its values sum to (`broken_down`)
    of: str = ""


def _plain(annotation: Any) -> Any:
    """The type without Annotated metadata and without None."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, UnionType):
        options = [_plain(a) for a in get_args(annotation) if a is not NoneType]
        return options[0] if len(options) == 1 else tuple(options)
    return annotation


def _figure(name: str, f: FieldInfo) -> ReportFigure:
    plain = _plain(f.annotation)
    said: dict[str, Any] = {
        "required": f.is_required(),
        "description": f.description or "",
        "example": f.examples[0] if f.examples else None,
    }
    if get_origin(plain) is dict:
        key = _plain(get_args(plain)[0])
        if isinstance(key, type) and issubclass(key, Enum):
            keys, enum_keys = tuple(str(k.value) for k in key), True
        else:
            keys, enum_keys = tuple(str(k) for k in get_args(key)), False
        of = broken_down(name)
        return ReportFigure(
            name, FigureKind.BREAKDOWN, keys=keys, enum_keys=enum_keys, of=of, **said
        )
    options = plain if isinstance(plain, tuple) else (plain,)
    if float in options:
        return ReportFigure(name, FigureKind.EUROS, **said)
    if options == (int,):
        return ReportFigure(name, FigureKind.COUNT, **said)
    raise TypeError(f"{name}: a figure is a count (int), euros (float) or a breakdown (dict)")


@cache
def _breakdowns(model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """(breakdown, the count it breaks down) of each breakdown of the report model."""
    return tuple((f.name, f.of) for f in report_figures(model) if f.kind is FigureKind.BREAKDOWN)


@cache
def report_figures(model: type[BaseModel] = ProgressReported) -> tuple[ReportFigure, ...]:
    """Every figure of the report model, in the order of its fields."""
    found = tuple(
        _figure(name, f)
        for name, f in model.model_fields.items()
        if name not in NOT_FIGURES and name not in ATTACHMENTS
    )
    counts = {f.name for f in found if f.kind is FigureKind.COUNT}
    if wrong := [f.name for f in found if f.kind is FigureKind.BREAKDOWN and f.of not in counts]:
        raise TypeError(f"breakdowns {wrong} break down no count of the report")
    return found
