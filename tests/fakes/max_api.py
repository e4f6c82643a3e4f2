"""A fake MAX Bot API (https://platform-api2.max.ru) for tests.

`GET /chats/{chatLink}` (a channel's public link name) and `GET /chats/{chatId}`, with
the token in the `Authorization` header (or, as older clients send it, the
`access_token` query parameter). A found chat is answered as the Bot API's `Chat` object;
errors as `{"code": "...", "message": "..."}` with the HTTP status: 401
"verify.token" for a missing or wrong token, 404 "not.found", 403 "chat.denied" when the
bot is not in the channel, 429 "too.many.requests" past `rate_limit`, and any
`(status, code)` given to `inject`.

    async with FakeMaxAPI(token="max-token") as max_api:
        max_api.add_chat(FakeMaxChat(chat_id=-7001, link="penza_gov", participants_count=900))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.api_server import FakeApiServer

MESSAGES: dict[str, str] = {
    "verify.token": "Invalid access_token",
    "not.found": "Chat not found",
    "chat.denied": "Bot is not a member of the chat",
    "too.many.requests": "Too many requests",
    "internal": "Internal error",
}


@dataclass(frozen=True)
class FakeMaxChat:
    chat_id: int
    link: str | None
    participants_count: int
    title: str = "Канал"
    type: str = "channel"
    #: The bot's status in the chat: "active", "removed", "left" or "closed".
    status: str = "active"
    #: Whether the bot was added to the channel (else the API answers 403).
    bot_added: bool = True

    def to_api(self) -> dict[str, Any]:
        return {
            "chat_id": self.chat_id,
            "type": self.type,
            "status": self.status,
            "title": self.title,
            "icon": None,
            "last_event_time": 1_790_000_000_000,
            "participants_count": self.participants_count,
            "owner_id": 1,
            "is_public": self.link is not None,
            "link": f"https://max.ru/{self.link}" if self.link else None,
            "description": None,
        }


@dataclass
class FakeMaxAPI(FakeApiServer):
    token: str = "max-bot-token"
    chats: dict[int, FakeMaxChat] = field(default_factory=dict)

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/chats/{chat}", self._get_chat)

    def add_chat(self, chat: FakeMaxChat) -> FakeMaxChat:
        self.chats[chat.chat_id] = chat
        return chat

    async def _get_chat(self, request: web.Request) -> web.Response:
        params = dict(request.query)
        reference = request.match_info["chat"]
        call = await self.arrive("GET /chats", {**params, "chat": reference})
        token = request.headers.get("Authorization") or params.get("access_token")
        fault = self.take_fault()
        chat = self._find(reference.lstrip("@"))
        if token != self.token:
            status, code = 401, "verify.token"
        elif call.over_limit:
            status, code = 429, "too.many.requests"
        elif fault is not None:
            status, code = fault
        elif chat is None:
            status, code = 404, "not.found"
        elif not chat.bot_added:
            status, code = 403, "chat.denied"
        else:
            return web.json_response(chat.to_api())
        call.error = status
        return web.json_response({"code": code, "message": MESSAGES.get(code, code)}, status=status)

    def _find(self, reference: str) -> FakeMaxChat | None:
        if reference.lstrip("-").isdigit():
            return self.chats.get(int(reference))
        wanted = reference.lower()
        return next(
            (chat for chat in self.chats.values() if (chat.link or "").lower() == wanted), None
        )
