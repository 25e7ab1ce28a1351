"""Sums kept in lanes, so that instances in one consumer group never write the same
document (docs/scaling.md). A batch of the progress topic adds its deltas to the lane of the
instance that took it: the lowest partition of the topic the instance holds. Lane 0 (the
holder of partition 0, every batch when one instance runs, and every unit of work that does
not come from the progress topic) writes the document named by the key itself, as before
lanes; lane n writes `<key>#<n>`, which also names its key (`lane_of`). A partition has one
holder, so no two instances write one lane (a batch taken just before a rebalance may
conflict once, and is retried); a key has at most as many documents as the topic has
partitions, and what a lane holds stays in it after its instance is gone.

Whoever reads a sum reads every lane of its key and adds them up (`summed`): the counts are
added; the fields that name a document are the same in every lane."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from monitoring.core.domain.ownership import Held
from pact_common.kafka import key_hash

Doc = dict[str, Any]
#: on a lane's document: the key whose sum it is part of (indexed)
LANE_OF = "lane_of"
#: numbers that name a document rather than count (the year of a year row, of a sketch)
NAMING = frozenset({"year"})


def laned(key: str, lane: int) -> str:
    """The _id of `key`'s document in `lane`."""
    return f"{key}#{lane}" if lane else key


def naming(key: str, lane: int) -> Doc:
    """What a lane's document holds besides its counts to name its key."""
    return {LANE_OF: key} if lane else {}


def of_keys(keys: Collection[str]) -> Doc:
    """A query for every lane of `keys`."""
    listed = list(keys)
    return {"$or": [{"_id": {"$in": listed}}, {LANE_OF: {"$in": listed}}]}


def key_of(doc: Doc) -> str:
    """The key a document (of any lane) is part of the sum of."""
    key: str = doc[LANE_OF] if LANE_OF in doc else doc["_id"]
    return key


async def sums_of(collection: Any, keys: Collection[str], **kw: Any) -> dict[str, Doc]:
    """`keys`' sums in `collection`, each its lanes added up (`kw`: the find's, a session)."""
    return by_key(await collection.find(of_keys(keys), **kw).to_list())


def summed(docs: Iterable[Doc], *, gone: Callable[[Doc], bool] | None = None) -> list[Doc]:
    """One document per key, in the order its first lane came: the lanes' counts added
    (every number but those NAMING), named by the key; a sum `gone` says is empty is left
    out, as a document whose count fell to 0 is deleted."""
    out: dict[str, Doc] = {}
    for doc in docs:
        key = key_of(doc)
        have = out.get(key)
        if have is None:
            have = out[key] = {k: v for k, v in doc.items() if k != LANE_OF}
            have["_id"] = key
            continue
        for name, value in doc.items():
            if name not in NAMING and _number(value) and _number(have.get(name, 0)):
                have[name] = have.get(name, 0) + value
    return [doc for doc in out.values() if gone is None or not gone(doc)]


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def by_key(docs: Iterable[Doc], **kw: Any) -> dict[str, Doc]:
    return {doc["_id"]: doc for doc in summed(docs, **kw)}


#: on a commitment's head: its partner's hash (pact_common.kafka.key_hash), whose partition
#: takes its reports
KEY_HASH = "key_hash"


def held_heads(held: Held) -> Doc:
    """A query for the heads whose partner's partition is `held` (ownership.py), so that
    each instance sweeps what it takes the reports of. A head stored before heads kept the
    hash is every instance's (two may sweep it: a write conflict at worst)."""
    if held.everything:
        return {}
    mine = ({KEY_HASH: {"$mod": [held.count, p]}} for p in sorted(held.partitions))
    return {"$or": [{KEY_HASH: {"$exists": False}}, *mine]}


#: what of an alert says whose its subject is
SUBJECT = {"subject_key": 1, "subject_type": 1, "subject_id": 1, "partner_id": 1}


async def held_subjects(alerts: Any, limit: int, held: Held) -> list[str]:
    """The subjects `held` owns (`held_subject`) of these alerts (a cursor), up to `limit`:
    the others' are read past, however many come first, and left to their instances; read
    in batches sized to hold about `limit` of its own."""
    batch = limit if held.everything else -(-limit * held.count // max(1, len(held.partitions)))
    mine: set[str] = set()
    async with alerts.batch_size(batch) as cursor:
        async for doc in cursor:
            if held_subject(doc, held):
                mine.add(doc["subject_key"])
                if len(mine) >= limit:
                    break
    return sorted(mine)


def held_subject(alert: Doc, held: Held) -> bool:
    """Whether an alert's subject is `held`'s: a commitment by its partner's partition (as
    `held_heads`), a partnership target by its own (Held.owns)."""
    if held.everything:
        return True
    if alert.get("subject_type") == "partnership_target":
        return held.owns(str(alert["subject_id"]))
    partner = alert.get("partner_id")
    return partner is None or held.holds(key_hash(partner))
