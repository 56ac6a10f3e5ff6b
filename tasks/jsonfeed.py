"""JSON Feed 1.0/1.1 (https://www.jsonfeed.org/version/1.1/): feedparser does not read it, so this module does.

Takes bytes, returns the same `FeedEntry` records as `tasks.feeds.parse_feed`. A feed is external input of any
shape: whole-document problems raise `ValueError` (the poll records it as a parse error), and odd values inside
an item only cost that field or that item, never the feed.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urljoin

from wirehouse.models import Feed, FeedEntry
from wirehouse.tasks.charset import bom_codec, utf16_32_without_bom
from wirehouse.tasks.http_types import is_http_url, media_type

JSON_FEED_TYPE = "application/feed+json"
JSON_FEED_TYPES = frozenset({JSON_FEED_TYPE, "application/json"})
SUMMARY_CHARS = 1000  # content_text stands in for a missing summary, cut to the size summaries usually have

# PHP's json_encode writes "https:\/\/jsonfeed.org\/version\/1.1", so the slashes may be escaped.
_VERSION = re.compile(rb'"version"\s*:\s*"https?:\\?/\\?/(?:www\.)?jsonfeed\.org', re.IGNORECASE)
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(?:([Zz])|([+-])(\d{2}):?(\d{2}))?"
)
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def looks_like_json_feed(body: bytes, content_type: str | None) -> bool:
    """Whether a feed body should go to `parse_json_feed` rather than feedparser.

    The content type decides when it says JSON (feedparser cannot read JSON anyway), unless the body is plainly
    XML served under a wrong type; otherwise the body must be a JSON object naming a jsonfeed.org version.
    """
    body = _utf8(body)
    start = body.lstrip()[:1]
    if media_type(content_type) in JSON_FEED_TYPES and start != b"<":
        return True
    return start == b"{" and _VERSION.search(body) is not None


def _utf8(body: bytes) -> bytes:
    """The body as UTF-8 without a BOM, for the byte checks above: json reads UTF-16 and UTF-32 too."""
    bom = bom_codec(body)
    if bom is None:
        # UTF-16/32 without a BOM too: else an XML feed in UTF-16BE served as application/json starts with a zero
        # byte, not "<", goes to the JSON parser and fails on every poll (feedparser-suite encoding/u16.xml).
        codec = utf16_32_without_bom(body)
        return body.decode(codec, "replace").encode("utf-8") if codec else body
    codec, size = bom
    return body[size:] if codec == "utf-8" else body[size:].decode(codec, "replace").encode("utf-8")


def parse_json_feed(feed: Feed, body: bytes, *, base_url: str) -> list[FeedEntry]:
    """Parse a JSON Feed body into entries; items without an http(s) link are dropped, relative links resolved.

    Raises ValueError when the body is not JSON, not an object, or has no `items` list.
    """
    document = _load(body)
    items = document.get("items")
    if not isinstance(items, list):
        raise ValueError("not a JSON feed: no 'items' list" if items is None else "JSON feed 'items' is not a list")
    # Relative item URLs are relative to the site the feed describes; the feed's own address is the fallback.
    home = _text(document.get("home_page_url"))
    base = (_http_url(home, base_url) if home else None) or base_url
    feed_author = _author(document)  # 1.1: items without authors have the feed's
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        url = _item_url(item, base)
        if url is None:
            continue
        entries.append(
            FeedEntry(
                feed=feed.name,
                url=url,
                guid=_guid(item.get("id")),
                title=_text(item.get("title")),
                author=_author(item) or feed_author,
                published_at=parse_rfc3339(item.get("date_published")) or parse_rfc3339(item.get("date_modified")),
                summary=_summary(item),
                content_html=_text(item.get("content_html")) if feed.full_content else None,
            )
        )
    return entries


def _load(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body)  # bytes: json detects UTF-8 (with or without BOM), UTF-16 and UTF-32
    except RecursionError as exc:  # "[[[[…" nested deeper than the interpreter's stack
        raise ValueError("not a JSON feed: JSON nested too deeply") from exc
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
        raise ValueError(f"not a JSON feed: invalid JSON ({exc})") from exc
    if not isinstance(document, dict):
        raise ValueError(f"not a JSON feed: top level is a JSON {type(document).__name__}, not an object")
    return document


def _text(value: object) -> str | None:
    """A string field, or None: feeds in the wild put numbers, nulls and objects where strings belong.

    Every string that leaves the document goes through here, so that it is made encodable once, here.
    """
    return _encodable(value) if isinstance(value, str) and value.strip() else None


def _encodable(text: str) -> str:
    """`text` with each lone surrogate as U+FFFD; a high and a low surrogate in a row become their character.

    json lets a "\\ud800" escape (and UTF-8-encoded surrogates) through as a lone surrogate, which str.encode()
    refuses downstream: the URL id, the Parquet writer. UTF-16 is the codec that pairs surrogates up and replaces
    each unpaired one with a single U+FFFD (a UTF-8 round trip would give three, and split pairs).
    """
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _guid(value: object) -> str | None:
    # The 1.1 spec: an id given as a number (or other type) must be coerced to a string.
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    return _text(value)


def _http_url(value: str, base: str) -> str | None:
    """`value` resolved against `base` when the result is an http(s) URL with a host; None otherwise."""
    try:
        url = urljoin(base, value.strip())
    except ValueError:  # urljoin splits both URLs: "http://[::1" and other unparseable netlocs
        return None
    return url if is_http_url(url) else None


def _item_url(item: dict[str, Any], base: str) -> str | None:
    """The item's page: `url`, else an `id` that is itself an absolute http(s) URL (ids like "42" are not links)."""
    url = _text(item.get("url"))
    if url and (resolved := _http_url(url, base)):
        return resolved
    guid = _text(item.get("id"))
    if guid and is_http_url(guid.strip()):
        return _http_url(guid, base)
    return None


def _author(obj: dict[str, Any]) -> str | None:
    """1.1 `authors[].name` joined with ", ", else the 1.0 `author.name`."""
    authors = obj.get("authors")
    if isinstance(authors, list):
        names = [name.strip() for a in authors if isinstance(a, dict) and (name := _text(a.get("name")))]
        if names:
            return ", ".join(names)
    author = obj.get("author")
    if isinstance(author, dict) and (name := _text(author.get("name"))):
        return name.strip()
    return None


def _summary(item: dict[str, Any]) -> str | None:
    summary = _text(item.get("summary"))
    if summary:
        return summary
    text = _text(item.get("content_text"))
    return text.strip()[:SUMMARY_CHARS] if text else None


def parse_rfc3339(value: object) -> datetime | None:
    """An RFC 3339 timestamp as an aware UTC datetime; None when absent or unusable.

    Lenient where feeds are sloppy: a missing offset is taken as UTC, a date alone as midnight, a leap second as
    :59, fractions beyond microseconds are cut. Impossible dates give None rather than an error.
    """
    if not isinstance(value, str):
        return None
    m = _RFC3339.fullmatch(value.strip())
    if m is None:
        return None
    year, month, day, hour, minute, second, fraction, _zulu, sign, off_h, off_m = m.groups()
    tz = UTC
    if sign:
        offset = timedelta(hours=int(off_h), minutes=int(off_m))
        try:
            tz = timezone(-offset if sign == "-" else offset)
        except ValueError:  # offsets of 24h or more
            return None
    try:
        stamp = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), min(int(second or 0), 59),
            int((fraction or "0")[:6].ljust(6, "0")), tzinfo=tz,
        )
        return stamp.astimezone(UTC)
    except (ValueError, OverflowError):  # month 13, year 0, or year 1 moved before the start of the calendar
        return None
