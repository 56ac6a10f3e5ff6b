"""Full-text search over articles: DuckDB's fts extension (BM25), loaded from the duckdb-extension-fts wheel.

DuckDB cannot download extensions here, so the extension comes from a package pinned to the duckdb release.
Where it cannot load (another duckdb version), search falls back to a substring scan: slower, unranked, complete.
The index is rebuilt by the enrich flow (nightly) and by `wirehouse search --reindex`; articles loaded after the
last build are still found, by substring, until the next one.
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb

from wirehouse.warehouse.db import run_sql
from wirehouse.warehouse.staging import now

log = logging.getLogger(__name__)


def _extension_file() -> Path | None:
    try:
        import duckdb_extension_fts
    except ImportError:
        return None
    path = Path(duckdb_extension_fts.__file__).parent / "extensions" / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    return path if path.is_file() else None


def load_fts(con: duckdb.DuckDBPyConnection) -> bool:
    """Load the fts extension into this connection; False (and a warning) where it is not available."""
    # fts's own `stem` function shows it loaded (duckdb_extensions() would scan the extension folder: a file
    # operation, refused on the analysts' locked connections)
    if con.execute("SELECT count(*) FROM duckdb_functions() WHERE function_name = 'stem'").fetchone()[0]:
        return True
    path = _extension_file()
    if path is None:
        log.warning("no fts extension for duckdb %s: full-text search scans the texts", duckdb.__version__)
        return False
    try:
        con.execute("LOAD '{}'".format(str(path).replace("'", "''")))
    except duckdb.Error as exc:
        log.warning("cannot load the fts extension (%s): full-text search scans the texts", exc)
        return False
    return True


def build_search_index(con: duckdb.DuckDBPyConnection) -> int | None:
    """Rebuild the BM25 index over titles and texts; returns the articles indexed, None without the extension."""
    if not load_fts(con):
        return None
    run_sql(con, "build_search_index", {"now": now()})
    return con.execute("SELECT articles FROM search_index").fetchone()[0]


def search_index_stale(con: duckdb.DuckDBPyConnection) -> bool:
    """True when articles were loaded or changed since the last build (a reload changes loaded_at)."""
    return run_sql(con, "search_index_stale").fetchone()[0]


def search_articles(con: duckdb.DuckDBPyConnection, query: str, *, limit: int = 20) -> tuple[list[str], list[tuple]]:
    """Articles matching `query`, best first: (columns, rows)."""
    indexed = con.execute("SELECT count(*) FROM search_index").fetchone()[0] > 0 and load_fts(con)
    cursor = run_sql(con, "search_indexed" if indexed else "search_scan", {"q": query, "limit": limit})
    return [d[0] for d in cursor.description], cursor.fetchall()
