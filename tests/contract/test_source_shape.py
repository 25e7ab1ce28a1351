"""The services' source keeps its shape: modules stay under 300 lines (STYLE.md, Tooling).

A module past that does several jobs; split it by responsibility, not by type. Layering
(which module may import which) is checked by import-linter in `make lint` (.importlinter).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 300


def line_counts() -> dict[str, int]:
    return {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(ROOT.glob("services/*/src/**/*.py"))
    }


def test_the_source_is_found() -> None:
    assert len(line_counts()) > 50


def test_no_service_module_exceeds_300_lines() -> None:
    too_long = [f"{path} ({n} lines)" for path, n in line_counts().items() if n > MAX_LINES]
    assert not too_long, f"split by responsibility (over {MAX_LINES} lines): " + ", ".join(too_long)
