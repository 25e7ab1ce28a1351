"""Declarations and the per-partner survey (issue 17). A partner declares, once a year, the
stakeholders it brought into networks and its activities per charter principle (PUT
/declarations/{partner_id}/{year}, its own; the secretariat reads them all); the annual report
sums them. GET /surveys/{partner_id}/{year} pre-fills the partner's survey from its reports
and declaration (JSON, or CSV to download), with a digest the partner confirms (POST
.../confirmation): the confirmation records who confirmed which answers."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from monitoring.views.adapters.aggregate_views import AggregateViews
from monitoring.views.adapters.declaration_store import DeclarationStore
from monitoring.views.domain.annual_report import annual_report, level_order, text_cell
from monitoring.views.domain.declarations import digest
from monitoring.views.entrypoints import survey_schemas as s
from monitoring.views.entrypoints.aggregate_schemas import AnnualReportOut
from pact_common.auth import CurrentPrincipal
from pact_common.errors import Conflict, NotFound
from pact_common.http import problems
from pact_common.permissions import Permission

PartnerId = Annotated[str, Path(description="The partner.", examples=["p-acme"])]
YearPath = Annotated[int, Path(ge=2020, le=2100, description="The year declared on.")]


class DeclarationNotFound(NotFound, code="declaration_not_found"): ...


class SurveyChanged(Conflict, code="survey_changed"): ...


def survey_router(
    views: AggregateViews, store: DeclarationStore, clock: Callable[[], datetime]
) -> APIRouter:
    router = APIRouter(tags=["annual survey"])

    @router.put(
        "/declarations/{partner_id}/{year}",
        response_model=s.DeclarationOut,
        responses=problems(401, 403, 413, 422),
    )
    async def declare(
        partner_id: PartnerId, year: YearPath, body: s.DeclarationIn, principal: CurrentPrincipal
    ) -> s.DeclarationOut:
        """The partner's declaration of the year (replacing an earlier one): stakeholders who
        joined networks, and activities per charter principle. Its own only."""
        principal.require(Permission.REPORT_PROGRESS)
        principal.require_partner_or_secretariat(partner_id)
        doc = {"partner_id": partner_id, "year": year}
        doc |= {"stakeholders_joined_networks": body.stakeholders_joined_networks}
        doc["principles"] = body.principles()
        return s.DeclarationOut.of(await store.put(doc, principal.actor, clock()))

    @router.get(
        "/declarations/{partner_id}/{year}",
        response_model=s.DeclarationOut,
        responses=problems(401, 403, 404),
    )
    async def declaration(
        partner_id: PartnerId, year: YearPath, principal: CurrentPrincipal
    ) -> s.DeclarationOut:
        principal.require_partner_or_secretariat(partner_id)
        doc = await store.get(partner_id, year)
        if doc is None:
            raise DeclarationNotFound(f"partner {partner_id} has declared nothing for {year}")
        return s.DeclarationOut.of(doc)

    @router.get("/declarations", response_model=s.DeclarationList, responses=problems(401, 403))
    async def declarations(
        principal: CurrentPrincipal,
        year: Annotated[int, Query(ge=2020, le=2100, description="The year declared on.")],
        partner_id: Annotated[
            str | None, Query(max_length=64, description="Only this partner's.")
        ] = None,
    ) -> s.DeclarationList:
        """The year's declarations: every partner's for the secretariat, a partner its own."""
        whose = principal.scope(partner_id, may="read its own declarations")
        docs = await store.of_year(year, None if whose is None else [whose])
        return s.DeclarationList(items=[s.DeclarationOut.of(d) for d in docs])

    async def survey(partner_id: str, year: int) -> s.SurveyOut:
        report = annual_report(year, await views.progress({"partner_id": partner_id}))
        names = await views.partnership_names()
        figures = AnnualReportOut.from_report(report, names, level_order(report.levels))
        declared = await store.get(partner_id, year)
        declaration = s.DeclarationOut.of(declared) if declared else None
        answers = {"partner_id": partner_id, "year": year, "figures": figures.model_dump()}
        if declaration is not None:
            answers["declaration"] = declaration.model_dump(
                include={"stakeholders_joined_networks", "principles"}
            )
        current = digest(answers)
        confirmed = await store.confirmation(partner_id, year)
        confirmation = (
            s.ConfirmationOut(**confirmed, current=confirmed["digest"] == current)
            if confirmed
            else None
        )
        return s.SurveyOut(
            partner_id=partner_id,
            year=year,
            figures=figures,
            declaration=declaration,
            digest=current,
            confirmation=confirmation,
        )

    @router.get(
        "/surveys/{partner_id}/{year}",
        response_model=s.SurveyOut,
        responses={
            **problems(401, 403, 422),
            200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
        },
    )
    async def read_survey(
        partner_id: PartnerId,
        year: YearPath,
        principal: CurrentPrincipal,
        format: Annotated[
            Literal["json", "csv"] | None, Query(description="csv: a download, one answer a row.")
        ] = None,
    ) -> Any:
        """The partner's annual survey pre-filled from its reports and declaration, with the
        digest to confirm. The partner's own; the secretariat reads every partner's."""
        principal.require_partner_or_secretariat(partner_id)
        answer = await survey(partner_id, year)
        if format == "csv":
            return survey_csv(answer)
        return answer

    @router.post(
        "/surveys/{partner_id}/{year}/confirmation",
        response_model=s.ConfirmationOut,
        status_code=201,
        responses=problems(401, 403, 409, 413, 422),
    )
    async def confirm(
        partner_id: PartnerId, year: YearPath, body: s.ConfirmationIn, principal: CurrentPrincipal
    ) -> s.ConfirmationOut:
        """The partner confirms its survey as read: the digest must be the survey's now (409
        survey_changed when a report or declaration changed it since)."""
        principal.require(Permission.REPORT_PROGRESS)
        principal.require_partner_or_secretariat(partner_id)
        current = (await survey(partner_id, year)).digest
        if body.digest != current:
            raise SurveyChanged(
                "the survey changed since it was read: read it again and confirm what it says now",
                field="digest",
            )
        doc = await store.confirm(partner_id, year, current, principal.actor, clock())
        return s.ConfirmationOut(**doc, current=True)

    return router


def survey_rows(survey: s.SurveyOut) -> list[tuple[str, object]]:
    """The survey as question, answer: the partner's totals, its declaration, the digest."""
    dumped = survey.figures.model_dump()
    rows: list[tuple[str, object]] = [("partner_id", text_cell(survey.partner_id))]
    for name, value in dumped.items():
        if name in ("partnerships", "by_country", "by_level", "partnership", "networks"):
            continue
        if isinstance(value, dict):
            rows += [(f"{name}.{k}", v) for k, v in sorted(value.items())]
        elif name != "suppressed_groups":
            rows.append((name, "" if value is None else value))
    for c in dumped["by_country"]:
        rows.append((f"people_trained.country.{c['country']}", c["people_trained"]))
    for level in dumped["by_level"]:
        rows.append((f"people_trained.level.{level['level']}", level["people_trained"]))
    d = survey.declaration
    rows.append(
        ("stakeholders_joined_networks", "" if d is None else d.stakeholders_joined_networks)
    )
    for name in s.PRINCIPLES:
        activities = d.principles.get(name) if d else None
        rows.append(
            (f"principle.{name}.activities", text_cell(activities.activities) if activities else "")
        )
        count = activities.count if activities else None
        rows.append((f"principle.{name}.count", "" if count is None else count))
    rows.append(("digest", survey.digest))
    return rows


def survey_csv(survey: s.SurveyOut) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("question", "answer"))
    writer.writerows(survey_rows(survey))
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", survey.partner_id)
    filename = f"pact-survey-{safe}-{survey.year}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
