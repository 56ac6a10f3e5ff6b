"""The alias table (seeds/aliases.csv): spellings folded onto one canonical name, label and country code.

"U.S.", "the United States" → United States. Read once per path and process, validated row by row; its fingerprint
is part of the enrichment version.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

from wirehouse.tasks.names import LEADING_THE
from wirehouse.tasks.places import country_index, fold

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ALIASES = ROOT / "seeds" / "aliases.csv"
ALIAS_COLUMNS = ("alias", "canonical", "label", "country_code")

# Labels spaCy's English models emit for things worth counting; the alias table may only name these. Anything else
# (DATE, TIME, PERCENT, MONEY, QUANTITY, ORDINAL, CARDINAL, other schemes' labels) passes through unchanged, with
# canonical = text: stored, never linked.
ENTITY_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)


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
    return LEADING_THE.sub("", fold(text.replace(".", "")))


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
    countries = country_index()
    names: dict[str, str] = {}
    for key, alias in entries.items():
        if alias.label == "GPE" and alias.country_code:
            hit = countries.get(fold(alias.canonical)) or countries.get(key)
            if hit and hit.country_code == alias.country_code:
                names.setdefault(alias.country_code, alias.canonical)
    return names
