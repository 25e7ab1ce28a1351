"""The views kept apart (domain/view_journal.py), on the real mongod: the hot path writes
the journal and none of the views' counters; the keeper, in transactions of a few entries
and then as its own process (`python -m monitoring.keeper`), replays it to the end; every
view then answers as the views kept inline do for the same reports and definition
changes. A database keeps its views one way: an instance set the other way is refused."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from monitoring.core.adapters import view_journal
from monitoring.core.adapters.view_journal import MongoViewStates
from monitoring.core.domain.model import Figures
from monitoring.core.domain.view_journal import State
from monitoring.core.service_layer.keeper import KnownStates, drain, keep_views
from monitoring.keeper.__main__ import APP_NAME as KEEPER
from pact_common.mongo import Mongo
from tests.conftest import MONGO_URL
from tests.integration.monitoring.test_lanes import (
    fresh,
    same_answers,
    stream,
    take,
    uow,
)
from tests.support.infra import open_transactions, transaction_lifetime
from tests.support.kafka import wait_until
from tests.support.stack import free_port
from tests.unit.monitoring.builders import NOW, commitment

pytestmark = pytest.mark.integration

COUNTERS = ("buckets", "scope_partners", "years", "year_partners", "year_counts")


async def entries(mongo: Mongo) -> int:
    """The journal's entries (a document per unit of work holds its entries)."""
    return sum([len(doc["entries"]) async for doc in mongo.db["view_journal"].find()])


def keeper_env(db: str, **more: str) -> dict[str, str]:
    return os.environ | {"MONITORING_MONGO_URL": MONGO_URL, "MONITORING_MONGO_DB": db,
                         "MONITORING_ENVIRONMENT": "development"} | more  # fmt: skip


async def start_keeper(env: dict[str, str], **pipes: Any) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "monitoring.keeper", env=env, **pipes
    )


async def stop_keeper(keeper: asyncio.subprocess.Process) -> int:
    """SIGTERM, unless it has stopped already: its exit code."""
    if keeper.returncode is None:
        keeper.send_signal(signal.SIGTERM)
    return await asyncio.wait_for(keeper.wait(), 30)


async def kept_to_the_end(
    keeper: asyncio.subprocess.Process, mongo: Mongo, seconds: float = 60.0
) -> int:
    """Wait (`seconds` at most) for the keeper process to empty the journal, then stop it."""
    try:
        for _ in range(int(seconds * 10)):
            if keeper.returncode is not None or not await entries(mongo):
                break  # emptied, or it stopped on its own: a failure
            await asyncio.sleep(0.1)
    finally:
        code = await stop_keeper(keeper)
    return code


@contextlib.asynccontextmanager
async def both_ways(
    db_name: str, seed: int, lanes: Sequence[int]
) -> AsyncIterator[tuple[Mongo, Mongo]]:
    """The same reports and definition changes taken into two databases: the views kept
    inline (lane 0), and apart (batches in `lanes`, the journal not replayed yet)."""
    reports = stream(seed)
    async with fresh(db_name, "inline", "apart") as (inline, apart):
        await view_journal.ensure_indexes(apart.db, apart=True)
        await take(inline, reports, [0])
        await take(apart, reports, lanes, apart=True)
        print(f"\n{len(reports)} reports taken both ways")
        yield inline, apart


async def test_views_kept_apart_answer_as_views_kept_inline(
    db_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with both_ways(db_name, 11, [0, 2, 3, 2]) as (inline, apart):
        journal = await entries(apart)
        written = {name: await apart.db[name].count_documents({}) for name in COUNTERS}
        heads = await apart.db["commitments"].find().to_list()
        print(f"{journal} journal entries; counters {written}")
        assert journal > len(heads) and not any(written.values())
        assert all(h["journaled"] >= 1 and "scoped" not in h and "figured" not in h for h in heads)

        # a keeper that fails after writing the deltas, before removing what it replayed:
        # its transaction leaves nothing behind, and the entries are replayed once later
        async def fail(self: Any, states: Any) -> None:
            raise RuntimeError("the keeper stopped here")

        with monkeypatch.context() as patched, pytest.raises(RuntimeError, match="stopped here"):
            patched.setattr(MongoViewStates, "save_many", fail)
            await keep_views(uow(apart, apart=True), 3, NOW)
        after = {name: await apart.db[name].count_documents({}) for name in COUNTERS}
        print("after a failed replay: counters", after)
        assert after == written and await entries(apart) == journal

        replayed = [await keep_views(uow(apart, apart=True), 3, NOW) for _ in range(2)]
        left = await entries(apart)
        print("replayed in two transactions of 3 or more:", replayed, "left:", left)
        assert min(replayed) >= 3 and left == journal - sum(replayed) > 0

        env = keeper_env(apart.db.name, MONITORING_VIEWS_APART="1", MONITORING_KEEPER_BATCH="4")
        code = await kept_to_the_end(await start_keeper(env), apart)
        print("the keeper process left the journal empty and stopped with", code)
        assert code == 0 and not await entries(apart)
        assert not await apart.db["view_journal"].count_documents({})
        states = await apart.db["view_states"].count_documents({})
        assert states == len(heads)

        # a database keeps its views one way: the other is refused, naming the setting
        for db, other in ((apart.db, False), (inline.db, True)):
            with pytest.raises(view_journal.KeptOtherWay, match="MONITORING_VIEWS_APART"):
                await view_journal.ensure_indexes(db, other)

        got = await same_answers(inline, apart)
        assert got["years"] == [2025, 2026]
        # the keeper process wrote the states it remembered as what changed of them: each
        # holds the scopes and years with figures that the inline head of its commitment holds
        heads_inline = {h["_id"]: h for h in await inline.db["commitments"].find().to_list()}
        for state in await apart.db["view_states"].find().to_list():
            head = heads_inline[state["_id"]]
            assert state["scoped"] == head["scoped"] and state["figured"] == head["figured"]


async def test_the_keeper_idles_while_the_views_are_kept_inline(
    db_name: str, tmp_path: Path
) -> None:
    """`make run` starts the keeper either way: with the views kept inline it touches
    nothing but its heartbeat file (a container's healthcheck) and waits to be stopped. It
    runs at a lower CPU priority than what started it (KeeperSettings.keeper_nice, 10)."""
    alive = tmp_path / "alive"
    env = keeper_env(db_name, MONITORING_VIEWS_APART="0", MONITORING_LOG_JSON="true",
                     MONITORING_KEEPER_HEARTBEAT_FILE=str(alive))  # fmt: skip
    pipes = {"stdout": asyncio.subprocess.PIPE, "stderr": asyncio.subprocess.STDOUT}
    keeper = await start_keeper(env, **pipes)
    assert keeper.stdout is not None
    said = b""
    with contextlib.suppress(TimeoutError):  # its line comes once its signal handlers are set
        async with asyncio.timeout(60):
            while b"nothing to keep" not in said and not keeper.stdout.at_eof():
                said += await keeper.stdout.readline()
    await asyncio.sleep(0.5)  # idling, not on its way out
    running, beating = keeper.returncode is None, alive.exists()
    ours, its = os.getpriority(os.PRIO_PROCESS, 0), os.getpriority(os.PRIO_PROCESS, keeper.pid)
    code = await stop_keeper(keeper)
    said += await keeper.stdout.read()
    print("\nthe keeper said:", said.decode().strip(), "and stopped with", code)
    print("niceness: ours", ours, "the keeper's", its)
    assert running and beating and code == 0 and b"nothing to keep" in said
    assert its == min(ours + 10, 19)
    mongo = Mongo(MONGO_URL, db_name)
    try:
        assert await mongo.db.list_collection_names() == []  # it wrote nothing there
    finally:
        await mongo.close()


async def test_a_keeper_killed_mid_transaction_leaves_nothing_behind(
    db_name: str, tmp_path: Path
) -> None:
    """kill -9 while the keeper's transaction holds the counters and its states written, the
    entries not yet removed (its test-only pause point, adapters/fault_pause.py): nothing of
    it is seen; the next keeper replays those entries once (the killed one's transaction
    aborted by mongod, its write conflicts retried meanwhile) and every view answers as
    inline."""
    async with both_ways(db_name, 5, [0, 2]) as (inline, apart):
        journal = await entries(apart)
        armed, held = tmp_path / "pause", tmp_path / "pause.held"
        armed.touch()
        env = keeper_env(apart.db.name, MONITORING_VIEWS_APART="1", MONITORING_KEEPER_BATCH="4",
                         MONITORING_FAULT_PAUSE_FILE=str(armed))  # fmt: skip
        keeper = await start_keeper(env)
        try:
            for _ in range(600):
                if held.exists() or keeper.returncode is not None:
                    break
                await asyncio.sleep(0.1)
            holding = json.loads(held.read_text())["states"]
            seen = {name: await apart.db[name].count_documents({}) for name in COUNTERS}
            states = await apart.db["view_states"].count_documents({})
            in_flight = await open_transactions(apart.client, appName=KEEPER)
            print(f"held: states of {len(holding)} commitments written, {in_flight} transaction"
                  f" open; seen outside: counters {seen}, {states} states")  # fmt: skip
            assert holding and in_flight >= 1
            assert not any(seen.values()) and not states and await entries(apart) == journal
        finally:
            if keeper.returncode is None:
                keeper.kill()
            killed = await asyncio.wait_for(keeper.wait(), 30)
            armed.unlink()
        assert killed == -signal.SIGKILL
        started = time.monotonic()  # mongod aborts the killed one's transaction meanwhile
        budget = 60 + await transaction_lifetime(apart.client)
        code = await kept_to_the_end(await start_keeper(env), apart, budget)
        print(f"killed ({killed}); the next keeper emptied the journal of {journal} entries in"
              f" {time.monotonic() - started:.1f} s and stopped with {code}")  # fmt: skip
        assert code == 0 and not await entries(apart)
        await same_answers(inline, apart)


async def test_a_journal_read_newest_first_is_still_replayed_to_its_end(db_name: str) -> None:
    """Entries that wait for ones written after them (another instance's, its clock behind)
    do not stall the keeper: when nothing it read can be replayed, it reads further."""
    async with both_ways(db_name, 3, [0]) as (inline, apart):
        docs = await apart.db["view_journal"].find().sort("_id").to_list()
        await apart.db["view_journal"].delete_many({})
        for doc in reversed(docs):  # the newest entries now read first
            del doc["_id"]
            await apart.db["view_journal"].insert_one(doc)
        journal, rounds = await entries(apart), []
        while n := await keep_views(uow(apart, apart=True), 1, NOW):
            rounds.append(n)
        print(f"{journal} entries in {len(docs)} documents, newest first: replayed", rounds)
        assert sum(rounds) == journal and not await entries(apart)
        await same_answers(inline, apart)


async def test_keepers_taking_turns_read_whole_what_the_other_moved_on(db_name: str) -> None:
    """Two keepers taking their first rounds in turn (a restart overlapping the keeper
    before it), then the first alone: each remembers the states it kept (KnownStates, the
    second a single state), and the other's rounds move them on behind its back; a state
    whose stored seq moved is read whole (remembered as it was, its commitment's entries
    would never follow it), and every view answers as the views kept inline."""
    async with both_ways(db_name, 9, [0]) as (inline, apart):
        journal, keepers, rounds = await entries(apart), (KnownStates(100), KnownStates(1)), []
        while n := await keep_views(
            uow(apart, apart=True), 2, NOW, keepers[len(rounds) % 2 if len(rounds) < 4 else 0]
        ):
            rounds.append(n)
        print(f"{journal} entries replayed by two keepers in turn:", rounds,
              "states remembered:", [len(k) for k in keepers])  # fmt: skip
        assert sum(rounds) == journal and len(rounds) >= 4 and not await entries(apart)
        assert len(keepers[0]) > 1 and len(keepers[1]) == 1
        await same_answers(inline, apart)


async def test_a_state_is_written_as_what_changed_of_it(db_name: str) -> None:
    """The keeper writes a state it read as an update of what changed (state_changes): on
    mongod, each update leaves the document a whole write would, through periods added,
    periods redone, scopes and years gone, a new definition and the same state again."""
    c = commitment("c-kept")
    first = State(
        c,
        ("2026-Q1", "2026-Q2"),
        Figures(people_trained=5),
        {"2026-Q1": ("country:IT",), "2026-Q2": ("level:basic", "country:ES")},
        {2025: {"country:DE": 1}, 2026: {"country:DE": 2, "country:IT": 1}},
        3,
    )
    states = [
        first,
        replace(first, periods=(*first.periods, "2026-Q3", "2026-Q4"), seq=4),  # pushed
        replace(first, periods=("2026-Q2",), extra={"2026-Q2": ("level:basic",)},
                figured={2026: {"country:DE": 1}}, totals=Figures(people_trained=9), seq=7),
        replace(first, commitment=replace(c, version=2, countries=("PT",)), extra={}, seq=8),
        replace(first, seq=9),
    ]  # fmt: skip
    async with fresh(db_name, "states") as (mongo,):
        kept = mongo.db["view_states"]
        await kept.insert_one(view_journal.state_doc(states[0]))
        for before, after in itertools.pairwise(states):
            update = view_journal.state_changes(before, after)
            await kept.update_one({"_id": c.id}, update)
            stored = await kept.find_one({"_id": c.id})
            print(sorted(update.get("$set", {})), update.get("$push"), update.get("$unset"))
            assert stored == view_journal.state_doc(after)
            assert view_journal.state_from(stored) == after


def scraped(text: str) -> dict[str, float]:
    """A Prometheus page's samples by name, with its labels as `{name=value}` if any."""
    return {
        s.name + "".join(f"{{{k}={v}}}" for k, v in s.labels.items()): s.value
        for f in text_string_to_metric_families(text)
        for s in f.samples
    }


async def test_the_keeper_says_how_far_the_views_are_behind(db_name: str) -> None:
    """`MONITORING_KEEPER_METRICS_PORT`: the keeper's /metrics counts the entries it
    replayed and gives the age of the oldest entry left after its round: here one that
    waits for an earlier entry never written, 90 s old, until it is gone. It counts the
    states its rounds read, remembered or read whole (those kept before it started)."""
    async with both_ways(db_name, 5, [0]) as (_, apart):
        await keep_views(uow(apart, apart=True), 4, NOW)  # states the process never kept
        journal = await entries(apart)
        stored = {d["_id"] async for d in apart.db["view_states"].find({}, {"_id": 1})}
        coming = {e["commitment_id"] async for d in apart.db["view_journal"].find()
                  for e in d["entries"]}  # fmt: skip
        waits = {"commitment_id": "c-waits", "seq": 2, "moves": []}
        written = datetime.now(UTC) - timedelta(seconds=90)
        await apart.db["view_journal"].insert_one({"at": written, "entries": [waits]})
        port = free_port()
        env = keeper_env(apart.db.name, MONITORING_VIEWS_APART="1", MONITORING_KEEPER_BATCH="4",
                         MONITORING_KEEPER_METRICS_PORT=str(port))  # fmt: skip
        keeper = await start_keeper(env)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:

                async def metrics(ready: Callable[[dict[str, float]], bool]) -> dict[str, float]:
                    async def now() -> dict[str, float] | None:
                        try:
                            found = scraped((await http.get("/metrics")).text)
                        except httpx.TransportError:
                            return None  # not serving yet
                        return found if ready(found) else None

                    found: dict[str, float] = await wait_until(now, timeout=60)
                    return found

                def kept(m: dict[str, float]) -> bool:
                    return m.get("pact_views_replayed_total") == journal

                waiting = await metrics(lambda m: kept(m) and m["pact_views_behind_seconds"] > 0)
                print(f"\n{journal} entries replayed; one left, behind by",
                      waiting["pact_views_behind_seconds"], "s")  # fmt: skip
                assert 90 <= waiting["pact_views_behind_seconds"] < 150
                assert await entries(apart) == 1
                await apart.db["view_journal"].delete_many({})
                caught_up = await metrics(lambda m: m["pact_views_behind_seconds"] == 0)
                print("none left: behind by", caught_up["pact_views_behind_seconds"], "s")
                assert caught_up["pact_views_replayed_total"] == journal
                assert caught_up["pact_keeper_rounds_failed_total"] == 0
                # the states kept before it started, read whole; in rounds of 4 entries a
                # commitment comes back: remembered, only its seq read
                remembered = caught_up["pact_keeper_states_total{how=remembered}"]
                whole = caught_up["pact_keeper_states_total{how=read whole}"]
                print(f"states remembered {remembered}, read whole {whole}; kept before and"
                      f" replayed again: {len(stored & coming)}")  # fmt: skip
                assert whole == len(stored & coming) > 0 and remembered > 0
        finally:
            assert await stop_keeper(keeper) == 0


async def test_a_database_kept_inline_adopted_keeps_its_views_apart(db_name: str) -> None:
    """`python -m monitoring.keeper.adopt` after three batches of five kept inline (the two
    definition changes among them, so c-3 already reports in scopes beyond its own): the
    rest kept apart, the journal replayed to its end, and every counter equals, document
    for document, a database's kept inline all along, and every view answers the same.
    Adopting with a state's periods, scopes or periods with figures per year left empty
    fails it (checked)."""
    reports, switched = stream(7), False

    async def adopt_now(adopted: Mongo) -> None:
        nonlocal switched
        run = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "monitoring.keeper.adopt", env=keeper_env(adopted.db.name)
        )
        assert await run.wait() == 0
        heads = await adopted.db["commitments"].find().to_list()
        states = await adopted.db["view_states"].count_documents({})
        print(f"\nadopted after three batches: {len(heads)} heads, {states} states")
        assert states == len(heads) > 0
        assert all(h["journaled"] == 0 and "scoped" not in h and "figured" not in h for h in heads)
        switched = True

    async with fresh(db_name, "inline", "adopted") as (inline, adopted):
        for mongo in (inline, adopted):
            await view_journal.ensure_indexes(mongo.db, apart=False)  # as a service starting
        await take(inline, reports, [0])
        midway = partial(adopt_now, adopted)
        await take(adopted, reports, [0], lambda: switched, midway=midway, midway_at=3)
        journal = await entries(adopted)
        print(f"{len(reports)} reports taken; {journal} journal entries after the adoption")
        assert switched and journal > 0
        assert await view_journal.adopt(adopted.db) == 0  # kept apart now: nothing to do
        with pytest.raises(view_journal.KeptOtherWay, match="MONITORING_VIEWS_APART=false"):
            await view_journal.ensure_indexes(adopted.db, apart=False)
        replayed = await drain(lambda: uow(adopted, apart=True), 4, NOW)
        assert replayed == journal and not await entries(adopted)
        for name in COUNTERS:  # document for document: all of lane 0 (one lane took them)
            want = await inline.db[name].find().sort("_id").to_list()
            assert await adopted.db[name].find().sort("_id").to_list() == want, name
        await same_answers(inline, adopted)
