"""/training for coordinators: seminars held, people trained, hours, attendance, rating
and the share of pages with a trained administrator, by territory, over a period
chosen by buttons (this year first). The figures are the service's, within the
coordinator's territory; the router sits under the coordinator role."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.config import Settings
from bot.domain.messages import ListPage
from bot.domain.roles import Actor
from bot.domain.training import TrainingPeriod
from bot.handlers.broadcast_keyboards import CHECKED
from bot.handlers.callbacks import MenuCb, MenuItem, TrainingCb
from bot.handlers.common import edit_list, on_command, reply_target
from bot.handlers.keyboards import page_nav
from bot.services.registry import RegistryService
from bot.services.training import TrainingService
from bot.texts.training import period_label, training_report


def training_keyboard(period: TrainingPeriod, page: ListPage) -> InlineKeyboardMarkup:
    """The periods (the shown one checked), two a row, and the territories' screens."""
    builder = InlineKeyboardBuilder()
    for choice in TrainingPeriod:
        mark = CHECKED if choice is period else ""
        builder.button(text=mark + period_label(choice), callback_data=TrainingCb(period=choice))
    builder.adjust(2)
    page_nav(builder, page, lambda at: TrainingCb(period=period, page=at))
    return builder.as_markup()


async def show_training(
    event: Message | CallbackQuery,
    actor: Actor,
    training: TrainingService,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
    callback_data: TrainingCb | MenuCb | None = None,
) -> None:
    """/training and its menu button: this year's figures in a new message; a period or
    screen button (`TrainingCb`): that screen, in the tapped message."""
    chosen = callback_data if isinstance(callback_data, TrainingCb) else None
    period = chosen.period if chosen is not None else TrainingPeriod.THIS_YEAR
    locale = i18n.current_locale
    page = training_report(
        await training.report(actor, period),
        await registry.territories(),
        settings.region_name_in(locale),
        chosen.page if chosen is not None else 0,
        settings.tz,
        locale,
        i18n,
    )
    markup = training_keyboard(period, page)
    if chosen is not None and isinstance(event, CallbackQuery):
        await edit_list(event, page.text, markup)
    else:
        await reply_target(event).answer(page.text, reply_markup=markup)


def build_router() -> Router:
    """Coordinators' /training (command, menu item) and its period and page buttons."""
    router = Router(name=__name__)
    on_command(router, show_training, "training", MenuItem.TRAINING)
    router.callback_query.register(show_training, TrainingCb.filter())
    return router
