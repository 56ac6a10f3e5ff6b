"""Clean stage: HTML → CleanArticle (main text and metadata) or a rejection reason.

trafilatura extracts the main text and metadata; the boilerplate rules then remove the furniture it keeps.
Pure functions over bytes/str: no network, so stored pages can be cleaned again after an upgrade.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import py3langid
import trafilatura
from lxml.etree import _Element

from wirehouse.models import CleanArticle, FeedEntry
from wirehouse.tasks.boilerplate import DEFAULT_RULES, load_rules, strip_boilerplate
from wirehouse.tasks.identity import normalize_text

EXTRACTOR = f"trafilatura {trafilatura.__version__}"
_BLOCK_TAGS = {"p", "head", "quote", "item", "list", "table", "row", "cell", "code", "div"}
_WS = re.compile(r"\s+")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TITLE_SEPARATORS = re.compile(r"\s+[-|–—:•·»]\s+")
HEADLINE_WINDOW = 8  # blocks from the top where the headline may stand


@dataclass(frozen=True, slots=True)
class Rejected:
    reason: str


def _blocks(body: _Element) -> list[str]:
    """Paragraph-level blocks of trafilatura's output tree.

    Text directly inside a container (a table cell holding paragraphs, say) becomes its own block, cut at
    every nested block, so paragraphs are never glued together or counted twice.
    """
    blocks: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        text = _WS.sub(" ", "".join(pending)).strip()
        if text:
            blocks.append(text)
        pending.clear()

    def walk(element: _Element) -> None:
        pending.append(element.text or "")
        for child in element:
            if child.tag in _BLOCK_TAGS:
                flush()
                walk(child)
                flush()
            else:  # inline markup (hi, ref, lb, ...) stays inside the current block
                pending.append(" " if child.tag == "lb" else "".join(child.itertext()))
            pending.append(child.tail or "")

    walk(body)
    flush()
    return blocks


def _same_text(a: str | None, b: str | None) -> bool:
    return bool(a and b) and normalize_text(a) == normalize_text(b)


def canonical_url(declared: str | None, fetched: str) -> str:
    """The page's own canonical URL when it is believable: same host, and not the site's front page.

    Pages that declare their home page as canonical, or another site's URL, would otherwise overwrite
    each other's articles.
    """
    if not declared:
        return fetched
    declared_parts, fetched_parts = urlsplit(urljoin(fetched, declared)), urlsplit(fetched)
    same_host = (declared_parts.hostname or "").removeprefix("www.") == (fetched_parts.hostname or "").removeprefix(
        "www."
    )
    if same_host and declared_parts.scheme in ("http", "https") and declared_parts.path.strip("/"):
        return declared_parts.geturl()
    return fetched


def _title_segments(html: str | bytes) -> list[str]:
    """The <title> and its parts: sites write "Site - Section - Headline" in every order."""
    head = html[:50_000].decode("utf-8", "replace") if isinstance(html, bytes) else html[:50_000]
    match = _TITLE.search(head)
    if not match:
        return []
    title = _WS.sub(" ", unescape(match.group(1))).strip()
    return [title, *(part for part in _TITLE_SEPARATORS.split(title) if len(part.split()) >= 3)]


def _headline_index(blocks: list[str], candidates: list[str]) -> int | None:
    """Where the headline stands among the first blocks; a bare page's first line may be its headline."""
    first = blocks[:HEADLINE_WINDOW]
    for candidate in candidates:
        for i, block in enumerate(first):
            if _same_text(block, candidate):
                return i
    if first and not candidates and len(first[0].split()) <= 25 and not first[0].endswith((".", ":", ";", ",")):
        return 0
    return None


def _published(page_date: str | None, entry: FeedEntry | None) -> datetime | None:
    """htmldate gives a local day; a feed timestamp within a day of it (time zones) is more precise."""
    feed_time = entry.published_at if entry else None
    if not page_date:
        return feed_time
    try:
        day = date.fromisoformat(page_date[:10])
    except ValueError:
        return feed_time
    if feed_time and abs(feed_time.date() - day) <= timedelta(days=1):
        return feed_time
    return datetime.combine(day, time(), UTC)


def detect_language(text: str) -> str | None:
    lang, _ = py3langid.classify(text[:5000])
    return lang or None


def clean_html(
    html: str | bytes,
    url: str,
    *,
    entry: FeedEntry | None = None,
    source: str = "page",
    min_text_chars: int = 0,
    rules_path: Path | None = None,
) -> CleanArticle | Rejected:
    """Extract one page's article; Rejected(reason) when it holds none."""
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            favor_precision=True,
            deduplicate=False,  # its cache is process-wide state: duplicates are found in SQL instead
            output_format="python",
        )
    except Exception as exc:  # trafilatura/lxml raise many types on hostile markup
        return Rejected(f"extract_error: {type(exc).__name__}")
    if doc is None or doc.body is None:
        return Rejected("no_main_text")

    blocks, removed = strip_boilerplate(_blocks(doc.body), load_rules(rules_path or DEFAULT_RULES))
    feed_title = entry.title if entry else None
    # A feed's content is a fragment: what trafilatura calls its title is a subheading at best.
    page_title = None if source == "feed" else doc.title
    candidates = [page_title, *_title_segments(html), feed_title]
    headline = _headline_index(blocks, [c for c in candidates if c])
    if headline is not None:
        # The headline as printed on the page; what stands before it is masthead and navigation.
        title, blocks = blocks[headline], blocks[headline + 1 :]
    else:
        title = page_title or feed_title
    text = "\n\n".join(blocks)
    if len(text) < min_text_chars:
        return Rejected(f"too_short: {len(text)} chars")

    author = doc.author or (entry.author if entry else None)
    return CleanArticle(
        url=canonical_url(doc.url, url),
        title=title,
        author=author,
        published_at=_published(doc.date, entry),
        sitename=doc.sitename,
        language=detect_language(text) if text else None,
        text=text,
        source=source,
        extractor=EXTRACTOR,
        boilerplate_blocks=sum(removed.values()),
    )


def _clean_one(args: tuple[str | bytes, str, FeedEntry | None, str, int, Path | None]) -> CleanArticle | Rejected:
    html, url, entry, source, min_chars, rules = args
    return clean_html(html, url, entry=entry, source=source, min_text_chars=min_chars, rules_path=rules)


def clean_many(
    jobs: Iterable[tuple[str | bytes, str, FeedEntry | None, str]],
    *,
    min_text_chars: int,
    rules_path: Path | None = None,
    executor: Executor | None = None,
) -> Iterator[CleanArticle | Rejected]:
    """Clean (html, url, entry, source) jobs in order, in worker processes when an executor is given."""
    args = ((html, url, entry, source, min_text_chars, rules_path) for html, url, entry, source in jobs)
    if executor is None:
        yield from map(_clean_one, args)
    else:
        yield from executor.map(_clean_one, args, chunksize=4)
