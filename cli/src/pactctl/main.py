"""`pactctl`: the command line of the Digital Ecosystem Skills Partnership platform."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Annotated, Any

import typer
from typer.core import TyperGroup, TyperOption

from .commands import (
    calls,
    commitment_changes,  # noqa: F401 - adds amend and withdraw to commitments
    commitments,
    deliveries,
    demo,
    keys,
    learners,
    mail,
    monitoring,
    partners,
    progress,
    register,
    silences,
    simulate,
    targets,
)
from .examples import epilog
from .output import Format
from .settings import Settings

EXIT_CODES = (
    "[bold]Exit codes[/]: 0 done; 1 refused or failed (a service's refusal, a bad file, an "
    "unreachable service: the message says which); 2 a usage error (an unknown command or "
    "option, a missing argument)."
)
OUTPUT = (
    "[bold]Output[/]: a table on a terminal, tab-separated lines (a header first) when piped; "
    "-o json|csv|wide|table on every list and show command; --quiet prints ids only. Global "
    "options may go anywhere on the line."
)


def _plain_flags(command: Any) -> None:
    """On/off flags show no `<bool>` value in --help (they take none)."""
    for param in command.params:
        if isinstance(param, TyperOption) and param.is_flag:
            param.metavar = ""
    own = command.get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = own(ctx)
        if option is not None:
            option.metavar = ""
        return option

    command.get_help_option = get_help_option


class Pactctl(TyperGroup):
    """The root command: global options are taken wherever they are written
    (`pactctl partners list --json` as `pactctl --json partners list`), and every command's
    help ends with examples."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._add_examples(self, "")

    def _add_examples(self, group: Any, prefix: str) -> None:
        _plain_flags(group)
        for name, command in group.commands.items():
            path = f"{prefix}{name}"
            if isinstance(command, TyperGroup):
                self._add_examples(command, f"{path} ")
                continue
            _plain_flags(command)
            if command.epilog is None:
                command.epilog = epilog(path)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        flags: set[str] = set()
        valued: set[str] = set()
        for param in self.params:
            if isinstance(param, TyperOption):
                names = [*param.opts, *param.secondary_opts]
                (flags if param.is_flag or param.count else valued).update(names)
        hoisted: list[str] = []
        rest: list[str] = []
        i = 0
        while i < len(args):
            arg = args[i]
            if arg == "--":
                rest.extend(args[i:])
                break
            name = arg.split("=", 1)[0] if arg.startswith("--") else arg
            if name in flags or (name in valued and "=" in arg):
                hoisted.append(arg)
            elif name in valued and i + 1 < len(args):
                hoisted.extend(args[i : i + 2])
                i += 1
            elif arg.startswith("-o") and len(arg) > 2 and "-o" in valued:
                hoisted.append(arg)  # -ojson
            else:
                rest.append(arg)
            i += 1
        return super().parse_args(ctx, hoisted + rest)


app = typer.Typer(
    name="pactctl",
    cls=Pactctl,
    help="The Pact for Skills platform from the command line: partners, commitments, "
    "progress, alerts and reports. Talks to the services' HTTP APIs and to Kafka, as a "
    "partner system or the secretariat would.",
    epilog=f"{OUTPUT}\n\n{EXIT_CODES}",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
)


def _version(given: bool) -> None:
    if given:
        try:
            found = version("pact-cli")
        except PackageNotFoundError:  # pragma: no cover - run from a source tree
            found = "unknown"
        typer.echo(f"pactctl {found}")
        raise typer.Exit()


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
            "POST /auth/token for a token. Locally the secretariat's key is "
            "dev-secretariat-key-not-for-production.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Format | None,
        typer.Option(
            "--output",
            "-o",
            help="table, wide, json or csv (default: a table on a terminal, tab-separated "
            "when piped).",
            show_default=False,
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="The same as -o json.", show_default=False)
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print ids only.", show_default=False)
    ] = False,
    timeout: Annotated[
        float, typer.Option(envvar="PACT_HTTP_TIMEOUT", help="HTTP timeout in seconds.", min=0.1)
    ] = Settings.timeout,
    topic_namespace: Annotated[str, typer.Option(envvar="PACT_TOPIC_NAMESPACE", hidden=True)] = "",
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    ctx.obj = Settings(
        registry_url=registry_url,
        commitments_url=commitments_url,
        monitoring_url=monitoring_url,
        kafka_bootstrap=kafka_bootstrap,
        api_key=api_key,
        output=Format.JSON if json_output else output,
        quiet=quiet,
        topic_namespace=topic_namespace,
        timeout=timeout,
    )


app.add_typer(partners.app, name="partners")
app.command("register")(register.register)
app.command("token")(register.token)
app.command("keygen")(keys.keygen)
app.add_typer(commitments.app, name="commitments")
app.add_typer(targets.app, name="targets")
app.add_typer(calls.app, name="calls")
app.add_typer(monitoring.alerts, name="alerts")
app.add_typer(deliveries.app, name="deliveries")
app.add_typer(monitoring.report, name="report")
app.add_typer(silences.app, name="silences")
app.add_typer(progress.app, name="progress")
app.add_typer(learners.app, name="learners")
app.command("simulate", help=simulate.SIMULATE_HELP)(simulate.simulate)
app.command("demo")(demo.demo)
app.command("mail")(mail.mail)
