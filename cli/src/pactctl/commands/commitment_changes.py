"""Changing a commitment once pledged: `commitments amend` (target value, deadline,
milestones, with a reason; a new version) and `commitments withdraw` (with a reason)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .. import inputs
from ..api import ApiError
from ..errors import naming
from ..output import CliError, console, emit_json, handled
from ..settings import settings
from .commitments import _checked, _milestone, app

#: the amendment's fields and the flags that give them
AMEND_FLAGS = {"reason": "--reason", "target_value": "--target", "deadline": "--deadline",
               "milestones": "--milestone"}  # fmt: skip


def _said(d: dict[str, Any], what: str) -> None:
    console.print(
        f"{what} [bold]{d['id']}[/]: version {d.get('version')}, status {d.get('status')}, "
        f"target {d.get('target_value', 0):,.0f} by {d.get('deadline')}."
    )


@app.command("amend")
@handled
def amend(
    ctx: typer.Context,
    commitment_id: Annotated[str, typer.Argument(help="The commitment (commitments list).")],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why it changes (kept).")],
    target: Annotated[
        str | None,
        typer.Option("--target", "--target-value", help="The new value to reach: 3,500."),
    ] = None,
    deadline: Annotated[str | None, typer.Option(help="The new deadline YYYY-MM-DD.")] = None,
    milestone: Annotated[
        list[str] | None,
        typer.Option(
            help="DATE:VALUE, cumulative; the whole new list (repeat for each). Milestones "
            "due before today cannot change."
        ),
    ] = None,
    no_milestones: Annotated[
        bool, typer.Option("--no-milestones", help="Remove every milestone not yet due.")
    ] = False,
) -> None:
    """Amend a commitment's target value, deadline or milestones, with a reason (POST
    /commitments/{id}/amendments): a new version; monitoring evaluates it again."""
    s = settings(ctx)
    if milestone and no_milestones:
        raise CliError("--milestone and --no-milestones: give one or the other")
    body: dict[str, Any] = {"reason": reason}
    if target is not None:
        body["target_value"] = _checked("--target", inputs.number, target)
    if deadline is not None:
        body["deadline"] = _checked("--deadline", inputs.day, deadline)
    if milestone or no_milestones:
        body["milestones"] = [_milestone(m) for m in milestone or []]
    if len(body) == 1:
        raise CliError(
            "nothing to amend: give --target, --deadline, --milestone or --no-milestones"
        )
    try:
        detail = s.platform().post("commitments", f"/commitments/{commitment_id}/amendments", body)
    except ApiError as exc:
        raise naming(exc, AMEND_FLAGS) from exc
    if s.quiet:
        print(detail["version"])
    elif s.json_output:
        emit_json(detail)
    else:
        _said(detail, "Amended")


@app.command("withdraw")
@handled
def withdraw(
    ctx: typer.Context,
    commitment_id: Annotated[str, typer.Argument(help="The commitment (commitments list).")],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why it is withdrawn (kept).")],
) -> None:
    """Withdraw a commitment, with a reason (POST /commitments/{id}/withdraw). Reports of
    periods that began before the withdrawal are still taken; later ones are refused
    (reported_after_withdrawal)."""
    s = settings(ctx)
    try:
        detail = s.platform().post(
            "commitments", f"/commitments/{commitment_id}/withdraw", {"reason": reason}
        )
    except ApiError as exc:
        raise naming(exc, {"reason": "--reason"}) from exc
    if s.quiet:
        print(detail["id"])
    elif s.json_output:
        emit_json(detail)
    else:
        _said(detail, "Withdrew")
