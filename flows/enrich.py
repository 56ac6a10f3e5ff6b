"""Enrich: entities, sentences, quotes and summaries for every article without the current enrichment version."""

from __future__ import annotations

import threading
from collections import deque
from concurrent.futures.process import BrokenProcessPool

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture

from wirehouse import progress
from wirehouse.flows.common import RunContext, recorded_run
from wirehouse.models import ArticleText, Selection
from wirehouse.parallel import NER_WEAR, shared_pool
from wirehouse.settings import Settings
from wirehouse.tasks.enrich import EnrichConfig, config_from, enrich_articles, enrichment_version
from wirehouse.warehouse import connect
from wirehouse.warehouse.enrichments import articles_to_enrich, replace_enrichments
from wirehouse.warehouse.search import build_search_index, search_index_stale

_WRITES = threading.Lock()


@task(name="enrich-batch", cache_policy=NO_CACHE)
def enrich_batch_task(
    articles: list[ArticleText], config: EnrichConfig, settings: Settings, version: str, run_id: str
) -> dict[str, int]:
    pool = shared_pool(settings.cpu_workers)
    with pool.lend(len(articles), wear=NER_WEAR) as executor:
        try:
            results = enrich_articles(articles, config, executor=executor)
        except BrokenProcessPool:
            pool.discard_broken(executor)
            results = enrich_articles(articles, config)  # a worker died (memory?): this batch in this process
    # Two batches may be in flight; their writes take turns (two transactions adding one new entity conflict).
    with _WRITES, connect(settings.db, wait=settings.lock_wait) as con:
        replace_enrichments(con, results, version=version, run_id=run_id)
    return {
        "articles_enriched": len(results),
        "mentions": sum(len(r.mentions) for r in results),
        "quotes": sum(len(r.quotes) for r in results),
        "articles_with_skipped_steps": sum(1 for r in results if r.skipped),
        "articles_failed": sum(1 for r in results if any(s.startswith("error:") for s in r.skipped)),
    }


@flow(name="enrich", retries=1, retry_delay_seconds=60)
def enrich(db: str | None = None) -> dict[str, int]:
    """Enrich what is not enriched with the current version; re-running does nothing new."""
    settings = Settings.with_overrides(db=db)
    with recorded_run("enrich", settings) as run:
        enrich_selection(run, Selection())
        return dict(run.stats.counts)


def enrich_selection(run: RunContext, selection: Selection) -> None:
    """Enrich the selection's articles that need it (and those enriched before selection.done_since), then bring
    the full-text index up to date."""
    settings = run.settings
    config = config_from(settings)
    version = enrichment_version(config)
    # With worker processes, two batches are in flight: the workers start on the next batch while this one is
    # loaded into DuckDB. In-process, spaCy must not run in two threads at once: one batch at a time.
    in_flight = 2 if settings.cpu_workers > 1 else 1
    running: deque[PrefectFuture] = deque()
    after, done = "", 0
    while True:
        with run.warehouse() as con:
            batch = articles_to_enrich(con, version, settings.batch_size, after=after, selection=selection)
        if not batch:
            break
        after = batch[-1].article_id
        running.append(enrich_batch_task.submit(batch, config, settings, version, run.run_id))
        if len(running) >= in_flight:
            done += _count(run, running.popleft().result())
            progress.report("articles enriched", done)
    while running:
        done += _count(run, running.popleft().result())
        progress.report("articles enriched", done)
    with run.warehouse() as con:  # with the enrichment: the full-text index is a full rebuild
        indexed = build_search_index(con) if search_index_stale(con) else None
    if indexed is not None:
        run.stats.add("search_index_articles", indexed)


def _count(run: RunContext, counts: dict[str, int]) -> int:
    run.stats.add_all(counts)
    return counts["articles_enriched"]
