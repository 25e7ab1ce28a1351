"""The open figures page (issue 17): anyone reads it without signing in, from the link on
the sign-in page, in their language; the figures are monitoring's public ones."""

from __future__ import annotations

import pytest

from .conftest import Visitor

pytestmark = pytest.mark.integration


async def test_anyone_reads_the_open_figures_from_the_sign_in_page(visitor: Visitor) -> None:
    await visitor.get("/sign-in")
    assert 'href="/open-figures"' in visitor.page
    answer = await visitor.get("/open-figures", params={"year": 2026})
    assert answer.status_code == 200 and str(answer.url).endswith("/open-figures?year=2026")
    text = visitor.text()
    assert "Open figures 2026" in text
    assert "fewer than 3 partners is not shown" in text
    assert 'id="open-figures"' in visitor.page  # the total, all zeros on an empty platform
    german = await visitor.get("/open-figures", headers={"Accept-Language": "de"})
    assert german.status_code == 200 and "Offene Zahlen" in visitor.text()
    refused = await visitor.get("/open-figures", params={"year": 1900})
    assert refused.status_code == 422
