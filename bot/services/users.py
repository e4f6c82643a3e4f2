"""Users, roles and languages."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.audit import AuditAction, Subject, SubjectKind
from bot.domain.roles import Actor, can_manage_coordinators
from bot.services.access import actor_of
from bot.services.audit import record
from bot.services.clock import Clock
from bot.services.errors import NotAllowed, TerritoryNotFound, UserNotFound
from bot.storage.database import Database
from bot.storage.records import Territory, User
from bot.storage.repositories import Repositories
from bot.storage.users import UserRepository

# How often a returning user's row is refreshed when nothing about them changed.
_SEEN_REFRESH_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class Identity:
    user: User
    actor: Actor


class UserService:
    def __init__(self, db: Database, clock: Clock, superadmins: frozenset[int]) -> None:
        self._db = db
        self._clock = clock
        self._superadmins = superadmins

    def actor_of(self, user: User) -> Actor:
        return actor_of(user, self._superadmins)

    async def identify(
        self, user_id: int, *, username: str | None, full_name: str, language_code: str | None
    ) -> Identity:
        """The user behind an update; writing to the bot makes them reachable again."""
        async with self._db.read() as repos:
            user = await repos.users.get(user_id)
        if (
            user is None
            or not user.reachable
            or (user.username, user.full_name, user.language_code)
            != (username, full_name, language_code)
        ):
            async with self._db.write() as repos:
                user = await repos.users.touch(
                    user_id,
                    username=username,
                    full_name=full_name,
                    language_code=language_code,
                    now=self._clock.now(),
                )
        return Identity(user, self.actor_of(user))

    async def set_locale(self, user_id: int, locale: str) -> None:
        async with self._db.write() as repos:
            await repos.users.set_locale(user_id, locale)

    async def set_subscriptions(
        self, user_id: int, *, wants_digest: bool, wants_reminders: bool
    ) -> User:
        """Turn the weekly digest and the report reminders on or off; returns the user."""
        async with self._db.write() as repos:
            await repos.users.set_subscriptions(
                user_id, wants_digest=wants_digest, wants_reminders=wants_reminders
            )
            user = await repos.users.get(user_id)
        if user is None:
            raise UserNotFound(str(user_id))
        return user

    async def set_reachable(self, user_id: int, reachable: bool) -> None:
        async with self._db.write() as repos:
            await repos.users.set_reachable(user_id, reachable)

    async def get(self, user_id: int) -> User | None:
        async with self._db.read() as repos:
            return await repos.users.get(user_id)

    async def grant(
        self, actor: Actor, reference: str, territory: str | None
    ) -> tuple[User, Territory | None]:
        """Make someone a coordinator, optionally scoped to a territory (by code, id or
        name), and audit it in the same transaction. `reference`: a numeric id or an
        @username. Raises NotAllowed (not a superadmin), UserNotFound, TerritoryNotFound."""
        if not can_manage_coordinators(actor):
            raise NotAllowed
        async with self._db.write() as repos:
            target = await self._find(repos.users, reference)
            scope = None
            if territory is not None:
                scope = _match_territory(await repos.territories.all(), territory)
            updated = await self._set_role(repos, actor, target, scope.id if scope else None)
        return updated, scope

    async def revoke(self, actor: Actor, reference: str) -> User:
        """Take the coordinator role away and audit it (under the territory the role was
        scoped to) in the same transaction. Raises NotAllowed, UserNotFound."""
        if not can_manage_coordinators(actor):
            raise NotAllowed
        async with self._db.write() as repos:
            target = await self._find(repos.users, reference)
            return await self._set_role(repos, actor, target, None, granted=False)

    async def _set_role(
        self,
        repos: Repositories,
        actor: Actor,
        target: User,
        scope_id: int | None,
        *,
        granted: bool = True,
    ) -> User:
        """Grant (scoped to `scope_id`, None: the region) or revoke the coordinator role,
        and audit it under the territory the role is, or was, scoped to. Returns the user."""
        await repos.users.set_coordinator(target.id, is_coordinator=granted, territory_id=scope_id)
        action = AuditAction.ROLE_GRANTED if granted else AuditAction.ROLE_REVOKED
        territory = scope_id if granted else target.coordinator_territory_id
        subject = Subject(SubjectKind.USER, target.id, territory)
        await record(repos, actor, action, subject, now=self._clock.now())
        updated = await repos.users.get(target.id)
        assert updated is not None
        return updated

    async def privileged(self) -> list[tuple[User, Actor]]:
        """Coordinators and superadmins known to the bot, for their command menus."""
        async with self._db.read() as repos:
            users = {user.id: user for user in await repos.users.coordinators()}
            users.update({user.id: user for user in await repos.users.many(self._superadmins)})
        return [(user, self.actor_of(user)) for user in users.values()]

    async def _find(self, users: UserRepository, reference: str) -> User:
        reference = reference.strip()
        if reference.startswith("@"):
            found = await users.by_username(reference[1:])
        elif reference.isdigit():
            user_id = int(reference)
            await users.ensure(user_id, now=self._clock.now())
            found = await users.get(user_id)
        else:
            found = None
        if found is None:
            raise UserNotFound(reference)
        return found


def _match_territory(territories: list[Territory], reference: str) -> Territory:
    """A territory by code, id or name in either language: "Кузнецк", "kuznetsk",
    "Пензенский", "город Пенза". The most exact kind of match that is unique wins."""
    wanted = reference.strip().casefold()

    def names(territory: Territory) -> list[str]:
        return [territory.name_ru.casefold(), territory.name_en.casefold()]

    def words(territory: Territory) -> list[str]:
        return [word.strip("()") for name in names(territory) for word in name.split()]

    def exact(t: Territory) -> bool:
        return wanted in (t.code, str(t.id)) or wanted in names(t)

    def word(t: Territory) -> bool:
        return wanted in words(t)

    def prefix(t: Territory) -> bool:
        return any(w.startswith(wanted) for w in words(t) + names(t))

    for matches_kind in (exact, word, prefix):
        matches = [territory for territory in territories if matches_kind(territory)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            break
    raise TerritoryNotFound(reference)
