"""Per-site templates: blocks that recur across many pages of one site are its furniture, not content.

The clean stage hashes each short block of every page; the warehouse learns which hashes recur on a site
(warehouse/site_templates.py) and the clean stage drops them from the site's next pages. Hashes, not texts,
travel to the workers: a site's template is a few dozen integers.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from wirehouse.tasks.identity import normalize_text

MAX_TEMPLATE_WORDS = 80  # longer blocks are never template candidates: a recurring long paragraph is content


def site_key(url: str) -> str:
    """The site a page belongs to for template learning: its host without "www." ("" for a URL with none, or one
    too broken to have one: "http://[abc/")."""
    try:
        return (urlsplit(url).hostname or "").removeprefix("www.")
    except ValueError:
        return ""


def block_hash(text: str) -> int:
    """Signed 64-bit hash of a block's normalised text (a DuckDB BIGINT), stable across processes and runs."""
    digest = hashlib.blake2b(normalize_text(text).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def template_hash(text: str) -> int | None:
    """The block's hash if it is short enough to be template, else None: long blocks are never learned."""
    return block_hash(text) if len(text.split()) <= MAX_TEMPLATE_WORDS else None
