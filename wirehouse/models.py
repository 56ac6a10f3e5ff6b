"""Typed records passed between stages: feed entry → fetched page → clean article → mentions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Feed:
    """One row of the feed list (seeds/feeds.yaml)."""

    name: str
    url: str
    site: str | None = None
    language: str | None = None
    full_content: bool = False  # clean the feed's own content instead of fetching the page


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the warehouse remembers about a feed between polls: validators, schedule and health."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    next_poll_at: datetime | None = None
    consecutive_failures: int = 0
    first_failure_at: datetime | None = None
    gone_at: datetime | None = None
    trust_not_modified: bool | None = None  # None: not verified yet; False: a 304 once hid a change
    polls_since_verify: int = 0
    poll_interval: float | None = None  # seconds between polls, learned (tasks/polling.py); None: not learned yet
    last_success_at: datetime | None = None  # the last good poll: learned intervals count from it, not from failures


@dataclass(frozen=True, slots=True)
class FetchRequest:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    kind: str = "page"  # "page" requests obey robots.txt; "feed" requests are what the user subscribed to


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str  # as requested
    final_url: str  # after redirects
    fetched_at: datetime
    status_code: int | None = None
    content_type: str | None = None
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None  # short error class: timeout, http_404, blocked_address, too_large, ...
    detail: str | None = None  # human-readable detail of the error
    tries: int = 1  # HTTP attempts made (retries of transient errors, waits for Retry-After)
    elapsed_ms: int | None = None
    retry_after: float | None = None  # seconds the server asked us to wait (429/503)

    @property
    def ok(self) -> bool:
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300

    @property
    def not_modified(self) -> bool:
        return self.status_code == 304


class PollStatus(StrEnum):
    NEW = "new"  # body changed, entries parsed
    NOT_MODIFIED = "not_modified"  # 304
    UNCHANGED = "unchanged"  # 200 with the same body as last time: not parsed
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ItemCounts:
    """What a feed body held, beyond the entries kept."""

    skipped_no_link: int = 0
    duplicate_links: int = 0
    undated: int = 0


@dataclass(frozen=True, slots=True)
class FeedEntry:
    feed: str
    url: str
    guid: str | None = None
    title: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    summary: str | None = None
    content_html: str | None = None  # only kept for feeds with full_content
    notes: tuple[str, ...] = ()  # decisions taken on the item: relative_link, undated, ...


@dataclass(frozen=True, slots=True)
class FeedPoll:
    feed: Feed
    status: PollStatus
    polled_at: datetime
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    entries: tuple[FeedEntry, ...] = ()
    error: str | None = None
    conditional: bool = False  # the request carried validators
    trust_not_modified: bool | None = None
    items: ItemCounts = ItemCounts()
    fetch: FetchResult | None = None  # the HTTP side, for the fetch log


class Outcome(StrEnum):
    ARTICLE = "article"
    REJECTED = "rejected"  # fetched fine, but not an article (too short, not HTML, ...)
    FAILED = "failed"  # could not be fetched


@dataclass(frozen=True, slots=True)
class DateCandidate:
    """One date a page or its feed states, with where it came from (tasks/dates.py)."""

    kind: str  # published | modified
    source: str  # feed | jsonld | meta:<name> | time | url | htmldate
    value: datetime  # UTC; a bare day stands as midnight UTC with has_time False
    has_time: bool
    raw: str  # as written


@dataclass(frozen=True, slots=True)
class ArticleDates:
    """The dates chosen among the candidates, the rule's flags, and every candidate for provenance."""

    published_at: datetime | None = None
    published_source: str | None = None
    modified_at: datetime | None = None
    modified_source: str | None = None
    flags: tuple[str, ...] = ()  # no_date, future, conflict, modified_before_published
    candidates: tuple[DateCandidate, ...] = ()


@dataclass(frozen=True, slots=True)
class CleanArticle:
    url: str  # canonical URL: the article's identity
    title: str | None
    text: str  # paragraphs separated by blank lines
    source: str  # "page" or "feed": where the text came from
    extractor: str  # name and version of what produced the text
    byline: str | None = None  # as the page prints it
    authors: tuple[str, ...] = ()  # the people it names, cleaned (tasks/authors.py)
    dates: ArticleDates = ArticleDates()
    sitename: str | None = None
    language: str | None = None
    block_kinds: tuple[str, ...] = ()  # one per paragraph of text: p | heading | quote | item | table | code
    image: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    paywalled: bool = False  # the text is what a paywall let through
    boilerplate_blocks: int = 0  # blocks the boilerplate rules removed after trafilatura
    template_blocks: int = 0  # blocks removed as the site's learned template
    block_hashes: tuple[int, ...] = ()  # the short blocks before template removal: what templates are learned from
    minhash: tuple[int, ...] = ()  # near-duplicate signature (tasks/neardup.py)

    @property
    def published_at(self) -> datetime | None:
        return self.dates.published_at

    @property
    def word_count(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True, slots=True)
class PageResult:
    """What became of one entry's URL: an article, a rejection or a failure."""

    url: str
    feed: str
    outcome: Outcome
    fetched_at: datetime
    final_url: str | None = None
    http_status: int | None = None
    content_type: str | None = None
    reason: str | None = None
    article: CleanArticle | None = None
    transient: bool = False  # a failure worth retrying in a later run
    fetch: FetchResult | None = None  # None when the text came from the feed
    access_status: str = "ok"
    archive: ArchiveRef | None = None  # where the raw body is kept (tasks/archive.py)


@dataclass(frozen=True, slots=True)
class ArchiveRef:
    """One record of the raw page archive: a WARC file and the byte range of the record's gzip member."""

    file: str  # relative to the archive folder (forward slashes), or absolute for a WARC given to a backfill
    offset: int
    length: int


@dataclass(frozen=True, slots=True)
class Selection:
    """The items a run works on. Empty: everything (scheduled runs); a backfill narrows it."""

    since: datetime | None = None  # item date (published, else first seen or fetched), inclusive
    until: datetime | None = None
    feeds: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()  # hosts, without "www."
    done_since: datetime | None = None  # a resumed backfill: items worked on since then are done

    def sql_params(self) -> dict[str, object]:
        """The filters, as the $since, $until, $feeds and $sites of the warehouse queries."""
        return {"since": self.since, "until": self.until, "feeds": list(self.feeds), "sites": list(self.sites)}


EVERYTHING = Selection()


@dataclass(frozen=True, slots=True)
class ArticleText:
    """An article's text as the enrich stage reads it."""

    article_id: str
    text: str
    text_hash: str
    language: str | None = None


@dataclass(frozen=True, slots=True)
class RawMention:
    """An entity span as the NER model found it, offsets into the article text."""

    start: int
    end: int
    text: str
    label: str


@dataclass(frozen=True, slots=True)
class EntityMention:
    """A mention resolved to a canonical entity (tasks/entities.py)."""

    start: int
    end: int
    text: str  # as written in the article
    label: str  # the model's label, or the corrected one (a short form takes its full form's label)
    canonical: str  # "Joe Biden" for "Biden", "United States" for "U.S."
    entity_id: str  # stable key of (entity type, canonical name)
    country_code: str | None = None  # ISO 3166-1 alpha-2 for places a gazetteer knows
    linked_by: str = "self"  # self | short_form | alias | gazetteer | untagged_short_form


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quotation and who said it (tasks/quotes.py)."""

    start: int  # offsets of the quoted text, without the quote marks
    end: int
    text: str
    speaker: str | None  # the words naming the speaker: "Gallant", "a senior administration official", "he"
    speaker_canonical: str | None  # the canonical entity the speaker resolves to: "Yoav Gallant"
    speaker_kind: str  # named | anonymous | unknown
    verb: str | None  # the attribution verb: said, told, added, ...


@dataclass(slots=True)
class RunStats:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def add_all(self, counts: Mapping[str, int]) -> None:
        for key, n in counts.items():
            self.add(key, n)


@dataclass(frozen=True, slots=True)
class ArticleEnrichment:
    """Everything the enrich stage found in one article."""

    article_id: str
    text_hash: str
    language: str | None
    sentences: list[tuple[int, int]]
    mentions: list[EntityMention]
    quotes: list[Quote]
    keyphrases: list[str]
    sentiment: float | None
    summary: str | None
    word_count: int
    reading_minutes: float
    skipped: list[str] = field(default_factory=list)
