"""Work a service does in the background of its process (the outbox relay, monitoring's
sweep and webhook deliveries): one named asyncio task each, started once, stopped by
cancelling it, with a nap that a `wake()` cuts short. A stop never waits more than
STOP_SECONDS for a cancelled task: one that does not end is left behind and logged with
where it was, rather than holding the service's shutdown forever."""

from __future__ import annotations

import abc
import asyncio
import contextlib
import io
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import structlog

#: how long a cancelled task may take to end before a stop leaves it behind
STOP_SECONDS = 10.0


async def cancelled(tasks: Iterable[asyncio.Task[Any]], seconds: float = STOP_SECONDS) -> None:
    """Cancel the tasks and wait at most `seconds` for them to end. One that swallowed its
    cancellation (on Python 3.11, asyncio.wait_for can, as its wait completes) is left behind
    with a warning naming it and where it waits; one that had failed is said too."""
    tasks = list(tasks)
    for task in tasks:
        task.cancel()  # nothing, for a task that has ended
    pending = [t for t in tasks if not t.done()]
    stuck: set[asyncio.Task[Any]] = set()
    if pending:
        _, stuck = await asyncio.wait(pending, timeout=seconds)
    log = structlog.get_logger("background")
    for task in tasks:
        if task in stuck:
            where = io.StringIO()
            task.print_stack(file=where)
            log.warning(
                "a stopped task did not end; left behind",
                task=task.get_name(), seconds=seconds, stack=where.getvalue(),
            )  # fmt: skip
        elif not task.cancelled() and (error := task.exception()) is not None:
            log.warning("a stopped task had failed", task=task.get_name(), error=repr(error))


class BackgroundTask(abc.ABC):
    def __init__(self, name: str) -> None:
        self._name = name
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = False

    @abc.abstractmethod
    async def run(self) -> None:
        """Loops until cancelled; must outlive the failures of what it works on."""

    async def _stopped(self) -> None:
        """After the task ended (release what it held); nothing by default."""
        return None

    @property
    def stopping(self) -> bool:
        """A stop was asked for: `run` loops while this is false, so a task whose
        cancellation was swallowed (a wait_for race, or a library catching it on its way
        out) still ends at its next turn instead of working on after its service stopped,
        against clients that are closed."""
        return self._stopping

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
            self._stopping = False
            self._task = asyncio.create_task(self.run(), name=self._name)

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()  # a nap ends at once
        if self._task is not None:
            await cancelled([self._task])
            self._task = None
        await self._stopped()


class Periodic(BackgroundTask):
    """`step` every `interval` seconds (a nap first), outliving its failures: each is
    logged as `failed` and the next turn tries again. `_done` sees what a step returned."""

    def __init__(
        self,
        name: str,
        step: Callable[[], Awaitable[Any]],
        interval: float,
        logger: Any = None,
        failed: str = "a periodic step failed; retrying",
    ) -> None:
        super().__init__(name)
        self._step = step
        self._interval = interval
        self._log = logger
        self._failed = failed

    async def run_once(self) -> Any:
        return await self._step()

    def _done(self, result: Any) -> None:
        """After a step that did not fail; nothing by default."""
        return None

    async def run(self) -> None:
        while not self.stopping:
            await self.nap(self._interval)
            try:
                result = await self._step()
            except Exception as exc:  # noqa: BLE001 - must outlive db outages
                if self._log is not None:
                    self._log.warning(self._failed, error=str(exc))
                continue
            self._done(result)
