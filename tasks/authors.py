"""Authors: the byline as the page prints it, and the people it names.

Bylines carry much besides names: "By TOM KRISHER, AP Auto Writer", "Amy Kuperinsky | NJ Advance Media for NJ.com",
"Mike Wuerthele; Malcolm Owen Monday, November 18, 2019 10:00 am". The people are taken from JSON-LD author
objects when the page has them (typed, one name each), else from the byline; either way every name is cleaned
the same way, and what is left is only people: no agencies, desks, job titles or the publisher itself.
Never raises: metadata is whatever the site wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from wirehouse.tasks.dates import JSONLD_TYPE_GROUPS
from wirehouse.tasks.page_meta import PageMeta

ARTICLE_TYPES = tuple(t for group in JSONLD_TYPE_GROUPS for t in group)  # objects whose author is the article's
META_AUTHOR = ("author", "byl", "dc.creator", "dcterms.creator", "article:author", "og:article:author",
               "sailthru.author", "parsely-author")
MAX_NAME_WORDS = 5  # longer pieces are sentences ("Phil Helsel is a reporter for NBC News"), not names

# Casefolded pieces that name no one: CMS accounts, desks and news agencies.
GENERIC = frozenset({
    "admin", "administrator", "webmaster", "staff", "editor", "editors", "editorial", "editorial board",
    "editorial staff", "editorial team", "team", "guest", "guest author", "guest post", "contributor",
    "contributors", "anonymous", "unknown", "author", "reporter", "correspondent", "sponsored", "sponsored content",
    "partner content", "press release", "associated press", "ap", "reuters", "afp", "agence france-presse",
    "agence france presse", "upi", "united press international", "pti", "ians", "ani", "dpa", "bloomberg",
    "xinhua", "tass", "efe", "ansa", "kyodo", "yonhap", "bernama", "aap", "pa", "pa media", "press association",
})
# A word that makes a piece an organisation: "News Nation Bureau", "Rogers Digital Media", "Web Desk".
ORGANISATION_WORDS = frozenset({
    "news", "newsroom", "media", "press", "agency", "agencies", "bureau", "desk", "wire", "wires", "service",
    "services", "staff", "team", "network", "magazine", "journal", "tribune", "gazette", "inc", "ltd", "llc",
    "group", "online",
})
# Job titles after a name: "Staff Writer", "Senior Correspondent", "AP Auto Writer". A title ends in one of these.
ROLE_NOUNS = frozenset({
    "writer", "reporter", "correspondent", "editor", "columnist", "contributor", "producer", "journalist",
    "analyst", "photographer", "photojournalist", "intern", "critic", "blogger", "anchor", "host", "author",
})
ROLE_MODIFIERS = frozenset({
    "staff", "senior", "chief", "associate", "assistant", "deputy", "managing", "executive", "contributing",
    "special", "political", "national", "international", "foreign", "business", "sports", "science", "health",
    "technology", "tech", "entertainment", "investigative", "digital", "freelance", "guest", "news", "features",
    "feature", "opinion", "economics", "legal", "white", "house", "capitol", "hill", "bureau", "data", "video", "ap",
})
PARTICLES = frozenset({"de", "da", "di", "do", "dos", "das", "du", "del", "della", "der", "den", "van", "von", "la",
                       "le", "bin", "ibn", "al", "el", "ten", "ter", "y", "e", "st"})
SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})  # compared after edge full stops are stripped
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                "november", "december")
MONTHS = frozenset(_MONTH_NAMES + tuple(m[:3] for m in _MONTH_NAMES))  # a lone "November" is a date's remains

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(
    rf"\b(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s*\d{{4}})?|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?:,?\s*\d{{4}})?"
    r"|\d{4}-\d\d?-\d\d?|\d\d?[/.]\d\d?[/.]\d{2,4})\b",
    re.IGNORECASE,
)
_TIME = re.compile(r"\b\d\d?:\d\d(?::\d\d)?\s*(?:[ap]\.?m\.?)?(?:\s*\b(?:[ECMP][SD]T|GMT|UTC|BST|CET|IST)\b)?",
                   re.IGNORECASE)
_RELATIVE = re.compile(r"\b\d+\s+(?:second|sec|minute|min|hour|hr|day|week|month|year)s?\s+ago\b|\bjust now\b",
                       re.IGNORECASE)
_WEEKDAY = re.compile(r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_URL = re.compile(r"\b(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|edu|gov|info|news|co|uk|in|au|ca"
                  r"|io|us)\b\S*", re.IGNORECASE)
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_STAMP = re.compile(r"\b(?:updated|published|posted(?!\s+by)|modified)\b", re.IGNORECASE)
_BY = re.compile(r"\bby\b", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s*(?:[,;|&/•·\n]|\s[-–—]\s|\band\b|\bwith\b)\s*", re.IGNORECASE)
_PREFIX = re.compile(r"^(?:(?:written|posted|reporting|reported|words|story|text|compiled|additional\s+reporting)\s+)?"
                     r"by\b[:\s]*|^authors?\s*:\s*", re.IGNORECASE)
_EDITING = re.compile(r"^(?:editing|edited)\s+by\b", re.IGNORECASE)  # Reuters' editors are not the authors
_PIECE_TAIL = re.compile(r"\s+(?:in|on|from|at|for|of|is|was)\b.*|\b(?:e-?mail|contact|follow)\b.*",
                         re.IGNORECASE | re.DOTALL)
_HANDLE = re.compile(r"@\w+")
_ACRONYM = re.compile(r"[A-Z]{2,4}")
_EDGE = " \t.,;:|-–—·•'\"“”‘’()[]*"
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _type_names(obj: dict) -> set[str]:
    kind = obj.get("@type")
    return {t.casefold() for t in (kind if isinstance(kind, list) else [kind]) if isinstance(t, str)}


def _referenced(meta: PageMeta, node: dict) -> dict:
    """An {"@id": ...} stub resolved to the graph member it points to (Yoast writes authors this way)."""
    if "name" in node or not isinstance(ref := node.get("@id"), str):
        return node
    return next((obj for obj in meta.jsonld if obj.get("@id") == ref and obj is not node), node)


def _jsonld_authors(meta: PageMeta) -> Iterator[tuple[str, bool]]:
    """(name, may be a person) of every article author: strings and untyped objects may be; organisations are not."""
    for obj in meta.objects_of(*ARTICLE_TYPES):
        value = obj.get("author")
        for author in value if isinstance(value, list) else [value]:
            if name := _text(author):
                yield name, True
            elif isinstance(author, dict):
                node = _referenced(meta, author)
                types = _type_names(node)
                names = node.get("name")
                for raw in names if isinstance(names, list) else [names]:
                    if name := _text(raw):
                        yield name, not types or "person" in types


def _unique(names: Iterable[str]) -> list[str]:
    first: dict[str, str] = {}
    for name in names:
        first.setdefault(name.casefold(), name)
    return list(first.values())


def author_candidates(meta: PageMeta, *, extracted: str | None, feed_author: str | None) -> str | None:
    """The byline as printed: trafilatura's, else the JSON-LD authors, else the meta author, else the feed's."""
    if byline := _text(extracted):
        return byline
    if names := _unique(name for name, _ in _jsonld_authors(meta)):
        return ", ".join(names)
    for name in META_AUTHOR:
        for value in meta.meta.get(name, ()):
            if (text := _text(value)) and not _URL.fullmatch(text):  # article:author is often a profile URL
                return text
    return _text(feed_author)


def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.casefold()) if w != "the")


def _publisher_words(meta: PageMeta, publishers: Iterable[str]) -> list[frozenset[str]]:
    names = [p for p in publishers if isinstance(p, str)]
    names += meta.meta.get("og:site_name", ())
    for obj in meta.jsonld:
        value = obj.get("publisher")
        for publisher in value if isinstance(value, list) else [value]:
            if isinstance(publisher, dict):
                publisher = _referenced(meta, publisher).get("name")
            if isinstance(publisher, str):
                names.append(publisher)
    return [words for name in names if (words := _words(name))]


def _in(word: str, words: frozenset[str]) -> bool:
    """Membership, plurals included: "Staff Writers"."""
    folded = word.casefold()
    return folded in words or (folded.endswith("s") and folded[:-1] in words)


def _strip_role(words: list[str]) -> tuple[list[str], bool]:
    """The words before a trailing job title, and whether there was one ("Staff Writer", "Senior Correspondent")."""
    end = len(words)
    while end and (_in(words[end - 1], ROLE_NOUNS) or _in(words[end - 1], ROLE_MODIFIERS)):
        end -= 1
    has_title = any(_in(w, ROLE_NOUNS) for w in words[end:])
    return (words[:end], True) if has_title else (words, False)


def _proper_case(name: str) -> str:
    """ "TOM KRISHER" → "Tom Krisher"; mixed-case names are left as written ("DeArdo", "McDonald")."""
    if name != name.upper():
        return name
    return _WORD.sub(lambda m: m[0] if len(m[0]) == 1 else m[0].capitalize(), name)


def _is_person(name: str, publishers: list[frozenset[str]]) -> bool:
    words = name.split()
    folded = name.casefold()
    lowercase = [w for w in words if w[:1].islower() and w.casefold() not in PARTICLES]
    return (
        bool(_WORD.search(name))
        and len(words) <= MAX_NAME_WORDS
        and folded.removeprefix("the ") not in GENERIC
        and not folded.startswith("the ")  # "The Water Coolest": a brand
        and not any(w.casefold().strip(".") in ORGANISATION_WORDS for w in words)
        and not (lowercase and len(lowercase) < len(words))  # "Syrian defense ministries": a phrase
        and folded.strip(".") not in MONTHS
        and not _ACRONYM.fullmatch(name)  # "CNN", "AFP": an organisation's initials
        and not any(_words(name) <= publisher for publisher in publishers)
    )


def _clean_piece(piece: str, first: bool) -> str:
    """One separated piece of a byline as a name, or "" when nothing of it is one."""
    piece = _PIECE_TAIL.sub("", _PREFIX.sub("", piece.strip(_EDGE)))
    words = [w for w in piece.split() if not any(c.isdigit() for c in w)]
    words, had_title = _strip_role(words)
    if had_title and not first:  # "Tom Krisher, AP Auto Writer": after a name, the whole piece is the title
        return ""
    return " ".join(words).strip(_EDGE)


def _without_stamp(text: str) -> str:
    """What follows "Updated"/"Published" is a timestamp, not names, up to a "by": "Posted on May 12 by Jane Doe"."""
    if not (stamp := _STAMP.search(text)):
        return text
    by = _BY.search(text, stamp.end())
    return text[: stamp.start()] + (f" ; {text[by.end():]}" if by else "")


def _names(raw: str) -> list[str]:
    """The candidate names in one byline or one JSON-LD name, before the person test."""
    text = _without_stamp(raw)
    for pattern in (_EMAIL, _URL, _HANDLE, _PARENTHESES, _RELATIVE, _TIME, _DATE, _WEEKDAY):
        text = pattern.sub(" ", text)
    names: list[str] = []
    for piece in _SEPARATORS.split(text):
        if _EDITING.match(piece.strip()):
            continue
        name = _clean_piece(piece, first=not names)
        if names and name.casefold() in SUFFIXES:  # "John Smith, Jr."
            names[-1] = f"{names[-1]} {name}"
        elif name:
            names.append(name)
    return names


def clean_authors(raw: str | None, meta: PageMeta, *, publishers: Iterable[str] = ()) -> tuple[str, ...]:
    """The people an article names as its authors, in order, each once.

    JSON-LD authors typed as people (or untyped) come first; the byline is used only when none of them survives.
    """
    publisher_words = _publisher_words(meta, publishers)
    structured = [name for value, person in _jsonld_authors(meta) if person for name in _names(value)]
    people = [_proper_case(n) for n in structured if _is_person(n, publisher_words)]
    if not people and raw:
        people = [_proper_case(n) for n in _names(raw) if _is_person(n, publisher_words)]
    return tuple(_unique(people))
