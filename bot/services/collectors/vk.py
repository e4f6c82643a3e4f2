"""VK: member counts through `groups.getById` (API 5.199), up to 500 communities a call.

The request is `POST {VK_API_URL}/groups.getById` with `group_ids` (ids or screen names,
comma-separated), `fields=members_count`, `access_token` (a service token) and `v`. The
answer (https://dev.vk.com/method/groups.getById; VKCOM/vk-api-schema
groups_getById_object_response) is `{"response": {"groups": [...], "profiles": [...]}}`;
a deleted or banned community comes back with `deactivated` ("deleted" / "banned") and no
count, and ids or screen names VK does not know are left out. An error is
`{"error": {"error_code": N, "error_msg": "...", "request_params": [...]}}`
(VKCOM/vk-api-schema errors.json):

- 6 "Too many requests per second", 9 "Flood control", 29 "Rate limit reached",
  1 "Unknown error", 10 "Internal server error": wait and try again, paced;
- 5 "User authorization failed", 28 "Application authorization failed": the token is
  refused, `CollectorUnavailable`;
- 15 "Access denied", 18 deleted or banned, 100 a parameter (an id) VK cannot read,
  203 "Access to group denied": caused by one community of the batch, which is found by
  splitting the batch (`split_on_item_errors`).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from bot.domain.links import Platform
from bot.domain.observations import CollectorUnavailable, Count, Failure, Target, Uncollectable
from bot.services.collectors import common

#: Most communities one groups.getById call takes (VK's documented limit).
BATCH_SIZE = 500
#: Seconds the link step waits for `resolve` before going on without an id.
RESOLVE_TIMEOUT = 5.0

RETRY = frozenset({1, 6, 9, 10, 29})
REFUSED_TOKEN = frozenset({5, 28})
ITEM_ERRORS: dict[int, Uncollectable] = {
    15: Uncollectable.GONE,
    18: Uncollectable.GONE,
    100: Uncollectable.UNKNOWN,
    203: Uncollectable.PRIVATE,
}
#: Seconds to wait after error 6: VK counts requests per second.
TOO_MANY_WAIT = 1.0

# vk.com/club123, vk.com/public123 and vk.com/event123 are one community, id 123.
_NUMBERED = re.compile(r"(?:club|public|event)(\d+)")
_PERSON = re.compile(r"id\d+")
_SCREEN_NAME = re.compile(r"[a-z0-9_.]+")


def vk_reference(url: str) -> str | None:
    """How groups.getById names the community of a VK link: "123" for vk.com/club123,
    public123 or event123, the lower-cased screen name for vk.com/<name>; None for a
    link that names no community (a person's vk.com/id123, paths such as wall-1_2)."""
    segments = [segment for segment in urlsplit(url).path.split("/") if segment]
    if not segments:
        return None
    first = segments[0].lower()
    if numbered := _NUMBERED.fullmatch(first):
        return str(int(numbered[1]))
    if _PERSON.fullmatch(first) or not _SCREEN_NAME.fullmatch(first):
        return None
    return first


class VkCollector:
    """Collector for VK pages; also `resolve(url)`, the community id for the link step."""

    platform = Platform.VK

    def __init__(
        self,
        *,
        token: str,
        api_url: str,
        version: str,
        pacer: common.Pacer,
        batch_size: int = BATCH_SIZE,
        resolve_timeout: float = RESOLVE_TIMEOUT,
    ) -> None:
        self.batch_size = batch_size
        self._token = token
        self._api_url = api_url.rstrip("/")
        self._version = version
        self._pacer = pacer
        self._resolve_timeout = resolve_timeout

    async def collect(self, targets: Sequence[Target]) -> list[Count | Failure]:
        """One result per target; a batch larger than `batch_size` is asked in several
        calls. Raises CollectorUnavailable (refused token, VK unreachable or rate limited
        beyond the retries)."""
        results: list[Count | Failure] = []
        wanted: dict[str, list[int]] = {}
        for target in targets:
            key = target.platform_id or vk_reference(target.url)
            if key is None:
                results.append(Failure(target.page_id, Uncollectable.NOT_A_COMMUNITY, ""))
            else:
                wanted.setdefault(key, []).append(target.page_id)
        async with common.http_session() as session:
            return results + await common.lookup_in_chunks(
                wanted, self.batch_size, lambda chunk: self._lookup(session, chunk)
            )

    async def resolve(self, url: str) -> str | None:
        """The numeric id of the community a VK link names ("123"), or None when the link
        names none, VK does not know it, or VK did not answer within the resolve timeout
        (the link step then goes on; a later collection learns the id). Never raises."""
        key = vk_reference(url)
        if key is None or key.isdigit():
            return key
        try:
            async with asyncio.timeout(self._resolve_timeout), common.http_session() as session:
                outcome = (await self._lookup(session, [key], attempts=1))[key]
        except (common.ItemError, CollectorUnavailable, TimeoutError, aiohttp.ClientError):
            return None
        return outcome.platform_id

    async def _lookup(
        self, session: aiohttp.ClientSession, keys: list[str], *, attempts: int = common.ATTEMPTS
    ) -> dict[str, common.Outcome]:
        params = {"group_ids": ",".join(keys), "fields": "members_count"}
        answer = await common.with_retries(
            lambda: self._call(session, "groups.getById", params),
            pacer=self._pacer,
            what="VK groups.getById",
            attempts=attempts,
        )
        return _outcomes(keys, answer)

    async def _call(
        self, session: aiohttp.ClientSession, method: str, params: dict[str, str]
    ) -> Any:
        data = {**params, "access_token": self._token, "v": self._version}
        async with session.post(f"{self._api_url}/{method}", data=data) as response:
            body = await common.read_json(response)
        if not isinstance(body, dict):
            raise common.TryAgain("VK answered with neither a response nor an error")
        error = body.get("error")
        if isinstance(error, dict):
            _raise_error(error)
        if "response" not in body:
            raise common.TryAgain("VK answered with neither a response nor an error")
        return body["response"]


def _raise_error(error: dict[str, Any]) -> None:
    code = error.get("error_code")
    message = f"VK error {code}: {error.get('error_msg', '')}"
    if code in RETRY:
        raise common.TryAgain(message, TOO_MANY_WAIT if code == 6 else None)
    if code in REFUSED_TOKEN:
        raise CollectorUnavailable(f"VK refused the service token ({message})")
    if isinstance(code, int) and code in ITEM_ERRORS:
        raise common.ItemError(common.failed(ITEM_ERRORS[code], str(error.get("error_msg", ""))))
    raise CollectorUnavailable(message)


def _outcomes(keys: list[str], answer: Any) -> dict[str, common.Outcome]:
    # API 5.199 answers {"groups": [...], "profiles": [...]}; before 5.194 a bare list.
    groups = answer.get("groups", []) if isinstance(answer, dict) else answer
    found: dict[str, dict[str, Any]] = {}
    for group in groups if isinstance(groups, list) else []:
        if isinstance(group, dict) and "id" in group:
            found[str(group["id"])] = group
            if isinstance(group.get("screen_name"), str):
                found[group["screen_name"].lower()] = group
    return {key: _outcome(found.get(key)) for key in keys}


def _outcome(group: dict[str, Any] | None) -> common.Outcome:
    if group is None:
        return common.failed(Uncollectable.UNKNOWN)
    platform_id = str(group["id"])
    if group.get("deactivated"):
        return common.Outcome(
            platform_id=platform_id,
            reason=Uncollectable.GONE,
            detail=str(group["deactivated"]),  # VK's word: "deleted" or "banned"
        )
    members = group.get("members_count")
    if isinstance(members, int):
        return common.Outcome(figure=members, platform_id=platform_id)
    closed = group.get("is_closed", 0) != 0
    return common.Outcome(
        platform_id=platform_id,
        reason=Uncollectable.PRIVATE if closed else Uncollectable.UNKNOWN,
    )
