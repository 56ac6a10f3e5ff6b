"""Loaders: typed records in, warehouse rows out. Each call is one transaction over Arrow-staged rows."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from urllib.parse import urlsplit

import duckdb
import pyarrow as pa

from wirehouse.models import (
    EVERYTHING,
    CleanArticle,
    Feed,
    FeedEntry,
    FeedPoll,
    FeedState,
    FetchResult,
    Outcome,
    PageResult,
    Selection,
)
from wirehouse.tasks.identity import content_hash, normalize_url, text_hash, url_id
from wirehouse.tasks.neardup import DEFAULT_THRESHOLD
from wirehouse.tasks.templates import site_key
from wirehouse.warehouse.db import run_sql
from wirehouse.warehouse.staging import TS, now, stage, transaction
from wirehouse.warehouse.stories import assign_stories

# -- runs ---------------------------------------------------------------------------------------------


def start_run(con: duckdb.DuckDBPyConnection, flow: str, run_id: str | None = None) -> str:
    run_id = run_id or str(uuid.uuid4())
    con.execute(
        "INSERT INTO runs (run_id, flow, started_at, status) VALUES (?, ?, ?, 'running') "
        "ON CONFLICT (run_id) DO UPDATE SET status = 'running', finished_at = NULL",
        [run_id, flow, now()],
    )
    return run_id


def finish_run(
    con: duckdb.DuckDBPyConnection, run_id: str, stats: dict, *, error: str | None = None
) -> None:
    con.execute(
        "UPDATE runs SET finished_at = ?, status = ?, stats = ?, error = ? WHERE run_id = ?",
        [now(), "failed" if error else "completed", json.dumps(stats), error, run_id],
    )


# -- feeds and entries ------------------------------------------------------------------------------


_STATE_COLUMNS = ("etag", "last_modified", "body_hash", "next_poll_at", "consecutive_failures", "first_failure_at",
                  "gone_at", "trust_not_modified", "polls_since_verify", "poll_interval")


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
        stage(con, "staged_feeds", rows, schema)
        run_sql(con, "sync_feeds", {"now": now()})
    # The names travel as the staged table, not a list parameter (DuckDB converts those element by element).
    columns = (*_STATE_COLUMNS, "last_success_at")  # written by record_polls from the poll itself
    found = con.execute(
        f"SELECT feed, {', '.join(columns)} FROM feeds WHERE feed IN (SELECT feed FROM staged_feeds)"
    ).fetchall()
    con.unregister("staged_feeds")
    states = {}
    for feed, *values in found:
        state = dict(zip(columns, values, strict=True))
        states[feed] = FeedState(**state | {"polls_since_verify": state["polls_since_verify"] or 0})
    return states


_POLL_SCHEMA = pa.schema(
    [("feed", pa.string()), ("polled_at", TS), ("status", pa.string()), ("http_status", pa.int32()),
     ("error", pa.string()), ("conditional", pa.bool_()), ("entries", pa.int32()),
     ("skipped_no_link", pa.int32()), ("duplicate_links", pa.int32()), ("undated", pa.int32()),
     ("etag", pa.string()), ("last_modified", pa.string()), ("body_hash", pa.string()),
     ("next_poll_at", TS), ("consecutive_failures", pa.int32()), ("first_failure_at", TS), ("gone_at", TS),
     ("gone_reason", pa.string()), ("trust_not_modified", pa.bool_()), ("polls_since_verify", pa.int32()),
     ("poll_interval", pa.float64())]
)
_ENTRY_SCHEMA = pa.schema(
    [("feed", pa.string()), ("url_id", pa.string()), ("url", pa.string()), ("guid", pa.string()),
     ("title", pa.string()), ("author", pa.string()), ("published_at", TS), ("summary", pa.string()),
     ("content_html", pa.string()), ("notes", pa.list_(pa.string()))]
)
_FETCH_SCHEMA = pa.schema(
    [("url", pa.string()), ("final_url", pa.string()), ("host", pa.string()), ("kind", pa.string()),
     ("access_status", pa.string()), ("http_status", pa.int32()), ("error", pa.string()), ("bytes", pa.int64()),
     ("elapsed_ms", pa.int32()), ("tries", pa.int32()), ("fetched_at", TS)]
)


@dataclass(frozen=True, slots=True)
class PollRecord:
    """A poll with the feed state it leads to (see tasks.schedule.after_poll)."""

    poll: FeedPoll
    state: FeedState
    gone_reason: str | None = None
    access_status: str = "ok"


def _fetch_row(fetch: FetchResult, kind: str, access_status: str) -> dict:
    return {"url": fetch.url, "final_url": fetch.final_url, "host": urlsplit(fetch.final_url).hostname,
            "kind": kind, "access_status": access_status, "http_status": fetch.status_code, "error": fetch.error,
            "bytes": len(fetch.body) if fetch.body is not None else None, "elapsed_ms": fetch.elapsed_ms,
            "tries": fetch.tries, "fetched_at": fetch.fetched_at}


def _log_fetches(con: duckdb.DuckDBPyConnection, rows: list[dict], run_id: str) -> None:
    stage(con, "staged_fetches", rows, _FETCH_SCHEMA)
    con.execute("INSERT INTO fetches BY NAME SELECT *, ? AS run_id FROM staged_fetches", [run_id])
    con.unregister("staged_fetches")


def record_polls(con: duckdb.DuckDBPyConnection, records: Sequence[PollRecord], run_id: str) -> int:
    """Store each poll (feed state, poll log, fetch log) and the entries not seen before; returns new entries."""
    poll_rows, fetch_rows = [], []
    for r in records:
        p, st, items = r.poll, r.state, r.poll.items
        poll_rows.append(
            {"feed": p.feed.name, "polled_at": p.polled_at, "status": str(p.status), "http_status": p.http_status,
             "error": p.error, "conditional": p.conditional, "entries": len(p.entries),
             "skipped_no_link": items.skipped_no_link, "duplicate_links": items.duplicate_links,
             "undated": items.undated, "gone_reason": r.gone_reason}
            | {column: getattr(st, column) for column in _STATE_COLUMNS}
        )
        if p.fetch is not None:
            fetch_rows.append(_fetch_row(p.fetch, "feed", r.access_status))
    params = {"now": now(), "run_id": run_id}
    with transaction(con):
        added = _insert_entries(con, [e for r in records for e in r.poll.entries], params)
        stage(con, "staged_polls", poll_rows, _POLL_SCHEMA)
        run_sql(con, "record_polls", params)
        con.unregister("staged_polls")
        _log_fetches(con, fetch_rows, run_id)
    return added


def seen_entries(con: duckdb.DuckDBPyConnection, polls: Sequence[FeedPoll]) -> dict[str, int]:
    """How many of each poll's items the feed had shown before (what adaptive polling learns from)."""
    rows = [{"feed": p.feed.name, "url_id": url_id(e.url)} for p in polls for e in p.entries]
    if not rows:
        return {}
    stage(con, "staged_seen", rows, pa.schema([("feed", pa.string()), ("url_id", pa.string())]))
    found = con.execute(
        "SELECT s.feed, count(*) FROM staged_seen AS s JOIN entries AS e USING (feed, url_id) GROUP BY s.feed"
    ).fetchall()
    con.unregister("staged_seen")
    return dict(found)


def add_entries(con: duckdb.DuckDBPyConnection, entries: Sequence[FeedEntry], run_id: str) -> int:
    """Record links found outside a feed poll (a sitemap) as entries, so the pending queue fetches them; returns
    how many were new."""
    with transaction(con):
        return _insert_entries(con, entries, {"now": now(), "run_id": run_id})


def _insert_entries(con: duckdb.DuckDBPyConnection, entries: Sequence[FeedEntry], params: dict) -> int:
    """Insert the entries not seen before (within the caller's transaction); returns how many were new."""
    rows = [{"feed": e.feed, "url_id": url_id(e.url), "url": e.url, "guid": e.guid, "title": e.title,
             "author": e.author, "published_at": e.published_at, "summary": e.summary,
             "content_html": e.content_html, "notes": list(e.notes)} for e in entries]
    before = con.execute("SELECT count(*) FROM entries").fetchone()[0]
    stage(con, "staged_entries", rows, _ENTRY_SCHEMA)
    run_sql(con, "insert_entries", params)
    con.unregister("staged_entries")
    return con.execute("SELECT count(*) FROM entries").fetchone()[0] - before


# -- pages and articles -----------------------------------------------------------------------------


def pending_entries(
    con: duckdb.DuckDBPyConnection, *, run_id: str, max_attempts: int, limit: int, selection: Selection = EVERYTHING
) -> list[FeedEntry]:
    """Entry links with no page yet, or whose last failure was transient and tries remain (within the selection)."""
    params = {"run_id": run_id, "max_attempts": max_attempts, "limit": limit} | selection.sql_params()
    rows = run_sql(con, "pending_pages", params).fetchall()
    # Fetched without tracking parameters and fragments: the URL the page is known by.
    return [
        FeedEntry(feed=feed, url=normalize_url(url), title=title, author=author, published_at=published,
                  content_html=content)
        for feed, url, title, author, published, content in rows
    ]


_PAGE_SCHEMA = pa.schema(
    [("url_id", pa.string()), ("url", pa.string()), ("feed", pa.string()), ("final_url", pa.string()),
     ("outcome", pa.string()), ("reason", pa.string()), ("transient", pa.bool_()),
     ("http_status", pa.int32()), ("content_type", pa.string()), ("article_id", pa.string()),
     ("fetched_at", TS), ("warc_file", pa.string()), ("warc_offset", pa.int64()), ("warc_length", pa.int64())]
)
_DATE_CANDIDATE = pa.struct([("kind", pa.string()), ("source", pa.string()), ("value", TS), ("has_time", pa.bool_()),
                             ("raw", pa.string())])
_STRINGS = pa.list_(pa.string())
_ARTICLE_SCHEMA = pa.schema(
    [("article_id", pa.string()), ("url", pa.string()), ("host", pa.string()), ("feed", pa.string()),
     ("title", pa.string()), ("byline", pa.string()), ("authors", _STRINGS),
     ("published_at", TS), ("published_source", pa.string()), ("modified_at", TS), ("modified_source", pa.string()),
     ("date_flags", _STRINGS), ("date_candidates", pa.list_(_DATE_CANDIDATE)),
     ("fetched_at", TS), ("sitename", pa.string()), ("language", pa.string()), ("text", pa.string()),
     ("word_count", pa.int32()), ("content_hash", pa.string()), ("text_hash", pa.string()), ("source", pa.string()),
     ("extractor", pa.string()), ("image", pa.string()), ("categories", _STRINGS), ("tags", _STRINGS),
     ("block_kinds", _STRINGS), ("paywalled", pa.bool_()), ("boilerplate_blocks", pa.int32()),
     ("template_blocks", pa.int32()), ("block_hashes", pa.list_(pa.int64())), ("minhash", pa.list_(pa.int64()))]
)


def _article_row(article_id: str, feed: str, fetched_at: datetime, a: CleanArticle) -> dict:
    d = a.dates
    return {
        "article_id": article_id, "url": a.url, "host": site_key(a.url), "feed": feed, "title": a.title,
        "byline": a.byline, "authors": list(a.authors), "published_at": d.published_at,
        "published_source": d.published_source, "modified_at": d.modified_at, "modified_source": d.modified_source,
        "date_flags": list(d.flags), "date_candidates": [asdict(c) for c in d.candidates],
        "fetched_at": fetched_at, "sitename": a.sitename, "language": a.language, "text": a.text,
        "word_count": a.word_count, "content_hash": content_hash(a.text), "text_hash": text_hash(a.text),
        "source": a.source, "extractor": a.extractor, "image": a.image, "categories": list(a.categories),
        "tags": list(a.tags), "block_kinds": list(a.block_kinds), "paywalled": a.paywalled,
        "boilerplate_blocks": a.boilerplate_blocks, "template_blocks": a.template_blocks,
        "block_hashes": list(a.block_hashes), "minhash": list(a.minhash),
    }


def load_pages(
    con: duckdb.DuckDBPyConnection,
    results: Sequence[PageResult],
    run_id: str,
    *,
    story_threshold: float = DEFAULT_THRESHOLD,
    new_attempt: bool = True,
) -> int:
    """Upsert a batch of page outcomes and their articles in one transaction; returns articles loaded.

    new_attempt: the outcomes come from new fetches (False: from bodies read back from an archive).
    """
    pages, articles = [], []
    for r in results:
        article_id = url_id(r.article.url) if r.article else None
        pages.append(
            {"url_id": url_id(r.url), "url": r.url, "feed": r.feed, "final_url": r.final_url,
             "outcome": str(r.outcome), "reason": r.reason, "transient": r.transient,
             "http_status": r.http_status, "content_type": r.content_type, "article_id": article_id,
             "fetched_at": r.fetched_at, "warc_file": r.archive.file if r.archive else None,
             "warc_offset": r.archive.offset if r.archive else None,
             "warc_length": r.archive.length if r.archive else None}
        )
        if r.outcome == Outcome.ARTICLE and r.article:
            articles.append(_article_row(article_id, r.feed, r.fetched_at, r.article))
    params = {"run_id": run_id, "now": now()}
    with transaction(con):
        stage(con, "staged_articles", articles, _ARTICLE_SCHEMA)
        stage(con, "staged_pages", pages, _PAGE_SCHEMA)
        # The articles this batch may leave unreferenced: those its pages pointed to, and its own (an older
        # capture's new canonical URL whose page outcome stays the newer one's)
        con.execute("CREATE OR REPLACE TEMP TABLE staged_previous AS SELECT p.article_id FROM pages AS p "
                    "JOIN staged_pages USING (url_id) WHERE p.article_id IS NOT NULL "
                    "UNION SELECT article_id FROM staged_articles")
        run_sql(con, "upsert_articles", params)
        con.unregister("staged_articles")
        assign_stories(con, [row["article_id"] for row in articles], threshold=story_threshold)
        run_sql(con, "upsert_pages", params | {"new_attempt": new_attempt})
        con.unregister("staged_pages")
        run_sql(con, "remove_unreferenced_articles")
        con.execute("DROP TABLE staged_previous")
        _log_fetches(con, [_fetch_row(r.fetch, "page", r.access_status) for r in results if r.fetch], run_id)
    return len(articles)


# -- enrichment -------------------------------------------------------------------------------------
