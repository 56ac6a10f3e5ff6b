"""Entry → page result: take the feed's own content or fetch the page, then clean it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from wirehouse.models import ArchiveRef, FeedEntry, FetchRequest, FetchResult, Outcome, PageResult
from wirehouse.parallel import WorkerPool
from wirehouse.settings import Settings
from wirehouse.tasks.archive import ArchivedResponse, WarcWriter
from wirehouse.tasks.charset import decode_body
from wirehouse.tasks.clean import CleanJob, CleanOptions, Rejected, clean_many
from wirehouse.tasks.fetch import fetch_all, is_transient
from wirehouse.tasks.http_types import media_type
from wirehouse.tasks.sniff import AccessStatus, classify_page
from wirehouse.tasks.templates import site_key

# Fetched fine, nothing to clean: retried by later runs (a challenge or an empty 200 may go away).
RETRY_LATER = {AccessStatus.BOT_CHALLENGE: "bot_challenge", AccessStatus.ERROR: "empty_body"}


def _without_html(entry: FeedEntry, fetch: FetchResult, access: AccessStatus) -> PageResult | None:
    """A PageResult for a fetch that gave no HTML to clean; None when there is HTML."""
    common = {"url": entry.url, "feed": entry.feed, "fetched_at": fetch.fetched_at, "final_url": fetch.final_url,
              "http_status": fetch.status_code, "content_type": fetch.content_type, "fetch": fetch,
              "access_status": str(access)}
    if fetch.error:
        reason = f"{fetch.error}: {fetch.detail}" if fetch.detail else fetch.error
        return PageResult(outcome=Outcome.FAILED, reason=reason, transient=is_transient(fetch.error), **common)
    if access == AccessStatus.NOT_HTML:
        reason = f"not_html: {media_type(fetch.content_type) or 'unknown'}"
        return PageResult(outcome=Outcome.REJECTED, reason=reason, **common)
    if access in RETRY_LATER:
        return PageResult(outcome=Outcome.FAILED, reason=RETRY_LATER[access], transient=True, **common)
    return None


def _clean(
    items: Sequence[tuple[FeedEntry, str | bytes, FetchResult | None, AccessStatus]],
    settings: Settings,
    pool: WorkerPool | None,
    templates: Mapping[str, frozenset[int]],
) -> list[PageResult]:
    """Clean (entry, html, fetch, access) items; fetch is None when the html is the feed's own content."""
    jobs = []
    for entry, html, fetch, access in items:
        url = fetch.final_url if fetch else entry.url
        jobs.append(CleanJob(html, url, entry, "page" if fetch else "feed", str(access),
                             fetch.fetched_at if fetch else None, templates.get(site_key(url), frozenset())))
    cleaned = clean_many(jobs, CleanOptions.from_settings(settings), pool)
    results = []
    for (entry, _, fetch, access), out in zip(items, cleaned, strict=True):
        base = PageResult(
            url=entry.url, feed=entry.feed, outcome=Outcome.ARTICLE,
            fetched_at=fetch.fetched_at if fetch else datetime.now(UTC),
            final_url=fetch.final_url if fetch else None,
            http_status=fetch.status_code if fetch else None,
            content_type=fetch.content_type if fetch else None,
            fetch=fetch,
            access_status=str(access),
        )
        if out is None:
            results.append(replace(base, outcome=Outcome.FAILED, reason="worker_crash", transient=True))
        elif isinstance(out, Rejected):
            results.append(replace(base, outcome=Outcome.REJECTED, reason=out.reason))
        else:
            results.append(replace(base, article=out))
    return results


def process_entries(
    entries: Sequence[FeedEntry],
    settings: Settings,
    pool: WorkerPool | None = None,
    templates: Mapping[str, frozenset[int]] | None = None,
    archive: WarcWriter | None = None,
) -> list[PageResult]:
    """One PageResult per entry. Feed content that cleans to an article saves a fetch; the rest is fetched.

    templates: each site's learned template block hashes (warehouse.site_templates), removed while cleaning.
    archive: where every fetched body is kept (the raw page archive), referenced from each result.
    """
    templates = templates or {}
    results: dict[str, PageResult] = {}
    with_content = [e for e in entries if e.content_html]
    for result in _clean([(e, e.content_html, None, AccessStatus.OK) for e in with_content], settings, pool, templates):
        if result.outcome == Outcome.ARTICLE:
            results[result.url] = result
    to_fetch = [e for e in entries if e.url not in results]
    fetched = fetch_all([FetchRequest(e.url) for e in to_fetch], settings)
    refs = [_archive(archive, fetch) for fetch in fetched]
    for result in _from_fetches(to_fetch, fetched, refs, settings, pool, templates):
        results[result.url] = result
    return [results[e.url] for e in entries]


def process_archived(
    items: Sequence[tuple[FeedEntry, ArchivedResponse]],
    settings: Settings,
    pool: WorkerPool | None = None,
    templates: Mapping[str, frozenset[int]] | None = None,
) -> list[PageResult]:
    """Clean bodies from the archive (or a WARC file) exactly as if just fetched; nothing goes to the network."""
    fetches = [
        FetchResult(url=entry.url, final_url=response.url, fetched_at=response.fetched_at,
                    status_code=response.status, content_type=response.content_type, body=response.body,
                    error="too_large" if response.too_large else _status_error(response.status))
        for entry, response in items
    ]
    results = _from_fetches([e for e, _ in items], fetches, [r.ref for _, r in items], settings, pool, templates or {})
    return [replace(r, fetch=None) for r in results]  # no request was made: nothing for the fetch log


def _status_error(status: int | None) -> str | None:
    return f"http_{status}" if status is not None and status >= 400 else None


def _archive(archive: WarcWriter | None, fetch: FetchResult) -> ArchiveRef | None:
    if archive is None or fetch.body is None or fetch.error:
        return None
    headers = {name: value for name, value in (("ETag", fetch.etag), ("Last-Modified", fetch.last_modified)) if value}
    return archive.write_response(fetch.final_url, fetch.fetched_at, fetch.status_code, fetch.content_type,
                                  fetch.body, headers)


def _from_fetches(
    entries: Sequence[FeedEntry],
    fetches: Sequence[FetchResult],
    refs: Sequence[ArchiveRef | None],
    settings: Settings,
    pool: WorkerPool | None,
    templates: Mapping[str, frozenset[int]],
) -> list[PageResult]:
    """Results in the order of the entries."""
    results: list[PageResult | None] = [None] * len(entries)
    cleanable, positions = [], []
    for i, (entry, fetch, ref) in enumerate(zip(entries, fetches, refs, strict=True)):
        access = classify_page(fetch.status_code, fetch.content_type, fetch.body, fetch.error)
        failure = _without_html(entry, fetch, access)
        if failure:
            results[i] = replace(failure, archive=ref)
        else:
            html, _ = decode_body(fetch.body or b"", fetch.content_type)
            cleanable.append((entry, html, fetch, access))
            positions.append(i)
    for i, result in zip(positions, _clean(cleanable, settings, pool, templates), strict=True):
        results[i] = replace(result, archive=refs[i])
    return results
