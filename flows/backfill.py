"""Backfill: the ingest and enrich stages over other inputs, for a date range, some feeds or sites.

Modes:
- fetch:      pending links of those items not yet in the warehouse (ingest's queue, narrowed)
- re-extract: clean again from the raw page archive, no network (after an upgrade of the cleaner)
- re-enrich:  enrich again (after an upgrade of the models or the alias table)
- sitemap:    links from the sites' news or archive sitemaps, by lastmod within the range, then as fetch
- warc:       pages from WARC files (e.g. a Common Crawl CC-NEWS download), cleaned and loaded as if fetched

Every mode is idempotent and resumable: the same backfill run again (same mode, parameters and version) finishes
what is left and duplicates nothing; `restart` starts it over.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, time
from enum import StrEnum
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from wirehouse import progress
from wirehouse.flows.common import RunContext, open_archive, page_counts, recorded_run
from wirehouse.flows.enrich import enrich_selection
from wirehouse.flows.ingest import drain_pending
from wirehouse.models import FeedEntry, Selection
from wirehouse.parallel import shared_pool
from wirehouse.settings import Settings
from wirehouse.tasks.archive import ArchivedResponse, ArchiveError, WarcWriter, iter_responses, read_response
from wirehouse.tasks.clean import CleanOptions, cleaner_version
from wirehouse.tasks.enrich import config_from, enrichment_version
from wirehouse.tasks.pages import process_archived
from wirehouse.tasks.sitemaps import scan_site
from wirehouse.tasks.templates import site_key
from wirehouse.warehouse import connect
from wirehouse.warehouse.backfills import (
    count_pages_to_reextract,
    finish_backfill,
    known_pages,
    pages_to_reextract,
    start_backfill,
)
from wirehouse.warehouse.loaders import add_entries, load_pages
from wirehouse.warehouse.site_templates import site_templates


class Mode(StrEnum):
    FETCH = "fetch"
    RE_EXTRACT = "re-extract"
    RE_ENRICH = "re-enrich"
    SITEMAP = "sitemap"
    WARC = "warc"


def parse_bound(value: str | None, *, end: bool) -> datetime | None:
    """An ISO date or date-time; a bare day as an `until` bound means the end of that day. Naive means UTC."""
    if not value:
        return None
    if len(value) == 10:
        day = date.fromisoformat(value)
        return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def site_url(site: str) -> str:
    """A site as given ("www.example.com" or "https://www.example.com/news") as a URL."""
    return site if "://" in site else f"https://{site}"


def site_host(site: str) -> str:
    """"https://www.example.com/news", "www.example.com" and "example.com" all name the site example.com."""
    return site_key(site_url(site))


@task(name="clean-load-archived", cache_policy=NO_CACHE)
def clean_load_archived_task(
    items: list[tuple[FeedEntry, ArchivedResponse]], settings: Settings, run_id: str,
    templates: dict[str, frozenset[int]],
) -> Counter[str]:
    """One batch of kept bodies: clean as if just fetched, load in one transaction."""
    results = process_archived(items, settings, shared_pool(settings.cpu_workers), templates)
    with connect(settings.db, wait=settings.lock_wait) as con:
        load_pages(con, results, run_id, story_threshold=settings.story_threshold, new_attempt=False)
    return page_counts(results)


def _re_extract(run: RunContext, selection: Selection, templates: dict[str, frozenset[int]]) -> None:
    settings, root = run.settings, run.settings.archive_root
    with run.warehouse() as con:
        total = count_pages_to_reextract(con, selection)
    after, done = "", 0
    while True:
        with run.warehouse() as con:
            batch = pages_to_reextract(con, selection, after=after, limit=settings.batch_size)
        if not batch:
            return
        after = batch[-1][0]
        items = []
        for _, page in batch:
            try:
                items.append((page.entry, read_response(root, page.ref)))
            except ArchiveError as exc:  # the page keeps its outcome; a later run of this backfill tries again
                run.stats.add("archive_unreadable")
                get_run_logger().warning("cannot re-extract %s: %s", page.entry.url, exc)
        run.stats.add_all(clean_load_archived_task(items, settings, run.run_id, templates))
        done += len(batch)
        progress.report("pages re-extracted", done, total)


def _in_selection(response: ArchivedResponse, selection: Selection) -> bool:
    at = response.fetched_at
    return ((selection.since is None or at >= selection.since) and (selection.until is None or at <= selection.until)
            and (not selection.sites or site_key(response.url) in selection.sites))


def _warc(run: RunContext, files: list[str], selection: Selection, templates: dict[str, frozenset[int]]) -> None:
    """Every HTML response of the files within the selection (by capture date and site), not loaded before."""
    settings, done = run.settings, 0

    def flush(batch: list[ArchivedResponse]) -> None:
        nonlocal done
        with run.warehouse() as con:
            known = known_pages(con, [r.url for r in batch])
        fresh = {r.url: r for r in batch if r.url not in known}  # a URL captured twice: its last capture
        run.stats.add("warc_already_loaded", len(batch) - len(fresh))
        if fresh:
            items = [(FeedEntry(feed="warc", url=url), r) for url, r in fresh.items()]
            run.stats.add_all(clean_load_archived_task(items, settings, run.run_id, templates))
        done += len(batch)
        progress.report("WARC records", done)

    for name in files:
        path = Path(name).resolve()  # pages point at the file where it is
        batch: list[ArchivedResponse] = []
        records = iter_responses(path, max_body=settings.max_response_bytes)
        while True:
            try:
                response = next(records, None)
            except ArchiveError as exc:  # a truncated download: what it held before the damage is kept
                run.stats.add("warc_errors")
                get_run_logger().error("WARC %s: %s", path, exc)
                break
            if response is None:
                break
            if not site_key(response.url):  # not an http(s) URL with a host: nothing to key a page by
                run.stats.add("warc_bad_urls")
            elif not _in_selection(response, selection):
                run.stats.add("warc_out_of_selection")
            else:
                batch.append(response)
                if len(batch) >= settings.batch_size:
                    flush(batch)
                    batch = []
        if batch:
            flush(batch)
        run.stats.add("warc_files")


def _sitemap(run: RunContext, sites: list[str], files: list[str], selection: Selection,
             templates: dict[str, frozenset[int]], archive: WarcWriter | None) -> None:
    """Each site's sitemap links within the range become entries of `sitemap:<host>`, then are fetched."""
    settings = run.settings
    feeds = []
    for site in sites:
        host = site_host(site)
        scan = scan_site(site_url(site), settings, since=selection.since, until=selection.until, sitemaps=files)
        for error in scan.errors:
            get_run_logger().warning("sitemap %s", error)
        # A feed of their own: the site's feeds keep counting only what they showed (their polling learns from it)
        feed = f"sitemap:{host}"
        entries = [FeedEntry(feed=feed, url=u.url, title=u.title, published_at=u.date, notes=("sitemap",))
                   for u in scan.urls]
        with run.warehouse() as con:
            run.stats.add("entries_new", add_entries(con, entries, run.run_id))
        run.stats.add("sitemaps_read", len(scan.sitemaps_read))
        run.stats.add("sitemap_errors", len(scan.errors))
        run.stats.add("sitemap_urls", len(scan.urls))
        feeds.append(feed)
    # Sitemap dates are often modification dates: the links just found are fetched whatever their entry date.
    drain_pending(run, Selection(feeds=tuple(feeds), sites=selection.sites), templates, archive)


def _version(mode: Mode, settings: Settings) -> str:
    if mode == Mode.RE_EXTRACT:
        return cleaner_version(CleanOptions.from_settings(settings))
    if mode == Mode.RE_ENRICH:
        return enrichment_version(config_from(settings))
    return ""


@flow(name="backfill")
def backfill(
    mode: Mode,
    since: str | None = None,
    until: str | None = None,
    feeds: list[str] | None = None,
    sites: list[str] | None = None,
    files: list[str] | None = None,
    restart: bool = False,
    db: str | None = None,
    feeds_file: str | None = None,
) -> dict[str, int]:
    """Backfill a date range (ISO dates, inclusive), some feeds or sites, in one mode; resumable.

    files: WARC files (warc mode) or sitemap URLs to start from (sitemap mode).
    """
    mode = Mode(mode)
    if mode == Mode.WARC and not files:
        raise ValueError("warc mode needs files: the WARC files to ingest")
    if mode == Mode.SITEMAP and not sites:
        raise ValueError("sitemap mode needs sites: the sites whose sitemaps to read")
    settings = Settings.with_overrides(db=db, feeds_file=feeds_file)
    params = {"since": since, "until": until, "feeds": sorted(feeds or []), "sites": sorted(sites or []),
              "files": list(files or [])}
    selection = Selection(since=parse_bound(since, end=False), until=parse_bound(until, end=True),
                          feeds=tuple(feeds or ()), sites=tuple(site_host(s) for s in sites or ()))
    with recorded_run("backfill", settings) as run:
        with run.warehouse() as con:
            job = start_backfill(con, str(mode), params, _version(mode, settings), run.run_id, restart=restart)
            templates = site_templates(con)
        run.stats.add("backfill_runs", job.runs)
        get_run_logger().info("backfill %s (%s), run %d of it: %s", job.backfill_id, mode, job.runs, params)
        resumed = replace(selection, done_since=job.started_at)
        if mode == Mode.RE_EXTRACT:
            _re_extract(run, resumed, templates)
        elif mode == Mode.RE_ENRICH:
            enrich_selection(run, resumed)
        elif mode == Mode.WARC:
            _warc(run, list(files or []), selection, templates)
        else:
            with open_archive(settings, run.run_id) as archive:
                if mode == Mode.FETCH:
                    drain_pending(run, selection, templates, archive)
                else:
                    _sitemap(run, list(sites or []), list(files or []), selection, templates, archive)
        with run.warehouse() as con:
            finish_backfill(con, job.backfill_id)
        return dict(run.stats.counts)
