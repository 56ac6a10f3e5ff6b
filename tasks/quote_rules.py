"""What quote attribution looks for: the word lists of quotes.toml, read once and checked, and the entity labels.

The lists keep the names they had as constants (SPEECH_VERBS, ANONYMOUS_NOUNS, ...); the limits on how far the
patterns reach stay next to the code that applies them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from wirehouse.tasks.names import PERSON_TITLES
from wirehouse.tasks.wordlists import LOWER_PHRASE, WordListError, read_toml, word_list, word_set

DEFAULT_WORDS = Path(__file__).with_name("quotes.toml")


class QuoteWords(NamedTuple):
    """quotes.toml, one field per key; the file documents each list."""

    listener_verbs: frozenset[str]
    speaker_after_verbs: frozenset[str]
    pronouns: frozenset[str]
    between_speaker_and_verb: frozenset[str]
    time_prepositions: frozenset[str]
    prepositions: frozenset[str]
    anonymous_nouns: frozenset[str]
    nouns_needing_tail: frozenset[str]
    source_tails: tuple[tuple[str, ...], ...]
    determiners: frozenset[str]
    source_modifiers: frozenset[str]
    clause_words: frozenset[str]
    title_joiners: frozenset[str]
    abbreviations: frozenset[str]
    title_small_words: frozenset[str]
    speech_verbs: Mapping[str, tuple[str, ...]]


@cache
def load_quote_words(path: Path = DEFAULT_WORDS) -> QuoteWords:
    data = read_toml(path, QuoteWords._fields)
    verbs = _speech_verbs(data["speech_verbs"], f"{path}: speech_verbs")
    fields: dict[str, Any] = {
        key: word_set(data[key], f"{path}: {key}")
        for key in QuoteWords._fields
        if key not in ("speech_verbs", "listener_verbs", "speaker_after_verbs", "source_tails")
    }
    for key in ("listener_verbs", "speaker_after_verbs"):
        fields[key] = word_set(data[key], f"{path}: {key}", LOWER_PHRASE)
        unknown = sorted(fields[key] - verbs.keys())
        if unknown:
            raise WordListError(f"{path}: {key}: {', '.join(map(repr, unknown))} not in speech_verbs")
    tails = word_list(data["source_tails"], f"{path}: source_tails", LOWER_PHRASE)
    return QuoteWords(speech_verbs=verbs, source_tails=tuple(tuple(t.split()) for t in tails), **fields)


def _speech_verbs(value: Any, where: str) -> Mapping[str, tuple[str, ...]]:
    """verb = [forms]: each form stands for one verb only."""
    if not isinstance(value, dict) or not value:
        raise WordListError(f"{where}: expected a table of verb = [forms]")
    verb_of: dict[str, str] = {}
    for verb, forms in value.items():
        if not LOWER_PHRASE.pattern.fullmatch(verb):
            raise WordListError(f"{where}: verb {verb!r} is not {LOWER_PHRASE.description}")
        for form in word_list(forms, f"{where}.{verb}", LOWER_PHRASE):
            if form in verb_of:
                raise WordListError(f"{where}: {form!r} is a form of both {verb_of[form]!r} and {verb!r}")
            verb_of[form] = verb
    return MappingProxyType({verb: tuple(forms) for verb, forms in value.items()})


_WORDS = load_quote_words()
# Attribution verb as stored → the forms that count.
SPEECH_VERBS = _WORDS.speech_verbs
LISTENER_VERBS = _WORDS.listener_verbs
SPEAKER_AFTER_VERBS = _WORDS.speaker_after_verbs
PRONOUNS = _WORDS.pronouns
BETWEEN_SPEAKER_AND_VERB = _WORDS.between_speaker_and_verb
TIME_PREPOSITIONS = _WORDS.time_prepositions
PREPOSITIONS = _WORDS.prepositions
ANONYMOUS_NOUNS = _WORDS.anonymous_nouns
NOUNS_NEEDING_TAIL = _WORDS.nouns_needing_tail
SOURCE_TAILS = _WORDS.source_tails
DETERMINERS = _WORDS.determiners
SOURCE_MODIFIERS = _WORDS.source_modifiers
CLAUSE_WORDS = _WORDS.clause_words
ABBREVIATIONS = _WORDS.abbreviations
TITLE_SMALL_WORDS = _WORDS.title_small_words
# Words that may stand between an inverted verb and the name, "said Defense Minister Yoav Gallant": the titles
# tasks/names.py strips from names, and the words that join them.
TITLE_WORDS = frozenset(w.lower() for title in PERSON_TITLES for w in title.split()) | _WORDS.title_joiners

SPEAKER_LABELS = frozenset({"PERSON", "ORG", "GPE"})  # GPE: "Iran said" speaks for its government
PERSON_LABELS = frozenset({"PERSON"})
TIME_LABELS = frozenset({"DATE", "TIME"})  # "Gallant on Wednesday said"

_VERB_OF_FORM = {form: verb for verb, forms in SPEECH_VERBS.items() for form in forms}
VERB_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in sorted(_VERB_OF_FORM, key=len, reverse=True))
    + r"|According\s+to)\b"
)


def verb_name(form: str) -> str:
    """The verb as stored for a form VERB_RE found: "Says" → "said", "according  to" → "according to"."""
    return _VERB_OF_FORM.get(" ".join(form.lower().split()), form.lower())
