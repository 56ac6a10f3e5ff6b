"""Feed stage: the feed list, polling with conditional GET, and parsing bodies into typed entries."""

from __future__ import annotations

import calendar
import hashlib
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import yaml

from wirehouse.models import Feed, FeedEntry, FeedPoll, FeedState, FetchRequest, FetchResult, PollStatus
from wirehouse.settings import Settings
from wirehouse.tasks.fetch import fetch_all


class FeedListError(ValueError):
    pass


def load_feed_list(path: Path) -> list[Feed]:
    """Read the YAML feed list; every problem is reported with the entry it is in."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise FeedListError(f"cannot read feed list {path}: {exc}") from exc
    rows = data.get("feeds") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise FeedListError(f"{path}: expected a top-level 'feeds:' list")
    feeds, names = [], set()
    for i, row in enumerate(rows, 1):
        if not isinstance(row, dict) or not row.get("url") or not row.get("name"):
            raise FeedListError(f"{path}: feed #{i} needs at least 'name' and 'url'")
        if not str(row["url"]).startswith(("http://", "https://")):
            raise FeedListError(f"{path}: feed {row['name']!r} has a URL that is not http(s): {row['url']!r}")
        unknown = set(row) - {"name", "url", "site", "language", "full_content"}
        if unknown:
            raise FeedListError(f"{path}: feed {row['name']!r} has unknown keys {sorted(unknown)}")
        if row["name"] in names:
            raise FeedListError(f"{path}: feed name {row['name']!r} is used twice")
        names.add(row["name"])
        feeds.append(
            Feed(
                name=str(row["name"]),
                url=str(row["url"]),
                site=row.get("site"),
                language=row.get("language"),
                full_content=bool(row.get("full_content", False)),
            )
        )
    return feeds


def append_to_feed_list(path: Path, feed: Feed) -> None:
    """Append one feed as text, so the comments a person wrote in the file survive."""
    existing = load_feed_list(path) if path.exists() else []
    if any(f.name == feed.name or f.url == feed.url for f in existing):
        raise FeedListError(f"{path}: a feed named {feed.name!r} or with URL {feed.url} is already listed")
    entry = {"name": feed.name, "url": feed.url}
    entry |= {k: v for k, v in (("site", feed.site), ("language", feed.language)) if v}
    if feed.full_content:
        entry["full_content"] = True
    block = yaml.safe_dump([entry], sort_keys=False, allow_unicode=True)
    text = path.read_text(encoding="utf-8") if path.exists() else "feeds:\n"
    if not text.endswith("\n"):
        text += "\n"
    # Indent like the items already there: "- name" and "  - name" are both common.
    existing_item = re.search(r"^( *)- ", text, re.MULTILINE)
    indent = existing_item.group(1) if existing_item else "  "
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "".join(f"{indent}{line}\n" for line in block.splitlines()), encoding="utf-8")


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


def parse_feed(feed: Feed, body: bytes, *, base_url: str, content_type: str | None = None) -> list[FeedEntry]:
    """Parse a feed body into entries; entries without a link are dropped, relative links resolved."""
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(body, response_headers=headers | {"content-location": base_url})
    if not parsed.entries and parsed.get("bozo"):
        raise ValueError(f"not a feed: {parsed.get('bozo_exception')!r}")
    entries = []
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            continue
        entries.append(
            FeedEntry(
                feed=feed.name,
                url=urljoin(base_url, link),
                guid=entry.get("id"),
                title=entry.get("title"),
                author=entry.get("author"),
                published_at=_entry_time(entry),
                summary=entry.get("summary"),
                content_html=_entry_content(entry) if feed.full_content else None,
            )
        )
    return entries


def classify_poll(feed: Feed, state: FeedState, result: FetchResult) -> FeedPoll:
    """Turn one fetch of a feed into a poll outcome; bodies identical to the last one are not parsed."""
    keep = {"polled_at": result.fetched_at, "http_status": result.status_code}
    if result.not_modified:
        return FeedPoll(feed, PollStatus.NOT_MODIFIED, etag=state.etag, last_modified=state.last_modified,
                        body_hash=state.body_hash, **keep)
    if not result.ok or result.body is None:
        return FeedPoll(feed, PollStatus.FAILED, error=result.error or "empty_body", **keep)
    digest = body_hash(result.body)
    validators = {"etag": result.etag, "last_modified": result.last_modified, "body_hash": digest}
    if digest == state.body_hash:
        return FeedPoll(feed, PollStatus.UNCHANGED, **validators, **keep)
    try:
        entries = parse_feed(feed, result.body, base_url=result.final_url, content_type=result.content_type)
    except ValueError as exc:
        return FeedPoll(feed, PollStatus.FAILED, error=f"parse_error: {exc}"[:500], **keep)
    return FeedPoll(feed, PollStatus.NEW, entries=tuple(entries), **validators, **keep)


def poll_feeds(feeds: Sequence[Feed], states: dict[str, FeedState], settings: Settings) -> list[FeedPoll]:
    """Poll every feed concurrently with its stored validators."""
    requests = []
    for feed in feeds:
        state = states.get(feed.name, FeedState())
        requests.append(FetchRequest(feed.url, etag=state.etag, last_modified=state.last_modified))
    results = fetch_all(requests, settings)
    return [
        classify_poll(feed, states.get(feed.name, FeedState()), result)
        for feed, result in zip(feeds, results, strict=True)
    ]
