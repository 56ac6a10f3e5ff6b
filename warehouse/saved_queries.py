"""Saved analyst queries: the .sql files of warehouse/queries/ that carry a `-- query:` header.

    -- query: What the query answers, in one line
    -- param days INTEGER = 7: the period compared, in days

Parameters are typed, have defaults, and reach DuckDB as prepared parameters ($days), never as text pasted into SQL.
The other files in queries/ are the pipeline's own statements and are not offered to analysts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from wirehouse.warehouse.db import QUERIES

_HEADER = re.compile(r"^--\s*query:\s*(?P<description>.+)$", re.MULTILINE)
_PARAM = re.compile(
    r"^--\s*param\s+(?P<name>[a-z_][a-z0-9_]*)\s+(?P<type>INTEGER|DOUBLE|VARCHAR|DATE|BOOLEAN)"
    r"\s*=\s*(?P<default>[^:]+?)\s*:\s*(?P<description>.+)$",
    re.MULTILINE,
)
_CASTS = {"INTEGER": int, "DOUBLE": float, "VARCHAR": str, "DATE": date.fromisoformat,
          "BOOLEAN": lambda v: v.strip().lower() in ("1", "true", "yes", "on")}


class QueryError(ValueError):
    """A saved query that does not exist, or a parameter it does not take or cannot read."""


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: str
    default: str
    description: str

    def value(self, raw: str) -> object:
        try:
            return _CASTS[self.type](raw)
        except ValueError as exc:
            raise QueryError(f"--param {self.name}={raw!r}: not a {self.type}") from exc


@dataclass(frozen=True, slots=True)
class SavedQuery:
    name: str  # the file's stem with dashes: trending-entities
    description: str
    params: tuple[Param, ...]
    sql: str

    def bind(self, given: dict[str, str]) -> dict[str, object]:
        """Each parameter's value: given on the command line, else its default."""
        known = {p.name: p for p in self.params}
        unknown = set(given) - set(known)
        if unknown:
            takes = ", ".join(known) or "no parameters"
            raise QueryError(f"{self.name} takes {takes}; not {', '.join(sorted(unknown))}")
        return {name: p.value(given.get(name, p.default)) for name, p in known.items()}


def _parse(path: Path) -> SavedQuery | None:
    text = path.read_text(encoding="utf-8")
    header = _HEADER.search(text)
    if not header:
        return None
    params = tuple(Param(m["name"], m["type"], m["default"].strip(), m["description"].strip())
                   for m in _PARAM.finditer(text))
    return SavedQuery(path.stem.replace("_", "-"), header["description"].strip(), params, text)


def saved_queries(folder: Path = QUERIES) -> dict[str, SavedQuery]:
    found = (_parse(path) for path in sorted(folder.glob("*.sql")))
    return {query.name: query for query in found if query}


def saved_query(name: str, folder: Path = QUERIES) -> SavedQuery:
    queries = saved_queries(folder)
    if name.replace("_", "-") not in queries:
        raise QueryError(f"no saved query {name!r}; `wirehouse sql --list` shows them: {', '.join(queries)}")
    return queries[name.replace("_", "-")]


def parse_params(pairs: list[str]) -> dict[str, str]:
    """--param name=value pairs."""
    given = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"--param {pair!r}: write it as name=value")
        given[name.strip()] = value
    return given
