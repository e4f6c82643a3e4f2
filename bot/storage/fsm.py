"""Wizard state in the database (aiogram FSM storage), so a restart in the middle of
/register resumes it, on whichever replica the next update arrives."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)

from bot.storage.database import Database


class DatabaseStorage(BaseStorage):
    def __init__(self, db: Database, key_builder: KeyBuilder | None = None) -> None:
        self._db = db
        self._keys = key_builder or DefaultKeyBuilder(with_destiny=True)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        async with self._db.write() as repos:
            await repos.fsm.set_state(self._keys.build(key), value)

    async def get_state(self, key: StorageKey) -> str | None:
        async with self._db.read() as repos:
            found = await repos.fsm.get(self._keys.build(key))
        return found[0] if found else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        async with self._db.write() as repos:
            await repos.fsm.set_data(self._keys.build(key), json.dumps(dict(data)))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self._db.read() as repos:
            found = await repos.fsm.get(self._keys.build(key))
        if not found:
            return {}
        data: dict[str, Any] = json.loads(found[1])
        return data

    async def close(self) -> None:
        # The database belongs to the application, which closes it after the dispatcher.
        return None
