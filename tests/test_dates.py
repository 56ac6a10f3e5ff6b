"""Dates: every source a page or feed states them in, parsing into UTC, and the documented choice with its flags."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wirehouse.models import DateCandidate
from wirehouse.tasks.dates import choose_dates, date_candidates, parse_date
from wirehouse.tasks.page_meta import read_page_meta

FETCHED = datetime(2024, 5, 20, 12, 0, tzinfo=UTC)
URL = "https://news.example/world/story-about-things"


def jsonld(obj: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def candidates_of(head: str = "", body: str = "", url: str = URL, *, feed: datetime | None = None,
                  htmldate: str | None = None) -> list[DateCandidate]:
    tree = lxml.html.fromstring(f"<html><head>{head}</head><body>{body}</body></html>")
    return date_candidates(tree, url, read_page_meta(tree), feed_published=feed, htmldate=htmldate)


def found(candidates: list[DateCandidate]) -> list[tuple[str, str, str]]:
    """(kind, source, UTC value) of each candidate: what most assertions are about."""
    return [(c.kind, c.source, c.value.isoformat()) for c in candidates]


def at(source: str, when: str, kind: str = "published") -> DateCandidate:
    """A candidate as date_candidates would make it from `when` (ISO; a bare day has no time)."""
    parsed = parse_date(when)
    assert parsed is not None
    return DateCandidate(kind, source, parsed[0], parsed[1], when)


# --- parsing --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "utc", "has_time"), [
    ("2024-05-12T10:30:00Z", "2024-05-12T10:30:00+00:00", True),
    ("2024-05-12T10:30:00.123Z", "2024-05-12T10:30:00.123000+00:00", True),
    ("2024-05-12T10:30:00+0000", "2024-05-12T10:30:00+00:00", True),
    ("2024-05-12T23:30:00-05:00", "2024-05-13T04:30:00+00:00", True),  # the next day in UTC
    ("2024-05-12T03:00:00+05:30", "2024-05-11T21:30:00+00:00", True),  # the day before in UTC
    ("2024-05-12 10:30:00", "2024-05-12T10:30:00+00:00", True),  # naive: taken as UTC
    ("2024-05-12 10:30:00 +0100", "2024-05-12T09:30:00+00:00", True),
    ("2024-05-12 10:30:00 GMT", "2024-05-12T10:30:00+00:00", True),
    ("2024-05-12", "2024-05-12T00:00:00+00:00", False),
    ("20240512", "2024-05-12T00:00:00+00:00", False),
    ("2024-05-12T00:00:00Z", "2024-05-12T00:00:00+00:00", False),  # a CMS's placeholder time: a day
    ("2024-05-12T00:00:00+02:00", "2024-05-12T00:00:00+00:00", False),  # the local day, not 22:00 the day before
    ("Sun, 12 May 2024 10:30:00 -0600", "2024-05-12T16:30:00+00:00", True),
    ("Sun, 12 May 2024 10:30:00 EDT", "2024-05-12T14:30:00+00:00", True),
    ("12 May 2024 10:30 GMT", "2024-05-12T10:30:00+00:00", True),
    ("May 12, 2024, 07:47 PM EST", "2024-05-13T00:47:00+00:00", True),
    ("Sunday, May 12, 2024, 08:19 PM", "2024-05-12T20:19:00+00:00", True),
    ("Sun May 12 2024 05:44:06 GMT+0200 (Central European Summer Time)", "2024-05-12T03:44:06+00:00", True),
    ("May. 12, 2024 7:05 p.m.", "2024-05-12T19:05:00+00:00", True),
    ("12 May 2024", "2024-05-12T00:00:00+00:00", False),
    ("2024/05/12", "2024-05-12T00:00:00+00:00", False),
])
def test_parse_date_reads_common_forms_into_utc(raw: str, utc: str, has_time: bool) -> None:
    parsed = parse_date(raw)
    assert parsed is not None
    assert (parsed[0].isoformat(), parsed[1]) == (utc, has_time)
    assert parsed[0].tzinfo is UTC


@pytest.mark.parametrize("raw", [
    "", "   ", "garbage", "2024-13-45", "0000-00-00", "2024-02-30T10:00:00Z", "12/05/2024",  # day or month first?
    "1715509800", "null", "undefined", "9999-12-31T23:00:00-05:00", "2024-05-12" + "x" * 100, "May 2024",
])
def test_parse_date_gives_none_for_garbage(raw: str) -> None:
    assert parse_date(raw) is None


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=40) | st.from_regex(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?([+-]\d\d:?\d\d|Z)?", fullmatch=True))
def test_parse_date_never_raises(raw: str) -> None:
    parsed = parse_date(raw)
    assert parsed is None or parsed[0].tzinfo is UTC


# --- sources --------------------------------------------------------------------------------------------------


def test_jsonld_dates_of_article_objects_including_graph_members() -> None:
    head = jsonld({"@context": "https://schema.org", "@graph": [
        {"@type": "Organization", "name": "News", "foundingDate": "1990-01-01"},
        {"@type": "NewsArticle", "datePublished": "2024-05-12T10:00:00+02:00", "dateCreated": "2024-05-11T09:00:00Z",
         "dateModified": "2024-05-13T08:00:00Z"},
    ]})
    assert found(candidates_of(head)) == [
        ("published", "jsonld", "2024-05-12T08:00:00+00:00"),
        ("published", "jsonld", "2024-05-11T09:00:00+00:00"),
        ("modified", "jsonld", "2024-05-13T08:00:00+00:00"),
    ]


def test_jsonld_article_dates_outrank_an_embedded_clip_which_counts_on_its_own() -> None:
    clip = {"@type": "VideoObject", "uploadDate": "2023-01-01T00:30:00Z"}
    article = {"@type": ["ReportageNewsArticle"], "datePublished": "2024-05-12T10:00:00Z"}
    assert found(candidates_of(jsonld(clip) + jsonld(article))) == [
        ("published", "jsonld", "2024-05-12T10:00:00+00:00")]
    assert found(candidates_of(jsonld(clip))) == [("published", "jsonld", "2023-01-01T00:30:00+00:00")]


def test_jsonld_values_of_odd_shapes_are_read_or_skipped() -> None:
    head = jsonld([
        {"@type": "BlogPosting", "datePublished": ["2024-05-12T10:00:00Z", 20240512, None],
         "dateModified": {"@value": "2024-05-13"}},
        {"@type": "Article", "datePublished": "last Tuesday"},
    ])
    assert found(candidates_of(head)) == [("published", "jsonld", "2024-05-12T10:00:00+00:00")]


def test_meta_tags_by_property_name_itemprop_and_http_equiv() -> None:
    head = """
        <meta property="article:published_time" content="2024-05-12T10:00:00+00:00">
        <meta property="article:modified_time" content="2024-05-12T11:00:00+00:00">
        <meta property="og:updated_time" content="2024-05-12T12:00:00+00:00">
        <meta name="DC.date.issued" content="2024-05-12">
        <meta name="sailthru.date" content="2024-05-12 10:00:00">
        <meta name="parsely-pub-date" content="2024-05-12T10:00:00Z">
        <meta itemprop="datePublished dateCreated" content="2024-05-12T10:00:00Z">
        <meta http-equiv="last-modified" content="Sun, 12 May 2024 13:00:00 GMT">
        <meta property="article:expiration_time" content="2024-06-12">
        <meta name="date" content="not a date">
    """
    assert found(candidates_of(head)) == [
        ("published", "meta:article:published_time", "2024-05-12T10:00:00+00:00"),
        ("published", "meta:datepublished", "2024-05-12T10:00:00+00:00"),
        ("published", "meta:parsely-pub-date", "2024-05-12T10:00:00+00:00"),
        ("published", "meta:sailthru.date", "2024-05-12T10:00:00+00:00"),
        ("published", "meta:dc.date.issued", "2024-05-12T00:00:00+00:00"),
        ("published", "meta:datecreated", "2024-05-12T10:00:00+00:00"),
        ("modified", "meta:article:modified_time", "2024-05-12T11:00:00+00:00"),
        ("modified", "meta:og:updated_time", "2024-05-12T12:00:00+00:00"),
        ("modified", "meta:last-modified", "2024-05-12T13:00:00+00:00"),
    ]


def test_marked_time_elements_outside_comments() -> None:
    body = """
        <time datetime="2024-05-01T00:30:00Z">a related story</time>
        <time class="entry-date published" datetime="2024-05-12T10:00:00Z">May 12</time>
        <time itemprop="dateModified" datetime="2024-05-13T10:00:00Z">updated</time>
        <time class="updated" datetime="2024-05-14T10:00:00Z">updated again</time>
        <ol class="commentlist"><li><time itemprop="datePublished" datetime="2024-05-15T10:00:00Z"></time></li></ol>
        <time pubdate datetime="">empty</time>
    """
    assert found(candidates_of(body=body)) == [
        ("published", "time", "2024-05-12T10:00:00+00:00"),
        ("modified", "time", "2024-05-13T10:00:00+00:00"),
        ("modified", "time", "2024-05-14T10:00:00+00:00"),
    ]


def test_first_time_element_when_none_is_marked_published() -> None:
    body = """<p><time datetime="2024-05-12T10:00:00-04:00">Sunday</time></p><time datetime="2024-04-01">older</time>
              <time itemprop="dateModified" datetime="2024-05-13">"""
    assert found(candidates_of(body=body)) == [
        ("modified", "time", "2024-05-13T00:00:00+00:00"),
        ("published", "time", "2024-05-12T14:00:00+00:00"),
    ]


@pytest.mark.parametrize(("url", "day"), [
    ("https://news.example/2024/05/12/story", "2024-05-12"),
    ("https://news.example/world/2024/5/2/story", "2024-05-02"),
    ("https://news.example/story-2024-05-12-title.html", "2024-05-12"),
    ("https://news.example/news/20240512/story", "2024-05-12"),
    ("https://news.example/story_20240512.html", "2024-05-12"),
    ("https://news.example/2024/13/45/story", None),
    ("https://news.example/articles/story-11574168580", None),  # an id, not a date
    ("https://news.example/article/120240512999", None),
    ("https://news.example/story?date=2024-05-12", None),  # the query is not the article's path
])
def test_date_in_the_url_path(url: str, day: str | None) -> None:
    expected = [("published", "url", f"{day}T00:00:00+00:00")] if day else []
    url_candidates = [c for c in candidates_of(url=url) if c.source == "url"]
    assert found(url_candidates) == expected
    assert all(not c.has_time for c in url_candidates)


def test_feed_and_htmldate_candidates_and_a_page_without_tree() -> None:
    naive = datetime(2024, 5, 12, 10, 0)
    aware = datetime(2024, 5, 12, 10, 0, tzinfo=timezone(timedelta(hours=-4)))
    assert found(candidates_of(feed=naive, htmldate="2024-05-12")) == [
        ("published", "feed", "2024-05-12T10:00:00+00:00"),
        ("published", "htmldate", "2024-05-12T00:00:00+00:00"),
    ]
    feed_only = date_candidates(None, URL, read_page_meta(None), feed_published=aware, htmldate=None)
    assert found(feed_only) == [("published", "feed", "2024-05-12T14:00:00+00:00")]
    assert feed_only[0].has_time and feed_only[0].raw == "2024-05-12T10:00:00-04:00"
    assert candidates_of(htmldate="not a date") == []


def test_identical_kind_source_and_value_is_kept_once() -> None:
    same = {"@type": "NewsArticle", "datePublished": "2024-05-12T10:00:00Z", "dateCreated": "2024-05-12T10:00Z"}
    head = (jsonld(same)
            + jsonld({"@type": "NewsArticle", "datePublished": "2024-05-12T12:00:00+02:00"})
            + '<meta property="article:published_time" content="2024-05-12T10:00:00Z">' * 2)
    assert found(candidates_of(head, url="https://news.example/2024/05/12/story", htmldate="2024-05-12")) == [
        ("published", "jsonld", "2024-05-12T10:00:00+00:00"),
        ("published", "meta:article:published_time", "2024-05-12T10:00:00+00:00"),
        ("published", "url", "2024-05-12T00:00:00+00:00"),
        ("published", "htmldate", "2024-05-12T00:00:00+00:00"),
    ]


# --- the choice -----------------------------------------------------------------------------------------------


def test_published_from_the_most_trusted_source_present() -> None:
    ladder = [at("htmldate", "2024-05-06"), at("url", "2024-05-07"), at("feed", "2024-05-08T10:00:00Z"),
              at("time", "2024-05-09T10:00:00Z"), at("meta:dc.date", "2024-05-10T10:00:00Z"),
              at("jsonld", "2024-05-11T10:00:00Z")]
    for top in range(len(ladder), 0, -1):
        dates = choose_dates(ladder[:top], fetched_at=FETCHED)
        assert dates.published_source == ladder[top - 1].source
        assert dates.published_at == ladder[top - 1].value


def test_within_a_source_the_first_found_wins() -> None:
    dates = choose_dates([at("meta:article:published_time", "2024-05-12T10:00:00Z"),
                          at("meta:date", "2024-05-12T11:00:00Z")], fetched_at=FETCHED)
    assert dates.published_source == "meta:article:published_time"


def test_a_bare_day_gives_way_to_a_timestamp_within_a_day_of_it() -> None:
    # The page's own day is local (UTC+9): the feed's UTC timestamp falls on the day before, and is the same moment.
    dates = choose_dates([at("url", "2024-05-12"), at("feed", "2024-05-11T22:30:00Z")], fetched_at=FETCHED)
    assert (dates.published_at, dates.published_source) == (datetime(2024, 5, 11, 22, 30, tzinfo=UTC), "feed")
    assert dates.flags == ()
    # Three days away it is another date, not a more precise one: the trusted day stands.
    dates = choose_dates([at("url", "2024-05-12"), at("htmldate", "2024-05-15T10:00:00Z")], fetched_at=FETCHED)
    assert (dates.published_at, dates.published_source) == (datetime(2024, 5, 12, tzinfo=UTC), "url")


def test_future_dates_are_passed_over_and_flagged() -> None:
    ahead = (FETCHED + timedelta(hours=3)).isoformat()
    dates = choose_dates([at("jsonld", ahead), at("meta:date", "2024-05-19T10:00:00Z")], fetched_at=FETCHED)
    assert (dates.published_source, dates.flags) == ("meta:date", ("future",))
    # Within the tolerance it is clock drift, and a bare day may already have begun east of UTC.
    drift = (FETCHED + timedelta(minutes=30)).isoformat()
    assert choose_dates([at("jsonld", drift)], fetched_at=FETCHED).flags == ()
    assert choose_dates([at("url", "2024-05-21")], fetched_at=FETCHED).flags == ()
    # Nothing left: no date at all rather than an impossible one.
    dates = choose_dates([at("jsonld", ahead), at("url", "2024-05-23")], fetched_at=FETCHED)
    assert (dates.published_at, dates.flags) == (None, ("no_date", "future"))


def test_a_naive_fetch_time_is_utc() -> None:
    dates = choose_dates([at("jsonld", "2024-05-20T12:30:00Z")], fetched_at=datetime(2024, 5, 20, 12, 0))
    assert dates.flags == ()


def test_conflicting_declared_dates_are_flagged() -> None:
    dates = choose_dates([at("jsonld", "2024-05-12T10:00:00Z"), at("url", "2024-05-08")], fetched_at=FETCHED)
    assert (dates.published_source, dates.flags) == ("jsonld", ("conflict",))
    agreeing = [at("jsonld", "2024-05-12T10:00:00Z"), at("feed", "2024-05-11T10:00:00Z"), at("url", "2024-05-13")]
    assert choose_dates(agreeing, fetched_at=FETCHED).flags == ()
    # Scraped guesses (a <time> element, htmldate) are too often another story's date to count as a conflict.
    scraped = [at("jsonld", "2024-05-12T10:00:00Z"), at("time", "2024-04-01T10:00:00Z"), at("htmldate", "2024-01-01")]
    assert choose_dates(scraped, fetched_at=FETCHED).flags == ()


def test_modified_from_modified_candidates_by_the_same_trust() -> None:
    dates = choose_dates([at("jsonld", "2024-05-12T10:00:00Z"), at("time", "2024-05-14T10:00:00Z", "modified"),
                          at("meta:og:updated_time", "2024-05-13T10:00:00Z", "modified")], fetched_at=FETCHED)
    assert (dates.modified_at, dates.modified_source) == (datetime(2024, 5, 13, 10, tzinfo=UTC), "meta:og:updated_time")
    assert dates.flags == ()


def test_modified_before_published_is_flagged_and_passed_over() -> None:
    published = at("jsonld", "2024-05-12T10:00:00Z")
    dates = choose_dates([published, at("jsonld", "2024-05-09T10:00:00Z", "modified")], fetched_at=FETCHED)
    assert (dates.modified_at, dates.modified_source, dates.flags) == (None, None, ("modified_before_published",))
    later = at("meta:article:modified_time", "2024-05-13T10:00:00Z", "modified")
    dates = choose_dates([published, at("jsonld", "2024-05-09T10:00:00Z", "modified"), later], fetched_at=FETCHED)
    assert (dates.modified_source, dates.flags) == ("meta:article:modified_time", ("modified_before_published",))


def test_modified_is_never_reported_before_published() -> None:
    # Saved a second before a scheduled publication; a bare modified day that includes the publication.
    for modified in (at("meta:article:modified", "2024-05-12T09:59:59Z", "modified"),
                     at("meta:datemodified", "2024-05-12", "modified")):
        dates = choose_dates([at("jsonld", "2024-05-12T10:00:00Z"), modified], fetched_at=FETCHED)
        assert (dates.modified_at, dates.modified_source, dates.flags) == (dates.published_at, modified.source, ())


def test_no_date() -> None:
    dates = choose_dates([], fetched_at=FETCHED)
    assert (dates.published_at, dates.modified_at, dates.flags, dates.candidates) == (None, None, ("no_date",), ())


def test_placeholders_before_1995_are_ignored_but_kept() -> None:
    candidates = [at("jsonld", "0001-01-01T00:00:00Z"), at("meta:date", "1970-01-01T00:00:00Z"),
                  at("url", "2024-05-12"), at("jsonld", "0001-01-01T00:00:00Z", "modified")]
    dates = choose_dates(candidates, fetched_at=FETCHED)
    assert (dates.published_source, dates.modified_at, dates.flags) == ("url", None, ())
    assert len(dates.candidates) == 4


def test_every_candidate_is_kept_in_kind_then_trust_order() -> None:
    candidates = [at("htmldate", "2024-05-12"), at("jsonld", "2024-05-13T10:00:00Z", "modified"),
                  at("feed", "2024-05-12T10:00:00Z"), at("meta:date", "2024-05-12T10:00:00Z"),
                  at("meta:datemodified", "2024-05-13T10:00:00Z", "modified"), at("jsonld", "2024-05-12T10:00:00Z")]
    ordered = choose_dates(candidates, fetched_at=FETCHED).candidates
    assert [(c.kind, c.source) for c in ordered] == [
        ("published", "jsonld"), ("published", "meta:date"), ("published", "feed"), ("published", "htmldate"),
        ("modified", "jsonld"), ("modified", "meta:datemodified"),
    ]
    assert choose_dates(candidates[::-1], fetched_at=FETCHED).candidates == ordered


def test_a_page_end_to_end() -> None:
    head = ('<meta property="article:published_time" content="2024-05-12T06:15:00-04:00">'
            '<meta property="article:modified_time" content="2024-05-12T09:00:00-04:00">'
            + jsonld({"@type": "NewsArticle", "datePublished": "2024-05-12"}))
    body = '<time class="published" datetime="2024-05-12T10:15:00Z">May 12</time>'
    candidates = candidates_of(head, body, "https://news.example/2024/05/12/story",
                               feed=datetime(2024, 5, 12, 10, 20, tzinfo=UTC), htmldate="2024-05-12")
    dates = choose_dates(candidates, fetched_at=FETCHED)
    # JSON-LD's bare day is the most trusted; the meta tag states the same date to the second.
    assert (dates.published_at, dates.published_source) == (datetime(2024, 5, 12, 10, 15, tzinfo=UTC),
                                                            "meta:article:published_time")
    assert (dates.modified_at, dates.modified_source) == (datetime(2024, 5, 12, 13, 0, tzinfo=UTC),
                                                          "meta:article:modified_time")
    assert dates.flags == ()
    assert [c.source for c in dates.candidates] == ["jsonld", "meta:article:published_time", "time", "feed", "url",
                                                   "htmldate", "meta:article:modified_time"]
