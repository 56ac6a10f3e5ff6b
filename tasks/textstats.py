"""Article-level reading aids: keyphrases (YAKE), tone (VADER), an extractive summary, length and reading time."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import yake
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

WORDS_PER_MINUTE = 230  # adult silent reading of non-fiction
SUMMARY_SENTENCES = 3
MIN_SUMMARY_WORDS = 6
KEYPHRASES = 10
# YAKE ships stop word lists for these; other languages get language-neutral extraction ("noLang" lists).
YAKE_LANGUAGES = frozenset({
    "ar", "bg", "br", "cz", "da", "de", "el", "en", "es", "et", "fa", "fi", "fr", "hi", "hr", "hu", "hy",
    "id", "it", "ja", "lt", "lv", "nl", "no", "pl", "pt", "ro", "ru", "sk", "sl", "sv", "tr", "uk", "zh",
})
_WORD = re.compile(r"\w+", re.UNICODE)


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def reading_minutes(words: int) -> float:
    return round(words / WORDS_PER_MINUTE, 1)


@cache
def _keyword_extractor(language: str) -> yake.KeywordExtractor:
    return yake.KeywordExtractor(lan=language if language in YAKE_LANGUAGES else "noLang", n=3, top=KEYPHRASES,
                                 dedupLim=0.7)


def keyphrases(text: str, language: str | None) -> list[str]:
    """The article's key phrases, best first (YAKE: statistical, works on any language, needs no model)."""
    if not text.strip():
        return []
    found = _keyword_extractor(language or "en").extract_keywords(text)
    return [phrase for phrase, _score in sorted(found, key=lambda pair: pair[1])]


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
        position = 1.0 / (1 + index)  # news puts the gist first
        scored.append((hits + position * len(lowered), index))
    if not scored:
        return None
    chosen = sorted(index for _, index in sorted(scored, reverse=True)[:SUMMARY_SENTENCES])
    return " ".join(text[sentences[i][0] : sentences[i][1]].strip() for i in chosen)
