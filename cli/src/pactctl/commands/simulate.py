"""`pactctl simulate`: partners' systems reporting progress to Kafka at a steady rate."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from pact_contracts import PROGRESS_REPORTED

from .. import catalogue, provisioning
from ..kafka import ReportProducer, SendError, StreamStats, stream
from ..output import CliError, console, emit_json, errors, handled, table, to_tty
from ..settings import Settings, settings
from ..simulation import PRODUCER, ProgressSimulator, SimulatedCommitment

#: seconds between progress lines when not on a terminal
PROGRESS_EVERY = 5.0


def _load(path: Path) -> list[SimulatedCommitment]:
    try:
        doc = json.loads(path.read_text())
    except ValueError as exc:
        raise CliError(f"{path} is not JSON: {exc}") from exc
    items = doc.get("commitments", doc.get("items")) if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not items:
        raise CliError(f"{path}: expected a list of commitments, or {{'commitments': [...]}}")
    try:
        return [SimulatedCommitment.from_json(c) for c in items]
    except (KeyError, TypeError, ValueError) as exc:
        raise CliError(f"{path}: a commitment without a valid {exc}") from exc


def _provision(
    s: Settings, partners: int, per_partner: int, seed: int | None, sign: bool
) -> list[SimulatedCommitment]:
    admin = s.platform()
    if admin.token().role != "secretariat":
        raise CliError("setting up partners needs the secretariat's admin key (--api-key)")
    quiet = s.json_output
    members = catalogue.members(partners, seed)
    if quiet:
        commitments = provisioning.provision(admin, members, per_partner=per_partner, sign=sign)
        return commitments
    with console.status("Registering, approving and pledging...", spinner="dots") as status:
        commitments = provisioning.provision(
            admin, members, per_partner=per_partner, sign=sign, on_step=status.update
        )
    console.print(
        table(
            f"{partners} partner(s), {len(commitments)} commitment(s)",
            ["commitment", "partner", "metric", "target", "cadence", "countries", "levels"],
            [
                [
                    c.commitment_id,
                    c.partner_id,
                    c.metric,
                    c.target_value,
                    c.cadence,
                    c.countries,
                    c.levels,
                ]
                for c in commitments
            ],
        )
    )
    return commitments


def _live(total: int | None) -> tuple[Progress, Any]:
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[bold]progress reports"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[acked]:,} acked · {task.fields[failed]} failed"),
        TextColumn("· {task.fields[rate]:,.0f}/s · {task.fields[people]:,} people trained"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
    task = progress.add_task("reports", total=total, acked=0, failed=0, rate=0.0, people=0)
    return progress, task


SIMULATE_HELP = "\n\n".join(
    (
        "Simulate partner systems reporting progress.",
        "Registers and approves partners (realistic organisations of the Digital Ecosystem "
        "Skills Partnership) and pledges their commitments, or takes commitments from "
        "--from-file; then sends progress reports to Kafka (partners.progress-reported.v1, key "
        "partner_id) at a steady rate, with breakdowns by level, country and gender that "
        "sum exactly to people_trained.",
        "Without --count or --duration it runs until Ctrl-C. Setting up partners needs the "
        "secretariat's key.",
    )
)


@handled
def simulate(
    ctx: typer.Context,
    partners: Annotated[
        int, typer.Option(min=1, max=500, help="Partners to register and approve.")
    ] = 6,
    commitments_per_partner: Annotated[
        int, typer.Option(min=1, max=20, help="Commitments each pledges.")
    ] = 1,
    from_file: Annotated[
        Path | None,
        typer.Option(
            help="Report on these commitments instead (JSON: --save output, or the "
            "output of `pactctl --json commitments list`).",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    save: Annotated[
        Path | None, typer.Option(help="Write the commitments reported on to this JSON file.")
    ] = None,
    setup_only: Annotated[
        bool, typer.Option("--setup-only", help="Set up partners and commitments; no reports.")
    ] = False,
    rate: Annotated[float, typer.Option(min=0.1, help="Reports per second.")] = 10.0,
    count: Annotated[int | None, typer.Option(min=1, help="Stop after this many.")] = None,
    duration: Annotated[float | None, typer.Option(min=0.1, help="Stop after seconds.")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed: the same reports every time.")] = None,
    first_revision: Annotated[
        int,
        typer.Option(
            min=1,
            max=1_000_000,
            help="Revision of each period's first report (raise it to run "
            "again on the same commitments).",
        ),
    ] = 1,
    producer: Annotated[str, typer.Option(help="Producer named in the reports.")] = PRODUCER,
    sign: Annotated[
        bool,
        typer.Option(help="Partners register signing keys and sign every report (Ed25519)."),
    ] = False,
) -> None:
    """Simulate partner systems reporting progress (see SIMULATE_HELP)."""
    s = settings(ctx)
    if from_file is not None:
        commitments = _load(from_file)
    else:
        commitments = _provision(s, partners, commitments_per_partner, seed, sign)
    if save is not None:
        save.write_text(json.dumps({"commitments": [c.to_json() for c in commitments]}, indent=2))
        errors.print(f"commitments written to {save}")
    if setup_only:
        if s.json_output:
            emit_json({"commitments": [c.to_json() for c in commitments]})
        return
    try:
        sim = ProgressSimulator(
            commitments, seed=seed, producer=producer, first_revision=first_revision
        )
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    topic = s.topic(PROGRESS_REPORTED)
    total = count if count is not None else (round(rate * duration) if duration else None)
    stats = StreamStats()
    progress, task = _live(total)

    last_said = [0.0]

    def say(st: StreamStats) -> None:
        """Off a terminal: a line every PROGRESS_EVERY seconds (logs, CI, systemd)."""
        if st.elapsed - last_said[0] >= PROGRESS_EVERY:
            last_said[0] = st.elapsed
            errors.print(
                f"{st.elapsed:,.0f} s: {st.sent:,} sent, {st.acked:,} acknowledged, "
                f"{st.failed} failed ({st.rate:,.0f}/s)", highlight=False,
            )  # fmt: skip

    def tick(st: StreamStats) -> None:
        over = count is None and duration is not None and st.elapsed >= duration
        progress.update(
            task,
            total=st.sent if over else total,
            completed=st.sent,
            acked=st.acked,
            failed=st.failed,
            rate=st.rate,
            people=sim.people_trained,
        )

    live = not s.json_output and to_tty()
    interrupted = False

    async def run() -> None:
        """SIGTERM stops it as Ctrl-C does: what was sent is acknowledged, then summed up."""
        nonlocal interrupted
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
        keys = {c.partner_id: c.signing_key for c in commitments if c.signing_key}
        try:
            async with ReportProducer(s.kafka_bootstrap, topic, signing_keys=keys) as kafka:
                await stream(
                    kafka, sim, rate=rate, count=count, duration=duration, stats=stats,
                    on_tick=tick if live else say,
                )  # fmt: skip
        except asyncio.CancelledError:
            interrupted = True
        finally:
            loop.remove_signal_handler(signal.SIGTERM)

    try:
        if not live:
            asyncio.run(run())
        else:
            with progress:
                asyncio.run(run())
    except KeyboardInterrupt:
        interrupted = True
    except SendError as exc:
        raise CliError(str(exc)) from exc
    summary = stats.as_dict() | {
        "topic": topic,
        "commitments": len(sim.commitments),
        "people_trained": sim.people_trained,
        "interrupted": interrupted,
    }
    if s.json_output:
        emit_json(summary)
    else:
        console.print(
            f"{stats.acked:,} report(s) acknowledged on {topic} "
            f"({stats.rate:,.0f}/s, {stats.failed} failed) for {len(sim.commitments)} "
            f"commitment(s); {sim.people_trained:,} people trained so far."
        )
    if stats.failed:
        errors.print(f"[red]last Kafka error:[/] {stats.last_error}")
        raise typer.Exit(1)
