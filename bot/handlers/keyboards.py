"""Inline keyboards. Button texts are translated when the keyboard is built."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.catalog import Level, PageStatus, Theme
from bot.domain.links import Platform
from bot.domain.messages import ListPage, list_page
from bot.domain.roles import Actor
from bot.domain.seminars import DURATION_CHOICES, SeminarField
from bot.handlers.callbacks import (
    CancelCb,
    ChartCb,
    ChartScope,
    ClaimCb,
    ClaimDecisionCb,
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
    SeminarCancelCb,
    SeminarCb,
    SeminarDurationCb,
    SeminarEditCb,
    SeminarHoursCb,
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
from bot.texts.seminar_changes import field_names

TERRITORIES_PER_PAGE = 10
#: Pages offered a screen at a time by /report.
PICKED_PER_PAGE = 10


#: A button: its text, and the callback data a tap sends.
Button = tuple[str, CallbackData]


def keyboard(buttons: Iterable[Button], *sizes: int) -> InlineKeyboardMarkup:
    """`buttons` in order, `sizes` of them a row (the last size repeats, as in
    `InlineKeyboardBuilder.adjust`); without sizes, all in one row."""
    builder = InlineKeyboardBuilder()
    for text, data in buttons:
        builder.button(text=text, callback_data=data)
    if sizes:
        builder.adjust(*sizes)
    return builder.as_markup()


def cancel_button() -> Button:
    """The button that leaves any wizard."""
    return _("Cancel"), CancelCb()


def main_menu(actor: Actor) -> InlineKeyboardMarkup:
    items = [
        (_("📝 Register a page"), MenuItem.REGISTER),
        (_("📋 My pages"), MenuItem.MY_PAGES),
        (_("🔢 Report figures"), MenuItem.REPORT),
        (_("📊 Regional total"), MenuItem.TOTAL),
        (_("📰 Weekly digest"), MenuItem.DIGEST),
    ]
    if actor.is_coordinator:
        items.append((_("✅ Pages to approve"), MenuItem.PENDING))
        items.append((_("🎓 Training"), MenuItem.TRAINING))
    items += [(_("⚙️ Settings"), MenuItem.SETTINGS), (_("❓ Help"), MenuItem.HELP)]
    return keyboard(((text, MenuCb(item=item)) for text, item in items), 2)


def cancel() -> InlineKeyboardMarkup:
    return keyboard([cancel_button()])


def platforms() -> InlineKeyboardMarkup:
    choices = [(label(PLATFORM_LABELS, item), PlatformCb(platform=item)) for item in Platform]
    return keyboard([*choices, cancel_button()], 2)


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


def paged(
    first: Iterable[Button],
    choices: Sequence[Button],
    shown: ListPage,
    to: Callable[[int], CallbackData],
    *sizes: int,
) -> InlineKeyboardMarkup:
    """The `first` buttons and the choices of screen `shown`, `sizes` a row; then the
    arrows to the other screens (`to(number)` shows screen `number`), then Cancel."""
    builder = InlineKeyboardBuilder()
    for text, data in (*first, *choices[shown.start : shown.stop]):
        builder.button(text=text, callback_data=data)
    builder.adjust(*sizes)
    page_nav(builder, shown, to)
    builder.row()
    text, data = cancel_button()
    builder.button(text=text, callback_data=data)
    return builder.as_markup()


def territories(items: list[Territory], locale: str, page: int) -> InlineKeyboardMarkup:
    """Territories in pages of ten, with arrows between the pages."""
    shown = list_page([t.name(locale) for t in items], page, per_page=TERRITORIES_PER_PAGE)
    choices = [(t.name(locale), TerritoryCb(territory_id=t.id)) for t in items]
    return paged((), choices, shown, lambda number: TerritoryPageCb(page=number), 2)


def levels() -> InlineKeyboardMarkup:
    choices = [(label(LEVEL_LABELS, item), LevelCb(level=item)) for item in Level]
    return keyboard([*choices, cancel_button()], 2)


def themes() -> InlineKeyboardMarkup:
    choices = [(label(THEME_LABELS, item), ThemeCb(theme=item)) for item in Theme]
    return keyboard([*choices, cancel_button()], 2)


def register_confirm() -> InlineKeyboardMarkup:
    return keyboard(
        [
            (_("✅ Send for approval"), RegisterCb(action=RegisterAction.CONFIRM)),
            (_("🔄 Start over"), RegisterCb(action=RegisterAction.RESTART)),
            (_("Cancel"), RegisterCb(action=RegisterAction.CANCEL)),
        ],
        1,
    )


def page_actions(page: Page) -> InlineKeyboardMarkup:
    buttons: list[Button] = []
    if page.status is PageStatus.APPROVED:
        buttons += [
            (_("🔢 Report"), PageCb(action=PageAction.REPORT, page_id=page.id)),
            (_("📜 History"), PageCb(action=PageAction.HISTORY, page_id=page.id)),
            (_("📈 Chart"), ChartCb(scope=ChartScope.PAGE, subject=page.id)),
        ]
    buttons += [
        (_("👥 Invite co-admin"), PageCb(action=PageAction.INVITE, page_id=page.id)),
        (_("🤝 Hand over"), PageCb(action=PageAction.HAND_OVER, page_id=page.id)),
        (_("🚪 Leave"), PageCb(action=PageAction.LEAVE, page_id=page.id)),
    ]
    return keyboard(buttons, 2)


def leave_confirm(page_id: int) -> InlineKeyboardMarkup:
    leave = PageCb(action=PageAction.LEAVE_CONFIRM, page_id=page_id)
    return keyboard([(_("Yes, leave the page"), leave), cancel_button()], 1)


def pick_page(pages: list[Page], page: int = 0) -> InlineKeyboardMarkup:
    """A button per page of the user's, ten at a time with arrows between them."""
    shown = list_page([p.title for p in pages], page, per_page=PICKED_PER_PAGE)
    choices = [
        (f"{item.title[:48]} (#{item.id})", PageCb(action=PageAction.REPORT, page_id=item.id))
        for item in pages
    ]
    return paged(
        (), choices, shown, lambda number: ListCb(kind=ListKind.REPORT_PAGES, page=number), 1
    )


def report_confirm() -> InlineKeyboardMarkup:
    return keyboard(
        [
            (_("Yes, the figure is right"), ReportConfirmCb(confirmed=True)),
            (_("No, I will type it again"), ReportConfirmCb(confirmed=False)),
        ],
        1,
    )


def moderation(page_id: int) -> InlineKeyboardMarkup:
    return keyboard(
        [
            (_("✅ Approve"), ModerationCb(action=ModerationAction.APPROVE, page_id=page_id)),
            (_("❌ Reject"), ModerationCb(action=ModerationAction.REJECT, page_id=page_id)),
        ]
    )


def claim_offer(page_id: int) -> InlineKeyboardMarkup:
    """Under /register's offer to claim a page nobody administers."""
    return keyboard([(_("🙋 Claim this page"), ClaimCb(page_id=page_id)), cancel_button()], 1)


def claim_moderation(claim_id: int) -> InlineKeyboardMarkup:
    """Under a claim's card in /pending."""
    return keyboard(
        [
            (
                _("✅ Approve the claim"),
                ClaimDecisionCb(action=ModerationAction.APPROVE, claim_id=claim_id),
            ),
            (
                _("❌ Reject the claim"),
                ClaimDecisionCb(action=ModerationAction.REJECT, claim_id=claim_id),
            ),
        ]
    )


def settings(current: str, user: User) -> InlineKeyboardMarkup:
    """The languages in one row, then a switch for each subscription."""
    languages = [
        (("✅ " if code == current else "") + name, LocaleCb(locale=code))
        for code, name in (("ru", "Русский"), ("en", "English"))
    ]
    digest = _("📰 Weekly digest: on") if user.wants_digest else _("📰 Weekly digest: off")
    reminders = (
        _("⏰ Reminders to report: on")
        if user.wants_reminders
        else _("⏰ Reminders to report: off")
    )
    switches = [
        (digest, SubscriptionCb(subscription=Subscription.DIGEST, on=not user.wants_digest)),
        (
            reminders,
            SubscriptionCb(subscription=Subscription.REMINDERS, on=not user.wants_reminders),
        ),
    ]
    return keyboard([*languages, *switches], 2, 1, 1)


def total_actions(own_territory: Territory | None, locale: str) -> InlineKeyboardMarkup:
    """Under /total: the region's chart, and a scoped coordinator's territory chart."""
    buttons: list[Button] = [(_("📈 Chart"), ChartCb(scope=ChartScope.REGION))]
    if own_territory is not None:
        buttons.append(
            (
                _("📈 Chart: {territory}").format(territory=own_territory.name(locale)),
                ChartCb(scope=ChartScope.TERRITORY, subject=own_territory.id),
            )
        )
    return keyboard(buttons, 1)


def chart_periods(scope: ChartScope, subject: int, current: int) -> InlineKeyboardMarkup:
    """Under a chart: the same chart over another period."""
    return keyboard(
        (
            ("✅ " if days == current else "")
            + ngettext("{days} day", "{days} days", days).format(days=days),
            ChartCb(scope=scope, subject=subject, days=days),
        )
        for days in PERIODS
    )


def digest_chart_periods(territory: Territory | None, current: int) -> InlineKeyboardMarkup:
    """Under the chart after a coordinator's digest: the region's chart (`territory`
    None) or the territory's, over another period."""
    if territory is None:
        return chart_periods(ChartScope.REGION, 0, current)
    return chart_periods(ChartScope.TERRITORY, territory.id, current)


def report_now(page: Page) -> InlineKeyboardMarkup:
    """Under a reminder to report: the button that asks for the page's figure."""
    return keyboard([(_("🔢 Report now"), PageCb(action=PageAction.REPORT, page_id=page.id))])


def seminar_actions(view: SeminarView) -> InlineKeyboardMarkup:
    """Under a seminar's card: register (or join the waiting list of a full one), or
    cancel the registration (or leave the line), not for a cancelled or started seminar;
    the calendar file, the certificate for someone who attended, and for a coordinator
    who manages the seminar (`view.manages`) its management: change and cancel (until
    it starts), check-in code, attendance list, feedback. A cancelled seminar keeps only
    the calendar file (which cancels the entry) and the certificate."""
    seminar_id = view.seminar.id
    live = view.seminar.cancelled_at is None
    ahead = live and not view.started

    def button(text: str, action: SeminarAction) -> Button:
        return text, SeminarCb(action=action, seminar_id=seminar_id)

    buttons: list[Button] = []
    if ahead and view.mine:
        buttons.append(button(_("✖️ Cancel my registration"), SeminarAction.LEAVE))
    elif ahead and view.waiting is not None:
        buttons.append(button(_("✖️ Leave the waiting list"), SeminarAction.LEAVE))
    elif ahead and view.full:
        buttons.append(button(_("⏳ Join the waiting list"), SeminarAction.JOIN))
    elif ahead:
        buttons.append(button(_("✅ I will attend"), SeminarAction.JOIN))
    buttons.append(button(_("📅 Add to calendar"), SeminarAction.CALENDAR))
    if view.attended:
        buttons.append(button(_("🎓 Certificate"), SeminarAction.CERTIFICATE))
    if view.manages and ahead:
        buttons += [
            button(_("✏️ Change"), SeminarAction.EDIT),
            button(_("❌ Cancel the seminar"), SeminarAction.CANCEL),
        ]
    if view.manages and live:
        buttons += [
            button(_("🔑 Check-in code"), SeminarAction.CHECKIN),
            button(_("📋 Attendance"), SeminarAction.ATTENDANCE),
            button(_("⭐ Feedback"), SeminarAction.FEEDBACK),
        ]
    return keyboard(buttons, 1, 2)


def seminar_edit(seminar_id: int) -> InlineKeyboardMarkup:
    """Under a coordinator's "what to change": a button per field, then Cancel (leave)."""
    return keyboard(
        [
            *(
                (field_names(field)[0], SeminarEditCb(field=field, seminar_id=seminar_id))
                for field in SeminarField
            ),
            cancel_button(),
        ],
        2,
        2,
        1,
    )


def seminar_cancel_confirm(seminar_id: int) -> InlineKeyboardMarkup:
    """Under the question whether to cancel a seminar: yes, or leave it as it is."""
    return keyboard(
        [(_("Yes, cancel the seminar"), SeminarCancelCb(seminar_id=seminar_id)), cancel_button()],
        1,
    )


def seminar_step(*choices: Button) -> InlineKeyboardMarkup:
    """A step of the /seminar_new wizard: its choices (text, callback data), then Cancel."""
    return keyboard([*choices, cancel_button()], len(choices) or 1, 1)


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


def seminar_hours(default: int) -> InlineKeyboardMarkup:
    """Under the academic hours' question: the default for the duration."""
    return seminar_step(
        (_("✅ {hours} (default)").format(hours=default), SeminarHoursCb(hours=default))
    )
