"""Claims of pages without an administrator, waiting for a coordinator or decided."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.domain.claims import ClaimStatus
from bot.storage.base import Repository, given, no_limit

_COLUMNS = "c.id, c.page_id, c.user_id, c.status, c.reason, c.created_at"


@dataclass(frozen=True, slots=True)
class Claim:
    """User `user_id` asks to administer page `page_id`; `created_at` in Unix seconds,
    `reason` given when rejected."""

    id: int
    page_id: int
    user_id: int
    status: ClaimStatus
    reason: str | None
    created_at: int


def _claim(row: tuple[Any, ...]) -> Claim:
    claim_id, page_id, user_id, status, reason, created_at = row
    return Claim(claim_id, page_id, user_id, ClaimStatus(status), reason, created_at)


class ClaimRepository(Repository):
    async def create(self, *, page_id: int, user_id: int, now: int) -> int | None:
        """A pending claim; its id, or None when a claim of the page is pending already
        (one at a time, by the unique index on pending claims)."""
        found = await self._scalar(
            "INSERT INTO page_claims (page_id, user_id, status, created_at)"
            " VALUES (:page_id, :user_id, 'pending', :now)"
            " ON CONFLICT DO NOTHING RETURNING id",
            {"page_id": page_id, "user_id": user_id, "now": now},
        )
        return None if found is None else int(found)

    async def get(self, claim_id: int) -> Claim | None:
        """One claim by id, whatever its status."""
        row = await self._one(
            f"SELECT {_COLUMNS} FROM page_claims c WHERE c.id = :id", {"id": claim_id}
        )
        return _claim(row) if row else None

    async def pending_of_page(self, page_id: int) -> Claim | None:
        """The page's claim waiting for a decision, if any."""
        row = await self._one(
            f"SELECT {_COLUMNS} FROM page_claims c"
            " WHERE c.page_id = :page_id AND c.status = 'pending'",
            {"page_id": page_id},
        )
        return _claim(row) if row else None

    async def pending(self, *, territory_id: int | None, limit: int | None) -> list[Claim]:
        """Claims waiting for a decision, oldest first, of pages in `territory_id` when
        given; `limit` None: all of them."""
        rows = await self._all(
            f"SELECT {_COLUMNS} FROM page_claims c JOIN pages p ON p.id = c.page_id"
            " WHERE c.status = 'pending'"
            f"{given(territory_id, 'p.territory_id = :territory_id')}"
            " ORDER BY c.created_at, c.id LIMIT :limit",
            {"territory_id": territory_id, "limit": no_limit(limit)},
        )
        return [_claim(row) for row in rows]

    async def decide(
        self,
        claim_id: int,
        *,
        status: ClaimStatus,
        reason: str | None,
        decided_by: int | None,
        now: int,
    ) -> bool:
        """Approve or reject a pending claim; False if it was decided already. A rejection
        with no `reason` closes the claim because the page has an administrator now
        (`decided_by` None when nobody decided it: the page got one another way)."""
        changed = await self._run(
            "UPDATE page_claims SET status = :status, reason = :reason,"
            " decided_by = :decided_by, decided_at = :now"
            " WHERE id = :id AND status = 'pending'",
            {
                "status": status.value,
                "reason": reason,
                "decided_by": decided_by,
                "now": now,
                "id": claim_id,
            },
        )
        return changed > 0
