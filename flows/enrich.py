"""Enrich: named entities for every article without the current enrichment version, batch by batch."""

from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from wirehouse.flows.common import recorded_run
from wirehouse.models import ArticleText
from wirehouse.parallel import shared_pool
from wirehouse.settings import Settings
from wirehouse.tasks.enrich import enrich_articles, enrichment_version
from wirehouse.warehouse import connect
from wirehouse.warehouse.loaders import articles_to_enrich, replace_mentions


@task(name="enrich-batch", cache_policy=NO_CACHE)
def enrich_batch_task(articles: list[ArticleText], settings: Settings, version: str, run_id: str) -> int:
    pool = shared_pool(settings.cpu_workers)
    try:
        executor = pool.for_batch(len(articles))
        mentions = enrich_articles(articles, settings.spacy_model, batch_size=settings.spacy_batch_size,
                                   executor=executor)
    except BrokenProcessPool as exc:
        if not pool.discard_broken(exc):
            raise
        mentions = enrich_articles(articles, settings.spacy_model, batch_size=settings.spacy_batch_size)
    with connect(settings.db, wait=settings.lock_wait) as con:
        replace_mentions(con, articles, mentions, version=version, run_id=run_id)
    return len(mentions)


@flow(name="enrich")
def enrich(db: str | None = None) -> dict[str, int]:
    """Enrich what is not enriched with the current version; re-running does nothing new."""
    settings = Settings.with_overrides(db=db)
    version = enrichment_version(settings.spacy_model)
    with recorded_run("enrich", settings) as run:
        while True:
            with run.warehouse() as con:
                batch = articles_to_enrich(con, version, settings.batch_size)
            if not batch:
                break
            run.stats.add("articles_enriched", len(batch))
            run.stats.add("mentions", enrich_batch_task(batch, settings, version, run.run_id))
        return dict(run.stats.counts)
