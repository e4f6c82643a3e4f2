"""/help: what the bot does, and the commands of the reader's role."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.domain.roles import Actor


def help_text(actor: Actor) -> str:
    """The help in the current language (HTML): everybody's commands, then the
    coordinators' and the superadmins' for those who have the role."""
    sections = [
        "\n".join(
            (
                _(
                    "<b>What the bot does</b>\n"
                    "Registers official pages, collects subscriber figures and shows the "
                    "region's total.\n\n"
                    "/register: add your page (a coordinator approves it)\n"
                    "/mypages: your pages, their figures, history, co-administrators\n"
                    "/report: report a subscriber figure; quick form: /report 12 15400\n"
                    "/total: the region's total and its breakdowns\n"
                    "/settings: language, weekly digest, reminders\n"
                    "/cancel: leave any wizard"
                ),
                _("/digest: the weekly digest of your pages, now"),
                _("/seminars: upcoming seminars; register with one tap"),
                _("/attend CODE: check in at a seminar with the code shown there"),
            )
        )
    ]
    if actor.is_coordinator:
        sections.append(
            _(
                "<b>For coordinators</b>\n/pending: pages waiting for approval and pages left "
                "without an administrator\n"
                "/broadcast: send a message (text, photo, document, video) to a segment of "
                "administrators\n/broadcasts: past broadcasts and their delivery"
            )
            + "\n"
            + _("/seminar_new: announce a seminar to administrators")
            + "\n"
            + _("/export: pages, report history, seminars or the audit log as XLSX or CSV")
            + "\n"
            + _("/audit: the log of privileged actions: who did what and when")
            + "\n"
            + _("/training: seminars held, people trained and pages with a trained administrator")
            + _("/collect: collect subscriber counts from the platforms now (nightly anyway)")
            + "\n"
            + _("Claims of pages nobody administers wait in /pending too.")
        )
    if actor.is_superadmin:
        sections.append(
            _(
                "<b>For superadmins</b>\n"
                "/grant &lt;user id or @username&gt; [territory]: make a coordinator\n"
                "/revoke &lt;user id or @username&gt;: take the coordinator role away"
            )
            + "\n"
            + _(
                "/import: register many pages at once from a spreadsheet (CSV or XLSX), "
                "with a check of every row first"
            )
        )
    return "\n\n".join(sections)
