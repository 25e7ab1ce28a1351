"""The portal's pages, one module per group of tasks, each with a `router`: `ops` (health,
readiness) and every `*_pages` module, found in this package (the identity pages and the
work pages: commitments, reporting, alerts, dashboard, ...)."""

from __future__ import annotations

import pkgutil

#: Every page module, in the order the app includes them.
_FOUND = sorted(name for _, name, _ in pkgutil.iter_modules(__path__) if name.endswith("_pages"))
PAGES = ("ops", *_FOUND)
