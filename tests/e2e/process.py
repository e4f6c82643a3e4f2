"""The bot as a separate process (`python -m bot`), for the end-to-end tests."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Awaitable, Mapping
from pathlib import Path
from typing import TypeVar

import pytest

from bot.config import PACKAGE_DIR, Settings
from tests.fakes.bot_api import FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]


TERRITORIES = PACKAGE_DIR / "data" / "territories_penza.csv"


STARTUP_TIMEOUT = 60.0  # importing aiogram alone takes seconds on a slow machine


REPLY_TIMEOUT = 15.0


EXIT_TIMEOUT = 10.0


SUPERADMIN_ID = 100


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

    @classmethod
    async def against(cls, fake: FakeBotAPI, database_path: Path, **settings: object) -> BotProcess:
        """`python -m bot` from the repository, talking to `fake` with its token, storing in
        `database_path`, with SUPERADMIN_ID the superadmin and INFO logging; `settings`
        add to these or replace them (e.g. `bot_token`). Every setting is given in the
        environment (see `settings_env`)."""
        defaults: dict[str, object] = {
            "bot_token": fake.token,
            "telegram_api_url": fake.base_url,
            "database_path": database_path,
            "superadmin_ids": frozenset({SUPERADMIN_ID}),
            "log_level": "INFO",
        }
        return await cls.start(settings_env(os.environ, **(defaults | settings)), ROOT)

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

    async def exited(self, timeout: float, *, after: str = "") -> int:  # noqa: ASYNC109 - a deadline
        """The exit code once the bot exits, or a failure if it still runs `timeout` seconds
        from now (`after`: what was done to make it exit, for that failure's message)."""
        try:
            async with asyncio.timeout(timeout):
                code = await self.process.wait()
        except TimeoutError:
            within = f"{timeout} s of {after}" if after else f"{timeout} s"
            pytest.fail(f"the bot did not exit within {within}\n{self.describe()}")
        await self._finish_reading()
        return code

    async def stop(self, timeout: float) -> int:  # noqa: ASYNC109 - a deadline, not a wait
        """SIGTERM; the exit code, or a failure if the bot is still running after `timeout`."""
        self.process.send_signal(signal.SIGTERM)
        return await self.exited(timeout, after="SIGTERM")

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
