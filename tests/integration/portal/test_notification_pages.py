"""A person chooses which alerts are emailed to them (issue 16): the form on the portal reads
and sets the registry's /users/me/notifications with the person's own token."""

from __future__ import annotations

import re
import uuid

import pytest

from .conftest import Stack, Visitor
from .test_identity_pages import signed_up

pytestmark = pytest.mark.integration


def checked(page: str) -> dict[str, str]:
    found = re.findall(r'name="(\w+)" value="(\w+)" checked', page)
    return dict(found)


async def test_a_person_sets_which_alerts_are_emailed(stack: Stack, visitor: Visitor) -> None:
    email = f"mailed-{uuid.uuid4().hex[:6]}@prefs.example"
    await signed_up(visitor, f"Preferences {uuid.uuid4().hex[:6]}", email)
    await visitor.get("/account")
    assert 'href="/account/notifications"' in visitor.page
    shown = await visitor.get("/account/notifications")
    assert shown.status_code == 200, visitor.text()
    assert checked(visitor.page) == {
        "critical": "immediately", "warning": "immediately", "info": "daily",
    }  # fmt: skip
    form = {"critical": "immediately", "warning": "daily", "info": "off"}
    saved = await visitor.submit("/account/notifications", form)
    assert saved.status_code == 200 and "Your email preferences are saved." in visitor.text()
    await visitor.get("/account/notifications")
    assert checked(visitor.page) == form


async def test_an_alert_emails_link_leads_to_the_alerts(stack: Stack, visitor: Visitor) -> None:
    await signed_up(
        visitor, f"Linked {uuid.uuid4().hex[:6]}", f"l-{uuid.uuid4().hex[:6]}@l.example"
    )
    answer = await visitor.get("/alerts/CommitmentAtRisk%3Acommitment%3Ac-1")
    assert answer.history and answer.history[0].status_code == 303
    assert (answer.url.path, answer.url.params.get("show")) == ("/alerts", "all"), answer.url
