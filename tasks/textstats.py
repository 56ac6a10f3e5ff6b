"""Article-level reading aids: keyphrases (RAKE), tone (VADER), an extractive summary, length and reading time."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import cache

from spacy.tokens import Doc
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

WORDS_PER_MINUTE = 230  # adult silent reading of non-fiction
SUMMARY_SENTENCES = 3
MIN_SUMMARY_WORDS = 6
LEAD_WEIGHT = 3.0
# Reporting verbs split phrases like stop words do: "official said" is no key phrase.
REPORTING_WORDS = frozenset({"said", "says", "say", "told", "tells", "added", "according", "asked", "noted"})
KEYPHRASES = 10
MAX_PHRASE_WORDS = 3
_WORD = re.compile(r"\w+", re.UNICODE)


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def reading_minutes(words: int) -> float:
    return round(words / WORDS_PER_MINUTE, 1)


def keyphrases(doc: Doc, top: int = KEYPHRASES) -> list[str]:
    """Key phrases, best first: RAKE over the spaCy tokens the pipeline already made.

    Candidate phrases are runs of up to three content words between stop words, punctuation and numbers; a
    word scores its co-occurrence degree over its frequency, a phrase the sum of its words times how often it
    occurs. It reads token flags the tokenizer set anyway, so it costs a fraction of YAKE (which re-tokenises
    and computes five features per word: 40% of the whole enrichment time on news articles, measured).
    """
    phrases: Counter[tuple[str, ...]] = Counter()
    surface: dict[tuple[str, ...], Counter[str]] = {}
    run: list = []

    def close() -> None:
        for i in range(0, len(run), MAX_PHRASE_WORDS):
            part = run[i : i + MAX_PHRASE_WORDS]
            key = tuple(t.lower_ for t in part)
            phrases[key] += 1
            surface.setdefault(key, Counter())[" ".join(t.text for t in part)] += 1
        run.clear()

    for token in doc:
        if token.is_sent_start:
            close()
        if not _content_word(token):
            close()
        else:
            run.append(token)
    close()
    frequency: Counter[str] = Counter()
    degree: Counter[str] = Counter()
    for key, count in phrases.items():
        for word in key:
            frequency[word] += count
            degree[word] += count * len(key)
    ranked = sorted(phrases, key=lambda k: (-phrases[k] * sum(degree[w] / frequency[w] for w in k), k))
    chosen: list[tuple[str, ...]] = []
    for key in ranked:
        if len(chosen) == top:
            break
        if not any(_contains(other, key) for other in chosen):
            chosen.append(key)
    return [surface[key].most_common(1)[0][0] for key in chosen]


def _content_word(token) -> bool:
    if token.is_stop or token.is_punct or token.is_space or token.like_num or not token.is_alpha:
        return False
    return len(token) > 1 and token.lower_ not in REPORTING_WORDS


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


@cache
def _sentiment_analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def sentiment(text: str, sentences: Sequence[tuple[int, int]]) -> float | None:
    """Mean VADER compound score over sentences, -1 (negative) .. 1 (positive); English only."""
    scores = [_sentiment_analyzer().polarity_scores(text[start:end])["compound"] for start, end in sentences]
    return round(sum(scores) / len(scores), 4) if scores else None


def summary(text: str, sentences: Sequence[tuple[int, int]], phrases: Sequence[str]) -> str | None:
    """The most central sentences, in article order: scored by the key phrases they hold, earlier ones first."""
    if not sentences:
        return None
    lowered = [p.lower() for p in phrases]
    scored = []
    for index, (start, end) in enumerate(sentences):
        sentence = text[start:end].lower()
        if len(sentence.split()) < MIN_SUMMARY_WORDS:  # datelines, headings, captions
            continue
        hits = sum(len(lowered) - rank for rank, phrase in enumerate(lowered) if phrase in sentence)
        position = LEAD_WEIGHT / (1 + index)  # news puts the gist first: lead sentences are hard to beat
        scored.append((hits + position * len(lowered), index))
    if not scored:
        return None
    chosen = sorted(index for _, index in sorted(scored, reverse=True)[:SUMMARY_SENTENCES])
    return " ".join(text[sentences[i][0] : sentences[i][1]].strip() for i in chosen)
