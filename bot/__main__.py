"""Command line: `python -m bot` runs the bot (long polling); `python -m bot migrate`;
`python -m bot backup [PATH]`; `python -m bot restore PATH`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from aiogram.exceptions import TelegramUnauthorizedError

from bot.config import Settings, SettingsError, load_settings
from bot.i18n import CataloguesNotCompiled
from bot.services.backups import BackupService
from bot.services.clock import SystemClock
from bot.storage.backup import BackupError
from bot.storage.lock import DatabaseInUse, shared_use


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


def _backup(settings: Settings, path: Path | None) -> int:
    service = BackupService.from_settings(settings, SystemClock())
    try:
        with shared_use(settings.database_path, "python -m bot backup"):
            copy = asyncio.run(service.take(path))
    except (BackupError, DatabaseInUse) as exc:
        print(f"No backup: {exc}", file=sys.stderr)
        return 1
    print(copy.path)
    return 0


def _restore(settings: Settings, path: Path) -> int:
    service = BackupService.from_settings(settings, SystemClock())
    try:
        restored = asyncio.run(service.restore(path))
    except DatabaseInUse as exc:
        print(
            f"Cannot restore while the bot runs: {exc}. Stop the bot first "
            "(with Docker: docker compose stop bot), then restore again.",
            file=sys.stderr,
        )
        return 1
    except BackupError as exc:
        print(f"Cannot restore {path}: {exc}. Nothing was changed.", file=sys.stderr)
        return 1
    print(f"Restored {restored.database} from {path}.")
    if restored.set_aside is not None:
        print(f"The previous database is kept as {restored.set_aside}.")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument(
        "command",
        nargs="?",
        default="run",
        choices=["run", "migrate", "backup", "restore"],
        help="default: run",
    )
    parser.add_argument(
        "path",
        nargs="?",
        type=Path,
        help="backup: the file or folder to write (default: BACKUP_DIR); "
        "restore: the backup to restore (required)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.path is not None and args.command not in ("backup", "restore"):
        parser.error(f"{args.command} takes no path")
    if args.command == "restore" and args.path is None:
        parser.error("restore needs the backup file: python -m bot restore PATH")
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 2
    _configure_logging(settings.log_level)
    if args.command == "backup":
        return _backup(settings, args.path)
    if args.command == "restore":
        return _restore(settings, args.path)
    # The bot and migrations hold the database's lock while they run: a restore refuses.
    try:
        with shared_use(settings.database_path, f"python -m bot {args.command}"):
            return _run_or_migrate(settings, args.command)
    except DatabaseInUse as exc:
        print(
            f"Cannot start: {exc}; a restore is running. Start again when it ends.", file=sys.stderr
        )
        return 2


def _run_or_migrate(settings: Settings, command: str) -> int:
    if command == "migrate":
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
