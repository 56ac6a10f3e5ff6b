"""`wirehouse demo`: the whole pipeline on the bundled corpus, served from 127.0.0.1, in one process."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from wirehouse.demo_corpus import render_corpus
from wirehouse.localserver import serve_directory
from wirehouse.warehouse import connect, run_sql

# The corpus is served from 127.0.0.1, which fetching refuses by default, by one server that needs no pacing.
DEMO_ENVIRONMENT = {"WIREHOUSE_ALLOW_PRIVATE_ADDRESSES": "1", "WIREHOUSE_PER_HOST_DELAY": "0"}


@dataclass(frozen=True)
class DemoResult:
    db: Path
    ingest: dict[str, int]
    enrich: dict[str, int]
    articles: int
    top_entities: list[tuple[str, str, int, int]]


class NotADemoWarehouse(RuntimeError):
    pass


def _is_demo_warehouse(db: Path) -> bool:
    """A warehouse the demo made: every feed it knows was served from loopback."""
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            urls = [u for (u,) in con.execute("SELECT url FROM feeds").fetchall()]
    except duckdb.Error:
        return False
    return all(u.startswith("http://127.0.0.1:") for u in urls)


@contextmanager
def demo_environment() -> Iterator[None]:
    """Settings for a corpus on loopback, for the duration of the block only."""
    before = {key: os.environ.get(key) for key in DEMO_ENVIRONMENT}
    os.environ.update(DEMO_ENVIRONMENT)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_demo(db: Path) -> DemoResult:
    """Render the corpus, serve it on a free port, run ingest then enrich into a fresh warehouse at db."""
    from wirehouse.flows.enrich import enrich
    from wirehouse.flows.ingest import ingest

    # URLs carry the server's random port, so an old demo warehouse would only collect duplicates: start afresh,
    # but never at the cost of a real warehouse.
    if db.exists():
        if not _is_demo_warehouse(db):
            raise NotADemoWarehouse(f"{db} holds feeds from the network, not a demo warehouse: choose another --db")
        db.unlink()
        db.with_name(db.name + ".wal").unlink(missing_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="wirehouse-demo-") as tmp,
        serve_directory(Path(tmp)) as site,
        demo_environment(),
    ):
        corpus = render_corpus(Path(tmp), site.base_url)
        ingest_counts = ingest(feeds_file=str(corpus.feeds_file), db=str(db))
        enrich_counts = enrich(db=str(db))
    with connect(db, read_only=True) as con:
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        top = run_sql(con, "top_entities", {"limit": 10}).fetchall()
    return DemoResult(db, ingest_counts, enrich_counts, articles, top)
