"""`pactctl demo`: the story `make run` tells — a dozen partners register and are approved,
pledge, their systems report progress while (time-lapsed) months pass, and alerts arrive
at a local webhook receiver that prints them."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Annotated, Any

import typer
from rich.status import Status
from standardwebhooks import Webhook, WebhookVerificationError

from pact_contracts import PROGRESS_REPORTED

from .. import accounts, catalogue
from ..api import NOT_YET_KNOWN, ApiError, Platform, while_refused
from ..demo import PROFILES, DemoCommitment, cast, invalid_report, registration
from ..kafka import ReportProducer
from ..output import console, handled, table
from ..settings import settings
from . import demo_measures, mail

#: the secretariat receiver's secret that monitoring's settings have in development
#: (MONITORING_SECRETARIAT_WEBHOOK_SECRET; pact_common.dev_keys)
DEV_SECRETARIAT_WEBHOOK_SECRET = "whsec_ZGV2LXNlY3JldGFyaWF0LXdlYmhvb2stbm90LWZvci1wcm9k"


class Receiver(ThreadingHTTPServer):
    """The partners' and the secretariat's webhook endpoints: verifies each delivery with
    the receiver's own secret, as a partner would (Standard Webhooks, the `standardwebhooks`
    package), and prints the alerts delivered to the secretariat."""

    def __init__(self, port: int, secretariat_secret: str) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        #: path -> the secret of the receiver there (a partner's, from its registration)
        self.secrets: dict[str, Webhook] = {"/secretariat": Webhook(secretariat_secret)}
        self.deliveries: list[dict[str, Any]] = []
        self.refused = 0

    def verified(self, path: str, body: bytes, headers: dict[str, str]) -> dict[str, Any] | None:
        """The delivery's event, if its receiver's secret verifies it."""
        receiver = self.secrets.get(path)
        if receiver is None:
            return None
        try:
            event: dict[str, Any] = receiver.verify(body, headers)
        except WebhookVerificationError:
            return None
        return event


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        event = self.server.verified(self.path, body, dict(self.headers))
        self.send_response(204 if event is not None else 401)
        self.end_headers()
        if event is None:
            self.server.refused += 1
            console.print(f"[red]webhook with a bad signature refused ({self.path})[/red]")
            return
        alert = event.get("alert", event)
        self.server.deliveries.append({"path": self.path, **alert})
        if self.path.startswith("/secretariat"):
            fired = alert.get("event_type") == "AlertFired"
            colour = (
                ("green" if "Achieved" in str(alert.get("rule")) else "yellow") if fired else "cyan"
            )
            verb = "FIRED" if fired else "resolved"
            console.print(
                f"  [{colour}]webhook ▸ {verb:8}[/{colour}] {alert.get('rule')}: "
                f"{alert.get('message')}"
            )

    def log_message(self, *args: Any) -> None:
        return None


def _ready(platform: Platform, status: Status, timeout: float = 90.0) -> None:
    end = time.monotonic() + timeout
    for service in ("registry", "commitments", "monitoring"):
        while True:
            status.update(f"waiting for the {service} service...")
            try:
                platform.call(service, "GET", "/ready", auth=False)  # type: ignore[arg-type]
                break
            except ApiError:
                if time.monotonic() > end:
                    raise
                time.sleep(0.5)


def _pledge(as_partner: Platform, body: dict[str, Any], wait: float = 30.0) -> str:
    done = while_refused(
        lambda: as_partner.post("commitments", "/commitments", body),
        lambda exc: exc.code in NOT_YET_KNOWN,
        wait,
    )
    return str(done["commitment_id"])


@handled
def demo(
    ctx: typer.Context,
    partners: Annotated[int, typer.Option(min=1, max=12)] = 12,
    clock_start: Annotated[
        str | None,
        typer.Option(
            envvar="PACT_CLOCK_START",
            help="When the services' time-lapse began (ISO 8601); default now.",
        ),
    ] = None,
    clock_speed: Annotated[
        float,
        typer.Option(
            envvar="PACT_CLOCK_SPEED",
            help="The services' time-lapse: simulated seconds per real second.",
        ),
    ] = 86400.0,
    webhook_port: Annotated[int, typer.Option(envvar="PACT_DEMO_WEBHOOK_PORT")] = 8099,
    webhook_secret: Annotated[
        str,
        typer.Option(
            envvar="PACT_WEBHOOK_SECRET",
            help="The secretariat receiver's secret (whsec_...), as monitoring has it.",
        ),
    ] = DEV_SECRETARIAT_WEBHOOK_SECRET,
    stay: Annotated[bool, typer.Option(help="Keep receiving webhooks until Ctrl-C.")] = True,
) -> None:
    """Run the demo scenario against running services (as `make run` does)."""
    cfg = settings(ctx)
    admin = cfg.platform()
    start = datetime.fromisoformat(clock_start) if clock_start else datetime.now(UTC)

    def now() -> datetime:
        return start + (datetime.now(UTC) - start) * clock_speed

    receiver = Receiver(webhook_port, webhook_secret)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{webhook_port}"
    console.rule("[bold]Digital Ecosystem Skills Partnership — live demo")
    console.print(
        f"Time-lapse: one real second is {timedelta(seconds=clock_speed)} of platform time."
    )
    members = catalogue.members(partners, seed=7)
    story = cast([DemoCommitment(m, *PROFILES[i]) for i, m in enumerate(members)])
    asyncio.run(_run(cfg, admin, story, now, hook, receiver))
    _summary(admin, receiver)
    demo_measures.summary(admin, story)
    if stay:
        console.print("\nStill receiving webhooks; Ctrl-C stops everything.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    receiver.shutdown()


async def _run(
    cfg: Any, admin: Platform, story: list[DemoCommitment], now: Any, hook: str, receiver: Receiver
) -> None:
    async with ReportProducer(cfg.kafka_bootstrap, cfg.topic(PROGRESS_REPORTED)) as producer:
        with console.status("starting...") as status:
            _ready(admin, status)
            keys: list[str] = []
            for c in story:  # everyone registers and is approved first...
                org = c.member.organisation
                status.update(f"registering {org.legal_name}...")
                path = f"/partners/{org.domain}"
                body = registration(c.member, f"{hook}{path}")
                done = admin.call("registry", "POST", "/partners", body, auth=False)
                c.partner_id = done["partner_id"]
                receiver.secrets[path] = Webhook(done["webhook_secret"])  # answered once
                keys.append(done["api_key"])
                admin.post(
                    "registry",
                    f"/partners/{c.partner_id}/approve",
                    {"reason": "Charter signed; demo partner"},
                )
            _people(admin, story, status)
            for c, key in zip(story, keys, strict=True):  # ...then pledges and reports at once
                org = c.member.organisation
                status.update(f"{org.legal_name} pledges...")
                c.commitment_id = _pledge(admin.with_key(key), c.pledge(now().date()))
                console.print(
                    f"  [bold]{org.legal_name}[/bold] ({org.organisation_type}, "
                    f"{org.hq_country}) approved, pledged {c.target:,} people by "
                    f"{c.deadline} — [dim]{c.profile}[/dim]"
                )
                await _send_due(producer, [c], now)
            demo_measures.coverage_gap(admin, story, now().date())
        await _stream(producer, story, now)


def _people(admin: Platform, story: list[DemoCommitment], status: Status) -> None:
    """The portal's demo accounts: the secretariat's administrator, two coordinators."""
    status.update("inviting the demo accounts...")
    seeded = [accounts.seed_admin(admin)]
    for c in story[:2]:
        org = c.member.organisation
        seeded.append(
            accounts.seed_coordinator(admin, str(c.partner_id), org.legal_name, org.domain)
        )
    for line in accounts.describe(seeded):
        console.print(line, style="bold" if line.startswith("Portal") else None, highlight=False)


async def _send_due(producer: ReportProducer, story: list[DemoCommitment], now: Any) -> None:
    for c in story:
        for report in c.due(now()):
            await producer.send(report)
            late = c.profile == "late" and report.period == f"{c.months[1]:%Y-%m}"
            note = (
                " (correction, revision 2)" if report.revision > 1 else (" (late)" if late else "")
            )
            console.print(
                f"  report {report.period} {c.member.organisation.legal_name}: "
                f"{report.people_trained:,} trained{note}",
                style="dim",
            )


async def _stream(producer: ReportProducer, story: list[DemoCommitment], now: Any) -> None:
    last = max(c.deadline for c in story) + timedelta(days=8)
    invalid_sent = False
    console.rule("Partner systems report progress")
    shown = ""
    while now().date() <= last:
        today = now().date()
        if today.isoformat()[:7] != shown:
            shown = today.isoformat()[:7]
            console.print(f"[bold]── {today:%B %Y}[/bold]")
        await _send_due(producer, story, now)
        if not invalid_sent and today > story[0].months[1]:
            bad = invalid_report(story[0], story[0].months[1])
            await producer.send_raw(json.dumps(bad).encode(), bad["commitment_id"].encode())
            console.print("  [red]an invalid report (breakdown does not add up) is sent[/red]")
            invalid_sent = True
        await asyncio.sleep(0.25)


def _summary(admin: Platform, receiver: Receiver) -> None:
    time.sleep(3)  # let the last deliveries arrive
    console.rule("Summary")
    try:
        alerts = admin.get("monitoring", "/alerts", limit=200)
        items = alerts.get("items", alerts) if isinstance(alerts, dict) else alerts
        counts: dict[tuple[str, str], int] = {}
        for a in items:
            key = (str(a.get("rule")), str(a.get("status")))
            counts[key] = counts.get(key, 0) + 1
        console.print(
            table(
                "Alerts",
                ["rule", "status", "count"],
                [[r, s, n] for (r, s), n in sorted(counts.items())],
            )
        )
        rejected = admin.get("monitoring", "/progress/rejections")
        rows = rejected.get("items", rejected) if isinstance(rejected, dict) else rejected
        reasons = sorted({str(r.get("reason")) for r in rows})
        console.print(f"Rejected reports: {len(rows)} ({', '.join(reasons)})")
    except ApiError as exc:
        console.print(f"[red]could not read alerts: {exc}[/red]")
    console.print(
        f"Webhook deliveries received: {len(receiver.deliveries)}, each verified with its "
        f"receiver's own secret ({receiver.refused} refused)"
    )
    console.print(mail.sink_summary())
    console.print(
        f"Portal: {accounts.PORTAL_URL}/   APIs: http://127.0.0.1:8001/docs, "
        "http://127.0.0.1:8002/docs, http://127.0.0.1:8003/docs"
    )
