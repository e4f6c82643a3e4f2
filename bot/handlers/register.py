"""/register: link → platform → title → territory → level → theme → confirm; the link of
an approved page nobody administers is offered to be claimed instead."""

from __future__ import annotations

from html import escape
from typing import ClassVar

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InaccessibleMessage, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.domain.catalog import Level, Theme
from bot.domain.limits import PAGE_TITLE
from bot.domain.links import LinkError, LinkErrorReason, Platform
from bot.domain.roles import Actor
from bot.handlers import keyboards
from bot.handlers.callbacks import (
    ClaimCb,
    LevelCb,
    MenuItem,
    PlatformCb,
    RegisterAction,
    RegisterCb,
    TerritoryCb,
    TerritoryPageCb,
    ThemeCb,
)
from bot.handlers.common import edit_markup, on_command, reply_target, settle_card
from bot.handlers.forms import StoredForm, fits, typed_line
from bot.handlers.states import Register
from bot.services.claims import ClaimService
from bot.services.registry import PageDraft, RegistryService
from bot.texts.claims import claim_offer
from bot.texts.formats import territory_name
from bot.texts.labels import LEVEL_LABELS, PLATFORM_LABELS, THEME_LABELS, label


class Draft(StoredForm):
    """What the wizard has gathered so far; kept in the FSM data between steps."""

    key: ClassVar[str | None] = "draft"

    url: str | None = None
    link_key: str | None = None
    platform: Platform | None = None
    # The community's id the link step resolved; None when unknown (optional).
    platform_id: str | None = None
    title: str | None = None
    territory_id: int | None = None
    level: Level | None = None
    theme: Theme | None = None

    def complete(self) -> PageDraft | None:
        """The page to register, or None while a step is unanswered."""
        return self.as_record(PageDraft, optional=frozenset({"platform_id"}))


def link_error_text(reason: LinkErrorReason) -> str:
    texts = {
        LinkErrorReason.EMPTY: _("Send the link to the page, for example https://vk.com/club123."),
        LinkErrorReason.NOT_A_LINK: _(
            "This does not look like a link to a page. Send it as https://vk.com/club123, "
            "https://ok.ru/group/123, https://t.me/channel or @channel."
        ),
        LinkErrorReason.TOO_LONG: _("The link is too long. Send the page's address only."),
        LinkErrorReason.NO_PATH: _(
            "This is the address of the site, not of a page. Open your page and copy its link."
        ),
    }
    return texts[reason]


async def ask_link(target: Message | InaccessibleMessage, state: FSMContext) -> None:
    await state.set_state(Register.link)
    await Draft().save(state)
    await target.answer(
        _(
            "Let's register your page. Step 1 of 6.\n\n"
            "Send the link to the page: VK, Odnoklassniki, Telegram, MAX or another site."
        ),
        reply_markup=keyboards.cancel(),
    )


async def start_registration(event: Message | CallbackQuery, state: FSMContext) -> None:
    await ask_link(reply_target(event), state)


async def take_link(
    message: Message,
    state: FSMContext,
    registry: RegistryService,
    actor: Actor,
    claims: ClaimService,
    i18n: I18n,
) -> None:
    offered = await claims.offer(actor, message.text or "")
    if offered is not None:
        # The wizard stays at this step: another link may follow instead of the claim.
        territories = await registry.territories()
        await message.answer(
            claim_offer(offered, territories, i18n.current_locale),
            reply_markup=keyboards.claim_offer(offered.id),
        )
        return
    try:
        link = await registry.check_link(message.text or "")
    except LinkError as exc:
        await message.answer(link_error_text(exc.reason), reply_markup=keyboards.cancel())
        return
    draft = await Draft.update(
        state,
        url=link.url,
        link_key=link.key,
        platform=link.platform,
        platform_id=link.platform_id,
    )
    if link.platform is None:
        await state.set_state(Register.platform)
        await message.answer(
            _("Which platform is this page on?"), reply_markup=keyboards.platforms()
        )
        return
    await ask_title(message, state, draft)


async def ask_title(target: Message | InaccessibleMessage, state: FSMContext, draft: Draft) -> None:
    await state.set_state(Register.title)
    platform = label(PLATFORM_LABELS, draft.platform or Platform.OTHER)
    await target.answer(
        _("Platform: {platform}.\n\nStep 2 of 6. Send the page's name as people see it.").format(
            platform=platform
        ),
        reply_markup=keyboards.cancel(),
    )


async def take_platform(
    callback: CallbackQuery, callback_data: PlatformCb, state: FSMContext
) -> None:
    draft = await Draft.update(state, platform=callback_data.platform)
    await ask_title(reply_target(callback), state, draft)


async def take_title(
    message: Message, state: FSMContext, registry: RegistryService, i18n: I18n
) -> None:
    title = typed_line(message)
    refusal = _("The name must be 1 to {limit} characters long. Send it again.")
    if not await fits(message, title, PAGE_TITLE, refusal, keyboards.cancel()):
        return
    await Draft.update(state, title=title)
    await state.set_state(Register.territory)
    await message.answer(
        _("Step 3 of 6. Choose the territory of the page:"),
        reply_markup=keyboards.territories(await registry.territories(), i18n.current_locale, 0),
    )


async def turn_territory_page(
    callback: CallbackQuery,
    callback_data: TerritoryPageCb,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    markup = keyboards.territories(
        await registry.territories(), i18n.current_locale, callback_data.page
    )
    await edit_markup(callback, markup)


async def take_territory(
    callback: CallbackQuery,
    callback_data: TerritoryCb,
    state: FSMContext,
    registry: RegistryService,
) -> None:
    territory = await registry.territory(callback_data.territory_id)
    if territory is None:
        await callback.answer(_("Unknown territory. Choose one of the buttons."), show_alert=True)
        return
    await Draft.update(state, territory_id=territory.id)
    await state.set_state(Register.level)
    await reply_target(callback).answer(
        _("Step 4 of 6. Choose the level:"), reply_markup=keyboards.levels()
    )


async def take_level(callback: CallbackQuery, callback_data: LevelCb, state: FSMContext) -> None:
    await Draft.update(state, level=callback_data.level)
    await state.set_state(Register.theme)
    await reply_target(callback).answer(
        _("Step 5 of 6. Choose the theme:"), reply_markup=keyboards.themes()
    )


async def take_theme(
    callback: CallbackQuery,
    callback_data: ThemeCb,
    state: FSMContext,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    complete = (await Draft.update(state, theme=callback_data.theme)).complete()
    if complete is None:
        # The form lost a field (an old button from another run): start it cleanly.
        await ask_link(reply_target(callback), state)
        return
    await state.set_state(Register.confirm)
    territories = await registry.territories()
    await reply_target(callback).answer(
        _(
            "Step 6 of 6. Check the page:\n\n"
            "<b>{title}</b>\n{url}\n"
            "Platform: {platform}\nTerritory: {territory}\nLevel: {level}\nTheme: {theme}\n\n"
            "Send it for approval?"
        ).format(
            title=escape(complete.title),
            url=escape(complete.url),
            platform=label(PLATFORM_LABELS, complete.platform),
            territory=escape(
                territory_name(territories, complete.territory_id, i18n.current_locale)
            ),
            level=label(LEVEL_LABELS, complete.level),
            theme=label(THEME_LABELS, complete.theme),
        ),
        reply_markup=keyboards.register_confirm(),
    )


async def confirm_registration(
    callback: CallbackQuery, state: FSMContext, actor: Actor, registry: RegistryService
) -> None:
    complete = (await Draft.load(state)).complete()
    if complete is None:
        await ask_link(reply_target(callback), state)
        return
    page = await registry.register(actor, complete)
    await state.clear()
    await settle_card(
        callback,
        _(
            "Page <b>{title}</b> is registered (#{id}) and waits for a coordinator's approval. "
            "I will tell you when it is approved."
        ).format(title=escape(page.title), id=page.id),
    )


async def claim_page(
    callback: CallbackQuery,
    callback_data: ClaimCb,
    state: FSMContext,
    actor: Actor,
    claims: ClaimService,
) -> None:
    page = await claims.claim(actor, callback_data.page_id)
    if await state.get_state() == Register.link.state:
        await state.clear()
    await settle_card(
        callback,
        _(
            "Your claim of <b>{title}</b> is sent to a coordinator. "
            "I will tell you when it is decided."
        ).format(title=escape(page.title)),
    )


async def restart_registration(callback: CallbackQuery, state: FSMContext) -> None:
    await ask_link(reply_target(callback), state)


async def cancel_registration(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await reply_target(callback).answer(_("Registration cancelled."))


def build_router() -> Router:
    router = Router(name=__name__)
    on_command(router, start_registration, "register", MenuItem.REGISTER)
    router.message.register(take_link, Register.link, F.text, ~F.text.startswith("/"))
    # Not tied to the step: the offer's button still works once the wizard is left.
    router.callback_query.register(claim_page, ClaimCb.filter())
    router.callback_query.register(take_platform, Register.platform, PlatformCb.filter())
    router.message.register(take_title, Register.title, F.text, ~F.text.startswith("/"))
    router.callback_query.register(
        turn_territory_page, Register.territory, TerritoryPageCb.filter()
    )
    router.callback_query.register(take_territory, Register.territory, TerritoryCb.filter())
    router.callback_query.register(take_level, Register.level, LevelCb.filter())
    router.callback_query.register(take_theme, Register.theme, ThemeCb.filter())
    router.callback_query.register(
        confirm_registration,
        Register.confirm,
        RegisterCb.filter(F.action == RegisterAction.CONFIRM),
    )
    router.callback_query.register(
        restart_registration,
        Register.confirm,
        RegisterCb.filter(F.action == RegisterAction.RESTART),
    )
    router.callback_query.register(
        cancel_registration, Register.confirm, RegisterCb.filter(F.action == RegisterAction.CANCEL)
    )
    return router
