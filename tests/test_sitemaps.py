"""Sitemaps: parsing (namespaces, news, gzip, dates, hostile XML), robots.txt, and scanning a site served on
127.0.0.1 (indexes, guessed locations, the date range, errors, loops, the document limit)."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from wirehouse.localserver import ServedSite, serve_directory
from wirehouse.settings import Settings
from wirehouse.tasks import sitemap_parse
from wirehouse.tasks.sitemap_parse import (
    SitemapError,
    SitemapUrl,
    parse_sitemap,
    parse_w3c_datetime,
    sitemaps_from_robots,
)
from wirehouse.tasks.sitemaps import scan_site

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
NEWS_NS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
IMAGE_NS = 'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"'
BASE = "https://news.example.org/sitemaps/one.xml"


def urlset(*entries: str, ns: str = NS) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {ns} {NEWS_NS} {IMAGE_NS}>{"".join(entries)}</urlset>'


def url(loc: str, lastmod: str | None = None, published: str | None = None, title: str | None = None) -> str:
    news = ""
    if published or title:
        news = "<news:news><news:publication><news:name>Example</news:name><news:language>en</news:language>"
        news += "</news:publication>"
        news += f"<news:publication_date>{published}</news:publication_date>" if published else ""
        news += f"<news:title>{title}</news:title>" if title else ""
        news += "</news:news>"
    mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    return f"<url><loc>{loc}</loc>{mod}{news}</url>"


def index(*children: tuple[str, str | None]) -> str:
    body = "".join(
        f"<sitemap><loc>{loc}</loc>{f'<lastmod>{mod}</lastmod>' if mod else ''}</sitemap>" for loc, mod in children
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex {NS}>{body}</sitemapindex>'


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- parsing -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ns", [NS, "", 'xmlns="http://www.google.com/schemas/sitemap/0.84"'],
                         ids=["sitemaps.org", "no-namespace", "old-namespace"])
def test_urlset_with_or_without_namespace(ns: str) -> None:
    body = urlset(url("https://news.example.org/a.html", "2026-03-01T10:00:00+02:00"),
                  url("/b.html", "2026-03-02"), url("  c.html  "), ns=ns)
    urls, children = parse_sitemap(body.encode(), BASE)
    assert children == []
    assert urls == [
        SitemapUrl("https://news.example.org/a.html", utc(2026, 3, 1, 8), None, None),
        SitemapUrl("https://news.example.org/b.html", utc(2026, 3, 2), None, None),
        SitemapUrl("https://news.example.org/sitemaps/c.html", None, None, None),
    ]
    assert urls[0].date == utc(2026, 3, 1, 8)


def test_news_sitemap_gives_publication_date_and_title() -> None:
    image = "<image:image><image:loc>https://cdn.example.org/p.jpg</image:loc><image:title>Photo</image:title>"
    body = urlset(
        url("https://news.example.org/news/1", "2026-03-05T00:00:00Z", "2026-03-04T18:30:00-05:00",
            "Budget &amp; taxes: <![CDATA[the vote]]>"),
        f"<url><loc>https://news.example.org/news/2</loc>{image}</image:image></url>",
    )
    urls, _ = parse_sitemap(body.encode(), BASE)
    first, second = urls
    assert first.published_at == utc(2026, 3, 4, 23, 30)
    assert first.lastmod == utc(2026, 3, 5)
    assert first.date == first.published_at  # the publication date wins over lastmod
    assert first.title == "Budget & taxes: the vote"
    # An image's loc and title are not the page's.
    assert second == SitemapUrl("https://news.example.org/news/2", None, None, None)


def test_sitemap_index_children_and_their_lastmod() -> None:
    body = index(("https://news.example.org/s1.xml", "2026-01-01"), ("s2.xml.gz", None), ("ftp://x/s3.xml", None))
    urls, children = parse_sitemap(body.encode(), BASE)
    assert urls == []
    assert children == [("https://news.example.org/s1.xml", utc(2026, 1, 1)),
                        ("https://news.example.org/sitemaps/s2.xml.gz", None)]


def test_gzip_bodies_are_recognised_by_their_magic_bytes() -> None:
    body = gzip.compress(("\n  " + urlset(url("https://news.example.org/z"))).encode())
    urls, _ = parse_sitemap(body, BASE)
    assert [u.url for u in urls] == ["https://news.example.org/z"]


def test_gzip_bombs_stop_at_the_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitemap_parse, "MAX_SITEMAP_BYTES", 10_000)
    bomb = gzip.compress(urlset(url("https://news.example.org/" + "a" * 20_000)).encode())
    with pytest.raises(SitemapError, match="uncompressed"):
        parse_sitemap(bomb, BASE)
    with pytest.raises(SitemapError, match="bad gzip"):
        parse_sitemap(bomb[:40], BASE)


@pytest.mark.parametrize(
    ("body", "message"),
    [(b"", "empty"), (b"<urlset><url><loc>https://a/</loc></url>", "well-formed"),
     (b"<!DOCTYPE html><html><body>Not found</body></html>", "HTML"),
     (b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>', "root element <rss>"),
     (b"not xml at all", "well-formed")],
)
def test_what_is_not_a_sitemap_raises(body: bytes, message: str) -> None:
    with pytest.raises(SitemapError, match=message):
        parse_sitemap(body, BASE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026", utc(2026, 1, 1)), ("2026-03", utc(2026, 3, 1)), ("2026-03-04", utc(2026, 3, 4)),
     ("2026-03-04T10:20+01:00", utc(2026, 3, 4, 9, 20)), ("2026-03-04T10:20:30Z", utc(2026, 3, 4, 10, 20, 30)),
     ("2026-03-04T10:20:30.45-03:30", utc(2026, 3, 4, 13, 50, 30, 450000)),
     ("2026-03-04t10:20:30z", utc(2026, 3, 4, 10, 20, 30)), ("2026-03-04 10:20:30", utc(2026, 3, 4, 10, 20, 30)),
     ("2026-03-04T10:20:30+0530", utc(2026, 3, 4, 4, 50, 30)), (" 2026-03-04T10:20:30 ", utc(2026, 3, 4, 10, 20, 30)),
     ("", None), (None, None), ("yesterday", None), ("2026-13-01", None), ("2026-02-30", None),
     ("2026-03-04T25:00", None), ("2026-03-04T10:00+25:00", None), ("0000-01-01", None), ("26-03-04", None),
     ("Tue, 24 Nov 2026 08:30:00 GMT", None)],
)
def test_w3c_datetimes(text: str | None, expected: datetime | None) -> None:
    parsed = parse_w3c_datetime(text)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo == UTC


def test_robots_sitemap_lines() -> None:
    robots = (b"\xef\xbb\xbfUser-agent: *\nDisallow: /private\nSitemap: https://news.example.org/a.xml\n"
              b"SITEMAP:/b.xml # the news one\r\nsitemap :  https://cdn.example.org/c.xml.gz\n"
              b"# Sitemap: https://news.example.org/commented.xml\nSitemap: https://news.example.org/a.xml\n"
              b"Sitemap: javascript:alert(1)\nSitemap:\n")
    assert sitemaps_from_robots(robots, "https://news.example.org/robots.txt") == [
        "https://news.example.org/a.xml", "https://news.example.org/b.xml", "https://cdn.example.org/c.xml.gz"]
    assert sitemaps_from_robots(b"User-agent: *\nDisallow:\n", "https://news.example.org/robots.txt") == []


# --- hostile XML -------------------------------------------------------------------------------------------------

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://x.example/&lol9;</loc></url></urlset>
"""


def _parses_without_expansion(body: bytes, leaked: str) -> None:
    """Either refused, or parsed with nothing substituted: no URL carries the entity's text."""
    try:
        urls, children = parse_sitemap(body, BASE)
    except SitemapError:
        return
    found = " ".join([u.url for u in urls] + [c for c, _ in children])
    assert leaked not in found
    assert len(found) < 1000


def test_billion_laughs_is_not_expanded() -> None:
    _parses_without_expansion(LAUGHS, "lollol")
    with pytest.raises(SitemapError):
        parse_sitemap(LAUGHS, BASE)
    small = LAUGHS.replace(b"&lol9;", b"&lol1;")  # a document that declares entities is refused, however few
    with pytest.raises(SitemapError, match="entity declarations"):
        parse_sitemap(small, BASE)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """One loopback server for the module: stopping one takes half a second."""
    with serve_directory(tmp_path_factory.mktemp("unused")) as site:
        yield site


@pytest.fixture
def served(server: ServedSite, tmp_path: Path) -> ServedSite:
    """The module's server, serving this test's own directory, with an empty request log."""
    server.root = tmp_path / "site"
    server.root.mkdir()
    server.requests.clear()
    return server


def test_external_entities_and_dtds_are_never_fetched_nor_read(served: ServedSite, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    (served.root / "secret.txt").write_text("TOP-SECRET")
    (served.root / "evil.dtd").write_text('<!ENTITY leak "TOP-SECRET">')
    file_entity = (f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
                   "<urlset><url><loc>https://x.example/&xxe;</loc></url></urlset>").encode()
    http_entity = (f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "{served.base_url}/secret.txt">]>'
                   "<urlset><url><loc>https://x.example/&xxe;</loc></url></urlset>").encode()
    parameter_entity = (f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY % dtd SYSTEM "{served.base_url}/evil.dtd">'
                        "%dtd;]><urlset><url><loc>https://x.example/&leak;</loc></url></urlset>").encode()
    external_dtd = (f'<?xml version="1.0"?><!DOCTYPE urlset SYSTEM "{served.base_url}/evil.dtd">'
                    "<urlset><url><loc>https://x.example/&leak;</loc></url></urlset>").encode()
    for body in (file_entity, http_entity, parameter_entity, external_dtd):
        _parses_without_expansion(body, "TOP-SECRET")
    for body in (file_entity, http_entity, parameter_entity):
        with pytest.raises(SitemapError, match="entity declarations"):
            parse_sitemap(body, BASE)
    # An external DTD is not read, so &leak; stays a reference: the <loc> holding it is no URL.
    assert parse_sitemap(external_dtd, BASE) == ([], [])
    assert served.requests == []  # no network: neither the entity nor the DTD was fetched


# --- scanning a site ---------------------------------------------------------------------------------------------


def write(site: ServedSite, path: str, text: str | bytes) -> str:
    file = site.root / path.lstrip("/")
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(text.encode() if isinstance(text, str) else text)
    return f"{site.base_url}/{path.lstrip('/')}"


def fetched(site: ServedSite, path: str) -> int:
    return sum(1 for p, _ in site.requests if p == path)


@pytest.fixture
def news_site(served: ServedSite) -> ServedSite:
    """robots.txt → an index → a news sitemap, a gzip archive sitemap for March, and an old one for 2025."""
    b = served.base_url
    write(served, "robots.txt", f"User-agent: *\nDisallow: /private/\n\nSitemap: {b}/sitemap_index.xml\n")
    write(served, "sitemap_index.xml", index(
        (f"{b}/news.xml", "2026-03-10T12:00:00Z"), ("/archive/2026-03.xml.gz", "2026-03-31"),
        ("archive/2025.xml", "2025-12-31T23:59:59Z"), (f"{b}/sitemap_index.xml", "2026-03-10"),
    ))
    write(served, "news.xml", urlset(
        url(f"{b}/news/budget", None, "2026-03-10T09:00:00+01:00", "Budget passes"),
        url(f"{b}/news/storm", "2026-03-10T11:00:00Z", "2026-03-09", "Storm warning"),
    ))
    write(served, "archive/2026-03.xml.gz", gzip.compress(urlset(
        url(f"{b}/2026/03/01/first", "2026-03-01"),
        url(f"{b}/2026/03/05/fifth", "2026-03-05T23:59:59Z"),
        url(f"{b}/news/storm", "2026-03-09"),  # listed again: kept once, where it was first seen
        url(f"{b}/undated"),
    ).encode()))
    write(served, "archive/2025.xml", urlset(url(f"{b}/2025/old", "2025-06-01")))
    return served


def test_scan_follows_robots_and_the_index(news_site: ServedSite, local_sites: None) -> None:
    b = news_site.base_url
    scan = scan_site(b, Settings())
    assert scan.errors == []
    assert scan.sitemaps_read == [f"{b}/sitemap_index.xml", f"{b}/news.xml", f"{b}/archive/2026-03.xml.gz",
                                  f"{b}/archive/2025.xml"]
    assert [u.url for u in scan.urls] == [f"{b}/news/budget", f"{b}/news/storm", f"{b}/2026/03/01/first",
                                          f"{b}/2026/03/05/fifth", f"{b}/undated", f"{b}/2025/old"]
    budget = scan.urls[0]
    assert (budget.title, budget.published_at, budget.lastmod) == ("Budget passes", utc(2026, 3, 10, 8), None)
    assert scan.skipped_out_of_range == 0
    assert fetched(news_site, "/sitemap_index.xml") == 1  # the index lists itself: read once
    assert fetched(news_site, "/robots.txt") == 1


def test_scan_keeps_the_range_inclusive_and_skips_old_child_sitemaps(news_site: ServedSite, local_sites: None) -> None:
    b = news_site.base_url
    scan = scan_site(b, Settings(), since=utc(2026, 3, 5), until=utc(2026, 3, 10, 8))
    assert [u.url for u in scan.urls] == [f"{b}/news/budget", f"{b}/news/storm", f"{b}/2026/03/05/fifth"]
    # storm: its publication date (Mar 9) counts, not its lastmod (Mar 10, 11:00, after until)
    assert scan.urls[1].date == utc(2026, 3, 9)
    # first (before since), undated (a range is given), and the 2025 sitemap (lastmod before since)
    assert scan.skipped_out_of_range == 3
    assert f"{b}/archive/2025.xml" not in scan.sitemaps_read
    assert fetched(news_site, "/archive/2025.xml") == 0
    assert scan.errors == []
    # The bounds themselves are in range.
    exact = scan_site(b, Settings(), since=utc(2026, 3, 5, 23, 59, 59), until=utc(2026, 3, 5, 23, 59, 59))
    assert [u.url for u in exact.urls] == [f"{b}/2026/03/05/fifth"]


def test_scan_with_only_since_or_only_until(news_site: ServedSite, local_sites: None) -> None:
    b = news_site.base_url
    recent = scan_site(b, Settings(), since=utc(2026, 3, 9))
    assert [u.url for u in recent.urls] == [f"{b}/news/budget", f"{b}/news/storm"]
    older = scan_site(b, Settings(), until=utc(2025, 12, 31))
    assert [u.url for u in older.urls] == [f"{b}/2025/old"]
    assert f"{b}/archive/2025.xml" in older.sitemaps_read  # until never prunes a child: old URLs may be in it


def test_naive_range_bounds_are_taken_as_utc(news_site: ServedSite, local_sites: None) -> None:
    scan = scan_site(news_site.base_url, Settings(), since=datetime(2026, 3, 5), until=datetime(2026, 3, 5, 23, 59, 59))
    assert [u.url for u in scan.urls] == [f"{news_site.base_url}/2026/03/05/fifth"]
    offset = timezone(timedelta(hours=2))
    scan = scan_site(news_site.base_url, Settings(), since=datetime(2026, 3, 6, 1, 59, 59, tzinfo=offset),
                     until=datetime(2026, 3, 6, 1, 59, 59, tzinfo=offset))
    assert [u.url for u in scan.urls] == [f"{news_site.base_url}/2026/03/05/fifth"]


def test_given_sitemaps_replace_robots(news_site: ServedSite, local_sites: None) -> None:
    b = news_site.base_url
    scan = scan_site(b, Settings(), sitemaps=["/news.xml", "mailto:someone@example.org"])
    assert scan.sitemaps_read == [f"{b}/news.xml"]
    assert [u.url for u in scan.urls] == [f"{b}/news/budget", f"{b}/news/storm"]
    assert scan.errors == ["mailto:someone@example.org: not an http(s) URL"]
    assert fetched(news_site, "/robots.txt") == 0


def test_guessed_locations_when_robots_names_none(served: ServedSite, local_sites: None) -> None:
    b = served.base_url
    write(served, "robots.txt", "User-agent: *\nDisallow:\n")
    write(served, "sitemap.xml", urlset(url(f"{b}/a", "2026-01-01"), url(f"{b}/b")))
    write(served, "sitemap_index.xml", "<!doctype html><html><body>Page not found</body></html>")  # a soft 404
    scan = scan_site(b + "/some/page.html", Settings())
    assert scan.errors == []  # /news-sitemap.xml is missing and /sitemap_index.xml is a page: neither is an error
    assert scan.sitemaps_read == [f"{b}/sitemap.xml"]
    assert [u.url for u in scan.urls] == [f"{b}/a", f"{b}/b"]
    assert {p for p, _ in served.requests} == {"/robots.txt", "/sitemap.xml", "/sitemap_index.xml",
                                                "/news-sitemap.xml"}
    ranged = scan_site(b, Settings(), since=utc(2025, 1, 1))
    assert [u.url for u in ranged.urls] == [f"{b}/a"]  # the undated URL goes once a range is given
    assert ranged.skipped_out_of_range == 1


def test_no_robots_and_no_sitemaps_is_an_empty_scan(served: ServedSite, local_sites: None) -> None:
    scan = scan_site(served.base_url, Settings())
    assert (scan.urls, scan.sitemaps_read, scan.errors, scan.skipped_out_of_range) == ([], [], [], 0)


def test_an_unreachable_site_is_recorded_not_raised(served: ServedSite) -> None:
    # Without local_sites, the address guard refuses 127.0.0.1: robots.txt and each guess say so.
    scan = scan_site(served.base_url, Settings(allow_private_addresses=False, per_host_delay=0))
    assert scan.urls == [] and scan.sitemaps_read == []
    assert [e.split(": ")[1] for e in scan.errors] == ["blocked_address"] * 4
    assert served.requests == []
    for site in ("", "ftp://example.org/", "http://[::1"):
        assert scan_site(site, Settings()).errors == [f"{site}: not an http(s) site"]


def test_bad_sitemaps_are_recorded_and_the_others_still_read(served: ServedSite, local_sites: None) -> None:
    b = served.base_url
    write(served, "robots.txt", f"Sitemap: {b}/index.xml\nSitemap: {b}/gone.xml\n")
    write(served, "index.xml", index(("broken.xml", None), ("good.xml", None), ("page.html", None),
                                     ("bad.xml.gz", None)))
    write(served, "broken.xml", urlset(url(f"{b}/lost")).replace("</urlset>", ""))
    write(served, "good.xml", urlset(url(f"{b}/kept", "2026-02-02")))
    write(served, "page.html", "<!doctype html><html><body>hello</body></html>")
    write(served, "bad.xml.gz", b"\x1f\x8b\x08\x00 truncated")
    scan = scan_site(b, Settings())
    assert [u.url for u in scan.urls] == [f"{b}/kept"]
    assert scan.sitemaps_read == [f"{b}/index.xml", f"{b}/good.xml"]
    assert [e.split(": ", 2)[:2] for e in scan.errors] == [
        [f"{b}/gone.xml", "http_404"], [f"{b}/broken.xml", "not well-formed XML"],
        [f"{b}/page.html", "not a sitemap"], [f"{b}/bad.xml.gz", "bad gzip"]]


def test_index_loops_are_read_once(served: ServedSite, local_sites: None) -> None:
    b = served.base_url
    write(served, "a.xml", index((f"{b}/a.xml", None), ("b.xml", None)))
    write(served, "b.xml", index(("a.xml", None), ("/b.xml", None), ("c.xml", None)))
    write(served, "c.xml", urlset(url(f"{b}/story")))
    scan = scan_site(b, Settings(), sitemaps=[f"{b}/a.xml", f"{b}/a.xml"])
    assert scan.sitemaps_read == [f"{b}/a.xml", f"{b}/b.xml", f"{b}/c.xml"]
    assert [u.url for u in scan.urls] == [f"{b}/story"]
    assert sorted(p for p, _ in served.requests) == ["/a.xml", "/b.xml", "/c.xml"]


def test_max_sitemaps_bounds_the_documents_read(served: ServedSite, local_sites: None) -> None:
    b = served.base_url
    write(served, "index.xml", index(*((f"s{i}.xml", None) for i in range(12))))
    for i in range(12):
        write(served, f"s{i}.xml", urlset(url(f"{b}/story-{i}")))
    scan = scan_site(b, Settings(), sitemaps=["/index.xml"], max_sitemaps=10)
    assert len(scan.sitemaps_read) == 10
    assert len(served.requests) == 10
    assert [u.url for u in scan.urls] == [f"{b}/story-{i}" for i in range(9)]
    assert scan.errors == [f"{b}/s9.xml: not read: max_sitemaps (10) reached, 3 sitemap(s) left unread"]
