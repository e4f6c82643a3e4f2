"""What a coordinator reads in /audit: a page of the latest privileged actions, each with
when (the region's time), who, what, on what, and its details."""

from __future__ import annotations

from html import escape
from typing import assert_never
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot.domain.audit import AuditAction, AuditDetail, SubjectKind
from bot.domain.messages import MESSAGE_LIMIT, ListPage, list_page
from bot.domain.seminars import SeminarField
from bot.i18n import speaking
from bot.services.audit import ENTRIES_PER_PAGE, AuditPage
from bot.storage.audit import AuditEntry
from bot.storage.records import Territory, User
from bot.texts.formats import moment, number, territory_name
from bot.texts.seminar_changes import field_label

#: Room kept for the header; the rest of a message is shared equally by its entries, so
#: a page of ENTRIES_PER_PAGE entries always fits one message.
_HEADER_ROOM = 300
_ENTRY_ROOM = (MESSAGE_LIMIT - _HEADER_ROOM) // ENTRIES_PER_PAGE - 2  # 2: the blank line
#: What is shown of people's and pages' names and of free text, in characters: a longer
#: one is cut with "…" (the whole of it stays in the log).
_NAME_LENGTH = 40
_TITLE_LENGTH = 80
_TEXT_LENGTH = 120


def action_sentence(action: AuditAction) -> str:
    """What `action` did, in the current language: "Page approved". Every action has one
    (mypy checks the match is exhaustive)."""
    match action:
        case AuditAction.PAGE_APPROVED:
            return _("Page approved")
        case AuditAction.PAGE_REJECTED:
            return _("Page rejected")
        case AuditAction.CLAIM_APPROVED:
            return _("Claim to a page approved")
        case AuditAction.CLAIM_REJECTED:
            return _("Claim to a page rejected")
        case AuditAction.IMPORT_APPLIED:
            return _("Registry imported")
        case AuditAction.ROLE_GRANTED:
            return _("Coordinator role granted")
        case AuditAction.ROLE_REVOKED:
            return _("Coordinator role revoked")
        case AuditAction.BROADCAST_STARTED:
            return _("Broadcast started")
        case AuditAction.BROADCAST_STOPPED:
            return _("Broadcast stopped")
        case AuditAction.SEMINAR_CREATED:
            return _("Seminar announced")
        case AuditAction.SEMINAR_CHANGED:
            return _("Seminar changed")
        case AuditAction.SEMINAR_CANCELLED:
            return _("Seminar cancelled")
        case AuditAction.CERTIFICATE_REVOKED:
            return _("Certificate revoked")
        case AuditAction.EXPORT_TAKEN:
            return _("Data exported")
        case AuditAction.RESTORE:
            return _("Database restored from a backup")
        case _:
            assert_never(action)


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _person(user: User | None, user_id: int) -> str:
    """A user as "Name @username" (HTML, escaped), or their id if the bot does not know them."""
    if user is None:
        return _("user {id}").format(id=user_id)
    name = escape(_clip(user.full_name, _NAME_LENGTH)) or str(user.id)
    return f"{name} @{escape(user.username)}" if user.username else name


def _who(entry: AuditEntry, shown: AuditPage) -> str:
    if entry.actor_id is None:
        # TRANSLATORS: who took an audited action that no user took: `python -m bot ...`
        # or the bot on its own.
        return _("the command line")
    return _person(shown.users.get(entry.actor_id), entry.actor_id)


def _subject(entry: AuditEntry, shown: AuditPage) -> str:
    """What the entry acted on (HTML, escaped); empty when it names nothing."""
    subject = entry.subject_id
    if subject is None:
        return ""
    if entry.subject_kind is SubjectKind.USER:
        return _person(shown.users.get(subject), subject)
    title = None
    if entry.subject_kind is SubjectKind.PAGE and subject in shown.pages:
        title = shown.pages[subject].title
    elif entry.subject_kind is SubjectKind.SEMINAR and subject in shown.seminars:
        title = shown.seminars[subject].title
    if title is None:
        return f"#{subject}"
    return f"«{escape(_clip(title, _TITLE_LENGTH))}» (#{subject})"


def _detail(key: str, value: object, locale: str, page: AuditPage) -> str:
    """One line of an entry's details (HTML, escaped); `page` names the users."""
    if key == AuditDetail.CLAIMANT and isinstance(value, int):
        return _("Claimant: {user}").format(user=_person(page.users.get(value), value))
    if key == AuditDetail.HOLDER and isinstance(value, int):
        return _("Holder: {user}").format(user=_person(page.users.get(value), value))
    shown = (
        number(value, locale) if isinstance(value, int) else escape(_clip(str(value), _TEXT_LENGTH))
    )
    if key == AuditDetail.REASON:
        return _("Reason: {reason}").format(reason=shown)
    if key == AuditDetail.RECIPIENTS:
        return _("Recipients: {count}").format(count=shown)
    if key == AuditDetail.CANCELLED:
        return _("Not sent (stopped): {count}").format(count=shown)
    if key == AuditDetail.PAGES:
        return _("Pages: {count}").format(count=shown)
    if key == AuditDetail.FILE:
        return _("File: {name}").format(name=shown)
    if key == AuditDetail.CERTIFICATE:
        return _("Certificate: {id}").format(id=shown)
    if key == AuditDetail.FIELD and str(value) in set(SeminarField):
        return _("Changed: {field}").format(field=field_label(SeminarField(str(value))))
    return f"{escape(_clip(key, _NAME_LENGTH))}: {shown}"


def entry_text(entry: AuditEntry, shown: AuditPage, tz: ZoneInfo, locale: str) -> str:
    """One entry in the current language (HTML, escaped): when in `tz` and who, then
    what on what, then a line per detail."""
    lines = [
        f"<b>{moment(entry.at, tz, locale)}</b> · {_who(entry, shown)}",
        action_sentence(entry.action),
    ]
    if subject := _subject(entry, shown):
        lines[1] += f": {subject}"
    lines += [_detail(key, value, locale, shown) for key, value in entry.details.items()]
    # A page's entries share its message equally; one too long for its share (escaped
    # markup in every name) is cut to plain text with "…".
    return list_page(["\n".join(lines)], 0, limit=_ENTRY_ROOM).text


def audit_list(
    shown: AuditPage, territories: list[Territory], tz: ZoneInfo, locale: str, i18n: I18n
) -> ListPage:
    """`shown` as one message in `locale`, newest first, with its place among the pages
    (`number` and `count`, for the arrows). Always fits one Telegram message."""
    with speaking(i18n, locale):
        if not shown.entries:
            header = _("Nothing is recorded in the audit log yet.")
        else:
            header = ngettext(
                "<b>Audit log</b>, newest first: {first}–{last} of {count} entry",
                "<b>Audit log</b>, newest first: {first}–{last} of {count} entries",
                shown.total,
            ).format(
                first=number(shown.first + 1, locale),
                last=number(shown.first + len(shown.entries), locale),
                count=number(shown.total, locale),
            )
        if shown.scope is not None:
            name = territory_name(territories, shown.scope, locale)
            header += "\n" + _("Territory: {territory}").format(territory=escape(name))
        entries = [entry_text(entry, shown, tz, locale) for entry in shown.entries]
    text = "\n\n".join([header, *entries])
    start = shown.first
    return ListPage(text, shown.number, shown.count, start, start + len(shown.entries))
