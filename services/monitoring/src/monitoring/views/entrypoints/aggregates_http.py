"""Progress per partner, partnership, country and skill level, with time series, and the
annual report (JSON, or CSV with `?format=csv` or `Accept: text/csv`). A partner reads no
group whose figures come from fewer than 3 partners (views/domain/suppression.py): such a
scope is refused (403 too_few_partners), and left out of listings and the annual report."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response

from monitoring.core.domain.errors import PartnershipNotFound, TooFewPartners
from monitoring.core.domain.rollups import COUNTRY, LEVEL, PARTNER, PARTNERSHIP, rollup_key
from monitoring.views.adapters.aggregate_views import AggregateViews
from monitoring.views.adapters.declaration_store import DeclarationStore, declaration_from
from monitoring.views.domain import declarations as d
from monitoring.views.domain.annual_report import (
    COLUMNS,
    SeriesGranularity,
    annual_rows,
    level_order,
)
from monitoring.views.domain.suppression import MIN_PARTNERS, for_partners, hidden
from monitoring.views.entrypoints import aggregate_schemas as s
from pact_common.auth import CurrentPrincipal, Principal
from pact_common.http import problems
from pact_contracts.vocabulary import CountryCode, SkillLevel

Granularity = Annotated[
    SeriesGranularity, Query(description="quarter (months fold into theirs) or year.")
]


class PartnerNotFound(PartnershipNotFound):
    code = "partner_not_found"


def too_few(kind: str, key: str) -> TooFewPartners:
    return TooFewPartners(
        f"the figures of {kind} {key} come from fewer than {MIN_PARTNERS} partners: they are "
        "the secretariat's to see (the totals count them)",
        field=kind,
    )


def aggregates_router(views: AggregateViews, declarations: DeclarationStore) -> APIRouter:
    router = APIRouter(tags=["progress"])

    async def scope(
        kind: str, key: str, granularity: SeriesGranularity, who: Principal
    ) -> s.ScopeProgress:
        if kind != PARTNER and not who.is_secretariat and await views.suppressed(kind, key):
            raise too_few(kind, key)
        points = await views.series(rollup_key(kind, key), granularity.value)
        return s.ScopeProgress(
            scope=kind,
            id=key,
            totals=s.ScopeTotals.of_rollup(await views.rollup(kind, key)),
            granularity=granularity.value,
            series=[s.SeriesPoint.from_point(p) for p in points],
        )

    async def listing(kind: str, who: Principal) -> s.ScopeList:
        rows = await views.rollups(kind)
        hidden_keys = set() if who.is_secretariat else await views.suppressed_of(kind)
        shown = [doc for doc in rows if doc["_id"].split(":")[1] not in hidden_keys]
        return s.ScopeList(
            scope=kind,
            items=[
                s.ScopeRow(**s.ScopeTotals.of_rollup(doc).model_dump(), id=doc["_id"].split(":")[1])
                for doc in shown
            ],
            suppressed=len(rows) - len(shown),
        )

    @router.get(
        "/progress/partners/{partner_id}",
        response_model=s.PartnerProgress,
        responses=problems(401, 403, 404),
    )
    async def partner_progress(
        partner_id: str,
        principal: CurrentPrincipal,
        granularity: Granularity = SeriesGranularity.QUARTER,
    ) -> s.PartnerProgress:
        """A partner's totals, commitments and series: its own and the secretariat's to see."""
        principal.require_partner_or_secretariat(partner_id)
        commitments = await views.commitments({"partner_id": partner_id})
        if not commitments and not await views.partner_known(partner_id):
            raise PartnerNotFound(f"no partner {partner_id}", field="partner_id")
        found = await scope(PARTNER, partner_id, granularity, principal)
        return s.PartnerProgress(
            **found.model_dump(),
            commitments=[s.CommitmentSummary.from_doc(d) for d in commitments],
        )

    @router.get(
        "/progress/partnerships/{partnership_id}/series",
        response_model=s.ScopeProgress,
        responses=problems(401, 403, 404),
    )
    async def partnership_series(
        partnership_id: str,
        principal: CurrentPrincipal,
        granularity: Granularity = SeriesGranularity.QUARTER,
    ) -> s.ScopeProgress:
        """The partnership's figures per quarter (year), summed over its commitments."""
        found = await scope(PARTNERSHIP, partnership_id, granularity, principal)
        empty = not found.series and not found.totals.commitments
        if empty and not await views.partnership_known(partnership_id):
            raise PartnershipNotFound(f"no partnership {partnership_id}", field="partnership_id")
        return found

    @router.get("/progress/countries", response_model=s.ScopeList, responses=problems(401, 403))
    async def countries(principal: CurrentPrincipal) -> s.ScopeList:
        """Totals per country (the countries figures were attributed to)."""
        return await listing(COUNTRY, principal)

    @router.get(
        "/progress/countries/{country}",
        response_model=s.ScopeProgress,
        responses=problems(401, 403, 422),
    )
    async def country_progress(
        country: CountryCode,
        principal: CurrentPrincipal,
        granularity: Granularity = SeriesGranularity.QUARTER,
    ) -> s.ScopeProgress:
        """One country's totals and series (ISO 3166-1 alpha-2; Greece is GR)."""
        return await scope(COUNTRY, country, granularity, principal)

    @router.get("/progress/levels", response_model=s.ScopeList, responses=problems(401, 403))
    async def levels(principal: CurrentPrincipal) -> s.ScopeList:
        """Totals per digital skill level."""
        return await listing(LEVEL, principal)

    @router.get(
        "/progress/levels/{level}",
        response_model=s.ScopeProgress,
        responses=problems(401, 403, 422),
    )
    async def level_progress(
        level: SkillLevel,
        principal: CurrentPrincipal,
        granularity: Granularity = SeriesGranularity.QUARTER,
    ) -> s.ScopeProgress:
        """One skill level's totals and series."""
        return await scope(LEVEL, level.value, granularity, principal)

    @router.get(
        "/reports/annual",
        response_model=s.AnnualReportOut,
        responses={
            **problems(401, 403, 422),
            200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
        },
    )
    async def annual(
        principal: CurrentPrincipal,
        year: Annotated[int, Query(ge=2020, le=2100, description="The year reported on.")],
        partnership: Annotated[str | None, Query(description="Only this partnership.")] = None,
        format: Annotated[
            Literal["json", "csv"] | None, Query(description="csv, or ask with Accept: text/csv.")
        ] = None,
        accept: Annotated[str | None, Header()] = None,
    ) -> Any:
        """The year's figures in the shape of the Pact for Skills annual survey: people
        trained and reached, programmes developed, euros invested, commitments by status and
        with progress; per partnership, country and skill level; stakeholders who joined
        networks and progress per charter principle, from the partners' declarations. A
        partner reads the groups with figures of at least 3 partners (the total counts all),
        and the declarations' sums when at least 3 partners declared."""
        report = await views.annual(year, partnership)
        suppressed = 0
        if not principal.is_secretariat:
            if partnership and hidden(report.total):
                raise too_few(PARTNERSHIP, partnership)
            report, suppressed = for_partners(report)
        names = await views.partnership_names()
        partners = report.partner_ids if partnership else None
        declared = d.summed(map(declaration_from, await declarations.of_year(year, partners)))
        # summed declarations of fewer than 3 partners would tell a partner another's
        shown = principal.is_secretariat or len(declared.partners_declaring) >= MIN_PARTNERS
        if format == "csv" or (format is None and "text/csv" in (accept or "")):
            rows = annual_rows(report, names)
            if shown:
                rows[0]["stakeholders_joined_networks"] = declared.stakeholders_joined_networks
            rows[0]["partners_declaring"] = len(declared.partners_declaring)
            rows += d.rows(year, declared, shown)
            return csv_response(rows, f"pact-annual-report-{year}.csv")
        levels = level_order(report.levels)
        networks = s.NetworksYear.of(declared, shown)
        return s.AnnualReportOut.from_report(report, names, levels, suppressed, networks)

    return router


def csv_response(rows: list[dict[str, object]], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=(*COLUMNS, *d.COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
