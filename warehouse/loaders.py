"""Loaders: typed records in, warehouse rows out. Each call is one transaction over Arrow-staged rows."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from wirehouse.models import (
    ArticleText,
    Feed,
    FeedEntry,
    FeedPoll,
    FeedState,
    Mention,
    Outcome,
    PageResult,
    PollStatus,
)
from wirehouse.tasks.identity import content_hash, text_hash, url_id
from wirehouse.warehouse.db import run_sql

TS = pa.timestamp("us", tz="UTC")


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _stage(con: duckdb.DuckDBPyConnection, name: str, rows: list[dict], schema: pa.Schema) -> None:
    con.register(name, pa.Table.from_pylist(rows, schema=schema))


def _now() -> datetime:
    return datetime.now(UTC)


# -- runs ---------------------------------------------------------------------------------------------


def start_run(con: duckdb.DuckDBPyConnection, flow: str, run_id: str | None = None) -> str:
    run_id = run_id or str(uuid.uuid4())
    con.execute(
        "INSERT INTO runs (run_id, flow, started_at, status) VALUES (?, ?, ?, 'running') "
        "ON CONFLICT (run_id) DO UPDATE SET status = 'running', finished_at = NULL",
        [run_id, flow, _now()],
    )
    return run_id


def finish_run(
    con: duckdb.DuckDBPyConnection, run_id: str, stats: dict, *, error: str | None = None
) -> None:
    con.execute(
        "UPDATE runs SET finished_at = ?, status = ?, stats = ?, error = ? WHERE run_id = ?",
        [_now(), "failed" if error else "completed", json.dumps(stats), error, run_id],
    )


# -- feeds and entries ------------------------------------------------------------------------------


def sync_feeds(con: duckdb.DuckDBPyConnection, feeds: Sequence[Feed]) -> dict[str, FeedState]:
    """Register the feed list (new feeds added, changed settings updated); return each feed's poll state."""
    rows = [
        {"feed": f.name, "url": f.url, "site": f.site, "language": f.language, "full_content": f.full_content}
        for f in feeds
    ]
    schema = pa.schema(
        [("feed", pa.string()), ("url", pa.string()), ("site", pa.string()), ("language", pa.string()),
         ("full_content", pa.bool_())]
    )
    with transaction(con):
        _stage(con, "staged_feeds", rows, schema)
        con.execute(
            """
            INSERT INTO feeds (feed, url, site, language, full_content, added_at)
            SELECT feed, url, site, language, full_content, ? FROM staged_feeds
            ON CONFLICT (feed) DO UPDATE SET
                url = excluded.url, site = excluded.site, language = excluded.language,
                full_content = excluded.full_content,
                -- a new URL is a new feed: its validators do not carry over
                etag = CASE WHEN feeds.url = excluded.url THEN feeds.etag END,
                last_modified = CASE WHEN feeds.url = excluded.url THEN feeds.last_modified END,
                body_hash = CASE WHEN feeds.url = excluded.url THEN feeds.body_hash END
            """,
            [_now()],
        )
        con.unregister("staged_feeds")
    names = [f.name for f in feeds]
    found = con.execute(
        "SELECT feed, etag, last_modified, body_hash FROM feeds WHERE list_contains(?, feed)", [names]
    ).fetchall()
    return {name: FeedState(etag, modified, digest) for name, etag, modified, digest in found}


_POLL_SCHEMA = pa.schema(
    [("feed", pa.string()), ("polled_at", TS), ("status", pa.string()), ("http_status", pa.int32()),
     ("error", pa.string()), ("etag", pa.string()), ("last_modified", pa.string()),
     ("body_hash", pa.string()), ("entries", pa.int64())]
)
_ENTRY_SCHEMA = pa.schema(
    [("feed", pa.string()), ("url_id", pa.string()), ("url", pa.string()), ("guid", pa.string()),
     ("title", pa.string()), ("author", pa.string()), ("published_at", TS), ("summary", pa.string()),
     ("content_html", pa.string())]
)


def record_polls(con: duckdb.DuckDBPyConnection, polls: Sequence[FeedPoll], run_id: str) -> int:
    """Store each poll's state and health, and the entries not seen before; returns new entries."""
    polls_rows = [
        {"feed": p.feed.name, "polled_at": p.polled_at, "status": str(p.status), "http_status": p.http_status,
         "error": p.error, "etag": p.etag, "last_modified": p.last_modified, "body_hash": p.body_hash,
         "entries": len(p.entries)}
        for p in polls
    ]
    entry_rows = [
        {"feed": e.feed, "url_id": url_id(e.url), "url": e.url, "guid": e.guid, "title": e.title,
         "author": e.author, "published_at": e.published_at, "summary": e.summary, "content_html": e.content_html}
        for p in polls if p.status == PollStatus.NEW for e in p.entries
    ]
    with transaction(con):
        _stage(con, "staged_polls", polls_rows, _POLL_SCHEMA)
        run_sql(con, "record_polls")
        con.unregister("staged_polls")
        _stage(con, "staged_entries", entry_rows, _ENTRY_SCHEMA)
        before = con.execute("SELECT count(*) FROM entries").fetchone()[0]
        con.execute(
            """
            INSERT INTO entries BY NAME
            SELECT *, ?::TIMESTAMPTZ AS first_seen_at, ? AS run_id FROM staged_entries
            QUALIFY row_number() OVER (PARTITION BY feed, url_id ORDER BY published_at DESC NULLS LAST, guid) = 1
            ON CONFLICT DO NOTHING
            """,
            [_now(), run_id],
        )
        added = con.execute("SELECT count(*) FROM entries").fetchone()[0] - before
        con.execute(
            "UPDATE feeds SET entries_seen = n FROM (SELECT feed, count(*) AS n FROM entries GROUP BY feed) AS e "
            "WHERE feeds.feed = e.feed AND list_contains(?, feeds.feed)",
            [[p.feed.name for p in polls]],
        )
        con.unregister("staged_entries")
    return added


# -- pages and articles -----------------------------------------------------------------------------


def pending_entries(
    con: duckdb.DuckDBPyConnection, *, run_id: str, max_attempts: int, limit: int
) -> list[FeedEntry]:
    """Entry links with no page yet, or whose last failure was transient and tries remain."""
    params = {"run_id": run_id, "max_attempts": max_attempts, "limit": limit}
    rows = run_sql(con, "pending_pages", params).fetchall()
    return [
        FeedEntry(feed=feed, url=url, title=title, author=author, published_at=published, content_html=content)
        for feed, url, title, author, published, content in rows
    ]


_PAGE_SCHEMA = pa.schema(
    [("url_id", pa.string()), ("url", pa.string()), ("feed", pa.string()), ("final_url", pa.string()),
     ("outcome", pa.string()), ("reason", pa.string()), ("transient", pa.bool_()),
     ("http_status", pa.int32()), ("content_type", pa.string()), ("article_id", pa.string()),
     ("fetched_at", TS)]
)
_ARTICLE_SCHEMA = pa.schema(
    [("article_id", pa.string()), ("url", pa.string()), ("feed", pa.string()), ("title", pa.string()),
     ("author", pa.string()), ("published_at", TS), ("fetched_at", TS), ("sitename", pa.string()),
     ("language", pa.string()), ("text", pa.string()), ("word_count", pa.int32()),
     ("content_hash", pa.string()), ("text_hash", pa.string()), ("source", pa.string()), ("extractor", pa.string()),
     ("boilerplate_blocks", pa.int32())]
)


def load_pages(con: duckdb.DuckDBPyConnection, results: Sequence[PageResult], run_id: str) -> int:
    """Upsert a batch of page outcomes and their articles in one transaction; returns articles loaded."""
    pages, articles = [], []
    for r in results:
        article_id = url_id(r.article.url) if r.article else None
        pages.append(
            {"url_id": url_id(r.url), "url": r.url, "feed": r.feed, "final_url": r.final_url,
             "outcome": str(r.outcome), "reason": r.reason, "transient": r.transient,
             "http_status": r.http_status, "content_type": r.content_type, "article_id": article_id,
             "fetched_at": r.fetched_at}
        )
        if r.outcome == Outcome.ARTICLE and r.article:
            a = r.article
            articles.append(
                {"article_id": article_id, "url": a.url, "feed": r.feed, "title": a.title, "author": a.author,
                 "published_at": a.published_at, "fetched_at": r.fetched_at, "sitename": a.sitename,
                 "language": a.language, "text": a.text, "word_count": a.word_count,
                 "content_hash": content_hash(a.text), "text_hash": text_hash(a.text), "source": a.source,
                 "extractor": a.extractor, "boilerplate_blocks": a.boilerplate_blocks}
            )
    params = {"run_id": run_id, "now": _now()}
    with transaction(con):
        _stage(con, "staged_articles", articles, _ARTICLE_SCHEMA)
        run_sql(con, "upsert_articles", params)
        con.unregister("staged_articles")
        _stage(con, "staged_pages", pages, _PAGE_SCHEMA)
        run_sql(con, "upsert_pages", params)
        con.unregister("staged_pages")
    return len(articles)


# -- enrichment -------------------------------------------------------------------------------------


def articles_to_enrich(con: duckdb.DuckDBPyConnection, version: str, limit: int) -> list[ArticleText]:
    """Articles never enriched, enriched by another version, or whose text changed since."""
    rows = run_sql(con, "articles_to_enrich", {"version": version, "limit": limit}).fetchall()
    return [ArticleText(*row) for row in rows]


_MENTION_SCHEMA = pa.schema(
    [("article_id", pa.string()), ("start_char", pa.int32()), ("end_char", pa.int32()),
     ("text", pa.string()), ("label", pa.string())]
)
_ENRICHED_SCHEMA = pa.schema(
    [("article_id", pa.string()), ("text_hash", pa.string()), ("mentions", pa.int32())]
)


def replace_mentions(
    con: duckdb.DuckDBPyConnection,
    articles: Sequence[ArticleText],
    mentions: Sequence[Mention],
    *,
    version: str,
    run_id: str,
) -> None:
    """Swap in the batch's mentions: readers see each article's old rows or its new ones, never a mix."""
    counts: dict[str, int] = {}
    for m in mentions:
        counts[m.article_id] = counts.get(m.article_id, 0) + 1
    enriched = [
        {"article_id": a.article_id, "text_hash": a.text_hash, "mentions": counts.get(a.article_id, 0)}
        for a in articles
    ]
    mention_rows = [
        {"article_id": m.article_id, "start_char": m.start_char, "end_char": m.end_char, "text": m.text,
         "label": m.label}
        for m in mentions
    ]
    params = {"version": version, "run_id": run_id, "now": _now()}
    with transaction(con):
        _stage(con, "staged_enriched", enriched, _ENRICHED_SCHEMA)
        _stage(con, "staged_mentions", mention_rows, _MENTION_SCHEMA)
        run_sql(con, "replace_mentions", params)
        con.unregister("staged_enriched")
        con.unregister("staged_mentions")
