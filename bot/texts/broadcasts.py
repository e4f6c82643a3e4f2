"""A broadcast's progress as its author sees it, edited in place while it is sent."""

from __future__ import annotations

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.i18n import speaking
from bot.services.broadcasts import Progress
from bot.storage.broadcasts import BroadcastStatus
from bot.texts.formats import number


def progress_text(progress: Progress, locale: str, rate: float, i18n: I18n) -> str:
    """The progress report in `locale`: state, delivered, failed and blocked, and while it
    runs the recipients left and the seconds they take at `rate` messages a second."""
    total = progress.broadcast.recipients
    with speaking(i18n, locale):
        if progress.cancelled or progress.broadcast.status is BroadcastStatus.CANCELLED:
            heading = _("Broadcast #{id} stopped.")
        elif progress.finished:
            heading = _("Broadcast #{id} is finished.")
        else:
            heading = _("Broadcast #{id} is being sent…")
        lines = [
            heading.format(id=progress.broadcast.id),
            _("Delivered: {sent} of {total}").format(
                sent=number(progress.sent, locale), total=number(total, locale)
            ),
            _("Failed: {failed}; blocked the bot or left: {blocked}").format(
                failed=number(progress.failed, locale), blocked=number(progress.blocked, locale)
            ),
        ]
        if progress.cancelled:
            lines.append(
                _("Not sent (stopped): {count}").format(count=number(progress.cancelled, locale))
            )
        if not progress.finished:
            # Each recipient takes a slot of the rate per message: an album's items each.
            messages = progress.left * progress.broadcast.items
            seconds = int(messages / rate) + 1 if rate > 0 else 0
            lines.append(
                # TRANSLATORS: recipients not reached yet, and the time they take; "s" is
                # seconds.
                _("Left: {left}, about {seconds} s").format(
                    left=number(progress.left, locale), seconds=seconds
                )
            )
    return "\n".join(lines)
