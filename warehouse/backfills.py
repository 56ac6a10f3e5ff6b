"""Backfill bookkeeping: one row per distinct backfill, so re-running one resumes it; what each mode reads."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

from wirehouse.models import ArchiveRef, FeedEntry, Selection
from wirehouse.tasks.identity import url_id
from wirehouse.warehouse.db import read_sql, run_sql
from wirehouse.warehouse.staging import now, stage

_ALL = 2**62


@dataclass(frozen=True, slots=True)
class Backfill:
    backfill_id: str
    started_at: datetime  # the first start: work done since counts as done
    runs: int  # runs that worked on it, this one included


def start_backfill(
    con: duckdb.DuckDBPyConnection, mode: str, params: dict, version: str, run_id: str, *, restart: bool = False
) -> Backfill:
    """Register this run on the backfill its mode, parameters and version name; restart starts it over."""
    key = json.dumps({"mode": mode, "params": params, "version": version}, sort_keys=True, default=str)
    backfill_id = hashlib.sha256(key.encode()).hexdigest()[:16]
    con.execute(
        """INSERT INTO backfills VALUES (?, ?, ?, ?, NULL, 1, ?)
           ON CONFLICT (backfill_id) DO UPDATE SET runs = backfills.runs + 1, last_run_id = excluded.last_run_id,
               finished_at = NULL,
               started_at = CASE WHEN ? THEN excluded.started_at ELSE backfills.started_at END""",
        [backfill_id, mode, json.dumps(params, sort_keys=True, default=str), now(), run_id, restart],
    )
    started_at, runs = con.execute(
        "SELECT started_at, runs FROM backfills WHERE backfill_id = ?", [backfill_id]
    ).fetchone()
    return Backfill(backfill_id, started_at, runs)


def finish_backfill(con: duckdb.DuckDBPyConnection, backfill_id: str) -> None:
    con.execute("UPDATE backfills SET finished_at = ? WHERE backfill_id = ?", [now(), backfill_id])


@dataclass(frozen=True, slots=True)
class ArchivedPage:
    entry: FeedEntry
    ref: ArchiveRef


def _reextract_params(selection: Selection, after: str, limit: int) -> dict:
    return selection.sql_params() | {"done_since": selection.done_since, "after": after, "limit": limit}


def pages_to_reextract(
    con: duckdb.DuckDBPyConnection, selection: Selection, *, after: str = "", limit: int
) -> list[tuple[str, ArchivedPage]]:
    """(url_id, page) of archived pages in the selection not cleaned since selection.done_since, after `after`."""
    rows = run_sql(con, "pages_to_reextract", _reextract_params(selection, after, limit)).fetchall()
    return [
        (uid, ArchivedPage(FeedEntry(feed=feed, url=url, title=title, author=author, published_at=published),
                           ArchiveRef(file, offset, length)))
        for uid, url, feed, file, offset, length, title, author, published in rows
    ]


def count_pages_to_reextract(con: duckdb.DuckDBPyConnection, selection: Selection) -> int:
    query = read_sql("pages_to_reextract").strip().rstrip(";")
    return con.execute(f"SELECT count(*) FROM ({query})", _reextract_params(selection, "", _ALL)).fetchone()[0]


def known_pages(con: duckdb.DuckDBPyConnection, urls: Sequence[str]) -> set[str]:
    """The URLs among these that already have a settled page (an article, a rejection, a final failure)."""
    if not urls:
        return set()
    stage(con, "staged_urls", [{"url_id": url_id(u), "url": u} for u in urls],
          pa.schema([("url_id", pa.string()), ("url", pa.string())]))
    found = con.execute(
        "SELECT s.url FROM staged_urls AS s JOIN pages AS p USING (url_id) "
        "WHERE NOT (p.outcome = 'failed' AND p.transient)"
    ).fetchall()
    con.unregister("staged_urls")
    return {u for (u,) in found}
