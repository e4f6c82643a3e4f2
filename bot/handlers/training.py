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
from bot.handlers.callbacks import MenuItem, TrainingCb
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


async def _screen(
    actor: Actor,
    training: TrainingService,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
    period: TrainingPeriod,
    at: int,
) -> tuple[str, InlineKeyboardMarkup]:
    locale = i18n.current_locale
    report = await training.report(actor, period)
    page = training_report(
        report,
        await registry.territories(),
        settings.region_name_in(locale),
        at,
        settings.tz,
        locale,
        i18n,
    )
    return page.text, training_keyboard(period, page)


async def show_training(
    event: Message | CallbackQuery,
    actor: Actor,
    training: TrainingService,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
) -> None:
    """/training and its menu button: this year's figures."""
    text, markup = await _screen(
        actor, training, registry, settings, i18n, TrainingPeriod.THIS_YEAR, 0
    )
    await reply_target(event).answer(text, reply_markup=markup)


async def change_screen(
    callback: CallbackQuery,
    callback_data: TrainingCb,
    actor: Actor,
    training: TrainingService,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
) -> None:
    """Another period or screen of territories, in the tapped message."""
    text, markup = await _screen(
        actor, training, registry, settings, i18n, callback_data.period, callback_data.page
    )
    await edit_list(callback, text, markup)


def build_router() -> Router:
    router = Router(name=__name__)
    on_command(router, show_training, "training", MenuItem.TRAINING)
    router.callback_query.register(change_screen, TrainingCb.filter())
    return router
