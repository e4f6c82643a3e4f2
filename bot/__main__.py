"""Command line: `python -m bot` runs the bot (long polling); `python -m bot migrate`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from aiogram.exceptions import TelegramUnauthorizedError

from bot.config import Settings, SettingsError, load_settings
from bot.i18n import CataloguesNotCompiled


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # aiohttp's access and client logs would print request URLs, which carry the token.
    logging.getLogger("aiohttp").setLevel(logging.WARNING)


async def _run(settings: Settings) -> None:
    from bot.app import build_application

    await build_application(settings).run_polling()


async def _migrate(settings: Settings) -> None:
    from bot.storage.database import Database

    db = Database(settings.database_path)
    await db.connect()
    await db.close()
    logging.getLogger("bot").info("Database is up to date: %s", settings.database_path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument(
        "command", nargs="?", default="run", choices=["run", "migrate"], help="default: run"
    )
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 2
    _configure_logging(settings.log_level)
    if args.command == "migrate":
        asyncio.run(_migrate(settings))
        return 0
    try:
        asyncio.run(_run(settings))
    except CataloguesNotCompiled as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 2
    except TelegramUnauthorizedError:
        print(
            "Cannot start: Telegram does not accept BOT_TOKEN. Check it in .env, or ask "
            "@BotFather for the current token of your bot.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
