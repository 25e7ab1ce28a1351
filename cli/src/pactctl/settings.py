"""Where the platform is and who is calling: the global options of pactctl."""

from __future__ import annotations

from dataclasses import dataclass

import typer

from pact_contracts import Topic

from .api import Platform
from .output import Format


@dataclass(frozen=True)
class Settings:
    registry_url: str = "http://127.0.0.1:8001"
    commitments_url: str = "http://127.0.0.1:8002"
    monitoring_url: str = "http://127.0.0.1:8003"
    kafka_bootstrap: str = "127.0.0.1:9092"
    api_key: str | None = None
    #: -o; None: a table on a terminal, tab-separated lines when piped
    output: Format | None = None
    #: --quiet: ids only
    quiet: bool = False
    #: Prepended to topic names (tests give every test topics of its own).
    topic_namespace: str = ""
    timeout: float = 10.0

    @property
    def json_output(self) -> bool:
        return self.output is Format.JSON

    def platform(self, api_key: str | None = None) -> Platform:
        urls = {
            "registry": self.registry_url,
            "commitments": self.commitments_url,
            "monitoring": self.monitoring_url,
        }
        return Platform(urls, api_key or self.api_key, self.timeout)

    def topic(self, topic: Topic) -> str:
        return f"{self.topic_namespace}{topic.name}"


def settings(ctx: typer.Context) -> Settings:
    """The global options, from the root command's context."""
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else Settings()
