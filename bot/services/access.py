"""Who a user is to the bot, decided in one place for every service.

- `actor_of`: the role of a stored user (settings' superadmins, the stored coordinator
  flag and scope), as `bot.domain.roles.resolve_role` defines it;
- `ensure_registered`: "registered" means a coordinator (or superadmin) or an
  administrator of at least one page, pending pages included: /total, /digest and the
  region's charts are for them.
"""

from __future__ import annotations

from bot.domain.roles import Actor, resolve_role
from bot.services.errors import NotRegistered
from bot.storage.records import User
from bot.storage.repositories import Repositories


def actor_of(user: User, superadmins: frozenset[int]) -> Actor:
    """The role of `user`; `superadmins` are the Telegram ids from settings."""
    return resolve_role(
        user.id,
        superadmins=superadmins,
        is_coordinator=user.is_coordinator,
        territory_id=user.coordinator_territory_id,
    )


async def ensure_registered(repos: Repositories, actor: Actor) -> None:
    """Raises NotRegistered unless `actor` is a coordinator or administers a page."""
    if actor.is_coordinator:
        return
    if not await repos.pages.administers_any(actor.user_id):
        raise NotRegistered
