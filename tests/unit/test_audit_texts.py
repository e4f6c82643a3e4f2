"""/audit's texts: a sentence for every action in every language, names escaped, every
page of entries one valid message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from aiogram.utils.i18n import I18n

from bot.config import LOCALES_DIR
from bot.domain.audit import AuditAction, AuditDetail, SubjectKind
from bot.domain.catalog import PageStatus
from bot.domain.messages import MESSAGE_LIMIT
from bot.domain.segments import Segment
from bot.i18n import speaking
from bot.services.audit import ENTRIES_PER_PAGE, AuditPage
from bot.storage.audit import AuditEntry
from bot.storage.records import Page, Territory, User
from bot.storage.seminars import Seminar
from bot.texts.audit import action_sentence, audit_list, entry_text
from bot.texts.formats import number
from tests.clock import START
from tests.fakes.bot_api import parse_html, utf16_length

TZ = ZoneInfo("Europe/Moscow")
PENZA = Territory(2, "penza", "urban_district", "город Пенза", "Penza (city)", 2)

# The kind of subject each action is taken on, as the services record them.
SUBJECTS = {
    AuditAction.PAGE_APPROVED: SubjectKind.PAGE,
    AuditAction.PAGE_REJECTED: SubjectKind.PAGE,
    AuditAction.CLAIM_APPROVED: SubjectKind.PAGE,
    AuditAction.CLAIM_REJECTED: SubjectKind.PAGE,
    AuditAction.IMPORT_APPLIED: SubjectKind.IMPORT,
    AuditAction.ROLE_GRANTED: SubjectKind.USER,
    AuditAction.ROLE_REVOKED: SubjectKind.USER,
    AuditAction.BROADCAST_STARTED: SubjectKind.BROADCAST,
    AuditAction.BROADCAST_STOPPED: SubjectKind.BROADCAST,
    AuditAction.SEMINAR_CREATED: SubjectKind.SEMINAR,
    AuditAction.SEMINAR_CHANGED: SubjectKind.SEMINAR,
    AuditAction.SEMINAR_CANCELLED: SubjectKind.SEMINAR,
    AuditAction.CERTIFICATE_REVOKED: SubjectKind.SEMINAR,
    AuditAction.EXPORT_TAKEN: SubjectKind.EXPORT,
    AuditAction.RESTORE: SubjectKind.DATABASE,
}


@cache
def i18n() -> I18n:
    return I18n(path=LOCALES_DIR, default_locale="ru", domain="messages")


def sentence(action: AuditAction, locale: str) -> str:
    with speaking(i18n(), locale):
        return action_sentence(action)


def user(user_id: int, name: str, username: str | None = None) -> User:
    return User(user_id, username, name, "ru", None, False, None, True)


def page(page_id: int, title: str) -> Page:
    return Page(
        page_id, "vk.com/x", "https://vk.com/x", "vk", title, 2, "municipal", "culture",
        PageStatus.APPROVED, None, 1, START, None, None,
    )  # fmt: skip


def seminar(seminar_id: int, title: str) -> Seminar:
    return Seminar(seminar_id, title, "", START + 86_400, 60, "online", None, Segment(), 1, START)


def entry(
    action: AuditAction,
    *,
    entry_id: int = 1,
    actor_id: int | None = 1,
    subject_id: int | None = 7,
    details: dict[str, object] | None = None,
) -> AuditEntry:
    return AuditEntry(
        entry_id, START, actor_id, action, SUBJECTS[action], subject_id, 2, details or {}
    )


def shown(
    entries: list[AuditEntry],
    *,
    users: Sequence[User] = (),
    pages: Sequence[Page] = (),
    seminars: Sequence[Seminar] = (),
    scope: int | None = None,
) -> AuditPage:
    return AuditPage(
        entries,
        number=0,
        count=1,
        total=len(entries),
        scope=scope,
        users={u.id: u for u in users},
        pages={p.id: p for p in pages},
        seminars={s.id: s for s in seminars},
    )


def render(one: AuditEntry, view: AuditPage, locale: str) -> str:
    with speaking(i18n(), locale):
        return entry_text(one, view, TZ, locale)


@pytest.mark.parametrize("action", list(AuditAction))
def test_every_action_has_a_sentence_in_every_language(action: AuditAction) -> None:
    russian, english = sentence(action, "ru"), sentence(action, "en")
    assert russian
    assert english
    assert russian != english, "the Russian catalogue lacks this sentence"


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_no_two_actions_read_the_same(locale: str) -> None:
    sentences = {sentence(action, locale) for action in AuditAction}
    assert len(sentences) == len(AuditAction)


@pytest.mark.parametrize("locale", ["ru", "en"])
@pytest.mark.parametrize("action", list(AuditAction))
def test_every_action_renders_as_an_entry(action: AuditAction, locale: str) -> None:
    view = shown(
        [entry(action)],
        users=[user(1, "Ольга", "olga"), user(7, "Пётр")],
        pages=[page(7, "Дом культуры")],
        seminars=[seminar(7, "SMM для начинающих")],
    )
    text = render(view.entries[0], view, locale)
    parse_html(text, strict_ampersand=True)
    when = dt.datetime.fromtimestamp(START, TZ).strftime("%H:%M")
    first, second = text.split("\n")
    assert first.startswith("<b>")
    assert first.endswith(f"{when}</b> · Ольга @olga")
    subject = {
        SubjectKind.PAGE: ": «Дом культуры» (#7)",
        SubjectKind.USER: ": Пётр",
        SubjectKind.SEMINAR: ": «SMM для начинающих» (#7)",
    }.get(SUBJECTS[action], ": #7")
    assert second == sentence(action, locale) + subject


def test_the_time_is_the_regions_wall_time() -> None:
    view = shown([entry(AuditAction.RESTORE, actor_id=None, subject_id=None)])
    # START is 2026-09-21 14:13:20 UTC: 17:13 in Moscow.
    assert render(view.entries[0], view, "ru").split("\n") == [
        "<b>21 сентября 2026, 17:13</b> · командная строка",
        "База данных восстановлена из резервной копии",
    ]
    assert render(view.entries[0], view, "en").split("\n")[0] == (
        "<b>21 September 2026, 17:13</b> · the command line"
    )


def test_names_reasons_and_unknown_details_are_escaped() -> None:
    one = entry(
        AuditAction.PAGE_REJECTED,
        details={AuditDetail.REASON: "<b>нет</b> & всё", "rows": 1200, "<x>": "a&b"},
    )
    view = shown([one], users=[user(1, "<Ольга & Co>", "olga")], pages=[page(7, '"<i>')])
    lines = render(one, view, "ru").split("\n")
    assert lines[1:] == [
        "Страница отклонена: «&quot;&lt;i&gt;» (#7)",
        "Причина: &lt;b&gt;нет&lt;/b&gt; &amp; всё",
        "rows: " + number(1200, "ru"),
        "&lt;x&gt;: a&amp;b",
    ]
    assert "&lt;Ольга &amp; Co&gt; @olga" in lines[0]


def test_someone_or_something_no_longer_known_is_named_by_id() -> None:
    view = shown([entry(AuditAction.ROLE_GRANTED, actor_id=5, subject_id=9)])
    lines = render(view.entries[0], view, "en").split("\n")
    assert lines[0].endswith("· user 5")
    assert lines[1] == "Coordinator role granted: user 9"


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_a_page_of_the_longest_entries_is_one_valid_message(locale: str) -> None:
    """Names and texts at their limits, every character one that escaping lengthens."""
    entries = [
        entry(
            AuditAction.PAGE_REJECTED,
            entry_id=n,
            actor_id=1,
            subject_id=7,
            details={AuditDetail.REASON: '&"<>' * 125, "x" * 40: "<" * 500},
        )
        for n in range(ENTRIES_PER_PAGE)
    ]
    view = shown(
        entries,
        users=[user(1, "&" * 64 + "<" * 64, "u" * 32)],
        pages=[page(7, '"&<>' * 50)],
        scope=PENZA.id,
    )
    listing = audit_list(view, [PENZA], TZ, locale, i18n())
    text, _entities = parse_html(listing.text, strict_ampersand=True)
    assert utf16_length(listing.text) <= MESSAGE_LIMIT
    assert text.count("2026") == ENTRIES_PER_PAGE
    header = {"ru": "Территория: город Пенза", "en": "Territory: Penza (city)"}[locale]
    assert text.split("\n")[1] == header
    assert (listing.number, listing.count, listing.start, listing.stop) == (0, 1, 0, 10)


def test_an_empty_log_says_so() -> None:
    listing = audit_list(shown([]), [PENZA], TZ, "en", i18n())
    assert listing.text == "Nothing is recorded in the audit log yet."


def test_a_seminar_change_names_what_changed_in_the_readers_language() -> None:
    changed = entry(
        AuditAction.SEMINAR_CHANGED,
        details={AuditDetail.FIELD: "capacity", AuditDetail.RECIPIENTS: 3},
    )
    forged = entry(AuditAction.SEMINAR_CHANGED, details={AuditDetail.FIELD: "<title>"})
    view = shown([changed, forged])
    assert render(changed, view, "ru").split("\n")[2] == "Изменено: число мест"
    assert render(changed, view, "en").split("\n")[2] == "Changed: seats"
    assert render(forged, view, "en").split("\n")[2] == "field: &lt;title&gt;"  # as recorded
