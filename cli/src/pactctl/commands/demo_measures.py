"""What the partnership measures, in `pactctl demo` (issue 17): the secretariat splits a
common target into cells and calls for pledges where no pledge is (the coverage gap), and
the summary shows people placed in digital jobs, unique learners with the learners two
partners share, and that gap."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..api import ApiError, Platform
from ..catalogue import PARTNERSHIP
from ..demo import DemoCommitment, split_target
from ..output import console
from .calls import cell_names

#: what the summary says of the coverage gap, once the target is set
GAP: dict[str, Any] = {}


def cell_text(cell: dict[str, Any]) -> str:
    return f"{cell_names(cell)}: 0 pledged of {float(cell['value']):,.0f}"


def coverage_gap(admin: Platform, story: list[DemoCommitment], today: date) -> None:
    """The split target, and a call for pledges for its uncovered cell."""
    body, uncovered = split_target(story, today)
    try:
        target = admin.post("commitments", "/partnership-targets", body)["target_id"]
        message = f"Nobody pledges for {cell_text(uncovered).split(':')[0]} yet: who can help?"
        call = {"message": message, "cells": [uncovered]}
        admin.post("commitments", f"/partnership-targets/{target}/calls", call)
    except ApiError as exc:
        console.print(f"[red]could not split the common target: {exc}[/red]")
        return
    GAP.update(target_id=target, cell=uncovered)
    console.print(
        f"  [bold]Secretariat[/bold] splits a common target into cells; uncovered: "
        f"{cell_text(uncovered)} — a call for pledges is published"
    )


def _years(story: list[DemoCommitment]) -> list[int]:
    return sorted({m.year for c in story for m in c.months})


def summary(admin: Platform, story: list[DemoCommitment]) -> None:
    try:
        for year in _years(story):
            report = admin.get("monitoring", "/reports/annual", year=year)
            console.print(
                f"{year}: {report['people_trained']:,} people trained, "
                f"{report['people_placed_in_jobs']:,} placed in digital jobs, "
                f"{report['new_entrants']:,} new entrants, "
                f"{report['certificates_issued']:,} certificates issued"
            )
            learners = admin.get("monitoring", f"/learners/partnerships/{PARTNERSHIP}", year=year)
            unique = learners.get("unique")
            if unique:
                shared = sum(o["shared"]["estimate"] for o in learners.get("overlaps", []))
                console.print(
                    f"  unique learners (of the reports with a learners sketch): about "
                    f"{unique['estimate']:,} ({unique['lower']:,} to {unique['upper']:,}), "
                    f"{shared:,} of them trained by two partners"
                )
    except ApiError as exc:
        console.print(f"[red]could not read the figures: {exc}[/red]")
    if GAP:
        console.print(
            f"Coverage gap: {cell_text(GAP['cell'])} (a call for pledges is out; the "
            f"secretariat sees it at /targets/{GAP['target_id']}/coverage in the portal)"
        )
