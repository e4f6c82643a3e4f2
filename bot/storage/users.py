"""Users of the bot: who they are, their language, role and subscriptions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.storage.base import Repository, columns, from_row, in_list, list_param
from bot.storage.records import User

#: The columns `user_record` reads, of `users`.
USER_COLUMNS = columns(User)


def user_record(row: Sequence[Any]) -> User:
    """A user from a row of `USER_COLUMNS` (SQLite keeps the flags as 0 or 1)."""
    return from_row(
        User, row, is_coordinator=bool, reachable=bool, wants_digest=bool, wants_reminders=bool
    )


class UserRepository(Repository):
    async def touch(
        self,
        user_id: int,
        *,
        username: str | None,
        full_name: str,
        language_code: str | None,
        now: int,
    ) -> User:
        """Create or refresh a user who just wrote to the bot: they are reachable again."""
        row = await self._one(
            "INSERT INTO users (id, username, full_name, language_code, created_at, seen_at)"
            " VALUES (:id, :username, :full_name, :language_code, :now, :now)"
            " ON CONFLICT (id) DO UPDATE SET username = excluded.username,"
            " full_name = excluded.full_name, language_code = excluded.language_code,"
            " reachable = 1, unreachable_since = NULL, seen_at = excluded.seen_at"
            f" RETURNING {USER_COLUMNS}",
            {
                "id": user_id,
                "username": username,
                "full_name": full_name,
                "language_code": language_code,
                "now": now,
            },
        )
        assert row is not None
        return user_record(row)

    async def ensure(self, user_id: int, *, now: int) -> None:
        """A row for a user known only by id (e.g. granted before they wrote to the bot)."""
        await self._run(
            "INSERT INTO users (id, created_at, seen_at) VALUES (:id, :now, :now)"
            " ON CONFLICT (id) DO NOTHING",
            {"id": user_id, "now": now},
        )

    async def set_source(self, user_id: int, source: str) -> bool:
        """Record where the user came from, unless a source is recorded already;
        returns whether it was recorded."""
        return await self._changed(
            "UPDATE users SET source = :source WHERE id = :id AND source IS NULL",
            {"source": source, "id": user_id},
        )

    async def source(self, user_id: int) -> str | None:
        """Where the user came from (the first campaign link's payload); None: directly."""
        found = await self._scalar("SELECT source FROM users WHERE id = :id", {"id": user_id})
        return None if found is None else str(found)

    async def get(self, user_id: int) -> User | None:
        """One user by Telegram id."""
        row = await self._one(f"SELECT {USER_COLUMNS} FROM users WHERE id = :id", {"id": user_id})
        return user_record(row) if row else None

    async def by_username(self, username: str) -> User | None:
        """The user last seen with this username, whatever its letter case (ASCII)."""
        row = await self._one(
            f"SELECT {USER_COLUMNS} FROM users WHERE lower(username) = lower(:username)"
            " ORDER BY seen_at DESC LIMIT 1",
            {"username": username},
        )
        return user_record(row) if row else None

    async def by_usernames(self, usernames: Iterable[str]) -> dict[str, User]:
        """The users of these usernames, whatever their letter case, keyed by the
        lower-cased username; where two rows share one, the one seen last."""
        names = {name.lower() for name in usernames}
        if not names:
            return {}
        rows = await self._all(
            f"SELECT {USER_COLUMNS} FROM users WHERE {in_list('lower(username)', 'names')}"
            " ORDER BY seen_at, id",
            {"names": list_param(names)},
        )
        return {str(user.username).lower(): user for user in map(user_record, rows)}

    async def set_locale(self, user_id: int, locale: str) -> None:
        """The language the user chose in /settings."""
        await self._run(
            "UPDATE users SET locale = :locale WHERE id = :id", {"locale": locale, "id": user_id}
        )

    async def set_coordinator(
        self, user_id: int, *, is_coordinator: bool, territory_id: int | None
    ) -> None:
        """Make or unmake a coordinator, optionally scoped to one territory."""
        await self._run(
            "UPDATE users SET is_coordinator = :is_coordinator,"
            " coordinator_territory_id = :territory_id WHERE id = :id",
            {
                "is_coordinator": int(is_coordinator),
                "territory_id": territory_id if is_coordinator else None,
                "id": user_id,
            },
        )

    async def set_subscriptions(
        self, user_id: int, *, wants_digest: bool, wants_reminders: bool
    ) -> None:
        """Whether the user gets the weekly digest and report reminders."""
        await self._run(
            "UPDATE users SET wants_digest = :wants_digest, wants_reminders = :wants_reminders"
            " WHERE id = :id",
            {
                "wants_digest": int(wants_digest),
                "wants_reminders": int(wants_reminders),
                "id": user_id,
            },
        )

    async def set_reachable(self, user_id: int, reachable: bool, *, now: int) -> None:
        """Whether messages can reach the user (False after Telegram's 403). Going
        unreachable records `now` (Unix seconds) as `unreachable_since`, unless the user
        was unreachable already; becoming reachable clears it."""
        if reachable:
            await self._run(
                "UPDATE users SET reachable = 1, unreachable_since = NULL WHERE id = :id",
                {"id": user_id},
            )
        else:
            await self._run(
                "UPDATE users SET reachable = 0,"
                " unreachable_since = coalesce(unreachable_since, :now) WHERE id = :id",
                {"now": now, "id": user_id},
            )

    async def coordinators(self) -> list[User]:
        """Every coordinator, by id."""
        rows = await self._all(
            f"SELECT {USER_COLUMNS} FROM users WHERE is_coordinator = 1 ORDER BY id"
        )
        return [user_record(row) for row in rows]

    async def registered(self) -> list[User]:
        """Reachable users who administer a page that is not rejected, by id."""
        rows = await self._all(
            f"SELECT {USER_COLUMNS} FROM users WHERE reachable = 1 AND id IN"
            " (SELECT a.user_id FROM page_admins a JOIN pages p ON p.id = a.page_id"
            "  WHERE p.status <> 'rejected') ORDER BY id"
        )
        return [user_record(row) for row in rows]

    async def many(self, user_ids: Iterable[int]) -> list[User]:
        """The users of these ids that exist, by id."""
        ids = set(user_ids)
        if not ids:
            return []
        rows = await self._all(
            f"SELECT {USER_COLUMNS} FROM users WHERE {in_list('id', 'ids')} ORDER BY id",
            {"ids": list_param(ids)},
        )
        return [user_record(row) for row in rows]
