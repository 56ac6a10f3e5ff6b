"""Authors: the raw byline and the cleaned list of people, from JSON-LD, meta tags, trafilatura and the feed."""

from __future__ import annotations

import json

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wirehouse.tasks.authors import author_candidates, clean_authors
from wirehouse.tasks.page_meta import PageMeta, read_page_meta

NO_META = PageMeta()


def page_meta(*objects: object, head: str = "") -> PageMeta:
    scripts = "".join(f'<script type="application/ld+json">{json.dumps(o)}</script>' for o in objects)
    return read_page_meta(lxml.html.fromstring(f"<html><head>{scripts}{head}</head><body><p>x</p></body></html>"))


def article(author: object, **fields: object) -> dict:
    return {"@type": "NewsArticle", "headline": "A story", "author": author, **fields}


# --- the raw byline -------------------------------------------------------------------------------------------


def test_byline_prefers_what_trafilatura_read_on_the_page() -> None:
    meta = page_meta(article({"@type": "Person", "name": "Jane Doe"}), head='<meta name="author" content="J. Doe">')
    byline = author_candidates(meta, extracted=" By Jane Doe, Staff Writer ", feed_author="jd")
    assert byline == "By Jane Doe, Staff Writer"


def test_byline_falls_back_to_jsonld_then_meta_then_feed() -> None:
    people = page_meta(article([{"@type": "Person", "name": "Jane Doe"}, "John Roe", {"@type": "Person", "name": ""}]))
    assert author_candidates(people, extracted=None, feed_author="x") == "Jane Doe, John Roe"
    # article:author is usually a profile URL: the next name that is a name is the byline.
    tags = page_meta(head='<meta property="article:author" content="https://facebook.com/jdoe">'
                          '<meta name="sailthru.author" content="Jane Doe">')
    assert author_candidates(tags, extracted="  ", feed_author="x") == "Jane Doe"
    assert author_candidates(NO_META, extracted=None, feed_author=" Jane Doe ") == "Jane Doe"
    assert author_candidates(NO_META, extracted="", feed_author=None) is None


# --- the people -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("author", [
    {"@type": "Person", "name": "Jane Doe"},
    [{"@type": "Person", "name": "Jane Doe"}],
    "Jane Doe",
    ["Jane Doe"],
    {"@type": "person", "name": "By JANE DOE, AP Auto Writer"},
])
def test_jsonld_authors_of_every_shape(author: object) -> None:
    assert clean_authors("Somebody Else", page_meta(article(author))) == ("Jane Doe",)


def test_jsonld_people_come_before_the_byline() -> None:
    meta = page_meta(article([{"@type": "Person", "name": "Jane Doe"}, {"@type": "Person", "name": "John Roe"}]))
    assert clean_authors("Jane Doe; Staff", meta) == ("Jane Doe", "John Roe")


def test_jsonld_author_referenced_by_id_in_the_graph() -> None:
    meta = page_meta({"@graph": [
        {"@type": "WebPage", "@id": "https://news.example/story", "author": {"@id": "https://news.example/#/person/1"}},
        {"@type": "Person", "@id": "https://news.example/#/person/1", "name": "Jane Doe"},
    ]})
    assert author_candidates(meta, extracted=None, feed_author=None) == "Jane Doe"
    assert clean_authors(None, meta) == ("Jane Doe",)


def test_an_organisation_as_author_leaves_the_byline_to_speak() -> None:
    meta = page_meta(article({"@type": "Organization", "name": "Daily Planet"}))
    assert clean_authors("By Jane Doe", meta) == ("Jane Doe",)
    assert clean_authors(None, meta) == ()


@pytest.mark.parametrize("raw", [
    "By Jane Doe", "BY: Jane Doe", "Written by Jane Doe", "Posted by Jane Doe", "Reporting by Jane Doe",
    "Reporting by Jane Doe; Editing by Bob Roe", "Author: Jane Doe",
    "Jane Doe Email the author", "Jane Doe Follow @janedoe", "Jane Doe @janedoe", "Jane Doe jane.doe@news.example",
    "Jane Doe https://twitter.com/janedoe", "Jane Doe | news.example.com",
    "Jane Doe Updated 3 hours ago", "Jane Doe 3 hours ago", "Jane Doe, Updated Nov. 19, 2019 10:00 a.m. EST",
    "Jane Doe May 12, 2024 at 10:00 am", "Jane Doe — Sunday 12 May 2024 10:00 BST", "Jane Doe | 2024-05-12",
    "Posted on May 12, 2024 by Jane Doe", "Posted by Jane Doe on May 12", "Jane Doe (Reuters)",
    "Jane Doe, Staff Writer", "Jane Doe, Senior Correspondent", "Jane Doe Staff Writer", "Jane Doe, Political Editor",
    "Jane Doe in Washington", "Jane Doe for The Daily Planet", "Jane Doe is a reporter at the Post",
    "Jane Doe, Associated Press", "Jane Doe / CNN", "Jane Doe, Newsroom", "Jane Doe | Web Desk",
])
def test_byline_furniture_is_removed(raw: str) -> None:
    assert clean_authors(raw, NO_META) == ("Jane Doe",)


def test_bylines_split_into_people() -> None:
    raw = "Jane Doe, John Roe and Ann Lee & Bo Li | Kim Park with Al Gore; Ed Wu"
    assert clean_authors(raw, NO_META) == ("Jane Doe", "John Roe", "Ann Lee", "Bo Li", "Kim Park", "Al Gore", "Ed Wu")
    assert clean_authors("By Jane Doe and John Roe, Staff Writers", NO_META) == ("Jane Doe", "John Roe")


@pytest.mark.parametrize("raw", [
    "Admin", "admin", "Staff", "Editor", "Editorial", "Newsroom", "Web Desk", "News Desk", "Associated Press",
    "The Associated Press", "AP", "Reuters", "REUTERS", "Reuters Staff", "AFP", "Detroit News wire services",
    "News Nation Bureau", "Staff Writer", "The Water Coolest", "the Syrian defense ministry",
    "Updated 3 hours ago", "May 12, 2024", "November", "", "  ,  ; |",
])
def test_no_person_in_generic_and_non_people_bylines(raw: str) -> None:
    assert clean_authors(raw, NO_META) == ()


def test_the_publisher_is_not_an_author() -> None:
    assert clean_authors("Daily Planet", NO_META, publishers=["The Daily Planet"]) == ()
    assert clean_authors("Jane Doe | Daily Planet", NO_META, publishers=["Daily Planet"]) == ("Jane Doe",)
    site = page_meta(head='<meta property="og:site_name" content="Planet Blog | Stories from the Planet">')
    assert clean_authors("Planet, Jane Doe", site) == ("Jane Doe",)
    # The JSON-LD publisher, even when the author is (wrongly) typed as a person.
    typed = page_meta(article({"@type": "Person", "name": "Planet Daily"}, publisher={"name": "Planet Daily"}))
    assert clean_authors("Jane Doe", typed) == ("Jane Doe",)


@pytest.mark.parametrize(("raw", "people"), [
    ("Vanessa", ("Vanessa",)),
    ("By Vanessa", ("Vanessa",)),
    ("JOHN SMITH", ("John Smith",)),
    ("CONAN O'BRIEN and JEAN-LUC PICARD", ("Conan O'Brien", "Jean-Luc Picard")),
    ("J. R. R. TOLKIEN", ("J. R. R. Tolkien",)),
    ("Bryan DeArdo", ("Bryan DeArdo",)),
    ("Ursula von der Leyen", ("Ursula von der Leyen",)),
    ("José Álvarez", ("José Álvarez",)),
    ("王小明", ("王小明",)),
    ("John Smith, Jr.", ("John Smith Jr",)),
    ("Jane Doe, JANE DOE and jane doe", ("Jane Doe",)),
])
def test_names_kept_normalised_and_deduplicated(raw: str, people: tuple[str, ...]) -> None:
    assert clean_authors(raw, NO_META) == people


def test_the_same_person_in_two_jsonld_objects_once() -> None:
    meta = page_meta(article({"@type": "Person", "name": "Jane Doe"}),
                     {"@type": "WebPage", "author": [{"@type": "Person", "name": "JANE DOE"}, "John Roe"]})
    assert clean_authors(None, meta) == ("Jane Doe", "John Roe")


def test_odd_jsonld_shapes_do_not_raise() -> None:
    meta = page_meta(article(5), article([None, 3, {"name": 7}, {"name": ["Jane Doe", None]}, {"@id": 9}]),
                     article({"@type": ["Person", "Thing"], "name": "John Roe"}, publisher=[{"@id": "#org"}, 4]),
                     {"@type": "Article", "author": {"@id": "#nobody"}})
    assert clean_authors(None, meta) == ("Jane Doe", "John Roe")
    assert author_candidates(meta, extracted=None, feed_author=None) == "Jane Doe, John Roe"


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=80), st.lists(st.text(max_size=20), max_size=3))
def test_clean_authors_never_raises(raw: str, publishers: list[str]) -> None:
    people = clean_authors(raw, NO_META, publishers=publishers)
    assert all(name and name == name.strip() for name in people)
