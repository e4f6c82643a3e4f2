"""Start-up time of `python -m bot`, against the import of aiogram it cannot avoid.

Each run spawns `python -m bot` against a fresh fake Bot API server (tests/fakes/bot_api.py)
and a fresh database, and times it from the spawn to the fake receiving the first
getUpdates; the bot is then stopped with SIGTERM and must exit with code 0. In the same
run, the baseline times `python -c "import aiogram.types, aiogram.dispatcher.dispatcher"`
from the spawn to the end of the import (a line it prints then), not to its exit: the
interpreter's teardown, which the bot's measurement does not include, takes a good part
of a second with aiogram loaded. The ratio of the medians is the bot's own overhead on
top of the framework's import.

    python bench/startup.py             # 5 runs of each
    python bench/startup.py --runs 11
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.process import settings_env
from tests.fakes.bot_api import FakeBotAPI

ROOT = Path(__file__).resolve().parent.parent

BASELINE_CODE = "import aiogram.types, aiogram.dispatcher.dispatcher"
IMPORTED = "imported"
STARTUP_TIMEOUT = 60.0
EXIT_TIMEOUT = 10.0


class BenchError(Exception):
    pass


async def _collect(stream: asyncio.StreamReader | None, into: bytearray) -> None:
    assert stream is not None
    while chunk := await stream.read(65536):
        into.extend(chunk)


async def time_baseline() -> tuple[float, float]:
    """Seconds from spawning the framework's import to the end of the import, and to the
    process's exit (tearing the interpreter down adds a good part of a second)."""
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        f"{BASELINE_CODE}; print({IMPORTED!r}, flush=True)",
        cwd=ROOT,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = await process.stdout.readline()
    imported = time.perf_counter() - started
    _, stderr = await process.communicate()
    exited = time.perf_counter() - started
    if process.returncode != 0 or line.decode().strip() != IMPORTED:
        raise BenchError(f"the baseline import failed:\n{stderr.decode(errors='replace')}")
    return imported, exited


async def time_bot_start() -> float:
    """Seconds from spawning `python -m bot` to the fake receiving its first getUpdates."""
    with tempfile.TemporaryDirectory() as folder:
        async with FakeBotAPI() as fake:
            env = settings_env(
                os.environ,
                bot_token=fake.token,
                telegram_api_url=fake.base_url,
                database_path=Path(folder) / "bot.sqlite3",
                superadmin_ids=frozenset({100}),
                log_level="INFO",
            )
            started = time.perf_counter()
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                cwd=ROOT,
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            stderr = bytearray()
            reader = asyncio.create_task(_collect(process.stderr, stderr))
            try:
                polling = asyncio.ensure_future(fake.wait_polling(timeout=STARTUP_TIMEOUT))
                exited = asyncio.ensure_future(process.wait())
                await asyncio.wait({polling, exited}, return_when=asyncio.FIRST_COMPLETED)
                elapsed = time.perf_counter() - started
                exited.cancel()
                if not polling.done():
                    polling.cancel()
                    await asyncio.gather(polling, return_exceptions=True)
                    await reader
                    raise BenchError(
                        f"the bot exited with {process.returncode} before polling:\n"
                        + stderr.decode(errors="replace")
                    )
                try:
                    polling.result()
                except TimeoutError:
                    raise BenchError(
                        f"the bot did not poll within {STARTUP_TIMEOUT} s:\n"
                        + stderr.decode(errors="replace")
                    ) from None

                process.send_signal(signal.SIGTERM)
                try:
                    async with asyncio.timeout(EXIT_TIMEOUT):
                        code = await process.wait()
                        await reader
                except TimeoutError:
                    raise BenchError(
                        f"the bot did not exit within {EXIT_TIMEOUT} s of SIGTERM:\n"
                        + stderr.decode(errors="replace")
                    ) from None
                if code != 0:
                    raise BenchError(
                        f"the bot exited with {code} after SIGTERM:\n"
                        + stderr.decode(errors="replace")
                    )
            finally:
                if process.returncode is None:
                    process.kill()
                    await process.wait()
                if not reader.done():
                    reader.cancel()
                await asyncio.gather(reader, return_exceptions=True)
    return elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    # One untimed run of each fills the page cache and writes .pyc and .mo files.
    await time_baseline()
    await time_bot_start()

    baseline: list[float] = []
    baseline_exit: list[float] = []
    bot: list[float] = []
    for run in range(1, args.runs + 1):
        # Alternating keeps a slow phase of the machine from favouring one of them.
        imported, exited = await time_baseline()
        baseline.append(imported)
        baseline_exit.append(exited)
        bot.append(await time_bot_start())
        print(
            f"run {run}: baseline import {imported * 1000:.0f} ms (exit at {exited * 1000:.0f}),"
            f" bot to first getUpdates {bot[-1] * 1000:.0f} ms"
        )

    base_median = statistics.median(baseline)
    bot_median = statistics.median(bot)
    print(f"baseline import ({BASELINE_CODE}): {base_median * 1000:.0f} ms (median of {args.runs})")
    print(
        f"  the same process's exit, interpreter teardown included:"
        f" {statistics.median(baseline_exit) * 1000:.0f} ms (not used in the ratio)"
    )
    print(f"python -m bot to first getUpdates: {bot_median * 1000:.0f} ms (median of {args.runs})")
    print(
        f"ratio bot start / baseline import: {bot_median / base_median:.2f}x"
        f" (the bot's own overhead: {(bot_median - base_median) * 1000:+.0f} ms)"
    )
    print(f"every bot exited with code 0 after SIGTERM ({args.runs + 1} runs)")


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except BenchError as exc:
        raise SystemExit(f"startup benchmark failed: {exc}") from None
