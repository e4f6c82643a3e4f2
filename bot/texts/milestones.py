"""Milestone alerts, and the forecast of the next regional milestone (/total, digests)."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _
from babel.dates import format_date

from bot.config import Settings
from bot.domain.milestones import Forecast
from bot.i18n import locale_of, speaking
from bot.services.milestones import Milestone, MilestoneText, Recipient
from bot.storage.milestones import MilestoneScope
from bot.storage.records import User
from bot.texts.formats import number


def milestone_text(i18n: I18n, settings: Settings) -> MilestoneText:
    """The renderer `MilestoneService` calls for each recipient of an alert: the alert in
    the recipient's own language (HTML; titles and names escaped)."""

    def render(user: User, milestone: Milestone, recipient: Recipient) -> str:
        locale = locale_of(user, i18n)
        return milestone_alert(milestone, recipient, settings.region_name_in(locale), locale, i18n)

    return render


def milestone_alert(
    milestone: Milestone, recipient: Recipient, region_name: str, locale: str, i18n: I18n
) -> str:
    """The alert about `milestone` for a `recipient` of that kind, in `locale`; `region_name`
    (not escaped) names the region in that language."""
    with speaking(i18n, locale):
        return _alert(milestone, recipient, region_name, locale)


def _alert(milestone: Milestone, recipient: Recipient, region_name: str, locale: str) -> str:
    threshold = number(milestone.threshold, locale)
    figure = number(milestone.figure, locale)
    territory = escape(milestone.territory.name(locale)) if milestone.territory else "?"
    match milestone.scope:
        case MilestoneScope.PAGE:
            assert milestone.page is not None
            title = escape(milestone.page.title)
            if recipient is Recipient.ADMIN:
                return ngettext(
                    "🎉 Your page <b>{title}</b> has reached {threshold} subscriber "
                    "(now {figure}). Congratulations!",
                    "🎉 Your page <b>{title}</b> has reached {threshold} subscribers "
                    "(now {figure}). Congratulations!",
                    milestone.threshold,
                ).format(title=title, threshold=threshold, figure=figure)
            return ngettext(
                "🎉 Page <b>{title}</b> (#{id}, {territory}) has reached {threshold} "
                "subscriber (now {figure}).",
                "🎉 Page <b>{title}</b> (#{id}, {territory}) has reached {threshold} "
                "subscribers (now {figure}).",
                milestone.threshold,
            ).format(
                title=title,
                id=milestone.page.id,
                territory=territory,
                threshold=threshold,
                figure=figure,
            )
        case MilestoneScope.TERRITORY:
            return ngettext(
                "🏅 <b>{territory}</b>: official pages have reached {threshold} "
                "subscription together (now {figure}).",
                "🏅 <b>{territory}</b>: official pages have reached {threshold} "
                "subscriptions together (now {figure}).",
                milestone.threshold,
            ).format(territory=territory, threshold=threshold, figure=figure)
    region = escape(region_name)
    if milestone.is_goal:
        return ngettext(
            "🎉 <b>{region}: {goal} subscription!</b>\n\n"
            "Together, the region's official pages have reached {goal} subscription "
            "(pages counted: {pages}). It is the work of every administrator who posts, "
            "answers people and reports the figures. Thank you!\n\n"
            "Forward this message to your colleagues.",
            "🎉 <b>{region}: {goal} subscriptions!</b>\n\n"
            "Together, the region's official pages have reached {goal} subscriptions "
            "(pages counted: {pages}). It is the work of every administrator who posts, "
            "answers people and reports the figures. Thank you!\n\n"
            "Forward this message to your colleagues.",
            milestone.goal,
        ).format(
            region=region,
            goal=number(milestone.goal, locale),
            pages=number(milestone.pages, locale),
        )
    if milestone.figure < milestone.goal:
        return ngettext(
            "🚀 <b>{region}</b>: official pages have reached {threshold} subscription "
            "together (now {figure}). {left} to go to {goal}.",
            "🚀 <b>{region}</b>: official pages have reached {threshold} subscriptions "
            "together (now {figure}). {left} to go to {goal}.",
            milestone.threshold,
        ).format(
            region=region,
            threshold=threshold,
            figure=figure,
            left=number(milestone.goal - milestone.figure, locale),
            goal=number(milestone.goal, locale),
        )
    return ngettext(
        "🚀 <b>{region}</b>: official pages have reached {threshold} subscription "
        "together (now {figure}).",
        "🚀 <b>{region}</b>: official pages have reached {threshold} subscriptions "
        "together (now {figure}).",
        milestone.threshold,
    ).format(region=region, threshold=threshold, figure=figure)


def forecast_text(forecast: Forecast, milestone: int, locale: str, i18n: I18n) -> str:
    """One sentence, in `locale`: when the next regional `milestone` (subscriptions) comes
    at the pace of the last 30 days, or why there is no date. /total and the digest both
    say it this way."""
    with speaking(i18n, locale):
        if forecast.date is not None:
            return _(
                "At the pace of the last 30 days, {milestone} will be reached around {date}."
            ).format(
                milestone=number(milestone, locale),
                date=format_date(forecast.date, format="long", locale=locale),
            )
        if forecast.growing:
            return _(
                "At the pace of the last 30 days, {milestone} is more than ten years away."
            ).format(milestone=number(milestone, locale))
        return _(
            "No forecast for {milestone}: the total has not grown over the last 30 days."
        ).format(milestone=number(milestone, locale))
