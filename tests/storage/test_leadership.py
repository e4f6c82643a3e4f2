"""One leader among the processes sharing a database: the leader lock and the duties."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.services.leadership import Leadership
from bot.storage.leader import FileLeaderLock

HEARTBEAT = 0.05


def leadership(path: Path, name: str, log: list[str]) -> Leadership:
    """A contender for the lock at `path` whose duties append "<name> up/down" to `log`."""
    contender = Leadership(lambda: FileLeaderLock(path), heartbeat=HEARTBEAT, replica=name)

    async def up() -> None:
        log.append(f"{name} up")

    async def down() -> None:
        log.append(f"{name} down")

    contender.on_elected.append(up)
    contender.on_deposed.append(down)
    return contender


async def test_one_contender_leads_and_another_takes_over_when_it_stops(tmp_path: Path) -> None:
    path, log = tmp_path / "bot.sqlite3.leader", list[str]()
    first, second = leadership(path, "a", log), leadership(path, "b", log)
    await first.start()
    await second.start()
    assert (first.is_leader, second.is_leader) == (True, False)
    await asyncio.sleep(HEARTBEAT * 3)  # heartbeats change nothing while "a" leads
    assert log == ["a up"]

    await first.stop()
    await asyncio.wait_for(second.wait_elected(), timeout=5)
    assert log == ["a up", "a down", "b up"]
    await second.stop()
    assert log[-1] == "b down"


async def test_a_failing_duty_does_not_keep_the_others_from_running(tmp_path: Path) -> None:
    log: list[str] = []
    contender = leadership(tmp_path / "leader", "a", log)

    async def broken() -> None:
        raise RuntimeError("the scheduler would not start")

    contender.on_elected.insert(0, broken)
    await contender.start()
    assert contender.is_leader
    assert log == ["a up"]
    await contender.stop()


async def test_the_file_lock_is_free_again_once_released(tmp_path: Path) -> None:
    path = tmp_path / "leader"
    first, second = FileLeaderLock(path), FileLeaderLock(path)
    assert await first.try_acquire()
    assert await first.held()
    assert not await second.try_acquire()
    await first.release()
    assert not await first.held()
    assert await second.try_acquire()
    await second.release()
