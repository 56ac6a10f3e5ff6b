"""Quotation marks: paired per paragraph, parts of one quote linked, scare quotes and titles left out.

Curly marks (“…”), guillemets («…») and straight double quotes count; single marks are left alone: they nest
inside quotes and double as apostrophes ("won’t").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from wirehouse.tasks.quote_rules import TITLE_SMALL_WORDS

OPENING_MARKS = "“«"
CLOSING_MARKS = "”»"
STRAIGHT_MARK = '"'

MIN_QUOTE_WORDS = 3  # “proportionate.”, “the machinations”: scare quotes, not speech
MAX_TITLE_WORDS = 12

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
# What counts as a word wherever words are counted.
COUNTED_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclass(frozen=True, slots=True)
class Span:
    """A quotation as its marks delimit it."""

    open_at: int  # index of the opening mark
    mask_end: int  # end of the marks' extent: after the closing mark, or where the quote was cut off
    closed: bool  # False: ran to the paragraph's end or to a second opening mark
    start: int  # the quoted words, without marks, outer whitespace and the attribution comma
    end: int
    paragraph: int
    continues: bool  # reopened after a cut-off part: the same speaker goes on


def split_paragraphs(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each paragraph: the text between blank lines, white-space-only ones left out."""
    bounds, start = [], 0
    for m in _PARAGRAPH_BREAK.finditer(text):
        bounds.append((start, m.start()))
        start = m.end()
    bounds.append((start, len(text)))
    return tuple(b for b in bounds if text[b[0] : b[1]].strip())


def find_quotations(text: str, paragraphs: Sequence[tuple[int, int]]) -> list[Span]:
    """The quotations that may be speech, in text order: marks paired, continued parts linked, titles left out."""
    spans = [s for p, bounds in enumerate(paragraphs) for s in _pair_marks(text, bounds, p)]
    spans = _link_continued(text, spans, paragraphs)
    return [s for s in spans if _is_speech(text[s.start : s.end])]


def _looks_like_closer(text: str, i: int, end: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < end else " "
    return not before.isspace() and not after.isalnum()


def _looks_like_opener(text: str, i: int, start: int) -> bool:
    before = text[i - 1] if i > start else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([—–-") and after.isalnum()


def _pair_marks(text: str, bounds: tuple[int, int], paragraph: int) -> list[Span]:
    """Pair quote marks within one paragraph; a quote left open runs to the paragraph's end.

    A second opening mark inside an open quote cuts it there and starts a part that continues it
    (“…on fire. “stay in power.” as scraped); a curly mark facing the wrong way is read by its context.
    """
    start, end = bounds
    spans: list[Span] = []
    open_at: int | None = None
    straight = False
    continues = False

    def emit(stop: int, mask_end: int, closed: bool) -> None:
        inner_start, inner_end = _trim(text, open_at + 1, stop)
        spans.append(Span(open_at, mask_end, closed, inner_start, inner_end, paragraph, continues))

    for i in range(start, end):
        ch = text[i]
        if ch in OPENING_MARKS:
            if open_at is None:
                open_at, straight, continues = i, False, False
            elif _looks_like_closer(text, i, end):
                emit(i, i + 1, True)
                open_at = None
            else:
                emit(i, i, False)
                open_at, straight, continues = i, False, True
        elif ch in CLOSING_MARKS:
            if open_at is not None:
                emit(i, i + 1, True)
                open_at = None
            elif _looks_like_opener(text, i, start):
                open_at, straight, continues = i, False, False
        elif ch == STRAIGHT_MARK:
            if open_at is None:
                before = text[i - 1] if i > start else " "
                after = text[i + 1] if i + 1 < end else " "
                if not (before.isalnum() and after.isspace()):  # 12" pipe: an inch sign, not a quote
                    open_at, straight, continues = i, True, False
            elif straight or _looks_like_closer(text, i, end):
                emit(i, i + 1, True)
                open_at = None
    if open_at is not None:
        emit(end, end, False)
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop outer whitespace and the comma that sits inside the marks before an attribution."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    return start, end


def _link_continued(text: str, spans: list[Span], paragraphs: Sequence[tuple[int, int]]) -> list[Span]:
    """News style: a quote left open at a paragraph's end and reopened first thing in the next one goes on."""
    linked = list(spans)
    for k in range(1, len(linked)):
        previous, span = linked[k - 1], linked[k]
        paragraph_start = paragraphs[span.paragraph][0]
        reopened = text[paragraph_start : span.open_at].strip() == ""
        if span.paragraph == previous.paragraph + 1 and not previous.closed and reopened:
            linked[k] = replace(span, continues=True)
    return linked


def _is_speech(quoted: str) -> bool:
    words = COUNTED_WORD.findall(quoted)
    return len(words) >= MIN_QUOTE_WORDS and not _looks_like_title(quoted, words)


def _looks_like_title(quoted: str, words: list[str]) -> bool:
    """“Scarne on Card Tricks”, “Super District Council”: every word capitalised but the small ones."""
    if len(words) > MAX_TITLE_WORDS or re.search(r"[.!?]\s", quoted):
        return False
    return all(w[0].isupper() or w[0].isdigit() or w.lower() in TITLE_SMALL_WORDS for w in words)
