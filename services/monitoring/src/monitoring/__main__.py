"""`monitoring-service`: HTTP API, consumers, the sweep and the outbox relay in one process."""

from __future__ import annotations

from monitoring.bootstrap import build_app
from monitoring.config import Settings
from pact_common.runtime import serve


def main() -> None:
    settings = Settings()
    serve(build_app(settings, clock=settings.clock()), settings)


if __name__ == "__main__":
    main()
