"""The article as attribution reads it: quotations blanked out, sentences and mentions indexed for lookups by
position, and the runs of words either side of a position."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from wirehouse.models import EntityMention
from wirehouse.tasks.quote_marks import COUNTED_WORD, Span
from wirehouse.tasks.quote_rules import ABBREVIATIONS, SPEAKER_LABELS, TIME_LABELS

FILL = "\x00"  # stands in for quoted text in the masked copy: no pattern matches inside a quotation
_WORD = re.compile(r"[^\W_][\w'’&.-]*")
_DOTTED = re.compile(r"(?:[A-Za-z]\.){2,}")
_CLAUSE_MARKS = re.compile(r"[;:!?\n" + FILL + "]")


@dataclass(frozen=True, slots=True)
class Word:
    start: int
    end: int
    text: str

    @property
    def low(self) -> str:
        return self.text.lower()


@dataclass(frozen=True)
class MaskedArticle:
    """What the attribution functions read: the text with quotations blanked out, sentences and mentions."""

    text: str
    masked: str
    paragraphs: tuple[tuple[int, int], ...]
    sentences: tuple[tuple[int, int], ...]
    sentence_starts: tuple[int, ...]
    speaker_by_end: dict[int, EntityMention]
    speaker_by_start: dict[int, EntityMention]
    time_by_end: dict[int, EntityMention]
    persons: tuple[EntityMention, ...]  # outside quotations, by end
    person_ends: tuple[int, ...]

    def sentence_at(self, i: int) -> tuple[int, int] | None:
        k = bisect_right(self.sentence_starts, i) - 1
        if k >= 0 and self.sentences[k][1] > i:
            return self.sentences[k]
        return None

    def sentence_after(self, i: int) -> tuple[int, int] | None:
        k = bisect_right(self.sentence_starts, i - 1)
        return self.sentences[k] if k < len(self.sentences) else None

    def nearest_person_before(self, i: int) -> EntityMention | None:
        k = bisect_right(self.person_ends, i) - 1
        return self.persons[k] if k >= 0 else None


def mask_article(
    text: str,
    paragraphs: tuple[tuple[int, int], ...],
    sentences: Sequence[tuple[int, int]],
    mentions: Sequence[EntityMention],
    spans: Sequence[Span],
) -> MaskedArticle:
    """The article with each quotation, marks included, blanked out with FILL; sentences and mentions indexed."""
    chars = list(text)
    for s in spans:
        chars[s.open_at : s.mask_end] = FILL * (s.mask_end - s.open_at)
    masked = "".join(chars)
    n = len(text)
    clean = sorted({(max(0, int(a)), min(n, int(b))) for a, b in sentences if int(a) < int(b) and int(a) < n})
    valid = [m for m in mentions if 0 <= m.start < m.end <= n]
    speakers = sorted((m for m in valid if m.label in SPEAKER_LABELS), key=lambda m: m.end - m.start)
    by_end = {m.end: m for m in speakers}  # the longest mention wins a shared end
    by_start = {m.start: m for m in speakers}
    times = {m.end: m for m in valid if m.label in TIME_LABELS}
    persons = tuple(
        sorted((m for m in valid if m.label == "PERSON" and FILL not in masked[m.start : m.end]), key=lambda m: m.end)
    )
    return MaskedArticle(
        text, masked, paragraphs, tuple(clean), tuple(a for a, _ in clean), by_end, by_start, times, persons,
        tuple(m.end for m in persons),
    )


def words_before(masked: str, p: int, lo: int, limit: int = 12) -> list[Word]:
    """The run of words that ends at p, separated by spaces only (a comma or a quote ends the run)."""
    run: list[Word] = []
    for m in reversed(list(_WORD.finditer(masked, max(lo, p - 300), p))):
        gap = masked[m.end() : run[0].start if run else p]
        if gap.strip() or (run and _ends_sentence(m.group())):
            break
        run.insert(0, Word(m.start(), m.end(), m.group()))
        if len(run) >= limit:
            break
    return run


def words_after(masked: str, p: int, hi: int, limit: int = 12) -> list[Word]:
    """The run of words from p on; a word ending in sentence punctuation ends the run, trimmed."""
    run: list[Word] = []
    for m in _WORD.finditer(masked, p, hi):
        gap = masked[run[-1].end if run else p : m.start()]
        if gap.strip():
            break
        word = m.group()
        if _ends_sentence(word) or word[-1] in "'’-":
            stripped = word.rstrip(".'’-")
            if stripped:
                run.append(Word(m.start(), m.start() + len(stripped), stripped))
            break
        run.append(Word(m.start(), m.end(), word))
        if len(run) >= limit:
            break
    return run


def _ends_sentence(word: str) -> bool:
    return word.endswith(".") and word.lower() not in ABBREVIATIONS and not _DOTTED.fullmatch(word)


def breaks_clause(stretch: str) -> bool:
    """Punctuation that ends a clause or sentence ("U.S." and "Mr." do not), or another quotation."""
    return _CLAUSE_MARKS.search(stretch) is not None or any(_ends_sentence(w) for w in _WORD.findall(stretch))


def word_count(masked: str, start: int, end: int) -> int:
    return len(COUNTED_WORD.findall(masked, start, end)) if start < end else 0
