"""The open figures, for anyone without a token: `GET /public/figures` (JSON) and
`GET /public/figures.csv`, a year's aggregate figures in total, per partnership, country and
skill level, every group from fewer than 3 partners left out (views/domain/open_figures.py).

No token is asked for and none is looked at (a request counts against its client address's
anonymous rate limit). Answers may be cached by anyone for five minutes (`Cache-Control:
public, max-age=300`) and carry a strong ETag of their bytes: sent back in If-None-Match, it
gets 304 without a body while the figures are the same. A year's figures are computed from
the year rows the hot path keeps (core/domain/years.py), and this instance keeps them for
FRESH_FOR seconds: a flood of anonymous requests costs one read per year and interval, not
one each."""

from __future__ import annotations

import csv
import hashlib
import io
import time
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from monitoring.views.adapters.aggregate_views import AggregateViews
from monitoring.views.domain.open_figures import (
    COLUMNS,
    OpenFigures,
    OpenGroup,
    open_figures,
    open_rows,
)
from monitoring.views.domain.suppression import MIN_PARTNERS
from monitoring.views.entrypoints.aggregate_schemas import Figures
from pact_common.clock import Clock
from pact_common.http import problems

CACHE_CONTROL = "public, max-age=300"
#: how long this instance answers a year's figures from what it computed (seconds)
FRESH_FOR = 5.0
_HEADERS: dict[str, Any] = {
    "ETag": {
        "description": "A strong validator of the answer's bytes: send it in If-None-Match.",
        "required": True,
        "schema": {"type": "string", "pattern": '^"[0-9a-f]{32}"$'},
    },
    "Cache-Control": {
        "description": "Anyone may keep the answer for five minutes.",
        "required": True,
        "schema": {"type": "string", "enum": [CACHE_CONTROL]},
    },
}
NOT_MODIFIED = {
    "description": "Not modified: the figures are those of the ETag sent.",
    "headers": _HEADERS,
}
SUPPRESSED = (
    f"Groups left out because their commitments or figures come from fewer than {MIN_PARTNERS} "
    "partners: their figures would tell one partner's (the total counts them)."
)


class OpenGroupOut(Figures):
    id: str = Field(description="The partnership, country (ISO 3166-1 alpha-2) or level.")
    name: str | None = Field(description="The partnership's name; null for the others.")
    commitments: int = Field(description="Commitments that ran in the year.")
    partners_reporting: int = Field(description="Partners that reported for the year.")

    @classmethod
    def of_group(cls, g: OpenGroup) -> OpenGroupOut:
        return cls(
            **Figures.of(g.year.figures).model_dump(),
            id=g.id,
            name=g.name or None,
            commitments=g.year.commitments,
            partners_reporting=g.year.partners_reporting,
        )


class OpenFiguresOut(BaseModel):
    """The partnership's figures of a year, open to anyone."""

    year: int = Field(examples=[2026])
    years: list[int] = Field(
        description="Every year with reported figures.", examples=[[2025, 2026]]
    )
    min_partners: int = Field(
        description="The fewest partners a group's figures come from to be shown.", examples=[3]
    )
    total: OpenGroupOut | None = Field(
        description="Every partnership's figures together; null if fewer than min_partners "
        "partners made them."
    )
    partnerships: list[OpenGroupOut]
    by_country: list[OpenGroupOut]
    by_level: list[OpenGroupOut]
    suppressed_groups: int = Field(description=SUPPRESSED)

    @classmethod
    def of(cls, f: OpenFigures) -> OpenFiguresOut:
        total = f.of("total")
        return cls(
            year=f.year,
            years=f.years,
            min_partners=MIN_PARTNERS,
            total=OpenGroupOut.of_group(total[0]) if total else None,
            partnerships=[OpenGroupOut.of_group(g) for g in f.of("partnership")],
            by_country=[OpenGroupOut.of_group(g) for g in f.of("country")],
            by_level=[OpenGroupOut.of_group(g) for g in f.of("level")],
            suppressed_groups=f.suppressed,
        )


def etag_of(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether If-None-Match names this ETag (weakly compared, as RFC 9110 says), or `*`."""
    sent = [tag.strip().removeprefix("W/") for tag in (if_none_match or "").split(",")]
    return "*" in sent or etag in sent


def cached(body: bytes, media_type: str, if_none_match: str | None, **headers: str) -> Response:
    etag = etag_of(body)
    kept = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if matches(if_none_match, etag):
        return Response(status_code=304, headers=kept)
    return Response(body, media_type=media_type, headers=kept | headers)


Year = Annotated[
    int | None,
    Query(ge=2020, le=2100, description="The year; the current one if not given."),
]
IfNoneMatch = Annotated[
    str | None,
    Header(max_length=1000, description="The ETag of an answer kept: 304 if still the same."),
]


def public_router(views: AggregateViews, clock: Clock) -> APIRouter:
    router = APIRouter(tags=["open figures"])
    kept: dict[int, tuple[float, OpenFigures]] = {}

    async def figures_of(year: int | None) -> OpenFigures:
        chosen = year or clock().year
        at, found = kept.get(chosen, (float("-inf"), None))
        if found is not None and time.monotonic() - at < FRESH_FOR:
            return found
        report = await views.annual(chosen)
        names = await views.partnership_names()
        found = open_figures(report, names, await views.years_reported())
        kept[chosen] = (time.monotonic(), found)
        return found

    @router.get(
        "/public/figures",
        response_model=OpenFiguresOut,
        responses={200: {"headers": _HEADERS}, 304: NOT_MODIFIED, **problems(422)},
    )
    async def public_figures(year: Year = None, if_none_match: IfNoneMatch = None) -> Response:
        """The partnership's figures of a year, for anyone: in total, per partnership,
        country and skill level, without the groups of fewer than 3 partners. No token."""
        body = OpenFiguresOut.of(await figures_of(year)).model_dump_json().encode()
        return cached(body, "application/json", if_none_match)

    @router.get(
        "/public/figures.csv",
        response_class=Response,
        responses={
            200: {"headers": _HEADERS, "content": {"text/csv": {"schema": {"type": "string"}}}},
            304: NOT_MODIFIED,
            **problems(422),
        },
    )
    async def public_figures_csv(year: Year = None, if_none_match: IfNoneMatch = None) -> Response:
        """The same figures as a table, one row per group shown (total first, then
        partnerships, countries, levels). No token."""
        found = await figures_of(year)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(open_rows(found))
        name = f'attachment; filename="pact-open-figures-{found.year}.csv"'
        return cached(
            out.getvalue().encode(),
            "text/csv; charset=utf-8",
            if_none_match,
            **{"Content-Disposition": name},
        )

    return router
