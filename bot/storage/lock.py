"""Who is using the database file: OS advisory locks on files beside it.

Every process that opens the database through the command line (`python -m bot` runs
the bot, `migrate`, `backup`) holds a *shared* `flock` on `<database>.lock` for as long
as it runs; `restore` needs it *exclusive*. The operating system releases a process's
locks when the process ends, however it ends (SIGKILL, a crash, a stopped container), so
a lock is never left behind: if the lock can be taken, nobody is using the database.

To say *who* holds it, each holder also keeps a note in `<database>.holders/` (process
id, host, command, since when) with an exclusive `flock` of its own: a note whose lock
can be taken is from a process that is gone, and is deleted.

`flock` locks belong to an open file, not to a process, so two holders in one process
exclude each other just as two processes do. They work between containers that share a
local volume (one kernel); network file systems may not honour them.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

_NOTE_SUFFIX = ".holder"


class DatabaseInUse(Exception):
    """The lock is held by another process (or another holder in this one); the message
    names the holders that are alive, as their notes describe them."""


def lock_path(database: Path) -> Path:
    """The lock file of `database`: `<database>.lock` in the same folder."""
    return database.with_name(database.name + ".lock")


def holders_folder(database: Path) -> Path:
    """The folder of the holders' notes: `<database>.holders` in the same folder."""
    return database.with_name(database.name + ".holders")


def live_holders(database: Path) -> list[str]:
    """The descriptions of the processes holding `database`'s lock now, e.g.
    "pid 4242 on host (python -m bot run), since 2026-09-21 14:13:20 UTC"; notes left
    by processes that are gone are deleted on the way."""
    folder = holders_folder(database)
    found = []
    for note in sorted(folder.glob(f"*{_NOTE_SUFFIX}")) if folder.is_dir() else []:
        try:
            handle = note.open(encoding="utf-8")
        except FileNotFoundError:  # its holder has just finished
            continue
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                found.append(handle.read().strip())
            else:
                note.unlink(missing_ok=True)
    return found


def _describe(purpose: str) -> str:
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"pid {os.getpid()} on {socket.gethostname()} ({purpose}), since {started}"


@contextmanager
def _note(database: Path, purpose: str) -> Iterator[None]:
    """This holder's note, locked while the block runs, deleted after it."""
    folder = holders_folder(database)
    folder.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(
        dir=folder, prefix=f"{os.getpid()}-", suffix=_NOTE_SUFFIX, text=True
    )
    with os.fdopen(descriptor, "w", encoding="utf-8") as note:
        try:
            fcntl.flock(note, fcntl.LOCK_EX)
            note.write(_describe(purpose) + "\n")
            note.flush()
            yield
        finally:
            Path(name).unlink(missing_ok=True)


@contextmanager
def _hold(database: Path, purpose: str, *, exclusive: bool) -> Iterator[None]:
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle: IO[str] = path.open("a", encoding="utf-8")
    # Closing the file releases the lock; the file itself stays (removing it would race
    # with a process that has just opened it).
    with handle:
        try:
            fcntl.flock(handle, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            holders = "; ".join(live_holders(database)) or "a process that did not say who"
            raise DatabaseInUse(f"the database {database} is in use by {holders}") from None
        if exclusive:
            # Nobody else can be holding or taking it now: notes found are from the dead.
            live_holders(database)
        with _note(database, purpose):
            yield


@contextmanager
def shared_use(database: Path, purpose: str) -> Iterator[None]:
    """Hold a shared lock on `database` for the block: any number of bots, migrations and
    backups may hold it together, and `restore` refuses while anyone does.

    `purpose` (e.g. "python -m bot run") goes into this holder's note, for refusals to
    quote. Raises DatabaseInUse, at once and without waiting, while a restore holds the
    lock exclusively.
    """
    with _hold(database, purpose, exclusive=False):
        yield


@contextmanager
def exclusive_use(database: Path, purpose: str) -> Iterator[None]:
    """Hold the lock on `database` exclusively for the block (a restore).

    Raises DatabaseInUse, at once and without waiting, while any other holder (a running
    bot, a migration, a backup, another restore) has it.
    """
    with _hold(database, purpose, exclusive=True):
        yield
