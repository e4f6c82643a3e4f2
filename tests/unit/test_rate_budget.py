"""The rate budget's rules, without a server."""

from __future__ import annotations

import pytest

from bot.services.flood import Lane, RateBudget


async def test_a_group_keeps_its_pace_when_private_chats_have_none() -> None:
    budget = RateBudget(rate=30, per_chat_interval=0, group_per_minute=20)
    await budget.acquire(-100500, lane=Lane.DIRECT)
    assert budget.chat_wait(-100500) == pytest.approx(60 / 18, rel=0.01)
    await budget.acquire(4242, lane=Lane.DIRECT)
    assert budget.chat_wait(4242) == 0.0


def test_a_rate_below_one_a_second_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RateBudget(rate=0.5)
