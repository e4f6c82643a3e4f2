"""A fake VK API (https://api.vk.com/method) for tests and the collection benchmark.

`POST|GET /method/groups.getById` with `group_ids` (ids and screen names,
comma-separated, at most 500) or `group_id`, `fields`, `access_token` and `v`, answered as
API 5.199 does (VKCOM/vk-api-schema groups_getById_object_response):
`{"response": {"groups": [...], "profiles": []}}`. Communities are given with `id`,
`name`, `screen_name`, `is_closed`, `type`; `members_count` when asked for in `fields`,
except for a deleted or banned one, which carries `deactivated` instead. Ids and screen
names the fake does not know are left out; when none is known the answer is error 100.

Errors are VK's: `{"error": {"error_code", "error_msg", "request_params"}}` with HTTP 200:
5 for a missing or wrong token, 8 without `v`, 6 "Too many requests per second" past
`rate_limit`, and whatever code `inject(code)` asks for.

    async with FakeVkAPI(token="service") as vk:
        vk.add_group(FakeVkGroup(id=1, screen_name="penza_gov", members_count=1200))
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.api_server import FakeApiServer

MAX_GROUP_IDS = 500
VK_ERRORS: dict[int, str] = {
    1: "Unknown error occurred",
    5: "User authorization failed: invalid access_token (4).",
    6: "Too many requests per second",
    8: "Invalid request: v (version) is required",
    9: "Flood control",
    10: "Internal server error",
    15: "Access denied",
    18: "User was deleted or banned",
    28: "Application authorization failed",
    29: "Rate limit reached",
    100: "One of the parameters specified was missing or invalid: group_ids is undefined",
}
_NUMBERED = re.compile(r"(?:club|public|event)?(\d+)")


@dataclass(frozen=True)
class FakeVkGroup:
    id: int
    screen_name: str | None = None
    members_count: int = 0
    name: str = "Сообщество"
    is_closed: int = 0
    #: "deleted" or "banned": VK answers with the group but without its count.
    deactivated: str | None = None
    #: An error code VK answers any request naming this group with (15, 18, 100...).
    refuses: int | None = None

    def to_api(self, fields: set[str]) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "screen_name": self.screen_name or f"club{self.id}",
            "is_closed": self.is_closed,
            "type": "group",
        }
        if self.deactivated:
            data["deactivated"] = self.deactivated
        elif "members_count" in fields:
            data["members_count"] = self.members_count
        return data


@dataclass
class FakeVkAPI(FakeApiServer):
    API_PATH = "/method"
    token: str = "vk-service-token"
    groups: dict[int, FakeVkGroup] = field(default_factory=dict)
    _names: dict[str, int] = field(default_factory=dict)

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", self.API_PATH + "/{method}", self._handle)

    def add_group(self, group: FakeVkGroup) -> FakeVkGroup:
        self.groups[group.id] = group
        if group.screen_name:
            self._names[group.screen_name.lower()] = group.id
        return group

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self.params(request)
        call = await self.arrive(method, params)
        answer = self._error_for(call.over_limit, params) or (
            self._get_by_id(params) if method == "groups.getById" else 3
        )
        if isinstance(answer, dict):
            return web.json_response({"response": answer})
        call.error = answer
        request_params = [{"key": "method", "value": method}] + [
            {"key": key, "value": value} for key, value in params.items() if key != "access_token"
        ]
        message = VK_ERRORS.get(answer, "Unknown method passed")
        return web.json_response(
            {
                "error": {
                    "error_code": answer,
                    "error_msg": message,
                    "request_params": request_params,
                }
            }
        )

    def _get_by_id(self, params: dict[str, str]) -> dict[str, Any] | int:
        ids = [part for part in params.get("group_ids", "").split(",") if part]
        if "group_id" in params:
            ids.append(params["group_id"])
        if len(ids) > MAX_GROUP_IDS:
            return 100
        found = [self.groups[i] for i in dict.fromkeys(self._id(part) for part in ids) if i]
        refusal = next((group.refuses for group in found if group.refuses), None)
        if refusal is not None or not found:
            return refusal or 100
        fields = set(params.get("fields", "").split(","))
        return {"groups": [group.to_api(fields) for group in found], "profiles": []}

    def _error_for(self, over_limit: bool, params: dict[str, str]) -> int | None:
        if params.get("access_token") != self.token:
            return 5
        if "v" not in params:
            return 8
        if over_limit:
            return 6
        fault = self.take_fault()
        return int(fault) if fault is not None else None

    def _id(self, part: str) -> int | None:
        part = part.strip().lower()
        numbered = _NUMBERED.fullmatch(part)
        group_id = int(numbered[1]) if numbered else self._names.get(part)
        return group_id if group_id in self.groups else None
