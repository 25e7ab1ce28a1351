"""Learners sketches (Apache DataSketches HLL) read off reports, merged, and stored: the
union per commitment, partner, partnership and partner-in-partnership and year (one
document per union, `learner_sketches`), merged once per key and batch on the hot path."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from typing import Any

from bson import Binary
from datasketches import hll_sketch, hll_union  # type: ignore[import-untyped]
from pymongo import ReplaceOne

from monitoring.core.adapters import lanes
from monitoring.core.adapters.repository import SKETCHES, _Repo
from monitoring.core.domain.learners import NOBODY, Unique
from monitoring.core.service_layer import unit_of_work as ports
from pact_contracts.progress import LEARNERS_SKETCH_LG_K, MAX_LEARNERS_SKETCH_BYTES

#: the sketch's error bounds: 2 standard deviations (about 95%)
STD_DEVS = 2


def read_sketch(text: str | None) -> tuple[bytes | None, str | None]:
    """A report's learners_sketch as bytes, or why it cannot be taken."""
    if text is None:
        return None, None
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None, "learners_sketch is not base64"
    if len(raw) > MAX_LEARNERS_SKETCH_BYTES:
        return None, (
            f"learners_sketch is {len(raw):,} bytes decoded; at most "
            f"{MAX_LEARNERS_SKETCH_BYTES:,} are taken (an HLL sketch of lg_k "
            f"{LEARNERS_SKETCH_LG_K} is far smaller)"
        )
    try:
        sketch = hll_sketch.deserialize(raw)
    except (ValueError, RuntimeError, TypeError) as exc:
        return None, f"learners_sketch is not a DataSketches HLL sketch: {exc}"
    if sketch.lg_config_k != LEARNERS_SKETCH_LG_K:
        return None, (
            f"learners_sketch has lg_k {sketch.lg_config_k}; sketches of lg_k "
            f"{LEARNERS_SKETCH_LG_K} are merged here"
        )
    return raw, None


def union(parts: Iterable[bytes]) -> bytes:
    merged = hll_union(LEARNERS_SKETCH_LG_K)
    for part in parts:
        merged.update(hll_sketch.deserialize(part))
    return bytes(merged.get_result().serialize_compact())


def unique(sketch: bytes | None) -> Unique:
    if sketch is None:
        return NOBODY
    s = hll_sketch.deserialize(sketch)
    return Unique(s.get_estimate(), s.get_lower_bound(STD_DEVS), s.get_upper_bound(STD_DEVS))


def sketches_of(docs: Iterable[dict[str, Any]]) -> dict[str, bytes]:
    """Each key's sketch: the union of its lanes' (lanes.py)."""
    parts: dict[str, list[bytes]] = {}
    for doc in docs:
        parts.setdefault(lanes.key_of(doc), []).append(bytes(doc["sketch"]))
    return {key: got[0] if len(got) == 1 else union(got) for key, got in parts.items()}


class MongoLearnerSketches(_Repo, ports.LearnerSketchRepository):
    """Each union in the unit of work's lane (lanes.py): a lane's document is the union of
    what the batches of that lane brought."""

    lane = 0

    async def merge(self, additions: Mapping[str, list[bytes]]) -> None:
        if not additions:
            return
        ids = {lanes.laned(key, self.lane): key for key in additions}
        have = {
            ids[doc["_id"]]: bytes(doc["sketch"])
            for doc in await self._find(SKETCHES, {"_id": {"$in": sorted(ids)}})
        }
        ops = []
        for key, parts in sorted(additions.items()):
            scope, subject, year = key.split("/")
            sketch = union([have[key], *parts] if key in have else parts)
            doc: dict[str, Any] = {"_id": lanes.laned(key, self.lane), "scope": scope}
            doc["subject"] = subject
            doc |= {"year": int(year), "sketch": Binary(sketch)} | lanes.naming(key, self.lane)
            ops.append(ReplaceOne({"_id": doc["_id"]}, doc, upsert=True))
        await self._db[SKETCHES].bulk_write(ops, ordered=True, session=self._session)
