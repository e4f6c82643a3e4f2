"""Every text the code uses exists, complete and with the same placeholders, in every catalogue."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from gettext import c2py
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.config import LOCALES_DIR, PACKAGE_DIR, SUPPORTED_LOCALES

PLACEHOLDER = re.compile(r"\{(\w*)\}")
TAG = re.compile(r"</?[a-z-]+")
#: Russian singular pronouns: in the form a count picks they would have to agree with it.
SINGULAR_PRONOUN = re.compile(r"(?<![а-яё])(?:она|он|оно|его|её|ее|ему|ей|ней|нему|него)(?![а-яё])")


def mismatches(source: str, target: str) -> list[str]:
    """What a translation lost or added against its message id: placeholders (each as
    often as in the id) and HTML tags."""
    problems = []
    if Counter(PLACEHOLDER.findall(source)) != Counter(PLACEHOLDER.findall(target)):
        problems.append(f"placeholders differ: {source!r}")
    if Counter(TAG.findall(source)) != Counter(TAG.findall(target)):
        problems.append(f"HTML tags differ: {source!r}")
    return problems


@cache  # extraction reads every module of the bot: once per run is enough
def used_message_ids() -> frozenset[str]:
    keywords = {"_": None, "__": None, "ngettext": (1, 2)}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PACKAGE_DIR), keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return frozenset(found)


@pytest.fixture(params=SUPPORTED_LOCALES)
def catalog(request: pytest.FixtureRequest) -> Catalog:
    """The catalogue of each supported locale in turn, as its .po file says."""
    locale: str = request.param
    path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    with Path(path).open("rb") as handle:
        return read_po(handle, locale=locale)


@cache
def used_plural_ids() -> frozenset[str]:
    """The singular ids of the texts the code picks by a count (ngettext)."""
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PACKAGE_DIR), keywords={"ngettext": (1, 2)}
    ):
        if not isinstance(message, str):
            found.add(message[0])
    return frozenset(found)


def test_the_code_uses_translated_texts() -> None:
    assert len(used_message_ids()) > 100
    assert used_plural_ids()


def test_counted_texts_have_every_plural_form(catalog: Catalog) -> None:
    """Russian has three plural forms, English two: each is translated, none is missing."""
    assert catalog.num_plurals == {"ru": 3, "en": 2}[str(catalog.locale)]
    problems = []
    for message_id in sorted(used_plural_ids()):
        entry = catalog.get(message_id)
        if entry is None or not entry.pluralizable:
            problems.append(f"not plural: {message_id!r}")
            continue
        forms = [] if entry.string is None else entry.string
        if len(forms) != catalog.num_plurals or not all(forms):
            problems.append(f"forms missing: {message_id!r}")
    assert problems == []


def test_every_message_is_translated(catalog: Catalog) -> None:
    problems = []
    for message_id in sorted(used_message_ids()):
        entry = catalog.get(message_id)
        if entry is None:
            problems.append(f"missing: {message_id!r}")
        elif not entry.string:
            problems.append(f"empty: {message_id!r}")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {message_id!r}")
    assert problems == []


def test_translations_keep_placeholders_and_tags(catalog: Catalog) -> None:
    problems = []
    for entry in catalog:
        if not entry.id or not entry.string:
            continue
        # A counted text: every form keeps the singular's placeholders and tags.
        source = entry.id if isinstance(entry.id, str) else entry.id[0]
        targets = [entry.string] if isinstance(entry.string, str) else list(entry.string)
        for target in targets:
            problems.extend(mismatches(source, target))
    assert problems == []


def test_placeholder_check_catches_a_mismatch() -> None:
    """The check above is worth something: a dropped, renamed or doubled placeholder and a
    lost tag are each seen, and a faithful translation passes."""
    assert mismatches("Page {title}", "Page") == ["placeholders differ: 'Page {title}'"]
    assert mismatches("Page {title}", "Страница {name}") == ["placeholders differ: 'Page {title}'"]
    assert mismatches("{n} of {n}", "{n}") == ["placeholders differ: '{n} of {n}'"]
    assert mismatches("<b>{title}</b>", "{title}") == ["HTML tags differ: '<b>{title}</b>'"]
    assert mismatches("<b>{title}</b> {n}", "{n} <b>{title}</b>") == []


def count_pronouns(one: str, many: str) -> list[str]:
    """Singular pronouns of `one` (the form a count of 21 picks) that `many` (the form
    for 2) lacks: they stand for the counted things, and 21 of them are no "она"."""
    plural = set(SINGULAR_PRONOUN.findall(many.lower()))
    return [word for word in SINGULAR_PRONOUN.findall(one.lower()) if word not in plural]


def test_russian_forms_for_21_speak_of_the_count_without_a_singular_pronoun() -> None:
    """21, 31, … take the first Russian form («21 строка»), so the form cannot go on
    with «она будет пропущена»: it must say it without a pronoun."""
    path = LOCALES_DIR / "ru" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        russian = read_po(handle, locale="ru")
    form_of = c2py(russian.plural_expr)
    problems = []
    for entry in russian:
        if not entry.pluralizable or not entry.string:
            continue
        forms = list(entry.string)
        pronouns = count_pronouns(forms[form_of(21)], forms[form_of(2)])
        if pronouns:
            problems.append(f"{pronouns} in {forms[form_of(21)]!r}")
    assert problems == []


def test_the_pronoun_check_catches_a_pronoun_of_the_count() -> None:
    assert count_pronouns("{count} строка с ошибками, она будет пропущена:", "они") == ["она"]
    assert count_pronouns("Сообщение. Его получит {count} человек", "Его получат") == []
    assert count_pronouns("{count} строка с ошибками будет пропущена:", "") == []
