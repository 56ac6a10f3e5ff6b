"""Media types and http(s) URL checks shared by the feed, discovery and page tasks."""

from __future__ import annotations

import pytest

from wirehouse.tasks.http_types import is_http_url, media_type


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("text/html", "text/html"),
        ("Text/HTML; charset=UTF-8", "text/html"),
        (" application/feed+json ;charset=utf-8; q=1", "application/feed+json"),
        ("text/html;", "text/html"),
        ("; charset=utf-8", ""),
        ("", ""),
        ("   ", ""),
        (None, ""),
    ],
)
def test_media_type(content_type: str | None, expected: str) -> None:
    assert media_type(content_type) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://news.example.org/",
        "https://news.example.org/a/b?c=1#d",
        "HTTPS://News.Example.org/RSS",
        "Http://news.example.org",
        "http://[::1]:8080/feed",
        "https://user:pw@news.example.org/",
    ],
)
def test_http_urls(url: str) -> None:
    assert is_http_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "news.example.org",
        "/relative/path",
        "//news.example.org/feed",  # scheme-relative: not absolute
        "ftp://news.example.org/",
        "feed://news.example.org/rss",
        "mailto:rss@example.org",
        "javascript:alert(1)",
        "http:news.example.org",
        "http:/news.example.org",
        "http://",
        "http:///path",
        "http://user@/",  # a netloc but no host
        "http://:80/",
        "http://[::1/x",  # urlsplit raises on this one
        "http://[::1",
        "https://[not-an-ip]/",
        " http://news.example.org/",  # urlsplit forgives what comes before the scheme; stored URLs must not have it
        "\x01http://news.example.org/",
        "ht\ttp://news.example.org/",
        "http:\t//news.example.org/",
    ],
)
def test_not_http_urls(url: str) -> None:
    assert not is_http_url(url)
