"""The exports running in the background: at most one per user, cancelled at shutdown.

/export answers at once and writes the file in a task of its own, so that the
coordinator's later messages (held in order per user by the event isolation) need not
wait minutes for a large export. This registry is what keeps those tasks: it refuses a
second export of the same user while one runs (a double tap on the format button gives
one file), logs a task's failure, and cancels what still runs when the bot stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class ExportRuns:
    def __init__(self) -> None:
        self._tasks: dict[int, asyncio.Task[None]] = {}

    def running(self, user_id: int) -> bool:
        """Whether an export of `user_id` (a Telegram user id) is running."""
        return user_id in self._tasks

    def start(self, user_id: int, work: Coroutine[Any, Any, None]) -> bool:
        """Run `work` in a background task as `user_id`'s export; False (and `work` is
        closed unrun) if one of theirs is running already. Synchronous, so two requests
        can never both pass the check."""
        if user_id in self._tasks:
            work.close()
            return False
        self._tasks[user_id] = asyncio.create_task(
            self._run(user_id, work), name=f"export-{user_id}"
        )
        return True

    async def _run(self, user_id: int, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("The export of user %d failed", user_id)
        finally:
            del self._tasks[user_id]

    async def wait(self) -> None:
        """Wait until the exports running now have finished (however they end)."""
        if self._tasks:
            await asyncio.wait(list(self._tasks.values()))

    async def stop(self, grace: float) -> None:
        """Cancel every running export and wait up to `grace` seconds for them to clean
        up (their temporary files are removed as they unwind)."""
        tasks = list(self._tasks.values())
        if not tasks:
            return
        for task in tasks:
            task.cancel()
        _, late = await asyncio.wait(tasks, timeout=grace)
        if late:
            log.warning("Stopping with %d exports still unwinding", len(late))
