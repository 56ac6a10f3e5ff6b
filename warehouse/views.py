"""Analyst views over the warehouse: one `CREATE OR REPLACE VIEW` per views/*.sql file."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from wirehouse.warehouse.staging import now, transaction

VIEWS = Path(__file__).with_name("views")


def view_files() -> list[Path]:
    """The view definitions in the order they are created: by file name, so a numbered prefix orders dependencies."""
    return sorted(VIEWS.glob("*.sql"))


def install_views(con: duckdb.DuckDBPyConnection) -> None:
    """Create or replace every view in one transaction; idempotent, and run by ensure_views when the files changed.

    Only the connections of one process can write to a DuckDB file, and they all install these same files: when two
    install at once, the one that loses the catalog write-write conflict rolls back and leaves the views to the other.
    """
    try:
        with transaction(con):
            for path in view_files():
                con.execute(path.read_text(encoding="utf-8"))
            con.execute("DELETE FROM schema_views")
            con.execute("INSERT INTO schema_views VALUES (?, ?)", [views_digest(), now()])
    except duckdb.TransactionException as exc:
        if "conflict" not in str(exc).lower():
            raise


def views_digest() -> str:
    digest = hashlib.sha256()
    for path in view_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def ensure_views(con: duckdb.DuckDBPyConnection) -> None:
    """Install the views where the warehouse holds none or older ones: one cheap query on every other connect."""
    installed = con.execute("SELECT digest FROM schema_views").fetchone()
    if installed is None or installed[0] != views_digest():
        install_views(con)
