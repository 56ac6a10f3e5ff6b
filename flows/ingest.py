"""Ingest: poll the feeds, record new entries, then fetch → clean → load their pages in batches."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from wirehouse.flows.common import recorded_run
from wirehouse.models import Feed, FeedEntry, FeedPoll, FeedState
from wirehouse.parallel import shared_pool
from wirehouse.settings import Settings
from wirehouse.tasks.feedlist import load_feed_list
from wirehouse.tasks.feeds import feed_access_status, poll_feeds
from wirehouse.tasks.pages import process_entries
from wirehouse.tasks.schedule import after_poll, is_due
from wirehouse.warehouse import connect
from wirehouse.warehouse.loaders import PollRecord, load_pages, pending_entries, record_polls, sync_feeds
from wirehouse.warehouse.site_templates import learn_site_templates, site_templates


@task(name="poll-feeds", cache_policy=NO_CACHE)
def poll_feeds_task(feeds: list[Feed], states: dict[str, FeedState], settings: Settings) -> list[FeedPoll]:
    return poll_feeds(feeds, states, settings)


@task(name="fetch-clean-load", cache_policy=NO_CACHE)
def fetch_clean_load_task(
    entries: list[FeedEntry], settings: Settings, run_id: str, templates: dict[str, frozenset[int]]
) -> Counter[str]:
    """One batch: fetch or take feed content, clean, and load in one transaction."""
    results = process_entries(entries, settings, shared_pool(settings.cpu_workers), templates)
    with connect(settings.db, wait=settings.lock_wait) as con:
        load_pages(con, results, run_id, story_threshold=settings.story_threshold)
    counts = Counter(f"pages_{r.outcome}" for r in results)
    counts.update(f"reason: {r.reason.split(':')[0]}" for r in results if r.reason)
    return counts


@flow(name="ingest")
def ingest(feeds_file: str | None = None, db: str | None = None, force: bool = False) -> dict[str, int]:
    """Poll the feeds that are due (all with force) and load the new articles; safe to re-run at any time."""
    settings = Settings.with_overrides(feeds_file=feeds_file, db=db)
    feeds = load_feed_list(Path(settings.feeds_file))
    with recorded_run("ingest", settings) as run:
        with run.warehouse() as con:
            states = sync_feeds(con, feeds)
            templates = site_templates(con)
        now = datetime.now(UTC)
        due = [f for f in feeds if force or is_due(states[f.name], now)]
        run.stats.add("feeds_not_due", len(feeds) - len(due))
        polls = poll_feeds_task(due, states, settings) if due else []
        records = []
        for poll in polls:
            state, gone_reason = after_poll(states[poll.feed.name], poll, settings)
            records.append(PollRecord(poll, state, gone_reason, str(feed_access_status(poll))))
            run.stats.add(f"feeds_{poll.status}")
            if gone_reason:
                run.stats.add("feeds_gone")
                get_run_logger().warning("feed %s is gone: %s", poll.feed.name, gone_reason)
        run.stats.add("feeds_polled", len(polls))
        with run.warehouse() as con:
            run.stats.add("entries_new", record_polls(con, records, run.run_id))
        # Pending work comes from the warehouse, not from this poll: a crashed run's leftovers are picked up.
        previous: list[str] = []
        while True:
            with run.warehouse() as con:
                batch = pending_entries(
                    con, run_id=run.run_id, max_attempts=settings.max_fetch_attempts, limit=settings.batch_size
                )
            if not batch:
                break
            if [e.url for e in batch] == previous:  # a batch that changed nothing would come back for ever
                get_run_logger().error("ingest made no progress on %d pending links; stopping", len(batch))
                run.stats.add("stalled_batches")
                break
            previous = [e.url for e in batch]
            for key, n in fetch_clean_load_task(batch, settings, run.run_id, templates).items():
                run.stats.add(key, n)
        if run.stats.counts.get("pages_article"):
            with run.warehouse() as con:
                run.stats.add("template_blocks_known", learn_site_templates(
                    con, window=settings.template_window, min_pages=settings.template_min_pages,
                    min_share=settings.template_min_share))
        return dict(run.stats.counts)
