"""Export the warehouse as Parquet, partitioned by day (Hive layout: articles/day=2026-11-25/...), for other tools."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from wirehouse.warehouse.db import run_sql

MARKER = ".wirehouse-export"  # in every folder an export wrote: only those are ever replaced


class ExportError(RuntimeError):
    pass


def export_parquet(con: duckdb.DuckDBPyConnection, target: Path) -> dict[str, int]:
    """Write every exported table under target/<table>/; returns rows written per table.

    Each table is written beside its folder and then swapped in, so a failed export leaves the previous one whole,
    and an export never mixes rows of two runs. A folder an export did not write is never deleted.
    """
    target.mkdir(parents=True, exist_ok=True)
    tables = run_sql(con, "export_tables").fetchall()
    for name, _, _ in tables:
        folder = target / name
        if folder.exists() and not (folder / MARKER).exists():
            raise ExportError(f"{folder} exists and is not a wirehouse export: choose another --to")
    written = {}
    for name, query, partitioned in tables:
        fresh, folder = target / f".{name}.writing", target / name
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.mkdir()
        destination = fresh / "data" if partitioned else fresh / f"{name}.parquet"
        options = "FORMAT parquet, PARTITION_BY (day)" if partitioned else "FORMAT parquet"
        path = str(destination).replace("'", "''")
        written[name] = con.execute(f"COPY ({query}) TO '{path}' ({options})").fetchone()[0]  # rows copied
        if partitioned:  # the partitions go straight under the table's folder
            for part in (fresh / "data").iterdir():
                part.rename(fresh / part.name)
            (fresh / "data").rmdir()
        (fresh / MARKER).touch()
        old = target / f".{name}.old"
        if folder.exists():
            folder.rename(old)
        fresh.rename(folder)
        shutil.rmtree(old, ignore_errors=True)
    return written
