"""A mention's text as a name: no leading "the", possessive, edge punctuation or, for people, titles.

The titles and the abbreviations that keep their full stop are data (names.toml); quote attribution reads the
titles too ("said Defense Minister Yoav Gallant").
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import NamedTuple

from wirehouse.tasks.wordlists import PHRASE, Shape, read_toml, word_list, word_set

DEFAULT_WORDS = Path(__file__).with_name("names.toml")

_ABBREVIATION = Shape(re.compile(r"[A-Z][a-z]*\."), "a capitalised abbreviation with its full stop")


class NameWords(NamedTuple):
    person_titles: tuple[str, ...]
    keep_stop: frozenset[str]


@cache
def load_name_words(path: Path = DEFAULT_WORDS) -> NameWords:
    data = read_toml(path, NameWords._fields)
    return NameWords(
        word_list(data["person_titles"], f"{path}: person_titles", PHRASE),
        word_set(data["keep_stop"], f"{path}: keep_stop", _ABBREVIATION),
    )


# Titles and honorifics stripped from the front of a PERSON mention, longest first, case-insensitive.
PERSON_TITLES, KEEP_STOP = load_name_words()
_TITLES_LONGEST_FIRST = tuple(sorted({t.casefold() for t in PERSON_TITLES}, key=len, reverse=True))
ONE_WORD_TITLES = frozenset(t.casefold() for t in PERSON_TITLES if " " not in t)
_TITLE_PREFIX = re.compile(r"[A-Z][A-Z.&]*[A-Z]\.? ")  # "U.S. ", "NASA ": who the title is of

# Quotes, brackets and separators the model sometimes takes in at a span's edge. No dot: abbreviations end in one
# ("U.S.", "Inc.", "Jr.") and the model never includes a sentence's final full stop.
_EDGE_PUNCTUATION = "\"'“”‘’«»()[]{}<>,;:!?*–—-"
LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s$")
# A full stop the model took in after a word ("James To."), unless the word is an abbreviation that keeps its own.
_TRAILING_STOP = re.compile(r"(?<=[A-Za-z][a-z])\.$")


def strip_titles(name: str) -> str:
    """ "Prime Minister Benjamin Netanyahu" → "Benjamin Netanyahu"; a bare title is left as it is."""
    while True:
        acronym = _TITLE_PREFIX.match(name)
        prefix = acronym.end() if acronym else 0
        folded = name[prefix:].casefold()
        title = next((t for t in _TITLES_LONGEST_FIRST if folded.startswith(t + " ")), None)
        if title is None and prefix:
            prefix, folded = 0, name.casefold()
            title = next((t for t in _TITLES_LONGEST_FIRST if folded.startswith(t + " ")), None)
        if title is None:
            return name
        rest = name[prefix + len(title) :].strip()
        if not rest:
            return name
        name = rest


def normalise(text: str, label: str) -> str:
    """The surface form as a name: no leading "the", possessive, edge punctuation or titles (PERSON)."""
    name = " ".join(text.split()).strip(_EDGE_PUNCTUATION + " ")
    name = _POSSESSIVE.sub("", LEADING_THE.sub("", name)).strip(_EDGE_PUNCTUATION + " ")
    if name.rsplit(" ", 1)[-1] not in KEEP_STOP:
        name = _TRAILING_STOP.sub("", name)
    if label == "PERSON":
        name = _strip_lowercase_lead(strip_titles(name))
    return name or " ".join(text.split())


def _strip_lowercase_lead(name: str) -> str:
    """ "magician David Gish" → "David Gish": names start with a capital; "de Gaulle" stays (one word would be left)."""
    words = name.split(" ")
    lead = next((i for i, w in enumerate(words) if not w[:1].islower()), len(words))
    return " ".join(words[lead:]) if len(words) - lead >= 2 else name
