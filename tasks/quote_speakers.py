"""Who a speech verb goes with: the words left of it (its subject) or right of it (inverted, "said Gallant").

Each resolver reads the words that end (left side) or start (right side) at a position and returns the speaker
with where its words begin (left) or end (right), or None. Tried in order: the first that answers wins. A speaker
is a named entity, a pronoun resolved to the nearest person, an anonymous source ("a senior official") or a
capitalised name the model left untagged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from wirehouse.models import EntityMention
from wirehouse.tasks.quote_context import MaskedArticle, Word, breaks_clause, word_count, words_after, words_before
from wirehouse.tasks.quote_marks import CLOSING_MARKS, STRAIGHT_MARK
from wirehouse.tasks.quote_rules import (
    ANONYMOUS_NOUNS,
    BETWEEN_SPEAKER_AND_VERB,
    CLAUSE_WORDS,
    DETERMINERS,
    NOUNS_NEEDING_TAIL,
    PERSON_LABELS,
    PREPOSITIONS,
    PRONOUNS,
    SOURCE_MODIFIERS,
    SOURCE_TAILS,
    SPEAKER_LABELS,
    TIME_PREPOSITIONS,
    TITLE_WORDS,
)

MAX_TAIL_OBJECT_WORDS = 4  # "familiar with [the Israeli leader's thinking]"
MAX_MODIFIERS = 5
MAX_APPOSITIVE_WORDS = 15  # "Jeff Rathke, the State Department Spokesperson, said"


@dataclass(frozen=True, slots=True)
class Speaker:
    text: str | None
    canonical: str | None
    kind: str  # named | anonymous | unknown


Found = tuple[Speaker, int]  # the speaker, and where its words begin (left of a verb) or end (right of it)


def _named(mention: EntityMention) -> Speaker:
    return Speaker(mention.text, mention.canonical, "named")


def _pronoun_speaker(article: MaskedArticle, word: Word, anchor: int) -> Speaker:
    """he/she/they: the nearest PERSON before the quote (and before the pronoun), outside quotations."""
    person = article.nearest_person_before(min(anchor, word.start))
    if person is None:
        return Speaker(word.text, None, "unknown")
    return Speaker(word.text, person.canonical, "named")


def _name_run(words: Sequence[Word], *, from_end: bool) -> list[Word]:
    """Up to three capitalised words at one end of a run: a name NER left untagged ("Gallant said")."""
    run: list[Word] = []
    for w in reversed(words) if from_end else words:
        if not w.text[0].isupper() or w.low in CLAUSE_WORDS or w.low in DETERMINERS or len(run) == 3:
            break
        run.append(w)
    return list(reversed(run)) if from_end else run


def _surname_speaker(article: MaskedArticle, run: Sequence[Word], *, opens_sentence: bool) -> Speaker | None:
    """A PERSON named so elsewhere in the article ("Gallant" → "Yoav Gallant"), else the words as written —
    unless they open the sentence, where a capital says nothing ("Critics said")."""
    written = article.text[run[0].start : run[-1].end]
    last = run[-1].text
    for person in reversed(article.persons):
        if last in (_last_word(person.text), _last_word(person.canonical)):
            return Speaker(written, person.canonical, "named")
    return None if opens_sentence else Speaker(written, None, "named")


def _opens_sentence_at(text: str, i: int) -> bool:
    """Only a full stop or the start of the text before position i. Right after a quotation ("…?" Schiff
    asked.) is the attribution's place, whatever the punctuation inside the marks."""
    j = i - 1
    while j >= 0 and text[j].isspace():
        j -= 1
    return j < 0 or (text[j] in ".!?…" and text[j] not in CLOSING_MARKS + STRAIGHT_MARK)


def _last_word(name: str) -> str:
    words = name.split()
    return words[-1] if words else ""


def _mention_left(
    article: MaskedArticle, p: int, lo: int, anchor: int, labels: frozenset[str] = SPEAKER_LABELS
) -> Found | None:
    words = words_before(article.masked, p, lo, limit=1)
    if not words:
        return None
    mention = article.speaker_by_end.get(words[-1].end)
    if mention is None or mention.start < lo or mention.label not in labels:
        return None
    before = words_before(article.masked, mention.start, lo, limit=1)
    if before and before[-1].low in PREPOSITIONS:
        # "a spokesman for Hamas": the source is the phrase, not the organisation it speaks for.
        source = _anonymous_left(article, before[-1].start, lo, anchor)
        if source is not None:
            phrase = article.text[source[1] : mention.end]
            return Speaker(phrase, None, "anonymous"), source[1]
        return None
    return _named(mention), mention.start


def _person_left(article: MaskedArticle, p: int, lo: int, anchor: int) -> Found | None:
    return _mention_left(article, p, lo, anchor, labels=PERSON_LABELS)


def _pronoun_left(article: MaskedArticle, p: int, lo: int, anchor: int) -> Found | None:
    words = words_before(article.masked, p, lo, limit=1)
    if words and words[-1].low in PRONOUNS:
        return _pronoun_speaker(article, words[-1], anchor), words[-1].start
    return None


def _noun_index(words: Sequence[Word]) -> int | None:
    """Where the source noun sits in a run of words that ends the phrase: last, or just before a tail."""
    if words[-1].low in ANONYMOUS_NOUNS:
        return len(words) - 1
    for k in range(max(1, len(words) - len(max(SOURCE_TAILS, key=len)) - MAX_TAIL_OBJECT_WORDS), len(words)):
        noun = words[k - 1].low
        if noun in ANONYMOUS_NOUNS or noun in NOUNS_NEEDING_TAIL:
            tail = _tail_length(words, k)
            if tail and len(words) - k - tail <= MAX_TAIL_OBJECT_WORDS:
                return k - 1
    return None


def _tail_length(words: Sequence[Word], k: int) -> int:
    lows = tuple(w.low for w in words[k:])
    return next((len(t) for t in SOURCE_TAILS if lows[: len(t)] == t), 0)


def _is_modifier(word: Word) -> bool:
    low = word.low
    if low in CLAUSE_WORDS or low in DETERMINERS:
        return False
    return low in SOURCE_MODIFIERS or word.text[0].isupper() or low.endswith(("'s", "’s"))


def _anonymous_left(article: MaskedArticle, p: int, lo: int, anchor: int) -> Found | None:
    words = words_before(article.masked, p, lo)
    if not words:
        return None
    noun = _noun_index(words)
    if noun is None:
        return None
    first = noun
    while first > 0 and noun - first < MAX_MODIFIERS and _is_modifier(words[first - 1]):
        first -= 1
    if first > 0 and words[first - 1].low in DETERMINERS:
        first -= 1
    phrase = article.text[words[first].start : words[-1].end]
    return Speaker(phrase, None, "anonymous"), words[first].start


def _surname_left(article: MaskedArticle, p: int, lo: int, anchor: int) -> Found | None:
    run = _name_run(words_before(article.masked, p, lo, limit=3), from_end=True)
    if not run:
        return None
    before = words_before(article.masked, run[0].start, lo, limit=2)
    if before and before[-1].low == "the":
        before = before[:-1]
    if before and before[-1].low in PREPOSITIONS:  # "Iran's mission to the UN said": not the UN
        return None
    speaker = _surname_speaker(article, run, opens_sentence=_opens_sentence_at(article.text, run[0].start))
    return (speaker, run[0].start) if speaker else None


LEFT_RESOLVERS: tuple[Callable[[MaskedArticle, int, int, int], Found | None], ...] = (
    _person_left,  # a person anywhere in an appositive chain beats the place or body it names
    _mention_left,
    _pronoun_left,
    _anonymous_left,
    _surname_left,
)


def _skip_to_speaker(article: MaskedArticle, p: int, lo: int) -> int:
    """Step left over what may separate a speaker from its verb: adverbs, auxiliaries, dates."""
    for _ in range(4):
        words = words_before(article.masked, p, lo, limit=1)
        if not words:
            return p
        word = words[-1]
        time = article.time_by_end.get(word.end)
        if time is not None and time.start >= lo:
            p = time.start
            before = words_before(article.masked, p, lo, limit=1)
            if before and before[-1].low in TIME_PREPOSITIONS:
                p = before[-1].start
        elif word.low in BETWEEN_SPEAKER_AND_VERB or (word.text.islower() and word.low.endswith("ly")):
            p = word.start
        else:
            return p
    return p


def _appositive_positions(article: MaskedArticle, p: int, lo: int) -> list[int]:
    """Where a speaker may end when a comma precedes the verb: before each comma of the appositive, nearest first,
    then the appositive itself ("Cynthia Thompson, curator at the University of Arkansas, Fayetteville, said")."""
    stretch = article.masked[lo:p].rstrip()
    if not stretch.endswith(","):
        return [p]
    comma_at = lo + len(stretch) - 1
    positions = []
    before = article.masked.rfind(",", lo, comma_at)
    while before >= 0:
        appositive = article.masked[before + 1 : comma_at]
        if breaks_clause(appositive) or word_count(appositive, 0, len(appositive)) > MAX_APPOSITIVE_WORDS:
            break
        positions.append(before)
        before = article.masked.rfind(",", lo, before)
    return [*positions, comma_at]


def speaker_left(article: MaskedArticle, verb_start: int, lo: int, anchor: int) -> Found | None:
    """The subject left of the verb: "Gallant said", "Jeff Rathke, the State Department Spokesperson, said"."""
    positions = _appositive_positions(article, _skip_to_speaker(article, verb_start, lo), lo)
    for resolve in LEFT_RESOLVERS:
        for position in positions:
            found = resolve(article, position, lo, anchor)
            if found is not None:
                return found
    return None


def _mention_right(article: MaskedArticle, p: int, hi: int, anchor: int) -> Found | None:
    """A name right after the verb, titles allowed before it: "said Defense Minister Yoav Gallant"."""
    for word in words_after(article.masked, p, hi, limit=6):
        mention = article.speaker_by_start.get(word.start)
        if mention is not None and mention.end <= hi:
            return _named(mention), mention.end
        if not (word.text[0].isupper() or word.low in TITLE_WORDS or word.low.endswith(("'s", "’s"))):
            return None
    return None


def _pronoun_right(article: MaskedArticle, p: int, hi: int, anchor: int) -> Found | None:
    words = words_after(article.masked, p, hi, limit=1)
    if words and words[0].low in PRONOUNS:
        return _pronoun_speaker(article, words[0], anchor), words[0].end
    return None


def _anonymous_right(article: MaskedArticle, p: int, hi: int, anchor: int) -> Found | None:
    words = words_after(article.masked, p, hi)
    k = 1 if words and words[0].low in DETERMINERS else 0
    first = k
    while k < len(words) and k - first < MAX_MODIFIERS and words[k].low not in ANONYMOUS_NOUNS:
        if words[k].low in NOUNS_NEEDING_TAIL or not _is_modifier(words[k]):
            break
        k += 1
    if k >= len(words) or (words[k].low not in ANONYMOUS_NOUNS and words[k].low not in NOUNS_NEEDING_TAIL):
        return None
    end = k + 1
    tail = _tail_length(words, end)
    if tail:
        end = min(len(words), end + tail + MAX_TAIL_OBJECT_WORDS)
    elif words[k].low in NOUNS_NEEDING_TAIL:
        return None
    phrase = article.text[words[0].start : words[end - 1].end]
    return Speaker(phrase, None, "anonymous"), words[end - 1].end


def _surname_right(article: MaskedArticle, p: int, hi: int, anchor: int) -> Found | None:
    run = _name_run(words_after(article.masked, p, hi, limit=3), from_end=False)
    speaker = _surname_speaker(article, run, opens_sentence=False) if run else None
    return (speaker, run[-1].end) if speaker else None


RIGHT_RESOLVERS: tuple[Callable[[MaskedArticle, int, int, int], Found | None], ...] = (
    _mention_right,
    _pronoun_right,
    _anonymous_right,
    _surname_right,
)


def speaker_right(article: MaskedArticle, p: int, hi: int, anchor: int) -> Found | None:
    for resolve in RIGHT_RESOLVERS:
        found = resolve(article, p, hi, anchor)
        if found is not None:
            return found
    return None
