"""The feed list, feed parsing and poll classification (conditional GET, unchanged bodies, failures)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import SHARED
from wirehouse.models import Feed, FeedState, FetchResult, PollStatus
from wirehouse.tasks.feedlist import FeedListError, append_to_feed_list, load_feed_list
from wirehouse.tasks.feeds import body_hash, classify_poll, parse_feed

FEED = Feed(name="test", url="https://news.example.org/feed.xml")
RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example</title><link>https://news.example.org/</link>
<item><title>Absolute</title><link>https://news.example.org/a.html</link><guid isPermaLink="false">story-a</guid>
  <pubDate>Tue, 24 Nov 2026 08:30:00 +0100</pubDate><author>jane@example.org (Jane Doe)</author></item>
<item><title>Relative</title><link>/b.html</link></item>
<item><title>No link at all</title><description>nothing to fetch</description></item>
</channel></rss>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Example</title><id>urn:x</id><updated>2026-11-24T08:00:00Z</updated>
<entry><title>Full</title><id>urn:1</id><link href="https://news.example.org/full.html"/>
  <updated>2026-11-24T07:00:00Z</updated><content type="html">&lt;p&gt;The whole story.&lt;/p&gt;</content></entry>
</feed>"""


def result(status: int | None, body: bytes | None = None, error: str | None = None, **kw: str) -> FetchResult:
    return FetchResult(FEED.url, FEED.url, datetime.now(UTC), status_code=status, body=body, error=error, **kw)


@pytest.mark.parametrize("indent", ["", "  "])
def test_feed_list_roundtrip_keeps_comments(tmp_path: Path, indent: str) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(f"# my feeds\nfeeds:\n{indent}- name: one\n{indent}  url: https://one.example/feed\n")
    append_to_feed_list(path, Feed("two", "https://two.example/rss", site="Two", full_content=True))
    assert path.read_text().startswith("# my feeds\n")
    feeds = load_feed_list(path)
    assert [f.name for f in feeds] == ["one", "two"]
    assert feeds[1] == Feed("two", "https://two.example/rss", site="Two", full_content=True)
    with pytest.raises(FeedListError, match="already listed"):
        append_to_feed_list(path, Feed("three", "https://two.example/rss"))


@pytest.mark.parametrize(
    ("text", "message"),
    [("feeds: 3", "top-level"), ("feeds:\n  - name: x\n", "needs at least"),
     ("feeds:\n  - {name: x, url: 'https://a/'}\n  - {name: x, url: 'https://b/'}\n", "used twice"),
     ("feeds:\n  - {name: x, url: 'https://a/', colour: red}\n", "unknown keys"), ("feeds: [", "cannot read"),
     ("feeds:\n  - {name: x, url: 'file:///etc/passwd'}\n", "not http")],
)
def test_feed_list_errors_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(text)
    with pytest.raises(FeedListError, match=message):
        load_feed_list(path)


def test_shipped_feed_list_is_valid() -> None:
    feeds = load_feed_list(Path(__file__).parent.parent / "seeds" / "feeds.yaml")
    assert feeds and all(f.url.startswith("https://") for f in feeds)


def test_rss_entries_resolve_links_and_dates() -> None:
    entries, items = parse_feed(FEED, RSS, base_url=FEED.url)
    assert [e.url for e in entries] == ["https://news.example.org/a.html", "https://news.example.org/b.html"]
    assert entries[1].notes == ("relative_link", "undated")
    assert items.skipped_no_link == 1 and items.undated == 1
    assert entries[0].published_at == datetime(2026, 11, 24, 7, 30, tzinfo=UTC)
    assert entries[0].guid == "story-a"
    assert entries[1].published_at is None


def test_atom_content_is_kept_only_for_full_content_feeds() -> None:
    [entry], _ = parse_feed(FEED, ATOM, base_url=FEED.url)
    assert entry.content_html is None
    [entry], _ = parse_feed(Feed("full", FEED.url, full_content=True), ATOM, base_url=FEED.url)
    assert entry.content_html == "<p>The whole story.</p>"


def test_poll_statuses() -> None:
    state = FeedState(etag='"1"', last_modified=None, body_hash=body_hash(RSS))
    assert classify_poll(FEED, state, result(304)).status == PollStatus.NOT_MODIFIED
    assert classify_poll(FEED, state, result(304)).etag == '"1"'
    assert classify_poll(FEED, state, result(200, RSS)).status == PollStatus.UNCHANGED
    new = classify_poll(FEED, FeedState(), result(200, RSS, etag='"2"'))
    assert new.status == PollStatus.NEW and len(new.entries) == 2 and new.etag == '"2"'
    failed = classify_poll(FEED, state, result(None, error="timeout"))
    assert failed.status == PollStatus.FAILED and failed.error == "timeout"


def test_one_bad_link_does_not_fail_the_feed() -> None:
    rss = RSS.replace(b"<link>/b.html</link>", b"<link>http://[::1/b</link>").replace(
        b"https://news.example.org/a.html", b"HTTPS://news.example.org/a.html")
    entries, items = parse_feed(FEED, rss, base_url=FEED.url)
    assert [e.url.lower() for e in entries] == ["https://news.example.org/a.html"]  # upper-case scheme kept
    assert items.skipped_no_link == 2


def test_feed_list_is_never_written_broken(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds: []\n")
    append_to_feed_list(path, Feed("one", "https://one.example/feed"))
    assert [f.name for f in load_feed_list(path)] == ["one"]
    for bad in (Feed("", "https://two.example/feed"), Feed("ftp", "ftp://two.example/feed")):
        with pytest.raises(FeedListError):
            append_to_feed_list(path, bad)
    assert [f.name for f in load_feed_list(path)] == ["one"]


def test_impossible_dates_do_not_fail_the_feed() -> None:
    rss = RSS.replace(b"Tue, 24 Nov 2026 08:30:00 +0100", b"Sat, 01 Jan 0000 00:00:00 GMT")
    entries, items = parse_feed(FEED, rss, base_url=FEED.url)
    assert len(entries) == 2 and entries[0].published_at is None and items.undated == 2


def test_html_page_instead_of_a_feed_is_a_failed_poll() -> None:
    page = b"<html><head><title>Login</title></head><body><form>Sign in</form></body></html>"
    poll = classify_poll(FEED, FeedState(), result(200, page, content_type="text/html"))
    assert poll.status == PollStatus.FAILED and poll.error.startswith("not_a_feed")


SUITE = SHARED / "eval" / "feedparser-suite"


def test_feedparser_suite_never_crashes_a_poll() -> None:
    files = sorted((SUITE / "illformed").rglob("*.xml")) + sorted((SUITE / "wellformed").rglob("*.xml"))[::10]
    statuses = {classify_poll(FEED, FeedState(), result(200, f.read_bytes())).status for f in files}
    assert statuses <= {PollStatus.NEW, PollStatus.FAILED}
    assert PollStatus.NEW in statuses
