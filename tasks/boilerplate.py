"""Boilerplate rules kept as data (boilerplate.toml), applied to the blocks trafilatura extracted."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal, TypeVar

DEFAULT_RULES = Path(__file__).with_name("boilerplate.toml")
Scope = Literal["anywhere", "edges", "tail"]
_WS = re.compile(r"\s+")
T = TypeVar("T")


@dataclass(frozen=True)
class RuleGroup:
    name: str
    scope: Scope
    max_words: int
    pattern: re.Pattern[str]

    def matches(self, block: str) -> bool:
        folded = _WS.sub(" ", block).strip()
        return len(folded.split()) <= self.max_words and self.pattern.fullmatch(folded) is not None


@dataclass(frozen=True)
class Rules:
    groups: tuple[RuleGroup, ...]

    def in_scope(self, scope: Scope) -> tuple[RuleGroup, ...]:
        return tuple(g for g in self.groups if g.scope == scope)


class RulesError(ValueError):
    pass


@cache
def load_rules(path: Path = DEFAULT_RULES) -> Rules:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    groups = []
    for raw in data.get("group", []):
        name = raw.get("name", "?")
        if raw.get("scope") not in ("anywhere", "edges", "tail"):
            raise RulesError(f"{path}: group {name!r} has no valid scope")
        if not raw.get("patterns"):
            raise RulesError(f"{path}: group {name!r} has no patterns")
        flags = re.IGNORECASE if raw.get("ignore_case", True) else 0
        try:
            pattern = re.compile("|".join(f"(?:{p})" for p in raw["patterns"]), flags)
        except re.error as exc:
            raise RulesError(f"{path}: group {name!r}: {exc}") from exc
        groups.append(RuleGroup(name, raw["scope"], int(raw.get("max_words", 12)), pattern))
    return Rules(tuple(groups))


def _first_match(groups: tuple[RuleGroup, ...], block: str) -> str | None:
    return next((g.name for g in groups if g.matches(block)), None)


def strip_boilerplate(
    blocks: Sequence[T], rules: Rules, text: Callable[[T], str] = str
) -> tuple[list[T], Counter[str]]:
    """Remove boilerplate blocks; returns the kept blocks and how many each group removed.

    Blocks may be strings or records carrying more than their text (`text` reads it), so what travels with a
    block, like its kind, stays aligned with it.
    """
    removed: Counter[str] = Counter()
    kept = list(blocks)

    tail = rules.in_scope("tail")
    for i in range(len(kept) // 2, len(kept)):
        group = _first_match(tail, text(kept[i]))
        if group:
            removed[group] += len(kept) - i
            kept = kept[:i]
            break

    anywhere = rules.in_scope("anywhere")
    survivors = []
    for block in kept:
        group = _first_match(anywhere, text(block))
        if group:
            removed[group] += 1
        else:
            survivors.append(block)
    kept = survivors

    # Edges peel inwards: after a stray byline goes, the next block is the new edge.
    edges = rules.in_scope("edges")
    while kept and (group := _first_match(edges, text(kept[-1]))):
        removed[group] += 1
        kept.pop()
    while kept and (group := _first_match(edges, text(kept[0]))):
        removed[group] += 1
        kept.pop(0)
    return kept, removed
