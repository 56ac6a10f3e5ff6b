"""Ingest: poll the feeds that are due, record new entries, then fetch → clean → load their pages in batches.

Once, or continuously for `run_for` seconds: then it sleeps until the next feed is due and polls again, so a
scheduled run every few minutes keeps fast feeds fresh in between (tasks/polling.py learns each feed's interval).
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from wirehouse import progress
from wirehouse.flows.common import RunContext, open_archive, page_counts, recorded_run
from wirehouse.models import Feed, FeedEntry, FeedPoll, FeedState, Selection
from wirehouse.parallel import shared_pool
from wirehouse.settings import Settings
from wirehouse.tasks.archive import WarcWriter
from wirehouse.tasks.feedlist import load_feed_list
from wirehouse.tasks.feeds import feed_access_status, poll_feeds
from wirehouse.tasks.pages import process_entries
from wirehouse.tasks.schedule import after_poll, is_due, next_due
from wirehouse.warehouse import connect
from wirehouse.warehouse.loaders import (
    PollRecord,
    load_pages,
    pending_entries,
    record_polls,
    seen_entries,
    sync_feeds,
)
from wirehouse.warehouse.site_templates import learn_site_templates, site_templates

# A continuous run never sleeps longer than this, so it notices the end of its time and new feeds in the list;
# nor shorter than this, so feeds configured to be polled every run (interval 0) are not polled in a tight loop.
LONGEST_NAP = 30.0
SHORTEST_NAP = 1.0


@task(name="poll-feeds", cache_policy=NO_CACHE)
def poll_feeds_task(feeds: list[Feed], states: dict[str, FeedState], settings: Settings) -> list[FeedPoll]:
    return poll_feeds(feeds, states, settings)


_WRITES = threading.Lock()  # two batches in flight load in turns: their story and template writes would conflict


@task(name="fetch-clean-load", cache_policy=NO_CACHE)
def fetch_clean_load_task(
    entries: list[FeedEntry], settings: Settings, run_id: str, templates: dict[str, frozenset[int]],
    archive: WarcWriter | None = None,
) -> Counter[str]:
    """One batch: fetch or take feed content, archive the bodies, clean, and load in one transaction."""
    results = process_entries(entries, settings, shared_pool(settings.cpu_workers), templates, archive)
    if archive is not None:
        archive.sync()  # the warehouse must never point at archived bytes a power cut could take back
    with _WRITES, connect(settings.db, wait=settings.lock_wait) as con:
        load_pages(con, results, run_id, story_threshold=settings.story_threshold)
    return page_counts(results)


def drain_pending(
    run: RunContext, selection: Selection, templates: dict[str, frozenset[int]], archive: WarcWriter | None
) -> None:
    """Fetch, clean and load every pending link of the selection, batch by batch. Pending work comes from the
    warehouse, not from a poll: a crashed run's leftovers are picked up by the next.

    With worker processes, two batches are in flight: one is fetched (network, this process) while the workers
    clean the other; alone, a batch would leave the workers idle while it fetches and the network while it cleans.
    """
    settings, done = run.settings, 0
    in_flight = 2 if settings.cpu_workers > 1 else 1
    running: deque[tuple[list[str], Callable[[], Counter[str]]]] = deque()  # (links, their counts when done)
    previous: list[str] = []

    def settle() -> None:
        nonlocal done
        urls, counts = running.popleft()
        run.stats.add_all(counts())
        done += len(urls)
        progress.report("pages", done)

    while True:
        busy = {url for urls, _ in running for url in urls}
        with run.warehouse() as con:  # links of the batches in flight are still pending: taken, but not again
            pending = pending_entries(con, run_id=run.run_id, max_attempts=settings.max_fetch_attempts,
                                      limit=settings.batch_size + len(busy), selection=selection)
        batch = [e for e in pending if e.url not in busy][: settings.batch_size]
        urls = [e.url for e in batch]
        if urls and urls == previous:  # a batch that changed nothing would come back for ever
            get_run_logger().error("no progress on %d pending links; stopping", len(batch))
            run.stats.add("stalled_batches")
            while running:
                settle()
            return
        if not batch:
            if not running:
                return
            settle()
            continue
        previous = urls
        if in_flight == 1:  # in this thread, where a page's time budget can interrupt it without a worker process
            counts = fetch_clean_load_task(batch, settings, run.run_id, templates, archive)
            running.append((urls, lambda counts=counts: counts))
        else:
            running.append((urls, fetch_clean_load_task.submit(batch, settings, run.run_id, templates, archive).result))
        if len(running) >= in_flight:
            settle()


def poll_due_feeds(run: RunContext, feeds: list[Feed], force: bool) -> datetime | None:
    """Poll the feeds that are due (all with force) and record what they hold; returns when the next one is due."""
    settings = run.settings
    with run.warehouse() as con:
        states = sync_feeds(con, feeds)
    now = datetime.now(UTC)
    due = [f for f in feeds if force or is_due(states[f.name], now)]
    run.stats.add("feeds_not_due", len(feeds) - len(due))
    polls = poll_feeds_task(due, states, settings) if due else []
    with run.warehouse() as con:
        seen = seen_entries(con, polls)
    records = []
    for poll in polls:
        state, gone_reason = after_poll(states[poll.feed.name], poll, settings, seen.get(poll.feed.name, 0))
        states[poll.feed.name] = state
        records.append(PollRecord(poll, state, gone_reason, str(feed_access_status(poll))))
        run.stats.add(f"feeds_{poll.status}")
        if gone_reason:
            run.stats.add("feeds_gone")
            get_run_logger().warning("feed %s is gone: %s", poll.feed.name, gone_reason)
    run.stats.add("feeds_polled", len(polls))
    with run.warehouse() as con:
        run.stats.add("entries_new", record_polls(con, records, run.run_id))
    return next_due(states.values())


@flow(name="ingest", retries=1, retry_delay_seconds=30)
def ingest(
    feeds_file: str | None = None, db: str | None = None, force: bool = False, run_for: float = 0
) -> dict[str, int]:
    """Poll the feeds that are due (all with force) and load the new articles; safe to re-run at any time.

    run_for: keep going that many seconds, polling each feed again when it is due (0: one pass).
    """
    settings = Settings.with_overrides(feeds_file=feeds_file, db=db)
    deadline = time.monotonic() + run_for
    with recorded_run("ingest", settings) as run, open_archive(settings, run.run_id) as archive:
        with run.warehouse() as con:
            templates = site_templates(con)
        while True:
            feeds = load_feed_list(Path(settings.feeds_file))  # re-read: a continuous run sees edits
            due_at = poll_due_feeds(run, feeds, force)
            force = False
            drain_pending(run, Selection(), templates, archive)
            run.stats.add("cycles")
            left = deadline - time.monotonic()
            if left <= 0:
                break
            until_due = (due_at - datetime.now(UTC)).total_seconds() if due_at else LONGEST_NAP
            time.sleep(min(max(until_due, SHORTEST_NAP), left, LONGEST_NAP))
        if run.stats.counts.get("pages_article"):
            with run.warehouse() as con:
                run.stats.add("template_blocks_known", learn_site_templates(
                    con, window=settings.template_window, min_pages=settings.template_min_pages,
                    min_share=settings.template_min_share))
        return dict(run.stats.counts)
