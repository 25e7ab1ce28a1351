"""How the alerts' messages state amounts: a figure with its unit, a share of another. Pure."""

from __future__ import annotations

from monitoring.core.domain.model import Metric

_UNITS = {
    Metric.PEOPLE_TRAINED: "people trained",
    Metric.PEOPLE_REACHED: "people reached",
    Metric.PROGRAMMES_DEVELOPED: "programmes developed",
    Metric.INVESTMENT_EUR: "euros invested",
    Metric.PEOPLE_PLACED_IN_JOBS: "people placed in digital jobs",
    Metric.NEW_ENTRANTS: "new entrants",
    Metric.CERTIFICATES_ISSUED: "certificates issued",
}


def amount(value: float, metric: Metric) -> str:
    """'8,000 people trained'; '€1,250,000 invested'."""
    if metric is Metric.INVESTMENT_EUR:
        return f"€{value:,.0f} invested"
    return f"{value:,.0f} {_UNITS[metric]}"


def share(actual: float, expected: float) -> str:
    return f"{actual / expected:.0%}" if expected else "n/a"
