"""`portal-service` (or `python -m portal`): the portal's HTTP server."""

from __future__ import annotations

import uvicorn

from .bootstrap import build_app
from .config import PortalSettings


def main() -> None:
    settings = PortalSettings()
    uvicorn.run(
        build_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()
