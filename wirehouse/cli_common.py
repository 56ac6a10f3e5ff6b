"""What the commands share: consoles, options, the warehouse to read, tables and counts."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer
from rich.console import Console
from rich.table import Table

from wirehouse.settings import Settings

if TYPE_CHECKING:
    import duckdb

console = Console()
err = Console(stderr=True)

DbOption = Annotated[Path | None, typer.Option("--db", help="warehouse file (default: WIREHOUSE_DB)")]
LiveOption = Annotated[
    bool, typer.Option("--live", help="read the live file, not the snapshot the last run published (blocks writers)")
]
FeedsOption = Annotated[Path | None, typer.Option("--feeds", help="feed list (default: WIREHOUSE_FEEDS_FILE)")]


class TableFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


def print_counts(title: str, counts: dict[str, int]) -> None:
    table = Table(title=title, show_header=False)
    for key, value in sorted(counts.items()):
        table.add_row(key, str(value))
    console.print(table)


@contextmanager
def reading(db: Path | None, live: bool, *, files: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse to analyse: the snapshot the last run published (the live file with live), or a clear exit."""
    from wirehouse.warehouse.db import open_for_reading

    settings = existing_warehouse(db)
    with open_for_reading(settings.db, live=live, wait=settings.lock_wait, files=files) as con:
        yield con


def existing_warehouse(db: Path | None) -> Settings:
    """The settings, once the warehouse they name is known to exist: readers must not create an empty one."""
    settings = Settings.with_overrides(db=db)
    if not Path(settings.db).exists():
        err.print(f"[red]no warehouse at {settings.db}: run `wirehouse ingest` (or set WIREHOUSE_DB)[/]")
        raise typer.Exit(2)
    return settings


def print_rows(columns: list[str], rows: list[tuple], format: TableFormat, stream: TextIO) -> None:
    if format == TableFormat.json:
        for row in rows:
            stream.write(json.dumps(dict(zip(columns, row, strict=True)), default=str, ensure_ascii=False) + "\n")
    elif format == TableFormat.csv:
        import csv

        writer = csv.writer(stream)
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        table = Table(*columns)
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        (console if stream is sys.stdout else Console(file=stream)).print(table)
