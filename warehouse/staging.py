"""Staging rows through Arrow, and transactions: the one way loaders write to the warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

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


def stage(con: duckdb.DuckDBPyConnection, name: str, rows: list[dict], schema: pa.Schema) -> None:
    con.register(name, pa.Table.from_pylist(rows, schema=schema))


def now() -> datetime:
    return datetime.now(UTC)
