"""A fake Odnoklassniki REST API (https://api.ok.ru/fb.do) for tests.

`GET|POST /fb.do` with `method`, `application_key`, `format=json`, `sig` and, in a
session, `access_token`. The signature is checked as the OK API documents it
(bot/services/collectors/ok.py has the rule) against the fake's own keys. Methods:

- `group.getInfo` (`uids`, `fields`): a JSON list of the known groups with `uid` and
  the requested fields; unknown uids are left out;
- `url.getInfo` (`url`): `{"objectId", "type": "GROUP" | "USER"}`, NOT_FOUND otherwise.

Errors are OK's `{"error_code", "error_msg", "error_data": null}` with HTTP 200: 101 a
wrong application key, 104 a wrong signature, 102 an unknown access token, 100 a missing
parameter, 8 FLOOD_BLOCKED past `rate_limit`, and any code given to `inject`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.services.collectors.ok import ok_session_secret, ok_signature
from tests.fakes.api_server import FakeApiServer

OK_ERRORS: dict[int, str] = {
    1: "UNKNOWN : Unknown error",
    2: "SERVICE : Service is temporary unavailable",
    8: "FLOOD_BLOCKED : Too many requests",
    100: "PARAM : Missing required parameter",
    101: "PARAM_API_KEY : Application key is invalid",
    102: "PARAM_SESSION_EXPIRED : Session expired",
    104: "PARAM_SIGNATURE : Invalid signature",
    300: "NOT_FOUND : Requested information is not found",
}


@dataclass(frozen=True)
class FakeOkGroup:
    uid: str
    members_count: int
    short_name: str | None = None
    name: str = "Группа"


@dataclass
class FakeOkAPI(FakeApiServer):
    API_PATH = "/fb.do"
    application_key: str = "CBAPUBLICKEY"
    application_secret_key: str = "0123456789ABCDEF"
    access_token: str | None = None
    groups: dict[str, FakeOkGroup] = field(default_factory=dict)
    #: Short names of people's profiles (url.getInfo answers "USER").
    profiles: dict[str, int] = field(default_factory=dict)

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", self.API_PATH, self._handle)

    def add_group(self, group: FakeOkGroup) -> FakeOkGroup:
        self.groups[group.uid] = group
        return group

    async def _handle(self, request: web.Request) -> web.Response:
        params = await self.params(request)
        call = await self.arrive(params.get("method", ""), params)
        answer = self._refusal(params, over_limit=call.over_limit) or self._answer(params)
        if not isinstance(answer, int):
            return web.json_response(answer)
        call.error = answer
        message = OK_ERRORS.get(answer, "UNKNOWN")
        return web.json_response({"error_code": answer, "error_msg": message, "error_data": None})

    def _refusal(self, params: dict[str, str], *, over_limit: bool) -> int | None:
        if params.get("application_key") != self.application_key:
            return 101
        token = params.get("access_token")
        if token is not None and token != self.access_token:
            return 102
        secret = (
            ok_session_secret(token, self.application_secret_key)
            if token
            else self.application_secret_key
        )
        if params.get("sig") != ok_signature(params, secret):
            return 104
        if over_limit:
            return 8
        fault = self.take_fault()
        return int(fault) if fault is not None else None

    def _answer(self, params: dict[str, str]) -> Any:
        method = params.get("method")
        if method == "group.getInfo":
            if not params.get("uids") or not params.get("fields"):
                return 100
            fields = set(params["fields"].lower().split(","))
            return [
                self._group_json(self.groups[uid], fields)
                for uid in params["uids"].split(",")
                if uid in self.groups
            ]
        if method == "url.getInfo":
            name = urlsplit(params.get("url", "")).path.strip("/").lower()
            for group in self.groups.values():
                if group.short_name and group.short_name.lower() == name:
                    return {"objectId": int(group.uid), "type": "GROUP"}
            if name in self.profiles:
                return {"objectId": self.profiles[name], "type": "USER"}
            return 300
        return 3

    @staticmethod
    def _group_json(group: FakeOkGroup, fields: set[str]) -> dict[str, Any]:
        data: dict[str, Any] = {"uid": group.uid}
        if "members_count" in fields:
            data["members_count"] = group.members_count
        if "name" in fields:
            data["name"] = group.name
        return data
