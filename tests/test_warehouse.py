"""Migrations and loaders on a real DuckDB file: idempotent loads, atomic mention swaps, retry bookkeeping."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from wirehouse.models import (
    ArticleDates,
    ArticleEnrichment,
    ArticleText,
    CleanArticle,
    EntityMention,
    Feed,
    FeedEntry,
    FeedPoll,
    FeedState,
    Outcome,
    PageResult,
    PollStatus,
    Quote,
)
from wirehouse.settings import Settings
from wirehouse.tasks.identity import url_id
from wirehouse.tasks.schedule import after_poll
from wirehouse.warehouse import connect
from wirehouse.warehouse.db import migrations
from wirehouse.warehouse.enrichments import articles_to_enrich, replace_enrichments
from wirehouse.warehouse.loaders import (
    PollRecord,
    load_pages,
    pending_entries,
    record_polls,
    sync_feeds,
)

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
FEED = Feed("wire", "https://wire.example/feed.xml", site="Wire")


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    with connect(tmp_path / "w.duckdb") as con:
        yield con


def count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def article(url: str, text: str = "Some text. " * 40) -> CleanArticle:
    return CleanArticle(url=url, title="T", byline="A", authors=("A",), dates=ArticleDates(NOW, "feed"),
                        sitename="Wire", language="en", text=text, source="page", extractor="test")


URL = "https://wire.example/a"


def load_article(con: duckdb.DuckDBPyConnection, text: str = "Some text. " * 40, run_id: str = "r1") -> None:
    """Load (or re-extract) the one article these enrichment tests use."""
    load_pages(con, [PageResult(URL, FEED.name, Outcome.ARTICLE, NOW, article=article(URL, text))], run_id)


def article_to_enrich(con: duckdb.DuckDBPyConnection, text: str = "Some text. " * 40) -> ArticleText:
    """A warehouse holding one loaded article, read back as the enrich stage reads it."""
    sync_feeds(con, [FEED])
    load_article(con, text)
    [todo] = articles_to_enrich(con, "v1", 10)
    return todo


def test_migrations_apply_once(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    connect(db).close()
    with connect(db) as con:
        versions = [v for v, in con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()]
    assert versions == [v for v, _ in migrations()]
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 0


def poll_with(*urls: str) -> PollRecord:
    entries = tuple(FeedEntry(feed=FEED.name, url=u, title=u) for u in urls)
    poll = FeedPoll(FEED, PollStatus.NEW, NOW, http_status=200, etag='"e"', body_hash="h", entries=entries)
    return PollRecord(poll, after_poll(FeedState(), poll, Settings())[0])


def test_entries_are_recorded_once_and_feed_state_kept(con) -> None:
    sync_feeds(con, [FEED])
    assert record_polls(con, [poll_with("https://wire.example/a", "https://wire.example/a#x")], "r1") == 1
    assert record_polls(con, [poll_with("https://wire.example/a", "https://wire.example/b")], "r2") == 1
    assert count(con, "entries") == 2
    failed = FeedPoll(FEED, PollStatus.FAILED, NOW, http_status=500, error="http_5xx")
    before = sync_feeds(con, [FEED])[FEED.name]
    record_polls(con, [PollRecord(failed, after_poll(before, failed, Settings())[0], access_status="error")], "r3")
    state = sync_feeds(con, [FEED])[FEED.name]
    assert state.etag == '"e"' and state.body_hash == "h"  # a failure keeps the last good validators
    failures, error = con.execute("SELECT consecutive_failures, last_error FROM feeds").fetchone()
    assert (failures, error) == (1, "http_5xx")


def test_page_loads_are_idempotent_and_failures_retried(con) -> None:
    sync_feeds(con, [FEED])
    urls = ["https://wire.example/a", "https://wire.example/b", "https://wire.example/c"]
    record_polls(con, [poll_with(*urls)], "r1")
    assert sorted(e.url for e in pending_entries(con, run_id="r1", max_attempts=3, limit=10)) == urls
    results = [
        PageResult(urls[0], FEED.name, Outcome.ARTICLE, NOW, article=article(urls[0])),
        PageResult(urls[1], FEED.name, Outcome.FAILED, NOW, reason="timeout", transient=True),
        PageResult(urls[2], FEED.name, Outcome.FAILED, NOW, reason="http_404"),
    ]
    load_pages(con, results, "r1")
    load_pages(con, results[:1], "r1")  # loading the same article again changes nothing
    assert count(con, "articles") == 1
    assert count(con, "pages") == 3
    assert pending_entries(con, run_id="r1", max_attempts=3, limit=10) == []  # not retried in the same run
    [retry] = pending_entries(con, run_id="r2", max_attempts=3, limit=10)
    assert retry.url == urls[1]  # the transient failure, in a later run
    load_pages(con, results[1:2], "r2")  # second try fails too
    [retry] = pending_entries(con, run_id="r3", max_attempts=3, limit=10)
    assert retry.url == urls[1]
    assert pending_entries(con, run_id="r3", max_attempts=2, limit=10) == []  # two tries used, two allowed


def enrichment(todo: ArticleText, mentions: list[EntityMention], **extra: object) -> ArticleEnrichment:
    fields = {"language": "en", "sentences": [(0, len(todo.text))], "quotes": [], "keyphrases": ["some text"],
              "sentiment": 0.1, "summary": todo.text[:20], "word_count": 80, "reading_minutes": 0.3}
    return ArticleEnrichment(todo.article_id, todo.text_hash, mentions=mentions, **fields | extra)


def mention(start: int, end: int, text: str | None, canonical: str = "Some") -> EntityMention:
    return EntityMention(start, end, text, "ORG", canonical, f"id-{canonical}")


def test_enrichment_is_replaced_per_article(con) -> None:
    todo = article_to_enrich(con)
    assert todo.article_id == url_id(URL) and todo.language == "en"
    quote = Quote(0, 9, "Some text", "Some", "Some", "named", "said")
    first = enrichment(todo, [mention(0, 4, "Some"), mention(11, 15, "Some")], quotes=[quote])
    replace_enrichments(con, [first], version="v1", run_id="e1")
    assert articles_to_enrich(con, "v1", 10) == []
    assert [a.article_id for a in articles_to_enrich(con, "v2", 10)] == [todo.article_id]
    replace_enrichments(con, [enrichment(todo, [mention(0, 4, "Some")])], version="v2", run_id="e2")
    assert con.execute("SELECT count(*), any_value(version) FROM mentions").fetchone() == (1, "v2")
    assert count(con, "quotes") == 0 and count(con, "entities") == 1 and count(con, "sentences") == 1
    assert con.execute("SELECT keyphrases, mentions FROM enrichments").fetchone() == (["some text"], 1)
    # A changed text (re-extraction) makes the article due again.
    load_article(con, "New text. " * 40, run_id="r2")
    assert [a.article_id for a in articles_to_enrich(con, "v2", 10)] == [todo.article_id]


def test_speaker_ids_entities_and_stale_texts(con) -> None:
    todo = article_to_enrich(con)
    date = EntityMention(0, 3, "May", "DATE", "May", "id-date-may")
    person = EntityMention(10, 13, "May", "PERSON", "May", "id-person-may")
    place = EntityMention(20, 26, "Paris", "GPE", "Paris", "id-paris")
    quote = Quote(30, 40, "We will go", "May", "May", "named", "said")
    replace_enrichments(con, [enrichment(todo, [date, person, place], quotes=[quote])], version="v1", run_id="e1")
    assert con.execute("SELECT speaker_entity_id FROM quotes").fetchall() == [("id-person-may",)]
    assert sorted(con.execute("SELECT entity_id FROM entities").fetchall()) == [("id-paris",), ("id-person-may",)]
    # a later enrichment knows the place better: the entity row is corrected
    fixed = replace(place, canonical="Paris", country_code="FR")
    replace_enrichments(con, [enrichment(todo, [person, fixed])], version="v2", run_id="e2")
    assert con.execute("SELECT country_code FROM entities WHERE entity_id = 'id-paris'").fetchall() == [("FR",)]
    # the text changed after it was read: its old enrichment must not land on the new text
    load_article(con, "Changed. " * 40, run_id="r2")
    replace_enrichments(con, [enrichment(todo, [person])], version="v3", run_id="e3")
    assert con.execute("SELECT DISTINCT version FROM mentions").fetchall() == [("v2",)]
    assert [a.article_id for a in articles_to_enrich(con, "v3", 10)] == [todo.article_id]


def test_a_failed_batch_leaves_no_trace(con) -> None:
    todo = article_to_enrich(con)
    replace_enrichments(con, [enrichment(todo, [mention(0, 1, "x")])], version="v1", run_id="e1")
    broken = enrichment(todo, [mention(0, 4, "Some"), mention(5, 6, None)])  # NOT NULL violation mid-batch
    with pytest.raises(duckdb.ConstraintException):
        replace_enrichments(con, [broken], version="v2", run_id="e2")
    assert con.execute("SELECT count(*), any_value(version) FROM mentions").fetchone() == (1, "v1")
    assert con.execute("SELECT version FROM enrichments").fetchall() == [("v1",)]
    assert con.execute("SELECT count(*) FROM sentences WHERE version = 'v2'").fetchone() == (0,)


def test_exact_text_change_re_enriches(con) -> None:
    todo = article_to_enrich(con, "A story. " * 40)
    replace_enrichments(con, [enrichment(todo, [])], version="v1", run_id="e1")
    # same words, other spacing: content_hash (duplicates) is equal, but offsets would point elsewhere
    load_article(con, "A  story. " * 40, run_id="r2")
    assert [a.article_id for a in articles_to_enrich(con, "v1", 10)] == [todo.article_id]


def test_an_old_warehouse_upgrades_in_place(tmp_path: Path) -> None:
    """A warehouse made by migration 0001 alone, with rows in it, takes the later migrations without loss."""
    db = tmp_path / "old.duckdb"
    [(first, path), *later] = migrations()
    with duckdb.connect(str(db)) as old:
        old.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
                    "applied_at TIMESTAMPTZ NOT NULL)")
        old.execute(path.read_text())
        old.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [first, path.stem])
        old.execute("INSERT INTO feeds (feed, url, added_at, consecutive_failures) "
                    "VALUES ('f', 'https://f/', now(), 9)")
        old.execute("INSERT INTO entries VALUES ('f', 'u1', 'https://f/a', NULL, 'A', NULL, NULL, NULL, NULL, now(), "
                    "'r')")
    assert later, "nothing to upgrade to"
    with connect(db) as con:
        assert [v for v, in con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()] == [
            v for v, _ in migrations()]
        assert con.execute("SELECT consecutive_failures, polls_since_verify, gone_at FROM feeds").fetchall() == [
            (9, 0, None)]
        assert con.execute("SELECT url, notes FROM entries").fetchall() == [("https://f/a", None)]
        state = sync_feeds(con, [Feed("f", "https://f/")])["f"]
        assert state.consecutive_failures == 9 and state.polls_since_verify == 0


def test_every_table_and_column_is_documented(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as con:
        tables = con.execute("SELECT table_name FROM duckdb_tables() WHERE coalesce(comment, '') = ''").fetchall()
        columns = con.execute(
            "SELECT c.table_name, c.column_name FROM duckdb_columns() c JOIN duckdb_tables() t USING (table_oid) "
            "WHERE coalesce(c.comment, '') = ''"
        ).fetchall()
        views = con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal AND coalesce(comment, '') = ''")
        assert (tables, columns, views.fetchall()) == ([], [], [])


def test_a_warehouse_made_by_the_first_schema_upgrades_in_place_without_losing_rows(tmp_path: Path) -> None:
    db = tmp_path / "v1.duckdb"
    old = duckdb.connect(str(db))  # what the first release wrote: migration 0001 only, with data in it
    old.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
                "applied_at TIMESTAMPTZ NOT NULL)")
    version, path = migrations()[0]
    old.execute(path.read_text())
    old.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, path.stem])
    old.execute("INSERT INTO feeds (feed, url, added_at) VALUES ('wire', 'https://wire.example/feed', now())")
    old.execute("INSERT INTO entries (feed, url_id, url, first_seen_at, run_id) "
                "VALUES ('wire', 'u1', 'https://wire.example/a', now(), 'r')")
    old.execute("INSERT INTO pages (url_id, url, feed, outcome, fetched_at, run_id, article_id) "
                "VALUES ('u1', 'https://wire.example/a', 'wire', 'article', now(), 'r', 'a1')")
    old.execute("INSERT INTO articles (article_id, url, feed, author, fetched_at, text, word_count, content_hash, "
                "text_hash, source, extractor, run_id, loaded_at) VALUES ('a1', 'https://www.wire.example/a', 'wire', "
                "'Ana', now(), 'Text.', 1, 'c', 't', 'page', 'trafilatura', 'r', now())")
    old.execute("INSERT INTO mentions VALUES ('a1', 0, 4, 'Text', 'ORG', 'v1', 'r')")
    old.close()

    with connect(db) as con:
        assert [v for (v,) in con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()] == [
            v for v, _ in migrations()]
        counts = [count(con, t) for t in ("feeds", "entries", "pages", "articles", "mentions")]
        assert counts == [1, 1, 1, 1, 1]
        assert con.execute("SELECT byline, host, paywalled FROM articles").fetchone() == ("Ana", "wire.example", False)
