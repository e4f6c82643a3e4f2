"""Inline keyboards. Button texts are translated when the keyboard is built."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.catalog import Level, PageStatus, Theme
from bot.domain.links import Platform
from bot.domain.messages import ListPage, list_page
from bot.domain.roles import Actor
from bot.domain.seminars import DURATION_CHOICES
from bot.handlers.callbacks import (
    CancelCb,
    ChartCb,
    ChartScope,
    LevelCb,
    ListCb,
    ListKind,
    LocaleCb,
    MenuCb,
    MenuItem,
    ModerationAction,
    ModerationCb,
    PageAction,
    PageCb,
    PlatformCb,
    RegisterAction,
    RegisterCb,
    ReportConfirmCb,
    SeminarAction,
    SeminarAudienceCb,
    SeminarAudiencePageCb,
    SeminarCb,
    SeminarDurationCb,
    SeminarStep,
    SeminarWizardCb,
    Subscription,
    SubscriptionCb,
    TerritoryCb,
    TerritoryPageCb,
    ThemeCb,
)
from bot.services.charts import PERIODS
from bot.services.seminars import SeminarView
from bot.storage.records import Page, Territory, User
from bot.texts.labels import LEVEL_LABELS, PLATFORM_LABELS, THEME_LABELS, label

TERRITORIES_PER_PAGE = 10
#: Pages offered a screen at a time by /report.
PICKED_PER_PAGE = 10


def main_menu(actor: Actor) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📝 Register a page"), callback_data=MenuCb(item=MenuItem.REGISTER))
    builder.button(text=_("📋 My pages"), callback_data=MenuCb(item=MenuItem.MY_PAGES))
    builder.button(text=_("🔢 Report figures"), callback_data=MenuCb(item=MenuItem.REPORT))
    builder.button(text=_("📊 Regional total"), callback_data=MenuCb(item=MenuItem.TOTAL))
    builder.button(text=_("📰 Weekly digest"), callback_data=MenuCb(item=MenuItem.DIGEST))
    if actor.is_coordinator:
        builder.button(text=_("✅ Pages to approve"), callback_data=MenuCb(item=MenuItem.PENDING))
    builder.button(text=_("⚙️ Settings"), callback_data=MenuCb(item=MenuItem.SETTINGS))
    builder.button(text=_("❓ Help"), callback_data=MenuCb(item=MenuItem.HELP))
    builder.adjust(2)
    return builder.as_markup()


def cancel() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Cancel"), callback_data=CancelCb())
    return builder.as_markup()


def platforms() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for platform in Platform:
        builder.button(
            text=label(PLATFORM_LABELS, platform),
            callback_data=PlatformCb(platform=platform),
        )
    builder.button(text=_("Cancel"), callback_data=CancelCb())
    builder.adjust(2)
    return builder.as_markup()


def page_nav(
    builder: InlineKeyboardBuilder, page: ListPage, to: Callable[[int], CallbackData]
) -> None:
    """Add a row ◀️ n/m ▶️ under `builder` when the list has more than one page;
    `to(number)` is the callback data that shows page `number` (zero-based)."""
    if page.count < 2:
        return
    nav = InlineKeyboardBuilder()
    if page.has_previous:
        nav.button(text="◀️", callback_data=to(page.number - 1))
    nav.button(text=f"{page.number + 1}/{page.count}", callback_data=to(page.number))
    if page.has_next:
        nav.button(text="▶️", callback_data=to(page.number + 1))
    builder.attach(nav)


def list_nav(page: ListPage, kind: ListKind, subject: int = 0) -> InlineKeyboardMarkup | None:
    """The paging buttons of a list message, None when the list fits one page."""
    builder = InlineKeyboardBuilder()
    page_nav(builder, page, lambda number: ListCb(kind=kind, page=number, subject=subject))
    markup = builder.as_markup()
    return markup if markup.inline_keyboard else None


def territories(items: list[Territory], locale: str, page: int) -> InlineKeyboardMarkup:
    """Territories in pages of ten, with arrows between the pages."""
    shown = list_page([t.name(locale) for t in items], page, per_page=TERRITORIES_PER_PAGE)
    builder = InlineKeyboardBuilder()
    for territory in items[shown.start : shown.stop]:
        builder.button(
            text=territory.name(locale),
            callback_data=TerritoryCb(territory_id=territory.id),
        )
    builder.adjust(2)
    page_nav(builder, shown, lambda number: TerritoryPageCb(page=number))
    builder.row()
    builder.button(text=_("Cancel"), callback_data=CancelCb())
    return builder.as_markup()


def levels() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for level in Level:
        builder.button(
            text=label(LEVEL_LABELS, level),
            callback_data=LevelCb(level=level),
        )
    builder.button(text=_("Cancel"), callback_data=CancelCb())
    builder.adjust(2)
    return builder.as_markup()


def themes() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for theme in Theme:
        builder.button(
            text=label(THEME_LABELS, theme),
            callback_data=ThemeCb(theme=theme),
        )
    builder.button(text=_("Cancel"), callback_data=CancelCb())
    builder.adjust(2)
    return builder.as_markup()


def register_confirm() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("✅ Send for approval"), callback_data=RegisterCb(action=RegisterAction.CONFIRM)
    )
    builder.button(text=_("🔄 Start over"), callback_data=RegisterCb(action=RegisterAction.RESTART))
    builder.button(text=_("Cancel"), callback_data=RegisterCb(action=RegisterAction.CANCEL))
    builder.adjust(1)
    return builder.as_markup()


def page_actions(page: Page) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if page.status is PageStatus.APPROVED:
        builder.button(
            text=_("🔢 Report"), callback_data=PageCb(action=PageAction.REPORT, page_id=page.id)
        )
        builder.button(
            text=_("📜 History"), callback_data=PageCb(action=PageAction.HISTORY, page_id=page.id)
        )
        builder.button(
            text=_("📈 Chart"), callback_data=ChartCb(scope=ChartScope.PAGE, subject=page.id)
        )
    builder.button(
        text=_("👥 Invite co-admin"),
        callback_data=PageCb(action=PageAction.INVITE, page_id=page.id),
    )
    builder.button(
        text=_("🚪 Leave"), callback_data=PageCb(action=PageAction.LEAVE, page_id=page.id)
    )
    builder.adjust(2)
    return builder.as_markup()


def leave_confirm(page_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("Yes, leave the page"),
        callback_data=PageCb(action=PageAction.LEAVE_CONFIRM, page_id=page_id),
    )
    builder.button(text=_("Cancel"), callback_data=CancelCb())
    builder.adjust(1)
    return builder.as_markup()


def pick_page(pages: list[Page], page: int = 0) -> InlineKeyboardMarkup:
    """A button per page of the user's, ten at a time with arrows between them."""
    shown = list_page([p.title for p in pages], page, per_page=PICKED_PER_PAGE)
    builder = InlineKeyboardBuilder()
    for item in pages[shown.start : shown.stop]:
        builder.button(
            text=f"{item.title[:48]} (#{item.id})",
            callback_data=PageCb(action=PageAction.REPORT, page_id=item.id),
        )
    builder.adjust(1)
    page_nav(builder, shown, lambda number: ListCb(kind=ListKind.REPORT_PAGES, page=number))
    builder.row()
    builder.button(text=_("Cancel"), callback_data=CancelCb())
    return builder.as_markup()


def report_confirm() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("Yes, the figure is right"), callback_data=ReportConfirmCb(confirmed=True)
    )
    builder.button(
        text=_("No, I will type it again"), callback_data=ReportConfirmCb(confirmed=False)
    )
    builder.adjust(1)
    return builder.as_markup()


def moderation(page_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("✅ Approve"),
        callback_data=ModerationCb(action=ModerationAction.APPROVE, page_id=page_id),
    )
    builder.button(
        text=_("❌ Reject"),
        callback_data=ModerationCb(action=ModerationAction.REJECT, page_id=page_id),
    )
    return builder.as_markup()


def settings(current: str, user: User) -> InlineKeyboardMarkup:
    """The languages in one row, then a switch for each subscription."""
    builder = InlineKeyboardBuilder()
    for code, name in (("ru", "Русский"), ("en", "English")):
        mark = "✅ " if code == current else ""
        builder.button(text=mark + name, callback_data=LocaleCb(locale=code))
    builder.button(
        text=_("📰 Weekly digest: on") if user.wants_digest else _("📰 Weekly digest: off"),
        callback_data=SubscriptionCb(subscription=Subscription.DIGEST, on=not user.wants_digest),
    )
    builder.button(
        text=_("⏰ Reminders to report: on")
        if user.wants_reminders
        else _("⏰ Reminders to report: off"),
        callback_data=SubscriptionCb(
            subscription=Subscription.REMINDERS, on=not user.wants_reminders
        ),
    )
    builder.adjust(2, 1, 1)
    return builder.as_markup()


def total_actions(own_territory: Territory | None, locale: str) -> InlineKeyboardMarkup:
    """Under /total: the region's chart, and a scoped coordinator's territory chart."""
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📈 Chart"), callback_data=ChartCb(scope=ChartScope.REGION))
    if own_territory is not None:
        builder.button(
            text=_("📈 Chart: {territory}").format(territory=own_territory.name(locale)),
            callback_data=ChartCb(scope=ChartScope.TERRITORY, subject=own_territory.id),
        )
    builder.adjust(1)
    return builder.as_markup()


def chart_periods(scope: ChartScope, subject: int, current: int) -> InlineKeyboardMarkup:
    """Under a chart: the same chart over another period."""
    builder = InlineKeyboardBuilder()
    for days in PERIODS:
        mark = "✅ " if days == current else ""
        builder.button(
            text=mark + ngettext("{days} day", "{days} days", days).format(days=days),
            callback_data=ChartCb(scope=scope, subject=subject, days=days),
        )
    return builder.as_markup()


def digest_chart_periods(territory: Territory | None, current: int) -> InlineKeyboardMarkup:
    """Under the chart after a coordinator's digest: the region's chart (`territory`
    None) or the territory's, over another period."""
    if territory is None:
        return chart_periods(ChartScope.REGION, 0, current)
    return chart_periods(ChartScope.TERRITORY, territory.id, current)


def report_now(page: Page) -> InlineKeyboardMarkup:
    """Under a reminder to report: the button that asks for the page's figure."""
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("🔢 Report now"),
        callback_data=PageCb(action=PageAction.REPORT, page_id=page.id),
    )
    return builder.as_markup()


def seminar_actions(view: SeminarView) -> InlineKeyboardMarkup:
    """Under a seminar's card: register, or cancel the registration."""
    builder = InlineKeyboardBuilder()
    seminar_id = view.seminar.id
    if view.mine:
        builder.button(
            text=_("✖️ Cancel my registration"),
            callback_data=SeminarCb(action=SeminarAction.LEAVE, seminar_id=seminar_id),
        )
    elif not view.full:
        builder.button(
            text=_("✅ I will attend"),
            callback_data=SeminarCb(action=SeminarAction.JOIN, seminar_id=seminar_id),
        )
    return builder.as_markup()


def seminar_step(*choices: tuple[str, CallbackData]) -> InlineKeyboardMarkup:
    """A step of the /seminar_new wizard: its choices (text, callback data), then Cancel."""
    builder = InlineKeyboardBuilder()
    for text, data in choices:
        builder.button(text=text, callback_data=data)
    builder.button(text=_("Cancel"), callback_data=CancelCb())
    builder.adjust(len(choices) or 1, 1)
    return builder.as_markup()


def seminar_skip() -> InlineKeyboardMarkup:
    """Under the description's question: go on without one."""
    return seminar_step((_("Skip"), SeminarWizardCb(step=SeminarStep.SKIP_DESCRIPTION)))


def seminar_no_limit() -> InlineKeyboardMarkup:
    """Under the seats' question: any number may come."""
    return seminar_step((_("No limit"), SeminarWizardCb(step=SeminarStep.NO_LIMIT)))


def seminar_announce() -> InlineKeyboardMarkup:
    """Under the seminar's preview: announce it."""
    return seminar_step((_("📣 Announce"), SeminarWizardCb(step=SeminarStep.ANNOUNCE)))


def seminar_durations() -> InlineKeyboardMarkup:
    return seminar_step(
        *(
            (_("{minutes} min").format(minutes=minutes), SeminarDurationCb(minutes=minutes))
            for minutes in DURATION_CHOICES
        )
    )


def seminar_audience(items: list[Territory], locale: str, page: int) -> InlineKeyboardMarkup:
    """The whole region, or one territory in pages of ten."""
    shown = list_page([t.name(locale) for t in items], page, per_page=TERRITORIES_PER_PAGE)
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🌐 The whole region"), callback_data=SeminarAudienceCb())
    for territory in items[shown.start : shown.stop]:
        builder.button(
            text=territory.name(locale),
            callback_data=SeminarAudienceCb(territory_id=territory.id),
        )
    builder.adjust(1, 2)
    page_nav(
        builder,
        shown,
        lambda number: SeminarAudiencePageCb(page=number),
    )
    builder.row()
    builder.button(text=_("Cancel"), callback_data=CancelCb())
    return builder.as_markup()
