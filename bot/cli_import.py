"""`python -m bot import FILE [--dry-run] [--as USER_ID] [--bot-username NAME]`: the
registry import from the command line, with the same checks as /import.

It prints every bad row and the summary (in DEFAULT_LOCALE), then, unless --dry-run,
applies the good rows in one transaction and writes the invite links file next to FILE
(`<name>.invites.csv`). Invites need a creator: the user `--as` names, by default the
lowest id in SUPERADMIN_IDS; that user gets a row in the database if they have none. The
audit log records the import with no actor (the command line). Notices to named
administrators are queued: the bot sends them when it runs.

Exit codes: 0 applied (or, with --dry-run, something to apply); 1 nothing could be
applied; 2 the file, the settings or the arguments are unusable.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from aiogram.exceptions import TelegramAPIError
from aiogram.utils.i18n import gettext as _

from bot.app import build_bot, build_budget, build_imports
from bot.config import LOCALES_DIR, Settings
from bot.domain.roles import Actor, Role
from bot.i18n import build_i18n, speaking
from bot.middlewares.requests import CallbackAnswers
from bot.services.clock import Clock, SystemClock
from bot.services.errors import ImportFileRefused, NothingToImport
from bot.services.registry_import import invites_csv
from bot.storage.database import Database, DatabaseUnreachable
from bot.storage.seed import seed_territories
from bot.texts.registry_import import (
    applied_summary,
    dry_run_summary,
    file_refusal,
    import_notice,
    invites_note,
    problem_text,
    problems_heading,
)

OK, NOTHING_APPLIED, UNUSABLE = 0, 1, 2


def invites_path(source: Path) -> Path:
    """Where the invite links of `source` are written: beside it, `<stem>.invites.csv`."""
    return source.with_name(f"{source.stem}.invites.csv")


async def run_import(
    settings: Settings,
    path: Path,
    *,
    dry_run: bool,
    as_user: int | None = None,
    bot_username: str | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    clock: Clock | None = None,
) -> int:
    """Run the import of `path` (see the module's docstring); returns the exit code.
    `out` and `err` default to the standard streams of the moment."""
    out = out or sys.stdout
    err = err or sys.stderr
    user_id = as_user if as_user is not None else min(settings.superadmin_ids, default=None)
    if user_id is None and not dry_run:
        print("Set SUPERADMIN_IDS or pass --as USER_ID: invites need a creator.", file=err)
        return UNUSABLE
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        print(f"Cannot read {path}: {exc.strerror or exc}", file=err)
        return UNUSABLE
    i18n = build_i18n(LOCALES_DIR, settings.default_locale)
    locale = settings.default_locale
    db = Database(settings.database)
    try:
        await db.connect()
    except DatabaseUnreachable as exc:
        print(f"Cannot import: {exc}", file=err)
        return UNUSABLE
    try:
        await seed_territories(db, settings.territories_file)
        clock = clock or SystemClock()
        imports = build_imports(settings, db, clock, i18n, wake=lambda: None)
        with speaking(i18n, locale):
            try:
                rows = await imports.read(data)
            except ImportFileRefused as exc:
                print(file_refusal(exc.problem, exc.detail), file=err)
                return UNUSABLE
            checked = await imports.check(path.name, rows)
            if checked.problems:
                print(problems_heading(checked, locale), file=out)
            for problem in checked.problems:
                print(problem_text(problem), file=out)
            print(dry_run_summary(checked, locale), file=out)
            if not checked.good:
                return NOTHING_APPLIED
            if dry_run:
                print(_("Dry run: nothing has been written."), file=out)
                return OK
            assert user_id is not None
            username = bot_username
            if username is None and any(row.admin for row in rows):
                if settings.bot_token is None:
                    print(
                        "The invite links need the bot's username: set BOT_TOKEN (to ask "
                        "Telegram for it) or pass --bot-username NAME.",
                        file=err,
                    )
                    return UNUSABLE
                username = await _bot_username(settings)
                if username is None:
                    print(
                        "Could not ask Telegram for the bot's username (needed for the "
                        "invite links): check BOT_TOKEN and the network, or pass "
                        "--bot-username NAME.",
                        file=err,
                    )
                    return UNUSABLE
            async with db.write() as repos:
                await repos.users.ensure(user_id, now=clock.now())
            actor = Actor(user_id, Role.SUPERADMIN)
            try:
                applied = await imports.apply_rows(actor, checked, rows, import_notice(i18n))
            except NothingToImport:
                print(_("No row of this file can be imported any more."), file=out)
                return NOTHING_APPLIED
            print(applied_summary(applied, locale), file=out)
            if applied.invites:
                target = invites_path(path)
                content = invites_csv(applied.invites, username or "", settings.tz)
                await asyncio.to_thread(target.write_bytes, content)
                print(invites_note(applied, settings.tz, locale), file=out)
                print(_("Invite links file: {path}").format(path=target), file=out)
        return OK
    finally:
        await db.close()


async def _bot_username(settings: Settings) -> str | None:
    """The bot's username from Telegram (getMe), or None when it cannot be asked."""
    bot = build_bot(settings, build_budget(settings), CallbackAnswers())
    try:
        me = await bot.get_me()
    except (TelegramAPIError, OSError):
        return None
    finally:
        await bot.session.close()
    return me.username
