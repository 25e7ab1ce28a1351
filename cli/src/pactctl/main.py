"""`pactctl`: the command line of the Digital Ecosystem Skills Partnership platform."""

from __future__ import annotations

from typing import Annotated

import typer

from .commands import commitments, demo, keys, monitoring, partners, progress, simulate
from .settings import Settings

app = typer.Typer(
    name="pactctl",
    help="The Pact for Skills platform from the command line: partners, commitments, "
    "progress, alerts and reports. Talks to the services' HTTP APIs and to Kafka, as a "
    "partner system or the secretariat would.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    registry_url: Annotated[
        str, typer.Option(envvar="PACT_REGISTRY_URL", help="Registry service base URL.")
    ] = Settings.registry_url,
    commitments_url: Annotated[
        str, typer.Option(envvar="PACT_COMMITMENTS_URL", help="Commitments service base URL.")
    ] = Settings.commitments_url,
    monitoring_url: Annotated[
        str, typer.Option(envvar="PACT_MONITORING_URL", help="Monitoring service base URL.")
    ] = Settings.monitoring_url,
    kafka_bootstrap: Annotated[
        str,
        typer.Option(
            "--kafka-bootstrap", "--kafka", envvar="PACT_KAFKA_BOOTSTRAP", help="Kafka bootstrap."
        ),
    ] = Settings.kafka_bootstrap,
    api_key: Annotated[
        str | None,
        typer.Option(
            envvar="PACT_API_KEY",
            help="A partner's API key or the secretariat's admin key; exchanged at "
            "POST /auth/token for a token.",
            show_default=False,
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print JSON instead of tables.")
    ] = False,
    timeout: Annotated[
        float, typer.Option(envvar="PACT_HTTP_TIMEOUT", help="HTTP timeout in seconds.", min=0.1)
    ] = Settings.timeout,
    topic_namespace: Annotated[str, typer.Option(envvar="PACT_TOPIC_NAMESPACE", hidden=True)] = "",
) -> None:
    ctx.obj = Settings(
        registry_url=registry_url,
        commitments_url=commitments_url,
        monitoring_url=monitoring_url,
        kafka_bootstrap=kafka_bootstrap,
        api_key=api_key,
        json_output=json_output,
        topic_namespace=topic_namespace,
        timeout=timeout,
    )


app.add_typer(partners.app, name="partners")
app.command("register")(partners.register)
app.command("token")(partners.token)
app.command("keygen")(keys.keygen)
app.add_typer(commitments.app, name="commitments")
app.add_typer(monitoring.alerts, name="alerts")
app.add_typer(monitoring.report, name="report")
app.add_typer(progress.app, name="progress")
app.command("simulate", help=simulate.SIMULATE_HELP)(simulate.simulate)
app.command("demo")(demo.demo)
