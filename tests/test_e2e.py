"""End to end: `python -m bot` as a separate process against the fake Bot API server.

The fake runs in the test's event loop and the bot in its own process, so everything
between them is real: settings from the environment, start-up, long polling, the
database on disk, SIGTERM handling and the exit code.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Awaitable, Mapping
from pathlib import Path
from typing import TypeVar

import pytest

from bot.config import PACKAGE_DIR, Settings
from bot.domain.catalog import Level, PageStatus, Theme
from bot.domain.links import parse_link
from bot.storage.database import Database
from bot.storage.seed import seed_territories
from tests.fakes.bot_api import FakeBotAPI, FakeUser

# Measures time or rate: runs alone (see the Makefile).
pytestmark = pytest.mark.serial

ROOT = Path(__file__).resolve().parent.parent
TERRITORIES = PACKAGE_DIR / "data" / "territories_penza.csv"

STARTUP_TIMEOUT = 60.0  # importing aiogram alone takes seconds on a slow machine
REPLY_TIMEOUT = 15.0
EXIT_TIMEOUT = 10.0

SUPERADMIN_ID = 100
ADMIN = FakeUser(id=200, first_name="John", username="john", language_code="en")

T = TypeVar("T")


def settings_env(base: Mapping[str, str], **values: object) -> dict[str, str]:
    """`base` with every setting of `Settings` given explicitly: `values`, else the default.

    Environment variables win over `.env` in pydantic-settings, so a developer's `.env`
    in the working directory cannot change what the bot under test sees. Names are
    matched case-insensitively, as pydantic-settings does, so stray spellings go.
    """
    names = {name.upper() for name in Settings.model_fields}
    env = {key: value for key, value in base.items() if key.upper() not in names}
    for name, field in Settings.model_fields.items():
        value = values.pop(name, field.default)
        if value is None or value is ...:
            raise AssertionError(f"the end-to-end test needs a value for {name.upper()}")
        if isinstance(value, frozenset | set | list | tuple):
            value = ",".join(str(item) for item in sorted(value))
        env[name.upper()] = str(value)
    if values:
        raise AssertionError(f"not settings: {sorted(values)}")
    return env


class BotProcess:
    """`python -m bot` in its own process; its stdout and stderr are collected as they come."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self._chunks: dict[str, bytearray] = {"stdout": bytearray(), "stderr": bytearray()}
        assert process.stdout is not None
        assert process.stderr is not None
        self._readers = [
            asyncio.create_task(self._drain(process.stdout, self._chunks["stdout"])),
            asyncio.create_task(self._drain(process.stderr, self._chunks["stderr"])),
        ]

    @classmethod
    async def start(cls, env: Mapping[str, str], cwd: Path, *args: str) -> BotProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=cwd,
            env=dict(env),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        return cls(process)

    @staticmethod
    async def _drain(stream: asyncio.StreamReader, into: bytearray) -> None:
        while chunk := await stream.read(65536):
            into.extend(chunk)

    @property
    def stdout(self) -> str:
        return self._chunks["stdout"].decode("utf-8", "replace")

    @property
    def stderr(self) -> str:
        return self._chunks["stderr"].decode("utf-8", "replace")

    def describe(self) -> str:
        return (
            f"exit code: {self.process.returncode}\n"
            f"--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"
        )

    async def until(self, waiting: Awaitable[T], what: str) -> T:
        """Await `waiting`, failing at once (with the bot's output) if the bot exits first."""
        task = asyncio.ensure_future(waiting)
        exited = asyncio.ensure_future(self.process.wait())
        try:
            await asyncio.wait({task, exited}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            exited.cancel()
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await self._finish_reading()
            pytest.fail(f"the bot exited while waiting for {what}\n{self.describe()}")
        try:
            return task.result()
        except TimeoutError as exc:
            pytest.fail(f"{exc}\n{self.describe()}")

    async def stop(self, timeout: float) -> int:  # noqa: ASYNC109 - a deadline, not a wait
        """SIGTERM; the exit code, or a failure if the bot is still running after `timeout`."""
        self.process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(timeout):
                code = await self.process.wait()
        except TimeoutError:
            pytest.fail(f"the bot did not exit within {timeout} s of SIGTERM\n{self.describe()}")
        await self._finish_reading()
        return code

    async def kill(self) -> None:
        """Make sure the process is gone and its pipes are closed (for `finally`)."""
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        await self._finish_reading()

    async def _finish_reading(self) -> None:
        # The pipes reach EOF once the process is gone; a grandchild holding them open
        # must not hang the test.
        try:
            async with asyncio.timeout(EXIT_TIMEOUT):
                await asyncio.gather(*self._readers)
        except TimeoutError:
            for reader in self._readers:
                reader.cancel()
            await asyncio.gather(*self._readers, return_exceptions=True)


async def prepare_database(path: Path) -> int:
    """A user who administers one approved page, stored with the project's own code;
    returns the page's id."""
    now = int(time.time())
    link = parse_link("https://vk.com/club123")
    assert link.platform is not None
    db = Database(path)
    await db.connect()
    try:
        await seed_territories(db, TERRITORIES)
        async with db.write() as repos:
            await repos.users.touch(
                ADMIN.id,
                username=ADMIN.username,
                full_name=ADMIN.first_name,
                language_code=ADMIN.language_code,
                now=now,
            )
            territory = (await repos.territories.all())[0]
            page_id = await repos.pages.create(
                link_key=link.key,
                url=link.url,
                platform=link.platform.value,
                title="Дом культуры",
                territory_id=territory.id,
                level=Level.MUNICIPAL.value,
                theme=Theme.CULTURE.value,
                created_by=ADMIN.id,
                now=now,
            )
            assert await repos.pages.decide(
                page_id,
                status=PageStatus.APPROVED,
                reason=None,
                decided_by=ADMIN.id,
                now=now,
            )
    finally:
        await db.close()
    return page_id


async def test_the_bot_answers_saves_a_report_and_stops_cleanly_on_sigterm(
    tmp_path: Path,
) -> None:
    database_path = tmp_path / "bot.sqlite3"
    page_id = await prepare_database(database_path)

    async with FakeBotAPI() as fake:
        secret = fake.token.partition(":")[2]
        env = settings_env(
            os.environ,
            bot_token=fake.token,
            telegram_api_url=fake.base_url,
            database_path=database_path,
            superadmin_ids=frozenset({SUPERADMIN_ID}),
            log_level="INFO",
        )
        bot = await BotProcess.start(env, ROOT)
        try:
            await bot.until(fake.wait_polling(timeout=STARTUP_TIMEOUT), "the first getUpdates")

            since = len(fake.sent)
            fake.say(ADMIN, "/start")
            # The start-up catch-up may send this week's digest too: wait for the greeting.
            greeting = await bot.until(
                fake.wait_for_message(
                    ADMIN.id,
                    lambda message: message.content.startswith("Hello"),
                    timeout=REPLY_TIMEOUT,
                    since=since,
                ),
                "the answer to /start",
            )
            assert ADMIN.first_name in greeting.content

            since = len(fake.sent)
            fake.say(ADMIN, f"/report {page_id} 4321")
            saved = await bot.until(
                fake.wait_for_message(
                    ADMIN.id,
                    lambda message: message.content.startswith("Saved"),
                    timeout=REPLY_TIMEOUT,
                    since=since,
                ),
                "the answer to /report",
            )
            assert "Дом культуры" in saved.content
            assert "4,321" in saved.content

            code = await bot.stop(EXIT_TIMEOUT)
            assert code == 0, bot.describe()
        finally:
            await bot.kill()
        assert not fake.internal_errors

    output = bot.stdout + bot.stderr
    # The log was written (so the check below is not vacuous) and never shows the token.
    assert "Started" in bot.stderr, bot.describe()
    assert "Stopped" in bot.stderr, bot.describe()
    assert secret not in output, "the token's secret part leaked into the bot's output"

    db = Database(database_path)
    await db.connect()
    try:
        async with db.read() as repos:
            reports = await repos.reports.history(page_id, limit=100)
            page = await repos.pages.get(page_id)
    finally:
        await db.close()
    assert [(report.figure, report.reported_by) for report in reports] == [(4321, ADMIN.id)]
    assert page is not None
    assert page.current_figure == 4321


async def test_without_a_token_the_bot_says_where_to_put_it_and_exits_with_2(
    tmp_path: Path,
) -> None:
    names = {name.upper() for name in Settings.model_fields}
    env = {key: value for key, value in os.environ.items() if key.upper() not in names}
    # tmp_path holds no .env; `bot` is imported from the repository all the same.
    env["PYTHONPATH"] = str(ROOT)
    bot = await BotProcess.start(env, tmp_path)
    try:
        async with asyncio.timeout(STARTUP_TIMEOUT):
            code = await bot.process.wait()
    finally:
        await bot.kill()
    assert code == 2, bot.describe()
    lines = bot.stderr.splitlines()
    assert any("BOT_TOKEN" in line and ".env" in line for line in lines), bot.describe()
    assert "Traceback" not in bot.stderr, bot.describe()


async def test_a_token_telegram_rejects_stops_the_bot_with_a_clear_line(tmp_path: Path) -> None:
    """A revoked or mistyped token: the process must exit (so a supervisor restarts or
    alerts), not hang with an open database."""
    async with FakeBotAPI() as fake:
        env = settings_env(
            os.environ,
            bot_token="999:WRONG-TOKEN",
            telegram_api_url=fake.base_url,
            database_path=tmp_path / "bot.sqlite3",
            superadmin_ids=frozenset({SUPERADMIN_ID}),
            log_level="INFO",
        )
        bot = await BotProcess.start(env, ROOT)
        try:
            async with asyncio.timeout(STARTUP_TIMEOUT):
                code = await bot.process.wait()
        finally:
            await bot.kill()
    assert code == 1, bot.describe()
    assert any("BOT_TOKEN" in line for line in bot.stderr.splitlines()), bot.describe()
    assert "WRONG-TOKEN" not in bot.stderr + bot.stdout
