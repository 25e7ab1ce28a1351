"""The benchmark's results as a table (Markdown, so it can be pasted as it is)."""

from __future__ import annotations

from typing import Any

#: RSS counts as flat when it grows by less than this between 25% and 100% of N
FLAT = 0.10
HEAD = ("measure", "result", "target", "met")


def _n(value: float | None, unit: str = "") -> str:
    return "n/a" if value is None else f"{value:,.0f}{unit}"


def _met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("yes" if ok else "**no**")


def table(r: dict[str, Any]) -> str:
    c = r["config"]
    rows: list[tuple[str, str, str, str]] = []
    ceiling = r.get("ceiling", {}).get("events_per_s")
    if ceiling:
        rows.append(("(1) ceiling: raw aiokafka consumption", f"{ceiling:,} events/s", "", ""))
    if ingest := r.get("ingest"):
        rate = ingest["events_per_s"]
        ratio = rate / ceiling if ceiling else None
        ok = rate >= 20_000 and ratio is not None and ratio >= 0.5
        rows.append(
            (
                "(2) end-to-end ingestion by monitoring",
                f"{rate:,} events/s = {ratio:.2g}x ceiling"
                f" ({ingest['events_per_s_incl_startup']:,}/s from spawn; all applied at "
                f"{ingest['all_applied_s']} s, offsets committed at "
                f"{ingest['offsets_committed_s']} s)",
                ">= 20,000/s and >= 0.5x",
                _met(ok),
            )
        )
        per = 1e6 / ingest["events"]
        mongod = ingest.get("mongod_cpu_s")
        rows.append(
            (
                "    CPU per event",
                f"monitoring {ingest['monitoring_cpu_s'] * per:,.0f} µs (from spawn), mongod "
                + (
                    f"{mongod * per:,.0f} µs (shared: other clients count too)" if mongod else "n/a"
                ),
                "",
                "",
            )
        )
        check = ingest["check"]
        exact = check["people_trained_expected"] == check["people_trained_in_rollups"]
        rows.append(
            (
                "    check",
                f"{ingest['events']:,} applied, {check['rejected']} rejected, "
                f"{check['parked']} parked; people trained in rollups "
                f"{'match' if exact else 'DIFFER FROM'} the simulator's "
                f"({check['people_trained_in_rollups']:,})",
                "all applied, totals exact",
                _met(exact and not check["rejected"] and not check["parked"]),
            )
        )
    if lat := r.get("latency"):
        p99 = lat["p99_ms"]
        drained = r.get("outbox_drained_s")
        rows.append(
            (
                "(3) alert latency p50 / p95 / p99",
                f"{_n(lat['p50_ms'])} / {_n(lat['p95_ms'])} / {_n(p99)} ms (max "
                f"{_n(lat['max_ms'])}; {lat['alerts_received']} of {lat['probes']} probes, "
                f"load {lat['load_events_per_s']:,} reports/s; started once the outbox had "
                f"drained, {drained} s after (2))",
                "p99 < 500 ms",
                _met(p99 is not None and p99 < 500 and lat["alerts_received"] == lat["probes"]),
            )
        )
        if stages := lat.get("stages_p50"):
            rows.append(
                (
                    "    where the time goes (medians)",
                    ", ".join(f"{k.removesuffix('_ms')} +{v:,.0f} ms" for k, v in stages.items()),
                    "",
                    "",
                )
            )
    if queries := r.get("queries"):
        state = r["query_state"]
        for name, q in queries.items():
            rows.append(
                (
                    f"(4) {name} p50 / p95",
                    f"{q['p50_ms']:,.1f} / {q['p95_ms']:,.1f} ms (n={q['n']})",
                    "p95 < 50 ms",
                    _met(q["p95_ms"] < 50),
                )
            )
        rows.append(
            (
                "    query state",
                f"{state['commitments']:,} commitments, {state['reports']:,} reports "
                f"(bulk-inserted in monitoring's document shapes, not ingested), "
                f"{state['firing']:,} alerts firing",
                "",
                "",
            )
        )
    if ingest:
        marks = ingest["rss_mib"]
        low, high = marks["25%"], marks["100%"]
        rows.append(
            (
                "(5) RSS at 25 / 50 / 75 / 100% of N",
                " / ".join(f"{v:,.0f}" for v in marks.values())
                + f" MiB; peak (VmHWM) {ingest['peak_rss_mib']:,.0f} MiB",
                f"flat (< {FLAT:.0%} growth)",
                _met((high - low) / low < FLAT),
            )
        )
    scope = (
        f"N = {c['reports']:,} reports over {c['commitments']:,} commitments"
        if "ingest" in c["phases"]
        else "queries only"
    )
    head = (
        f"monitoring benchmark, {r['started_at']}: {scope}; Kafka {c['bootstrap']} (Tansu, "
        f"memory); {c['cores']} cores; load average before {r['load_before']}, after "
        f"{r['load_after']} (the machine is shared: other work counts in it)"
    )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    widths = [max(w, len(h)) for w, h in zip(widths, HEAD, strict=True)]
    lines = [head, ""]
    for row in [HEAD, tuple("-" * w for w in widths), *rows]:
        lines.append("| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |")
    return "\n".join(lines)
