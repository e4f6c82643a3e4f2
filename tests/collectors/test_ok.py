"""The Odnoklassniki collector against the fake OK API: signatures, ids, errors."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.domain.observations import CollectorUnavailable, Count, Failure, Target, Uncollectable
from bot.services.collectors.ok import OkCollector, ok_signature
from tests.collectors.timeline import Timeline, assert_tried_again
from tests.fakes.ok_api import FakeOkAPI, FakeOkGroup


@pytest.fixture
async def ok_api() -> AsyncIterator[FakeOkAPI]:
    async with FakeOkAPI(access_token="tkn1") as server:
        yield server


def collector(
    ok_api: FakeOkAPI,
    timeline: Timeline,
    *,
    secret: str | None = None,
    access_token: str | None = "tkn1",
) -> OkCollector:
    return OkCollector(
        application_key=ok_api.application_key,
        application_secret_key=secret or ok_api.application_secret_key,
        access_token=access_token,
        api_url=ok_api.api_url,
        pacer=timeline.pacer(10),
    )


def test_the_signature_follows_the_ok_rule() -> None:
    # md5("application_key=Kfields=membersmethod=group.getInfo" + "secret"), by hand.
    params = {"method": "group.getInfo", "fields": "members", "application_key": "K"}
    assert ok_signature({**params, "access_token": "t", "sig": "x"}, "secret") == (
        "7f09df5ae4b6100de89b500757ca9a24"
    )


@pytest.mark.parametrize("access_token", ["tkn1", None])
async def test_groups_by_id_and_by_short_name_are_counted(
    ok_api: FakeOkAPI, access_token: str | None
) -> None:
    ok_api.add_group(FakeOkGroup(uid="53038939046008", members_count=2_500))
    ok_api.add_group(FakeOkGroup(uid="54321", members_count=700, short_name="penzagov"))
    targets = [
        Target(1, "https://ok.ru/group/53038939046008"),
        Target(2, "https://ok.ru/penzagov"),
        Target(3, "https://ok.ru/group54321"),
    ]

    results = await collector(ok_api, Timeline(), access_token=access_token).collect(targets)

    assert sorted(results, key=lambda result: result.page_id) == [
        Count(1, 2_500, "53038939046008"),
        Count(2, 700, "54321"),
        Count(3, 700, "54321"),
    ]
    assert [call.method for call in ok_api.calls()] == ["url.getInfo", "group.getInfo"]
    assert ok_api.calls("group.getInfo")[0].params["uids"] == "53038939046008,54321"


async def test_gone_unknown_and_profile_links_fail_with_reasons(ok_api: FakeOkAPI) -> None:
    ok_api.profiles["ivan.petrov"] = 777
    targets = [
        Target(1, "https://ok.ru/group/111"),
        Target(2, "https://ok.ru/no_such_group"),
        Target(3, "https://ok.ru/ivan.petrov"),
        Target(4, "https://ok.ru/profile/555"),
    ]

    results = await collector(ok_api, Timeline()).collect(targets)

    assert sorted(results, key=lambda result: result.page_id) == [
        # Only OK's own words are kept: the reason says the rest, in the reader's language.
        Failure(1, Uncollectable.GONE, ""),
        Failure(2, Uncollectable.UNKNOWN, "NOT_FOUND : Requested information is not found"),
        Failure(3, Uncollectable.NOT_A_COMMUNITY, ""),
        Failure(4, Uncollectable.NOT_A_COMMUNITY, ""),
    ]


async def test_a_flood_block_is_waited_out_and_tried_again(ok_api: FakeOkAPI) -> None:
    timeline = Timeline()
    for uid in ("54321", "54322"):
        ok_api.add_group(FakeOkGroup(uid=uid, members_count=700))
    ok_api.inject(8)
    targets = [Target(1, "https://ok.ru/group/54321"), Target(2, "https://ok.ru/group54322")]

    assert await collector(ok_api, timeline).collect(targets) == [
        Count(1, 700, "54321"),
        Count(2, 700, "54322"),
    ]
    assert_tried_again(ok_api, timeline, 8, 1.0)


async def test_a_wrong_secret_makes_the_collector_unavailable(ok_api: FakeOkAPI) -> None:
    ok_api.add_group(FakeOkGroup(uid="54321", members_count=700))

    with pytest.raises(CollectorUnavailable, match="PARAM_SIGNATURE"):
        await collector(ok_api, Timeline(), secret="not-the-secret").collect(
            [Target(1, "https://ok.ru/group/54321")]
        )
