"""Open the warehouse and bring its schema up to date with the numbered migrations."""

from __future__ import annotations

import random
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from wirehouse.warehouse.views import ensure_views

HERE = Path(__file__).parent
MIGRATIONS = HERE / "migrations"
QUERIES = HERE / "queries"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")  # the .sql files keep -- out of string literals


def read_sql(name: str) -> str:
    return (QUERIES / f"{name}.sql").read_text(encoding="utf-8")


def run_sql(con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None) -> duckdb.DuckDBPyConnection:
    """Run a named .sql file of queries/ statement by statement, each given only the $parameters it uses."""
    return execute_sql(con, read_sql(name), params)


def execute_sql(con: duckdb.DuckDBPyConnection, code: str, params: dict | None = None) -> duckdb.DuckDBPyConnection:
    """Run SQL statement by statement, each given only the $parameters it uses; the last one's result is left."""
    params = params or {}
    code = _COMMENT.sub("", code)  # a $name in a comment is no parameter
    statements = [s for s in code.split(";\n") if s.strip(" \n;")]
    for statement in statements:
        used = {k: params[k] for k in set(_PARAM.findall(statement))}
        con.execute(statement, used or None)
    return con


def migrations() -> list[tuple[int, Path]]:
    found = []
    for path in sorted(MIGRATIONS.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise RuntimeError(f"migration file {path.name} is not named NNNN_name.sql")
        found.append((int(match.group(1)), path))
    return found


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply pending migrations, each in its own transaction together with its record."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
    )
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for version, path in migrations():
        if version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, path.stem, datetime.now(UTC)])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied


class WarehouseBusy(RuntimeError):
    pass


def _open(path: Path, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, waiting while another process holds the file's lock (DuckDB has one writer).

    Retries come every 50-250 ms, at random: writers hold the file for one short step at a time, and a waiter
    that backed off for seconds would miss the gaps and starve behind a busy writer.
    """
    deadline = time.monotonic() + wait
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            delay = random.uniform(0.05, 0.25)
            if time.monotonic() + delay > deadline:
                raise WarehouseBusy(
                    f"{path} is in use by another process (a running ingest or enrich?); waited {wait:.0f}s"
                ) from exc
            time.sleep(delay)


def connect(path: Path | str, *, read_only: bool = False, wait: float = 0.0) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse; a writable connection is migrated first.

    wait: seconds to wait for another process's lock on the file before giving up with WarehouseBusy.
    """
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(path, read_only, wait)
    try:
        con.execute("SET TimeZone = 'UTC'")
        if not read_only:
            migrate(con)
            ensure_views(con)
    except BaseException:
        con.close()  # else the failed connection holds the file's lock as long as the traceback lives
        raise
    return con


def open_for_reading(
    path: Path | str, *, live: bool = False, wait: float = 0.0, files: bool = False
) -> duckdb.DuckDBPyConnection:
    """A read-only connection for analysis: the published snapshot, or with live=True (or before any snapshot
    exists) the live file, which then blocks writers for as long as it stays open. files: COPY TO is allowed."""
    from wirehouse.warehouse.snapshot import open_snapshot, snapshot_path

    if not live and snapshot_path(path).exists():
        return open_snapshot(path, files=files)
    con = _open(Path(path), True, wait)
    con.execute("SET TimeZone = 'UTC'")
    return con
