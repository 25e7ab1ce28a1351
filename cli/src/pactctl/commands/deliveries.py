"""Webhook deliveries of alerts as a group of their own (`deliveries list`, `deliveries
retry`), and `alerts ack`: the same requests as `alerts deliveries`, `alerts retry` and
`alerts acknowledge`, under the names people reach for."""

from __future__ import annotations

import typer

from . import monitoring

app = typer.Typer(help="Webhook deliveries of alerts: list them, send one again.")

app.command("list")(monitoring.deliveries)
app.command("retry")(monitoring.retry)
monitoring.alerts.command("ack")(monitoring.acknowledge)
