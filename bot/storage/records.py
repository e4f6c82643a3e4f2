"""Typed rows the repositories return."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.catalog import PageStatus


@dataclass(frozen=True, slots=True)
class Territory:
    id: int
    code: str
    kind: str
    name_ru: str
    name_en: str
    sort: int

    def name(self, locale: str) -> str:
        return self.name_ru if locale == "ru" else self.name_en


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str | None
    full_name: str
    language_code: str | None
    locale: str | None
    is_coordinator: bool
    coordinator_territory_id: int | None
    reachable: bool
    wants_digest: bool = True
    wants_reminders: bool = True


@dataclass(frozen=True, slots=True)
class Page:
    id: int
    link_key: str
    url: str
    platform: str
    title: str
    territory_id: int
    level: str
    theme: str
    status: PageStatus
    reject_reason: str | None
    created_by: int | None
    created_at: int
    current_figure: int | None
    last_report_at: int | None
    # The latest report's figure; the current one is the most recent of it and the
    # latest observation (bot.storage.observations).
    reported_figure: int | None = None
    # The latest observation: the figure and when it was read (Unix seconds).
    observed_figure: int | None = None
    observed_at: int | None = None
    # Why the last collection read no figure (a bot.domain.observations.Uncollectable
    # value) and the platform's words; None when it did or never tried.
    collect_status: str | None = None
    collect_detail: str | None = None
    # The community's own id on the platform, once learnt (migration 0014).
    platform_id: str | None = None


@dataclass(frozen=True, slots=True)
class Report:
    id: int
    page_id: int
    figure: int
    reported_at: int
    reported_by: int | None


@dataclass(frozen=True, slots=True)
class Invite:
    code: str
    page_id: int
    created_by: int
    expires_at: int
    used_by: int | None
    # Accepting it makes `created_by` leave the page: it is handed over.
    hand_over: bool = False


@dataclass(frozen=True, slots=True)
class SegmentTotal:
    territory_id: int
    level: str
    theme: str
    platform: str
    pages: int
    subscribers: int


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Approved pages and their subscribers for one value of one dimension."""

    dimension: str  # territory, level, theme or platform
    key: str
    pages: int
    subscribers: int
