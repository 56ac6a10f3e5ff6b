"""JSON Feed 1.0/1.1: detection, items → entries, odd shapes that must not break a poll."""

from __future__ import annotations

import codecs
import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import SHARED
from wirehouse.models import Feed, FeedEntry
from wirehouse.tasks.identity import url_id
from wirehouse.tasks.jsonfeed import SUMMARY_CHARS, looks_like_json_feed, parse_json_feed, parse_rfc3339

FEED = Feed(name="jf", url="https://blog.example.org/feed.json")
FULL = Feed(name="jf-full", url="https://blog.example.org/feed.json", full_content=True)
BASE = "https://blog.example.org/feed.json"
SUITE = SHARED / "eval" / "feedparser-suite" / "json"

V10 = {
    "version": "https://jsonfeed.org/version/1",
    "title": "Old style",
    "home_page_url": "https://blog.example.org/",
    "author": {"name": "Feed Owner"},
    "items": [
        {"id": "1", "url": "https://blog.example.org/one", "title": "One", "author": {"name": "Ann"},
         "date_published": "2026-11-24T08:30:00+01:00", "summary": "First.", "content_html": "<p>One</p>"},
        {"id": 2, "url": "/two", "content_text": "Second item text.", "date_modified": "2026-11-25T10:00:00Z"},
    ],
}
V11 = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "New style",
    "home_page_url": "https://blog.example.org/posts/",
    "authors": [{"name": "Feed Team"}],
    "items": [
        {"id": "a", "url": "a.html", "title": "Two authors", "authors": [{"name": "Ann"}, {"url": "x"}, {"name": "Bo"}],
         "date_published": "2026-11-24T07:00:00.123456789Z", "content_html": "<p>A</p>"},
        {"id": "https://blog.example.org/b", "title": "Link only in id", "authors": []},
        {"id": "c", "title": "No link anywhere"},
    ],
}


def body(doc: object) -> bytes:
    return json.dumps(doc).encode()


def test_json_feed_10() -> None:
    entries = parse_json_feed(FEED, body(V10), base_url=BASE)
    assert entries == [
        FeedEntry(feed="jf", url="https://blog.example.org/one", guid="1", title="One", author="Ann",
                  published_at=datetime(2026, 11, 24, 7, 30, tzinfo=UTC), summary="First."),
        FeedEntry(feed="jf", url="https://blog.example.org/two", guid="2", author="Feed Owner",
                  published_at=datetime(2026, 11, 25, 10, 0, tzinfo=UTC), summary="Second item text."),
    ]


def test_json_feed_11_authors_relative_urls_and_id_links() -> None:
    entries = parse_json_feed(FULL, body(V11), base_url=BASE)
    assert [e.url for e in entries] == ["https://blog.example.org/posts/a.html", "https://blog.example.org/b"]
    first, second = entries
    assert first.author == "Ann, Bo"
    assert first.published_at == datetime(2026, 11, 24, 7, 0, 0, 123456, tzinfo=UTC)
    assert first.content_html == "<p>A</p>"  # kept: the feed is full_content
    assert second.author == "Feed Team"  # 1.1: an item without authors has the feed's
    assert second.published_at is None and second.summary is None and second.content_html is None


def test_content_html_only_for_full_content_feeds() -> None:
    assert [e.content_html for e in parse_json_feed(FEED, body(V10), base_url=BASE)] == [None, None]
    assert [e.content_html for e in parse_json_feed(FULL, body(V10), base_url=BASE)] == ["<p>One</p>", None]


def test_relative_urls_without_home_page_resolve_against_the_feed() -> None:
    doc = {"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "url": "../p/1"}]}
    assert parse_json_feed(FEED, body(doc), base_url="https://x.example/feeds/main.json")[0].url == (
        "https://x.example/p/1"
    )
    doc["home_page_url"] = "/site/"  # a relative home page is itself relative to the feed
    assert parse_json_feed(FEED, body(doc), base_url="https://x.example/feeds/main.json")[0].url == (
        "https://x.example/p/1"
    )
    doc["items"] = [{"id": "1", "url": "p/1"}]
    assert parse_json_feed(FEED, body(doc), base_url="https://x.example/feeds/main.json")[0].url == (
        "https://x.example/site/p/1"
    )


def test_summary_falls_back_to_truncated_content_text() -> None:
    doc = {"items": [{"url": "https://x.example/1", "content_text": "  " + "w" * 5000}]}
    (entry,) = parse_json_feed(FEED, body(doc), base_url=BASE)
    assert entry.summary == "w" * SUMMARY_CHARS


def test_odd_items_are_skipped_or_lose_only_the_odd_field() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "home_page_url": 42,
        "authors": "nobody",
        "items": [
            "just a string", 7, None, ["a", "list"],
            {"url": 5, "id": "not-a-url"},
            {"url": "mailto:me@example.org", "id": "tag:example.org,2026:1"},
            {"url": "javascript:alert(1)", "id": "https://x.example/from-id"},
            {"url": "http://[::1", "id": "also-bad"},
            {"url": "https://x.example/ok", "id": {"x": 1}, "title": ["t"], "author": "Ann",
             "authors": {"name": "x"}, "date_published": 20261124, "summary": {}, "content_text": 3,
             "content_html": 4},
            {"url": "https://x.example/bool-id", "id": True, "title": "   "},
        ],
    }
    entries = parse_json_feed(FULL, body(doc), base_url=BASE)
    assert [e.url for e in entries] == ["https://x.example/from-id", "https://x.example/ok", "https://x.example/bool-id"]
    assert entries[1] == FeedEntry(feed="jf-full", url="https://x.example/ok")
    assert entries[2].guid is None and entries[2].title is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "invalid JSON"),
        (b"{not json", "invalid JSON"),
        (b"<?xml version='1.0'?><rss/>", "invalid JSON"),
        (b"\xff\xfe\xfa", "invalid JSON"),
        (b"[1, 2]", "top level is a JSON list"),
        (b'"items"', "top level is a JSON str"),
        (b"null", "top level is a JSON NoneType"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "title": "x"}', "no 'items' list"),
        (b'{"items": {"0": {"url": "https://x/"}}}', "'items' is not a list"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"items": [' + b"1" * 10_000 + b"]}", "invalid JSON"),  # past int()'s digit limit
    ],
)
def test_whole_document_problems_raise_value_error(raw: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_json_feed(FEED, raw, base_url=BASE)


def test_bom_and_utf16_bodies_parse() -> None:
    doc = {"items": [{"url": "https://x.example/é", "title": "Café"}]}
    for raw in (b"\xef\xbb\xbf" + json.dumps(doc).encode(), json.dumps(doc, ensure_ascii=False).encode("utf-16")):
        assert [e.title for e in parse_json_feed(FEED, raw, base_url=BASE)] == ["Café"]


def test_lone_surrogates_become_replacement_characters_everywhere() -> None:
    # json accepts a "\ud800" escape (and UTF-8-encoded surrogates) and gives a str that str.encode() refuses.
    raw = (
        b'{"version": "https://jsonfeed.org/version/1.1", "home_page_url": "https://x.example/\\ud800/",'
        b' "authors": [{"name": "Feed \\udfff"}],'
        b' "items": ['
        b'  {"id": "g\\ud800", "url": "a\\udc00b", "title": "T\\ud800", "authors": [{"name": "A\\ud800"}],'
        b'   "summary": "S\\ud83d", "content_html": "<p>\\ude00</p>"},'
        b'  {"id": "https://x.example/\\ud800id", "content_text": "C\\ud800",'
        b'   "title": "pair \\ud83d\\ude00, swapped \\ude00\\ud83d, raw \xed\xa0\xbd\xed\xb8\x80 \xed\xa0\x80"}'
        b"]}"
    )
    first, second = parse_json_feed(FULL, raw, base_url=BASE)
    assert first.url == "https://x.example/\ufffd/a\ufffdb"  # the home page, itself cleaned, is the base
    assert (first.guid, first.title, first.author, first.summary) == ("g\ufffd", "T\ufffd", "A\ufffd", "S\ufffd")
    assert first.content_html == "<p>\ufffd</p>"
    assert second.url == "https://x.example/\ufffdid" and second.author == "Feed \ufffd"
    assert second.summary == "C\ufffd"
    # One U+FFFD per lone surrogate; a high and a low one in a row are the character they encode.
    assert second.title == "pair \U0001F600, swapped \ufffd\ufffd, raw \U0001F600 \ufffd"
    for entry in (first, second):
        for value in dataclasses.astuple(entry):
            if isinstance(value, str):
                value.encode("utf-8")
        url_id(entry.url)


def test_empty_items_list_is_a_feed_with_no_entries() -> None:
    assert parse_json_feed(FEED, b'{"version": "https://jsonfeed.org/version/1", "items": []}', base_url=BASE) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-24T08:30:00Z", datetime(2026, 11, 24, 8, 30, tzinfo=UTC)),
        ("2026-11-24t08:30:00z", datetime(2026, 11, 24, 8, 30, tzinfo=UTC)),
        ("2026-11-24 08:30:00-05:00", datetime(2026, 11, 24, 13, 30, tzinfo=UTC)),
        ("2026-11-24T08:30:00+0130", datetime(2026, 11, 24, 7, 0, tzinfo=UTC)),
        ("2026-11-24T08:30:00.5+00:00", datetime(2026, 11, 24, 8, 30, 0, 500000, tzinfo=UTC)),
        ("2026-11-24T08:30", datetime(2026, 11, 24, 8, 30, tzinfo=UTC)),  # no seconds, no offset: UTC
        ("2026-11-24", datetime(2026, 11, 24, tzinfo=UTC)),
        ("2016-12-31T23:59:60Z", datetime(2016, 12, 31, 23, 59, 59, tzinfo=UTC)),  # leap second
        (" 2026-11-24T08:30:00Z ", datetime(2026, 11, 24, 8, 30, tzinfo=UTC)),
        ("0001-01-01T00:30:00+01:00", None),  # before year 1 in UTC
        ("2026-13-01T00:00:00Z", None),
        ("2026-02-30T00:00:00Z", None),
        ("2026-11-24T08:30:00+25:00", None),
        ("Tue, 24 Nov 2026 08:30:00 GMT", None),  # RFC 822 is not what JSON Feed specifies
        ("yesterday", None),
        ("", None),
        (None, None),
        (1732436000, None),
    ],
)
def test_parse_rfc3339(value: object, expected: datetime | None) -> None:
    assert parse_rfc3339(value) == expected


def test_date_modified_stands_in_for_date_published() -> None:
    doc = {"items": [
        {"url": "https://x.example/1", "date_published": "garbage", "date_modified": "2026-01-02T03:04:05Z"},
        {"url": "https://x.example/2", "date_published": "2026-01-01T00:00:00Z", "date_modified": "2027-01-01"},
        {"url": "https://x.example/3"},
    ]}
    assert [e.published_at for e in parse_json_feed(FEED, body(doc), base_url=BASE)] == [
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC), None,
    ]


@pytest.mark.parametrize(
    ("raw", "content_type", "expected"),
    [
        (b'{"items": []}', "application/feed+json", True),
        (b'{"items": []}', "application/json; charset=utf-8", True),
        (b'{"items": []}', "Application/Feed+JSON", True),
        (b"<?xml version='1.0'?><rss/>", "application/json", False),  # mislabelled XML goes to feedparser
        (b' \n{"version": "https://jsonfeed.org/version/1.1", "items": []}', "text/plain", True),
        (b'\xef\xbb\xbf{"version": "https://jsonfeed.org/version/1", "items": []}', None, True),
        (b'{"items": [], "version": "http://jsonfeed.org/version/1"}', "application/octet-stream", True),
        (b'{"version":"https:\\/\\/jsonfeed.org\\/version\\/1.1","items":[]}', "text/html", True),  # PHP escapes
        (b'{"version": "1.0", "items": []}', "text/plain", False),
        (b'["https://jsonfeed.org/version/1"]', None, False),
        (b"<rss version='2.0'><channel/></rss>", "application/rss+xml", False),
        (b"", None, False),
        # A BOM of any UTF: json reads them all, so detection does too.
        pytest.param(codecs.BOM_UTF16_LE + '{"version": "https://jsonfeed.org/version/1.1"}'.encode("utf-16-le"),
                     None, True, id="utf16le-bom"),
        pytest.param(codecs.BOM_UTF32_BE + '\n{"version": "https://jsonfeed.org/version/1"}'.encode("utf-32-be"),
                     None, True, id="utf32be-bom"),
        pytest.param(codecs.BOM_UTF16_BE + "<rss/>".encode("utf-16-be"), "application/json", False,
                     id="utf16be-bom-xml"),
        pytest.param(codecs.BOM_UTF8 + b"<rss/>", "application/feed+json", False, id="utf8-bom-xml"),
    ],
)
def test_looks_like_json_feed(raw: bytes, content_type: str | None, expected: bool) -> None:
    assert looks_like_json_feed(raw, content_type) is expected


SUITE_FILES = sorted(SUITE.glob("*.json")) if SUITE.is_dir() else []


@pytest.mark.parametrize("path", SUITE_FILES, ids=[p.name for p in SUITE_FILES])
def test_feedparser_suite_json_files(path: Path) -> None:
    raw = path.read_bytes()
    # The suite's files say what feedparser expects in a "__TEST__" key; "not bozo" means well-formed.
    well_formed = "not bozo" in raw.decode("utf-8", "replace")
    try:
        entries = parse_json_feed(FEED, raw, base_url="https://example.org/feed.json")
    except ValueError:
        assert not well_formed, f"{path.name} is well-formed but was refused"
        return
    assert looks_like_json_feed(raw, None)
    if well_formed:
        assert entries
        assert all(e.url.startswith(("http://", "https://")) for e in entries)
    if path.name == "example.json":  # Expect: len(entries) == 2, the second by "you"
        assert [(e.url, e.guid, e.author) for e in entries] == [
            ("https://example.org/second-item", "2", "me"),
            ("https://example.org/initial-post", "1", "you"),
        ]
