"""Who may do what. Every privileged action asks these, whatever the button said."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from bot.domain.segments import Segment


class Role(IntEnum):
    USER = 0
    COORDINATOR = 1
    SUPERADMIN = 2


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    role: Role
    # A coordinator may be scoped to one territory; None means the whole region.
    territory_id: int | None = None

    @property
    def is_coordinator(self) -> bool:
        return self.role >= Role.COORDINATOR

    @property
    def is_superadmin(self) -> bool:
        return self.role is Role.SUPERADMIN

    @property
    def scope(self) -> int | None:
        """The territory this actor's coordinator powers are limited to, if any."""
        return None if self.is_superadmin else self.territory_id


def resolve_role(
    user_id: int, *, superadmins: frozenset[int], is_coordinator: bool, territory_id: int | None
) -> Actor:
    if user_id in superadmins:
        return Actor(user_id, Role.SUPERADMIN)
    if is_coordinator:
        return Actor(user_id, Role.COORDINATOR, territory_id)
    return Actor(user_id, Role.USER)


def can_moderate(actor: Actor, page_territory_id: int) -> bool:
    """Approve, reject and oversee a page: coordinators, within their territory if scoped."""
    if not actor.is_coordinator:
        return False
    return actor.scope is None or actor.scope == page_territory_id


def can_report(actor: Actor, *, is_page_admin: bool, page_territory_id: int) -> bool:
    """Report a figure: the page's administrators, and coordinators who oversee it."""
    return is_page_admin or can_moderate(actor, page_territory_id)


def oversees_audience(actor: Actor, audience: Segment) -> bool:
    """A coordinator oversees what is meant for an audience (a seminar's) open to the
    whole region or including their territory; an unscoped one oversees every audience."""
    if not actor.is_coordinator:
        return False
    territories = audience.territories
    return actor.scope is None or not territories or actor.scope in territories


def within_scope(scope: int | None, audience: Segment) -> bool:
    """Whether what is meant for `audience` (a seminar's) belongs to `scope` (None: the
    region): to a territory only when the audience names that territory alone; a
    region-wide audience, or one naming several territories, is the region's."""
    return scope is None or audience.territories == frozenset({scope})


def manages_audience(actor: Actor, audience: Segment) -> bool:
    """A coordinator manages (changes, cancels, takes attendance of, reads the feedback
    of, revokes certificates of) a seminar for `audience` when it is theirs: an unscoped
    coordinator every one, a scoped one those whose audience is their territory alone
    (`within_scope`, the rule /training counts by). Stricter than `oversees_audience`,
    which is what they see: region-wide seminars are seen by every coordinator but
    managed by the region's."""
    return actor.is_coordinator and within_scope(actor.scope, audience)


def can_manage_coordinators(actor: Actor) -> bool:
    return actor.is_superadmin


def can_import_registry(actor: Actor) -> bool:
    """Bulk-register pages from a file (/import, and its dry run): superadmins only."""
    return actor.is_superadmin
