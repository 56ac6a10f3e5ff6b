"""The ingest flow against a hostile web: every case ends as a recorded outcome, none stops the run."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from hostile import CHALLENGE, Reply, article, fetch_routes, json_feed, rss, serve

from wirehouse.models import Feed
from wirehouse.tasks.feedlist import append_to_feed_list

PAGES = ["/article", "/timeout", "/loop", "/huge", "/binary.html", "/bomb", "/charset.html", "/limited", "/flaky",
         "/private/page", "/to-metadata", "/challenge", "/missing"]
HOSTILE_ENV = {
    "WIREHOUSE_ALLOWED_NETWORKS": '["127.0.0.1/32"]',  # the test server, and nothing else private
    "WIREHOUSE_PER_HOST_DELAY": "0",
    # every run polls every healthy feed (a fixed interval of 0): the runs below check what repeat polls do
    "WIREHOUSE_MIN_POLL_INTERVAL": "0",
    "WIREHOUSE_MAX_POLL_INTERVAL": "0",
    "WIREHOUSE_REQUEST_TIMEOUT": "1",
    "WIREHOUSE_REQUEST_DEADLINE": "2",
    "WIREHOUSE_FETCH_RETRIES": "1",
    "WIREHOUSE_RETRY_BACKOFF": "0.01",
    "WIREHOUSE_MAX_RESPONSE_BYTES": "5000000",
    "WIREHOUSE_MIN_TEXT_CHARS": "200",
}


def etagged(body: bytes, content_type: str):
    etag = f'"{len(body)}-{hash(body) & 0xFFFF:x}"'
    return lambda h, n: (Reply(304, headers={"ETag": etag}) if h.headers.get("If-None-Match") == etag
                         else Reply(200, body, {"Content-Type": content_type, "ETag": etag}))


@pytest.fixture(scope="module")
def runs(prefect_server, tmp_path_factory: pytest.TempPathFactory):
    from wirehouse.flows.ingest import ingest

    tmp = tmp_path_factory.mktemp("hostile")
    with serve(fetch_routes()) as site, pytest.MonkeyPatch.context() as mp:
        base, port = site.base_url, site.base_url.rsplit(":", 1)[1]
        site.routes |= {
            "/feeds/main.xml": etagged(rss(base, PAGES), "application/rss+xml"),
            "/feeds/items.json": etagged(json_feed(base, ["/article?utm_source=json"]), "application/feed+json"),
            "/feeds/to-metadata": lambda h, n: Reply(302, headers={"Location": "http://169.254.169.254/feed"}),
            "/feeds/to-loopback": lambda h, n: Reply(302, headers={"Location": f"http://127.0.0.2:{port}/feeds/x"}),
            "/feeds/challenge.xml": lambda h, n: Reply(200, CHALLENGE),
            "/php-article": lambda h, n: Reply(200, article("Served from a PHP feed")),
            # one good item beside one whose link cannot be parsed at all
            "/feeds/odd.xml": etagged(rss(base, ["/article"]).replace(
                b"</channel>", b"<item><title>bad</title><link>http://[::1/x</link></item></channel>"),
                "application/rss+xml"),
            # PHP's json_encode escapes slashes, and the server calls it application/json
            "/feeds/php.json": etagged(json_feed(base, ["/php-article"]).replace(b"/", b"\\/"), "application/json"),
        }
        feeds = tmp / "feeds.yaml"
        for name, path in [("main", "/feeds/main.xml"), ("json", "/feeds/items.json"),
                           ("to-metadata", "/feeds/to-metadata"), ("to-loopback", "/feeds/to-loopback"),
                           ("challenge", "/feeds/challenge.xml"), ("gone", "/gone.xml"), ("odd", "/feeds/odd.xml"),
                           ("php", "/feeds/php.json")]:
            append_to_feed_list(feeds, Feed(name, base + path))
        for key, value in HOSTILE_ENV.items():
            mp.setenv(key, value)
        db = tmp / "w.duckdb"
        first = ingest(feeds_file=str(feeds), db=str(db))
        log_before = len(site.log)
        second = ingest(feeds_file=str(feeds), db=str(db))
        log_between = len(site.log)
        third = ingest(feeds_file=str(feeds), db=str(db))
        second_log, third_log = site.log[log_before:log_between], site.log[log_between:]
    return {"db": db, "first": first, "second": second, "third": third, "second_log": second_log,
            "third_log": third_log, "base": base}


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_page_has_a_recorded_outcome(runs) -> None:
    base = runs["base"]
    # a slow page runs out of its read timeout or of its whole deadline, whichever the retry meets first
    same = {"deadline": "timeout"}
    outcome = {url.removeprefix(base): (o, same.get(r.split(":")[0], r.split(":")[0]) if r else None, t)
               for url, o, r, t in rows(runs["db"], "SELECT url, outcome, reason, transient FROM pages")}
    assert outcome == {
        "/article": ("article", None, False),
        "/timeout": ("failed", "timeout", True),
        "/loop": ("failed", "redirect_loop", False),
        "/huge": ("failed", "too_large", False),
        "/binary.html": ("rejected", "not_html", False),
        "/bomb": ("failed", "too_large", False),
        "/charset.html": ("article", None, False),
        "/limited": ("article", None, False),
        "/flaky": ("article", None, False),
        "/private/page": ("failed", "robots_disallowed", False),
        "/to-metadata": ("failed", "blocked_address", False),
        "/challenge": ("failed", "bot_challenge", True),
        "/missing": ("failed", "http_404", False),
        "/php-article": ("article", None, False),
    }


def test_access_status_of_every_fetch(runs) -> None:
    base = runs["base"]
    status = {u.removeprefix(base): (s, tries) for u, s, tries in rows(
        runs["db"], "SELECT url, access_status, tries FROM fetches WHERE kind = 'page' AND run_id = "
                    "(SELECT run_id FROM runs ORDER BY started_at LIMIT 1)")}
    assert status["/article"] == ("ok", 1)
    assert status["/limited"] == ("ok", 2) and status["/flaky"] == ("ok", 2)  # retried, Retry-After honoured
    assert status["/timeout"][0] == "timeout"
    assert status["/private/page"][0] == "robots_disallowed"
    assert status["/to-metadata"][0] == "blocked_address"
    assert status["/binary.html"][0] == "not_html"
    assert status["/huge"][0] == status["/bomb"][0] == "too_large"
    assert status["/challenge"][0] == "bot_challenge"


def test_wrong_charset_is_read_right(runs) -> None:
    [(text,)] = rows(runs["db"], "SELECT text FROM articles WHERE title = 'Café société'")
    assert "l'été à Zürich coûte cher" in text


def test_one_story_two_feeds_one_article(runs) -> None:
    [(feeds, articles)] = rows(
        runs["db"], "SELECT list_sort(list(DISTINCT e.feed)), count(DISTINCT p.article_id) FROM entries e "
                    "JOIN pages p USING (url_id) WHERE p.url LIKE '%/article'")
    assert feeds == ["json", "main", "odd"] and articles == 1


def test_bad_feeds_are_recorded(runs) -> None:
    health = {f: (status, err, gone) for f, status, err, gone in rows(
        runs["db"], "SELECT feed, last_status, last_error, gone_at IS NOT NULL FROM feeds")}
    assert health["main"][0] == health["json"][0] == "not_modified"  # as of the last run
    assert health["odd"][0] == health["php"][0] == "not_modified"
    [(skipped, entries)] = rows(runs["db"], "SELECT skipped_no_link, entries FROM feed_polls WHERE feed = 'odd' "
                                            "ORDER BY polled_at LIMIT 1")
    assert (skipped, entries) == (1, 1)
    assert health["to-metadata"] == ("failed", "blocked_address", False)
    assert health["to-loopback"] == ("failed", "blocked_address", False)
    assert health["challenge"] == ("failed", "not_a_feed: bot_challenge", False)
    assert health["gone"] == ("failed", "http_410", True)
    [(challenge_access,)] = rows(runs["db"], "SELECT access_status FROM fetches WHERE url LIKE '%challenge.xml'")
    assert challenge_access == "bot_challenge"


def test_later_runs_are_cheap_and_retry_only_transient_failures(runs) -> None:
    second, third = runs["second"], runs["third"]
    assert second["feeds_unchanged"] == 4  # a full GET: same body, not parsed; the ETags proved honest
    assert third["feeds_not_modified"] == 4  # so the third run asks conditionally
    assert second["feeds_not_due"] == third["feeds_not_due"] == 4  # failing feeds back off, the gone one retired
    for log, conditional in ((runs["second_log"], False), (runs["third_log"], True)):
        feed_requests = [(p, v) for p, v in log if p.startswith("/feeds/")]
        assert sorted(p for p, _ in feed_requests) == ["/feeds/items.json", "/feeds/main.xml", "/feeds/odd.xml",
                                                       "/feeds/php.json"]
        assert all(bool(v) is conditional for _, v in feed_requests)
    pages = sorted({p for p, _ in runs["second_log"] if not p.startswith(("/feeds/", "/robots.txt"))})
    assert pages == ["/challenge", "/timeout"]  # the transient failures, nothing else

