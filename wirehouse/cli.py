"""The `wirehouse` command. Heavy imports (Prefect, spaCy, trafilatura) happen inside the commands that need them."""

from __future__ import annotations

import gzip
import json
import sys
from dataclasses import asdict
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from wirehouse.prefect_env import quiet_prefect
from wirehouse.settings import Settings

if TYPE_CHECKING:
    pass

from wirehouse.cli_analysis import analysis_app
from wirehouse.cli_common import (
    DbOption,
    FeedsOption,
    console,
    err,
    print_counts,
)
from wirehouse.cli_feeds import feeds_app

app = typer.Typer(help="wirehouse: feeds → clean articles → entities in DuckDB.", no_args_is_help=True)
app.add_typer(feeds_app, name="feeds")
app.add_typer(analysis_app)  # sql, check, search, report, export: top-level commands


class PageFormat(StrEnum):
    json = "json"
    txt = "txt"


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
    print_counts("ingest", counts)


@app.command()
def enrich(db: DbOption = None) -> None:
    """Find named entities in every article not yet enriched with the current model."""
    quiet_prefect()
    from wirehouse.flows.enrich import enrich as enrich_flow

    print_counts("enrich", _run_flow(enrich_flow, db=str(db) if db else None))


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
    print_counts(f"backfill {mode.value}", counts)


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
    print_counts("ingest", result.ingest)
    print_counts("enrich", result.enrich)
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

