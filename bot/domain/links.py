"""Normalisation of links to public pages, so one page is registered only once."""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote, urlsplit

MAX_LINK_LENGTH = 512


class Platform(StrEnum):
    VK = "vk"
    OK = "ok"
    TELEGRAM = "tg"
    MAX = "max"
    OTHER = "other"


class LinkErrorReason(StrEnum):
    EMPTY = "empty"
    NOT_A_LINK = "not_a_link"
    TOO_LONG = "too_long"
    NO_PATH = "no_path"


class LinkError(ValueError):
    def __init__(self, reason: LinkErrorReason) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class PageLink:
    url: str
    key: str
    platform: Platform | None


# Old and alternative domains that open the very same pages.
_HOST_ALIASES: dict[str, str] = {
    "vk.ru": "vk.com",
    "vkontakte.ru": "vk.com",
    "odnoklassniki.ru": "ok.ru",
    "telegram.me": "t.me",
    "telegram.dog": "t.me",
}
_PLATFORM_HOSTS: dict[str, Platform] = {
    "vk.com": Platform.VK,
    "ok.ru": Platform.OK,
    "t.me": Platform.TELEGRAM,
    "max.ru": Platform.MAX,
    "web.max.ru": Platform.MAX,
}
_MOBILE_PREFIXES = ("www.", "m.")

_SCHEME_RE = re.compile(r"(?P<scheme>[a-z][a-z0-9+.\-]*):(?P<slashes>//)?", re.IGNORECASE)
_PORT_RE = re.compile(r"[0-9]+(?:[/?#]|$)")
_LABEL_RE = re.compile(r"[^\W_](?:[\w-]*[^\W_])?")
# Telegram usernames: 5-32 characters, some older or auctioned ones are 4.
_TELEGRAM_USERNAME_RE = re.compile(r"[a-z][a-z0-9_]{3,31}", re.IGNORECASE)


def parse_link(text: str) -> PageLink:
    """Read a link to a page as typed or pasted by a person."""
    text = text.strip()
    if not text:
        raise LinkError(LinkErrorReason.EMPTY)
    if len(text) > MAX_LINK_LENGTH:
        raise LinkError(LinkErrorReason.TOO_LONG)
    if any(char.isspace() or not char.isprintable() for char in text):
        raise LinkError(LinkErrorReason.NOT_A_LINK)
    if text.startswith("@"):
        if not _TELEGRAM_USERNAME_RE.fullmatch(text[1:]):
            raise LinkError(LinkErrorReason.NOT_A_LINK)
        text = "t.me/" + text[1:]

    host, path = _split(text)
    host = _canonical_host(host)
    segments = [segment for segment in path.split("/") if segment]
    if host == "t.me" and [segment.lower() for segment in segments[:1]] == ["s"]:
        # t.me/s/<name> is only the web preview of the channel t.me/<name>.
        segments = segments[1:]
    platform = detect_platform(host)
    if platform is not None and not segments:
        raise LinkError(LinkErrorReason.NO_PATH)

    page = "".join("/" + segment for segment in segments)
    # The key is lower-cased because these platforms ignore case in page names;
    # the shown URL keeps the case typed, since invite links (t.me/+AbC…) and
    # paths on other sites are case-sensitive.
    return PageLink(url=f"https://{host}{page}", key=f"{host}{page}".lower(), platform=platform)


def detect_platform(host: str) -> Platform | None:
    """The platform a host belongs to, or None for any other site."""
    return _PLATFORM_HOSTS.get(_canonical_host(host.lower()))


def _split(text: str) -> tuple[str, str]:
    """Split a link into its lower-cased host (with a non-default port) and its path."""
    if text.startswith("//"):
        text = "https:" + text
    scheme = _SCHEME_RE.match(text)
    if scheme is not None:
        rest = text[scheme.end() :]
        if scheme["slashes"]:
            if scheme["scheme"].lower() not in ("http", "https"):
                raise LinkError(LinkErrorReason.NOT_A_LINK)
            text = rest
        elif not _PORT_RE.match(rest):
            # "javascript:…", "tg:…", "mailto:…"; only "host:port/…" looks like this legitimately.
            raise LinkError(LinkErrorReason.NOT_A_LINK)
    try:
        parts = urlsplit("https://" + text)
        port = parts.port
    except ValueError:
        raise LinkError(LinkErrorReason.NOT_A_LINK) from None
    # User info ("user@host") in a link to a public page is a disguise, not a page.
    if "@" in parts.netloc or not parts.hostname:
        raise LinkError(LinkErrorReason.NOT_A_LINK)
    host = _decode_host(parts.hostname.rstrip("."))
    labels = host.split(".")
    if (
        len(labels) < 2
        or not all(_LABEL_RE.fullmatch(label) for label in labels)
        # A numeric top level is an IP address or a number typed at the wrong step.
        or labels[-1].isdigit()
    ):
        raise LinkError(LinkErrorReason.NOT_A_LINK)
    if port not in (None, 80, 443):
        host = f"{host}:{port}"
    return host, _decode_path(parts.path)


def _decode_host(host: str) -> str:
    """Show punycode labels in Unicode, so "xn--p1ai" and "рф" give one key."""
    # NFKC folds full-width look-alikes ("ｖｋ.com") the way browsers do for hosts.
    labels = []
    for label in unicodedata.normalize("NFKC", host).lower().split("."):
        if label.startswith("xn--"):
            # A malformed punycode label is kept as typed rather than refused.
            with contextlib.suppress(UnicodeError):
                label = label.encode("ascii").decode("idna").lower()
        labels.append(label)
    return ".".join(labels)


def _decode_path(path: str) -> str:
    """Undo percent-encoding, so a pasted link and a typed one give one key."""
    decoded = unquote(path)
    if any(char.isspace() or not char.isprintable() for char in decoded):
        # The decoded form could not be shown or pasted back as one link.
        return path
    return decoded


def _canonical_host(host: str) -> str:
    while host.startswith(_MOBILE_PREFIXES):
        shorter = host.split(".", 1)[1]
        if "." not in shorter:
            break
        host = shorter
    return _HOST_ALIASES.get(host, host)
