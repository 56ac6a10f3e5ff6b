"""Export the warehouse as Parquet, partitioned by day (Hive layout: articles/day=2026-11-25/...), for other tools."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from wirehouse.warehouse.db import run_sql


def export_parquet(con: duckdb.DuckDBPyConnection, target: Path) -> dict[str, int]:
    """Write every exported table under target/<table>/; returns rows written per table.

    Each table's folder is replaced as a whole, so an export never mixes rows of two runs.
    """
    target.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, query, partitioned in run_sql(con, "export_tables").fetchall():
        folder = target / name
        if folder.exists():
            shutil.rmtree(folder)
        options = "FORMAT parquet, PARTITION_BY (day)" if partitioned else "FORMAT parquet"
        destination = folder if partitioned else folder / f"{name}.parquet"
        folder.mkdir(parents=True, exist_ok=True)
        path = str(destination).replace("'", "''")
        con.execute(f"COPY ({query}) TO '{path}' ({options})")
        written[name] = con.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]
    return written
