"""One place that turns domain errors into friendly answers."""

from __future__ import annotations

import logging
import re
from html import escape, unescape

from aiogram import Router
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.services import errors
from bot.texts.attendance import window_refusal
from bot.texts.certificates import name_refusal, not_attended
from bot.texts.export import too_large
from bot.texts.registry_import import file_refusal
from bot.texts.seminar_changes import change_refusal

log = logging.getLogger(__name__)


def explain(error: errors.DomainError) -> str:
    match error:
        case errors.NotAllowed():
            return _("Sorry, your role does not allow this.")
        case errors.PageNotFound():
            return _("There is no such page among yours. See /mypages.")
        case errors.NotRegistered():
            return _(
                "This is for registered page administrators. Register your page with /register."
            )
        case errors.DuplicateLink(existing_title=title):
            return _(
                "This page is already registered as <b>{title}</b>. "
                "Ask its administrator for an invite, or send another link."
            ).format(title=escape(title))
        case errors.ClaimDecided():
            return _("Another coordinator has already decided on this claim.")
        case errors.AlreadyDecided():
            return _("Another coordinator has already decided on this page.")
        case errors.ClaimNotFound():
            return _("There is no such claim. See /pending.")
        case errors.NotClaimable():
            return _(
                "This page has an administrator now, so it cannot be claimed. "
                "Ask its administrator for an invite."
            )
        case errors.ClaimPending(mine=True):
            return _("You have already claimed this page. A coordinator will decide soon.")
        case errors.ClaimPending():
            return _(
                "Someone else has already claimed this page, and a coordinator is looking "
                "at that claim. If the page is yours too, please wait for the decision or "
                "write to your coordinator."
            )
        case errors.PageNotApproved():
            return _("The page is not approved yet: figures are reported for approved pages.")
        case errors.InviteInvalid():
            return _("This invite link is not valid. Ask the page's administrator for a new one.")
        case errors.InviteExpired():
            return _("This invite link has expired. Ask the page's administrator for a new one.")
        case errors.InviteUsed():
            return _("This invite link has already been used. Ask for a new one.")
        case errors.CheckinCodeUnknown(reference=reference):
            return _(
                "No seminar has the check-in code «{code}». Check the code shown at the "
                "seminar and send /attend with it."
            ).format(code=escape(reference))
        case errors.UserNotFound(reference=reference):
            return _(
                "I do not know {reference}. Use the numeric user id, or the @username of "
                "someone who has already written to the bot."
            ).format(reference=escape(reference))
        case errors.TerritoryNotFound(reference=reference):
            return _("No single territory matches «{reference}».").format(
                reference=escape(reference)
            )
        case errors.BroadcastNotFound():
            return _("There is no such broadcast. See /broadcasts.")
        case errors.SeminarNotFound():
            return _("There is no such seminar for you. See /seminars.")
        case errors.SeminarStarted():
            return _("The seminar has already started: registrations are closed.")
        case errors.SeminarCancelled():
            return _("This seminar was cancelled.")
        case errors.CheckinNotOpen() | errors.CheckinClosed():
            return window_refusal(error)
        case errors.NotInAudience():
            return _(
                "This seminar is not for your pages: check-in is for the administrators it "
                "was announced to and those registered."
            )
        case errors.NotOnRoster():
            return _("This person is not on the seminar's list. Open the list again.")
        case errors.SeminarNotEnded():
            return _("The certificate can be had once the seminar has ended.")
        case errors.NotAttended():
            return not_attended()
        case errors.CertificateNotFound():
            return _("There is no certificate with this id.")
        case errors.CertificateNameRefused(problem=problem):
            return name_refusal(problem)
        case errors.FeedbackClosed(days=days):
            return ngettext(
                "Ratings of this seminar closed {days} day after its end.",
                "Ratings of this seminar closed {days} days after its end.",
                days,
            ).format(days=days)
        case errors.FeedbackRefused():
            return _("Only those who came to a seminar rate it, once it has ended, from 1 to 5.")
        case errors.SeminarChangeRefused():
            return change_refusal(error)
        case errors.ExportTooLarge():
            return too_large(error)
        case errors.ImportFileRefused(problem=problem, detail=detail):
            return escape(file_refusal(problem, detail))
        case errors.ImportGone(applied=True):
            return _("This import has already been applied.")
        case errors.ImportGone():
            return _("This import is no longer waiting: send the file again with /import.")
        case errors.NothingToImport():
            return _("No row of this file can be imported any more. Check it again with /import.")
        case errors.CollectBusy():
            return _("Subscriber counts are being collected already: try again when that run ends.")
        case errors.TextRefused(limit=limit):
            return _("This text must be 1 to {limit} characters long.").format(
                limit=limit.max_length
            )
    return _("This cannot be done.")


async def answer_domain_error(event: ErrorEvent) -> None:
    assert isinstance(event.exception, errors.DomainError)
    text = explain(event.exception)
    update = event.update
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(_strip_tags(text), show_alert=True)
        elif update.message is not None:
            await update.message.answer(text)
    except (TelegramRetryAfter, TelegramServerError, TelegramNetworkError):
        return  # given up after retries; the request middleware logged it


async def ignore_given_up_request(event: ErrorEvent) -> None:
    """A request Telegram kept refusing (429, 5xx, network): the request middleware has
    already retried it and logged one line; a traceback would add nothing."""


async def ignore_migrated_group(_event: ErrorEvent) -> None:
    """A group became a supergroup under a pointer being sent: the next command comes
    from the new chat; one line, no traceback."""
    log.info("A group moved to a new chat id; the answer to it was dropped")


async def answer_crashed_tap(event: ErrorEvent) -> None:
    """Any other failure goes on up to be logged with its traceback; a tap whose handler
    failed is answered first, so it does not keep spinning."""
    query = event.update.callback_query
    if query is not None:
        try:
            await query.answer(_("Something went wrong. Please try again."), show_alert=True)
        except TelegramAPIError:
            log.warning("Could not answer the failed callback query")
    raise event.exception


def _strip_tags(text: str) -> str:
    """Alerts are plain text: drop the HTML tags and undo the escaping."""
    return unescape(re.sub(r"<[^>]+>", "", text))[:200]


def build_router() -> Router:
    router = Router(name=__name__)
    router.error.register(answer_domain_error, ExceptionTypeFilter(errors.DomainError))
    router.error.register(
        ignore_given_up_request,
        ExceptionTypeFilter(TelegramRetryAfter, TelegramServerError, TelegramNetworkError),
    )
    router.error.register(ignore_migrated_group, ExceptionTypeFilter(TelegramMigrateToChat))
    router.error.register(answer_crashed_tap, ExceptionTypeFilter(Exception))
    return router
