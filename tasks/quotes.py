"""Direct quotations and who said them: quote marks paired per paragraph, speakers found by news patterns.

The pipeline runs NER and the rule-based sentencizer only, so there is no dependency parse to lean on:
attribution looks at the words next to a speech verb in the quote's own sentence(s), within its paragraph,
and resolves them with the canonical mentions of tasks/entities.py. The parts, in the order they run:

- quote_marks.py: quotation marks paired per paragraph, continued quotes linked, scare quotes left out;
- quote_context.py: the article with quotations blanked out, its sentences and mentions indexed;
- quote_speakers.py: the speaker that goes with a speech verb, left or right of it;
- this module: which verb goes with each quote, and the speaker carried over to quotes without one;
- quote_rules.py: the word lists (quotes.toml) all of them read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from wirehouse.models import EntityMention, Quote
from wirehouse.tasks.quote_context import FILL, MaskedArticle, breaks_clause, mask_article, word_count
from wirehouse.tasks.quote_marks import Span, find_quotations, split_paragraphs
from wirehouse.tasks.quote_rules import LISTENER_VERBS, SPEAKER_AFTER_VERBS, VERB_RE, verb_name
from wirehouse.tasks.quote_speakers import Speaker, speaker_left, speaker_right

__all__ = ["extract_quotes"]

MAX_WORDS_VERB_TO_QUOTE = 12  # "told Al Jazeera this week that Netanyahu “…”"
MAX_WORDS_QUOTE_TO_VERB = 10  # "“…,” the official, who spoke on condition of anonymity, said"
MAX_WORDS_NEXT_SENTENCE = 10  # “…surprising.” Gallant said. — the sentencizer cuts after .”
# Characters either side of a quote that attribution reads at most: a sentence with no full stop (a list, a
# scrape gone wrong) must not make every quote read the whole paragraph.
MAX_REACH = 600

_LEADING_JOINERS = re.compile(r"[\s,;—–-]*")
_CONJUNCTION_BEFORE_QUOTE = re.compile(r"[\s,]*(?:and|or|but|then)?\s*" + FILL)


@dataclass(frozen=True, slots=True)
class _Attribution:
    verb: str | None
    speaker: Speaker
    next_sentence: bool = False  # read in the sentence after the quote's own


_NOBODY = Speaker(None, None, "unknown")
_UNATTRIBUTED = _Attribution(None, _NOBODY)


def extract_quotes(text: str, sentences: Sequence[tuple[int, int]], mentions: Sequence[EntityMention]) -> list[Quote]:
    """Direct quotations in an article with their speakers, in text order.

    sentences: (start, end) offsets as spaCy's sentencizer gives them; mentions: canonical entity mentions.
    """
    if not text:
        return []
    paragraphs = split_paragraphs(text)
    kept = find_quotations(text, paragraphs)
    article = mask_article(text, paragraphs, sentences, mentions, kept)
    own = [_attribute(article, s) for s in kept]
    inherited = _inherit(article, kept, own)
    return [
        Quote(s.start, s.end, text[s.start : s.end], a.speaker.text, a.speaker.canonical, a.speaker.kind, a.verb)
        for s, a in zip(kept, inherited, strict=True)
    ]


# --- Attribution ------------------------------------------------------------------------------------------------


def _attribute(article: MaskedArticle, span: Span) -> _Attribution:
    """The quote's own attribution, surest first: after it in its sentence (“…,” Gallant said.), before it
    (Gallant said: “…”), then the sentence after a quote that ends in a full stop (“…Gaza.” he told local media.).
    A verb without a speaker we can name is kept when no pattern names one."""
    after = _attribution_after(article, span)
    before = _attribution_before(article, span)
    ordered = (after, before) if after is not None and not after.next_sentence else (before, after)
    found = [a for a in ordered if a is not None]
    named = [a for a in found if a.speaker.kind != "unknown"]
    return (named or found or [_UNATTRIBUTED])[0]


def _bounds(article: MaskedArticle, span: Span) -> tuple[int, int]:
    return article.paragraphs[span.paragraph]


def _before_region(article: MaskedArticle, span: Span) -> int:
    """Where the quote's sentence starts. Read at the first quoted word: the sentencizer hangs an opening mark
    that follows a full stop (employees. “This…) on the sentence before."""
    paragraph_start, _ = _bounds(article, span)
    sentence = article.sentence_at(span.start)
    start = max(paragraph_start, sentence[0]) if sentence else paragraph_start
    return min(max(start, span.open_at - MAX_REACH), span.open_at)


def _after_region(article: MaskedArticle, span: Span) -> tuple[int, int, bool]:
    """(from, to, next_sentence): the rest of the sentence after the quote and any quotes joined to it by "and".

    When the quote ends its sentence inside the marks (“…Gaza.” he told local media.) the sentencizer has cut
    there, so the next sentence of the paragraph is read; a stop outside the marks (“…”.) ends the quote's turn.
    """
    _, paragraph_end = _bounds(article, span)
    paragraph_end = min(paragraph_end, span.mask_end + MAX_REACH)
    end = span.mask_end
    while (joined := _CONJUNCTION_BEFORE_QUOTE.match(article.masked, end, paragraph_end)) is not None:
        end = joined.end()
        while end < paragraph_end and article.masked[end] == FILL:
            end += 1
    p = _LEADING_JOINERS.match(article.masked, end, paragraph_end).end()
    sentence = article.sentence_at(end - 1)
    hi = min(paragraph_end, sentence[1]) if sentence else paragraph_end
    if word_count(article.masked, p, hi):
        return p, hi, False
    following = article.sentence_after(hi) if hi < paragraph_end else None
    if article.masked[p:hi].strip() or following is None or following[0] >= paragraph_end:
        return p, p, False
    start = _LEADING_JOINERS.match(article.masked, max(following[0], hi), paragraph_end).end()
    return start, min(paragraph_end, following[1]), True


def _attribution_after(article: MaskedArticle, span: Span) -> _Attribution | None:
    if not span.closed:
        return None
    lo, hi, next_sentence = _after_region(article, span)
    # The first verb that names a speaker: “…” announced in October, said Derek Scissors.
    verbs = VERB_RE.finditer(article.masked, lo, hi)
    found = [a for verb in verbs if (a := _after_verb(article, span, verb, lo, hi, next_sentence)) is not None]
    return next((a for a in found if a.speaker.kind != "unknown"), found[0] if found else None)


def _after_verb(
    article: MaskedArticle, span: Span, verb: re.Match[str], lo: int, hi: int, next_sentence: bool
) -> _Attribution | None:
    lead = article.masked[lo : verb.start()]
    words_before = word_count(lead, 0, len(lead))
    if words_before > MAX_WORDS_QUOTE_TO_VERB or breaks_clause(lead):
        return None
    # A new sentence after .” belongs to the quote only when short (“…” Gallant said.) or lower-case (he said),
    # and not when its verb introduces a quote of its own (“…” Then Jones added, “…”).
    if next_sentence and (
        FILL in article.masked[verb.end() : hi]
        or (words_before and article.masked[lo : lo + 1].isupper()
            and word_count(article.masked, lo, hi) > MAX_WORDS_NEXT_SENTENCE)
    ):
        return None
    name = verb_name(verb.group())
    found = None
    if words_before and name not in SPEAKER_AFTER_VERBS:
        found = speaker_left(article, verb.start(), lo, span.open_at)
    if found is None and name not in LISTENER_VERBS:  # said Gallant; announced in October, said Derek Scissors
        found = speaker_right(article, verb.end(), hi, span.open_at)
    return _Attribution(name, found[0] if found else _NOBODY, next_sentence)


def _attribution_before(article: MaskedArticle, span: Span) -> _Attribution | None:
    lo = _before_region(article, span)
    verbs = list(VERB_RE.finditer(article.masked, lo, span.open_at))
    if not verbs:
        return None
    # A colon introduces the quote (said: “…”), and quotes joined by "and" share the verb: neither breaks.
    between = article.masked[verbs[-1].end() : span.open_at].replace(":", " ").replace(FILL, " ")
    if word_count(between, 0, len(between)) > MAX_WORDS_VERB_TO_QUOTE or breaks_clause(between):
        return None
    return _verb_attribution(article, verbs[-1], lo, span.open_at, span.open_at)


def _verb_attribution(article: MaskedArticle, verb: re.Match[str], lo: int, hi: int, anchor: int) -> _Attribution:
    """Who goes with a verb that precedes the quote: its subject, or the name after "according to"."""
    name = verb_name(verb.group())
    if name in SPEAKER_AFTER_VERBS:
        found = speaker_right(article, verb.end(), hi, anchor)
        return _Attribution(name, found[0] if found else _NOBODY)
    found = speaker_left(article, verb.start(), lo, anchor)
    if found is None and name not in LISTENER_VERBS:
        # Inverted: "said Smith: “…”" — only when the name runs up to the end of the stretch.
        right = speaker_right(article, verb.end(), hi, anchor)
        if right is not None and not article.masked[right[1] : hi].strip(" ,:—–-."):
            found = right
    return _Attribution(name, found[0] if found else _NOBODY)


def _lead_in(article: MaskedArticle, span: Span) -> _Attribution | None:
    """The sentence before a quote that stands alone, in the same paragraph: "Heald noted the findings show …
    “An air-quality cleanup would improve crop yields.”" — its last speech verb, when a speaker goes with it."""
    paragraph_start, _ = _bounds(article, span)
    lo = _before_region(article, span)
    previous = article.sentence_at(lo - 1) if lo > paragraph_start else None
    if previous is None:
        return None
    end = min(lo, previous[1])
    start = max(paragraph_start, previous[0], end - MAX_REACH)
    verbs = list(VERB_RE.finditer(article.masked, start, end))
    if not verbs:
        return None
    found = _verb_attribution(article, verbs[-1], start, end, span.open_at)
    return found if found.speaker.kind != "unknown" else None


# --- Speakers carried over --------------------------------------------------------------------------------------


def _inherit(article: MaskedArticle, spans: Sequence[Span], own: Sequence[_Attribution]) -> list[_Attribution]:
    """Quotes without a verb of their own take one from the quote they continue, then from their paragraph.

    Parts of a continued quote share a speaker (found in any part). A quote that opens its sentence — “…,” he
    said. “More words.” — takes the previous attributed quote of its paragraph, else a speaker named in the
    sentence before it, else the next attributed quote. A quote inside a sentence without a verb stays unknown.
    """
    result = list(own)
    chains: list[list[int]] = []
    for k, span in enumerate(spans):
        if span.continues and chains:
            chains[-1].append(k)
        else:
            chains.append([k])
    for chain in chains:
        source = next((result[k] for k in chain if result[k].speaker.kind != "unknown"), None)
        source = source or next((result[k] for k in chain if result[k].verb is not None), None)
        for k in chain:
            if source is not None and result[k].verb is None:
                result[k] = source
    by_paragraph: dict[int, list[int]] = {}
    for k, span in enumerate(spans):
        by_paragraph.setdefault(span.paragraph, []).append(k)
    for members in by_paragraph.values():
        later: list[_Attribution | None] = [None] * len(members)  # the next attributed quote, from each one on
        for i in range(len(members) - 2, -1, -1):
            following = result[members[i + 1]]
            later[i] = following if following.verb is not None else later[i + 1]
        earlier: _Attribution | None = None
        for i, k in enumerate(members):
            if result[k].verb is None and _opens_sentence(article, spans[k]):
                result[k] = earlier or _lead_in(article, spans[k]) or later[i] or result[k]
            if result[k].verb is not None:
                earlier = result[k]
    return result


def _opens_sentence(article: MaskedArticle, span: Span) -> bool:
    lo = _before_region(article, span)
    return word_count(article.masked, lo, span.open_at) == 0
