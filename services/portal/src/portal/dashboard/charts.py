"""The dashboard's charts, drawn on the server as inline SVG: no JavaScript library, nothing
fetched from a CDN, readable without scripts. Every chart is an `img` with a title and a
description; the page gives each one a table of its data as the text alternative.
Colours come from the stylesheet (classes), so the page's CSP needs no inline styles."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup, escape


def amount(value: float, unit: str = "") -> str:
    """12,345 (or €12,345)."""
    return f"{unit}{value:,.0f}"


def short(value: float, unit: str = "") -> str:
    """Axis labels: 950, 12k, 1.2M."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            text = f"{value / size:.1f}".removesuffix(".0")
            return f"{unit}{text}{suffix}"
    return f"{unit}{value:,.0f}"


def nice_step(span: float, ticks: int) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` ticks."""
    raw = max(span, 1e-9) / max(1, ticks)
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


@dataclass(frozen=True)
class ProgressPoint:
    day: date  # the last day of the period
    value: float  # the cumulative value at that day
    label: str  # e.g. "2026-Q2: 1,200 (cumulative 2,000)"


@dataclass(frozen=True)
class MilestoneMark:
    due: date
    value: float
    state: str  # "reached", "missed" or "ahead"


@dataclass(frozen=True)
class ProgressChart:
    chart_id: str
    title: str
    description: str
    start: date
    deadline: date
    baseline: float
    target: float
    points: Sequence[ProgressPoint]
    milestones: Sequence[MilestoneMark] = ()
    today: date | None = None
    unit: str = ""
    compact: bool = False
    #: the chart's words in the reader's language: today, target, plan, milestone and the
    #: milestone states (English when not given)
    words: Mapping[str, str] = field(default_factory=dict)

    def word(self, key: str) -> str:
        return self.words.get(key, ENGLISH[key])


ENGLISH = {
    "today": "today",
    "target": "target",
    "plan": "Linear plan to the target",
    "milestone": "Milestone",
    "reached": "reached",
    "missed": "missed",
    "ahead": "ahead",
}


class _Frame:
    """Maps days and values to the SVG's coordinates."""

    def __init__(self, c: ProgressChart) -> None:
        self.width, self.height = (360, 170) if c.compact else (760, 300)
        self.left, self.right, self.top, self.bottom = (
            (44, 12, 12, 22) if c.compact else (60, 20, 16, 28)
        )
        days = [c.deadline, *(p.day for p in c.points), *(m.due for m in c.milestones)]
        self.first, self.last = min([c.start, *(p.day for p in c.points)]), max(days)
        highest = max([c.target, *(p.value for p in c.points), *(m.value for m in c.milestones)])
        self.step = nice_step(highest * 1.05, 3 if c.compact else 5)
        self.top_value = math.ceil(highest * 1.05 / self.step) * self.step

    def x(self, day: date) -> float:
        span = max(1, (self.last - self.first).days)
        inner = self.width - self.left - self.right
        return round(self.left + inner * (day - self.first).days / span, 1)

    def y(self, value: float) -> float:
        inner = self.height - self.top - self.bottom
        return round(self.top + inner * (1 - value / self.top_value), 1)


def _x_ticks(first: date, last: date, compact: bool) -> list[tuple[date, str]]:
    years = range(first.year + (first > date(first.year, 1, 1)), last.year + 1)
    if len(years) >= 2:
        stride = max(1, math.ceil(len(years) / (4 if compact else 8)))
        return [(date(y, 1, 1), str(y)) for y in years[::stride]]
    ticks = []
    for y in range(first.year, last.year + 1):
        for q in range(4):
            day = date(y, 3 * q + 1, 1)
            if first <= day <= last:
                ticks.append((day, f"Q{q + 1} {y}"))
    return ticks


def progress_chart(c: ProgressChart) -> Markup:
    """Cumulative progress over time against the target, the linear plan and milestones."""
    f = _Frame(c)
    tid, did = f"{c.chart_id}-title", f"{c.chart_id}-desc"
    out = [
        f'<svg class="chart chart-progress" viewBox="0 0 {f.width} {f.height}" role="img" '
        f'aria-labelledby="{tid} {did}" id="{c.chart_id}">',
        f'<title id="{tid}">{escape(c.title)}</title>',
        f'<desc id="{did}">{escape(c.description)}</desc>',
    ]
    value = 0.0
    while value <= f.top_value + 1e-9:
        y = f.y(value)
        out.append(f'<line class="grid" x1="{f.left}" x2="{f.width - f.right}" y1="{y}" y2="{y}"/>')
        out.append(
            f'<text class="tick" x="{f.left - 6}" y="{y + 4}" text-anchor="end">'
            f"{escape(short(value, c.unit))}</text>"
        )
        value += f.step
    base = f.height - f.bottom
    for day, label in _x_ticks(f.first, f.last, c.compact):
        x = f.x(day)
        out.append(f'<line class="tick-mark" x1="{x}" x2="{x}" y1="{base}" y2="{base + 4}"/>')
        out.append(
            f'<text class="tick" x="{x}" y="{base + 16}" text-anchor="middle">{label}</text>'
        )
    if c.today is not None and f.first <= c.today <= f.last:
        x = f.x(c.today)
        out.append(f'<line class="today" x1="{x}" x2="{x}" y1="{f.top}" y2="{base}"/>')
        today = escape(c.word("today"))
        out.append(f'<text class="today-label" x="{x + 3}" y="{f.top + 9}">{today}</text>')
    ty = f.y(c.target)
    out.append(f'<line class="target" x1="{f.left}" x2="{f.width - f.right}" y1="{ty}" y2="{ty}"/>')
    out.append(
        f'<text class="target-label" x="{f.width - f.right - 2}" y="{ty - 5}" text-anchor="end">'
        f"{escape(c.word('target'))} {escape(short(c.target, c.unit))}</text>"
    )
    out.append(
        f'<line class="plan" x1="{f.x(c.start)}" y1="{f.y(c.baseline)}" '
        f'x2="{f.x(c.deadline)}" y2="{ty}"><title>{escape(c.word("plan"))}</title></line>'
    )
    line = [(f.x(c.start), f.y(c.baseline)), *((f.x(p.day), f.y(p.value)) for p in c.points)]
    if len(line) > 1:
        coords = " ".join(f"{x},{y}" for x, y in line)
        out.append(f'<path class="area" d="M{line[0][0]},{base} L{coords.replace(" ", " L")} '
                   f'L{line[-1][0]},{base} Z"/>')  # fmt: skip
        out.append(f'<polyline class="progress" points="{coords}"/>')
    radius = 2.5 if c.compact or len(c.points) > 24 else 3.5
    for p in c.points:
        out.append(
            f'<circle class="dot" cx="{f.x(p.day)}" cy="{f.y(p.value)}" r="{radius}">'
            f"<title>{escape(p.label)}</title></circle>"
        )
    size = 4 if c.compact else 6
    for m in c.milestones:
        x, y = f.x(m.due), f.y(m.value)
        what = f"{c.word('milestone')} {m.due}: {amount(m.value, c.unit)} ({c.word(m.state)})"
        out.append(
            f'<path class="milestone {m.state}" d="M{x},{y - size} L{x + size},{y} L{x},{y + size} '
            f'L{x - size},{y} Z"><title>{escape(what)}</title></path>'
        )
    out.append("</svg>")
    return Markup("".join(out))


def bar_chart(chart_id: str, title: str, rows: Sequence[tuple[str, int]], total: int) -> Markup:
    """Horizontal bars with their values and shares of `total`."""
    row_h, left, width, right = 26, 104, 420, 96
    height = max(1, len(rows)) * row_h + 8
    top = max([v for _, v in rows] or [1]) or 1
    described = "; ".join(f"{k}: {amount(v)}" for k, v in rows) or "nothing reported yet"
    tid, did = f"{chart_id}-title", f"{chart_id}-desc"
    out = [
        f'<svg class="chart chart-bars" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{tid} {did}" id="{chart_id}">',
        f'<title id="{tid}">{escape(title)}</title><desc id="{did}">{escape(described)}</desc>',
    ]
    inner = width - left - right
    for i, (label, value) in enumerate(rows):
        y = 4 + i * row_h
        w = round(inner * value / top, 1)
        share = f" ({value / total:.0%})" if total else ""
        out.append(
            f'<text class="bar-label" x="{left - 8}" y="{y + 16}" text-anchor="end">'
            f"{escape(label)}</text>"
            f'<rect class="bar-track" x="{left}" y="{y + 4}" width="{inner}" height="16" rx="3"/>'
            f'<rect class="bar" x="{left}" y="{y + 4}" width="{max(w, 1)}" height="16" rx="3">'
            f"<title>{escape(label)}: {amount(value)}{share}</title></rect>"
            f'<text class="bar-value" x="{left + inner + 6}" y="{y + 16}">'
            f"{amount(value)}{share}</text>"
        )
    out.append("</svg>")
    return Markup("".join(out))


def meter(share: float, state: str = "") -> Markup:
    """A thin bar for a share (0..1, drawn up to 100 %); the text next to it says the number."""
    width = round(max(0.0, min(1.0, share)) * 100, 1)
    return Markup(
        '<svg class="meter" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true" '
        f'focusable="false"><rect class="meter-track" width="100" height="6" rx="3"/>'
        f'<rect class="meter-fill {escape(state)}" width="{width}" height="6" rx="3"/></svg>'
    )
