"""Command line: `python -m bot` runs the bot (long polling, or a webhook server with
RUN_MODE=webhook); `python -m bot webhook` runs the webhook server; `python -m bot migrate`;
`python -m bot backup [PATH]`; `python -m bot restore PATH`;
`python -m bot import FILE [--dry-run]` imports a registry file (see bot.cli_import)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from contextlib import nullcontext
from pathlib import Path

from aiogram.exceptions import TelegramUnauthorizedError

from bot.config import Settings, SettingsError, load_settings
from bot.i18n import CataloguesNotCompiled
from bot.services.backups import BackupService
from bot.services.clock import SystemClock
from bot.storage.backup import BackupError
from bot.storage.dialect import sqlite_file
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

    application = build_application(settings)
    if settings.run_mode == "webhook":
        await application.run_webhook()
    else:
        await application.run_polling()


async def _migrate(settings: Settings) -> None:
    from bot.storage.database import Database

    db = Database(settings.database)
    await db.connect()
    await db.close()
    # The URL's password is never printed.
    logging.getLogger("bot").info("Database is up to date: %r", db.url)


def _backup(settings: Settings, path: str | None) -> int:
    try:
        service = BackupService.from_settings(settings, SystemClock())
        with shared_use(service.database, "python -m bot backup"):
            copy = asyncio.run(service.take(path))
    except (BackupError, DatabaseInUse) as exc:
        print(f"No backup: {exc}", file=sys.stderr)
        return 1
    print(copy.path)
    return 0


def _restore(settings: Settings, path: Path) -> int:
    try:
        service = BackupService.from_settings(settings, SystemClock())
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(
        dest="command", metavar="{run,webhook,migrate,backup,restore,import}"
    )
    commands.add_parser("run", help="run the bot as RUN_MODE says (the default)")
    commands.add_parser("webhook", help="run the bot as a webhook server, whatever RUN_MODE says")
    commands.add_parser("migrate", help="apply database migrations and exit")
    backup = commands.add_parser("backup", help="copy the database, also while the bot runs")
    backup.add_argument(
        "path",
        nargs="?",  # a string: a trailing "/" names a folder to create
        help="the file or folder (existing, or ending in /) to write (default: BACKUP_DIR)",
    )
    restore = commands.add_parser(
        "restore", help="replace the database with a backup (the bot must be stopped)"
    )
    restore.add_argument("path", type=Path, help="the backup to restore")
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_settings()
        if command == "webhook":
            settings = settings.model_copy(update={"run_mode": "webhook"})
            command = "run"
        if command == "run":  # the only command that always talks to Telegram
            settings.require_token()
            if settings.run_mode == "webhook":
                settings.require_webhook()
    except SettingsError as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 2
    _configure_logging(settings.log_level)
    if command == "backup":
        return _backup(settings, args.path)
    if command == "restore":
        return _restore(settings, args.path)
    # Whatever uses an SQLite database holds its lock while it runs: a restore refuses
    # meanwhile. PostgreSQL is restored with its own tools.
    try:
        database = sqlite_file(settings.database)
    except ValueError as exc:
        print(f"Cannot start: DATABASE_URL: {exc}", file=sys.stderr)
        return 2
    try:
        with shared_use(database, f"python -m bot {command}") if database else nullcontext():
            if command == "import":
                return _import(settings, args)
            return _run_or_migrate(settings, command)
    except DatabaseInUse as exc:
        print(
            f"Cannot start: {exc}; a restore is running. Start again when it ends.", file=sys.stderr
        )
        return 2


def _run_or_migrate(settings: Settings, command: str) -> int:
    from bot.storage.database import DatabaseUnreachable

    try:
        asyncio.run(_migrate(settings) if command == "migrate" else _run(settings))
    except (CataloguesNotCompiled, DatabaseUnreachable) as exc:
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
