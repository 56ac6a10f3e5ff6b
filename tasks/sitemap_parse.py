"""Reading sitemaps: the XML of a urlset or a sitemap index, and the `Sitemap:` lines of robots.txt.

What: each <url>'s <loc>, <lastmod> and, in news sitemaps, <news:publication_date> and <news:title>. A URL's date is
its publication date, else its lastmod; URLs dated within [since, until] are kept, undated ones only when no range
is given. Elements are matched by local name, so documents with or without the sitemaps.org namespace (or with a
wrong one) read the same.

Safety: bodies come from the web. Gzip is recognised by its magic bytes and inflated up to MAX_SITEMAP_BYTES (the
protocol's 50 MB); XML is parsed by lxml with no network, no DTD loading, no entity substitution and lxml's default
limits on depth and text size; a document declaring entities is refused (billion laughs, external entities).
A sitemap that cannot be read or parsed becomes a line in SitemapScan.errors, never an exception.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urljoin

from lxml import etree

from wirehouse.tasks.http_types import is_http_url

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the protocol's limit on an uncompressed sitemap
MAX_ROBOTS_BYTES = 500_000  # as much of robots.txt as the fetcher's robots parser reads
_GZIP_MAGIC = b"\x1f\x8b"
_HTML_START = (b"<!doctype html", b"<html")

# W3C datetime (https://www.w3.org/TR/NOTE-datetime): YYYY, YYYY-MM, YYYY-MM-DD, then THH:MM, :SS, .s, and a zone
# (Z or ±HH:MM). Also tolerated: a space for the T, a comma for the dot, ±HHMM or ±HH, and no zone (taken as UTC).
_W3C_DATE = re.compile(
    r"(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:[T ](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d+))?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?",
    re.IGNORECASE,
)


class SitemapError(ValueError):
    """A body that is not a readable sitemap."""


class NotASitemap(SitemapError):
    """A readable document that is something else (an HTML page, an RSS feed): at a guessed location, no sitemap."""


@dataclass(frozen=True)
class SitemapUrl:
    url: str
    lastmod: datetime | None  # <lastmod>, UTC
    published_at: datetime | None  # <news:news><news:publication_date>, UTC
    title: str | None  # <news:news><news:title>

    @property
    def date(self) -> datetime | None:
        """The date the range is judged by: the publication date, else the last modification."""
        return self.published_at or self.lastmod


def parse_w3c_datetime(value: str | None) -> datetime | None:
    """A W3C datetime as an aware UTC datetime; a naive one is taken as UTC, a bare date as its midnight.
    Anything unparsable (or out of datetime's range) gives None."""
    if not value:
        return None
    match = _W3C_DATE.fullmatch(value.strip())
    if not match:
        return None
    g = match.groupdict()
    try:
        fraction = (g["f"] or "")[:6].ljust(6, "0")
        parsed = datetime(int(g["y"]), int(g["m"] or 1), int(g["d"] or 1), int(g["H"] or 0), int(g["M"] or 0),
                          int(g["S"] or 0), int(fraction), tzinfo=_zone(g["tz"]))
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):  # month 13, hour 25, a zone of ±24h or more, year 1 minus an offset
        return None


def _zone(tz: str | None) -> timezone:
    if not tz or tz.upper() == "Z":
        return UTC
    digits = tz[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    return timezone(-offset if tz[0] == "-" else offset)  # ValueError beyond ±24h


def _local(tag: object) -> str:
    """An element's local name, whatever its namespace; "" for comments, processing instructions and entities."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _text(element: etree._Element) -> str:
    """The element's text; "" when it holds an entity reference, left unresolved (an external DTD may declare it,
    and is never read): a value with a hole in it is no value."""
    if any(isinstance(node, etree._Entity) for node in element.iter()):
        return ""
    return "".join(element.itertext()).strip()


def _children(element: etree._Element) -> Iterator[tuple[str, etree._Element]]:
    for child in element:
        name = _local(child.tag)
        if name:
            yield name, child


def _decompress(body: bytes) -> bytes:
    limit = MAX_SITEMAP_BYTES
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
            data = stream.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise SitemapError(f"bad gzip: {exc}") from exc
    if len(data) > limit:
        raise SitemapError(f"over {limit} bytes uncompressed")
    return data


def absolute_url(ref: str, base_url: str) -> str | None:
    if not ref:
        return None
    try:
        url = urljoin(base_url, ref)
    except ValueError:  # "http://[::1/x" and the like
        return None
    return url if is_http_url(url) else None


def _url_entry(element: etree._Element, base_url: str) -> SitemapUrl | None:
    loc = lastmod = published = title = None
    for name, child in _children(element):
        if name == "loc" and loc is None:
            loc = _text(child)
        elif name == "lastmod" and lastmod is None:
            lastmod = parse_w3c_datetime(_text(child))
        elif name == "news":
            for news_name, news_child in _children(child):
                if news_name == "publication_date" and published is None:
                    published = parse_w3c_datetime(_text(news_child))
                elif news_name == "title" and title is None:
                    title = _text(news_child) or None
    url = absolute_url(loc or "", base_url)
    return SitemapUrl(url, lastmod, published, title) if url else None


def _sitemap_entry(element: etree._Element, base_url: str) -> tuple[str, datetime | None] | None:
    loc = lastmod = None
    for name, child in _children(element):
        if name == "loc" and loc is None:
            loc = _text(child)
        elif name == "lastmod" and lastmod is None:
            lastmod = parse_w3c_datetime(_text(child))
    url = absolute_url(loc or "", base_url)
    return (url, lastmod) if url else None


def _check_root(root: etree._Element) -> None:
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise SitemapError("entity declarations are not allowed")
    name = _local(root.tag)
    if name not in ("urlset", "sitemapindex"):
        raise NotASitemap(f"not a sitemap: root element <{name}>")


def parse_sitemap(body: bytes, base_url: str) -> tuple[list[SitemapUrl], list[tuple[str, datetime | None]]]:
    """A urlset's URLs and a sitemapindex's child sitemaps (url, lastmod). Gzip bodies are accepted (magic bytes),
    relative URLs resolved against base_url, namespaces tolerated (with or without the sitemaps.org namespace).
    Raises SitemapError on XML that cannot be parsed. Safe on hostile XML: no entity expansion, no DTD, no network.

    Entries without a usable http(s) <loc> are left out; a document with another root element (an HTML page, a
    feed) or with entity declarations raises SitemapError.
    """
    if body[:2] == _GZIP_MAGIC:
        body = _decompress(body)
    elif len(body) > MAX_SITEMAP_BYTES:
        raise SitemapError(f"over {MAX_SITEMAP_BYTES} bytes")
    body = body.lstrip()  # whitespace before the XML declaration is a common slip, and an XML error
    if not body:
        raise SitemapError("empty document")
    if body[:20].lower().startswith(_HTML_START):
        raise NotASitemap("not a sitemap: an HTML page")
    urls: list[SitemapUrl] = []
    children: list[tuple[str, datetime | None]] = []
    events = etree.iterparse(
        io.BytesIO(body), events=("start", "end"), resolve_entities=False, no_network=True, load_dtd=False,
        huge_tree=False, remove_comments=True, remove_pis=True,
    )
    depth = 0
    try:
        for event, element in events:
            if event == "start":
                if depth == 0:
                    _check_root(element)
                depth += 1
                continue
            depth -= 1
            if depth != 1:  # only the root's children are entries; their insides are read when they end
                continue
            name = _local(element.tag)
            if name == "url":
                entry = _url_entry(element, base_url)
                if entry:
                    urls.append(entry)
            elif name == "sitemap":
                child = _sitemap_entry(element, base_url)
                if child:
                    children.append(child)
            # Memory stays flat on a 50,000-URL document: drop each entry once read.
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise SitemapError(f"not well-formed XML: {exc}") from exc
    return urls, children


def sitemaps_from_robots(body: bytes, base_url: str) -> list[str]:
    """The sitemaps a robots.txt names on `Sitemap:` lines (any case), resolved against base_url, each once."""
    found: list[str] = []
    text = body[:MAX_ROBOTS_BYTES].decode("utf-8", "replace").lstrip("\ufeff")
    for line in text.splitlines():
        key, colon, value = line.partition(":")
        if not colon or key.strip().lower() != "sitemap":
            continue
        url = absolute_url(value.split("#", 1)[0].strip(), base_url)
        if url and url not in found:
            found.append(url)
    return found
