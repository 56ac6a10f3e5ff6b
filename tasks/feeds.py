"""Feed stage: the feed list, polling with conditional GET, and parsing bodies into typed entries."""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import feedparser

from wirehouse.models import (
    Feed,
    FeedEntry,
    FeedPoll,
    FeedState,
    FetchRequest,
    FetchResult,
    ItemCounts,
    PollStatus,
)
from wirehouse.settings import Settings
from wirehouse.tasks.charset import decode_body
from wirehouse.tasks.discover import discover_feeds, probe_urls
from wirehouse.tasks.fetch import fetch_all
from wirehouse.tasks.http_types import is_http_url
from wirehouse.tasks.jsonfeed import looks_like_json_feed, parse_json_feed
from wirehouse.tasks.sniff import AccessStatus, classify_page, sniff_feed_body


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


def _entry_time(entry: feedparser.FeedParserDict) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC) if parsed else None
    except (ValueError, OverflowError, OSError):  # year 0, year 99999: the date is unusable, the entry is not
        return None


def _entry_content(entry: feedparser.FeedParserDict) -> str | None:
    for content in entry.get("content") or ():
        if "html" in content.get("type", "") and content.get("value"):
            return content["value"]
    return None


def _feedparser_entries(feed: Feed, body: bytes, base_url: str, content_type: str | None) -> list[FeedEntry]:
    # No content-location: feedparser then leaves relative links as they are, and the decision is recorded here.
    parsed = feedparser.parse(body, response_headers={"content-type": content_type} if content_type else {})
    # No items and a parse problem: not a feed, unless feedparser recognised one (a feed with no items yet, or with
    # a flaw in its markup, is still a feed: failing it would retire it as gone).
    if not parsed.entries and parsed.get("bozo") and not parsed.get("version"):
        raise ValueError(f"not a feed: {parsed.get('bozo_exception')!r}")
    entries = []
    for entry in parsed.entries:
        link = (entry.get("link") or "").strip()
        try:
            notes = () if urlsplit(link).scheme else ("relative_link",)
            url = urljoin(base_url, link) if link else ""
        except ValueError:  # "http://[::1/x" and the like: this item has no usable link, the others may
            notes, url = ("bad_link",), ""
        entries.append(
            FeedEntry(
                feed=feed.name,
                url=url,
                guid=entry.get("id"),
                title=entry.get("title"),
                author=entry.get("author"),
                published_at=_entry_time(entry),
                summary=entry.get("summary"),
                content_html=_entry_content(entry) if feed.full_content else None,
                notes=notes,
            )
        )
    return entries


def parse_feed(
    feed: Feed, body: bytes, *, base_url: str, content_type: str | None = None
) -> tuple[list[FeedEntry], ItemCounts]:
    """Entries of an RSS, Atom, RDF or JSON feed, and what was decided about the items that were dropped.

    Items without a link are skipped; relative links are resolved; an item repeating a link or GUID already
    seen in the same body is dropped; items with no usable date are kept and noted.
    """
    if looks_like_json_feed(body, content_type):
        raw = parse_json_feed(feed, body, base_url=base_url)
    else:
        raw = _feedparser_entries(feed, body, base_url, content_type)
    entries, links, guids = [], set(), set()
    skipped = duplicates = undated = 0
    for entry in raw:
        if not is_http_url(entry.url):
            skipped += 1
            continue
        if entry.url in links or (entry.guid and entry.guid in guids):
            duplicates += 1
            continue
        links.add(entry.url)
        if entry.guid:
            guids.add(entry.guid)
        if entry.published_at is None:
            undated += 1
            entry = replace(entry, notes=(*entry.notes, "undated"))
        entries.append(entry)
    return entries, ItemCounts(skipped_no_link=skipped, duplicate_links=duplicates, undated=undated)


def is_conditional(state: FeedState, settings: Settings) -> bool:
    """Send validators only once a full GET has shown the feed's validators to be honest, and then not on every
    Nth poll, which checks them again. A feed caught once stays on full GETs (its body hash keeps those cheap)."""
    return state.trust_not_modified is True and state.polls_since_verify < settings.verify_every - 1


def _trust_after(state: FeedState, conditional: bool, result: FetchResult, digest: str) -> bool | None:
    """What a full (unconditional) GET says about the feed's 304s: a changed body under unchanged validators
    means the server would have answered 304 to a changed feed."""
    if conditional or state.body_hash is None:
        return state.trust_not_modified
    if digest == state.body_hash:
        return True if state.trust_not_modified is None else state.trust_not_modified
    same_etag = bool(result.etag) and result.etag == state.etag
    same_date = not result.etag and bool(result.last_modified) and result.last_modified == state.last_modified
    return False if same_etag or same_date else state.trust_not_modified


def classify_poll(feed: Feed, state: FeedState, result: FetchResult, *, conditional: bool = False) -> FeedPoll:
    """Turn one fetch of a feed into a poll outcome; bodies identical to the last one are not parsed."""
    keep = {"polled_at": result.fetched_at, "http_status": result.status_code, "conditional": conditional,
            "fetch": result}
    if result.not_modified:
        return FeedPoll(feed, PollStatus.NOT_MODIFIED, etag=state.etag, last_modified=state.last_modified,
                        body_hash=state.body_hash, trust_not_modified=state.trust_not_modified, **keep)
    if not result.ok or result.body is None:
        return FeedPoll(feed, PollStatus.FAILED, error=result.error or "empty_body", **keep)
    digest = body_hash(result.body)
    validators = {"etag": result.etag, "last_modified": result.last_modified, "body_hash": digest,
                  "trust_not_modified": _trust_after(state, conditional, result, digest)}
    if digest == state.body_hash:
        return FeedPoll(feed, PollStatus.UNCHANGED, **validators, **keep)
    not_a_feed = sniff_feed_body(result.body, result.content_type)
    if not_a_feed:
        return FeedPoll(feed, PollStatus.FAILED, error=f"not_a_feed: {not_a_feed}", **keep)
    try:
        entries, items = parse_feed(feed, result.body, base_url=result.final_url, content_type=result.content_type)
    except ValueError as exc:
        return FeedPoll(feed, PollStatus.FAILED, error=f"parse_error: {exc}"[:500], **keep)
    return FeedPoll(feed, PollStatus.NEW, entries=tuple(entries), items=items, **validators, **keep)


def poll_feeds(feeds: Sequence[Feed], states: dict[str, FeedState], settings: Settings) -> list[FeedPoll]:
    """Poll every feed concurrently, conditionally where its 304s can be trusted."""
    plans = []
    for feed in feeds:
        state = states.get(feed.name, FeedState())
        conditional = is_conditional(state, settings)
        request = FetchRequest(
            feed.url,
            etag=state.etag if conditional else None,
            last_modified=state.last_modified if conditional else None,
            kind="feed",
        )
        plans.append((feed, state, request, conditional and bool(state.etag or state.last_modified)))
    results = fetch_all([request for _, _, request, _ in plans], settings)
    return [
        classify_poll(feed, state, result, conditional=conditional)
        for (feed, state, _, conditional), result in zip(plans, results, strict=True)
    ]


# What a feed that is not a feed says about access to it.
_NOT_A_FEED_ACCESS = {"bot_challenge": AccessStatus.BOT_CHALLENGE, "login_wall": AccessStatus.FORBIDDEN}


def feed_access_status(poll: FeedPoll) -> AccessStatus:
    """The access status of a poll's fetch, in the same terms as pages' (the fetches table)."""
    fetch = poll.fetch
    if poll.status == PollStatus.NOT_MODIFIED:
        return AccessStatus.NOT_MODIFIED
    if fetch is not None and fetch.error:
        return classify_page(fetch.status_code, fetch.content_type, fetch.body, fetch.error)
    if poll.status == PollStatus.FAILED:
        reason = (poll.error or "").removeprefix("not_a_feed: ")
        return _NOT_A_FEED_ACCESS.get(reason, AccessStatus.ERROR)
    return AccessStatus.OK


MAX_CANDIDATES = 12  # feeds tried for one homepage: its declared ones, or the common paths


def find_feed(url: str, settings: Settings) -> tuple[FeedPoll, list[str]]:
    """The feed at url, or, when url is a web page, the first feed it links to (or one at a common path).

    Returns the poll of the feed found (or of url itself, failed, when none was) and the candidates tried.
    """
    [poll] = poll_feeds([Feed(name="new", url=url)], {}, settings)
    if poll.status == PollStatus.NEW or poll.fetch is None or poll.fetch.body is None:
        return poll, []
    html, _ = decode_body(poll.fetch.body, poll.fetch.content_type)
    candidates = (discover_feeds(html, poll.fetch.final_url) or probe_urls(poll.fetch.final_url))[:MAX_CANDIDATES]
    polls = poll_feeds([Feed(name=f"candidate-{i}", url=c) for i, c in enumerate(candidates)], {}, settings)
    found = next((p for p in polls if p.status == PollStatus.NEW and p.entries), poll)
    return found, candidates
