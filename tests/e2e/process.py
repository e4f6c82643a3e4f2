"""The bot as a separate process (`python -m bot`), for the end-to-end tests."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Mapping
from pathlib import Path
from typing import TypeVar

import pytest

from bot.config import PACKAGE_DIR, Settings
from bot.domain.catalog import Level, Theme
from bot.domain.links import parse_link
from bot.storage.seed import seed_territories
from tests.builders import add_page, add_user, open_database
from tests.fakes.bot_api import FakeBotAPI, FakeUser, SentMessage

ROOT = Path(__file__).resolve().parents[2]


TERRITORIES = PACKAGE_DIR / "data" / "territories_penza.csv"


STARTUP_TIMEOUT = 60.0  # importing aiogram alone takes seconds on a slow machine


REPLY_TIMEOUT = 15.0


EXIT_TIMEOUT = 10.0


SUPERADMIN_ID = 100


T = TypeVar("T")


#: How long a benchmark's tiny run may take on a slow, busy machine.
BENCH_TIMEOUT = 300


def run_bench(script: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run `script` (a path under bench/) with `arguments` from the project's folder,
    its output captured as text; subprocess.TimeoutExpired after BENCH_TIMEOUT s."""
    return subprocess.run(
        [sys.executable, script, *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=BENCH_TIMEOUT,
    )


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
        if value is None and not field.is_required() and name != "bot_token":
            value = ""
        if value is None or value is ...:
            raise AssertionError(f"the end-to-end test needs a value for {name.upper()}")
        if isinstance(value, frozenset | set | list | tuple):
            value = ",".join(str(item) for item in sorted(value))
        env[name.upper()] = str(value)
    if values:
        raise AssertionError(f"not settings: {sorted(values)}")
    return env


ADMIN = FakeUser(id=200, first_name="John", username="john", language_code="en")


async def administered_page(path: Path) -> int:
    """A new database at `path` where ADMIN administers one approved page, "Дом
    культуры" at vk.com/club123, stored with the project's own code; returns its id."""
    now = int(time.time())
    link = parse_link("https://vk.com/club123")
    assert link.platform is not None
    async with open_database(path) as db:
        await seed_territories(db, TERRITORIES)
        async with db.write() as repos:
            await add_user(repos, ADMIN, now=now)
            territory = (await repos.territories.all())[0]
            return await add_page(
                repos,
                link.key,
                url=link.url,
                platform=link.platform.value,
                title="Дом культуры",
                territory_id=territory.id,
                level=Level.MUNICIPAL.value,
                theme=Theme.CULTURE.value,
                created_by=ADMIN.id,
                now=now,
            )


def bot_env(fake: FakeBotAPI, database_path: Path, **values: object) -> dict[str, str]:
    """`settings_env` of this process's environment for a bot that talks to `fake` and
    keeps its database at `database_path`, SUPERADMIN_ID its superadmin, logging INFO;
    `values` set any other setting, or override these."""
    common: dict[str, object] = {
        "bot_token": fake.token,
        "telegram_api_url": fake.base_url,
        "database_path": database_path,
        "superadmin_ids": frozenset({SUPERADMIN_ID}),
        "log_level": "INFO",
    }
    return settings_env(os.environ, **(common | values))


def free_port() -> int:
    """A port on 127.0.0.1 the OS has just given out and taken back, for a process that
    must be told its port before it starts (a webhook's URL names it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


WEBHOOK_SECRET = "e2e-webhook_Secret0"


def webhook_env(fake: FakeBotAPI, database_path: Path, **values: object) -> dict[str, str]:
    """`bot_env` for webhook mode: the server on a free port of 127.0.0.1, which is also
    the webhook's URL (the fake posts there), and WEBHOOK_SECRET. RUN_MODE is left to
    `values` (`python -m bot webhook` forces it)."""
    port = free_port()
    webhook: dict[str, object] = {
        "webhook_url": f"http://127.0.0.1:{port}",
        "webhook_secret": WEBHOOK_SECRET,
        "webhook_host": "127.0.0.1",
        "webhook_port": port,
    }
    return bot_env(fake, database_path, **(webhook | values))


class BotProcess:
    """`python -m bot` in its own process; its stdout and stderr are collected as they come."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        #: The event loop's time when `kill()` sent SIGKILL, None until it did.
        self.killed_at: float | None = None
        self._chunks: dict[str, bytearray] = {"stdout": bytearray(), "stderr": bytearray()}
        self._output = asyncio.Condition()
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

    @classmethod
    async def serving(cls, env: Mapping[str, str], fake: FakeBotAPI) -> BotProcess:
        """The bot started from ROOT, once it has asked `fake` for updates (the test
        fails, with the bot's output, if it does not within STARTUP_TIMEOUT)."""
        bot = await cls.start(env, ROOT)
        try:
            await bot.until(fake.wait_polling(timeout=STARTUP_TIMEOUT), "the first getUpdates")
        except BaseException:
            await bot.kill()
            raise
        return bot

    @classmethod
    async def run(cls, env: Mapping[str, str], cwd: Path, *args: str) -> BotProcess:
        """`python -m bot *args` run to its end, its output collected; the exit code is
        `process.returncode`. Raises TimeoutError (the process killed) if it runs longer
        than STARTUP_TIMEOUT."""
        command = await cls.start(env, cwd, *args)
        try:
            async with asyncio.timeout(STARTUP_TIMEOUT):
                await command.process.wait()
        finally:
            await command.kill()
        return command

    async def _drain(self, stream: asyncio.StreamReader, into: bytearray) -> None:
        while chunk := await stream.read(65536):
            into.extend(chunk)
            async with self._output:
                self._output.notify_all()

    async def logged(self, text: str) -> None:
        """Wait until `text` is in the bot's stderr (its log), failing at once (with the
        bot's output) if the bot exits first or after STARTUP_TIMEOUT."""

        async def appears() -> None:
            try:
                async with asyncio.timeout(STARTUP_TIMEOUT), self._output:
                    await self._output.wait_for(lambda: text in self.stderr)
            except TimeoutError:
                raise TimeoutError(f"{text!r} not logged within {STARTUP_TIMEOUT} s") from None

        await self.until(appears(), f"{text!r} in the log")

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

    async def answer(self, fake: FakeBotAPI, user: FakeUser, text: str, start: str) -> SentMessage:
        """Say `text` to the bot as `user`; the bot's next message to them that starts
        with `start` (earlier ones, e.g. a digest the start-up sent, are passed over)."""
        since = len(fake.sent)
        fake.say(user, text)
        return await self.until(
            fake.wait_for_message(
                user.id,
                lambda message: message.content.startswith(start),
                timeout=REPLY_TIMEOUT,
                since=since,
            ),
            f"the answer to {text}",
        )

    async def stop(self, timeout: float) -> int:  # noqa: ASYNC109 - a deadline, not a wait
        """SIGTERM; the exit code, or a failure if the bot is still running after `timeout`."""
        self.process.send_signal(signal.SIGTERM)
        return await self.exit_code(timeout)

    async def exit_code(self, timeout: float) -> int:  # noqa: ASYNC109 - a deadline, not a wait
        """The exit code, or a failure if the bot is still running after `timeout`."""
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
            self.killed_at = asyncio.get_running_loop().time()
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
