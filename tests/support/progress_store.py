"""Reading monitoring's stored progress as the progress answers do: a commitment's head with
its cells by period (`periods`) and its series (monitoring.core.adapters.documents.read_doc)."""

from __future__ import annotations

from typing import Any

from monitoring.core.adapters.documents import read_doc

Doc = dict[str, Any]


async def stored_progress(db: Any, commitment_id: str, **head: Any) -> Doc | None:
    """The commitment's head (matching `head` too) with its cells; None if there is none."""
    found = await db["commitments"].find_one({"_id": commitment_id, **head})
    if found is None:
        return None
    cells = await db["periods"].find({"commitment_id": commitment_id}).to_list()
    return read_doc(found, cells)


async def stored_cells(db: Any) -> dict[str, dict[str, Doc]]:
    """commitment_id -> period -> cell, for every commitment with a reported period."""
    out: dict[str, dict[str, Doc]] = {}
    async for cell in db["periods"].find({}):
        out.setdefault(cell["commitment_id"], {})[cell["period"]] = cell
    return out
