"""Sitemaps: a news site's article URLs from its sitemaps, for the `sitemap` backfill mode.

Where: the sitemaps a caller names, else those robots.txt names (`Sitemap:` lines), else the usual places
(/sitemap.xml, /sitemap_index.xml, /news-sitemap.xml), where a missing one (HTTP 4xx, or an HTML page) is no error.
Sitemap indexes are followed breadth-first, each document fetched once (an index that lists itself is read once),
at most max_sitemaps documents in all; a child sitemap whose lastmod is before the range is not read, since none of
its URLs changed after it did.

What and how safely a sitemap is read: tasks/sitemap_parse.py.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from wirehouse.models import FetchRequest, FetchResult
from wirehouse.settings import Settings
from wirehouse.tasks.fetch import fetch_all
from wirehouse.tasks.http_types import is_http_url
from wirehouse.tasks.sitemap_parse import (
    NotASitemap,
    SitemapError,
    SitemapUrl,
    absolute_url,
    parse_sitemap,
    sitemaps_from_robots,
)

GUESSED_PATHS = ("/sitemap.xml", "/sitemap_index.xml", "/news-sitemap.xml")
FETCH_BATCH = 8  # sitemaps fetched at a time: bounds the bodies held in memory (each up to max_response_bytes)


@dataclass(frozen=True)
class SitemapScan:
    urls: list[SitemapUrl]  # within the range, de-duplicated by URL, in document order (breadth-first)
    sitemaps_read: list[str]  # sitemaps fetched and parsed, in the order read
    errors: list[str]  # "<sitemap url>: <why>" for each sitemap that could not be read or parsed
    skipped_out_of_range: int  # URLs (and child sitemaps) left out by the date filter


def _site_root(site: str) -> str:
    """The site's root URL ("https://host/"), or "" when site names no http(s) host."""
    site = site.strip()
    if "://" not in site:
        site = "https://" + site
    try:
        parts = urlsplit(site)
        root = f"{parts.scheme}://{parts.netloc}/"
    except ValueError:
        return ""
    return root if is_http_url(root) else ""


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _in_range(date: datetime | None, since: datetime | None, until: datetime | None) -> bool:
    if since is None and until is None:
        return True
    if date is None:
        return False
    return (since is None or date >= since) and (until is None or date <= until)


def _merge(first: SitemapUrl, later: SitemapUrl) -> SitemapUrl:
    """One URL listed twice (a sitemap and a news sitemap): the first listing, completed by the later one."""
    return replace(first, lastmod=first.lastmod or later.lastmod,
                   published_at=first.published_at or later.published_at, title=first.title or later.title)


def _failure(result: FetchResult) -> str:
    return f"{result.error}: {result.detail}" if result.detail else str(result.error)


class _PacedFetcher:
    """fetch_all, one batch at a time, leaving settings.per_host_delay between batches: each fetch_all call has
    its own per-host gate, which does not know when the last batch's requests were sent."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._last_end: float | None = None

    def fetch(self, urls: Sequence[str]) -> list[FetchResult]:
        if self._last_end is not None:
            wait = self._last_end + self.settings.per_host_delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        try:
            return fetch_all([FetchRequest(url, kind="feed") for url in urls], self.settings)
        finally:
            self._last_end = time.monotonic()


class _Scan:
    """What a scan has found so far, and which sitemaps it has met."""

    def __init__(self, since: datetime | None, until: datetime | None) -> None:
        self.since, self.until = since, until
        self.kept: dict[str, SitemapUrl] = {}
        self.out_of_range: set[str] = set()  # URLs, counted at the end unless another listing of them is kept
        self.skipped_sitemaps = 0
        self.read: list[str] = []
        self.errors: list[str] = []
        self.seen: set[str] = set()  # every sitemap queued or fetched, under its requested and its final URL

    def queue(self, urls: Sequence[str]) -> list[str]:
        """The URLs not met before, each once, now marked as met."""
        new = []
        for url in urls:
            if url not in self.seen:
                self.seen.add(url)
                new.append(url)
        return new

    def take(self, result: FetchResult, *, guessed: bool) -> list[str]:
        """Record one fetched sitemap; returns the child sitemaps to read next."""
        self.seen.add(result.final_url)
        if not result.ok or result.body is None:
            if not (guessed and 400 <= (result.status_code or 0) < 500):
                self.errors.append(f"{result.url}: {_failure(result)}"[:500])
            return []
        try:
            urls, children = parse_sitemap(result.body, result.final_url)
        except NotASitemap as exc:
            if not guessed:
                self.errors.append(f"{result.url}: {exc}"[:500])
            return []
        except SitemapError as exc:
            self.errors.append(f"{result.url}: {exc}"[:500])
            return []
        self.read.append(result.url)
        for entry in urls:
            if not _in_range(entry.date, self.since, self.until):
                self.out_of_range.add(entry.url)
            elif entry.url in self.kept:
                self.kept[entry.url] = _merge(self.kept[entry.url], entry)
            else:
                self.kept[entry.url] = entry
        wanted = []
        for child, lastmod in children:
            if self.since is not None and lastmod is not None and lastmod < self.since and child not in self.seen:
                self.seen.add(child)
                self.skipped_sitemaps += 1
            else:
                wanted.append(child)
        return self.queue(wanted)

    def result(self) -> SitemapScan:
        skipped = len(self.out_of_range - self.kept.keys()) + self.skipped_sitemaps
        return SitemapScan(list(self.kept.values()), self.read, self.errors, skipped)


def _start(site: str, sitemaps: Sequence[str], fetcher: _PacedFetcher, scan: _Scan) -> tuple[list[str], bool]:
    """The first sitemaps to read, and whether they are guesses."""
    root = _site_root(site)
    if sitemaps:
        start = []
        for given in sitemaps:
            url = absolute_url(given.strip(), root or "")
            if url:
                start.append(url)
            else:
                scan.errors.append(f"{given}: not an http(s) URL")
        return start, False
    if not root:
        scan.errors.append(f"{site}: not an http(s) site")
        return [], False
    [robots] = fetcher.fetch([urljoin(root, "/robots.txt")])
    if not robots.ok and not 400 <= (robots.status_code or 0) < 500:  # no robots.txt is no news; no answer is
        scan.errors.append(f"{robots.url}: {_failure(robots)}"[:500])
    named = sitemaps_from_robots(robots.body, robots.final_url) if robots.ok and robots.body else []
    if named:
        return named, False
    return [urljoin(root, path) for path in GUESSED_PATHS], True


def scan_site(site: str, settings: Settings, since: datetime | None = None, until: datetime | None = None,
              sitemaps: Sequence[str] = (), max_sitemaps: int = 500) -> SitemapScan:
    """Read a site's sitemaps: the given ones, else those robots.txt names, else /sitemap.xml,
    /sitemap_index.xml and /news-sitemap.xml (missing ones are not errors when guessed). Follows sitemap indexes
    breadth-first, at most max_sitemaps documents, each fetched once; child sitemaps whose lastmod is before `since`
    are not read. URLs are kept when their date is within [since, until] (inclusive); a URL with no date is kept
    only when no range is given. Bad sitemaps are recorded in errors, never raised.

    `site` is a URL (or a bare host, taken as https); only its scheme and host are used. Sitemaps left unread
    when max_sitemaps is reached are reported as one line of errors."""
    scan = _Scan(_aware(since), _aware(until))
    fetcher = _PacedFetcher(settings)
    start, guessed = _start(site, sitemaps, fetcher, scan)
    level, fetched = scan.queue(start), 0
    while level:
        next_level: list[str] = []
        position = 0
        while position < len(level):
            batch = level[position:position + max(0, min(FETCH_BATCH, max_sitemaps - fetched))]
            if not batch:
                left = len(level) - position + len(next_level)
                scan.errors.append(f"{level[position]}: not read: max_sitemaps ({max_sitemaps}) reached, "
                                   f"{left} sitemap(s) left unread")
                return scan.result()
            position += len(batch)
            fetched += len(batch)
            for result in fetcher.fetch(batch):
                next_level.extend(scan.take(result, guessed=guessed))
        level, guessed = next_level, False
    return scan.result()
