"""Work a service does in the background of its process (the outbox relay, monitoring's
sweep and webhook deliveries): one named asyncio task each, started once, stopped by
cancelling it, with a nap that a `wake()` cuts short."""

from __future__ import annotations

import abc
import asyncio
import contextlib


class BackgroundTask(abc.ABC):
    def __init__(self, name: str) -> None:
        self._name = name
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    @abc.abstractmethod
    async def run(self) -> None:
        """Loops until cancelled; must outlive the failures of what it works on."""

    async def _stopped(self) -> None:
        """After the task ended (release what it held); nothing by default."""
        return None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def wake(self) -> None:
        """Something may be waiting now: end the current nap."""
        self._wake.set()

    async def nap(self, seconds: float) -> None:
        """Wait `seconds`, or less if woken. asyncio.timeout, not wait_for: on 3.11 wait_for
        can swallow a cancellation that arrives as the wait completes, and stop() would
        then hang."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        self._wake.clear()

    def start(self) -> None:
        if not self.running:
            self._task = asyncio.create_task(self.run(), name=self._name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._stopped()
