"""The `wirehouse` command. Heavy imports (Prefect, spaCy, trafilatura) happen inside the commands that need them."""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.table import Table

from wirehouse.models import Feed
from wirehouse.prefect_env import quiet_prefect
from wirehouse.settings import Settings

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

app = typer.Typer(help="wirehouse: feeds → clean articles → entities in DuckDB.", no_args_is_help=True)
feeds_app = typer.Typer(help="The feed list.", no_args_is_help=True)
app.add_typer(feeds_app, name="feeds")
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


class PageFormat(StrEnum):
    json = "json"
    txt = "txt"


def _print_counts(title: str, counts: dict[str, int]) -> None:
    table = Table(title=title, show_header=False)
    for key, value in sorted(counts.items()):
        table.add_row(key, str(value))
    console.print(table)


# What an unwritable warehouse or archive looks like, from DuckDB or the OS, and what to tell the user.
_STORAGE_FAILURES = {"No space left on device": "the disk is full", "Read-only file system": "the disk is read-only",
                     "Permission denied": "the warehouse or its archive cannot be written"}


def _run_flow(flow: Any, **parameters: object) -> dict[str, int]:
    """Run a flow here with progress bars. No automatic retry (the deployments have it: a person at the terminal
    decides), and storage failures as one clear message, not a traceback: nothing committed is lost, since every
    batch is one transaction; the same command finishes the rest once the disk is writable again."""
    import duckdb

    from wirehouse.progress import rich_progress
    from wirehouse.warehouse.db import WarehouseBusy

    try:
        with rich_progress(err):
            return flow.with_options(retries=0)(**parameters)
    except WarehouseBusy as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from exc
    except (OSError, duckdb.Error) as exc:
        cause = next((why for text, why in _STORAGE_FAILURES.items() if text in str(exc)), None)
        if cause is None:
            raise
        err.print(f"[red]{flow.name} stopped: {cause}[/] ({exc})\nWhat earlier batches loaded is intact; run the "
                  "same command again once the warehouse can be written (`wirehouse check` verifies it).")
        raise typer.Exit(1) from exc


@app.command()
def ingest(
    feeds: FeedsOption = None,
    db: DbOption = None,
    force: Annotated[bool, typer.Option(help="poll every feed, even if not due or gone")] = False,
    run_for: Annotated[float, typer.Option(help="keep polling feeds as they fall due for this many seconds")] = 0,
) -> None:
    """Poll the feeds that are due, fetch new articles, clean them and load them into the warehouse."""
    quiet_prefect()
    from wirehouse.flows.ingest import ingest as ingest_flow

    counts = _run_flow(ingest_flow, feeds_file=str(feeds) if feeds else None, db=str(db) if db else None,
                       force=force, run_for=run_for)
    _print_counts("ingest", counts)


@app.command()
def enrich(db: DbOption = None) -> None:
    """Find named entities in every article not yet enriched with the current model."""
    quiet_prefect()
    from wirehouse.flows.enrich import enrich as enrich_flow

    _print_counts("enrich", _run_flow(enrich_flow, db=str(db) if db else None))


class BackfillMode(StrEnum):  # the flow's modes, spelled out here so --help needs no Prefect import
    fetch = "fetch"
    re_extract = "re-extract"
    re_enrich = "re-enrich"
    sitemap = "sitemap"
    warc = "warc"


@app.command()
def backfill(
    mode: Annotated[BackfillMode, typer.Argument(help="what to do over the selection")],
    since: Annotated[str | None, typer.Option(help="first day (or ISO time), inclusive")] = None,
    until: Annotated[str | None, typer.Option(help="last day (or ISO time), inclusive")] = None,
    feed: Annotated[list[str] | None, typer.Option("--feed", help="only this feed (repeatable)")] = None,
    site: Annotated[list[str] | None, typer.Option("--site", help="only this site (repeatable)")] = None,
    file: Annotated[list[str] | None, typer.Option("--file", help="warc: a WARC file; sitemap: a sitemap URL")] = None,
    restart: Annotated[bool, typer.Option(help="start this backfill over instead of resuming it")] = False,
    db: DbOption = None,
    feeds: FeedsOption = None,
) -> None:
    """Backfill a date range, feeds or sites: fetch what is missing, re-extract from the archive, re-enrich, read
    sitemaps, or load WARC files. Interrupted, the same command resumes it."""
    quiet_prefect()
    from wirehouse.flows.backfill import backfill as backfill_flow

    if mode == BackfillMode.warc and not file:
        err.print("[red]warc needs --file: the WARC files to load[/]")
        raise typer.Exit(2)
    if mode == BackfillMode.sitemap and not site:
        err.print("[red]sitemap needs --site: the sites whose sitemaps to read[/]")
        raise typer.Exit(2)
    counts = _run_flow(backfill_flow, mode=mode.value, since=since, until=until, feeds=feed, sites=site, files=file,
                       restart=restart, db=str(db) if db else None, feeds_file=str(feeds) if feeds else None)
    _print_counts(f"backfill {mode.value}", counts)


@app.command()
def serve(
    deployments: Annotated[Path | None, typer.Option(help="default: deployments/prefect.yaml")] = None,
    timezone: Annotated[str | None, typer.Option(help="nightly enrich time zone: Europe/Berlin")] = None,
    ingest_every: Annotated[float | None, typer.Option(help="seconds between ingest runs")] = None,
) -> None:
    """Serve every deployment with its schedule from this process (ingest continuously, enrich nightly, backfill on
    demand). Set PREFECT_API_URL to use a Prefect server; Ctrl-C stops it and pauses the schedules."""
    quiet_prefect()
    from wirehouse.serve import DEPLOYMENTS_FILE, serve_all

    serve_all(deployments or DEPLOYMENTS_FILE, timezone=timezone, ingest_every=ingest_every)


@app.command()
def demo(db: Annotated[Path, typer.Option(help="where the demo warehouse goes")] = Path("data/demo.duckdb")) -> None:
    """Run ingest then enrich on the bundled offline corpus, served from 127.0.0.1."""
    quiet_prefect()
    from wirehouse.demo import NotADemoWarehouse, run_demo

    try:
        with console.status("running the demo: ingest, then enrich (Prefect's temporary server starts first)"):
            result = run_demo(db)
    except NotADemoWarehouse as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    _print_counts("ingest", result.ingest)
    _print_counts("enrich", result.enrich)
    table = Table(title="top entities (articles mentioning them)")
    for column in ("entity", "label", "articles", "mentions"):
        table.add_column(column)
    for row in result.top_entities:
        table.add_row(*map(str, row))
    console.print(table)
    console.print(
        f"[bold]{result.articles} articles[/] in [bold]{result.db}[/]. Query it:\n"
        f"  WIREHOUSE_DB={result.db} .venv/bin/wirehouse sql \"SELECT title, word_count FROM articles\"\n"
        f"  duckdb {result.db}",
        soft_wrap=True,
    )


def _page_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.name.endswith((".html", ".htm", ".html.gz")))
    return [path]


def _read_page(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _page_record(source: str, outcome: object) -> dict:
    from wirehouse.tasks.clean import Rejected

    if isinstance(outcome, Rejected):
        return {"source": source, "rejected": outcome.reason}
    fields = asdict(outcome)
    for internal in ("dates", "block_hashes", "minhash"):
        del fields[internal]
    fields["text_from"] = fields.pop("source")  # "page" or "feed"; `source` names the input
    dates = outcome.dates
    return {"source": source, "published": _iso(dates.published_at), "published_source": dates.published_source,
            "modified": _iso(dates.modified_at), "date_flags": list(dates.flags), **fields,
            "word_count": outcome.word_count}


@app.command()
def clean(
    target: Annotated[str, typer.Argument(help="an .html/.html.gz file, a directory of them, or a URL")],
    format: Annotated[PageFormat, typer.Option("--format", "-f")] = PageFormat.json,
) -> None:
    """Clean pages and print the article: one JSON object per page (JSON Lines for a directory)."""
    from wirehouse.parallel import shared_pool
    from wirehouse.tasks.charset import decode_body
    from wirehouse.tasks.clean import CleanJob, CleanOptions, Rejected, clean_many

    settings = Settings.with_overrides()
    if target.startswith(("http://", "https://")):
        _clean_url(target, settings, format)
        return
    path = Path(target)
    if not path.exists():
        err.print(f"[red]no such file or directory: {path}[/]")
        raise typer.Exit(2)
    files = _page_files(path)
    pool = shared_pool(settings.cpu_workers)
    options = CleanOptions.from_settings(settings, min_text_chars=0)
    chunk = 256  # bounded memory: pages are read chunk by chunk
    for start in range(0, len(files), chunk):
        part = files[start : start + chunk]
        jobs = (CleanJob(decode_body(_read_page(p), None)[0], p.resolve().as_uri()) for p in part)
        for file, outcome in zip(part, clean_many(jobs, options, pool), strict=True):
            _print_page(_page_record(str(file), outcome or Rejected("worker_crash")), format)


def _clean_url(url: str, settings: Settings, format: PageFormat) -> None:
    """Fetch and clean one URL the way ingest does (address guard, size cap, content-type check)."""
    from wirehouse.models import FeedEntry
    from wirehouse.tasks.clean import Rejected
    from wirehouse.tasks.pages import process_entries

    settings = settings.model_copy(update={"min_text_chars": 0})
    [result] = process_entries([FeedEntry(feed="cli", url=url)], settings)
    if result.article is None and result.outcome == "failed":
        err.print(f"[red]cannot fetch {url}: {result.reason}[/]")
        raise typer.Exit(1)
    _print_page(_page_record(url, result.article or Rejected(result.reason or "rejected")), format)


def _print_page(record: dict, format: PageFormat) -> None:
    if format == PageFormat.txt:
        sys.stdout.write((record.get("text") or f"[rejected: {record.get('rejected')}]") + "\n\n")
    else:
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


@contextmanager
def _reading(db: Path | None, live: bool, *, files: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse to analyse: the snapshot the last run published (the live file with live), or a clear exit."""
    from wirehouse.warehouse.db import open_for_reading

    settings = _existing_warehouse(db)
    with open_for_reading(settings.db, live=live, wait=settings.lock_wait, files=files) as con:
        yield con


def _existing_warehouse(db: Path | None) -> Settings:
    """The settings, once the warehouse they name is known to exist: readers must not create an empty one."""
    settings = Settings.with_overrides(db=db)
    if not Path(settings.db).exists():
        err.print(f"[red]no warehouse at {settings.db}: run `wirehouse ingest` (or set WIREHOUSE_DB)[/]")
        raise typer.Exit(2)
    return settings


@app.command()
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
        with _reading(db, live) as con:
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
        _print_rows(columns, rows, format, sys.stdout)
        return
    with out.open("w", encoding="utf-8", newline="") as stream:
        _print_rows(columns, rows, format, stream)


def _print_rows(columns: list[str], rows: list[tuple], format: TableFormat, stream: TextIO) -> None:
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


@app.command()
def check(db: DbOption = None) -> None:
    """Verify the warehouse's integrity (warehouse/checks/*.sql) and show its counts; exits 1 on any violation."""
    from wirehouse.warehouse.check import check_warehouse, warehouse_counts
    from wirehouse.warehouse.db import open_for_reading

    settings = _existing_warehouse(db)
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
    _print_counts("warehouse", dict(counts))
    if any(r.violations for r in results):
        raise typer.Exit(1)


@app.command()
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

    settings = _existing_warehouse(db)
    if reindex:
        with connect(settings.db, wait=settings.lock_wait) as con:
            indexed = build_search_index(con)
            if settings.publish_snapshot:
                publish_snapshot(con, settings.db)
        err.print(f"indexed {indexed} articles" if indexed is not None else "[yellow]no fts extension: scanning[/]")
    with _reading(db, live) as con:
        columns, rows = search_articles(con, terms, limit=limit)
    _print_rows(columns, rows, format, sys.stdout)


@app.command()
def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="the HTML file to write")] = Path("report.html"),
    days: Annotated[int, typer.Option("--days", help="the period charted, in days up to the newest data")] = 30,
    db: DbOption = None,
    live: LiveOption = False,
) -> None:
    """Write a self-contained HTML report with charts: volume per source, trending entities, speakers, health."""
    from wirehouse.report import write_report

    with _reading(db, live) as con:
        console.print(f"report written to {write_report(con, out, days=days)}")


@app.command()
def export(
    to: Annotated[Path, typer.Option("--to", help="folder to write the Parquet datasets into")],
    db: DbOption = None,
    live: LiveOption = False,
) -> None:
    """Write the warehouse as Parquet partitioned by day, for pandas, Polars, Spark or a BI tool."""
    from wirehouse.warehouse.export import ExportError, export_parquet

    try:
        with _reading(db, live, files=True) as con:
            written = export_parquet(con, to)
    except ExportError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    for name, rows in written.items():
        console.print(f"{name:12} {rows:>9} rows  {to / name}")


@feeds_app.command("list")
def feeds_list(
    feeds: FeedsOption = None,
    db: DbOption = None,
    format: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
) -> None:
    """Show the feed list, with each feed's state when the warehouse has polled it."""
    import duckdb

    from wirehouse.tasks.feedlist import load_feed_list
    from wirehouse.warehouse.db import open_for_reading

    settings = Settings.with_overrides(feeds_file=feeds, db=db)
    listed = load_feed_list(Path(settings.feeds_file))
    state: dict[str, tuple] = {}
    try:
        with open_for_reading(settings.db) as con:
            found = con.execute(
                "SELECT feed, last_polled_at, coalesce(CASE WHEN gone_at IS NOT NULL THEN 'gone' END, last_status), "
                "last_error, consecutive_failures, next_poll_at, entries_seen FROM feeds"
            ).fetchall()
            state = {row[0]: row[1:] for row in found}
    except duckdb.Error as exc:  # no warehouse yet, or a run holds it: the list alone still helps
        if Path(settings.db).exists():
            err.print(f"[yellow]feed state unavailable: {exc}[/]")
    columns = ["name", "url", "site", "full_content", "last_polled_at", "last_status", "last_error", "failures",
               "next_poll_at", "entries_seen"]
    never = (None, "never polled", None, None, None, None)
    rows = [(f.name, f.url, f.site, f.full_content, *state.get(f.name, never)) for f in listed]
    _print_rows(columns, rows, format, sys.stdout)


@feeds_app.command("add")
def feeds_add(
    url: Annotated[str, typer.Argument(help="the feed's URL, or a site's page: its feeds are discovered")],
    name: Annotated[str | None, typer.Option(help="unique name (default: from the site or URL)")] = None,
    site: Annotated[str | None, typer.Option()] = None,
    language: Annotated[str | None, typer.Option()] = None,
    full_content: Annotated[bool, typer.Option(help="use the feed's own content, not the page")] = False,
    check: Annotated[bool, typer.Option(help="fetch the URL first; find the feed when it is a web page")] = True,
    feeds: FeedsOption = None,
) -> None:
    """Add a feed to the feed list. Given a homepage, finds its feed (<link rel=alternate>, common paths)."""
    from wirehouse.tasks.feeds import find_feed
    from wirehouse.tasks.opml import slugify

    settings = Settings.with_overrides(feeds_file=feeds)
    if check:
        poll, candidates = find_feed(url, settings)
        if poll.error:
            tried = f" (also tried {len(candidates)} candidates)" if candidates else ""
            err.print(f"[red]{url} is not a usable feed: {poll.error}{tried}[/]")
            raise typer.Exit(1)
        if poll.feed.url != url:
            console.print(f"{url} is a page; its feed is {poll.feed.url}")
        url = poll.feed.url
        console.print(f"{url}: {len(poll.entries)} entries")
    name = name or slugify(site or url.split("//")[-1])
    _append_feeds(settings, [Feed(name, url, site, language, full_content)])


def _append_feeds(settings: Settings, new: list[Feed]) -> None:
    from wirehouse.tasks.feedlist import FeedListError, append_to_feed_list

    for feed in new:
        try:
            append_to_feed_list(Path(settings.feeds_file), feed)
        except FeedListError as exc:
            err.print(f"[yellow]skipped {feed.name}: {exc}[/]")
            if len(new) == 1:
                raise typer.Exit(1) from exc
            continue
        console.print(f"added [bold]{feed.name}[/] ({feed.url}) to {settings.feeds_file}")


@feeds_app.command("import")
def feeds_import(
    opml: Annotated[Path, typer.Argument(help="an OPML file, as feed readers export")],
    feeds: FeedsOption = None,
) -> None:
    """Add every feed of an OPML file to the feed list (feeds already listed are skipped)."""
    from wirehouse.tasks.feedlist import load_feed_list
    from wirehouse.tasks.opml import read_opml, unique_name

    settings = Settings.with_overrides(feeds_file=feeds)
    try:
        found = read_opml(opml.read_bytes())
    except (OSError, ValueError) as exc:
        err.print(f"[red]cannot read {opml}: {exc}[/]")
        raise typer.Exit(1) from exc
    listed = load_feed_list(Path(settings.feeds_file)) if Path(settings.feeds_file).exists() else []
    taken = {f.name for f in listed}
    # names are unique within the OPML file, not against the list already there
    _append_feeds(settings, [replace(feed, name=unique_name(feed.name, taken)) for feed in found])


@feeds_app.command("export")
def feeds_export(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="file to write (default: standard output)")] = None,
    feeds: FeedsOption = None,
) -> None:
    """Write the feed list as OPML, for feed readers and other tools."""
    from wirehouse.tasks.feedlist import load_feed_list
    from wirehouse.tasks.opml import write_opml

    settings = Settings.with_overrides(feeds_file=feeds)
    data = write_opml(load_feed_list(Path(settings.feeds_file)))
    if out:
        out.write_bytes(data)
        console.print(f"wrote {out}")
    else:
        sys.stdout.buffer.write(data)
