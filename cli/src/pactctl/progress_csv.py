"""A partner's period figures from a spreadsheet export (CSV), checked row by row against
the ProgressReported contract before anything is sent: pact_contracts.sheets.progress_csv,
shared with the portal's upload page (the columns are documented there)."""

from pact_contracts.sheets.progress_csv import (
    COLUMNS,
    REQUIRED,
    Checked,
    Row,
    check_progress_csv,
)

__all__ = ["COLUMNS", "REQUIRED", "Checked", "Row", "check_progress_csv"]
