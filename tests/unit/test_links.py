import pytest

from bot.domain.links import (
    MAX_LINK_LENGTH,
    LinkError,
    LinkErrorReason,
    PageLink,
    Platform,
    detect_platform,
    parse_link,
)
from tests.checks import cases, raised

R = LinkErrorReason


@pytest.mark.parametrize(
    ("text", "key", "platform"),
    [
        ("https://vk.com/club1", "vk.com/club1", Platform.VK),
        ("http://www.vk.com/Club1/", "vk.com/club1", Platform.VK),
        ("m.vk.com/club1?from=groups", "vk.com/club1", Platform.VK),
        ("vk.ru/club1", "vk.com/club1", Platform.VK),
        ("HTTPS://www.VK.com/Club1/?ref=x#top", "vk.com/club1", Platform.VK),
        ("https://m.vk.ru/penza_adm", "vk.com/penza_adm", Platform.VK),
        ("vk.com/@penza-article", "vk.com/@penza-article", Platform.VK),
        ("https://ok.ru/group/123", "ok.ru/group/123", Platform.OK),
        ("m.ok.ru/group/123/", "ok.ru/group/123", Platform.OK),
        ("https://www.ok.ru/PenzaAdm", "ok.ru/penzaadm", Platform.OK),
        ("t.me/channel", "t.me/channel", Platform.TELEGRAM),
        ("https://telegram.me/channel", "t.me/channel", Platform.TELEGRAM),
        ("@channel", "t.me/channel", Platform.TELEGRAM),
        ("@Penza_News", "t.me/penza_news", Platform.TELEGRAM),
        ("https://t.me/s/Channel", "t.me/channel", Platform.TELEGRAM),
        ("T.ME/S/Channel", "t.me/channel", Platform.TELEGRAM),
        ("t.me/+AbCdEf123", "t.me/+abcdef123", Platform.TELEGRAM),
        ("max.ru/penza", "max.ru/penza", Platform.MAX),
        ("https://max.ru/join/XyZ", "max.ru/join/xyz", Platform.MAX),
        ("https://web.max.ru/-7123456", "web.max.ru/-7123456", Platform.MAX),
        ("penza.gov.ru/news", "penza.gov.ru/news", None),
        ("https://www.penza.gov.ru", "penza.gov.ru", None),
        ("http://penza.gov.ru/News/?page=2#list", "penza.gov.ru/news", None),
        ("пенза.рф/news", "пенза.рф/news", None),
        ("https://ПЕНЗА.РФ/Новости/", "пенза.рф/новости", None),
        ("https://xn--80ajgxi.xn--p1ai/news", "пенза.рф/news", None),
        ("https://пенза.рф/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8", "пенза.рф/новости", None),
        ("https://site.ru/a%20b", "site.ru/a%20b", None),
        ("//site.ru/page", "site.ru/page", None),
        ("site.ru:8080/page", "site.ru:8080/page", None),
        ("https://site.ru:443/page", "site.ru/page", None),
        ("https://vk.com.:443//club1//", "vk.com/club1", Platform.VK),
        ("  https://dev.vk.com/ru/api  ", "dev.vk.com/ru/api", None),
        ("m.ru/page", "m.ru/page", None),
        ("ｖｋ.com/club1", "vk.com/club1", Platform.VK),
    ],
)
def test_parse_link_keys(text: str, key: str, platform: Platform | None) -> None:
    link = parse_link(text)
    assert link.key == key
    assert link.platform is platform
    assert link.url.lower() == "https://" + key


def test_url_keeps_case_of_the_path() -> None:
    assert parse_link("HTTP://WWW.T.ME/+AbCdEf").url == "https://t.me/+AbCdEf"
    assert parse_link("telegram.me/s/Channel") == PageLink(
        url="https://t.me/Channel", key="t.me/channel", platform=Platform.TELEGRAM
    )


@pytest.mark.parametrize(
    "variants",
    [
        (
            "https://vk.com/club1",
            "HTTPS://www.VK.com/Club1/?ref=x#top",
            "vk.ru/club1",
            "m.vk.com/club1?from=groups",
            "vkontakte.ru/club1",
        ),
        ("@channel", "t.me/channel", "https://telegram.me/channel", "t.me/s/channel"),
        ("ok.ru/group/123", "https://odnoklassniki.ru/group/123/", "m.ok.ru/group/123"),
        ("пенза.рф/news", "https://xn--80ajgxi.xn--p1ai/news/", "www.ПЕНЗА.РФ/news"),
    ],
)
def test_same_page_gives_same_key(variants: tuple[str, ...]) -> None:
    assert len({parse_link(text).key for text in variants}) == 1


def test_different_pages_give_different_keys() -> None:
    assert parse_link("vk.com/club1").key != parse_link("vk.com/club12").key
    assert parse_link("t.me/channel").key != parse_link("max.ru/channel").key


#: Refused texts, by the reason given.
REFUSED: dict[LinkErrorReason, list[str]] = {
    R.EMPTY: ["", "   \n"],
    R.TOO_LONG: ["https://site.ru/" + "a" * MAX_LINK_LENGTH],
    R.NO_PATH: [
        "vk.com",
        "https://www.vk.com/",
        "vk.ru/?w=wall-1_2",
        "https://t.me",
        "t.me/s/",
        "ok.ru#top",
        "max.ru",
    ],
    R.NOT_A_LINK: [
        "vk.com/club 1",
        "vk.com/club1 t.me/channel",
        "ftp://site.ru/file",
        "javascript:alert(1)",
        "tg://resolve?domain=channel",
        "tg:resolve?domain=channel",
        "mailto:admin@site.ru",
        "admin@site.ru",
        "https://user:pass@site.ru/page",
        "localhost/page",
        "https://",
        "clubpenza",
        "12.5",
        "192.168.0.1/admin",
        "site..ru/page",
        "-site.ru/page",
        "https://site.ru:99999/page",
        "https://[::1]/page",
        "@",
        "@ab",
        "@channel/1",
        "http:vk.com/club1",
        "vk.com/club1\u0000",
    ],
}


@pytest.mark.parametrize(("text", "reason"), cases(REFUSED))
def test_parse_link_refuses(text: str, reason: LinkErrorReason) -> None:
    assert raised(LinkError, parse_link, text).reason is reason


def test_link_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="no_path"):
        parse_link("vk.com")


def test_longest_link_is_accepted() -> None:
    text = "https://site.ru/" + "a" * (MAX_LINK_LENGTH - len("https://site.ru/"))
    assert parse_link(text).key.startswith("site.ru/aaa")


@pytest.mark.parametrize(
    ("host", "platform"),
    [
        ("vk.com", Platform.VK),
        ("VK.RU", Platform.VK),
        ("m.vk.com", Platform.VK),
        ("www.ok.ru", Platform.OK),
        ("t.me", Platform.TELEGRAM),
        ("telegram.me", Platform.TELEGRAM),
        ("max.ru", Platform.MAX),
        ("web.max.ru", Platform.MAX),
        ("penza.gov.ru", None),
        ("dev.vk.com", None),
        ("notvk.com", None),
    ],
)
def test_detect_platform(host: str, platform: Platform | None) -> None:
    assert detect_platform(host) is platform
