"""Single-use invite codes that make someone a page's co-administrator."""

from __future__ import annotations

from bot.storage.base import Repository, insert_sql
from bot.storage.records import Invite


class InviteRepository(Repository):
    async def create(
        self, *, code: str, page_id: int, created_by: int, now: int, expires_at: int
    ) -> None:
        """Store a new invite code for a page."""
        await self._run(
            insert_sql("invites", ("code", "page_id", "created_by", "created_at", "expires_at")),
            {
                "code": code,
                "page_id": page_id,
                "created_by": created_by,
                "created_at": now,
                "expires_at": expires_at,
            },
        )

    async def get(self, code: str) -> Invite | None:
        """One invite by its code, used or not."""
        row = await self._one(
            "SELECT code, page_id, created_by, expires_at, used_by FROM invites WHERE code = :code",
            {"code": code},
        )
        return Invite(*row) if row else None

    async def mark_used(self, code: str, *, user_id: int, now: int) -> bool:
        """Claim a single-use invite; False when someone claimed it first."""
        return await self._changed(
            "UPDATE invites SET used_by = :user_id, used_at = :now"
            " WHERE code = :code AND used_by IS NULL",
            {"user_id": user_id, "now": now, "code": code},
        )
