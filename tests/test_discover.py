"""Feed autodiscovery: declared alternates, feed-looking links, comments feeds, broken pages, probe paths."""

from __future__ import annotations

import pytest

from wirehouse.tasks.discover import COMMON_FEED_PATHS, discover_feeds, probe_urls

PAGE = "https://news.example.org/section/index.html"

WORDPRESS = """<!DOCTYPE html><html><head>
<link rel="alternate" type="application/rss+xml" title="Example &raquo; Feed" href="https://news.example.org/feed/" />
<link rel="alternate" type="application/rss+xml" title="Example &raquo; Comments Feed"
      href="https://news.example.org/comments/feed/" />
<link rel="alternate" type="application/json" href="https://news.example.org/wp-json/wp/v2/pages/2" />
<link rel="alternate" type="application/json" href="https://news.example.org/?rest_route=/wp/v2/pages/2" />
<link rel="alternate" type="application/json+oembed" href="https://news.example.org/wp-json/oembed/1.0/embed?url=x" />
<link rel="alternate" type="text/xml+oembed" href="https://news.example.org/wp-json/oembed/1.0/embed?format=xml" />
<link rel="alternate" hreflang="fr" href="https://news.example.org/fr/" />
</head><body><a href="/feed/">RSS</a><a href="/comments/feed/">Comments RSS</a></body></html>"""


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # WordPress: the posts feed; comments, REST API and oEmbed links are not feeds; the <a> repeats it.
        (WORDPRESS, ["https://news.example.org/feed/"]),
        # Every declared type, relative hrefs, document order, fragments dropped, duplicates once.
        ("""<head>
            <link rel="alternate" type="application/atom+xml" href="atom.xml">
            <link rel="alternate" type="application/feed+json" href="/feed.json">
            <link rel="alternate" type="application/rdf+xml" href="//cdn.example.net/index.rdf">
            <link rel="alternate" type="text/xml" href="rss091.xml#top">
            <link rel="alternate" type="application/json" href="feed.json?v=1">
            <link rel="alternate" type="application/rss+xml" href="atom.xml#again">
            </head>""",
         ["https://news.example.org/section/atom.xml", "https://news.example.org/feed.json",
          "https://cdn.example.net/index.rdf", "https://news.example.org/section/rss091.xml",
          "https://news.example.org/section/feed.json?v=1"]),
        # rel with several tokens, any case; type with parameters, any case; a <link> in the body counts too.
        ("""<LINK REL="Alternate Home" TYPE="Application/RSS+XML; charset=UTF-8" HREF="/a.rss">
            <body><link rel="alternate" type="application/atom+xml" href="/b.atom"></body>""",
         ["https://news.example.org/a.rss", "https://news.example.org/b.atom"]),
        # <base href> (itself relative) decides where relative hrefs point; only the first counts.
        ("""<head><base href="/blog/"><base href="https://elsewhere.example/">
            <link rel="alternate" type="application/rss+xml" href="rss.xml"></head><a href="feed/">f</a>""",
         ["https://news.example.org/blog/rss.xml", "https://news.example.org/blog/feed/"]),
        # Not alternates, not feed types, no href, unusable schemes: nothing.
        ("""<link rel="stylesheet" type="text/css" href="/feed.css">
            <link rel="alternate" type="text/html" href="/print">
            <link rel="alternate" type="application/rss+xml">
            <link rel="alternate" type="application/rss+xml" href="">
            <link rel="alternate" type="application/rss+xml" href="javascript:void(0)">
            <link rel="alternate" type="application/rss+xml" href="mailto:x@example.org">
            <link rel="alternate" type="application/rss+xml" href="http://[::1">
            <link rel="alternates" type="application/rss+xml" href="/nope.xml">""", []),
        # Hosts must be there and parse, whatever the scheme's case; a <base href> that fails leaves the page's URL.
        ("""<base href="http://[::1/x"><link rel="alternate" type="application/rss+xml" href="http:///no-host.xml">
            <link rel="alternate" type="application/rss+xml" href="https://user@/no-host.xml">
            <link rel="alternate" type="application/rss+xml" href="ht&#9;tp://tab.example/rss">
            <link rel="alternate" type="application/rss+xml" href="HTTPS://Upper.example/rss.xml">
            <a href="http://[::1/feed/">f</a><a href="rss.xml">r</a>""",
         ["https://Upper.example/rss.xml", "https://news.example.org/section/rss.xml"]),
        # The old feed: pseudo-scheme.
        ("""<link rel="alternate" type="application/rss+xml" href="feed://old.example/rss">
            <link rel="alternate" type="application/rss+xml" href="feed:https://old.example/atom">""",
         ["http://old.example/rss", "https://old.example/atom"]),
        # A comments feed alone is still a feed.
        ("""<link rel="alternate" type="application/rss+xml" title="Site » Comments" href="/comments/feed/">""",
         ["https://news.example.org/comments/feed/"]),
        # Declared feeds first, then feed-looking links in document order.
        ("""<a href="/rss.xml">RSS</a><link rel="alternate" type="application/atom+xml" href="/atom.xml">""",
         ["https://news.example.org/atom.xml", "https://news.example.org/rss.xml"]),
    ],
)
def test_discover_feeds(html: str, expected: list[str]) -> None:
    assert discover_feeds(html, PAGE) == expected
    assert discover_feeds(html.encode("utf-8"), PAGE) == expected


@pytest.mark.parametrize(
    ("href", "is_feed"),
    [
        ("/feed", True), ("/feed/", True), ("/rss", True), ("/rss.xml", True), ("/atom.xml", True),
        ("/feed.xml", True), ("/index.xml", True), ("/feeds/posts/default", True), ("/?feed=rss2", True),
        ("/feed.json", True), ("/news/rss/world", True), ("/services/rss2", True), ("/category/tech/feed/", True),
        ("https://feeds.feedburner.com/Example", True), ("/RSS", True),
        ("/feedback", False), ("/rss-guide-for-beginners", False), ("/about", False), ("/feeding-tips", False),
        ("https://feedly.com/i/subscription/feed/https://news.example.org/feed", False),
        ("https://www.inoreader.com/?add_feed=https%3A%2F%2Fnews.example.org%2Ffeed", False),
        ("mailto:rss@example.org", False),
    ],
)
def test_links_that_look_like_feeds(href: str, is_feed: bool) -> None:
    found = discover_feeds(f'<body><p><a href="{href}">link</a></p></body>', "https://news.example.org/")
    assert bool(found) is is_feed, found


@pytest.mark.parametrize(
    "html",
    ["", b"", "   ", b"\x00\x01\x02", "<<<>>>", "</html>", "<html><head><link rel=alternate", b"\xff\xfe\x00<\x00",
     "<!-- <link rel='alternate' type='application/rss+xml' href='/commented-out.xml'> -->"],
)
def test_broken_html_gives_nothing_and_never_raises(html: str | bytes) -> None:
    assert discover_feeds(html, PAGE) == []


def test_str_with_xml_declaration_and_bytes_with_charset() -> None:
    xhtml = """<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head>
      <link rel="alternate" type="application/atom+xml" href="/é.xml"/></head></html>"""
    assert discover_feeds(xhtml, PAGE) == ["https://news.example.org/é.xml"]
    latin = '<meta charset="iso-8859-1"><link rel="alternate" type="application/rss+xml" title="Café" href="/c.xml">'
    assert discover_feeds(latin.encode("latin-1"), PAGE) == ["https://news.example.org/c.xml"]


def test_probe_urls() -> None:
    urls = probe_urls("HTTPS://blog.example.org:8443/2026/11/post.html?x=1#top")
    assert urls == [f"https://blog.example.org:8443{path}" for path in COMMON_FEED_PATHS]
    assert urls[0] == "https://blog.example.org:8443/feed"
    assert "https://blog.example.org:8443/?feed=rss2" in urls
    assert len(COMMON_FEED_PATHS) == 10 and len(set(COMMON_FEED_PATHS)) == 10


@pytest.mark.parametrize(
    "url", ["example.org", "ftp://example.org/", "/relative/path", "", "http://", "http://[::1/x", "http://user@/"]
)
def test_probe_urls_needs_an_http_url(url: str) -> None:
    with pytest.raises(ValueError, match="not an http"):
        probe_urls(url)
