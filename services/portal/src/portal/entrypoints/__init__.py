"""The portal's pages, one module per group of tasks, each with a `router`.

P1's identity pages and P2's work pages; `PAGES` names every module the app includes."""

from __future__ import annotations

#: Every page module, in the order the app includes them.
PAGES = (
    "ops",
    "identity_pages",
    "signup_pages",
    "oidc_pages",
    "account_pages",
    "organisation_pages",
    "people_pages",
    "approvals_pages",
    "commitments_pages",
    "reporting_pages",
    "alerts_pages",
    "dashboard_pages",
)
