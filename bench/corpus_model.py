"""What a benchmark corpus is made of, for bench/corpus.py (which plans and writes it) and bench/corpus_html.py (which
renders its article pages): the plan's records (sites, their feeds, pages, body blocks) and the world they are set in.
"""

from __future__ import annotations

import hashlib
import random
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

ORIGIN = "http://wirehouse-replay.invalid"  # replay.py serves these files with its own base URL in its place
EPOCH = datetime(2026, 12, 1, tzinfo=UTC)  # pages are dated in the span before it: fixed, so output is stable

SECTIONS = ("World", "Politics", "Business", "Science", "Health", "Technology", "Culture", "Sport", "Climate",
            "Opinion", "Local", "Education")
FIRST_NAMES = ("Amara", "Ben", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hannah", "Ibrahim", "Jonas", "Kasia",
               "Liam", "Maya", "Nikhil", "Olivia", "Pavel", "Quinn", "Rosa", "Samir", "Tessa", "Umar", "Vanessa",
               "Wei", "Yara", "Zoe", "Marcus", "Ines", "Tomasz", "Priya", "Declan")
LAST_NAMES = ("Okafor", "Held", "Raman", "Ortiz", "Wierzbicki", "Brennan", "Castillo", "Doyle", "Eriksen", "Fischer",
              "Garcia", "Haddad", "Ivanova", "Jensen", "Kowalski", "Laurent", "Murphy", "Nakamura", "O'Neill",
              "Petrov", "Quigley", "Rossi", "Schmidt", "Tanaka", "Usman", "Varga", "Walsh", "Young", "Zhang", "Moreau")
PLACES = ("Harbourview", "Millbrook", "Eastmoor", "Riverside", "Kingsport", "Ashford", "Westfield", "Northgate",
          "Bramley", "Lakeshore", "Fairhaven", "Oakridge", "Stonebridge", "Redcliffe", "Elmwood", "Brightwater",
          "Castleton", "Greenvale", "Southport", "Marlow", "Thornbury", "Kelso", "Dunmore", "Alderney", "Pinecrest")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Feed:
    path: str  # /feeds/<site>-<k>.xml|.atom|.json
    summaries: bool  # items carry a description / summary
    permalinks: bool  # item ids are the page URLs (else URNs)


@dataclass(frozen=True, slots=True)
class Site:
    id: str
    name: str
    family: str  # one of corpus_html.FAMILIES: the page skeleton
    prefix: str  # class-name prefix, so two sites of a family differ in markup
    head: tuple[str, ...]  # boilerplate parts above the story, in page order
    inline: tuple[str, ...]  # parts between paragraphs
    tail: tuple[str, ...]  # parts below the story, in page order
    variant: int  # seeds the site's choice of wording for each part
    url_style: int
    jsonld: bool
    feeds: tuple[Feed, ...] = ()

    def cls(self, name: str) -> str:
        if self.family == "nextjs":  # CSS-in-JS: hashed class names that say nothing
            return "css-" + hashlib.blake2s(f"{self.id}/{name}".encode(), digest_size=4).hexdigest()
        return self.prefix + name

    def pick(self, part: str, options: tuple[T, ...]) -> T:
        """The site's choice among `options` for `part`; each part chosen independently of the others."""
        return options[zlib.crc32(f"{self.variant}:{part}".encode()) % len(options)]


@dataclass(frozen=True, slots=True)
class Entry:
    """One page listed in a feed, as planned before any page is written."""

    index: int
    site: int
    kind: str  # "article", "syndicated" or a key of corpus.BAD_KINDS
    path: str
    title: str
    summary: str
    authors: tuple[str, ...]
    section: str
    published: datetime
    source: int = -1  # the entry a syndicated copy reproduces


@dataclass(frozen=True, slots=True)
class Plan:
    seed: int
    pool: tuple[str, ...]  # sentences
    sites: tuple[Site, ...]
    entries: tuple[Entry, ...]
    by_site: tuple[tuple[int, ...], ...]  # entry indices of each site, newest first


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # "p", "h2", "quote" or "list"
    texts: tuple[str, ...]  # one text; a list's items


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"

