"""Commitments' heads and cells kept in memory as MongoCommitmentRepository stores them: a
head whole the first time and after a new definition, else changed by its update
(documents.head_update: `$set` and `$unset` of dotted paths); a cell per written period."""

from __future__ import annotations

from typing import Any

from monitoring.core.adapters import documents as d
from monitoring.core.domain.progress import CommitmentProgress


class StoredHeads:
    def __init__(self) -> None:
        self.heads: dict[str, dict[str, Any]] = {}
        self.cells: dict[str, dict[str, Any]] = {}

    def store(self, p: CommitmentProgress, *, check: bool = False) -> None:
        """Its head, and the cells of the periods it has written (then no longer written).
        `check`: the head stored must be the one a whole write would leave."""
        update = d.head_update(p)
        p.head_stored()
        if update is None:
            self.heads[p.id] = d.head_doc(p)
        else:
            head = self.heads[p.id]
            for path, value in update["$set"].items():
                *parents, name = path.split(".")
                node = head
                for parent in parents:
                    node = node.setdefault(parent, {})
                node[name] = value
            for path in update.get("$unset", {}):
                field, key = path.split(".")  # marks, scoped, figured: by period or year
                head[field].pop(key, None)
            if check:
                assert head == d.head_doc(p), p.id
        for period in p.written:
            entry = p.periods.get(period)
            if entry is None:
                self.cells.pop(d.cell_id(p.id, period), None)
            else:
                self.cells[d.cell_id(p.id, period)] = d.cell_doc(p.id, entry)
        p.written.clear()
