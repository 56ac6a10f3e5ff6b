"""Canonical entities: the model's raw mentions resolved to one name per real-world entity.

Within an article a short form is linked to the full form it stands for ("Biden" → "Joe Biden", "EBU" → "European
Broadcasting Union"); across articles an alias table kept as data (seeds/aliases.csv, tasks/aliases.py) folds
spellings together ("U.S.", "the United States" → United States); places get an ISO country code from the shipped
gazetteers (tasks/places.py). Names are read without titles and edge punctuation first (tasks/names.py).
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from types import MappingProxyType

from spacy.lang.en.stop_words import STOP_WORDS

from wirehouse.models import EntityMention, RawMention
from wirehouse.tasks.aliases import (
    ALIAS_COLUMNS,
    DEFAULT_ALIASES,
    ENTITY_LABELS,
    ROOT,
    Alias,
    AliasTable,
    AliasTableError,
    alias_key,
    load_aliases,
    parse_aliases,
)
from wirehouse.tasks.names import KEEP_STOP, ONE_WORD_TITLES, PERSON_TITLES, normalise, strip_titles
from wirehouse.tasks.places import FALSE_FRIEND_CODES, MIN_CITY_NAME, Place, gazetteer_place

# The public API, wherever each name is defined.
__all__ = [
    "ALIAS_COLUMNS",
    "CONSISTENT_LABEL_COUNT",
    "DEFAULT_ALIASES",
    "ENTITY_LABELS",
    "FALSE_FRIEND_CODES",
    "KEEP_STOP",
    "LABEL_GROUPS",
    "MIN_CITY_NAME",
    "MISLABELLED_SURNAME_LABELS",
    "PERSON_TITLES",
    "PLACE_LABELS",
    "ROOT",
    "Alias",
    "AliasTable",
    "AliasTableError",
    "Place",
    "alias_key",
    "canonicalize",
    "entity_id",
    "gazetteer_place",
    "label_group",
    "load_aliases",
    "normalise",
    "parse_aliases",
    "strip_titles",
]

PLACE_LABELS = frozenset({"GPE", "LOC"})
# The model hesitates between GPE and LOC for the same place ("the Gulf"): one key for both.
LABEL_GROUPS: Mapping[str, str] = MappingProxyType({"GPE": "PLACE", "LOC": "PLACE"})
# A lone surname the model often gets wrong ("Araghchi" as ORG or GPE): still a short form of a person.
MISLABELLED_SURNAME_LABELS = frozenset({"ORG", "GPE", "NORP", "PRODUCT", "WORK_OF_ART"})
# ...unless the model says the same thing of it this often in the article: "Polaroid" as ORG six times in a story
# that also has a "Warhol Polaroid" it took for a person is the brand, not a surname.
CONSISTENT_LABEL_COUNT = 3
_ACRONYM = re.compile(r"[A-Z][A-Z&.]*[A-Z]\.?")  # "DAB", "U.S.": never a surname
# An acronym defined in parentheses right after its full form: "the European Broadcasting Union (EBU)".
_ACRONYM_AFTER = re.compile(r"\s*\(\s*([A-Z][A-Za-z&.]*[A-Z]\.?)\s*\)")


def label_group(label: str) -> str:
    return LABEL_GROUPS.get(label, label)


def entity_id(label: str, canonical: str) -> str:
    """Stable key of (label group, case-folded canonical name): the same entity gets the same key in every run."""
    return hashlib.sha256(f"{label_group(label)}\x1f{canonical.casefold()}".encode()).hexdigest()[:16]


# ------------------------------------------------------------------------------------------------ short forms


@dataclass(frozen=True, slots=True)
class _Resolved:
    canonical: str
    label: str
    country_code: str | None
    linked_by: str


@dataclass(frozen=True, slots=True)
class _ArticleNames:
    """Full names the article itself spells out, indexed by the short forms that may stand for them."""

    by_suffix: Mapping[tuple[str, ...], frozenset[str]]  # ("Biden",) → {"Joe Biden"}
    by_first: Mapping[str, frozenset[str]]  # "Isabel" → {"Isabel Ruiz"}
    acronyms: Mapping[str, frozenset[int]]  # "EBU" → indexes of the mentions that define it
    labels: Mapping[tuple[str, str], int]  # (normalised name, model label) → mentions


def _person_names(names: Iterable[str]) -> tuple[dict[tuple[str, ...], set[str]], dict[str, set[str]]]:
    unique = set(names)
    # "Bo Lillis" beside "Katie Bo Lillis" is a short form itself, not a second person sharing the surname.
    longest = {n for n in unique if sum(1 for other in unique if other.endswith(" " + n)) != 1}
    by_suffix: dict[tuple[str, ...], set[str]] = {}
    by_first: dict[str, set[str]] = {}
    for name in longest:
        tokens = tuple(name.split())
        for i in range(1, len(tokens)):
            by_suffix.setdefault(tokens[i:], set()).add(name)
        by_first.setdefault(tokens[0], set()).add(name)
    return by_suffix, by_first


def _acronym_letters(acronym: str) -> str:
    return "".join(c for c in acronym if c.isupper())


def _initials(name: str) -> str:
    return "".join(word[0] for word in re.split(r"[\s-]+", name) if word and word[0].isupper())


def _is_subsequence(short: str, long: str) -> bool:
    remaining = iter(long)
    return all(c in remaining for c in short)


def _acronyms(text: str, mentions: Sequence[RawMention], names: Sequence[str]) -> dict[str, frozenset[int]]:
    """Acronyms the article defines: a multi-word name followed by "(ABC)" whose capitals ABC follow in order."""
    found: dict[str, set[int]] = {}
    for i, (mention, name) in enumerate(zip(mentions, names, strict=True)):
        if mention.label not in ENTITY_LABELS or " " not in name:
            continue
        match = _ACRONYM_AFTER.match(text, mention.end)
        if match is None:
            continue
        letters = _acronym_letters(match.group(1))
        if len(letters) >= 2 and _is_subsequence(letters, _initials(name)):
            found.setdefault(match.group(1).replace(".", ""), set()).add(i)
    return {acronym: frozenset(indexes) for acronym, indexes in found.items()}


def _article_names(text: str, mentions: Sequence[RawMention], names: Sequence[str]) -> _ArticleNames:
    full = [n for m, n in zip(mentions, names, strict=True) if m.label == "PERSON" and " " in n]
    by_suffix, by_first = _person_names(full)
    return _ArticleNames(
        {k: frozenset(v) for k, v in by_suffix.items()},
        {k: frozenset(v) for k, v in by_first.items()},
        _acronyms(text, mentions, names),
        Counter((n, m.label) for m, n in zip(mentions, names, strict=True)),
    )


def _full_person_name(name: str, label: str, article: _ArticleNames) -> str | None:
    """The one longer name of the article that `name` abbreviates, or None (no such name, or several)."""
    tokens = tuple(name.split())
    candidates = article.by_suffix.get(tokens, frozenset())
    if not candidates and label == "PERSON" and len(tokens) == 1:
        candidates = article.by_first.get(tokens[0], frozenset())
    return next(iter(candidates)) if len(candidates) == 1 else None


# --------------------------------------------------------------------------------------------------- rules


def _place(name: str, aliases: AliasTable) -> Place | None:
    """The gazetteer's place, a country under the alias table's name for it ("Russia", not "Russian Federation")."""
    place = gazetteer_place(name)
    if place is not None and place.kind == "country" and place.country_code in aliases.country_names:
        return Place(aliases.country_names[place.country_code], place.country_code, place.kind)
    return place


def _resolve_alone(name: str, label: str, aliases: AliasTable) -> _Resolved:
    """What a mention is without looking at the rest of the article: alias table, gazetteer, or itself."""
    alias = aliases.get(name)
    if alias is not None:
        code = alias.country_code
        if code is None and alias.label in PLACE_LABELS:
            place = _place(alias.canonical, aliases)
            code = place.country_code if place else None
        return _Resolved(alias.canonical, alias.label, code, "alias")
    if label in PLACE_LABELS:
        place = _place(name, aliases)
        if place is not None:
            return _Resolved(place.name, label, place.country_code, "gazetteer")
    return _Resolved(name, label, None, "self")


def _known_place(name: str, aliases: AliasTable) -> bool:
    alias = aliases.get(name)
    return (alias is not None and alias.label in PLACE_LABELS) or gazetteer_place(name) is not None


def _short_form(
    mention: RawMention,
    name: str,
    article: _ArticleNames,
    full: Mapping[str, _Resolved],
    acronym_full: Mapping[str, _Resolved],
) -> _Resolved | None:
    """In-article evidence: a surname or first name of a full PERSON name, or an acronym the article defined."""
    acronym = acronym_full.get(name.replace(".", ""))
    if acronym is not None:
        return _Resolved(acronym.canonical, acronym.label, acronym.country_code, "short_form")
    if mention.label == "PERSON" or _maybe_mislabelled_surname(name, mention.label, article):
        person = _full_person_name(name, mention.label, article)
        if person is not None:
            return _Resolved(full[person].canonical, "PERSON", None, "short_form")
    return None


def _maybe_mislabelled_surname(name: str, label: str, article: _ArticleNames) -> bool:
    return (
        label in MISLABELLED_SURNAME_LABELS
        and " " not in name
        and not _ACRONYM.fullmatch(name)
        and article.labels.get((name, label), 0) < CONSISTENT_LABEL_COUNT
    )


def _mention(m: RawMention, r: _Resolved) -> EntityMention:
    return EntityMention(
        m.start, m.end, m.text, r.label, r.canonical, entity_id(r.label, r.canonical), r.country_code, r.linked_by
    )


def canonicalize(
    text: str, mentions: Sequence[RawMention], aliases: AliasTable, *, untagged: bool = True
) -> list[EntityMention]:
    """One EntityMention per raw mention (same offsets), plus untagged surnames of the article's people; by start.

    Order of evidence: what the article itself says (short forms, acronyms it defines) beats the alias table, which
    beats the gazetteer: "Holland" in a story about Tom Holland is the actor, not the Netherlands.
    """
    names = [normalise(m.text, m.label) for m in mentions]
    article = _article_names(text, mentions, names)
    alone = [_resolve_alone(n, m.label, aliases) for m, n in zip(mentions, names, strict=True)]
    full = {n: r for m, n, r in zip(mentions, names, alone, strict=True) if m.label == "PERSON" and " " in n}
    acronym_full = {
        acronym: alone[next(iter(indexes))]
        for acronym, indexes in article.acronyms.items()
        if len({alone[i].canonical for i in indexes}) == 1  # two full forms for one acronym: trust neither
    }
    out: list[EntityMention] = []
    for m, name, resolved_alone in zip(mentions, names, alone, strict=True):
        if m.label not in ENTITY_LABELS:
            out.append(EntityMention(m.start, m.end, m.text, m.label, m.text, entity_id(m.label, m.text)))
            continue
        resolved = None
        # A place the tables know stays a place even when a person of the article shares the name (Paris Hilton).
        if not (m.label in PLACE_LABELS and _known_place(name, aliases)):
            resolved = _short_form(m, name, article, full, acronym_full)
        out.append(_mention(m, resolved or resolved_alone))
    if untagged:
        out.extend(_untagged_surnames(text, out, article, full, aliases))
    return sorted(out, key=lambda e: (e.start, e.end))


def _untagged_surnames(
    text: str,
    found: Sequence[EntityMention],
    article: _ArticleNames,
    full: Mapping[str, _Resolved],
    aliases: AliasTable,
) -> list[EntityMention]:
    """Surnames of the article's people that the model did not tag ("…,” Gallant said.")."""
    taken = sorted((e.start, e.end) for e in found)
    starts = [start for start, _ in taken]
    reach = list(accumulate((end for _, end in taken), max))  # how far the spans up to each one extend
    extra: list[EntityMention] = []
    for tokens, people in article.by_suffix.items():
        if len(tokens) != 1 or len(people) != 1:
            continue
        surname = tokens[0]
        # A surname that is also a plain word ("Young", "Price") or a place ("Jordan") is not worth the risk.
        if len(surname) < 2 or re.search(rf"\b{re.escape(surname.lower())}\b", text) or _known_place(surname, aliases):
            continue
        person = full[next(iter(people))]
        for match in re.finditer(rf"(?<![\w-]){re.escape(surname)}(?![\w-])", text):
            start, end = match.span()
            after = bisect_left(starts, end)  # the first span starting at or after this word's end
            inside = after > 0 and reach[after - 1] > start
            if inside or _next_to_capitalised(text, start, end):
                continue
            extra.append(
                EntityMention(
                    start,
                    end,
                    surname,
                    "PERSON",
                    person.canonical,
                    entity_id("PERSON", person.canonical),
                    None,
                    "untagged_short_form",
                )
            )
    return extra


def _next_to_capitalised(text: str, start: int, end: int) -> bool:
    """Part of a longer capitalised name the model missed ("Tom Gallant", "Gallant Street"): not this person."""
    before = re.search(r"([\w.]+) $", text[max(0, start - 40) : start])
    after = re.match(r" (\w+)", text[end : end + 40])
    if before and before.group(1)[0].isupper():
        word = before.group(1).casefold()
        # "But Gallant said", "The Biden administration": a capitalised function word starts a sentence, not a name.
        if word not in ONE_WORD_TITLES and word not in STOP_WORDS:
            return True
    return bool(after and after.group(1)[0].isupper())
