"""The views kept apart (domain/view_journal.py), in MongoDB: the journal the hot path writes
(`view_journal`, a document per unit of work holding its entries, read oldest first by
`_id`) and what the keeper keeps per commitment (`view_states`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import DeleteOne, ReplaceOne, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from monitoring.core.adapters import fault_pause
from monitoring.core.adapters.documents import (
    commitment_fields,
    commitment_from,
    commitment_of,
    figures_doc,
    figures_from,
)
from monitoring.core.adapters.figured import figured_doc, figured_from, figured_years_doc
from monitoring.core.adapters.repository import CELLS, COMMITMENTS, _Repo
from monitoring.core.domain import buckets, years
from monitoring.core.domain.model import Figures
from monitoring.core.domain.view_journal import Entry, Move, State
from monitoring.core.service_layer.view_ports import ViewJournal, ViewStates
from pact_common.mongo import create_collections

JOURNAL, STATES, MODE = "view_journal", "view_states", "views_mode"
#: entries per journal document: a batch of thousands in several, each well under MongoDB's
#: 16 MB (an entry is about a kilobyte; one after a new definition holds every period)
PER_DOCUMENT = 200
Db = AsyncDatabase[dict[str, Any]]
Doc = dict[str, Any]


async def ensure_indexes(db: Db, apart: bool | None = None) -> None:
    """Made before any transaction writes them (two instances' first batches would each
    create the journal in theirs, and the second to commit would fail). `apart`: how this
    instance keeps the views, which must be how the database keeps them (KeptOtherWay)."""
    await create_collections(db, {JOURNAL, STATES})
    if apart is not None:
        await _kept_one_way(db, apart)


class KeptOtherWay(RuntimeError):
    """A database keeps its views one way from its start: kept inline, its heads hold what
    the keeper would otherwise keep, and the other way would count them again."""


async def _kept_one_way(db: Db, apart: bool) -> None:
    way = {
        True: "apart (MONITORING_VIEWS_APART=true)",
        False: "inline (MONITORING_VIEWS_APART=false)",
    }
    found = await db[MODE].find_one({"_id": "views"})
    if found is None:
        if apart and await db[COMMITMENTS].find_one({}, {"_id": 1}) is not None:
            found = {"apart": False}  # stored before the views could be kept apart
        else:
            await db[MODE].update_one(
                {"_id": "views"}, {"$setOnInsert": {"apart": apart}}, upsert=True
            )
            found = await db[MODE].find_one({"_id": "views"}) or {"apart": apart}
    if found["apart"] != apart:
        raise KeptOtherWay(
            f"database {db.name} keeps its views {way[found['apart']]}, not {way[apart]}: "
            "set MONITORING_VIEWS_APART as the database keeps them (one written unset before "
            "apart became the default, on 2026-12-07, keeps them inline); or, with every "
            "instance stopped, make an inline one keep them apart in place (python -m "
            "monitoring.keeper.adopt); or rebuild into a new database (python -m "
            "monitoring.rebuild) with the setting wanted"
        )


async def adopt(db: Db, batch: int = 500) -> int:
    """Make a database that keeps its views inline keep them apart, in place, with every
    monitoring instance and keeper stopped (`python -m monitoring.keeper.adopt`): each head
    gives the keeper's state of its commitment (what its views counted: its definition,
    periods, totals, scopes and periods with figures per year; none of its entries
    replayed yet) and keeps only what a head kept apart keeps; then the database is marked
    apart. The views' counters stay as they are: they are what the states say they
    counted. Idempotent (a head adopted already is left alone): run it again after a
    failure. Returns how many heads it adopted."""
    mode = await db[MODE].find_one({"_id": "views"})
    if mode is not None and mode["apart"]:
        return 0
    adopted, after = 0, ""
    while heads := await _inline_heads(db, after, batch):
        partial = [h["_id"] for h in heads if "scoped" not in h or "figured" not in h]
        cells: dict[str, list[Doc]] = {}
        if partial:  # heads that do not say what their views counted: read from their cells
            async for cell in db[CELLS].find({"commitment_id": {"$in": partial}}):
                cells.setdefault(cell["commitment_id"], []).append(cell)
        states = []
        for head in heads:
            p = commitment_from(head, cells.get(head["_id"]), complete=head["_id"] in partial)
            figured = p.figured if p.figured is not None else years.figured(p)
            kept = State(p.commitment, tuple(p.marks_), p.totals, buckets.extras(p), figured, 0)
            states.append(state_doc(kept))
        await db[STATES].bulk_write([ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in states])
        apart = {"$set": {"journaled": 0}, "$unset": {"scoped": "", "figured": ""}}
        await db[COMMITMENTS].bulk_write([UpdateOne({"_id": h["_id"]}, apart) for h in heads])
        adopted, after = adopted + len(heads), heads[-1]["_id"]
    await db[MODE].update_one({"_id": "views"}, {"$set": {"apart": True}}, upsert=True)
    return adopted


async def _inline_heads(db: Db, after: str, limit: int) -> list[Doc]:
    """The next heads kept inline (no `journaled`), by id after `after`."""
    query = {"journaled": {"$exists": False}, "_id": {"$gt": after}}
    return await db[COMMITMENTS].find(query).sort("_id").limit(limit).to_list()


def _figures(f: Figures | None) -> Doc | None:
    return None if f is None else figures_doc(f)


def _figures_of(doc: Doc | None) -> Figures | None:
    return None if doc is None else figures_from(doc)


def entry_doc(e: Entry) -> Doc:
    doc: Doc = {
        "commitment_id": e.commitment_id,
        "seq": e.seq,
        "moves": [[m.period, _figures(m.old), _figures(m.new)] for m in e.moves],
    }
    if e.commitment is not None:
        doc["commitment"] = commitment_fields(e.commitment)
    if e.cells is not None:
        doc["cells"] = {q: figures_doc(f) for q, f in e.cells.items()}
    return doc


def entry_from(doc: Doc) -> Entry:
    c, cells = doc.get("commitment"), doc.get("cells")
    return Entry(
        doc["commitment_id"],
        doc["seq"],
        tuple(Move(q, _figures_of(old), _figures_of(new)) for q, old, new in doc["moves"]),
        None if c is None else commitment_of(c),
        None if cells is None else {q: figures_from(f) for q, f in cells.items()},
    )


def state_doc(s: State) -> Doc:
    return {
        "_id": s.commitment.id,
        "seq": s.seq,
        "commitment": commitment_fields(s.commitment),
        "periods": list(s.periods),
        "totals": figures_doc(s.totals),
        "scoped": {q: list(more) for q, more in s.extra.items()},
        "figured": figured_years_doc({y: dict(scopes) for y, scopes in s.figured.items()}),
    }


def state_changes(before: State, after: State) -> Doc:
    """The update that makes `before`'s document (state_doc) `after`'s, writing only what
    changed: a round moves a period or two of a state that holds every period's scopes."""
    sets: Doc = {"seq": after.seq}
    update: Doc = {"$set": sets}
    if after.commitment != before.commitment:
        sets["commitment"] = commitment_fields(after.commitment)
    n = len(before.periods)
    if after.periods[:n] != before.periods:
        sets["periods"] = list(after.periods)
    elif len(after.periods) > n:
        update["$push"] = {"periods": {"$each": list(after.periods[n:])}}
    if after.totals != before.totals:
        sets["totals"] = figures_doc(after.totals)
    unset: Doc = {}
    _keys_changed("scoped", after.extra, before.extra, list, sets, unset)
    _keys_changed("figured", after.figured, before.figured, figured_doc, sets, unset)
    if unset:
        update["$unset"] = unset
    return update


def _keys_changed(
    field: str, now: Mapping[Any, Any], was: Mapping[Any, Any], doc: Callable[[Any], Any],
    sets: Doc, unset: Doc,
) -> None:  # fmt: skip
    for key, value in now.items():
        if was.get(key) != value:
            sets[f"{field}.{key}"] = doc(value)
    for key in was.keys() - now.keys():
        unset[f"{field}.{key}"] = ""


def state_from(doc: Doc) -> State:
    return State(
        commitment_of(doc["commitment"]),
        tuple(doc["periods"]),
        figures_from(doc["totals"]),
        {q: tuple(more) for q, more in doc["scoped"].items()},
        figured_from(doc["figured"]) or {},
        doc["seq"],
    )


class MongoViewJournal(_Repo, ViewJournal):
    def __init__(self, db: Db, session: AsyncClientSession) -> None:
        super().__init__(db, session)
        #: the documents read, by id: their entries' documents (a document is removed once
        #: every entry it holds is; until then it keeps those that wait)
        self._read: dict[Any, list[Doc]] = {}

    async def add(self, entries: Sequence[Entry], at: datetime) -> None:
        docs = [
            {"at": at, "entries": [entry_doc(e) for e in entries[i : i + PER_DOCUMENT]]}
            for i in range(0, len(entries), PER_DOCUMENT)
        ]
        if docs:
            await self._db[JOURNAL].insert_many(docs, session=self._session)

    async def oldest(self, limit: int) -> list[Entry]:
        cursor = self._db[JOURNAL].find({}, session=self._session, batch_size=16).sort("_id")
        out: list[Entry] = []
        async for doc in cursor:
            self._read[doc["_id"]] = doc["entries"]
            out += map(entry_from, doc["entries"])
            if len(out) >= limit:
                break
        await cursor.close()
        return out

    async def remove(self, entries: Iterable[Entry]) -> None:
        gone = {(e.commitment_id, e.seq) for e in entries}
        ops: list[Any] = []
        for doc_id, docs in self._read.items():
            left = [d for d in docs if (d["commitment_id"], d["seq"]) not in gone]
            if not left:
                ops.append(DeleteOne({"_id": doc_id}))
            elif len(left) < len(docs):
                ops.append(UpdateOne({"_id": doc_id}, {"$set": {"entries": left}}))
        await self._write(JOURNAL, ops)


class MongoViewStates(_Repo, ViewStates):
    def __init__(self, db: Db, session: AsyncClientSession) -> None:
        super().__init__(db, session)
        self._read: dict[str, State] = {}  # as stored, for save_many to write what changed

    async def get_many(
        self, commitment_ids: Iterable[str], known: Mapping[str, State] | None = None
    ) -> dict[str, State]:
        whole = list(commitment_ids)
        found: dict[str, State] = {}
        if known:  # of those remembered at the seq stored, only the seq is read
            stored = await self._find(STATES, {"_id": {"$in": whole}}, projection={"seq": 1})
            seqs = {doc["_id"]: doc["seq"] for doc in stored}
            found = {i: s for i in seqs if (s := known.get(i)) is not None and s.seq == seqs[i]}
            whole = [i for i in seqs if i not in found]
        for doc in await self._find(STATES, {"_id": {"$in": whole}}):
            found[doc["_id"]] = state_from(doc)
        self._read.update(found)
        return found

    async def save_many(self, states: Iterable[State]) -> None:
        ops: list[Any] = []
        ids = []
        for s in states:
            ids.append(i := s.commitment.id)
            if (before := self._read.get(i)) is None:
                ops.append(ReplaceOne({"_id": i}, state_doc(s), upsert=True))
            else:
                ops.append(UpdateOne({"_id": i}, state_changes(before, s)))
        await self._write(STATES, ops)
        await fault_pause.hold_transaction(states=ids)
