"""Publication and modification dates: every date a page or its feed states, then a documented choice.

Candidates (date_candidates), each kind "published" or "modified", come from:

    source            where                                                          precision
    jsonld            datePublished / uploadDate / dateCreated, dateModified of       as written
                      article objects, else web pages, else media objects
    meta:<name>       article:published_time, og:updated_time, dc.date, ... (META)   as written
    time              <time datetime> marked as the publication/update date          as written
                      (pubdate, itemprop, class), else the first one; none in comments
    feed              the feed item's pubDate                                         a timestamp
    url               /2024/05/12/, /20240512/, 2024-05-12 in the URL path            a day
    htmldate          trafilatura's htmldate guess                                    a day

Values are UTC; naive ones are taken as UTC, and a written time of exactly midnight as a bare day.

Choice (choose_dates), for published and then for modified:

1. Trust: jsonld > meta > time > feed > url > htmldate; within a source, the order found. Dates before 1995
   are ignored (placeholders such as 0001-01-01 or the Unix epoch).
2. A candidate after fetched_at + tolerance (1 hour; 1 day for a bare day, which begins up to 14 hours earlier
   east of UTC) is passed over for the next one: flag `future`.
3. A modified candidate clearly earlier than the chosen published date (over an hour; a day when either is a
   bare day) is passed over too: flag `modified_before_published`. Modified is never reported earlier than
   published: one within that tolerance (saved just before a scheduled publication) reads as the published date.
4. A bare day that wins is replaced by the first timestamp, in trust order, within a day of it (time zones):
   the same date, stated more precisely by a less trusted source.

Flags: `no_date` (no published date), `future`, `modified_before_published`, and `conflict` when the
usable published dates of the declared sources (jsonld, meta, feed, url) lie more than two calendar days apart.
The scraped sources (time, htmldate) are left out of it: they are too often a related story's date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from wirehouse.models import ArticleDates, DateCandidate
from wirehouse.tasks.page_meta import PageMeta

PUBLISHED, MODIFIED = "published", "modified"
SOURCE_TRUST = ("jsonld", "meta", "time", "feed", "url", "htmldate")
DECLARED = frozenset({"jsonld", "meta", "feed", "url"})  # stated for machines; time and htmldate are scraped
EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)  # before news sites existed: a placeholder, not a date
FUTURE_TOLERANCE = timedelta(hours=1)  # clocks and caches drift
SAVE_TOLERANCE = timedelta(hours=1)  # last saved, then published on schedule
DAY_TOLERANCE = timedelta(days=1)  # a bare day is local: it spans UTC midnight by up to 14 hours either way
CONFLICT_SPAN = timedelta(days=2)
FLAG_ORDER = ("no_date", "future", "conflict", "modified_before_published")
MAX_RAW_CHARS = 80  # longer values are prose, not dates

# JSON-LD objects whose dates are the article's, most specific first; only the first group with dates counts.
JSONLD_TYPE_GROUPS = (
    ("NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
     "ReviewNewsArticle", "BackgroundNewsArticle", "LiveBlogPosting", "SocialMediaPosting", "TechArticle",
     "ScholarlyArticle", "Report", "SatiricalArticle"),
    ("WebPage", "ItemPage", "AboutPage", "FAQPage", "QAPage", "ClaimReview"),
    ("VideoObject", "AudioObject", "PodcastEpisode", "Recipe"),
)
JSONLD_FIELDS = (("datePublished", PUBLISHED), ("uploadDate", PUBLISHED), ("dateCreated", PUBLISHED),
                 ("dateModified", MODIFIED))

# Meta names (lower-cased, as PageMeta keys them) in order of trust within the meta source.
META = (
    ("article:published_time", PUBLISHED), ("article:published", PUBLISHED), ("og:published_time", PUBLISHED),
    ("datepublished", PUBLISHED), ("parsely-pub-date", PUBLISHED), ("sailthru.date", PUBLISHED),
    ("dc.date.issued", PUBLISHED), ("dcterms.issued", PUBLISHED), ("dcterms.created", PUBLISHED),
    ("dc.date.created", PUBLISHED), ("dc.date", PUBLISHED), ("dcterms.date", PUBLISHED), ("pubdate", PUBLISHED),
    ("publishdate", PUBLISHED), ("publish-date", PUBLISHED), ("pub_date", PUBLISHED), ("article.published", PUBLISHED),
    ("datecreated", PUBLISHED), ("date", PUBLISHED),
    ("article:modified_time", MODIFIED), ("article:modified", MODIFIED), ("og:updated_time", MODIFIED),
    ("datemodified", MODIFIED), ("dcterms.modified", MODIFIED), ("dc.date.modified", MODIFIED),
    ("article.updated", MODIFIED), ("last-modified", MODIFIED),
)

_URL_DATES = (
    re.compile(r"(?<!\d)((?:19|20)\d\d)[/_-](\d\d?)[/_-](\d\d?)(?!\d)"),  # /2024/05/12/, 2024-05-12
    re.compile(r"(?<=[/_-])((?:19|20)\d\d)(\d\d)(\d\d)(?=[/_.-]|$)"),  # /20240512/: delimited, not part of an id
)
_ISO_START = re.compile(r"\d{4}-?\d\d-?\d\d")
_RFC2822 = re.compile(r"(?:[A-Za-z]{3},?\s+)?\d\d?\s+[A-Za-z]{3}\s+\d{4}\s+\d\d?:\d\d(?::\d\d)?"
                      r"(?:\s+[A-Za-z]+|\s+[+-]\d{4})?$")
_MIDNIGHT = re.compile(r"[T ]00:00(?::00(?:\.0+)?)?(?:Z|[+-]\d\d:?\d\d)?$")
_ZONE_NAME = re.compile(r"\s*\b(?:UTC|GMT|Z)\b\s*(?=[+-]\d|$)")
_PARENTHESES = re.compile(r"\([^)]*\)")
_WEEKDAY = re.compile(r"\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)
_ABBREVIATION_STOP = re.compile(r"(?<=[A-Za-z])\.")  # "Nov. 19", "7 p.m."
_OFFSET = re.compile(r"\s*([+-])([01]\d|2[0-3]):?([0-5]\d)$")
_ZONES = {"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
          "BST": 1, "CET": 1, "CEST": 2, "IST": 5.5}
_ZONE_ABBREVIATION = re.compile(r"\s+(" + "|".join(_ZONES) + r")$")
_FORMATS = (  # after weekdays, commas and zones are removed
    "%B %d %Y %I:%M %p", "%B %d %Y %I:%M:%S %p", "%B %d %Y %H:%M", "%B %d %Y %H:%M:%S", "%B %d %Y",
    "%b %d %Y %I:%M %p", "%b %d %Y %H:%M", "%b %d %Y %H:%M:%S", "%b %d %Y",
    "%d %B %Y %H:%M", "%d %B %Y", "%d %b %Y %H:%M", "%d %b %Y",
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
)
_DAY_FORMATS = frozenset(f for f in _FORMATS if "%H" not in f and "%I" not in f)


def parse_date(raw: str) -> tuple[datetime, bool] | None:
    """(UTC datetime, has_time) for a date as pages write it, or None; never raises.

    A time of exactly midnight is taken as a day: CMSs write "2024-05-12T00:00:00Z" for a date without a time.
    """
    text = " ".join(_PARENTHESES.sub(" ", raw).split())
    if not text or len(text) > MAX_RAW_CHARS:
        return None
    parsed = _parse_iso(text) or _parse_rfc2822(text) or _parse_words(text)
    if parsed is None:
        return None
    value, has_time = parsed
    if has_time and value.time() == time() and _MIDNIGHT.search(text):
        value, has_time = value.replace(tzinfo=None), False  # the local day, like any bare day
    try:
        return (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)), has_time
    except (OverflowError, ValueError):  # year 1 with an offset east of UTC, and the like
        return None


def _parse_iso(text: str) -> tuple[datetime, bool] | None:
    if not _ISO_START.match(text):
        return None
    try:
        if len(text) <= 10:
            return datetime.combine(date.fromisoformat(text), time()), False
        return datetime.fromisoformat(_ZONE_NAME.sub("", text).replace(" +", "+").replace(" -", "-")), True
    except ValueError:
        return None


def _parse_rfc2822(text: str) -> tuple[datetime, bool] | None:
    """Feeds and HTTP headers: "Tue, 19 Nov 2019 06:13:48 -0600", "19 Nov 2019 05:44 GMT"."""
    if not _RFC2822.match(text):  # its parser accepts more, but reads "07:47 PM EST" as 07:47 UTC
        return None
    try:
        return parsedate_to_datetime(text), True
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _parse_words(text: str) -> tuple[datetime, bool] | None:
    """ "November 19, 2019, 07:47 PM EST", "Tue Nov 19 2019 05:44:06 GMT+0000", "2019/11/19"."""
    text = _ABBREVIATION_STOP.sub("", _WEEKDAY.sub("", text)).replace(",", " ").replace(" at ", " ")
    text = " ".join(_ZONE_NAME.sub(" ", text).split())
    zone: timezone | None = None
    if offset := _OFFSET.search(text):
        sign = -1 if offset[1] == "-" else 1
        zone = timezone(sign * timedelta(hours=int(offset[2]), minutes=int(offset[3])))
        text = text[: offset.start()]
    elif abbreviation := _ZONE_ABBREVIATION.search(text):
        zone = timezone(timedelta(hours=_ZONES[abbreviation[1]]))
        text = text[: abbreviation.start()]
    for fmt in _FORMATS:
        try:
            value = datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
        return value.replace(tzinfo=zone), fmt not in _DAY_FORMATS
    return None


def _candidate(kind: str, source: str, raw: object) -> DateCandidate | None:
    if not isinstance(raw, str):
        return None
    parsed = parse_date(raw)
    return DateCandidate(kind, source, parsed[0], parsed[1], raw.strip()) if parsed else None


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def _jsonld(meta: PageMeta) -> list[DateCandidate | None]:
    """The dates of the most specific group of objects that has any: a recipe's or clip's are not the article's."""
    for types in JSONLD_TYPE_GROUPS:
        found = [
            _candidate(kind, "jsonld", raw)
            for obj in meta.objects_of(*types)
            for field, kind in JSONLD_FIELDS
            for raw in _as_list(obj.get(field))
        ]
        if any(found):
            return found
    return []


def _meta(meta: PageMeta) -> Iterator[DateCandidate | None]:
    # itemprop="datePublished dateCreated" is keyed as one name; each of its words counts.
    by_word: dict[str, list[str]] = {}
    for key, values in meta.meta.items():
        for word in key.split():
            by_word.setdefault(word, []).extend(values)
    for name, kind in META:
        for raw in by_word.get(name, ()):
            yield _candidate(kind, f"meta:{name}", raw)


def _in_comments(element: HtmlElement) -> bool:
    """Reader comments carry their own <time>, often marked up exactly like the article's."""
    return any(word.startswith("comment") for a in element.iterancestors()
               for word in f"{a.get('class', '')} {a.get('id', '')}".lower().split())


def _time_kind(element: HtmlElement) -> tuple[str, bool]:
    """(kind, marked): whether the markup says which date this is."""
    itemprop = (element.get("itemprop") or "").lower()
    css = (element.get("class") or "").lower()
    if itemprop in ("datepublished", "datecreated") or element.get("pubdate") is not None or "publish" in css:
        return PUBLISHED, True
    if itemprop in ("datemodified", "dateupdated") or "updat" in css or "modif" in css:
        return MODIFIED, True
    return PUBLISHED, False


def _time_elements(tree: HtmlElement | None) -> Iterator[DateCandidate | None]:
    """Marked <time> elements; when none is marked, the first one: later ones are related stories and comments."""
    if tree is None:
        return
    marked: list[tuple[str, str]] = []
    first: tuple[str, str] | None = None
    for element in tree.iter("time"):
        raw = element.get("datetime")
        if not raw or not raw.strip() or _in_comments(element):
            continue
        kind, is_marked = _time_kind(element)
        if is_marked:
            marked.append((kind, raw))
        elif first is None:
            first = (kind, raw)
    if first is not None and not any(kind == PUBLISHED for kind, _ in marked):
        marked.append(first)
    for kind, raw in marked:
        yield _candidate(kind, "time", raw)


def _url_date(url: str) -> DateCandidate | None:
    path = urlsplit(url).path
    for pattern in _URL_DATES:
        for match in pattern.finditer(path):
            try:
                day = date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                continue
            return DateCandidate(PUBLISHED, "url", datetime.combine(day, time(), UTC), False, match[0])
    return None


def date_candidates(
    tree: HtmlElement | None, url: str, meta: PageMeta, *, feed_published: datetime | None, htmldate: str | None
) -> list[DateCandidate]:
    """Every date the page, its URL and its feed state, in trust order, each (kind, source, value) once."""
    found: list[DateCandidate | None] = [*_jsonld(meta), *_meta(meta), *_time_elements(tree)]
    if feed_published is not None:
        value = feed_published.replace(tzinfo=UTC) if feed_published.tzinfo is None else feed_published
        found.append(DateCandidate(PUBLISHED, "feed", value.astimezone(UTC), True, feed_published.isoformat()))
    found.append(_url_date(url))
    if htmldate:
        found.append(_candidate(PUBLISHED, "htmldate", htmldate))
    seen: set[tuple[str, str, datetime]] = set()
    unique: list[DateCandidate] = []
    for candidate in found:
        if candidate is not None and (key := (candidate.kind, candidate.source, candidate.value)) not in seen:
            seen.add(key)
            unique.append(candidate)
    return unique


def _trust(candidate: DateCandidate) -> int:
    family = candidate.source.split(":", 1)[0]
    return SOURCE_TRUST.index(family) if family in SOURCE_TRUST else len(SOURCE_TRUST)


def _is_future(candidate: DateCandidate, fetched_at: datetime) -> bool:
    return candidate.value > fetched_at + (FUTURE_TOLERANCE if candidate.has_time else DAY_TOLERANCE)


def _within_a_day(a: DateCandidate, b: DateCandidate) -> bool:
    return abs((a.value.date() - b.value.date()).days) <= 1


def _clearly_before(modified: DateCandidate, published: DateCandidate) -> bool:
    """Saved minutes before a scheduled publication is no modification, but no error either."""
    slack = SAVE_TOLERANCE if modified.has_time and published.has_time else DAY_TOLERANCE
    return modified.value < published.value - slack


def _pick(
    ordered: Sequence[DateCandidate], kind: str, fetched_at: datetime, published: DateCandidate | None = None
) -> tuple[DateCandidate | None, set[str]]:
    """The most trusted acceptable candidate of a kind, made precise where it can be, and why others were passed."""
    flags: set[str] = set()
    usable = [c for c in ordered if c.kind == kind and c.value >= EARLIEST]
    accepted: list[DateCandidate] = []
    for candidate in usable:
        if _is_future(candidate, fetched_at):
            problem: str | None = "future"
        elif published is not None and _clearly_before(candidate, published):
            problem = "modified_before_published"
        else:
            problem = None
        if problem is None:
            accepted.append(candidate)
        elif not accepted:  # only what would otherwise have been chosen is worth a flag
            flags.add(problem)
    if not accepted:
        return None, flags
    winner = accepted[0]
    if not winner.has_time:
        winner = next((c for c in accepted if c.has_time and _within_a_day(c, winner)), winner)
    return winner, flags


def _conflict(ordered: Sequence[DateCandidate], fetched_at: datetime) -> bool:
    """Declared published dates more than two calendar days apart (days: a bare day has no hour to compare)."""
    days = [c.value.date() for c in ordered if c.kind == PUBLISHED and c.value >= EARLIEST
            and c.source.split(":", 1)[0] in DECLARED and not _is_future(c, fetched_at)]
    return bool(days) and max(days) - min(days) > CONFLICT_SPAN


def choose_dates(candidates: Sequence[DateCandidate], *, fetched_at: datetime) -> ArticleDates:
    """The published and modified dates by the rules in the module docstring; every candidate kept, trust-ordered."""
    fetched_at = fetched_at.replace(tzinfo=UTC) if fetched_at.tzinfo is None else fetched_at
    kinds = (PUBLISHED, MODIFIED)
    ordered = sorted(candidates, key=lambda c: (kinds.index(c.kind) if c.kind in kinds else len(kinds), _trust(c)))
    published, flags = _pick(ordered, PUBLISHED, fetched_at)
    modified, modified_flags = _pick(ordered, MODIFIED, fetched_at, published)
    flags |= modified_flags
    if published is None:
        flags.add("no_date")
    if _conflict(ordered, fetched_at):
        flags.add("conflict")
    modified_at = modified.value if modified else None
    if modified_at and published and modified_at < published.value:  # within the tolerance of rule 3
        modified_at = published.value
    return ArticleDates(
        published_at=published.value if published else None,
        published_source=published.source if published else None,
        modified_at=modified_at,
        modified_source=modified.source if modified else None,
        flags=tuple(f for f in FLAG_ORDER if f in flags),
        candidates=tuple(ordered),
    )
