"""/export through the bot: the files coordinators get, their types and encodings, the
scope of a coordinator, the period of the report history, the size limit, the refusals."""

from __future__ import annotations

import asyncio
import codecs
import csv
import datetime as dt
import io
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from bot.cli_import import run_import
from bot.config import load_settings
from bot.domain.audit import AuditAction
from bot.domain.catalog import PageStatus
from bot.domain.exports import REGISTRY_COLUMNS, ExportFormat, ExportKind, ExportNames
from bot.domain.localtime import DAY
from bot.domain.roles import Actor
from bot.domain.segments import Segment
from bot.handlers.callbacks import ExportCb
from bot.services.export_runs import ExportRuns
from bot.services.exports import ExportFiles, ExportRequest, ExportService, Progress
from bot.storage.audit import AuditEntry
from bot.storage.database import Database
from bot.storage.repositories import Repositories
from bot.storage.seminars import Seminar
from tests.builders import (
    KUZNETSK,
    PENZA,
    add_page,
    add_user,
    make_coordinator,
    open_database,
    seed_admins,
)
from tests.clock import START
from tests.fakes.bot_api import FakeBotAPI, FakeUser, SentMessage
from tests.flows import translator
from tests.harness import BotHarness
from tests.users import ADMIN, ADMIN_EN, OTHER, SUPER

NOT_ALLOWED = "Sorry, your role does not allow this."
PAGES, REPORTS, SEMINARS, AUDIT = (
    "📄 Страницы",
    "📈 История отчётов",
    "🎓 Семинары и записи",
    "🗂 Журнал действий",
)
XLSX, CSV = "XLSX (Excel)", "CSV"
#: Anna coordinates Penza only.
ANNA = FakeUser(id=450, first_name="Анна", username="anna", language_code="ru")

ZARYA = "Дом культуры «Заря»; Пенза"  # a semicolon and quotes: CSV has to quote it
FORMULA = '=HYPERLINK("https://example.com"; "click")'
#: The page id's column in a pages export (after the registry's seven and four more).
PAGE_ID = 11


async def seed(bot: BotHarness) -> dict[str, int]:
    """Pages in Penza and Kuznetsk: approved with two administrators and a figure,
    approved without a figure, pending, rejected (never exported)."""
    async with bot.db.write() as repos:
        for user in (SUPER, ADMIN, OTHER, ANNA):
            await add_user(repos, user)
        zarya = await add_page(
            repos, "vk.com/zarya", created_by=ADMIN.id, territory_id=PENZA, title=ZARYA,
            figure=15_400, now=START - DAY,
        )  # fmt: skip
        await repos.pages.add_admin(zarya, OTHER.id, now=START)
        school = await add_page(
            repos, "ok.ru/school", created_by=OTHER.id, territory_id=KUZNETSK, title=FORMULA,
            platform="ok", level="institution", theme="education",
        )  # fmt: skip
        pending = await add_page(
            repos, "vk.com/new", created_by=ADMIN.id, territory_id=PENZA,
            status=PageStatus.PENDING,
        )  # fmt: skip
        await add_page(
            repos, "vk.com/bad", created_by=ADMIN.id, territory_id=PENZA,
            status=PageStatus.REJECTED, reason="no",
        )  # fmt: skip
    return {"zarya": zarya, "school": school, "pending": pending}


def runs(bot: BotHarness) -> ExportRuns:
    runs = bot.app.dispatcher.workflow_data["export_runs"]
    assert isinstance(runs, ExportRuns)
    return runs


def documents(bot: BotHarness, user: FakeUser, since: int = 0) -> list[SentMessage]:
    """The documents sent to `user` among the fake's requests from `since` on."""
    return [m for m in bot.fake.sent[since:] if m.chat_id == user.id and m.method == "sendDocument"]


async def export(bot: BotHarness, user: FakeUser, *buttons: str) -> list[SentMessage]:
    """The user sends /export and taps `buttons` in turn; returns the documents sent
    once the export (running in the background) is over."""
    await bot.send(user, "/export")
    before = len(bot.fake.sent)
    for button in buttons:
        before = len(bot.fake.sent)
        await bot.click(user, button)
    await runs(bot).wait()
    return documents(bot, user, before)


async def add_seminar(
    repos: Repositories,
    title: str,
    *,
    starts_at: int,
    capacity: int | None = None,
    territories: tuple[int, ...] = (),
) -> int:
    """A seminar of an hour the superadmin created, for `territories` (none: the region)."""
    return await repos.seminars.create(
        Seminar(
            id=0,
            title=title,
            description="",
            starts_at=starts_at,
            duration_minutes=60,
            place="Online",
            capacity=capacity,
            segment=Segment(territories=frozenset(territories)),
            created_by=SUPER.id,
            created_at=START,
        )
    )


def use_exports(bot: BotHarness, **options: int) -> None:
    """Handlers get this export service from now on (smaller parts or batches)."""
    bot.app.dispatcher.workflow_data["exports"] = ExportService(bot.db, bot.clock, **options)


def status(bot: BotHarness, user: FakeUser) -> SentMessage:
    """The message that showed /export's choices, then its progress and result."""
    return [m for m in bot.fake.messages(user.id) if m.method == "sendMessage"][-1]


def contents(message: SentMessage) -> bytes:
    uploaded = message.uploaded
    assert uploaded is not None, message.params
    return uploaded.data


def file_name(message: SentMessage) -> str:
    uploaded = message.uploaded
    assert uploaded is not None
    return uploaded.filename


def workbook_sheet(message: SentMessage) -> Worksheet:
    sheet = openpyxl.load_workbook(io.BytesIO(contents(message))).active
    assert isinstance(sheet, Worksheet)
    return sheet


def csv_rows(data: bytes) -> list[list[str]]:
    """The rows of a CSV part, checked to be UTF-8 with a byte order mark."""
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def local(bot: BotHarness, timestamp: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, bot.app.settings.tz).replace(tzinfo=None)


async def audit_entries(bot: BotHarness) -> list[AuditEntry]:
    async with bot.db.read() as repos:
        return await repos.audit.latest(limit=100)


async def test_pages_as_xlsx_open_in_openpyxl_with_typed_cells(bot: BotHarness) -> None:
    ids = await seed(bot)
    [document] = await export(bot, SUPER, PAGES, XLSX)

    assert file_name(document) == "pages_all_2026-09-21.xlsx"
    assert "Страницы · Пензенская область" in document.content
    sheet = workbook_sheet(document)
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 40
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert tuple(rows[0][:7]) == REGISTRY_COLUMNS
    assert rows[0][7:] == [
        "platform", "status", "last_report", "administrators_count", "page_id",
        "reported_figure", "observed_figure", "observed_at",
    ]  # fmt: skip
    by_id = {row[PAGE_ID]: row for row in rows[1:]}
    assert set(by_id) == {ids["zarya"], ids["school"], ids["pending"]}  # not the rejected one
    zarya = by_id[ids["zarya"]]
    assert zarya == [
        "https://vk.com/zarya", ZARYA, "город Пенза", "Муниципальный", "Культура",
        "@ivan, @petr", 15_400, "ВКонтакте", "одобрена", local(bot, START - DAY), 2,
        ids["zarya"], 15_400, None, None,
    ]  # fmt: skip
    assert type(zarya[6]) is int
    assert isinstance(zarya[9], dt.datetime)
    assert zarya[9].tzinfo is None
    school = by_id[ids["school"]]
    assert school[:7] == [
        "https://ok.ru/school", FORMULA, "город Кузнецк", "Учреждение", "Образование", "@petr",
        None,
    ]  # fmt: skip
    assert by_id[ids["pending"]][8] == "на модерации"
    # A title that looks like a formula stays text.
    assert sheet.cell(row=rows.index(school) + 1, column=2).data_type == "s"

    [entry] = await audit_entries(bot)
    assert entry.action is AuditAction.EXPORT_TAKEN
    assert entry.actor_id == SUPER.id
    assert entry.details == {"kind": "pages", "format": "xlsx", "rows": 3, "files": 1}
    assert status(bot, SUPER).text == "Выгружено 3 строки."


async def test_pages_as_csv_have_a_bom_semicolons_and_cyrillic_intact(bot: BotHarness) -> None:
    ids = await seed(bot)
    [document] = await export(bot, SUPER, PAGES, CSV)

    assert file_name(document) == "pages_all_2026-09-21.csv"
    data = contents(document)
    assert data.startswith(codecs.BOM_UTF8 + b"link;title;territory;level;theme;admin;figure;")
    rows = csv_rows(data)
    by_id = {row[PAGE_ID]: row for row in rows[1:]}
    zarya = by_id[str(ids["zarya"])]
    assert zarya[:7] == [
        "https://vk.com/zarya", ZARYA, "город Пенза", "Муниципальный", "Культура",
        "@ivan, @petr", "15400",
    ]  # fmt: skip
    assert zarya[9] == "2026-09-20 17:13:20"  # Moscow time, as Excel reads dates
    # Typed text that starts like a formula is kept as text.
    assert by_id[str(ids["school"])][1] == "'" + FORMULA


async def test_a_scoped_coordinator_exports_their_territory_only(bot: BotHarness) -> None:
    ids = await seed(bot)
    await make_coordinator(bot, ANNA, PENZA)
    async with bot.db.write() as repos:
        for page in (ids["zarya"], ids["school"]):
            await repos.reports.add(
                page_id=page, figure=100, reported_by=ADMIN.id, update_id=None, now=START
            )

    await export(bot, SUPER, PAGES, CSV)  # the region's, recorded without a territory
    [choice] = await bot.send(ANNA, "/export")
    assert "Только город Пенза" in (choice.text or "")
    [pages] = await export(bot, ANNA, PAGES, CSV)
    assert file_name(pages) == "pages_penza_2026-09-21.csv"
    assert {row[2] for row in csv_rows(contents(pages))[1:]} == {"город Пенза"}
    [reports] = await export(bot, ANNA, REPORTS, "За всё время", CSV)
    assert [row[1] for row in csv_rows(contents(reports))[1:]] == [str(ids["zarya"])]
    assert "город Пенза" in reports.content

    [audit] = await export(bot, ANNA, AUDIT, CSV)
    audit_rows = csv_rows(contents(audit))[1:]
    # Her own exports, recorded in her territory; not the superadmin's.
    assert [row[2] for row in audit_rows] == ["export_taken", "export_taken"]
    assert {row[1] for row in audit_rows} == {"@anna"}
    assert {row[5] for row in audit_rows} == {"город Пенза"}
    assert [(entry.actor_id, entry.territory_id) for entry in await audit_entries(bot)] == [
        (ANNA.id, PENZA),
        (ANNA.id, PENZA),
        (ANNA.id, PENZA),
        (SUPER.id, None),
    ]


async def test_page_admins_are_refused_and_forged_export_taps_change_nothing(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    await seed(bot)
    [answer] = await bot.send(ADMIN_EN, "/export")
    assert answer.text == NOT_ALLOWED

    forged = ExportCb(kind=ExportKind.PAGES, fmt=ExportFormat.CSV).pack()
    update = await bot.press(ADMIN_EN, answer, forged)
    refusal = fake.answer_for(update)
    assert refusal is not None
    assert refusal.text == NOT_ALLOWED
    assert fake.calls("sendDocument") == []
    assert await audit_entries(bot) == []


async def test_the_report_history_keeps_the_ends_of_its_period(bot: BotHarness) -> None:
    ids = await seed(bot)
    week_ago = START - 7 * DAY
    async with bot.db.write() as repos:
        for figure, moment in ((1, week_ago - 1), (2, week_ago), (3, START)):
            await repos.reports.add(
                page_id=ids["zarya"], figure=figure, reported_by=ADMIN.id, update_id=None,
                now=moment,
            )  # fmt: skip

    [week] = await export(bot, SUPER, REPORTS, "7 дней", XLSX)
    assert file_name(week) == "reports_7d_all_2026-09-21.xlsx"
    assert "История отчётов за последние 7 дней" in week.content
    rows = list(workbook_sheet(week).iter_rows(values_only=True))
    assert rows[0] == (
        "reported_at", "page_id", "link", "title", "territory", "figure", "reported_by",
    )  # fmt: skip
    assert rows[1:] == [
        (local(bot, week_ago), ids["zarya"], "https://vk.com/zarya", ZARYA, "город Пенза", 2,
         "@ivan"),
        (local(bot, START), ids["zarya"], "https://vk.com/zarya", ZARYA, "город Пенза", 3,
         "@ivan"),
    ]  # fmt: skip

    [everything] = await export(bot, SUPER, REPORTS, "За всё время", CSV)
    assert [row[5] for row in csv_rows(contents(everything))[1:]] == ["1", "2", "3"]
    assert [entry.details.get("period_days") for entry in await audit_entries(bot)] == [None, 7]


async def test_a_large_csv_comes_in_parts_each_with_its_header(bot: BotHarness) -> None:
    async with bot.db.write() as repos:
        await add_user(repos, ADMIN)
        for n in range(40):
            await add_page(
                repos, f"vk.com/page{n}", created_by=ADMIN.id, title=f"Страница номер {n}",
                figure=n,
            )  # fmt: skip
    use_exports(bot, part_bytes=1_200, batch=7)
    parts = await export(bot, SUPER, PAGES, CSV)

    assert len(parts) > 2
    names = [file_name(part) for part in parts]
    assert names == [f"pages_all_2026-09-21_part{n}.csv" for n in range(1, len(parts) + 1)]
    rows: list[list[str]] = []
    for number, part in enumerate(parts, 1):
        data = contents(part)
        assert len(data) <= 1_200
        header, *body = csv_rows(data)
        assert header[:7] == list(REGISTRY_COLUMNS)
        assert f"Часть {number} из {len(parts)}." in part.content
        rows += body
    assert [row[6] for row in rows] == [str(n) for n in range(40)]
    final = status(bot, SUPER).text or ""
    assert final.startswith("Выгружено 40 строк.")
    assert f"пришла {len(parts)} частями" in final


async def test_an_xlsx_over_the_limit_is_refused_with_the_reason(bot: BotHarness) -> None:
    await seed(bot)
    use_exports(bot, part_bytes=2_000)  # any workbook is larger
    documents = await export(bot, SUPER, PAGES, XLSX)

    assert documents == []
    assert bot.fake.calls("sendDocument") == []
    assert (status(bot, SUPER).text or "").startswith("Файл XLSX получился")
    assert await audit_entries(bot) == []


async def test_a_long_export_shows_its_progress(bot: BotHarness) -> None:
    await seed(bot)
    workflow = bot.app.dispatcher.workflow_data
    # Progress from the first batch on, two rows a batch.
    workflow["settings"] = bot.app.settings.model_copy(update={"export_progress_seconds": 0})
    use_exports(bot, batch=2)
    await export(bot, SUPER, PAGES, XLSX)

    shown = status(bot, SUPER)
    texts = [version.text for version in shown.history]
    assert [*texts[-3:], shown.text] == [
        "Готовлю выгрузку: Страницы, XLSX…",
        "Выгружено 2 из 3 строк…",
        "Выгружено 3 из 3 строк…",
        "Выгружено 3 строки.",
    ]


async def test_seminars_come_with_their_registrations_in_english(bot: BotHarness) -> None:
    await seed(bot)
    await make_coordinator(bot, ADMIN_EN, None)
    async with bot.db.write() as repos:
        seminar = await add_seminar(repos, "SMM basics", starts_at=START + DAY)
        empty = await add_seminar(repos, "Nobody came", starts_at=START + 2 * DAY, capacity=10)
        await repos.seminars.register(seminar, ADMIN.id, now=START + 60)
        await repos.seminars.register(seminar, OTHER.id, now=START + 120)

    t = translator(bot, "en")
    [document] = await export(bot, ADMIN_EN, "🎓 " + t("Seminars and registrations"), t("CSV"))
    header, *rows = csv_rows(contents(document))
    assert header == [
        "seminar_id", "title", "starts_at", "duration_minutes", "place", "capacity",
        "audience", "registered", "name", "registered_at",
    ]  # fmt: skip
    assert [(row[0], row[7], row[8]) for row in rows] == [
        (str(seminar), "@ivan", "Иван"),
        (str(seminar), "@petr", "Пётр"),
        (str(empty), "", ""),
    ]
    assert rows[0][6] == "Penza region"
    assert rows[0][9] == str(local(bot, START + 60))
    [entry] = await audit_entries(bot)
    assert entry.details == {"kind": "seminars", "format": "csv", "rows": 3, "files": 1}


async def test_a_scoped_coordinator_gets_the_seminars_and_registrants_of_their_territory(
    bot: BotHarness,
) -> None:
    await seed(bot)  # Иван administers a page in Penza
    [outsider] = await seed_admins(bot, 1, KUZNETSK, 1000)
    await make_coordinator(bot, ANNA, PENZA)
    async with bot.db.write() as repos:
        seminars = {}
        for title, territories in (("Region", ()), ("Penza", (PENZA,)), ("Kuznetsk", (KUZNETSK,))):
            seminars[title] = await add_seminar(
                repos, title, starts_at=START + DAY, territories=territories
            )
        for title, user in (("Region", ADMIN), ("Region", outsider), ("Kuznetsk", outsider)):
            await repos.seminars.register(seminars[title], user.id, now=START)

    [document] = await export(bot, ANNA, SEMINARS, CSV)
    rows = csv_rows(contents(document))[1:]
    assert [(row[1], row[6], row[7]) for row in rows] == [
        ("Region", "Пензенская область", "@ivan"),
        ("Penza", "город Пенза", ""),
    ]


async def exported_registry(db: Database) -> list[tuple[str, str, int, str, str, int | None]]:
    """What the registry round trip keeps of every page that is not rejected: link, title,
    territory, level, theme, figure."""
    async with db.read() as repos:
        pages = [
            page async for batch in repos.exports.pages(territory_id=None, size=9) for page in batch
        ]
    return sorted(
        (page.url, page.title, page.territory_id, page.level, page.theme, page.current_figure)
        for page in pages
    )


@pytest.mark.parametrize("fmt", [XLSX, CSV])
async def test_an_export_imports_back_into_an_empty_database(
    bot: BotHarness, tmp_path: Path, fmt: str
) -> None:
    await seed(bot)  # a title that looks like a formula, one with quotes and a semicolon
    [document] = await export(bot, SUPER, PAGES, fmt)
    path = tmp_path / file_name(document)
    path.write_bytes(contents(document))

    settings = load_settings(
        _env_file=None,
        bot_token=bot.fake.token,
        database_path=tmp_path / "empty.sqlite3",
        superadmin_ids="100",
    )
    output = io.StringIO()
    code = await run_import(
        settings, path, dry_run=False, bot_username="bot", out=output, err=output, clock=bot.clock
    )
    assert code == 0, output.getvalue()
    async with open_database(settings.database_path) as empty:
        assert await exported_registry(empty) == await exported_registry(bot.db)


BUSY = "Выгрузка уже готовится; она придёт сюда."


class GatedExports(ExportService):
    """Exports that stop after their first batch until `gate` opens: a long export, made
    long without waiting for time to pass. `writing` is set once one has stopped there."""

    def __init__(self, bot: BotHarness) -> None:
        super().__init__(bot.db, bot.clock, batch=1)
        self.writing = asyncio.Event()
        self.gate = asyncio.Event()

    @asynccontextmanager
    async def export(
        self,
        actor: Actor,
        request: ExportRequest,
        names: ExportNames,
        progress: Progress | None = None,
    ) -> AsyncIterator[ExportFiles]:
        async def gated(done: int, total: int) -> None:
            self.writing.set()
            await self.gate.wait()
            if progress is not None:
                await progress(done, total)

        async with super().export(actor, request, names, gated) as files:
            yield files


async def start_gated_export(bot: BotHarness) -> tuple[GatedExports, SentMessage, str]:
    """The superadmin asks for the pages as XLSX, and the export stops after its first
    row; returns the exports, the message that shows its status, and the XLSX button's
    callback data (to tap it again)."""
    await seed(bot)
    gated = GatedExports(bot)
    bot.app.dispatcher.workflow_data["exports"] = gated
    await bot.send(SUPER, "/export")
    await bot.click(SUPER, PAGES)
    choice = bot.with_button(SUPER, XLSX)
    button = choice.find_button(XLSX)
    assert button is not None
    await bot.click(SUPER, XLSX, choice)
    await gated.writing.wait()
    return gated, choice, str(button["callback_data"])


async def test_a_running_export_holds_up_neither_the_coordinator_nor_a_second_tap(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    gated, choice, xlsx = await start_gated_export(bot)
    assert runs(bot).running(SUPER.id)

    # The coordinator's next command is answered while their export is being written.
    [help_message] = await bot.send(SUPER, "/help")
    assert "/export" in (help_message.text or "")
    # A double tap on the format button, and a new /export: both refused meanwhile.
    answer = fake.answer_for(await bot.press(SUPER, choice, xlsx))
    assert answer is not None
    assert answer.text == BUSY
    assert await bot.reply_text(SUPER, "/export") == BUSY
    assert documents(bot, SUPER) == []

    gated.gate.set()
    await runs(bot).wait()
    [document] = documents(bot, SUPER)
    assert file_name(document) == "pages_all_2026-09-21.xlsx"
    assert choice.text == "Выгружено 3 строки."
    assert not runs(bot).running(SUPER.id)
    [entry] = await audit_entries(bot)
    assert entry.details["rows"] == 3
    # Over: the next export starts again.
    assert len(await export(bot, SUPER, PAGES, CSV)) == 1


async def test_shutdown_cancels_a_running_export_and_leaves_no_temporary_file(
    bot: BotHarness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temporary = tmp_path / "temporary"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    _, choice, _ = await start_gated_export(bot)
    # The export's folder and the sheet openpyxl keeps aside until it saves.
    assert len(list(temporary.rglob("*"))) >= 2

    await bot.stop()

    assert list(temporary.iterdir()) == []
    assert not runs(bot).running(SUPER.id)
    assert documents(bot, SUPER) == []
    assert choice.text == "Выгрузка прервана: бот перезапускается. Пожалуйста, запросите её снова."


async def test_an_export_whose_status_message_was_deleted_still_sends_its_file(
    bot: BotHarness,
) -> None:
    workflow = bot.app.dispatcher.workflow_data
    workflow["settings"] = bot.app.settings.model_copy(update={"export_progress_seconds": 0})
    gated, choice, _ = await start_gated_export(bot)
    choice.deleted = True  # the coordinator deletes it: every edit of it now fails

    gated.gate.set()
    await runs(bot).wait()
    [document] = documents(bot, SUPER)
    assert file_name(document) == "pages_all_2026-09-21.xlsx"
    edits = bot.fake.calls("editMessageText")
    assert len(edits) >= 3  # preparing, then the refused progress and result
    assert choice.text == "Готовлю выгрузку: Страницы, XLSX…"
