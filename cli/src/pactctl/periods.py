"""Reporting periods as partners write them: pact_contracts.sheets.periods (shared with the
portal's upload page)."""

from pact_contracts.sheets.periods import PERIOD, Period, periods_between

__all__ = ["PERIOD", "Period", "periods_between"]
