"""Hostile messages of the wire itself: compressed batches that inflate past the limit,
ambiguous JSON (a name twice, NaN, numbers past a double), two signatures, null and
misleading keys, thousands of headers, dates beyond the calendar, counts with exponents,
Unicode look-alikes, messages over 1 MB. Each is refused with its reason, or applied where it
is a valid report; the decisions are in monitoring's report_codec and pact_common.consuming."""

from __future__ import annotations

import json
from typing import Any

from pact_contracts import ProgressReported
from tests.integration.monitoring.conftest import report

from .corpus import NOBODY, Corpus, enc, jsonable

#: Codecs a partner's producer may compress a batch with (aiokafka's compression_type).
CODECS = ("gzip", "lz4", "zstd", "snappy")


def monthly(month: int, people: int = 7, **kw: Any) -> ProgressReported:
    """A report of p-acme on c-monthly for a month of 2025 no other item reports."""
    return report("2025-Q1", people, commitment_id="c-monthly", **kw).model_copy(
        update={"period": f"2025-{month:02d}"}
    )


def wire_cases(c: Corpus) -> None:
    """Compressed batches, ambiguous JSON, two signatures, keys, headers, dates, numbers,
    look-alikes and messages over 1 MB."""
    # --- compressed batches: read whatever the codec; what inflates past the limit is refused,
    # the report in the same batch applied. (Without lz4/zstd/snappy installed, one such
    # batch stopped the consumer: aiokafka raised on every fetch.)
    for n, codec in enumerate(CODECS):
        inflating = monthly(4 + n).to_bytes() + b" " * 8_000_000
        c.raw(
            f"{codec}: 8 MB of report inflated from a small batch",
            inflating,
            "too_large",
            key=b"c-monthly",
            codec=codec,
            batch=n,
            visible_to="p-acme",
        )
        same_batch = {"key": b"c-monthly", "codec": codec, "batch": n}
        c.applied(f"{codec}: a report in the same batch", monthly(4 + n), **same_batch)
    # --- a name twice: which value counts would be a guess, so neither does ---
    c.text(
        "a count given twice",
        jsonable(),
        '"people_trained": 10',
        '"people_trained": 10, "people_trained": 1000',
        "malformed",
    )
    c.text(
        "a country given twice",
        jsonable("2025-Q1", 10, by_country={"DE": 10}),
        '"DE": 10',
        '"DE": 10, "DE": 10',
        "malformed",
    )
    c.text(
        "the same period twice",
        jsonable(),
        '"period": "2026-Q1"',
        '"period": "2026-Q1", "period": "2026-Q1"',
        "malformed",
    )
    c.text(
        "a name twice through an escape",
        jsonable(),
        '"people_trained": 10',
        '"people_trained": 10, "people\\u005ftrained": 99',
        "malformed",
    )
    c.text(
        "commitment_id given twice",
        jsonable(),
        '"commitment_id": "c-cloud"',
        '"commitment_id": "c-cloud", "commitment_id": "c-other"',
        "malformed",
        key=b"c-cloud",  # as its sender keyed it, by the first
    )
    value, headers = c.signed(report("2025-Q2", 2, partner_id="p-signer", commitment_id="c-signed"))
    twice = value[:-1] + b',"people_trained":2000}'
    c.raw("signed, then a count added twice", twice, "malformed", headers, visible_to="p-signer")

    # --- two signature headers: which one counts would be a guess ---
    value, (sig, alg) = c.signed(
        report("2025-Q2", 3, partner_id="p-signer", commitment_id="c-signed")
    )
    for label, headers in (
        ("the same signature twice", [sig, sig, alg]),
        ("a good signature, then another", [sig, ("pact-signature", b"c2ln"), alg]),
        ("another signature, then a good one", [("pact-signature", b"c2ln"), sig, alg]),
        ("5,000 signature headers", [sig] * 5_000),
    ):
        c.raw(label, value, "bad_signature", headers, positional=True, visible_to="p-signer")
    sigs = [("pact-signature", b"c2ln")] * 2
    c.raw(
        "two signatures on an unsigned partner's report",
        enc(jsonable()),
        "bad_signature",
        sigs,
        positional=True,
        visible_to="p-acme",
    )
    # --- keys: a report's key is its partner_id (it decides the partition, so one instance
    # reads a partner's reports, in order); its commitment_id, the key before, is still
    # taken; anything else is refused, and shown to the body's partner
    before = report("2026-Q1", 6, commitment_id="c-monthly").model_copy(
        update={"period": "2026-02"}
    )
    c.applied("keyed by its commitment, as before", before, key=b"c-monthly")
    c.raw("not JSON, keyed by its partner", b"{oops", "malformed", key=b"p-acme",
          visible_to="p-acme")  # fmt: skip
    for label, key, month in (
        ("no key (null)", None, 8),
        ("keyed by another partner's commitment", b"c-other", 9),
        ("keyed by its commitment in other letters", b"C-MONTHLY", 10),
    ):
        value = monthly(month).to_bytes()
        c.raw(label, value, "key_mismatch", key=key, positional=True, visible_to="p-acme")
    c.raw(
        "not JSON, keyed by its commitment",
        b"{oops",
        "malformed",
        key=b"c-monthly",
        visible_to="p-acme",
    )
    c.raw("not JSON, no key", b"{oops", "malformed", key=None, visible_to=NOBODY)
    invalid = enc(jsonable() | {"people_trained": -1})
    c.raw(
        "invalid, keyed by another partner's commitment",
        invalid,
        "invalid",
        key=b"c-other",
        visible_to="p-acme",
    )
    # --- thousands of headers: not the report's business, but a second signature ---
    many = [(f"x-header-{i}", b"value") for i in range(5_000)]
    c.applied("among 5,000 headers", monthly(10), headers=many)
    signed = report("2026-Q2", 5, partner_id="p-signer", commitment_id="c-signed")
    value, headers = c.signed(signed)
    c.applied("signed, among 5,000 headers", signed, value, headers=[*many, *headers])
    # --- occurred_at: the sender's word, which no decision depends on; unless out of range ---
    event = monthly(11)
    far = event.to_jsonable() | {"occurred_at": "9999-12-31T23:59:59Z"}
    c.applied("occurred_at in the year 9999", event, enc(far))
    # these two stopped the consumer (an OverflowError, not a ValueError, left decode)
    for at in ("9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"):
        c.doc(
            f"occurred_at {at}: beyond the calendar in UTC",
            jsonable() | {"occurred_at": at},
            "invalid",
            visible_to="p-acme",
        )
    # --- numbers: a count is a whole number written as one; euros are any finite number ---
    c.text(
        "count written 1e2",
        jsonable("2026-Q1", 100),
        '"people_trained": 100',
        '"people_trained": 1e2',
        "invalid",
    )
    c.text("revision written 1e0", jsonable(), '"revision": 1', '"revision": 1e0', "invalid")
    c.text(
        "country count written 1E1",
        jsonable("2025-Q1", 10, by_country={"DE": 10}),
        '"DE": 10',
        '"DE": 1E1',
        "invalid",
    )
    c.text(
        "investment -Infinity",
        jsonable(investment_eur=1.0),
        '"investment_eur": 1.0',
        '"investment_eur": -Infinity',
        "malformed",
    )
    c.text(
        "investment 1e400 (infinite as a double)",
        jsonable(investment_eur=1.0),
        '"investment_eur": 1.0',
        '"investment_eur": 1e400',
        "malformed",
    )
    c.text(
        "count -1e400", jsonable(), '"people_trained": 10', '"people_trained": -1e400', "malformed"
    )
    event = monthly(12)
    euros = json.dumps(event.to_jsonable() | {"investment_eur": 1.0})
    text = euros.replace('"investment_eur": 1.0', '"investment_eur": 1.5e5')
    c.applied("investment written 1.5e5", event, text.encode())
    # --- look-alikes are other characters: never normalised into someone's id ---
    for label, changes, expected in (
        (
            "Cyrillic o (U+043E) in commitment_id",
            {"commitment_id": "c-cl\u043eud"},
            "unknown_commitment",
        ),
        (
            "fullwidth c (U+FF43) in commitment_id",
            {"commitment_id": "\uff43-cloud"},
            "unknown_commitment",
        ),
        (
            "zero-width space in commitment_id",
            {"commitment_id": "c-\u200bcloud"},
            "unknown_commitment",
        ),
        ("Cyrillic p (U+0440) in partner_id", {"partner_id": "\u0440-acme"}, "unknown_partner"),
        ("fullwidth digits in period", {"period": "\uff12\uff10\uff12\uff15-Q1"}, "invalid"),
        (
            "fullwidth digits in event_id",
            {"event_id": "\uff18d0c4a9e-2f7b-4a58-9f0e-3c1d2b4a5e6f"},
            "invalid",
        ),
        ("fullwidth country code", {"by_country": {"\uff24\uff25": 10}}, "invalid"),
        ("fullwidth digits as a count", {"people_trained": "\uff11\uff10"}, "invalid"),
    ):
        document = jsonable("2025-Q1", 10) | changes
        # an unknown partner's rejection is its claimed partner's: not p-acme's
        seen_by = NOBODY if expected == "unknown_partner" else "p-acme"
        c.doc(label, document, expected, visible_to=seen_by)
    c.text(
        "Cyrillic e (U+0435) in a field name",
        jsonable(),
        '"people_trained"',
        '"p\u0435ople_trained"',
        "invalid",
    )
    c.text(
        "fullwidth digits as a JSON number",
        jsonable(),
        '"people_trained": 10',
        '"people_trained": \uff11\uff10',
        "malformed",
        key=b"c-cloud",  # no JSON to find its commitment in: its key names it
    )
    # --- over 1 MB (Apache Kafka's default limit; the local broker has none) ---
    big = monthly(3).to_bytes() + b" " * 1_500_000
    c.raw("1.5 MB report", big, "too_large", key=b"c-monthly", visible_to="p-acme")
    c.raw(
        "1.9 MB of binary",
        bytes(range(256)) * 7_500,
        "too_large",
        key=b"c-monthly",
        visible_to="p-acme",
    )
