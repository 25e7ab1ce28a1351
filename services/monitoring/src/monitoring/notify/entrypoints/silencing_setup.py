"""Silences and inhibition as bootstrap builds them: the store, what mutes alerts now, the
hold the delivery worker asks before each attempt, the sweep that releases held deliveries,
and the routes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from pymongo.asynchronous.database import AsyncDatabase

from monitoring.notify.adapters.silences import (
    MongoHeldDeliveries,
    MongoMuting,
    MongoSilenceStore,
    ensure_indexes,
)
from monitoring.notify.domain.delivery import Delivery
from monitoring.notify.entrypoints.silence_sweep import ReleaseSweeper
from monitoring.notify.entrypoints.silences_http import SilenceServices, silences_router
from monitoring.notify.service_layer import muting
from pact_common.clock import Clock


@dataclass
class Silencing:
    db: AsyncDatabase[dict[str, Any]]
    table: Mapping[str, Iterable[str]]
    clock: Clock
    interval: float
    log: Any = None
    muting: MongoMuting = field(init=False)
    held: MongoHeldDeliveries = field(init=False)
    releaser: ReleaseSweeper = field(init=False)

    def __post_init__(self) -> None:
        self.muting = MongoMuting(self.db, self.table)
        self.held = MongoHeldDeliveries(self.db)
        self.releaser = ReleaseSweeper(self.release, self.interval, self.log)

    async def hold(self, delivery: Delivery) -> Delivery | None:
        """Before an attempt: the delivery held (or left unsent) if its alert is muted."""
        return await muting.hold(delivery, self.muting, self.held, self.clock())

    async def release(self) -> int:
        return await muting.release(self.held, self.muting, self.clock())

    def router(self) -> APIRouter:
        return silences_router(SilenceServices(MongoSilenceStore(self.db), self.clock))

    async def start(self, release: bool = True) -> None:
        await ensure_indexes(self.db)
        if release:
            self.releaser.start()

    async def stop(self) -> None:
        await self.releaser.stop()
