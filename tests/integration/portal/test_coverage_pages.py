"""The coverage of a split partnership target (issue 17) on the real stack: the secretariat
sets a target split into cells, a partner's commitment pledges toward some of them, and the
coverage view lists the cells left uncovered ("Advanced, RO: 0 pledged of 4,000"); the
secretariat calls for pledges there and the partner sees the call."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from datetime import date

import pytest

from tests.support.portal_pages import PortalStack, post_form

from .test_work_pages import pledge_form, pledged

pytestmark = pytest.mark.integration

YEAR = date.today().year


@pytest.fixture(scope="module")
async def stack(infrastructure: None) -> AsyncIterator[PortalStack]:
    s = PortalStack()
    try:
        await s.start()
        yield s
    finally:
        await s.stop()


def listed(page: str, list_id: str) -> list[str]:
    """The items of the page's list with this id, as text."""
    found = re.search(rf'<ul id="{list_id}"[^>]*>(.*?)</ul>', page, re.S)
    assert found, f"no list {list_id}"
    items = re.findall(r"<li>(.*?)</li>", found.group(1), re.S)
    return [html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", i))).strip() for i in items]


async def test_the_coverage_view_lists_the_uncovered_cells_of_a_split_target(
    stack: PortalStack,
) -> None:
    org = await stack.enrol("Baltic Cloud Academy")
    partner = await stack.browser(org.email)
    # 2,000 at the advanced level in FI and SE: 1,000 toward each of the two cells it covers
    await pledged(partner, "Cloud skills for 2,000 engineers")
    assert pledge_form("x")["levels"] == ["advanced"]
    cells = [
        {"level": "advanced", "country": "FI", "value": 800},
        {"level": "advanced", "country": "SE", "value": 1500},
        {"level": "advanced", "country": "RO", "value": 4000},
        {"level": "basic", "value": 500},
    ]
    target = await stack.api(
        stack.commitments,
        "POST",
        "/partnership-targets",
        await stack.token(),
        json={
            "partnership_id": "digital-ecosystem",
            "title": "Digital skills where they are missing",
            "target_value": 6800,
            "start_date": f"{YEAR - 1}-01-01",
            "deadline": f"{YEAR + 3}-12-31",
            "cells": cells,
        },
    )
    target_id = target["target_id"]
    admin = await stack.browser(await stack.secretariat())

    targets = (await admin.get("/targets")).text
    assert f'href="/targets/{target_id}/coverage"' in targets
    view = await admin.get(f"/targets/{target_id}/coverage")
    assert view.status_code == 200, view.text
    assert listed(view.text, "uncovered") == [
        "Advanced, SE: 1,000 pledged of 1,500",
        "Advanced, RO: 0 pledged of 4,000",
        "Basic: 0 pledged of 500",
    ]
    assert "divided by k" in view.text  # the page says how a commitment's pledge is shared
    assert (await partner.get(f"/targets/{target_id}/coverage")).status_code == 403

    offered = re.findall(r'name="cell" value="([^"]+)"', view.text)
    assert offered == ["advanced|SE||500", "advanced|RO||4000", "basic|||500"]
    call = await post_form(
        admin,
        f"/targets/{target_id}/coverage",
        f"/targets/{target_id}/calls",
        {"message": "Advanced training in Romania has no pledge yet", "cell": offered[1:]},
    )
    assert call.status_code == 303, call.text
    after = (await admin.get(f"/targets/{target_id}/coverage")).text
    assert "Advanced training in Romania has no pledge yet" in after

    seen = await partner.get("/calls")
    assert seen.status_code == 200 and 'href="/calls"' in seen.text
    assert "Advanced training in Romania has no pledge yet" in seen.text
    assert "Digital skills where they are missing" in seen.text
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", seen.text)))
    assert "Advanced, RO: 4,000 still to pledge" in text
    assert "Basic: 500 still to pledge" in text
    assert "SE: 500 still to pledge" not in text  # not called for


async def test_the_secretariat_splits_a_target_on_the_targets_form(stack: PortalStack) -> None:
    admin = await stack.browser(await stack.secretariat())
    form = {
        "partnership_id": "digital-ecosystem",
        "title": "Women in advanced digital skills",
        "metric": "people_trained",
        "target_value": "10000",
        "start_date": f"{YEAR - 1}-01-01",
        "deadline": f"{YEAR + 3}-12-31",
    }
    wrong = await post_form(admin, "/targets", "/targets", form | {"cells": "advanced RO 4000"})
    assert wrong.status_code == 422 and 'id="f-cells-error"' in wrong.text
    cells = "advanced, RO: 4,000\n\nfemale, advanced: 2,500\n"
    done = await post_form(admin, "/targets", "/targets", form | {"cells": cells})
    assert done.status_code == 303, done.text
    targets = await stack.api(stack.commitments, "GET", "/partnership-targets", await stack.token())
    [split] = [t for t in targets["items"] if t["title"] == "Women in advanced digital skills"]
    assert split["cells"] == [
        {"level": "advanced", "country": "RO", "gender": None, "value": 4000},
        {"level": "advanced", "country": None, "gender": "female", "value": 2500},
    ]
