"""Odnoklassniki: member counts through `group.getInfo` (uids, fields=members_count).

Requests go to `OK_API_URL` (https://api.ok.ru/fb.do) with `method`, `application_key`,
`format=json` and the signature `sig` as the OK API documents it
(https://apiok.ru/dev/methods/): the parameters other than `sig`, `access_token` and
`session_key`, sorted by name, joined as `name=value` without separators, followed by the
secret; the secret is `md5(access_token + application_secret_key)` in a session (with
`OK_ACCESS_TOKEN`) or `application_secret_key` without one; `sig` is the lower-case hex
md5 of that. group.getInfo needs no session.

A link by id (ok.ru/group/54321, ok.ru/group54321) is asked directly; a link by short
name (ok.ru/penzagov) is first read with `url.getInfo` (`{"objectId", "type"}`), once: the
id comes back as `platform_id` and is asked directly afterwards. group.getInfo answers a
list of groups (`uid`, `members_count`) and leaves out the uids it does not know: a
deleted or blocked group. Errors are `{"error_code", "error_msg", "error_data"}`:
1 UNKNOWN, 2 SERVICE, 8 FLOOD_BLOCKED, 11 LIMIT_REACHED are tried again; 100 PARAM,
160 PARAM_GROUP_ID and 300 NOT_FOUND belong to a community of the batch; the rest
(101 PARAM_API_KEY, 102/103 session, 104 PARAM_SIGNATURE, 10 PERMISSION_DENIED...)
make the collector unavailable.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from bot.domain.links import Platform
from bot.domain.observations import CollectorUnavailable, Count, Failure, Target, Uncollectable
from bot.services.collectors import common

#: Groups one group.getInfo call is given.
BATCH_SIZE = 100
RETRY = frozenset({1, 2, 8, 11})
ITEM_ERRORS: dict[int, Uncollectable] = {
    100: Uncollectable.UNKNOWN,
    160: Uncollectable.UNKNOWN,
    300: Uncollectable.UNKNOWN,
}
_UNSIGNED = frozenset({"sig", "access_token", "session_key"})
_GROUP_ID = re.compile(r"group(\d+)")
_SHORT_NAME = re.compile(r"[a-z0-9_.\-]+")
_NOT_GROUPS = frozenset({"profile", "dk", "feed", "music", "video", "game", "app", "search"})


def ok_signature(params: Mapping[str, str], secret: str) -> str:
    """The OK API's `sig` of a request: md5 of the sorted `name=value` pairs (without
    sig, access_token, session_key) followed by `secret` (see the module docstring)."""
    signed = "".join(f"{key}={params[key]}" for key in sorted(params) if key not in _UNSIGNED)
    return hashlib.md5((signed + secret).encode()).hexdigest()


def ok_session_secret(access_token: str, application_secret_key: str) -> str:
    """The signing secret in a session: md5(access_token + application_secret_key)."""
    return hashlib.md5((access_token + application_secret_key).encode()).hexdigest()


def ok_reference(url: str) -> tuple[str, str] | common.Outcome:
    """("id", "54321") for ok.ru/group/54321 or ok.ru/group54321, ("name", "penzagov")
    for ok.ru/penzagov; the common.Outcome of a link that names no group (a profile)."""
    segments = [segment for segment in urlsplit(url).path.split("/") if segment]
    if not segments:
        return common.failed(Uncollectable.NOT_A_COMMUNITY)
    first = segments[0].lower()
    if first == "group" and len(segments) > 1 and segments[1].isdigit():
        return ("id", segments[1])
    if numbered := _GROUP_ID.fullmatch(first):
        return ("id", numbered[1])
    if first in _NOT_GROUPS or not _SHORT_NAME.fullmatch(first):
        return common.failed(Uncollectable.NOT_A_COMMUNITY)
    return ("name", first)


class OkCollector:
    """Collector for ok.ru groups."""

    platform = Platform.OK

    def __init__(
        self,
        *,
        application_key: str,
        application_secret_key: str,
        api_url: str,
        pacer: common.Pacer,
        access_token: str | None = None,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.batch_size = batch_size
        self._api_url, self._pacer = api_url, pacer
        # Signed in the access token's session when there is one, else as the application.
        self._application_key, self._access_token = application_key, access_token
        self._secret = (
            ok_session_secret(access_token, application_secret_key)
            if access_token
            else application_secret_key
        )

    async def collect(self, targets: Sequence[Target]) -> list[Count | Failure]:
        """One result per target, the group's id as `platform_id`. Raises
        CollectorUnavailable (keys or signature refused, OK unreachable or flood-blocked
        past the retries)."""
        results: list[Count | Failure] = []
        wanted: dict[str, list[int]] = {}
        async with common.http_session() as session:
            for target in targets:
                uid = target.platform_id or await self._uid(session, target.url)
                if isinstance(uid, common.Outcome):
                    results.append(uid.for_page(target.page_id))
                else:
                    wanted.setdefault(uid, []).append(target.page_id)
            return results + await common.lookup_in_chunks(
                wanted, self.batch_size, lambda uids: self._groups(session, uids)
            )

    async def _uid(self, session: aiohttp.ClientSession, url: str) -> str | common.Outcome:
        reference = ok_reference(url)
        if isinstance(reference, common.Outcome) or reference[0] == "id":
            return reference if isinstance(reference, common.Outcome) else reference[1]
        try:
            answer = await self._request(
                session, "url.getInfo", {"url": f"https://ok.ru/{reference[1]}"}
            )
        except common.ItemError as error:
            return error.outcome
        if not isinstance(answer, dict) or answer.get("type") != "GROUP":
            return common.failed(Uncollectable.NOT_A_COMMUNITY)
        return str(answer["objectId"])

    async def _groups(
        self, session: aiohttp.ClientSession, uids: list[str]
    ) -> dict[str, common.Outcome]:
        answer = await self._request(
            session, "group.getInfo", {"uids": ",".join(uids), "fields": "uid,members_count"}
        )
        found = {
            str(group["uid"]): group
            for group in (answer if isinstance(answer, list) else [])
            if isinstance(group, dict) and "uid" in group
        }
        return {uid: _outcome(uid, found.get(uid)) for uid in uids}

    async def _request(
        self, session: aiohttp.ClientSession, method: str, params: dict[str, str]
    ) -> Any:
        return await common.with_retries(
            lambda: self._call(session, method, params), pacer=self._pacer, what=f"OK {method}"
        )

    async def _call(
        self, session: aiohttp.ClientSession, method: str, params: dict[str, str]
    ) -> Any:
        data = {**params, "method": method, "application_key": self._application_key}
        data["format"] = "json"
        data["sig"] = ok_signature(data, self._secret)
        if self._access_token:
            data["access_token"] = self._access_token
        async with session.post(self._api_url, data=data) as response:
            body = await common.read_json(response)
        if isinstance(body, dict) and "error_code" in body:
            _raise_error(body)
        return body


def _raise_error(error: dict[str, Any]) -> None:
    code = error.get("error_code")
    message = f"OK error {code}: {error.get('error_msg', '')}"
    if code in RETRY:
        raise common.TryAgain(message)
    if isinstance(code, int) and code in ITEM_ERRORS:
        raise common.ItemError(common.failed(ITEM_ERRORS[code], str(error.get("error_msg", ""))))
    raise CollectorUnavailable(message)


def _outcome(uid: str, group: dict[str, Any] | None) -> common.Outcome:
    if group is None:
        return common.Outcome(platform_id=uid, reason=Uncollectable.GONE)
    members = group.get("members_count")
    if not isinstance(members, int):
        return common.Outcome(platform_id=uid, reason=Uncollectable.PRIVATE)
    return common.Outcome(figure=members, platform_id=uid)
