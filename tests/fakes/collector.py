"""A collector that reads figures from a dictionary: the platform a test makes up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.domain.links import Platform
from bot.domain.observations import CollectorUnavailable, Count, Failure, Target, Uncollectable


class Crash(BaseException):
    """The process dies in the middle of a batch (not an Exception: nothing catches it)."""


@dataclass
class FakeCollector:
    """Answers `figures[url]` for each target (with `ids[url]` as the platform id), a
    Failure for the urls in `failures`, and nothing for the rest. `crash_on` (a 1-based
    call number) makes that call die like the process; `unavailable` makes every call
    raise CollectorUnavailable. `asked` records the targets of each call."""

    platform: Platform = Platform.VK
    batch_size: int = 2
    figures: dict[str, int] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    failures: dict[str, Uncollectable] = field(default_factory=dict)
    crash_on: int | None = None
    unavailable: bool = False
    asked: list[list[int]] = field(default_factory=list)

    async def collect(self, targets: Sequence[Target]) -> list[Count | Failure]:
        assert len(targets) <= self.batch_size
        self.asked.append([target.page_id for target in targets])
        if self.crash_on == len(self.asked):
            raise Crash
        if self.unavailable:
            raise CollectorUnavailable("503 from the platform")
        results: list[Count | Failure] = []
        for target in targets:
            if target.url in self.failures:
                results.append(Failure(target.page_id, self.failures[target.url], "gone away"))
            elif target.url in self.figures:
                results.append(
                    Count(target.page_id, self.figures[target.url], self.ids.get(target.url))
                )
        return results

    async def resolve(self, url: str) -> str | None:
        """The platform id of a link, as VK's utils.resolveScreenName would give it."""
        return self.ids.get(url)
