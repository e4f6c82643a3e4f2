"""/import over the fake Bot API: templates, the dry run's exact list of bad rows, the apply
in one transaction, named administrators and invite links, role checks."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import pytest
from openpyxl import Workbook, load_workbook

from bot.domain.localtime import DAY
from bot.domain.registry_import import COLUMNS
from bot.domain.roles import Actor, Role
from bot.handlers.callbacks import ImportAction, ImportCb, ListCb, ListKind
from bot.services.errors import ImportGone, NotAllowed
from bot.services.registry_import import RegistryImportService
from tests.builders import add_imported_page, add_page, add_user, query
from tests.clock import START
from tests.fakes.bot_api import FakeBotAPI, FakeUser, SentMessage, UploadedFile
from tests.flows import register_page, translator, walk_text
from tests.harness import BotHarness
from tests.users import ADMIN, ADMIN_EN, OTHER, SUPER

NOT_ALLOWED = "Sorry, your role does not allow this."
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def cells(
    link: str,
    title: str,
    territory: str = "город Пенза",
    level: str = "Муниципальный",
    theme: str = "Культура",
    admin: str = "",
    figure: str = "",
) -> list[str]:
    """A row of the template, Penza's municipal culture unless told."""
    return [link, title, territory, level, theme, admin, figure]


#: Every kind of bad row, and good ones spelled in every accepted way. Line 1 is the
#: header; line 14 is blank; line 18's title holds the delimiter and a line break.
ROWS: list[list[str]] = [
    cells("https://vk.com/club1", "Библиотека", figure="12 345"),
    cells("", "Без ссылки"),
    cells("not a link", "Плохая ссылка"),
    cells("vk.com/CLUB1", "Дубль"),
    cells("https://m.vk.com/Registered1", "Снова"),
    cells("https://vk.com/club7", ""),
    cells("https://vk.com/club8", "Я" * 201),
    cells("https://vk.com/club9", "Девять", territory="Пенза-3"),
    cells("https://vk.com/club10", "Десять", level="Районный"),
    cells("https://vk.com/club11", "Одиннадцать", theme="Погода"),
    cells("https://vk.com/club12", "Двенадцать", admin="иван"),
    cells("https://vk.com/club13", "Тринадцать", figure="много"),
    [""] * 7,
    cells(
        "t.me/channel15", "Молодёжный", " Kuznetsk (city) ", "INSTITUTION", "молодежь", "", "1 000"
    ),
    cells("https://ok.ru/group/16", "Спорт", "zarechny", "federal body", "Sport"),
    cells("https://vk.com/club17", "", "Нигде", "", "", "x y", "-5"),
    cells(
        "https://ok.ru/group/18",
        "Музей; филиал\nцентральный",
        "penza",
        "regional",
        "culture",
        "",
        "7",
    ),
    cells("https://vk.com/club19", "Девятнадцать", "penza", "regional", "culture", "", "12.3"),
]

EXPECTED_PROBLEMS = [
    "Строка 3: нет ссылки",
    "Строка 4: «not a link» — не ссылка на страницу",
    "Строка 5: та же страница, что в строке 2",
    "Строка 6: уже зарегистрирована как «Дом культуры»",
    "Строка 7: нет названия",
    "Строка 8: название длиннее 200 символов",
    "Строка 9: неизвестная территория «Пенза-3»",
    "Строка 10: неизвестный уровень «Районный»",
    "Строка 11: неизвестная тематика «Погода»",
    "Строка 12: «иван» — не @username и не числовой id в Telegram",
    "Строка 13: «много» — не число подписчиков",
    "Строка 17: нет названия",
    "Строка 17: неизвестная территория «Нигде»",
    "Строка 17: не указан уровень",
    "Строка 17: не указана тематика",
    "Строка 17: «x» — не @username и не числовой id в Telegram",
    "Строка 17: «-5» — не число подписчиков",
    "Строка 19: «12.3» — не число подписчиков",
]


def csv_file(
    rows: Sequence[Sequence[str]],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8-sig",
    header: Sequence[str] = COLUMNS,
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_file(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def upload(
    bot: BotHarness, user: FakeUser, name: str, data: bytes, mime: str = CSV_MIME
) -> list[SentMessage]:
    """The user sends the file as a document; returns the bot's replies."""
    before = len(bot.fake.sent)
    await bot.feed(bot.fake.document_update(user, file_name=name, mime_type=mime, data=data))
    return [m for m in bot.fake.sent[before:] if m.chat_id == user.id]


async def dry_run(bot: BotHarness, name: str, data: bytes, mime: str = CSV_MIME) -> SentMessage:
    """The superadmin opens /import and sends the file; returns the dry run's message."""
    await bot.send(SUPER, "/import")
    [answer] = await upload(bot, SUPER, name, data, mime)
    return answer


def document(message: SentMessage) -> UploadedFile:
    [part] = [v for v in message.params.values() if isinstance(v, UploadedFile)]
    return part


def problem_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("Строка ")]


async def counts(bot: BotHarness) -> dict[str, int]:
    """Rows of every table an apply writes to."""
    tables = ("pages", "reports", "page_admins", "invites", "audit_log", "outbox")
    return {table: (await query(bot.db, f"SELECT count(*) FROM {table}"))[0][0] for table in tables}


async def with_registered_page(bot: BotHarness) -> None:
    async with bot.db.write() as repos:
        await add_user(repos, ADMIN)
        await add_page(repos, "vk.com/registered1", created_by=ADMIN.id, title="Дом культуры")


@pytest.mark.parametrize(
    ("delimiter", "encoding"), [(";", "utf-8-sig"), (",", "utf-8")], ids=["bom-semicolon", "comma"]
)
async def test_the_dry_run_lists_every_bad_row_exactly_and_writes_nothing(
    bot: BotHarness, delimiter: str, encoding: str
) -> None:
    await with_registered_page(bot)
    before = await counts(bot)
    answer = await dry_run(
        bot, "реестр.csv", csv_file(ROWS, delimiter=delimiter, encoding=encoding)
    )
    text = answer.text or ""
    assert problem_lines(text) == EXPECTED_PROBLEMS
    assert text.startswith(
        "Файл «реестр.csv»: проверено 17 строк.\n"
        "Можно импортировать 4 страницы.\n"
        "Пока ничего не записано. Исправьте файл и пришлите его снова или примените верные "
        "строки сейчас.\n\n"
        "13 строк с ошибками, они будут пропущены:\nСтрока 3:"
    )
    assert answer.button_texts() == ["✅ Применить: 4 страницы"]
    assert await counts(bot) == before


async def test_a_file_in_windows_1251_is_refused_naming_its_encoding(bot: BotHarness) -> None:
    before = await counts(bot)
    answer = await dry_run(bot, "реестр.csv", csv_file(ROWS, encoding="cp1251"))
    assert (answer.text or "").startswith("Файл в кодировке Windows-1251, а не UTF-8.")
    assert "Ð" not in (answer.text or "")  # no mojibake quoted back
    assert answer.buttons == []
    assert await counts(bot) == before


async def test_a_missing_column_is_named(bot: BotHarness) -> None:
    header = ["Link", "Title", "Territory", "Admin"]
    answer = await dry_run(bot, "a.csv", csv_file([], header=header))
    assert (answer.text or "").startswith("Нет обязательных столбцов: level, theme.")


async def test_a_long_list_of_bad_rows_pages_and_every_page_fits(bot: BotHarness) -> None:
    rows = [
        [f"https://vk.com/bad{n}", f"Страница {n}", "Атлантида", "regional", "culture"]
        for n in range(400)
    ]
    answer = await dry_run(bot, "big.csv", csv_file(rows, header=COLUMNS[:5]))
    assert answer.button_texts()[-1] == "▶️"
    texts = await walk_text(bot, SUPER, answer)
    assert len(texts) > 1
    listed = [line for text in texts for line in problem_lines(text)]
    assert listed == [f"Строка {n + 2}: неизвестная территория «Атлантида»" for n in range(400)]


async def test_applying_creates_approved_pages_counted_in_total(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    await with_registered_page(bot)
    answer = await dry_run(bot, "реестр.csv", csv_file(ROWS))
    [summary] = await bot.click(SUPER, "✅ Применить: 4 страницы", answer)
    assert (summary.text or "") == (
        "Из файла «реестр.csv» импортированы 4 страницы, они одобрены; "
        "с числом подписчиков, учтённым в /total: 3."
    )
    assert fake.last_message(SUPER.id).message_id == summary.message_id  # no invites file

    async with bot.db.read() as repos:
        pages = {
            key: await repos.pages.by_link_key(key)
            for key in ("vk.com/club1", "t.me/channel15", "ok.ru/group/16", "ok.ru/group/18")
        }
        imported = {
            key: (p.title, p.platform, p.territory_id, p.level, p.theme, p.current_figure)
            for key, p in pages.items()
            if p is not None and p.status.value == "approved" and p.created_by is None
        }
        assert imported == {
            "vk.com/club1": ("Библиотека", "vk", 2, "municipal", "culture", 12345),
            "t.me/channel15": ("Молодёжный", "tg", 4, "institution", "youth", 1000),
            "ok.ru/group/16": ("Спорт", "ok", 3, "federal", "sport", None),
            "ok.ru/group/18": ("Музей; филиал центральный", "ok", 2, "regional", "culture", 7),
        }
        for page in pages.values():
            assert page is not None
            assert await repos.pages.admin_ids(page.id) == []
        first = pages["vk.com/club1"]
        assert first is not None
        [report] = await repos.reports.history(first.id, limit=None)
        assert (report.figure, report.reported_by, report.reported_at) == (12345, None, START)
        [entry] = await repos.audit.latest(limit=5)
    assert entry.action.value == "import_applied"
    assert entry.actor_id == SUPER.id
    assert entry.details == {"pages": 4, "file": "реестр.csv"}

    totals = await bot.app.dispatcher["totals"].region(Actor(SUPER.id, Role.SUPERADMIN))
    assert (totals.pages, totals.subscribers) == (5, 12345 + 1000 + 7)
    assert (totals.change_7d, totals.change_30d) == (0, 0)  # a baseline, not growth
    [total] = await bot.send(SUPER, "/total")
    assert "Подписки на госпаблики: 13\xa0352" in (total.text or "")

    # A second tap on the same button changes nothing.
    before = await counts(bot)
    update = await bot.press(SUPER, answer, ImportCb(action=ImportAction.APPLY, import_id=1).pack())
    alert = fake.answer_for(update)
    assert alert is not None
    assert alert.text == "Этот импорт уже применён."
    assert await counts(bot) == before


async def test_an_xlsx_with_numbers_typed_as_text_and_extra_columns(bot: BotHarness) -> None:
    import datetime as dt

    header = [
        "LINK",
        "Title",
        "territory",
        "level",
        "theme",
        "admin",
        "figure",
        "platform",
        "status",
        "last_report",
    ]
    rows: list[list[object]] = [
        [
            "https://vk.com/x1",
            "Текст с пробелом",
            "penza",
            "regional",
            "culture",
            None,
            "12 345",
            "vk",
            "approved",
            dt.datetime(2026, 9, 1, 10, 0),
        ],
        [
            "https://vk.com/x2",
            "Текст",
            "penza",
            "regional",
            "culture",
            None,
            "12345",
            None,
            None,
            dt.date(2026, 9, 2),
        ],
        ["https://vk.com/x3", "Число", "penza", "regional", "culture", 300, 5000, None, None, None],
        [
            "https://example.org/page",
            "Сайт",
            "penza",
            "regional",
            "culture",
            None,
            5000.0,
            "VK",
            None,
            None,
        ],
    ]
    answer = await dry_run(bot, "реестр.xlsx", xlsx_file(header, rows), XLSX_MIME)
    assert problem_lines(answer.text or "") == []
    await bot.click(SUPER, "✅ Применить: 4 страницы", answer)
    async with bot.db.read() as repos:
        figures = {}
        for key in ("vk.com/x1", "vk.com/x2", "vk.com/x3", "example.org/page"):
            page = await repos.pages.by_link_key(key)
            assert page is not None
            figures[key] = (page.current_figure, page.platform)
    assert figures == {
        "vk.com/x1": (12345, "vk"),
        "vk.com/x2": (12345, "vk"),
        "vk.com/x3": (5000, "vk"),
        "example.org/page": (5000, "vk"),  # the export's platform column, for another site
    }


async def test_named_administrators_join_at_once_or_get_invite_links(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    await bot.send(ADMIN_EN, "/start")  # John (@john, 300) uses the bot already
    rows = [
        ["https://vk.com/a1", "Первая", "penza", "regional", "culture", "@JOHN, 777", ""],
        ["https://vk.com/a2", "Вторая", "penza", "regional", "culture", "300", ""],
        ["https://vk.com/a3", "Третья", "penza", "regional", "culture", "t.me/newcomer", ""],
    ]
    answer = await dry_run(bot, "r.csv", csv_file(rows))
    replies = await bot.click(SUPER, "✅ Применить: 3 страницы", answer)
    summary, invites = replies
    assert "1 названный администратор уже пользуется ботом" in (summary.text or "")
    assert invites.media_kind == "document"
    assert (invites.caption or "").startswith("2 личных приглашения")

    await bot.drain()
    notice = fake.last_message(ADMIN_EN.id).text or ""
    assert notice.startswith(
        "The coordinators have imported the region's registry: you are now an administrator "
        "of 2 pages: «Первая», «Вторая»."
    )
    async with bot.db.read() as repos:
        john = [page.title for page in await repos.pages.of_admin(ADMIN_EN.id)]
    assert sorted(john) == ["Вторая", "Первая"]

    content = document(invites).data
    assert content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == ["link", "title", "admin", "invite_link", "valid_until"]
    assert [row[:3] for row in table[1:]] == [
        ["https://vk.com/a1", "Первая", "777"],
        ["https://vk.com/a3", "Третья", "@newcomer"],
    ]
    link = table[2][3]
    prefix = f"https://t.me/{fake.username}?start="
    assert link.startswith(prefix)
    async with bot.db.read() as repos:
        invite = await repos.invites.get(link.removeprefix(prefix))
    assert invite is not None
    assert invite.expires_at == START + 60 * DAY

    newcomer = fake.add_user(FakeUser(id=900, first_name="Нина", username="newcomer"))
    [joined] = await bot.send(newcomer, "/start " + link.removeprefix(prefix))
    assert "Третья" in (joined.text or "")
    async with bot.db.read() as repos:
        assert [page.title for page in await repos.pages.of_admin(newcomer.id)] == ["Третья"]


async def test_a_page_registered_after_the_dry_run_is_skipped_at_apply(bot: BotHarness) -> None:
    rows = [
        ["https://vk.com/club123", "Из файла", "penza", "regional", "culture", "", "10"],
        ["https://vk.com/other", "Другая", "penza", "regional", "culture", "", "20"],
    ]
    answer = await dry_run(bot, "r.csv", csv_file(rows))
    await register_page(bot, ADMIN)  # https://vk.com/club123, "Дом культуры", pending
    [summary] = await bot.click(SUPER, "✅ Применить: 2 страницы", answer)
    lines = (summary.text or "").splitlines()
    assert lines[0].startswith("Из файла «r.csv» импортирована и одобрена 1 страница;")
    assert lines[-2:] == [
        "1 строка после проверки зарегистрирована кем-то другим и пропущена:",
        "Строка 2: уже зарегистрирована как «Дом культуры»",
    ]


async def test_templates_download_with_the_right_header(bot: BotHarness) -> None:
    await bot.send(SUPER, "/import")
    [xlsx] = await bot.click(SUPER, "⬇️ Шаблон XLSX")
    workbook = load_workbook(io.BytesIO(document(xlsx).data))
    registry, values = workbook.worksheets
    assert [cell.value for cell in registry[1]] == list(COLUMNS)
    assert registry.freeze_panes == "A2"
    assert values["A1"].value == "territory"
    assert ("penza", "город Пенза") in {
        (row[0], row[1]) for row in values.iter_rows(min_row=2, max_col=2, values_only=True)
    }
    assert values["E2"].value == "Федеральный орган"

    [csv_template] = await bot.click(SUPER, "⬇️ Шаблон CSV")
    assert document(csv_template).filename == "registry_template.csv"
    assert (
        document(csv_template).data
        == b"\xef\xbb\xbflink;title;territory;level;theme;admin;figure\r\n"
    )


@pytest.mark.parametrize("role", ["coordinator", "administrator"])
async def test_import_is_refused_to_others_and_forged_buttons_change_nothing(
    bot: BotHarness, fake: FakeBotAPI, role: str
) -> None:
    ru = translator(bot, "ru")
    if role == "coordinator":
        await bot.send(OTHER, "/start")
        await bot.send(SUPER, "/grant @petr")
    else:
        async with bot.db.write() as repos:
            await add_user(repos, OTHER)
            await add_page(repos, "vk.com/own", created_by=OTHER.id)
    [refused] = await bot.send(OTHER, "/import")
    assert refused.text == ru(NOT_ALLOWED)
    [ignored] = await upload(bot, OTHER, "r.csv", csv_file(ROWS))
    assert ignored.text != ru(NOT_ALLOWED)  # no import wizard: an ordinary unknown message

    rows = [["https://vk.com/f1", "Ф", "penza", "regional", "culture", "", "1"]]
    await dry_run(bot, "r.csv", csv_file(rows))
    before = await counts(bot)
    [start] = await bot.send(OTHER, "/start")
    for data in (
        ImportCb(action=ImportAction.APPLY, import_id=1).pack(),
        ListCb(kind=ListKind.IMPORT_PROBLEMS, page=0, subject=1).pack(),
        ImportCb(action=ImportAction.TEMPLATE_XLSX).pack(),
    ):
        update = await bot.press(OTHER, start, data)
        alert = fake.answer_for(update)
        assert alert is not None
        assert alert.text == ru(NOT_ALLOWED), data
    assert await counts(bot) == before


async def test_the_service_checks_the_actor_whatever_called_it(bot: BotHarness) -> None:
    imports: RegistryImportService = bot.app.dispatcher["imports"]
    await bot.send(SUPER, "/start")
    rows = [["https://vk.com/s1", "С", "penza", "regional", "culture", "", "1"]]
    checked = await imports.dry_run(Actor(SUPER.id, Role.SUPERADMIN), "r.csv", csv_file(rows))
    with pytest.raises(NotAllowed):
        await imports.apply(Actor(OTHER.id, Role.COORDINATOR), checked.import_id, lambda *_: "")
    with pytest.raises(NotAllowed):
        await imports.dry_run(Actor(ADMIN.id, Role.USER), "r.csv", csv_file(rows))
    async with bot.db.write() as repos:
        await repos.users.ensure(500, now=START)
    with pytest.raises(ImportGone):  # another superadmin's file
        await imports.apply(Actor(500, Role.SUPERADMIN), checked.import_id, lambda *_: "")


async def test_anything_but_a_document_in_the_file_step_asks_again_and_keeps_the_step(
    bot: BotHarness,
) -> None:
    await bot.send(SUPER, "/import")
    ask = "Пришлите заполненный файл документом (XLSX или CSV) или /cancel."
    [typed] = await bot.send(SUPER, "вот файл")
    before = len(bot.fake.sent)
    await bot.feed(bot.fake.photo_update(SUPER, "реестр"))
    [photo] = [m for m in bot.fake.sent[before:] if m.chat_id == SUPER.id]
    assert typed.text == photo.text == ask
    rows = [["https://vk.com/s1", "С", "penza", "regional", "culture", "", "1"]]
    [answer] = await upload(bot, SUPER, "r.csv", csv_file(rows))
    assert answer.button_texts() == ["✅ Применить: 1 страница"]


async def test_a_page_of_an_earlier_import_leaves_no_import_waiting(bot: BotHarness) -> None:
    """The builder's imported page is as an applied import leaves it: the superadmin's
    next /import discards no rows the page still refers to."""
    await bot.send(SUPER, "/start")
    async with bot.db.write() as repos:
        await add_imported_page(repos, "vk.com/earlier", importer=SUPER.id)
    rows = [["https://vk.com/club123", "Из файла", "penza", "regional", "culture", "", "10"]]
    answer = await dry_run(bot, "r.csv", csv_file(rows))
    assert "r.csv" in (answer.text or "")
    [summary] = await bot.click(SUPER, "✅ Применить: 1 страница", answer)
    assert (summary.text or "").startswith("Из файла «r.csv» импортирована и одобрена 1 страница")
