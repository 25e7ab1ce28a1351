"""A corpus of hostile and broken progress messages sent straight to the progress topic, each
followed by a valid report. Every hostile message lands on monitoring.progress-rejected.v1
with the reason the table names (or is parked, then expires; or is ignored as the duplicate
it is), and those whose partner can be told are listed to that partner alone at GET
/progress/rejections; the consumer never stops; every valid report is applied (exact
totals), also those sent compressed, without a key or among thousands of headers."""

from __future__ import annotations

import base64
import json
import random
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from datasketches import hll_sketch  # type: ignore[import-untyped]

from monitoring.bootstrap import build_app
from monitoring.config import Settings
from monitoring.core.adapters.lanes import by_key
from pact_contracts import (
    MAX_REPORT_BYTES,
    PROGRESS_REPORTED,
    CommitmentSuspended,
    ProgressReported,
)
from pact_contracts.signing import new_key_pair, signed_message
from tests.integration.monitoring.conftest import ManualClock, Monitoring, report
from tests.integration.monitoring.test_rejections import withdrawn
from tests.support.kafka import Producer, wait_until
from tests.support.runtime import settings_for_test

from .corpus import (
    APPLIED,
    IGNORED,
    NOBODY,
    PARKED,
    UNREADABLE,
    Corpus,
    Item,
    Senders,
    batches,
    enc,
    jsonable,
)
from .corpus_wire import wire_cases
from .harness import summary

pytestmark = [pytest.mark.integration, pytest.mark.faults]


def build_corpus(private: str) -> Corpus:
    c = Corpus(private)
    valid = jsonable("2025-Q1", 10)
    text = json.dumps(valid)
    # --- cannot be read: not JSON, not UTF-8, truncated, not an object ---
    c.raw("not JSON", b"not json {", "malformed")
    c.raw("empty value", b"", "malformed")
    c.raw("tombstone (no value)", None, "malformed")
    c.raw("truncated in the middle", text[: len(text) // 2].encode(), "malformed")
    c.raw("truncated by one byte", text[:-1].encode(), "malformed")
    c.raw("a JSON array", b"[1, 2, 3]", "malformed")
    c.raw("a JSON string", b'"progress"', "malformed")
    c.raw("a JSON number", b"42", "malformed")
    c.raw("JSON null", b"null", "malformed")
    c.raw("JSON true", b"true", "malformed")
    c.raw("UTF-16", text.encode("utf-16"), "malformed")
    latin = json.dumps(jsonable(producer="système-é"), ensure_ascii=False)
    c.raw("Latin-1", latin.encode("latin-1"), "malformed")
    c.raw("UTF-8 byte order mark", b"\xef\xbb\xbf" + text.encode(), "malformed")
    c.raw("binary", bytes(range(256)) * 4, "malformed")
    c.raw("deeply nested arrays", b"[" * 30_000 + b"]" * 30_000, "malformed")
    c.raw("deeply nested objects", b'{"a":' * 10_000 + b"1" + b"}" * 10_000, "malformed")
    c.raw("a 5,000-digit number", b'{"people_trained": ' + b"9" * 5_000 + b"}", "malformed")
    c.raw("trailing garbage", text.encode() + b" xyz", "malformed")
    c.raw("two objects", text.encode() * 2, "malformed")
    c.raw("single quotes", text.replace('"', "'").encode(), "malformed")
    c.raw("a comment", b"// report\n" + text.encode(), "malformed")
    json_type = [("content-type", b"application/json")]
    c.raw("not JSON, labelled JSON", b"<report/>", "malformed", json_type)
    c.raw("not UTF-8, labelled text", b"\xff\xfe", "malformed", [("content-type", b"text/plain")])
    # --- over the size limit ---
    c.raw("70 KB", enc(jsonable() | {"padding": "x" * 70_000}), "too_large")
    padded = enc(jsonable("2025-Q1", 10))
    c.raw("limit + 1 byte", padded + b" " * (MAX_REPORT_BYTES + 1 - len(padded)), "too_large")
    c.raw("200 KB of binary", bytes(range(256)) * 800, "too_large")
    # --- break the contract ---
    for name in ("people_trained", "partner_id", "commitment_id", "period"):
        c.bad(f"missing {name}", **{name: None})
    c.bad("extra field", evil=1)
    c.bad("extra Mongo operator field", **{"$set": {"achieved": 1e9}})
    c.bad("count as a string", people_trained="100")
    c.bad("count as a float", people_trained=100.0)
    c.bad("count as a boolean", people_trained=True)
    c.bad("count as a list", people_trained=[10])
    c.bad("revision as a string", revision="2")
    c.bad("revision 0", revision=0)
    c.bad("revision -1", revision=-1)
    c.bad("revision 1.5", revision=1.5)
    c.bad("revision above the maximum", revision=1_000_001)
    for period in ("2026-Q5", "2026-13", "2026-q1", "26-Q1", "2026-Q1 "):
        c.bad(f"period {period!r}", period=period)
    c.bad("period as a number", period=202601)
    c.bad("partner_id as a number", partner_id=123)
    c.bad("partner_id of 65 characters", partner_id="p" * 65)
    c.bad("commitment_id as a Mongo query", commitment_id={"$gt": ""})
    c.bad("negative people_trained", people_trained=-1)
    c.bad("negative people_reached", people_reached=-5)
    c.bad("negative programmes_developed", programmes_developed=-1)
    c.bad("negative investment", investment_eur=-0.01)
    c.bad("over a billion trained", people_trained=1_000_000_001)
    c.bad("investment over 1e12", investment_eur=1e13)
    # Infinity and NaN are no JSON (Python's json reads them): refused as such
    c.doc("infinite count", jsonable("2025-Q1", 10) | {"people_trained": float("inf")}, "malformed")
    c.doc("NaN investment", jsonable("2025-Q1", 10) | {"investment_eur": float("nan")}, "malformed")
    c.bad("by_country not summing", by_country={"DE": 6, "FR": 3})
    c.bad("by_level not summing", by_level={"advanced": 11})
    c.bad("by_gender not summing", by_gender={"female": 2, "male": 2})
    c.bad("negative country count summing", by_country={"DE": 15, "FR": -5})
    c.bad("unknown country XX", by_country={"XX": 10})
    c.bad("non-EEA country US", by_country={"US": 10})
    c.bad("lower-case country", by_country={"de": 10})
    c.bad("unknown level", by_level={"guru": 10})
    c.bad("unknown gender", by_gender={"robot": 10})
    c.bad("breakdown as a list", by_country=[["DE", 10]])
    c.bad("another event type", event_type="ProgressCorrected")
    c.bad("schema_version 2", schema_version=2)
    c.bad("occurred_at without a time zone", occurred_at="2026-05-01T00:00:00")
    c.bad("occurred_at not a date", occurred_at="yesterday")
    c.bad("event_id not a UUID", event_id="not-a-uuid")
    c.bad("lone surrogate in partner_id", partner_id="\ud800")
    c.bad("lone surrogate in producer", producer="acme\udcff")
    # --- break the rules ---
    c.doc("unknown partner", jsonable(partner_id="p-nobody"), "unknown_partner")
    c.doc("partner_id with a NUL", jsonable(partner_id="p-acme\u0000"), "unknown_partner")
    c.doc("partner_id as $where", jsonable(partner_id="$where"), "unknown_partner")
    c.doc("empty partner_id", jsonable(partner_id=""), "unknown_partner")
    c.doc("suspended partner", jsonable(partner_id="p-suspended"), "partner_not_active")
    c.doc(
        "suspended partner, unknown commitment",
        jsonable(partner_id="p-suspended", commitment_id="c-nowhere"),
        "partner_not_active",
    )
    c.doc("another partner's commitment", jsonable(partner_id="p-other"), "not_owner")
    c.doc("p-acme on p-other's commitment", jsonable(commitment_id="c-other"), "not_owner")
    theirs = report(partner_id="p-signer")
    value, headers = c.signed(theirs)
    c.raw("signed, on another partner's commitment", value, "not_owner", headers)
    c.doc("suspended commitment", jsonable(commitment_id="c-paused"), "commitment_not_active")
    after_withdrawal = jsonable("2026-Q2", commitment_id="c-gone")  # withdrawn 2026-02-10
    c.doc(
        "withdrawn commitment, a period begun after", after_withdrawal, "reported_after_withdrawal"
    )
    c.applied(
        "withdrawn commitment, a period begun before", report("2026-Q1", 7, commitment_id="c-gone")
    )
    c.doc("period before the start", jsonable("2024-Q4"), "period_out_of_range")
    c.doc("period long before the start", jsonable("2019-Q1"), "period_out_of_range")
    c.doc("period after deadline + grace", jsonable("2028-Q2"), "reported_after_deadline")
    monthly_early = jsonable("2024-12", commitment_id="c-monthly")
    c.doc("monthly period before the start", monthly_early, "period_out_of_range")
    c.doc("period in the future", jsonable("2026-Q3"), "period_in_future")
    c.doc("period within grace, in the future", jsonable("2028-Q1"), "period_in_future")
    c.doc("next month", jsonable("2026-06", commitment_id="c-monthly"), "period_in_future")
    c.doc("a month for a quarterly commitment", jsonable("2026-03"), "period_cadence_mismatch")
    quarter = jsonable("2026-Q1", commitment_id="c-monthly")
    c.doc("a quarter for a monthly commitment", quarter, "period_cadence_mismatch")
    # --- a learners sketch that cannot be taken: its own reason (issue 17) ---
    for label, sketch in (
        ("not base64", "a list of learners, not base64!"),
        ("over 8 KB decoded", base64.b64encode(bytes(9000)).decode()),
        ("not an HLL sketch", base64.b64encode(b"L-000001;L-000002").decode()),
        ("of another lg_k", base64.b64encode(hll_sketch(10).serialize_compact()).decode()),
    ):
        sketched = jsonable(learners_sketch=sketch)
        c.doc(f"learners sketch {label}", sketched, "bad_learners_sketch")
    c.doc("unknown commitment", jsonable(commitment_id="c-missing"), PARKED)
    full = jsonable(commitment_id="c-missing-too")
    c.doc("unknown commitment, parking full", full, "unknown_commitment")
    c.doc(
        "unknown partner, another's commitment", jsonable(partner_id="p-ghost"), "unknown_partner"
    )
    ghost = jsonable(partner_id="p-ghost", commitment_id="c-ghost")
    c.doc("partner not registered yet", ghost, PARKED)

    # --- signatures of a partner that registered a key (each its own report) ---
    def signers(n: int) -> ProgressReported:
        return report("2025-Q1", n, partner_id="p-signer", commitment_id="c-signed")

    c.raw("unsigned", signers(1).to_bytes(), "unsigned")
    value, headers = c.signed(signers(2), c.other_key)
    c.raw("signed with another key", value, "bad_signature", headers)
    for label, header in (
        ("signature not base64", b"!!not-b64!!"),
        ("empty signature", b""),
        ("signature not UTF-8", b"\xff\xfe"),
        ("signature of 100 KB", b"A" * 100_000),
        ("null signature header", None),  # the broker hands it on as empty
    ):
        c.raw(label, signers(3).to_bytes(), "bad_signature", [("pact-signature", header)])
    value, headers = c.signed(signers(4))
    tampered = json.loads(value) | {"people_trained": 5}
    c.raw("changed after signing", enc(tampered), "bad_signature", headers)
    c.raw("another report's signature", signers(6).to_bytes(), "bad_signature", headers)
    # --- revision games ---
    locked = report("2025-Q4", 50, revision=1_000_000)
    c.applied("the highest revision there is", locked)
    c.doc("a revision below it", jsonable("2025-Q4", 999, revision=999_999), "stale_revision")
    c.doc("the same revision again", jsonable("2025-Q4", 999, revision=1_000_000), "stale_revision")
    first = report("2025-Q3", 30)
    c.applied("an event_id's first report", first)
    c.raw("the same report again", first.to_bytes(), IGNORED)
    c.raw(
        "the same report, other white space",
        json.dumps(first.to_jsonable(), indent=2).encode(),
        IGNORED,
    )
    reused = first.to_jsonable() | {"people_trained": 31}
    c.doc("its event_id with other figures", reused, "event_id_reused")
    c.doc(
        "its event_id with another period",
        first.to_jsonable() | {"period": "2025-Q2"},
        "event_id_reused",
    )
    c.doc("the reusing report again", reused, IGNORED)
    stale = report("2025-Q3", 1)
    c.doc("a new event_id, revision 1 again", stale.to_jsonable(), "stale_revision")
    # --- odd but valid ---
    whitespace = report("2025-Q2", 4, commitment_id="c-monthly").model_copy(
        update={"period": "2025-02"}
    )
    body = enc(whitespace.to_jsonable())
    at_limit = body[:-1] + b" " * (MAX_REPORT_BYTES - len(body)) + b"}"
    c.applied("exactly at the size limit", whitespace, at_limit)
    pretty = report("2025-Q1", 9, partner_id="p-signer", commitment_id="c-signed")
    value, headers = c.signed(pretty)
    item_value = json.dumps(json.loads(value), indent=4).encode()
    c.applied("signed, then pretty-printed", pretty, item_value)
    c.items[-1].headers = headers
    odd_headers = report("2025-Q2", 3, commitment_id="c-monthly").model_copy(
        update={"period": "2025-03"}
    )
    c.applied("headers not UTF-8 and null", odd_headers)
    c.items[-1].headers = [
        ("x-note", b"\xc3\x28"),
        ("x-empty", None),
        ("content-type", b"text/xml"),
    ]
    wire_cases(c)
    return c


class ValidStream:
    """Valid reports interleaved with the corpus: each a higher revision of its period."""

    def __init__(self, private: str) -> None:
        self.rng = random.Random(7)
        self.private = private
        self.revision: Counter[tuple[str, str]] = Counter()
        self.targets: list[tuple[str, str, tuple[str, ...]]] = [
            ("p-acme", "c-cloud", ("2025-Q1", "2025-Q2", "2026-Q1", "2026-Q2")),
            ("p-acme", "c-monthly", ("2025-01", "2026-01", "2026-04", "2026-05")),
            ("p-other", "c-other", ("2025-Q1", "2026-Q2")),
            ("p-signer", "c-signed", ("2025-Q3", "2026-Q1")),
        ]
        self.n = 0

    def next(self) -> Item:
        partner_id, commitment_id, periods = self.targets[self.n % len(self.targets)]
        self.n += 1
        period = self.rng.choice(periods)
        self.revision[commitment_id, period] += 1
        people = self.rng.randint(0, 500)
        de = self.rng.randint(0, people)
        event = ProgressReported(
            partner_id=partner_id,
            commitment_id=commitment_id,
            period=period,
            revision=self.revision[commitment_id, period],
            people_trained=people,
            by_country={"DE": de, "FR": people - de},
        )
        applies = (commitment_id, period, event.revision, people)
        if partner_id == "p-signer":
            value, headers = signed_message(event, self.private)
            return Item("valid", value, APPLIED, headers, str(event.event_id), applies)
        return Item("valid", event.to_bytes(), APPLIED, None, str(event.event_id), applies)


async def reference_data(m: Monitoring, public: str) -> None:
    await m.partner()
    await m.partner("p-other")
    await m.partner("p-suspended", status="suspended")
    await m.partner("p-signer", signing_public_key=public)
    await m.commitment()
    await m.commitment("c-monthly", cadence="monthly")
    await m.commitment("c-other", partner_id="p-other")
    await m.commitment("c-signed", partner_id="p-signer")
    await m.commitment("c-ghost", partner_id="p-ghost")
    await withdrawn(m, "c-gone", datetime(2026, 2, 10, 15, 0, tzinfo=UTC))
    await m.commitment("c-paused", version=2, kind=CommitmentSuspended, status="suspended")
    for c in ("c-cloud", "c-monthly", "c-other", "c-signed", "c-ghost", "c-gone", "c-paused"):
        await m.wait_for_commitment(c)
    for p in ("p-acme", "p-other", "p-suspended", "p-signer"):
        await m.wait_for_partner(p)


@pytest.fixture
async def monitoring(namespace: str, db_name: str, mongo_client: Any) -> AsyncIterator[Monitoring]:
    """Monitoring in this process (its consumers on the real broker) on a clock the test
    moves: mid-May 2026 (see tests/integration/monitoring/conftest.py). A partner may have
    one report waiting for what it refers to."""
    clock = ManualClock()
    values = {"sweep_interval_seconds": 3600.0, "park_seconds": 600.0, "park_limit_per_partner": 1}
    settings = settings_for_test(Settings, namespace, db_name, **values)
    app = build_app(settings, clock)
    async with app.router.lifespan_context(app), Producer() as producer:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://monitoring") as http:
            yield Monitoring(settings, http, mongo_client[db_name], clock, producer)


def expected_totals(items: list[Item]) -> dict[str, dict[str, tuple[int, int]]]:
    """commitment -> period -> (revision, people) of the highest revision applied."""
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for item in items:
        if item.applies is not None:
            commitment_id, period, revision, people = item.applies
            known = out.setdefault(commitment_id, {}).get(period)
            if known is None or revision > known[0]:
                out[commitment_id][period] = (revision, people)
    return out


async def test_hostile_corpus(monitoring: Monitoring, record_property: Any) -> None:
    m = monitoring
    private, public = new_key_pair()
    await reference_data(m, public)
    corpus = build_corpus(private).items
    stream = ValidStream(private)
    sent: list[Item] = []
    for item, after in zip(corpus, [*corpus[1:], None], strict=True):
        sent.append(item)
        if item.batch is None or after is None or after.batch != item.batch:
            sent.append(stream.next())
    hostile = [i for i in corpus if i.expected not in (APPLIED, IGNORED)]
    assert len(hostile) >= 60

    topic = m.topic(PROGRESS_REPORTED)
    keys: list[str] = []
    async with Senders() as senders:
        for group in batches(sent):
            for item, meta in zip(group, await senders.send(topic, group), strict=True):
                where = f"{topic}/{meta.partition}/{meta.offset}"
                keys.append(where if item.by_position else str(item.event_id))
    labels = dict(zip(keys, (item.label for item in sent), strict=True))
    expected: Counter[tuple[str, str]] = Counter()
    for key, item in zip(keys, sent, strict=True):
        if item.expected not in (APPLIED, IGNORED, PARKED):
            expected[key, item.expected] += 1
    await _rejections_are(m, topic, expected, labels)

    parked = await m.db["parked_reports"].find().to_list()
    assert sorted((p["commitment_id"], p["awaiting"]) for p in parked) == [
        ("c-ghost", "partner"),
        ("c-missing", "commitment"),
    ]
    m.clock.advance(seconds=m.settings.park_seconds + 1)
    await m.sweep()
    for key, item in zip(keys, sent, strict=True):
        if item.expected == PARKED:
            expected[key, "parked_expired"] += 1
    await _rejections_are(m, topic, expected, labels)
    total = sum(expected.values())

    events = await m.rejections(total, settle=1.0)
    assert len(events) == total
    assert Counter(e["reason_code"] for e in events) == Counter(r for _, r in expected.elements())
    item_of = dict(zip(keys, sent, strict=True))  # a key names one message, or one event_id
    readable = Counter(item_of[k].event_id for k, r in expected.elements() if r not in UNREADABLE)
    assert (
        Counter(e["original_event_id"] for e in events if e["reason_code"] not in UNREADABLE)
        == readable
    )
    await _each_partner_sees_its_own(m, topic, keys, sent)

    truth = expected_totals(sent)

    async def applied_all() -> bool:  # reports sent without a key may be on any partition
        for commitment_id, periods in truth.items():
            doc = await m.progress(commitment_id)
            assert doc is not None
            if {p: e["revision"] for p, e in doc["periods"].items()} != {
                p: r for p, (r, _) in periods.items()
            }:
                return False
            assert doc["totals"]["people_trained"] == sum(n for _, n in periods.values())
        return True

    await wait_until(applied_all, timeout=20)
    rollups = by_key(await m.db["rollups"].find().to_list())  # lanes added up
    # what a withdrawn commitment took for a period begun before its withdrawal counts too
    acme = sum(n for c in ("c-cloud", "c-monthly", "c-gone") for _, n in truth[c].values())
    assert rollups["partner:p-acme"]["people_trained"] == acme
    applied = sum(1 for i in sent if i.expected == APPLIED)
    by_reason = Counter(r for _, r in expected.elements())
    summary(
        f"hostile corpus: {len(hostile)} hostile messages ({len(by_reason)} reason codes: "
        + ", ".join(f"{r} {n}" for r, n in sorted(by_reason.items()))
        + f"), {applied} valid reports interleaved, all applied; "
        f"{sum(1 for i in sent if i.expected == IGNORED)} duplicates ignored",
        record_property,
    )


async def _each_partner_sees_its_own(
    m: Monitoring, topic: str, keys: list[str], sent: list[Item]
) -> None:
    """GET /progress/rejections, as each partner of the corpus: the rejections an item names
    a partner for are listed to that partner and to no other."""
    listed: dict[str, set[str]] = {}
    for partner in ("p-acme", "p-other", "p-signer"):
        response = await m.http.get(
            "/progress/rejections", params={"limit": 500}, headers=m.token(partner)
        )
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["next"] is None, "more than one page"
        listed[partner] = {r["rejection_id"] for r in page["items"]} | {
            r["event_id"] for r in page["items"] if r["event_id"]
        }
    for key, item in zip(keys, sent, strict=True):
        if item.visible_to is not None:
            seen_by = {p for p, found in listed.items() if key in found}
            assert seen_by == ({item.visible_to} - {NOBODY}), (item.label, seen_by)


async def _rejections_are(
    m: Monitoring, topic: str, expected: Counter[tuple[str, str]], labels: dict[str, str]
) -> None:
    """Wait until the stored rejections are exactly `expected`: (event_id or, for what
    cannot be read, topic/partition/offset; reason) -> how many; name the items if not."""
    actual: Counter[tuple[str, str]] = Counter()

    async def arrived() -> bool:
        nonlocal actual
        docs = await m.db["rejections"].find().to_list()
        actual = Counter(
            (d["_id"] if d["_id"].startswith(f"{topic}/") else d["event_id"], d["reason"])
            for d in docs
        )
        return actual == expected

    try:
        await wait_until(arrived, timeout=30)
    except AssertionError:
        wrong = {labels.get(k, k): (r, n) for (k, r), n in (actual - expected).items()}
        missing = {labels.get(k, k): (r, n) for (k, r), n in (expected - actual).items()}
        raise AssertionError(f"unexpected rejections: {wrong}; missing: {missing}") from None
