"""The benchmark's results as a table (Markdown, so it can be pasted as it is)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

#: RSS counts as flat when it grows by less than this between 25% and 100% of N
FLAT = 0.10
HEAD = ("measure", "result", "target", "met")
#: alert latency p99 targets (ms) by background rate (reports/s)
LATENCY_TARGETS = {1_000: 250, 10_000: 1_000}

Row = tuple[str, str, str, str]


def _n(value: float | None, unit: str = "") -> str:
    return "n/a" if value is None else f"{value:,.0f}{unit}"


def _met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("yes" if ok else "**no**")


def spread(values: Sequence[float]) -> dict[str, Any]:
    """Median and range of repeated measures."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def _spread(s: dict[str, Any] | None, unit: str = "/s", digits: str = ",.0f") -> str:
    if not s:
        return "n/a"
    if s["min"] == s["max"]:
        return f"{s['median']:{digits}}{unit}"
    return f"{s['median']:{digits}}{unit} (range {s['min']:{digits}} to {s['max']:{digits}})"


def _ingestion(r: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    summary = r.get("summary", {})
    runs = r.get("runs", [])
    times = f"median of {len(runs)} runs" if len(runs) > 1 else "one run"
    ceiling = summary.get("ceiling", {}).get("median")
    floor = summary.get("pipeline", {}).get("median")
    if ceiling:
        rows.append(
            ("(1a) bytes ceiling: bare aiokafka consumer", _spread(summary["ceiling"]), "", "")
        )
    if floor:
        rows.append(
            (
                "(1b) faithful minimal pipeline (validate, insert_many in a transaction, commit)",
                f"{_spread(summary['pipeline'])} = {floor / ceiling:.2g}x (1a)"
                if ceiling
                else _spread(summary["pipeline"]),
                "",
                "",
            )
        )
    if not (mine := summary.get("ingest")):
        return rows
    rate = mine["median"]
    ratios = []
    if floor:
        ratios.append(f"{rate / floor:.2g}x (1b)")
    if ceiling:
        ratios.append(f"{rate / ceiling:.2g}x (1a)")
    ok = rate >= 20_000 and floor is not None and rate >= 0.5 * floor
    rows.append(
        (
            f"(2) ingestion by monitoring ({times})",
            _spread(mine) + (" = " + ", ".join(ratios) if ratios else " (no ceilings run)"),
            ">= 20,000/s and >= 0.5x (1b)",
            _met(ok if floor else None if rate >= 20_000 else False),
        )
    )
    last = runs[-1]["ingest"]
    per = 1e6 / last["events"]
    mongod, keeper = last.get("mongod_cpu_s"), last.get("keeper_cpu_s")
    rows.append(
        (
            "    CPU per report (last run)",
            f"monitoring {last['monitoring_cpu_s'] * per:,.0f} µs (from spawn), mongod "
            + (f"{mongod * per:,.0f} µs (the bench's own mongod)" if mongod else "n/a")
            + (f", the views' keeper {keeper * per:,.0f} µs" if keeper is not None else ""),
            "",
            "",
        )
    )
    check = last["check"]
    exact = check["people_trained_expected"] == check["people_trained_in_rollups"]
    rows.append(
        (
            "    check (last run)",
            f"{last['events']:,} applied (receipts), {check['rejected']} rejected, "
            f"{check['parked']} parked; people trained in rollups "
            f"{'match' if exact else 'DIFFER FROM'} the simulator's "
            f"({check['people_trained_in_rollups']:,}); all applied at "
            f"{last['all_applied_s']} s, offsets committed at {last['offsets_committed_s']} s, "
            f"outbox empty at {last.get('outbox_drained_s')} s (from spawn)"
            + (f", views kept at {last['views_kept_s']} s" if "views_kept_s" in last else ""),
            "all applied, totals exact",
            _met(exact and not check["rejected"] and not check["parked"]),
        )
    )
    stored = last["stored"]
    rows.append(
        (
            "(5) stored bytes per report (dbStats data + indexes / N)",
            f"{stored['bytes_per_report']:,} B ({stored['data_bytes'] / 2**20:,.1f} MiB data, "
            f"{stored['index_bytes'] / 2**20:,.1f} MiB indexes)",
            "stated",
            "",
        )
    )
    marks = last["rss_mib"]
    low, high = marks["25%"], marks["100%"]
    rows.append(
        (
            "(5) monitoring RSS at 25 / 50 / 75 / 100% of N",
            " / ".join(f"{v:,.0f}" for v in marks.values())
            + f" MiB; peak {last['peak_rss_mib']:,.0f} MiB; mongod RSS "
            + _n(last.get("mongod_rss_mib"), " MiB"),
            f"flat (< {FLAT:.0%} growth)",
            _met((high - low) / low < FLAT),
        )
    )
    return rows


def _sustained(r: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    for s in r.get("sustained", []):
        p = s["produced"]
        target = s["rate"] == 10_000
        rows.append(
            (
                f"(6) sustained {s['rate']:,}/s for {s['seconds']} s",
                f"produced at {p['achieved_per_s']:,}/s"
                + (" (SHORT of the rate)" if p["achieved_per_s"] < 0.95 * s["rate"] else "")
                + f", taken at {s['taken_per_s']:,}/s; "
                f"lag p50 {s['lag_p50']:,} ({s['lag_p50_s']} s) / p99 {s['lag_p99']:,} "
                f"({s['lag_p99_s']} s); at the end {s['lag_end']:,} ({s['lag_end_s']} s): "
                + ("kept up" if s["kept_up"] else "did NOT keep up"),
                "keeps up, lag p99 < 1 s" if target else "",
                _met(
                    s["kept_up"] and s["lag_p99_s"] < 1 and p["achieved_per_s"] >= 0.95 * s["rate"]
                )
                if target
                else "",
            )
        )
    return rows


def _times(values: list[float], unit: str = "x", digits: str = ".2g") -> str:
    """One figure, or the median of the runs with their range."""
    shown = _spread(spread(values), unit, digits)
    return shown if len(values) == 1 else f"{shown}, median of {len(values)} runs"


def _median_run(runs: list[dict[str, Any]], of: Any) -> dict[str, Any]:
    """The run whose figure is the median's (the lower middle of an even count)."""
    return sorted(runs, key=of)[(len(runs) - 1) // 2]


def _which(runs: list[dict[str, Any]]) -> str:
    return "the median run" if len(runs) > 1 else "one run"


def _contention(r: dict[str, Any]) -> list[Row]:
    if not (c := r.get("contention")):
        return []
    runs = [x for x in c["runs"] if x.get("alone_events_per_s")]
    if not runs:
        return []

    def ratio(x: dict[str, Any]) -> float:
        return float(x["events_per_s_during"] / x["alone_events_per_s"])

    ratios = [ratio(x) for x in runs]
    p99s = [p for x in runs if (p := x["during"]["health"].get("p99_ms")) is not None]
    shown = _median_run(runs, ratio)
    d = shown["during"]
    health = d["health"]
    failures = sum(x["during"]["health"]["failures"] for x in runs)
    rows: list[Row] = [
        (
            f"(7) ingestion while {d['clients']} clients query series + annual report",
            f"{_times(ratios)}, of the rate without clients ({_which(runs)}: "
            f"{shown['events_per_s_during']:,}/s with them, {shown['alone_events_per_s']:,.0f}/s "
            "without)",
            ">= 0.8x",
            _met(statistics.median(ratios) >= 0.8),
        ),
        (
            "    /health every 100 ms meanwhile, p99 (p50, max: the run above)",
            f"{_times(p99s, ' ms', ',.0f') if p99s else 'n/a'} "
            f"({_n(health.get('p50_ms'))} ms, max {_n(health.get('max_ms'))}; "
            f"n={health['n']}, {failures} failed over the runs)",
            "< 100 ms",
            _met(len(p99s) == len(runs) and statistics.median(p99s) < 100 and not failures),
        ),
    ]
    if lag := d.get("loop_lag"):
        late = ", ".join(f"{lag[f'over_{ms}ms']} over {ms} ms" for ms in (25, 50, 100))
        rows.append(
            ("    the service's event loop lag meanwhile", f"{lag['n']} wake-ups: {late}", "", "")
        )
    for name, q in d["queries"].items():
        answered = (
            f"{q['p50_ms']:,.0f} / {q['p95_ms']:,.0f} ms (n={q['n']})"
            if q["n"]
            else "none answered"
        )
        rows.append(
            (f"    {name} p50 / p95 meanwhile", answered + f"; {d['errors']} errors", "", "")
        )
    return rows


def _history(r: dict[str, Any]) -> list[Row]:
    if not (h := r.get("history")):
        return []
    runs = [x for x in h["runs"] if x["ratio"] is not None]
    if not runs:
        return []
    ratios = [x["ratio"] for x in runs]
    shown = _median_run(runs, lambda x: x["ratio"])
    shallow, deep = shown["months_10"], shown["months_120"]
    return [
        (
            "(8) history depth: the last 10 months, 120 vs 10 periods held",
            f"{_times(ratios, digits='.3g')} ({_which(runs)}: "
            f"{deep['last_months_per_s'] or 0:,}/s vs {shallow['last_months_per_s'] or 0:,}/s; "
            f"{shown['commitments']:,} monthly commitments, batches of {shown['batch']:,}; "
            f"{shallow['last_months_reports']:,} reports timed in each; "
            f"the deep world's whole run {deep['events_per_s']:,}/s, its first 10 months "
            f"{deep.get('first_months_per_s') or 0:,}/s)",
            ">= 0.8x",
            _met(statistics.median(ratios) >= 0.8),
        )
    ]


def _stage_times(stages: dict[str, float]) -> str:
    """Each stage's time (its `<stage>_ms`) as `<stage> +N ms`."""
    return ", ".join(
        f"{k.removesuffix('_ms')} +{v:,.0f} ms"
        for k, v in stages.items()
        if k.endswith("_ms") and k != "total_ms"
    )


def _latency(r: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    for key in sorted(
        (k for k in r if k.startswith("latency_")), key=lambda k: int(k.split("_")[1])
    ):
        lat, rate = r[key], int(key.split("_")[1])
        p99, limit = lat["p99_ms"], LATENCY_TARGETS.get(rate)
        count = lat.get("instances", 1)
        by = f", {count} instances" if count > 1 else ""
        rows.append(
            (
                f"(3) alert latency at {rate:,}/s{by}: p50 / p95 / p99",
                f"{_n(lat['p50_ms'])} / {_n(lat['p95_ms'])} / {_n(p99)} ms "
                f"(max {_n(lat['max_ms'])}; {lat['alerts_received']} of {lat['probes']} "
                f"probes; load produced at {lat['load_events_per_s']:,}/s)",
                f"p99 < {limit:,} ms" if limit else "",
                _met(p99 is not None and p99 < limit and lat["alerts_received"] == lat["probes"])
                if limit
                else "",
            )
        )
        if cpu := lat.get("cpu_us_per_report"):
            spent = ", ".join(f"{name} {us:,} µs" for name, us in cpu.items())
            rows.append(("    CPU a report (load and probes)", spent, "", ""))
        for q, stages in lat.get("stages", {}).items():
            if q == "slowest":
                total, sent = stages["total_ms"], stages["sent_s"]
                what = f"the slowest probe ({total:,.0f} ms, sent {sent} s in)"
            elif stages:
                what = f"where the time goes ({q} of each stage)"
            else:
                continue
            rows.append((f"    {what}", _stage_times(stages), "", ""))
    return rows


def _queries(r: dict[str, Any]) -> list[Row]:
    if not (queries := r.get("queries")):
        return []
    rows: list[Row] = []
    for name, q in queries.items():
        rows.append(
            (
                f"(4) {name} p50 / p95",
                f"{q['p50_ms']:,.1f} / {q['p95_ms']:,.1f} ms (n={q['n']})",
                "p95 < 50 ms",
                _met(q["p95_ms"] < 50),
            )
        )
    rows.append(_state(r["query_state"]))
    if scaled := r.get("queries_scaled"):
        state = r["query_state_scaled"]
        at = f"{state['commitments']:,} / {state['reports']:,}"
        for name, q in scaled.items():
            ratio = q["p95_ms"] / queries[name]["p95_ms"]
            rows.append(
                (
                    f"(4) {name} at {at} p50 / p95",
                    f"{q['p50_ms']:,.1f} / {q['p95_ms']:,.1f} ms (n={q['n']}): "
                    f"p95 {ratio:.2f}x the smaller state's",
                    "p95 < 2x",
                    _met(ratio < 2),
                )
            )
        rows.append(_state(state))
    return rows


def _instances(r: dict[str, Any]) -> list[Row]:
    if not (i := r.get("instances")):
        return []
    rows: list[Row] = []
    for name, run in i.items():
        if not name.startswith("instances_"):
            continue
        each = ", ".join(
            f"{e['applied']:,} applied in {e['batches']} batches, {e['write_conflicts']} "
            f"run again, {e['cpu_s']} s CPU"
            + "".join(f"; {k} {v} run again" for k, v in e.get("others_run_again", {}).items())
            for e in run["each"]
        )
        check = run["check"]
        exact = check["people_trained_in_rollups"] == check["people_trained_expected"]
        rows.append(
            (
                f"(11) {run['instances']} instance(s), one group, {i['partitions']} partitions",
                f"{run['events_per_s']:,}/s; per instance: {each}; totals "
                f"{'exact' if exact else 'NOT exact'}, {check['rejected']} refused",
                "no write conflicts",
                _met(run["write_conflicts"] == 0 and exact),
            )
        )
    if i.get("ratio") is not None:
        rows.append(("    two instances vs one", f"{i['ratio']}x", "", ""))
    return rows


def _state(state: dict[str, Any]) -> Row:
    return (
        "    query state",
        f"{state['commitments']:,} commitments, {state['reports']:,} reports "
        f"(bulk-inserted in monitoring's document shapes, not ingested), "
        f"{state['firing']:,} alerts firing",
        "",
        "",
    )


def table(r: dict[str, Any]) -> str:
    c = r["config"]
    rows = [
        *_ingestion(r),
        *_sustained(r),
        *_contention(r),
        *_history(r),
        *_latency(r),
        *_queries(r),
        *_instances(r),
    ]
    head = (
        f"monitoring benchmark, {r['started_at']}: phases {', '.join(c['phases'])}; N = "
        f"{c['reports']:,} reports over {c['commitments']:,} commitments"
        f"{' (quick)' if c.get('quick') else ''}; Kafka {c['bootstrap']} (Tansu, memory); "
        f"{_mongod(c['mongo_url'], r['mongod'])}; "
        f"{c['cores']} cores; load average before {r['load_before']}, after {r['load_after']} "
        "(the machine is shared: other work counts in it)"
    )
    if not rows:
        return head
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    widths = [max(w, len(h)) for w, h in zip(widths, HEAD, strict=True)]
    lines = [head, ""]
    for row in [HEAD, tuple("-" * w for w in widths), *rows]:
        lines.append("| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |")
    return "\n".join(lines)


def _mongod(url: str, settings: dict[str, Any]) -> str:
    where = urlsplit(url).netloc
    return f"MongoDB {settings['version']} {where} (WiredTiger cache {settings['cache_gib']} GiB)"
