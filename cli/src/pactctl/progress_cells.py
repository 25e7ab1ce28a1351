"""One line of a progress sheet read cell by cell: pact_contracts.sheets.cells (shared with
the portal's upload page, which refuses the same cells with the same words)."""

from pact_contracts.sheets.cells import (
    BROKEN_DOWN,
    FIGURES,
    FIGURES_BY_NAME,
    MAX_COUNT,
    MAX_REVISION,
    Line,
    RowError,
    figure_columns,
    sum_check,
)

__all__ = [
    "BROKEN_DOWN",
    "FIGURES",
    "FIGURES_BY_NAME",
    "MAX_COUNT",
    "MAX_REVISION",
    "Line",
    "RowError",
    "figure_columns",
    "sum_check",
]
