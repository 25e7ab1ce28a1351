"""Progress reports written one JSON object per line (JSON Lines), each as it goes on
partners.progress-reported.v1, checked line by line before anything is sent. Pure: text in,
reports or errors out (the same `Checked` as the CSV import).

A line is read as monitoring reads a report: at most 64 KB, one JSON object, each name once,
numbers finite, then the ProgressReported contract (its rule and field named). Then what the
CSV import also checks: a period that has begun, one line per commitment, period and
revision, and each event_id once. A line without event_id or occurred_at gets one; a line
without partner_id gets the sender's (when known)."""

from __future__ import annotations

import json
import math
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError

from pact_contracts import MAX_REPORT_BYTES, ProgressReported

from .periods import Period
from .progress_cells import RowError
from .progress_csv import Checked, Row


class _Object(dict[str, Any]):
    """A JSON object that remembers the names it was given more than once."""

    twice: tuple[str, ...] = ()


class _NotFinite:
    """Where NaN, Infinity or -Infinity stood (Python's json reads them; JSON has none)."""

    def __init__(self, text: str) -> None:
        self.text = text


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    found = _Object(pairs)
    if len(found) < len(pairs):
        counts = Counter(name for name, _ in pairs)
        found.twice = tuple(sorted(n for n, c in counts.items() if c > 1))
    return found


def _float(text: str) -> float | _NotFinite:
    number = float(text)
    return number if math.isfinite(number) else _NotFinite(text)


def _ambiguities(number: int, value: Any, path: str = "") -> Iterator[RowError]:
    """Names given twice and numbers that are not finite, by their place (by_country.DE)."""
    if isinstance(value, _NotFinite):
        yield RowError(
            number,
            path or "line",
            "not_finite",
            f"{value.text} is not a number JSON allows (JSON numbers are finite)",
        )
    elif isinstance(value, dict):
        for name in getattr(value, "twice", ()):
            yield RowError(
                number,
                f"{path}.{name}" if path else name,
                "duplicate_key",
                f"{name} is given more than once in one object; give it once",
            )
        for name, inner in value.items():
            yield from _ambiguities(number, inner, f"{path}.{name}" if path else name)
    elif isinstance(value, list):
        for n, inner in enumerate(value):
            yield from _ambiguities(number, inner, f"{path}.{n}")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    return {list: "a list", str: "a string", type(None): "null"}.get(type(value), "a number")


def read_line(number: int, text: str) -> dict[str, Any] | list[RowError]:
    """One line: the JSON object it holds, or what is wrong with it."""
    size = len(text.encode("utf-8"))
    if size > MAX_REPORT_BYTES:
        return [
            RowError(
                number,
                "line",
                "too_large",
                f"{size:,} bytes; a report is at most {MAX_REPORT_BYTES:,} bytes",
            )
        ]
    try:
        raw = json.loads(
            text, object_pairs_hook=_object, parse_float=_float, parse_constant=_NotFinite
        )
    except json.JSONDecodeError as exc:
        return [RowError(number, "line", "not_json", f"not JSON: {exc.msg} (column {exc.colno})")]
    except (ValueError, RecursionError) as exc:  # digits or nesting past json's limits
        return [RowError(number, "line", "not_json", f"not JSON: {exc}")]
    if not isinstance(raw, dict):
        return [
            RowError(
                number,
                "line",
                "not_an_object",
                f"each line is one JSON object (a report), not {_kind(raw)}",
            )
        ]
    return list(_ambiguities(number, raw)) or dict(raw)


def _contract(number: int, raw: dict[str, Any]) -> ProgressReported | list[RowError]:
    try:
        return ProgressReported.model_validate(raw)
    except ValidationError as exc:
        return [_said(number, err) for err in exc.errors(include_url=False)]


def _said(number: int, err: Any) -> RowError:
    where = ".".join(str(p) for p in err["loc"]) or "report"  # a rule of the whole report
    message, given = err["msg"], err.get("input")
    if err["type"] == "int_type" and isinstance(given, float) and given.is_integer():
        message += f": write {int(given)} (a count has no decimal point or exponent)"
    return RowError(number, where, err["type"], message)


def check_progress_jsonl(
    text: str,
    *,
    partner_id: str | None = None,
    today: date | None = None,
    clock: Callable[[], datetime] | None = None,
    new_id: Callable[[], uuid.UUID] = uuid.uuid4,
) -> Checked:
    """Every line checked (blank lines skipped); `rows` holds the reports of the good ones,
    `errors` every problem of the bad ones (send nothing unless `ok`). `partner_id`: the
    sender's, given to lines without one and required of lines with one. `today`: refuse
    periods not yet begun."""
    now = (clock or (lambda: datetime.now(UTC)))()
    checked = Checked()
    rows: dict[tuple[str, str, int], int] = {}
    ids: dict[str, int] = {}
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        read = read_line(number, line)
        if isinstance(read, list):
            checked.errors.extend(read)
            continue
        if partner_id is not None:
            given = read.setdefault("partner_id", partner_id)
            if given != partner_id:
                checked.errors.append(
                    RowError(
                        number,
                        "partner_id",
                        "not_yours",
                        f"{given} is not the sending partner {partner_id}; a partner reports "
                        "on its own commitments",
                    )
                )
                continue
        report = _contract(number, {"event_id": str(new_id()), "occurred_at": now} | read)
        if isinstance(report, list):
            checked.errors.extend(report)
            continue
        problems = _against_the_file(number, report, today, rows, ids)
        checked.errors.extend(problems)
        if not problems:
            checked.rows.append(Row(number, report))
    if not checked.rows and not checked.errors:
        checked.errors.append(RowError(1, "file", "no_rows", "the file has no reports"))
    return checked


def _against_the_file(
    number: int,
    report: ProgressReported,
    today: date | None,
    rows: dict[tuple[str, str, int], int],
    ids: dict[str, int],
) -> list[RowError]:
    problems = []
    period = Period.parse(report.period)
    if today is not None and period.start > today:
        problems.append(
            RowError(
                number,
                "period",
                "period_in_future",
                f"{period} begins on {period.start}, after today ({today}); "
                "report it once it has begun",
            )
        )
    key = (report.commitment_id, report.period, report.revision)
    if key in rows:
        problems.append(
            RowError(
                number,
                "revision",
                "duplicate_row",
                f"commitment {key[0]}, period {key[1]}, revision {key[2]} is also on line "
                f"{rows[key]}; raise the revision to correct figures",
            )
        )
    event_id = str(report.event_id)
    if event_id in ids:
        problems.append(
            RowError(
                number,
                "event_id",
                "duplicate_event_id",
                f"event_id {event_id} is also on line {ids[event_id]}; every report needs its "
                "own (monitoring refuses a reused one)",
            )
        )
    rows.setdefault(key, number)
    ids.setdefault(event_id, number)
    return problems
