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


class SeminarGroup(StrEnum):
    """People of one seminar a broadcast can reach (the value is stored in JSON)."""

    REGISTERED = "registered"
    ATTENDED = "attended"
    ABSENT = "absent"  # registered but did not come (no attendance row)


@dataclass(frozen=True, slots=True)
class Segment:
    """Administrators of approved pages matching every chosen filter.

    An empty set means "any"; `silent_days` keeps pages silent for that many days: no
    report for so long, counted from approval for a page that never reported (the one
    rule of `bot.storage.silence`).

    Broadcasts may also narrow to one seminar's people (`seminar_id` with
    `seminar_group`, both or neither: administrators of matching pages who registered
    for it, attended it, or registered and did not come) and to pages with no trained
    administrator (`untrained`, the rule of `bot.storage.training.has_trained_admin`).
    These are broadcast-only: a seminar's own audience never uses them (`is_pages_only`).
    """

    territories: frozenset[int] = field(default_factory=frozenset)
    levels: frozenset[Level] = field(default_factory=frozenset)
    themes: frozenset[Theme] = field(default_factory=frozenset)
    platforms: frozenset[Platform] = field(default_factory=frozenset)
    silent_days: int | None = None
    seminar_id: int | None = None
    seminar_group: SeminarGroup | None = None
    untrained: bool = False

    def __post_init__(self) -> None:
        if (self.seminar_id is None) != (self.seminar_group is None):
            raise ValueError("a seminar segment needs both the seminar and the group")

    @property
    def is_everyone(self) -> bool:
        return self == Segment()

    @property
    def is_pages_only(self) -> bool:
        """Whether only pages' properties narrow it: what a seminar's audience may be."""
        return self.seminar_id is None and not self.untrained

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

    def with_seminar(self, seminar_id: int | None, group: SeminarGroup | None) -> Segment:
        """The segment narrowed to `group` of seminar `seminar_id` (None, None: to no
        seminar); raises ValueError when only one of them is given."""
        return replace(self, seminar_id=seminar_id, seminar_group=group)

    def with_untrained(self, untrained: bool) -> Segment:
        """The segment kept to pages with no trained administrator, or not."""
        return replace(self, untrained=untrained)

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
        """The segment as stored with a broadcast or a seminar: codes, sorted. The
        training keys are written only when set, so a segment without them is stored as
        before they existed."""
        data: dict[str, object] = {
            "territories": sorted(self.territories),
            "levels": sorted(str(value) for value in self.levels),
            "themes": sorted(str(value) for value in self.themes),
            "platforms": sorted(str(value) for value in self.platforms),
            "silent_days": self.silent_days,
        }
        if self.seminar_id is not None and self.seminar_group is not None:
            data["seminar_id"] = self.seminar_id
            data["seminar_group"] = str(self.seminar_group)
        if self.untrained:
            data["untrained"] = True
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Segment:
        """A segment stored by `to_json` (also before the training keys existed); raises
        ValueError for a code no longer known or a seminar without its group."""
        data = json.loads(text)
        silent = data.get("silent_days")
        seminar, group = data.get("seminar_id"), data.get("seminar_group")
        return cls(
            territories=frozenset(int(value) for value in data.get("territories", [])),
            levels=frozenset(Level(value) for value in data.get("levels", [])),
            themes=frozenset(Theme(value) for value in data.get("themes", [])),
            platforms=frozenset(Platform(value) for value in data.get("platforms", [])),
            silent_days=int(silent) if silent is not None else None,
            seminar_id=int(seminar) if seminar is not None else None,
            seminar_group=SeminarGroup(group) if group is not None else None,
            untrained=bool(data.get("untrained", False)),
        )
