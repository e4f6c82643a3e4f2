"""Rows of wizard state (aiogram's FSM), read and written by `bot.storage.fsm`."""

from __future__ import annotations

from bot.storage.base import Repository


class FsmRepository(Repository):
    async def get(self, key: str) -> tuple[str | None, str] | None:
        """(state, JSON data) stored under a key, or None."""
        row = await self._one("SELECT state, data FROM fsm_states WHERE key = :key", {"key": key})
        return (row[0], row[1]) if row else None

    async def set_state(self, key: str, state: str | None) -> None:
        """Store the state under a key, keeping its data."""
        await self._run(
            "INSERT INTO fsm_states (key, state) VALUES (:key, :state)"
            " ON CONFLICT (key) DO UPDATE SET state = excluded.state",
            {"key": key, "state": state},
        )

    async def set_data(self, key: str, data: str) -> None:
        """Store the JSON data under a key, keeping its state."""
        await self._run(
            "INSERT INTO fsm_states (key, data) VALUES (:key, :data)"
            " ON CONFLICT (key) DO UPDATE SET data = excluded.data",
            {"key": key, "data": data},
        )

    async def prune(self) -> None:
        """Forget keys with neither state nor data."""
        await self._run("DELETE FROM fsm_states WHERE state IS NULL AND data = '{}'")
