"""A commitment's periods with figures per year and scope (domain/years.py), as stored: on
its head when its views are kept inline, on the views' keeper's state when kept apart."""

from __future__ import annotations

from typing import Any


def figured_from(doc: dict[str, list[list[Any]]] | None) -> dict[int, dict[str, int]] | None:
    """None: a head stored before it kept them (read with every cell, then stored whole)."""
    return None if doc is None else {int(y): dict(pairs) for y, pairs in doc.items()}


def figured_years_doc(figured: dict[int, dict[str, int]]) -> dict[str, list[list[Any]]]:
    return {str(year): figured_doc(scopes) for year, scopes in figured.items()}


def figured_doc(scopes: dict[str, int]) -> list[list[Any]]:
    """A year's counts of periods with figures per scope (years.py), as [scope, count]
    pairs: scopes may hold dots, which a field name may not."""
    return [[scope, n] for scope, n in sorted(scopes.items())]
