"""Direct quotations and who said them: quote marks paired per paragraph, speakers found by news patterns.

The pipeline runs NER and the rule-based sentencizer only, so there is no dependency parse to lean on:
attribution looks at the words next to a speech verb in the quote's own sentence(s), within its paragraph,
and resolves them with the canonical mentions of tasks/entities.py. Every pattern is data below.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from wirehouse.models import EntityMention, Quote
from wirehouse.tasks.entities import PERSON_TITLES

# --- Patterns as data -------------------------------------------------------------------------------------------


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


OPENING_MARKS = "“«"
CLOSING_MARKS = "”»"
STRAIGHT_MARK = '"'
# ‘ ’ and ' are left alone: they nest inside quotes and double as apostrophes ("won’t").

MIN_QUOTE_WORDS = 3  # “proportionate.”, “the machinations”: scare quotes, not speech

# Attribution verb as stored (lemma-ish, past tense) → the forms that count. Bare forms that are mostly nouns
# in news copy ("the state", "a claim", "a post", "a warning", "Gulf states") are left out on purpose.
SPEECH_VERBS: dict[str, tuple[str, ...]] = {
    "said": ("say", "says", "said", "saying"),
    "told": ("tell", "tells", "told", "telling"),
    "added": ("add", "adds", "added", "adding"),
    "asked": ("ask", "asks", "asked", "asking"),
    "wrote": ("write", "writes", "wrote"),
    "according to": ("according to",),
    "warned": ("warn", "warns", "warned"),
    "stated": ("stated",),
    "noted": ("notes", "noted", "noting"),
    "reasoned": ("reasoned",),
    "explained": ("explain", "explains", "explained", "explaining"),
    "insisted": ("insist", "insists", "insisted", "insisting"),
    "argued": ("argue", "argues", "argued", "arguing"),
    "replied": ("replied", "replying"),
    "responded": ("responded", "responding"),
    "continued": ("continued",),
    "declared": ("declare", "declares", "declared", "declaring"),
    "announced": ("announce", "announces", "announced", "announcing"),
    "tweeted": ("tweeted", "tweeting"),
    "posted": ("posted",),
    "claimed": ("claimed", "claiming"),
    "acknowledged": ("acknowledge", "acknowledges", "acknowledged", "acknowledging"),
    "admitted": ("admit", "admits", "admitted", "admitting"),
    "recalled": ("recalled", "recalling"),
    "urged": ("urge", "urges", "urged", "urging"),
    "stressed": ("stressed", "stressing"),
    "emphasized": ("emphasized", "emphasised", "emphasizing", "emphasising"),
    "commented": ("commented", "commenting"),
    "remarked": ("remarked",),
    "agreed": ("agreed",),
    "recounted": ("recounted", "recounting"),
    "conceded": ("concede", "concedes", "conceded", "conceding"),
    "confirmed": ("confirmed", "confirming"),
    "cautioned": ("cautioned", "cautioning"),
    "predicted": ("predicted", "predicting"),
    "vowed": ("vow", "vows", "vowed", "vowing"),
    "promised": ("promised",),
    "suggested": ("suggested",),
    "complained": ("complained", "complaining"),
    "testified": ("testified", "testifying"),
    "joked": ("joked", "joking"),
    "quipped": ("quipped",),
    "shouted": ("shouted", "shouting"),
}
# Their object is the listener ("told Al Jazeera"), never the speaker.
LISTENER_VERBS = frozenset({"told"})
# The speaker comes after these, whichever side of the quote they sit on ("According to Smith, “…”").
SPEAKER_AFTER_VERBS = frozenset({"according to"})

SPEAKER_LABELS = frozenset({"PERSON", "ORG", "GPE"})  # GPE: "Iran said" speaks for its government
PERSON_LABELS = frozenset({"PERSON"})
TIME_LABELS = frozenset({"DATE", "TIME"})  # "Gallant on Wednesday said"
PRONOUNS = _words("he she they")

# Words that may stand between a speaker and the verb: "Gallant also said", "the ministry has since said".
BETWEEN_SPEAKER_AND_VERB = _words(
    "also later then again once since earlier previously recently further has have had would will was is "
    "quickly never often last year week month"
)
TIME_PREPOSITIONS = _words("on in at this last early late earlier during")
# "a spokesman for Hamas said", "officials in Tehran said": the name after these is not the speaker.
PREPOSITIONS = _words("of for from in at with to by near on about close")

# Anonymous sources: "(determiner) (modifiers) noun (tail)", e.g. "a senior administration official",
# "another source familiar with the matter", "U.S. officials", "Gallant's spokesman".
ANONYMOUS_NOUNS = _words(
    "official officials diplomat diplomats source sources spokesperson spokespersons spokesman spokesmen "
    "spokeswoman spokeswomen aide aides officer officers analyst analysts adviser advisers advisor advisors "
    "insider insiders negotiator negotiators representative representatives staffer staffers commander "
    "commanders investigator investigators lawmaker lawmakers witness witnesses resident residents expert "
    "experts employee employees member members"
)
# Nouns that name a source only with a tail: "a person familiar with the matter", not "many people said".
NOUNS_NEEDING_TAIL = _words("person people individual individuals")
SOURCE_TAILS: tuple[tuple[str, ...], ...] = (
    ("familiar", "with"),
    ("close", "to"),
    ("with", "knowledge", "of"),
    ("briefed", "on"),
    ("involved", "in"),
    ("knowledgeable", "about"),
    ("speaking", "on", "condition", "of", "anonymity"),
)
MAX_TAIL_OBJECT_WORDS = 4  # "familiar with [the Israeli leader's thinking]"
DETERMINERS = _words("a an the one another this that these those two three four several some other many multiple")
SOURCE_MODIFIERS = _words(
    "senior top administration government military defense defence security intelligence foreign former "
    "high-ranking senior-level western regional police local ministry state department campaign party "
    "company embassy diplomatic european arab army navy federal city white house health hospital rescue un "
    "u.n. eu israeli palestinian iranian american u.s. second third press"
)
# Capitalised words that start clauses rather than modify a noun: "But officials said" names "officials".
CLAUSE_WORDS = _words(
    "but and or so yet in on at for with while when after before as if because since although though "
    "meanwhile however still then now later earlier also he she they it we i there here what that this who "
    "which"
)
# Words that may stand between an inverted verb and the name, "said Defense Minister Yoav Gallant": the titles
# tasks/entities.py strips from names, and the words that join them.
TITLE_WORDS = frozenset(w.lower() for title in PERSON_TITLES for w in title.split()) | _words("the former of and")
ABBREVIATIONS = _words(
    "mr. mrs. ms. dr. jr. sr. gov. sen. rep. gen. col. lt. st. prof. inc. corp. co. ltd. no. sgt. capt. "
    "adm. maj."
)
# Lower-case words a title keeps: “Scarne on Card Tricks” is a book, not speech.
TITLE_SMALL_WORDS = _words("a an the of and or on in at to for from by with as vs vs.")
MAX_TITLE_WORDS = 12

MAX_WORDS_VERB_TO_QUOTE = 12  # "told Al Jazeera this week that Netanyahu “…”"
MAX_WORDS_QUOTE_TO_VERB = 10  # "“…,” the official, who spoke on condition of anonymity, said"
MAX_WORDS_NEXT_SENTENCE = 10  # “…surprising.” Gallant said. — the sentencizer cuts after .”
MAX_APPOSITIVE_WORDS = 15  # "Jeff Rathke, the State Department Spokesperson, said"
MAX_MODIFIERS = 5
# Characters either side of a quote that attribution reads at most: a sentence with no full stop (a list, a
# scrape gone wrong) must not make every quote read the whole paragraph.
MAX_REACH = 600

# --- Compiled forms of the data ---------------------------------------------------------------------------------

_VERB_OF_FORM = {form: verb for verb, forms in SPEECH_VERBS.items() for form in forms}
_VERB_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in sorted(_VERB_OF_FORM, key=len, reverse=True))
    + r"|According\s+to)\b"
)
_FILL = "\x00"  # stands in for quoted text in the masked copy: no pattern matches inside a quotation
_WORD = re.compile(r"[^\W_][\w'’&.-]*")
_COUNTED_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_DOTTED = re.compile(r"(?:[A-Za-z]\.){2,}")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
_CLAUSE_MARKS = re.compile(r"[;:!?\n" + _FILL + "]")
_LEADING_JOINERS = re.compile(r"[\s,;—–-]*")
_CONJUNCTION_BEFORE_QUOTE = re.compile(r"[\s,]*(?:and|or|but|then)?\s*" + _FILL)


# --- Records ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Span:
    """A quotation as its marks delimit it."""

    open_at: int  # index of the opening mark
    mask_end: int  # end of the marks' extent: after the closing mark, or where the quote was cut off
    closed: bool  # False: ran to the paragraph's end or to a second opening mark
    start: int  # the quoted words, without marks, outer whitespace and the attribution comma
    end: int
    paragraph: int
    continues: bool  # reopened after a cut-off part: the same speaker goes on


@dataclass(frozen=True, slots=True)
class _Speaker:
    text: str | None
    canonical: str | None
    kind: str  # named | anonymous | unknown


@dataclass(frozen=True, slots=True)
class _Attribution:
    verb: str | None
    speaker: _Speaker
    next_sentence: bool = False  # read in the sentence after the quote's own


_NOBODY = _Speaker(None, None, "unknown")
_UNATTRIBUTED = _Attribution(None, _NOBODY)


@dataclass(frozen=True, slots=True)
class _Word:
    start: int
    end: int
    text: str

    @property
    def low(self) -> str:
        return self.text.lower()


@dataclass(frozen=True)
class _Article:
    """What the attribution functions read: the text with quotations blanked out, sentences and mentions."""

    text: str
    masked: str
    paragraphs: tuple[tuple[int, int], ...]
    sentences: tuple[tuple[int, int], ...]
    sentence_starts: tuple[int, ...]
    speaker_by_end: dict[int, EntityMention]
    speaker_by_start: dict[int, EntityMention]
    time_by_end: dict[int, EntityMention]
    persons: tuple[EntityMention, ...]  # outside quotations, by start
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


# --- Entry point ------------------------------------------------------------------------------------------------


def extract_quotes(text: str, sentences: Sequence[tuple[int, int]], mentions: Sequence[EntityMention]) -> list[Quote]:
    """Direct quotations in an article with their speakers, in text order.

    sentences: (start, end) offsets as spaCy's sentencizer gives them; mentions: canonical entity mentions.
    """
    if not text:
        return []
    paragraphs = _paragraphs(text)
    spans = [s for p, bounds in enumerate(paragraphs) for s in _pair_marks(text, bounds, p)]
    spans = _link_continued(text, spans, paragraphs)
    kept = [s for s in spans if _is_speech(text[s.start : s.end])]
    article = _article(text, paragraphs, sentences, mentions, kept)
    own = [_attribute(article, s) for s in kept]
    inherited = _inherit(article, kept, own)
    return [
        Quote(s.start, s.end, text[s.start : s.end], a.speaker.text, a.speaker.canonical, a.speaker.kind, a.verb)
        for s, a in zip(kept, inherited, strict=True)
    ]


# --- Quote marks ------------------------------------------------------------------------------------------------


def _paragraphs(text: str) -> tuple[tuple[int, int], ...]:
    bounds, start = [], 0
    for m in _PARAGRAPH_BREAK.finditer(text):
        bounds.append((start, m.start()))
        start = m.end()
    bounds.append((start, len(text)))
    return tuple(b for b in bounds if text[b[0] : b[1]].strip())


def _looks_like_closer(text: str, i: int, end: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < end else " "
    return not before.isspace() and not after.isalnum()


def _looks_like_opener(text: str, i: int, start: int) -> bool:
    before = text[i - 1] if i > start else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([—–-") and after.isalnum()


def _pair_marks(text: str, bounds: tuple[int, int], paragraph: int) -> list[_Span]:
    """Pair quote marks within one paragraph; a quote left open runs to the paragraph's end.

    A second opening mark inside an open quote cuts it there and starts a part that continues it
    (“…on fire. “stay in power.” as scraped); a curly mark facing the wrong way is read by its context.
    """
    start, end = bounds
    spans: list[_Span] = []
    open_at: int | None = None
    straight = False
    continues = False

    def emit(stop: int, mask_end: int, closed: bool) -> None:
        inner_start, inner_end = _trim(text, open_at + 1, stop)
        spans.append(_Span(open_at, mask_end, closed, inner_start, inner_end, paragraph, continues))

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


def _link_continued(text: str, spans: list[_Span], paragraphs: Sequence[tuple[int, int]]) -> list[_Span]:
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
    words = _COUNTED_WORD.findall(quoted)
    return len(words) >= MIN_QUOTE_WORDS and not _looks_like_title(quoted, words)


def _looks_like_title(quoted: str, words: list[str]) -> bool:
    """“Scarne on Card Tricks”, “Super District Council”: every word capitalised but the small ones."""
    if len(words) > MAX_TITLE_WORDS or re.search(r"[.!?]\s", quoted):
        return False
    return all(w[0].isupper() or w[0].isdigit() or w.lower() in TITLE_SMALL_WORDS for w in words)


# --- The article as attribution reads it ------------------------------------------------------------------------


def _article(
    text: str,
    paragraphs: tuple[tuple[int, int], ...],
    sentences: Sequence[tuple[int, int]],
    mentions: Sequence[EntityMention],
    spans: Sequence[_Span],
) -> _Article:
    chars = list(text)
    for s in spans:
        chars[s.open_at : s.mask_end] = _FILL * (s.mask_end - s.open_at)
    masked = "".join(chars)
    n = len(text)
    clean = sorted({(max(0, int(a)), min(n, int(b))) for a, b in sentences if int(a) < int(b) and int(a) < n})
    valid = [m for m in mentions if 0 <= m.start < m.end <= n]
    speakers = sorted((m for m in valid if m.label in SPEAKER_LABELS), key=lambda m: m.end - m.start)
    by_end = {m.end: m for m in speakers}  # the longest mention wins a shared end
    by_start = {m.start: m for m in speakers}
    times = {m.end: m for m in valid if m.label in TIME_LABELS}
    persons = tuple(
        sorted((m for m in valid if m.label == "PERSON" and _FILL not in masked[m.start : m.end]), key=lambda m: m.end)
    )
    return _Article(
        text, masked, paragraphs, tuple(clean), tuple(a for a, _ in clean), by_end, by_start, times, persons,
        tuple(m.end for m in persons),
    )


def _words_before(masked: str, p: int, lo: int, limit: int = 12) -> list[_Word]:
    """The run of words that ends at p, separated by spaces only (a comma or a quote ends the run)."""
    run: list[_Word] = []
    for m in reversed(list(_WORD.finditer(masked, max(lo, p - 300), p))):
        gap = masked[m.end() : run[0].start if run else p]
        if gap.strip() or (run and _ends_sentence(m.group())):
            break
        run.insert(0, _Word(m.start(), m.end(), m.group()))
        if len(run) >= limit:
            break
    return run


def _words_after(masked: str, p: int, hi: int, limit: int = 12) -> list[_Word]:
    """The run of words from p on; a word ending in sentence punctuation ends the run, trimmed."""
    run: list[_Word] = []
    for m in _WORD.finditer(masked, p, hi):
        gap = masked[run[-1].end if run else p : m.start()]
        if gap.strip():
            break
        word = m.group()
        if _ends_sentence(word) or word[-1] in "'’-":
            stripped = word.rstrip(".'’-")
            if stripped:
                run.append(_Word(m.start(), m.start() + len(stripped), stripped))
            break
        run.append(_Word(m.start(), m.end(), word))
        if len(run) >= limit:
            break
    return run


def _ends_sentence(word: str) -> bool:
    return word.endswith(".") and word.lower() not in ABBREVIATIONS and not _DOTTED.fullmatch(word)


def _breaks_clause(stretch: str) -> bool:
    """Punctuation that ends a clause or sentence ("U.S." and "Mr." do not), or another quotation."""
    return _CLAUSE_MARKS.search(stretch) is not None or any(_ends_sentence(w) for w in _WORD.findall(stretch))


def _word_count(masked: str, start: int, end: int) -> int:
    return len(_COUNTED_WORD.findall(masked, start, end)) if start < end else 0


# --- Speakers ---------------------------------------------------------------------------------------------------
# Each resolver reads the words that end (left side) or start (right side) at a position and returns the speaker
# with where its words begin (left) or end (right), or None. Tried in order: the first that answers wins.

Found = tuple[_Speaker, int]


def _named(mention: EntityMention) -> _Speaker:
    return _Speaker(mention.text, mention.canonical, "named")


def _pronoun_speaker(article: _Article, word: _Word, anchor: int) -> _Speaker:
    """he/she/they: the nearest PERSON before the quote (and before the pronoun), outside quotations."""
    person = article.nearest_person_before(min(anchor, word.start))
    if person is None:
        return _Speaker(word.text, None, "unknown")
    return _Speaker(word.text, person.canonical, "named")


def _name_run(words: Sequence[_Word], *, from_end: bool) -> list[_Word]:
    """Up to three capitalised words at one end of a run: a name NER left untagged ("Gallant said")."""
    run: list[_Word] = []
    for w in reversed(words) if from_end else words:
        if not w.text[0].isupper() or w.low in CLAUSE_WORDS or w.low in DETERMINERS or len(run) == 3:
            break
        run.append(w)
    return list(reversed(run)) if from_end else run


def _surname_speaker(article: _Article, run: Sequence[_Word], *, opens_sentence: bool) -> _Speaker | None:
    """A PERSON named so elsewhere in the article ("Gallant" → "Yoav Gallant"), else the words as written —
    unless they open the sentence, where a capital says nothing ("Critics said")."""
    written = article.text[run[0].start : run[-1].end]
    last = run[-1].text
    for person in reversed(article.persons):
        if last in (_last_word(person.text), _last_word(person.canonical)):
            return _Speaker(written, person.canonical, "named")
    return None if opens_sentence else _Speaker(written, None, "named")


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
    article: _Article, p: int, lo: int, anchor: int, labels: frozenset[str] = SPEAKER_LABELS
) -> Found | None:
    words = _words_before(article.masked, p, lo, limit=1)
    if not words:
        return None
    mention = article.speaker_by_end.get(words[-1].end)
    if mention is None or mention.start < lo or mention.label not in labels:
        return None
    before = _words_before(article.masked, mention.start, lo, limit=1)
    if before and before[-1].low in PREPOSITIONS:
        # "a spokesman for Hamas": the source is the phrase, not the organisation it speaks for.
        source = _anonymous_left(article, before[-1].start, lo, anchor)
        if source is not None:
            phrase = article.text[source[1] : mention.end]
            return _Speaker(phrase, None, "anonymous"), source[1]
        return None
    return _named(mention), mention.start


def _person_left(article: _Article, p: int, lo: int, anchor: int) -> Found | None:
    return _mention_left(article, p, lo, anchor, labels=PERSON_LABELS)


def _pronoun_left(article: _Article, p: int, lo: int, anchor: int) -> Found | None:
    words = _words_before(article.masked, p, lo, limit=1)
    if words and words[-1].low in PRONOUNS:
        return _pronoun_speaker(article, words[-1], anchor), words[-1].start
    return None


def _noun_index(words: Sequence[_Word]) -> int | None:
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


def _tail_length(words: Sequence[_Word], k: int) -> int:
    lows = tuple(w.low for w in words[k:])
    return next((len(t) for t in SOURCE_TAILS if lows[: len(t)] == t), 0)


def _is_modifier(word: _Word) -> bool:
    low = word.low
    if low in CLAUSE_WORDS or low in DETERMINERS:
        return False
    return low in SOURCE_MODIFIERS or word.text[0].isupper() or low.endswith(("'s", "’s"))


def _anonymous_left(article: _Article, p: int, lo: int, anchor: int) -> Found | None:
    words = _words_before(article.masked, p, lo)
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
    return _Speaker(phrase, None, "anonymous"), words[first].start


def _surname_left(article: _Article, p: int, lo: int, anchor: int) -> Found | None:
    run = _name_run(_words_before(article.masked, p, lo, limit=3), from_end=True)
    if not run:
        return None
    before = _words_before(article.masked, run[0].start, lo, limit=2)
    if before and before[-1].low == "the":
        before = before[:-1]
    if before and before[-1].low in PREPOSITIONS:  # "Iran's mission to the UN said": not the UN
        return None
    speaker = _surname_speaker(article, run, opens_sentence=_opens_sentence_at(article.text, run[0].start))
    return (speaker, run[0].start) if speaker else None


LEFT_RESOLVERS: tuple[Callable[[_Article, int, int, int], Found | None], ...] = (
    _person_left,  # a person anywhere in an appositive chain beats the place or body it names
    _mention_left,
    _pronoun_left,
    _anonymous_left,
    _surname_left,
)


def _skip_to_speaker(article: _Article, p: int, lo: int) -> int:
    """Step left over what may separate a speaker from its verb: adverbs, auxiliaries, dates."""
    for _ in range(4):
        words = _words_before(article.masked, p, lo, limit=1)
        if not words:
            return p
        word = words[-1]
        time = article.time_by_end.get(word.end)
        if time is not None and time.start >= lo:
            p = time.start
            before = _words_before(article.masked, p, lo, limit=1)
            if before and before[-1].low in TIME_PREPOSITIONS:
                p = before[-1].start
        elif word.low in BETWEEN_SPEAKER_AND_VERB or (word.text.islower() and word.low.endswith("ly")):
            p = word.start
        else:
            return p
    return p


def _appositive_positions(article: _Article, p: int, lo: int) -> list[int]:
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
        if _breaks_clause(appositive) or _word_count(appositive, 0, len(appositive)) > MAX_APPOSITIVE_WORDS:
            break
        positions.append(before)
        before = article.masked.rfind(",", lo, before)
    return [*positions, comma_at]


def _speaker_left(article: _Article, verb_start: int, lo: int, anchor: int) -> Found | None:
    """The subject left of the verb: "Gallant said", "Jeff Rathke, the State Department Spokesperson, said"."""
    positions = _appositive_positions(article, _skip_to_speaker(article, verb_start, lo), lo)
    for resolve in LEFT_RESOLVERS:
        for position in positions:
            found = resolve(article, position, lo, anchor)
            if found is not None:
                return found
    return None


def _mention_right(article: _Article, p: int, hi: int, anchor: int) -> Found | None:
    """A name right after the verb, titles allowed before it: "said Defense Minister Yoav Gallant"."""
    for word in _words_after(article.masked, p, hi, limit=6):
        mention = article.speaker_by_start.get(word.start)
        if mention is not None and mention.end <= hi:
            return _named(mention), mention.end
        if not (word.text[0].isupper() or word.low in TITLE_WORDS or word.low.endswith(("'s", "’s"))):
            return None
    return None


def _pronoun_right(article: _Article, p: int, hi: int, anchor: int) -> Found | None:
    words = _words_after(article.masked, p, hi, limit=1)
    if words and words[0].low in PRONOUNS:
        return _pronoun_speaker(article, words[0], anchor), words[0].end
    return None


def _anonymous_right(article: _Article, p: int, hi: int, anchor: int) -> Found | None:
    words = _words_after(article.masked, p, hi)
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
    return _Speaker(phrase, None, "anonymous"), words[end - 1].end


def _surname_right(article: _Article, p: int, hi: int, anchor: int) -> Found | None:
    run = _name_run(_words_after(article.masked, p, hi, limit=3), from_end=False)
    speaker = _surname_speaker(article, run, opens_sentence=False) if run else None
    return (speaker, run[-1].end) if speaker else None


RIGHT_RESOLVERS: tuple[Callable[[_Article, int, int, int], Found | None], ...] = (
    _mention_right,
    _pronoun_right,
    _anonymous_right,
    _surname_right,
)


def _speaker_right(article: _Article, p: int, hi: int, anchor: int) -> Found | None:
    for resolve in RIGHT_RESOLVERS:
        found = resolve(article, p, hi, anchor)
        if found is not None:
            return found
    return None


# --- Attribution ------------------------------------------------------------------------------------------------


def _attribute(article: _Article, span: _Span) -> _Attribution:
    """The quote's own attribution, surest first: after it in its sentence (“…,” Gallant said.), before it
    (Gallant said: “…”), then the sentence after a quote that ends in a full stop (“…Gaza.” he told local media.).
    A verb without a speaker we can name is kept when no pattern names one."""
    after = _attribution_after(article, span)
    before = _attribution_before(article, span)
    ordered = (after, before) if after is not None and not after.next_sentence else (before, after)
    found = [a for a in ordered if a is not None]
    named = [a for a in found if a.speaker.kind != "unknown"]
    return (named or found or [_UNATTRIBUTED])[0]


def _bounds(article: _Article, span: _Span) -> tuple[int, int]:
    return article.paragraphs[span.paragraph]


def _before_region(article: _Article, span: _Span) -> int:
    """Where the quote's sentence starts. Read at the first quoted word: the sentencizer hangs an opening mark
    that follows a full stop (employees. “This…) on the sentence before."""
    paragraph_start, _ = _bounds(article, span)
    sentence = article.sentence_at(span.start)
    start = max(paragraph_start, sentence[0]) if sentence else paragraph_start
    return min(max(start, span.open_at - MAX_REACH), span.open_at)


def _after_region(article: _Article, span: _Span) -> tuple[int, int, bool]:
    """(from, to, next_sentence): the rest of the sentence after the quote and any quotes joined to it by "and".

    When the quote ends its sentence inside the marks (“…Gaza.” he told local media.) the sentencizer has cut
    there, so the next sentence of the paragraph is read; a stop outside the marks (“…”.) ends the quote's turn.
    """
    _, paragraph_end = _bounds(article, span)
    paragraph_end = min(paragraph_end, span.mask_end + MAX_REACH)
    end = span.mask_end
    while (joined := _CONJUNCTION_BEFORE_QUOTE.match(article.masked, end, paragraph_end)) is not None:
        end = joined.end()
        while end < paragraph_end and article.masked[end] == _FILL:
            end += 1
    p = _LEADING_JOINERS.match(article.masked, end, paragraph_end).end()
    sentence = article.sentence_at(end - 1)
    hi = min(paragraph_end, sentence[1]) if sentence else paragraph_end
    if _word_count(article.masked, p, hi):
        return p, hi, False
    following = article.sentence_after(hi) if hi < paragraph_end else None
    if article.masked[p:hi].strip() or following is None or following[0] >= paragraph_end:
        return p, p, False
    start = _LEADING_JOINERS.match(article.masked, max(following[0], hi), paragraph_end).end()
    return start, min(paragraph_end, following[1]), True


def _attribution_after(article: _Article, span: _Span) -> _Attribution | None:
    if not span.closed:
        return None
    lo, hi, next_sentence = _after_region(article, span)
    # The first verb that names a speaker: “…” announced in October, said Derek Scissors.
    verbs = _VERB_RE.finditer(article.masked, lo, hi)
    found = [a for verb in verbs if (a := _after_verb(article, span, verb, lo, hi, next_sentence)) is not None]
    return next((a for a in found if a.speaker.kind != "unknown"), found[0] if found else None)


def _after_verb(
    article: _Article, span: _Span, verb: re.Match[str], lo: int, hi: int, next_sentence: bool
) -> _Attribution | None:
    lead = article.masked[lo : verb.start()]
    words_before = _word_count(lead, 0, len(lead))
    if words_before > MAX_WORDS_QUOTE_TO_VERB or _breaks_clause(lead):
        return None
    # A new sentence after .” belongs to the quote only when short (“…” Gallant said.) or lower-case (he said),
    # and not when its verb introduces a quote of its own (“…” Then Jones added, “…”).
    if next_sentence and (
        _FILL in article.masked[verb.end() : hi]
        or (words_before and article.masked[lo : lo + 1].isupper()
            and _word_count(article.masked, lo, hi) > MAX_WORDS_NEXT_SENTENCE)
    ):
        return None
    name = _verb_name(verb.group())
    found = None
    if words_before and name not in SPEAKER_AFTER_VERBS:
        found = _speaker_left(article, verb.start(), lo, span.open_at)
    if found is None and name not in LISTENER_VERBS:  # said Gallant; announced in October, said Derek Scissors
        found = _speaker_right(article, verb.end(), hi, span.open_at)
    return _Attribution(name, found[0] if found else _NOBODY, next_sentence)


def _attribution_before(article: _Article, span: _Span) -> _Attribution | None:
    lo = _before_region(article, span)
    verbs = list(_VERB_RE.finditer(article.masked, lo, span.open_at))
    if not verbs:
        return None
    # A colon introduces the quote (said: “…”), and quotes joined by "and" share the verb: neither breaks.
    between = article.masked[verbs[-1].end() : span.open_at].replace(":", " ").replace(_FILL, " ")
    if _word_count(between, 0, len(between)) > MAX_WORDS_VERB_TO_QUOTE or _breaks_clause(between):
        return None
    return _verb_attribution(article, verbs[-1], lo, span.open_at, span.open_at)


def _verb_attribution(article: _Article, verb: re.Match[str], lo: int, hi: int, anchor: int) -> _Attribution:
    """Who goes with a verb that precedes the quote: its subject, or the name after "according to"."""
    name = _verb_name(verb.group())
    if name in SPEAKER_AFTER_VERBS:
        found = _speaker_right(article, verb.end(), hi, anchor)
        return _Attribution(name, found[0] if found else _NOBODY)
    found = _speaker_left(article, verb.start(), lo, anchor)
    if found is None and name not in LISTENER_VERBS:
        # Inverted: "said Smith: “…”" — only when the name runs up to the end of the stretch.
        right = _speaker_right(article, verb.end(), hi, anchor)
        if right is not None and not article.masked[right[1] : hi].strip(" ,:—–-."):
            found = right
    return _Attribution(name, found[0] if found else _NOBODY)


def _lead_in(article: _Article, span: _Span) -> _Attribution | None:
    """The sentence before a quote that stands alone, in the same paragraph: "Heald noted the findings show …
    “An air-quality cleanup would improve crop yields.”" — its last speech verb, when a speaker goes with it."""
    paragraph_start, _ = _bounds(article, span)
    lo = _before_region(article, span)
    previous = article.sentence_at(lo - 1) if lo > paragraph_start else None
    if previous is None:
        return None
    end = min(lo, previous[1])
    start = max(paragraph_start, previous[0], end - MAX_REACH)
    verbs = list(_VERB_RE.finditer(article.masked, start, end))
    if not verbs:
        return None
    found = _verb_attribution(article, verbs[-1], start, end, span.open_at)
    return found if found.speaker.kind != "unknown" else None


def _verb_name(form: str) -> str:
    return _VERB_OF_FORM.get(" ".join(form.lower().split()), form.lower())


# --- Speakers carried over --------------------------------------------------------------------------------------


def _inherit(article: _Article, spans: Sequence[_Span], own: Sequence[_Attribution]) -> list[_Attribution]:
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


def _opens_sentence(article: _Article, span: _Span) -> bool:
    lo = _before_region(article, span)
    return _word_count(article.masked, lo, span.open_at) == 0
