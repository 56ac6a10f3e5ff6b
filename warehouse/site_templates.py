"""Per-site templates learned from the pages the warehouse holds (see tasks/templates.py)."""

from __future__ import annotations

import duckdb

from wirehouse.tasks.templates import block_hash
from wirehouse.warehouse.db import run_sql
from wirehouse.warehouse.staging import now, transaction


def learn_site_templates(con: duckdb.DuckDBPyConnection, *, window: int, min_pages: int, min_share: float) -> int:
    """Relearn every site's template from its recent pages; returns how many template blocks are held.

    A block that stops recurring (the site was redesigned) is forgotten; one that goes on recurring stays,
    since pages keep the hashes of the blocks their template removed.
    """
    params = {"window": window, "min_pages": min_pages, "min_share": min_share}
    learned = run_sql(con, "learn_site_templates", params).fetch_arrow_table()
    with transaction(con):
        con.register("learned", learned)
        con.execute("DELETE FROM site_templates t WHERE NOT EXISTS "
                    "(SELECT 1 FROM learned l WHERE l.host = t.host AND l.block_hash = t.block_hash)")
        con.execute(
            "INSERT INTO site_templates BY NAME SELECT *, ? AS learned_at FROM learned "
            "ON CONFLICT (host, block_hash) DO UPDATE SET pages = excluded.pages, site_pages = excluded.site_pages",
            [now()],
        )
        con.unregister("learned")
        _add_samples(con)
    return con.execute("SELECT count(*) FROM site_templates").fetchone()[0]


def _add_samples(con: duckdb.DuckDBPyConnection) -> None:
    """Keep one text of each new template block, so a person can see what is being removed."""
    missing = con.execute("SELECT host, block_hash FROM site_templates WHERE sample IS NULL").fetchall()
    for host, wanted in missing:
        row = con.execute(
            "SELECT text FROM articles WHERE host = ? AND list_contains(block_hashes, ?) ORDER BY fetched_at LIMIT 1",
            [host, wanted],
        ).fetchone()
        sample = next((p for p in row[0].split("\n\n") if block_hash(p) == wanted), None) if row else None
        con.execute("UPDATE site_templates SET sample = ? WHERE host = ? AND block_hash = ?",
                    [sample or "", host, wanted])


def site_templates(con: duckdb.DuckDBPyConnection) -> dict[str, frozenset[int]]:
    """Each site's template block hashes, as the clean stage takes them."""
    rows = con.execute("SELECT host, list(block_hash) FROM site_templates GROUP BY host").fetchall()
    return {host: frozenset(hashes) for host, hashes in rows}
