"""Segments of page administrators: who a broadcast reaches."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

SILENCE_CHOICES = (7, 14, 30, 60)


@dataclass(frozen=True, slots=True)
class Segment:
    """Administrators of approved pages matching every chosen filter.

    An empty set means "any"; `silent_days` keeps pages silent for that many days: no
    report for so long, counted from approval for a page that never reported (the one
    rule of `bot.storage.silence`).
    """

    territories: frozenset[int] = field(default_factory=frozenset)
    levels: frozenset[str] = field(default_factory=frozenset)
    themes: frozenset[str] = field(default_factory=frozenset)
    platforms: frozenset[str] = field(default_factory=frozenset)
    silent_days: int | None = None

    @property
    def is_everyone(self) -> bool:
        return self == Segment()

    def toggled(self, dimension: str, value: str) -> Segment:
        if dimension == "territory":
            return replace(self, territories=self.territories ^ {int(value)})
        if dimension == "level":
            return replace(self, levels=self.levels ^ {value})
        if dimension == "theme":
            return replace(self, themes=self.themes ^ {value})
        if dimension == "platform":
            return replace(self, platforms=self.platforms ^ {value})
        raise ValueError(f"unknown dimension {dimension!r}")

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
        return json.dumps(
            {
                "territories": sorted(self.territories),
                "levels": sorted(self.levels),
                "themes": sorted(self.themes),
                "platforms": sorted(self.platforms),
                "silent_days": self.silent_days,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> Segment:
        data = json.loads(text)
        silent = data.get("silent_days")
        return cls(
            territories=frozenset(int(value) for value in data.get("territories", [])),
            levels=frozenset(str(value) for value in data.get("levels", [])),
            themes=frozenset(str(value) for value in data.get("themes", [])),
            platforms=frozenset(str(value) for value in data.get("platforms", [])),
            silent_days=int(silent) if silent is not None else None,
        )
