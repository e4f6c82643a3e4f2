"""Segments of page administrators: who a broadcast reaches."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from enum import StrEnum

from bot.domain.catalog import Level, Theme
from bot.domain.links import Platform

SILENCE_CHOICES = (7, 14, 30, 60)


class Dimension(StrEnum):
    """A property of a page a segment can narrow by, one value set each."""

    TERRITORY = "territory"
    LEVEL = "level"
    THEME = "theme"
    PLATFORM = "platform"


@dataclass(frozen=True, slots=True)
class Segment:
    """Administrators of approved pages matching every chosen filter.

    An empty set means "any"; `silent_days` keeps pages silent for that many days: no
    report for so long, counted from approval for a page that never reported (the one
    rule of `bot.storage.silence`).
    """

    territories: frozenset[int] = field(default_factory=frozenset)
    levels: frozenset[Level] = field(default_factory=frozenset)
    themes: frozenset[Theme] = field(default_factory=frozenset)
    platforms: frozenset[Platform] = field(default_factory=frozenset)
    silent_days: int | None = None

    @property
    def is_everyone(self) -> bool:
        return self == Segment()

    def chosen(self, dimension: Dimension) -> frozenset[str]:
        """The values chosen in `dimension`, as their codes (a territory's id in digits)."""
        if dimension is Dimension.TERRITORY:
            return frozenset(str(value) for value in self.territories)
        if dimension is Dimension.LEVEL:
            return frozenset(str(value) for value in self.levels)
        if dimension is Dimension.THEME:
            return frozenset(str(value) for value in self.themes)
        return frozenset(str(value) for value in self.platforms)

    def toggled(self, dimension: Dimension, value: str) -> Segment:
        """The segment with `value` (a code of `dimension`) switched on or off.

        Raises ValueError for a value that is not one of the dimension's: a territory id
        not in digits, a level, theme or platform code the domain does not know.
        """
        if dimension is Dimension.TERRITORY:
            if not value.isdigit():
                raise ValueError(f"not a territory id: {value!r}")
            return replace(self, territories=self.territories ^ {int(value)})
        if dimension is Dimension.LEVEL:
            return replace(self, levels=self.levels ^ {Level(value)})
        if dimension is Dimension.THEME:
            return replace(self, themes=self.themes ^ {Theme(value)})
        if dimension is Dimension.PLATFORM:
            return replace(self, platforms=self.platforms ^ {Platform(value)})
        raise ValueError(f"unknown dimension {dimension!r}")

    def with_silence(self, days: int | None) -> Segment:
        """The segment keeping pages silent for `days` or more (None or 0: any page)."""
        return replace(self, silent_days=days or None)

    def within(self, territory_id: int | None) -> Segment:
        """The segment a coordinator scoped to `territory_id` may reach.

        Whatever was chosen (or forged), the result never leaves that territory: an
        outside choice leaves nobody rather than widening the reach.
        """
        if territory_id is None:
            return self
        if not self.territories:
            return replace(self, territories=frozenset({territory_id}))
        return replace(self, territories=self.territories & {territory_id} or frozenset({-1}))

    def to_json(self) -> str:
        """The segment as stored with a broadcast or a seminar: codes, sorted."""
        return json.dumps(
            {
                "territories": sorted(self.territories),
                "levels": sorted(str(value) for value in self.levels),
                "themes": sorted(str(value) for value in self.themes),
                "platforms": sorted(str(value) for value in self.platforms),
                "silent_days": self.silent_days,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> Segment:
        """A segment stored by `to_json`; raises ValueError for a code no longer known."""
        data = json.loads(text)
        silent = data.get("silent_days")
        return cls(
            territories=frozenset(int(value) for value in data.get("territories", [])),
            levels=frozenset(Level(value) for value in data.get("levels", [])),
            themes=frozenset(Theme(value) for value in data.get("themes", [])),
            platforms=frozenset(Platform(value) for value in data.get("platforms", [])),
            silent_days=int(silent) if silent is not None else None,
        )
