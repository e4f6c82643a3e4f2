"""The buttons of /broadcast: the segment's summary and choices, confirmation, stop.

Button texts are translated when the keyboard is built, in the caller's language."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.messages import list_page
from bot.domain.segments import SILENCE_CHOICES, Dimension
from bot.handlers.broadcast_draft import SegmentForm
from bot.handlers.callbacks import (
    BroadcastCb,
    BroadcastStep,
    BroadcastStopCb,
    SegmentChoice,
    SegmentOpenCb,
    SegmentToggleCb,
    SilenceCb,
)
from bot.handlers.keyboards import TERRITORIES_PER_PAGE, Button, keyboard, page_nav
from bot.storage.records import Territory
from bot.texts.broadcasts import segment_choices, silence_choice

CHECKED = "✅ "


def screen_buttons(choices: Iterable[SegmentChoice] = SegmentChoice) -> list[Button]:
    """A button for each screen of `choices` that narrows a segment (all by default)."""
    screens = {
        SegmentChoice.TERRITORY: _("🗺 Territory"),
        SegmentChoice.LEVEL: _("🏛 Level"),
        SegmentChoice.THEME: _("🎭 Theme"),
        SegmentChoice.PLATFORM: _("🌐 Platform"),
        SegmentChoice.SILENCE: _("⏰ Not reporting"),
        SegmentChoice.TRAINING: _("🎓 Training"),
    }
    return [(screens[choice], SegmentOpenCb(choice=choice)) for choice in choices]


def summary_keyboard() -> InlineKeyboardMarkup:
    """Under the draft's summary: the screens that narrow the segment, preview, cancel."""
    return keyboard(
        [
            *screen_buttons(),
            (_("👁 Preview"), BroadcastCb(step=BroadcastStep.PREVIEW)),
            _cancel(),
        ],
        2,
        2,
        2,
        1,
        1,
    )


def _cancel() -> Button:
    return _("Cancel"), BroadcastCb(step=BroadcastStep.CANCEL)


def choices_keyboard(
    choice: SegmentChoice, draft: SegmentForm, territories: list[Territory], i18n: I18n
) -> InlineKeyboardMarkup:
    """The values of one screen to switch on or off, those of the form's segment checked;
    territories come a screen (the draft's `choices_page`) at a time with arrows between
    the screens. Labels in the current language."""
    builder = InlineKeyboardBuilder()
    locale = i18n.current_locale
    if choice.dimension is None:
        for days in (0, *SILENCE_CHOICES):
            mark = CHECKED if (draft.segment.silent_days or 0) == days else ""
            builder.button(
                text=mark + silence_choice(days, locale, i18n), callback_data=SilenceCb(days=days)
            )
        builder.adjust(2)
    else:
        _dimension_choices(builder, choice.dimension, draft, territories, i18n)
    builder.row()
    builder.button(text=_("⬅️ Done"), callback_data=BroadcastCb(step=BroadcastStep.BACK))
    return builder.as_markup()


def _dimension_choices(
    builder: InlineKeyboardBuilder,
    dimension: Dimension,
    draft: SegmentForm,
    territories: list[Territory],
    i18n: I18n,
) -> None:
    chosen = draft.segment.chosen(dimension)
    choices = segment_choices(dimension, territories, i18n.current_locale, i18n)
    per_page = TERRITORIES_PER_PAGE if dimension is Dimension.TERRITORY else None
    shown = list_page([name for _value, name in choices], draft.choices_page, per_page=per_page)
    for value, name in choices[shown.start : shown.stop]:
        mark = CHECKED if value in chosen else ""
        builder.button(
            text=mark + name, callback_data=SegmentToggleCb(dimension=dimension, value=value)
        )
    builder.adjust(2)
    choice = SegmentChoice(dimension.value)
    page_nav(builder, shown, lambda at: SegmentOpenCb(choice=choice, page=at))


def confirm_keyboard() -> InlineKeyboardMarkup:
    """Under the preview: send, change the segment, or cancel."""
    return keyboard(
        [
            (_("📨 Send"), BroadcastCb(step=BroadcastStep.SEND)),
            (_("✏️ Change the segment"), BroadcastCb(step=BroadcastStep.BACK)),
            _cancel(),
        ],
        1,
    )


def cancel_keyboard() -> InlineKeyboardMarkup:
    """The one button of the message step: leave the wizard."""
    return keyboard([_cancel()])


def stop_keyboard(broadcast_id: int) -> InlineKeyboardMarkup:
    """Under a running broadcast's progress: stop it."""
    return keyboard([(_("⏹ Stop the broadcast"), BroadcastStopCb(broadcast_id=broadcast_id))])
