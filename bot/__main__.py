"""Command line: `python -m bot` runs the bot (long polling); `python -m bot migrate`;
`python -m bot import FILE [--dry-run]` imports a registry file (see bot.cli_import)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

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


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_import import UNUSABLE, run_import

    try:
        return asyncio.run(
            run_import(
                settings,
                args.file,
                dry_run=args.dry_run,
                as_user=args.as_user,
                bot_username=args.bot_username,
            )
        )
    except CataloguesNotCompiled as exc:
        print(f"Cannot import: {exc}", file=sys.stderr)
        return UNUSABLE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", metavar="{run,migrate,import}")
    commands.add_parser("run", help="run the bot (the default)")
    commands.add_parser("migrate", help="apply database migrations and exit")
    importing = commands.add_parser(
        "import",
        help="import a registry file (CSV or XLSX) as approved pages",
        description="Check every row, print the bad ones, then apply the good ones in one "
        "transaction; invite links go to FILE's folder as <name>.invites.csv.",
    )
    importing.add_argument("file", type=Path, help="the filled template (CSV or XLSX)")
    importing.add_argument(
        "--dry-run", action="store_true", help="check and print the bad rows; write nothing"
    )
    importing.add_argument(
        "--as",
        dest="as_user",
        type=int,
        metavar="USER_ID",
        help="who the invite links are from (default: the lowest id in SUPERADMIN_IDS)",
    )
    importing.add_argument(
        "--bot-username", help="the bot's username for the invite links (default: ask Telegram)"
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
    if args.command == "import":
        return _import(settings, args)
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
