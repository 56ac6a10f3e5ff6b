"""Word lists kept as data: TOML files next to the modules that read them, checked as they are read.

Each reader (quote_rules.py, names.py, places.py) loads its file once (functools.cache) and asks for its lists
here, so a typo in a file is an error that names the file and the list, not a pattern that silently never matches.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class WordListError(ValueError):
    """A data file that cannot be read, or a list in it of the wrong shape; the message names the file and list."""


@dataclass(frozen=True)
class Shape:
    pattern: re.Pattern[str]
    description: str


# Lists matched against lower-cased words must be lower-case themselves, or they never match.
LOWER_WORD = Shape(re.compile(r"[^\sA-Z]+"), "one lower-case word")
LOWER_PHRASE = Shape(re.compile(r"[^\sA-Z]+(?: [^\sA-Z]+)*"), "lower-case words separated by single spaces")
PHRASE = Shape(re.compile(r"\S+(?: \S+)*"), "words separated by single spaces")


def read_toml(path: Path, keys: Collection[str]) -> Mapping[str, Any]:
    """The file's top-level tables and lists; every key in `keys` must be there, and nothing else."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise WordListError(f"{path}: {exc}") from exc
    problems = [f"missing {key!r}" for key in keys if key not in data]
    problems += [f"unknown {key!r} (expected one of {', '.join(keys)})" for key in data if key not in keys]
    if problems:
        raise WordListError(f"{path}: {'; '.join(problems)}")
    return data


def word_list(value: Any, where: str, shape: Shape = LOWER_WORD) -> tuple[str, ...]:
    """A non-empty list of distinct strings of the given shape, in file order; `where` names it in errors."""
    if not isinstance(value, list) or not value:
        raise WordListError(f"{where}: expected a non-empty list of strings")
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, str) or not shape.pattern.fullmatch(item):
            raise WordListError(f"{where}: {item!r} is not {shape.description}")
        if item in seen:
            raise WordListError(f"{where}: {item!r} is listed twice")
        seen.add(item)
    return tuple(value)


def word_set(value: Any, where: str, shape: Shape = LOWER_WORD) -> frozenset[str]:
    return frozenset(word_list(value, where, shape))
