"""Milestone alerts and the forecast line of /total, rendered in each recipient's language."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from babel.dates import format_date

from bot.domain.milestones import Forecast
from bot.handlers.texts import number
from bot.i18n import locale_of
from bot.services.milestones import Milestone, MilestoneText, Recipient
from bot.storage.milestones import MilestoneScope
from bot.storage.records import User


def milestone_text(i18n: I18n, region_name: str) -> MilestoneText:
    """The alert one user gets about a milestone, in their own language."""

    def render(user: User, milestone: Milestone, recipient: Recipient) -> str:
        locale = locale_of(user, i18n)
        with i18n.use_locale(locale):
            return _render(milestone, recipient, region_name, locale)

    return render


def _render(milestone: Milestone, recipient: Recipient, region_name: str, locale: str) -> str:
    threshold = number(milestone.threshold, locale)
    figure = number(milestone.figure, locale)
    territory = escape(milestone.territory.name(locale)) if milestone.territory else "?"
    match milestone.scope:
        case MilestoneScope.PAGE:
            assert milestone.page is not None
            title = escape(milestone.page.title)
            if recipient is Recipient.ADMIN:
                return _(
                    "🎉 Your page <b>{title}</b> has reached {threshold} subscribers "
                    "(now {figure}). Congratulations!"
                ).format(title=title, threshold=threshold, figure=figure)
            return _(
                "🎉 Page <b>{title}</b> (#{id}, {territory}) has reached {threshold} "
                "subscribers (now {figure})."
            ).format(
                title=title,
                id=milestone.page.id,
                territory=territory,
                threshold=threshold,
                figure=figure,
            )
        case MilestoneScope.TERRITORY:
            return _(
                "🏅 <b>{territory}</b>: official pages have reached {threshold} "
                "subscriptions together (now {figure})."
            ).format(territory=territory, threshold=threshold, figure=figure)
    region = escape(region_name)
    if milestone.is_goal:
        goal = number(milestone.goal, locale)
        return _(
            "🎉 <b>{region}: {goal} subscriptions!</b>\n\n"
            "Together, the region's official pages have reached {goal} subscriptions "
            "(pages counted: {pages}). It is the work of every administrator who posts, "
            "answers people and reports the figures. Thank you!\n\n"
            "Forward this message to your colleagues."
        ).format(region=region, goal=goal, pages=number(milestone.pages, locale))
    text = _(
        "🚀 <b>{region}</b>: official pages have reached {threshold} subscriptions "
        "together (now {figure})."
    ).format(region=region, threshold=threshold, figure=figure)
    if milestone.figure < milestone.goal:
        text += (
            " "
            + _("{left} to go to {milestone}").format(
                left=number(milestone.goal - milestone.figure, locale),
                milestone=number(milestone.goal, locale),
            )
            + "."
        )
    return text


def forecast_text(forecast: Forecast, milestone: int, locale: str) -> str:
    """When the next regional milestone comes at the pace of the last 30 days."""
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
    return _("No forecast for {milestone}: the total has not grown over the last 30 days.").format(
        milestone=number(milestone, locale)
    )
