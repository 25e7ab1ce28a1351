"""How long monitoring takes to read one progress report off the topic, in µs, split into
its stages: decode (bytes -> dict), validate (the contract model), hash (the content hash
over canonical JSON) and the rest of to_report; and `read(record)` whole.

    python -m bench.parse_micro [--reports 2000] [--rounds 5]

Typical reports are those the benchmark sends (pactctl's ProgressSimulator over the
benchmark's world). Each figure is the best of `rounds` passes over the same reports.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson

from bench.perf_world import make_world
from monitoring.core.adapters import report_codec
from monitoring.core.domain.model import Report
from pact_common import consuming
from pact_contracts import PROGRESS_REPORTED
from pact_contracts.signing import canonical_json
from pactctl.simulation import ProgressSimulator


@dataclass
class Record:
    """What read() needs of an aiokafka ConsumerRecord."""

    value: bytes
    key: bytes
    offset: int
    topic: str = "partners.progress-reported.v1"
    partition: int = 0
    headers: list[tuple[str, bytes]] = field(default_factory=list)


def records(count: int) -> list[Record]:
    today = date(2026, 12, 4)
    simulator = ProgressSimulator(make_world(500, today).commitments, seed=1, today=today)
    return [
        Record(r.to_bytes(), r.partner_id.encode(), offset=n)
        for n, r in enumerate(simulator.take(count))
    ]


def best(rounds: int, items: Sequence[Any], work: Callable[[Any], object]) -> float:
    """µs per item, the best of `rounds` passes."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for item in items:
            work(item)
        times.append(time.perf_counter() - start)
    return min(times) / len(items) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    recs = records(args.reports)
    adapter = PROGRESS_REPORTED.adapter
    raws = [consuming.read_json(r.value) for r in recs]
    events = [adapter.validate_python(raw) for raw in raws]
    texts = [r.value.decode() for r in recs]
    figures: dict[str, float] = {}
    figures["decode"] = best(args.rounds, recs, lambda r: consuming.read_json(r.value))
    figures["  json with the hooks (before)"] = best(
        args.rounds, recs, lambda r: consuming.loads(r.value.decode())
    )
    figures["  orjson.loads alone"] = best(args.rounds, recs, lambda r: orjson.loads(r.value))
    figures["validate"] = best(args.rounds, raws, adapter.validate_python)
    figures["  validate_json (bytes)"] = best(
        args.rounds, recs, lambda r: adapter.validate_json(r.value)
    )
    figures["hash"] = best(args.rounds, raws, report_codec.content_hash)
    figures["  over canonical_json (before)"] = best(
        args.rounds, raws, lambda raw: hashlib.sha256(canonical_json(raw)).hexdigest()
    )
    figures["figures_of"] = best(args.rounds, events, report_codec.figures_of)
    triples = list(zip(events, raws, texts, strict=True))
    figures["to_report (figures, hash, ...)"] = best(
        args.rounds,
        triples,
        lambda t: report_codec.to_report(t[0], t[1], t[2], None, "t/0/0"),
    )
    figures["decode() (decode + validate)"] = best(
        args.rounds,
        recs,
        lambda r: consuming.decode(adapter, r.value, 64 * 1024),
    )
    figures["read(record)"] = best(args.rounds, recs, report_codec.read)
    assert all(isinstance(report_codec.read(r), Report) for r in recs[:50])
    size = sum(len(r.value) for r in recs) / len(recs)
    print(f"{len(recs)} reports of {size:.0f} bytes on average; µs each, best of {args.rounds}")
    for name, us in figures.items():
        print(f"  {name:<30} {us:8.2f}")


if __name__ == "__main__":
    main()
