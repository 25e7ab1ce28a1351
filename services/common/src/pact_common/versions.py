"""Keep the highest version: a read model built from another service's events replaces
what it holds only with a newer snapshot, so duplicated, redelivered and reordered events
all converge on the producer's latest state."""

from __future__ import annotations


def is_newer(incoming: int, known: int | None) -> bool:
    """Whether a snapshot at version `incoming` replaces the one held at version `known`
    (None: nothing held yet). An equal version is a duplicate, not news."""
    return known is None or incoming > known
