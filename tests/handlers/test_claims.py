"""Claiming a page nobody administers: /register offers it, /pending decides it, and
nothing else about the page changes; refusals of second claimants, forged buttons and
other territories' coordinators."""

from __future__ import annotations

from typing import Any

from bot.domain.audit import AuditAction, SubjectKind
from bot.domain.localtime import DAY
from bot.handlers.callbacks import ClaimCb, ClaimDecisionCb, ListCb, ListKind, ModerationAction
from bot.storage.claims import Claim
from bot.texts.formats import number
from tests.builders import KUZNETSK, add_imported_page, add_user
from tests.clock import START
from tests.fakes.bot_api import SentMessage
from tests.flows import alert, claim, register_page, stored_page, translator
from tests.harness import BotHarness
from tests.users import ADMIN, ADMIN_EN, OTHER, SUPER

LINK = "https://vk.com/club777"
TITLE = "Дом культуры <Заречье>"  # the brackets must reach Telegram escaped
NOT_ALLOWED = "Sorry, your role does not allow this."
ROLE_GRANTED = AuditAction.ROLE_GRANTED
APPROVE_CLAIM, REJECT_CLAIM = "✅ Approve the claim", "❌ Reject the claim"


async def imported(bot: BotHarness) -> int:
    """An imported page in Kuznetsk nobody has claimed, with two reports and a milestone."""
    await bot.send(SUPER, "/start")
    async with bot.db.write() as repos:
        page = await add_imported_page(
            repos,
            "vk.com/club777",
            importer=SUPER.id,
            territory_id=KUZNETSK,
            title=TITLE,
            figure=1500,
            now=START - 10 * DAY,
        )
        await repos.reports.add(
            page_id=page, figure=1800, reported_by=SUPER.id, update_id=None, now=START - DAY
        )
        await repos.pages.set_current_figure(page, 1800, now=START - DAY)
        await repos.milestones.record("page", page, 1000, START - DAY)
    return page


async def page_state(bot: BotHarness, page: int) -> tuple[Any, ...]:
    """Everything a claim must leave alone: the page row, its reports, its milestones,
    the totals."""
    async with bot.db.read() as repos:
        return (
            await repos.pages.get(page),
            await repos.reports.history(page, limit=None),
            await repos.milestones.reached("page", page),
            await repos.totals.breakdowns(),
        )


async def admins(bot: BotHarness, page: int) -> list[int]:
    async with bot.db.read() as repos:
        return await repos.pages.admin_ids(page)


async def waiting(bot: BotHarness) -> list[Claim]:
    async with bot.db.read() as repos:
        return await repos.claims.pending(territory_id=None, limit=None)


def card_of(replies: list[SentMessage], button: str) -> SentMessage:
    return next(m for m in replies if m.find_button(button) is not None)


async def test_a_claim_waits_in_pending_and_approval_makes_the_claimant_the_administrator(
    bot: BotHarness,
) -> None:
    page = await imported(bot)
    before = await page_state(bot, page)
    t = translator(bot, "ru")

    await bot.send(ADMIN, "/register")
    [offer] = await bot.send(ADMIN, LINK)
    assert TITLE in (offer.text or "")
    assert "город Кузнецк" in (offer.text or "")
    assert offer.button_texts() == [t("🙋 Claim this page"), t("Cancel")]
    [sent] = await bot.click(ADMIN, t("🙋 Claim this page"))
    assert TITLE in (sent.text or "")
    assert "отправлена координатору" in (sent.text or "")
    assert offer.buttons == []
    # The wizard is over: the next text is no link for it.
    [chatter] = await bot.send(ADMIN, "https://vk.com/club778")
    assert chatter.text == t("I did not understand. Send /start for the menu or /help.")

    # Two coordinators see the claim; one decides it, the other's tap changes nothing.
    await bot.send(OTHER, "/start")
    await bot.send(SUPER, "/grant @petr")
    [claimed] = await waiting(bot)
    cards = {}
    for coordinator in (SUPER, OTHER):
        replies = await bot.send(coordinator, "/pending")
        assert t("Claims waiting for a decision: {count}").format(count=1) in [
            m.text for m in replies
        ]
        cards[coordinator.id] = card_of(replies, t(APPROVE_CLAIM))
    text = cards[SUPER.id].text or ""
    assert "Иван @ivan (id 200)" in text
    assert TITLE in text
    assert number(1800, "ru") in text

    [done] = await bot.click(SUPER, t(APPROVE_CLAIM), cards[SUPER.id])
    assert done.text == f"Заявка одобрена: Иван @ivan (id 200) теперь администрирует {TITLE}."
    assert cards[SUPER.id].buttons == []
    for action in ModerationAction:
        late = ClaimDecisionCb(action=action, claim_id=claimed.id).pack()
        assert await alert(bot, OTHER, cards[OTHER.id], late) == t(
            "Another coordinator has already decided on this claim."
        )

    await bot.drain()
    notice = bot.fake.last_message(ADMIN.id).text or ""
    assert notice.startswith(f"Ваша заявка одобрена: теперь вы администратор {TITLE}.")
    assert await admins(bot, page) == [ADMIN.id]
    assert await page_state(bot, page) == before
    async with bot.db.read() as repos:
        # The grant above is audited too; the page's entry is the claim's.
        [entry] = [e for e in await repos.audit.latest(limit=10) if e.action != ROLE_GRANTED]
    assert (entry.action, entry.actor_id, entry.subject_kind) == (
        AuditAction.CLAIM_APPROVED,
        SUPER.id,
        SubjectKind.PAGE,
    )
    assert (entry.subject_id, entry.territory_id, entry.details) == (
        page,
        KUZNETSK,
        {"claimant": ADMIN.id},
    )
    assert any(TITLE in (m.text or "") for m in await bot.send(ADMIN, "/mypages"))
    # /audit names the claimant.
    [audit] = await bot.send(SUPER, "/audit")
    assert f"Заявка на страницу одобрена: «{TITLE}» (#{page})\nЗаявитель: Иван @ivan" in (
        audit.text or ""
    )

    # Administered now: its link is a duplicate again, nothing to claim.
    await bot.send(ADMIN_EN, "/register")
    [duplicate] = await bot.send(ADMIN_EN, LINK)
    assert (duplicate.text or "").startswith(f"This page is already registered as {TITLE}.")


async def test_a_second_claimant_is_told_the_page_is_being_claimed(bot: BotHarness) -> None:
    page = await imported(bot)
    await claim(bot, ADMIN, LINK)

    # The second claimant is not invited to claim it: no offer, no button.
    await bot.send(ADMIN_EN, "/register")
    [told] = await bot.send(ADMIN_EN, LINK)
    assert (told.text or "").startswith("Someone else has already claimed this page")
    assert told.buttons == []
    # Nor is the first asked again: their claim waits.
    own = bot.fake.last_message(ADMIN.id)
    await bot.send(ADMIN, "/register")
    [mine] = await bot.send(ADMIN, LINK)
    assert mine.text == translator(bot, "ru")(
        "You have already claimed this page. A coordinator will decide soon."
    )
    assert mine.buttons == []
    # A forged tap on the claim button is refused all the same.
    refusal = await alert(bot, ADMIN_EN, told, ClaimCb(page_id=page).pack())
    assert refusal.startswith("Someone else has already claimed this page")
    again = await alert(bot, ADMIN, own, ClaimCb(page_id=page).pack())
    assert again == translator(bot, "ru")(
        "You have already claimed this page. A coordinator will decide soon."
    )
    [only] = await waiting(bot)
    assert (only.page_id, only.user_id) == (page, ADMIN.id)


async def test_a_rejected_claim_tells_the_claimant_why(bot: BotHarness) -> None:
    page = await imported(bot)
    before = await page_state(bot, page)
    await claim(bot, ADMIN_EN, LINK)
    t = translator(bot, "ru")

    await bot.send(SUPER, "/pending")
    [ask] = await bot.click(SUPER, t(REJECT_CLAIM))
    assert "John @john (id 300)" in (ask.text or "")
    [done] = await bot.send(SUPER, "Страница принадлежит <школе>")
    assert done.text == f"Заявка отклонена: {TITLE}."
    await bot.drain()
    assert bot.fake.last_message(ADMIN_EN.id).text == (
        f"Your claim of {TITLE} was not approved. Reason: Страница принадлежит <школе>"
    )
    assert await admins(bot, page) == []
    assert await page_state(bot, page) == before
    async with bot.db.read() as repos:
        [entry] = await repos.audit.latest(limit=10)
    assert entry.action is AuditAction.CLAIM_REJECTED
    assert entry.details == {"claimant": ADMIN_EN.id, "reason": "Страница принадлежит <школе>"}

    # Decided: the page may be claimed again, by anyone.
    assert "отправлена координатору" in await claim(bot, OTHER, LINK)


async def test_forged_claim_buttons_change_nothing(bot: BotHarness) -> None:
    page = await imported(bot)
    await claim(bot, ADMIN, LINK)
    [claimed] = await waiting(bot)
    t_ru, t_en = translator(bot, "ru"), translator(bot, "en")

    [start] = await bot.send(ADMIN_EN, "/start")
    for action in ModerationAction:
        forged = ClaimDecisionCb(action=action, claim_id=claimed.id).pack()
        assert await alert(bot, ADMIN_EN, start, forged) == NOT_ALLOWED
    listing = ListCb(kind=ListKind.CLAIMS, page=0).pack()
    assert await alert(bot, ADMIN_EN, start, listing) == NOT_ALLOWED

    [own] = await bot.send(SUPER, "/start")
    for action in ModerationAction:
        forged = ClaimDecisionCb(action=action, claim_id=claimed.id + 1000).pack()
        assert await alert(bot, SUPER, own, forged) == t_ru("There is no such claim. See /pending.")

    # Pages with an administrator, waiting for approval, or missing are not claimed.
    owned = await stored_page(bot, OTHER, link="https://vk.com/club900")
    await register_page(bot, OTHER, link="https://vk.com/club901")
    async with bot.db.read() as repos:
        pending = await repos.pages.by_link_key("vk.com/club901")
    assert pending is not None
    for target in (owned, pending.id):
        refusal = await alert(bot, ADMIN_EN, start, ClaimCb(page_id=target).pack())
        assert refusal == t_en(
            "This page has an administrator now, so it cannot be claimed. "
            "Ask its administrator for an invite."
        )
    missing = await alert(bot, ADMIN_EN, start, ClaimCb(page_id=page + 1000).pack())
    assert missing == t_en("There is no such page among yours. See /mypages.")

    assert await waiting(bot) == [claimed]
    assert await admins(bot, page) == []
    assert await admins(bot, owned) == [OTHER.id]


async def test_a_scoped_coordinator_decides_only_their_territorys_claims(
    bot: BotHarness,
) -> None:
    page = await imported(bot)
    await claim(bot, ADMIN, LINK)
    [claimed] = await waiting(bot)
    t = translator(bot, "ru")
    await bot.send(OTHER, "/start")
    await bot.send(SUPER, "/grant @petr Пенза")

    [queue] = await bot.send(OTHER, "/pending")
    assert queue.text == t("Nothing waits for approval.")
    for action in ModerationAction:
        forged = ClaimDecisionCb(action=action, claim_id=claimed.id).pack()
        assert await alert(bot, OTHER, queue, forged) == t(NOT_ALLOWED)
    assert await waiting(bot) == [claimed]
    assert await admins(bot, page) == []

    await bot.send(SUPER, "/grant @petr город Кузнецк")
    replies = await bot.send(OTHER, "/pending")
    await bot.click(OTHER, t(APPROVE_CLAIM), card_of(replies, t(APPROVE_CLAIM)))
    assert await admins(bot, page) == [ADMIN.id]
    assert await waiting(bot) == []


async def test_an_invite_accepted_before_the_decision_closes_the_claim(bot: BotHarness) -> None:
    """The import's invite link makes someone the page's administrator while a claim
    waits: the claim closes (its claimant told in their language), and the
    coordinator's card, tapped late, adds nobody."""
    page = await imported(bot)
    await claim(bot, ADMIN_EN, LINK)
    t = translator(bot, "ru")
    card = card_of(await bot.send(SUPER, "/pending"), t(APPROVE_CLAIM))
    async with bot.db.write() as repos:
        await repos.invites.create(
            code="import-invite-01",
            page_id=page,
            created_by=SUPER.id,
            now=START,
            expires_at=START + DAY,
        )
    await bot.send(ADMIN, "/start import-invite-01")
    await bot.drain()
    assert bot.fake.last_message(ADMIN_EN.id).text == (
        f"{TITLE} has an administrator now, so your claim of it is closed. "
        "If the page is yours too, ask its administrator for an invite."
    )
    assert await waiting(bot) == []
    assert await bot.click(SUPER, t(APPROVE_CLAIM), card) == []
    assert await admins(bot, page) == [ADMIN.id]
    async with bot.db.read() as repos:
        [entry] = await repos.audit.latest(limit=10)
    assert (entry.action, entry.actor_id, entry.subject_id) == (
        AuditAction.CLAIM_REJECTED,
        None,
        page,
    )
    assert entry.details == {"claimant": ADMIN_EN.id}


async def test_approving_a_claim_of_a_page_that_found_an_administrator_adds_nobody(
    bot: BotHarness,
) -> None:
    """The decision itself checks the page is still claimable: a claim found stale is
    closed, the coordinator and the claimant are told so, nobody is added."""
    page = await imported(bot)
    await claim(bot, ADMIN_EN, LINK)
    t = translator(bot, "ru")
    card = card_of(await bot.send(SUPER, "/pending"), t(APPROVE_CLAIM))
    async with bot.db.write() as repos:
        await add_user(repos, OTHER)
        await repos.pages.add_admin(page, OTHER.id, now=START)
    [done] = await bot.click(SUPER, t(APPROVE_CLAIM), card)
    assert done.text == (
        f"У страницы {TITLE} теперь есть администратор: заявка закрыта, никто не добавлен."
    )
    await bot.drain()
    notice = bot.fake.last_message(ADMIN_EN.id).text or ""
    assert notice.startswith(f"{TITLE} has an administrator now, so your claim of it is closed.")
    assert await admins(bot, page) == [OTHER.id]
    assert await waiting(bot) == []
    async with bot.db.read() as repos:
        actions = [e.action for e in await repos.audit.latest(limit=10)]
    assert AuditAction.CLAIM_APPROVED not in actions
