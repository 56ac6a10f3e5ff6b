"""Clean stage: HTML → CleanArticle (main text and metadata) or a rejection reason.

trafilatura extracts the main text and metadata; the boilerplate rules then remove the furniture it keeps.
Pure functions over bytes/str: no network, so stored pages can be cleaned again after an upgrade.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

import py3langid
import trafilatura
from lxml.etree import _Element
from wirehouse.tasks.boilerplate import DEFAULT_RULES, load_rules, strip_boilerplate

from wirehouse.models import CleanArticle, FeedEntry

EXTRACTOR = f"trafilatura {trafilatura.__version__}"
_BLOCK_TAGS = {"p", "head", "quote", "item", "list", "table", "row", "cell"}
_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)
_WS = re.compile(r"\s+")
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True, slots=True)
class Rejected:
    reason: str


def decode_html(body: bytes, content_type: str | None) -> str | bytes:
    """Use the HTTP charset when it works; otherwise let trafilatura sniff the bytes."""
    match = _CHARSET.search(content_type or "")
    if match:
        try:
            return body.decode(match.group(1))
        except (LookupError, UnicodeDecodeError):
            pass
    return body


def _blocks(body: _Element) -> list[str]:
    """Paragraph-level blocks of trafilatura's output tree, nested lists flattened to their items."""
    blocks = []
    for element in body.iter(*_BLOCK_TAGS):
        if element.tag in ("list", "table", "row"):
            continue  # their items/cells are visited on their own
        text = _WS.sub(" ", "".join(element.itertext())).strip()
        if text:
            blocks.append(text)
    return blocks


def _same_text(a: str | None, b: str | None) -> bool:
    return bool(a and b) and _WS.sub(" ", a).strip().casefold() == _WS.sub(" ", b).strip().casefold()


def _looks_like_headline(block: str) -> bool:
    return len(block.split()) <= 25 and not block.rstrip().endswith((".", ":", ";", ","))


def _published(page_date: str | None, entry: FeedEntry | None) -> datetime | None:
    """htmldate gives a day; a feed's timestamp on the same day (or with no page date) is more precise."""
    feed_time = entry.published_at if entry else None
    if not page_date:
        return feed_time
    try:
        day = date.fromisoformat(page_date[:10])
    except ValueError:
        return feed_time
    if feed_time and feed_time.date() == day:
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

    title = doc.title or (entry.title if entry else None)
    blocks, removed = strip_boilerplate(_blocks(doc.body), load_rules(rules_path or DEFAULT_RULES))
    if blocks and not title and _looks_like_headline(blocks[0]):
        title = blocks[0]  # a bare page with no <title>: its first line is the headline
    if blocks and _same_text(blocks[0], title):
        blocks = blocks[1:]
    text = "\n\n".join(blocks)
    if len(text) < min_text_chars:
        return Rejected(f"too_short: {len(text)} chars")

    author = doc.author or (entry.author if entry else None)
    return CleanArticle(
        url=doc.url or url,
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
