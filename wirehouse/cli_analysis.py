"""Commands that read the warehouse: sql, check, search, report, export."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

if TYPE_CHECKING:
    import pyarrow as pa

from wirehouse.cli_common import (
    DbOption,
    LiveOption,
    TableFormat,
    console,
    err,
    existing_warehouse,
    print_counts,
    print_rows,
    reading,
)

analysis_app = typer.Typer()


@analysis_app.command()
def sql(
    query: Annotated[str | None, typer.Argument(help="SQL to run on the warehouse")] = None,
    saved: Annotated[str | None, typer.Option("--query", "-q", help="run a saved query by name (see --list)")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="name=value for a saved query")] = None,
    list_saved: Annotated[bool, typer.Option("--list", help="list the saved queries and their parameters")] = False,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="write to this file (parquet needs one)")] = None,
    db: DbOption = None,
    live: LiveOption = False,
    format: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
) -> None:
    """Run SQL, or a saved query of warehouse/queries/, on the warehouse (read-only) and print or write the result."""
    import duckdb

    from wirehouse.warehouse.db import execute_sql
    from wirehouse.warehouse.saved_queries import QueryError, parse_params, saved_queries, saved_query

    if list_saved:
        table = Table("query", "parameters", "what it answers")
        for q in saved_queries().values():
            table.add_row(q.name, "\n".join(f"{p.name} {p.type} = {p.default}" for p in q.params), q.description)
        console.print(table)
        return
    if (query is None) == (saved is None):
        err.print("[red]give either SQL or --query NAME (see --list)[/]")
        raise typer.Exit(2)
    if format == TableFormat.parquet and out is None:
        err.print("[red]--format parquet writes a file: add --out FILE[/]")
        raise typer.Exit(2)
    try:
        code, params = query, {}
        if saved is not None:
            chosen = saved_query(saved)
            code, params = chosen.sql, chosen.bind(parse_params(param or []))
    except QueryError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    try:
        with reading(db, live) as con:
            # Free SQL goes to DuckDB untouched; saved queries are split and given the parameters they use.
            result = (execute_sql(con, code, params) if saved else con.execute(code)).fetch_arrow_table()
    except duckdb.Error as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from exc
    _write_result(result, format, out)


def _write_result(result: pa.Table, format: TableFormat, out: Path | None) -> None:
    if format == TableFormat.parquet:
        import pyarrow.parquet as pq

        pq.write_table(result, out)
        return
    columns, rows = result.column_names, [tuple(r.values()) for r in result.to_pylist()]
    if out is None:
        print_rows(columns, rows, format, sys.stdout)
        return
    with out.open("w", encoding="utf-8", newline="") as stream:
        print_rows(columns, rows, format, stream)


@analysis_app.command()
def check(db: DbOption = None) -> None:
    """Verify the warehouse's integrity (warehouse/checks/*.sql) and show its counts; exits 1 on any violation."""
    from wirehouse.warehouse.check import check_warehouse, warehouse_counts
    from wirehouse.warehouse.db import open_for_reading

    settings = existing_warehouse(db)
    with open_for_reading(settings.db, live=True, wait=settings.lock_wait) as con:
        results, counts = check_warehouse(con), warehouse_counts(con)
    table = Table("check", "violations", "rule", title="integrity")
    for r in results:
        table.add_row(r.name, "[green]0[/]" if not r.violations else f"[red]{r.violations}[/]", r.rule)
    console.print(table)
    for r in results:
        if r.violations:
            sample = Table(*r.columns, title=f"{r.name}: first of {r.violations}")
            for row in r.sample:
                sample.add_row(*map(str, row))
            console.print(sample)
    print_counts("warehouse", dict(counts))
    if any(r.violations for r in results):
        raise typer.Exit(1)


@analysis_app.command()
def search(
    terms: Annotated[str, typer.Argument(help="words to find in article titles and texts")],
    limit: Annotated[int, typer.Option("--limit", "-n")] = 20,
    reindex: Annotated[bool, typer.Option("--reindex", help="rebuild the full-text index first")] = False,
    db: DbOption = None,
    live: LiveOption = False,
    format: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
) -> None:
    """Full-text search over the articles, best match first (BM25; the enrich flow rebuilds the index nightly)."""

    from wirehouse.warehouse import connect
    from wirehouse.warehouse.search import build_search_index, search_articles
    from wirehouse.warehouse.snapshot import publish_snapshot

    settings = existing_warehouse(db)
    if reindex:
        with connect(settings.db, wait=settings.lock_wait) as con:
            indexed = build_search_index(con)
            if settings.publish_snapshot:
                publish_snapshot(con, settings.db)
        err.print(f"indexed {indexed} articles" if indexed is not None else "[yellow]no fts extension: scanning[/]")
    with reading(db, live) as con:
        columns, rows = search_articles(con, terms, limit=limit)
    print_rows(columns, rows, format, sys.stdout)


@analysis_app.command()
def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="the HTML file to write")] = Path("report.html"),
    days: Annotated[int, typer.Option("--days", help="the period charted, in days up to the newest data")] = 30,
    db: DbOption = None,
    live: LiveOption = False,
) -> None:
    """Write a self-contained HTML report with charts: volume per source, trending entities, speakers, health."""
    from wirehouse.report import write_report

    with reading(db, live) as con:
        console.print(f"report written to {write_report(con, out, days=days)}")


@analysis_app.command()
def export(
    to: Annotated[Path, typer.Option("--to", help="folder to write the Parquet datasets into")],
    db: DbOption = None,
    live: LiveOption = False,
) -> None:
    """Write the warehouse as Parquet partitioned by day, for pandas, Polars, Spark or a BI tool."""
    from wirehouse.warehouse.export import ExportError, export_parquet

    try:
        with reading(db, live, files=True) as con:
            written = export_parquet(con, to)
    except ExportError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    for name, rows in written.items():
        console.print(f"{name:12} {rows:>9} rows  {to / name}")
