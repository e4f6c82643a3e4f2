"""/start (with an invite code or a campaign label), /help, /settings, /cancel and the main menu."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from html import escape

from aiogram import Bot, F, Router
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    ChatMemberUpdated,
    InaccessibleMessage,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.messages import list_page
from bot.domain.roles import Actor
from bot.handlers import keyboards
from bot.handlers.callbacks import (
    CancelCb,
    ListCb,
    ListKind,
    LocaleCb,
    MenuCb,
    MenuItem,
    Subscription,
    SubscriptionCb,
)
from bot.handlers.errors import explain
from bot.handlers.menu import set_user_commands
from bot.services.registry import RegistryService
from bot.services.users import UserService
from bot.storage.records import User
from bot.texts.help import help_text


def on_command(
    router: Router, handler: Callable[..., Awaitable[None]], command: str, item: MenuItem
) -> None:
    """Route `/command` and its button `item` of the main menu to `handler`, which takes
    `event: Message | CallbackQuery` (every command has a button path from /start)."""
    router.message.register(handler, Command(command))
    router.callback_query.register(handler, MenuCb.filter(F.item == item))


def reply_target(event: Message | CallbackQuery) -> Message | InaccessibleMessage:
    """Where to answer: the user's message, or the message under the tapped button (a
    command and its menu button share one handler)."""
    if isinstance(event, Message):
        return event
    if event.message is None:
        raise LookupError("callback without a message")
    return event.message


#: Lists sent a message per item (cards with their own buttons) send this many at a time.
CARDS_PER_PAGE = 10

# The line under a page of cards: (first, last, count) → text, e.g. "11–20 of 34 pages".
CardsShown = Callable[[int, int, int], str]


async def edit_list(
    callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Show another page of a list in the message its arrows sit on. A tap on the page
    already shown edits nothing and is no error (the request middleware, FloodControl,
    takes "message is not modified" for success)."""
    target = reply_target(callback)
    if isinstance(target, Message):
        await target.edit_text(text, reply_markup=markup)


async def edit_markup(callback: CallbackQuery, markup: InlineKeyboardMarkup) -> None:
    """Redraw the buttons of the tapped message, unless they are already `markup`."""
    target = reply_target(callback)
    if isinstance(target, Message) and target.reply_markup != markup:
        await target.edit_reply_markup(reply_markup=markup)


async def send_cards(
    target: Message | InaccessibleMessage,
    cards: Sequence[tuple[str, InlineKeyboardMarkup | None]],
    number: int,
    kind: ListKind,
    shown: CardsShown,
) -> None:
    """Send page `number` (zero-based, clamped) of a list of cards (HTML text and buttons),
    one message each, at most CARDS_PER_PAGE of them; when the list has more, a last
    message says which are shown, with ◀️ ▶️ to the other pages (`ListCb` of `kind`)."""
    page = list_page([text for text, _markup in cards], number, per_page=CARDS_PER_PAGE)
    for text, markup in cards[page.start : page.stop]:
        await target.answer(text, reply_markup=markup)
    nav = keyboards.list_nav(page, kind)
    if nav is not None:
        await target.answer(shown(page.start + 1, page.stop, len(cards)), reply_markup=nav)


async def cards_screen(
    event: Message | CallbackQuery, callback_data: object = None
) -> tuple[Message | InaccessibleMessage, int]:
    """Where a list of cards goes and which screen of it (zero-based): the first, in answer
    to a command or a menu button; the one its arrows (`ListCb`) ask for, after they leave
    the tapped message (they move to the new screen's last message)."""
    target = reply_target(event)
    if not isinstance(event, CallbackQuery) or not isinstance(callback_data, ListCb):
        return target, 0
    if isinstance(target, Message) and target.reply_markup is not None:
        await target.edit_reply_markup(reply_markup=None)
    return target, max(callback_data.page, 0)


async def start(
    message: Message,
    command: CommandObject,
    actor: Actor,
    user: User,
    settings: Settings,
    bot: Bot,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    """/start: the greeting and the main menu. `/start <payload>`: an invite code joins its
    page instead; a campaign label (or anything else) greets like a plain /start, with a
    note above the greeting when an invitation did not work."""
    note = None
    if command.args:
        link = await registry.open_start_link(actor, command.args.strip())
        if link.page is not None:
            await message.answer(
                _(
                    "You are now an administrator of <b>{title}</b>. Open /mypages to see it."
                ).format(title=escape(link.page.title))
            )
            return
        note = explain(link.problem) if link.problem is not None else None
    # The menu follows the role: a new coordinator sees their commands after /start.
    await set_user_commands(bot, actor)
    greeting = _(
        "Hello, {name}!\n\n"
        "This bot helps administrators of the official pages of {region} register their "
        "pages, report subscriber figures and follow the region's progress.\n\n"
        "Choose what to do:"
    ).format(
        name=escape(user.full_name or str(user.id)),
        region=escape(settings.region_name_in(i18n.current_locale)),
    )
    await message.answer(
        f"{note}\n\n{greeting}" if note else greeting,
        reply_markup=keyboards.main_menu(actor),
    )


async def show_help(event: Message | CallbackQuery, actor: Actor) -> None:
    await reply_target(event).answer(help_text(actor))


async def cancel(message: Message, state: FSMContext) -> None:
    had_state = await state.get_state() is not None
    await state.clear()
    await message.answer(_("Cancelled.") if had_state else _("There was nothing to cancel."))


async def settle_card(callback: CallbackQuery, text: str) -> None:
    """A button that decided something: the buttons leave its message (nothing to tap
    twice), and `text` (HTML) says what was done."""
    target = reply_target(callback)
    if isinstance(target, Message):
        await target.edit_reply_markup(reply_markup=None)
    await target.answer(text)


async def leave_wizard(callback: CallbackQuery, state: FSMContext, text: str) -> None:
    """End the wizard whose button was tapped: its data goes, the tapped message loses its
    buttons, and `text` says what became of it."""
    await state.clear()
    await settle_card(callback, text)


async def cancel_by_button(callback: CallbackQuery, state: FSMContext) -> None:
    await leave_wizard(callback, state, _("Cancelled."))


async def _show_settings(target: Message | InaccessibleMessage, locale: str, user: User) -> None:
    await target.answer(
        _("Choose the language of the bot:")
        + "\n"
        + _("The weekly digest and reminders to report: tap to switch them on or off."),
        reply_markup=keyboards.settings(locale, user),
    )


async def show_settings(event: Message | CallbackQuery, i18n: I18n, user: User) -> None:
    await _show_settings(reply_target(event), i18n.current_locale, user)


async def switch_subscription(
    callback: CallbackQuery,
    callback_data: SubscriptionCb,
    user: User,
    users: UserService,
    i18n: I18n,
) -> None:
    wants_digest, wants_reminders = user.wants_digest, user.wants_reminders
    if callback_data.subscription is Subscription.DIGEST:
        wants_digest = callback_data.on
        done = _("The weekly digest is on.") if wants_digest else _("The weekly digest is off.")
    else:
        wants_reminders = callback_data.on
        done = (
            _("Reminders to report are on.")
            if wants_reminders
            else _("Reminders to report are off.")
        )
    updated = await users.set_subscriptions(
        user.id, wants_digest=wants_digest, wants_reminders=wants_reminders
    )
    target = reply_target(callback)
    # A second tap on a button already applied changes nothing and edits nothing.
    if isinstance(target, Message) and updated != user:
        await target.edit_reply_markup(
            reply_markup=keyboards.settings(i18n.current_locale, updated)
        )
    await callback.answer(done)


async def choose_locale(
    callback: CallbackQuery,
    callback_data: LocaleCb,
    user: User,
    actor: Actor,
    users: UserService,
    i18n: I18n,
    bot: Bot,
) -> None:
    if callback_data.locale not in i18n.available_locales:
        await callback.answer(_("This language is not available."), show_alert=True)
        return
    await users.set_locale(user.id, callback_data.locale)
    with i18n.use_locale(callback_data.locale):
        await set_user_commands(bot, actor)
        # TRANSLATORS: sent in the language just chosen, so name this catalogue's own
        # language: "I will speak English now" in English, "говорю по-русски" in Russian.
        await reply_target(callback).answer(_("Done: I will speak this language now."))


async def track_blocking(event: ChatMemberUpdated, users: UserService) -> None:
    """Telegram tells the bot when a user blocks or unblocks it: stop or resume sending."""
    blocked = event.new_chat_member.status == ChatMemberStatus.KICKED
    await users.set_reachable(event.from_user.id, not blocked)


def build_router() -> Router:
    router = Router(name=__name__)
    router.my_chat_member.register(track_blocking, F.chat.type == ChatType.PRIVATE)
    router.message.register(start, CommandStart())
    on_command(router, show_help, "help", MenuItem.HELP)
    router.message.register(cancel, Command("cancel"))
    router.callback_query.register(cancel_by_button, CancelCb.filter())
    on_command(router, show_settings, "settings", MenuItem.SETTINGS)
    router.callback_query.register(choose_locale, LocaleCb.filter())
    router.callback_query.register(switch_subscription, SubscriptionCb.filter())
    return router
