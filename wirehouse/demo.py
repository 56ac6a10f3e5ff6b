"""`wirehouse demo`: the whole pipeline on the bundled corpus, served from 127.0.0.1, in one process."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from wirehouse.demo_corpus import render_corpus
from wirehouse.localserver import serve_directory
from wirehouse.warehouse import connect, run_sql


@dataclass(frozen=True)
class DemoResult:
    db: Path
    ingest: dict[str, int]
    enrich: dict[str, int]
    articles: int
    top_entities: list[tuple[str, str, int, int]]


def run_demo(db: Path) -> DemoResult:
    """Render the corpus, serve it on a free port, run ingest then enrich into a fresh warehouse at db."""
    from wirehouse.flows.enrich import enrich
    from wirehouse.flows.ingest import ingest

    # The corpus is served from loopback, which fetching refuses by default.
    os.environ["WIREHOUSE_ALLOW_PRIVATE_ADDRESSES"] = "1"
    # URLs carry the server's random port, so an old demo warehouse would only collect duplicates.
    for stale in (db, db.with_name(db.name + ".wal")):
        stale.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="wirehouse-demo-") as tmp, serve_directory(Path(tmp)) as site:
        corpus = render_corpus(Path(tmp), site.base_url)
        ingest_counts = ingest(feeds_file=str(corpus.feeds_file), db=str(db))
        enrich_counts = enrich(db=str(db))
    with connect(db) as con:
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        top = run_sql(con, "top_entities", {"limit": 10}).fetchall()
    return DemoResult(db, ingest_counts, enrich_counts, articles, top)
