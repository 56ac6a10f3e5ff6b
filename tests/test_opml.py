"""OPML import/export: nested folders, names, refusals, and the round trip."""

from __future__ import annotations

import pytest

from wirehouse.models import Feed
from wirehouse.tasks.opml import read_opml, slugify, unique_name, write_opml

EXPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Subscriptions from a reader</title></head>
  <body>
    <outline text="News" title="News">
      <outline type="rss" text="BBC News - World" title="BBC News - World"
               xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml" htmlUrl="https://www.bbc.co.uk/news"/>
      <outline text="Deeper">
        <outline type="rss" text="Le Monde &#8211; &#192; la une" xmlUrl="https://www.lemonde.fr/rss/une.xml"/>
      </outline>
    </outline>
    <outline type="rss" text="Only text" xmlUrl="http://example.org/feed"/>
    <outline type="rss" title="" text="" xmlUrl="https://www.blog.example.com/atom.xml"/>
    <outline type="rss" text="Not a feed URL" xmlUrl="ftp://example.org/feed"/>
    <outline type="rss" text="Relative" xmlUrl="/feed.xml"/>
    <outline type="rss" text="Empty" xmlUrl=""/>
    <outline text="A folder with no xmlUrl"/>
    <outline type="rss" text="Shouting" XMLURL="HTTPS://loud.example/RSS"/>
    <outline type="rss" text="BBC News - World" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml"/>
    <outline type="rss" text="BBC News: World!" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml?edition=int"/>
  </body>
</opml>"""


def test_read_opml_nested_outlines_names_and_skips() -> None:
    feeds = read_opml(EXPORT)
    assert [(f.name, f.url, f.site) for f in feeds] == [
        ("bbc-news-world", "https://feeds.bbci.co.uk/news/world/rss.xml", "BBC News - World"),
        ("le-monde-a-la-une", "https://www.lemonde.fr/rss/une.xml", "Le Monde – À la une"),
        ("only-text", "http://example.org/feed", "Only text"),
        ("blog-example-com", "https://www.blog.example.com/atom.xml", None),  # no title: named after the host
        ("shouting", "https://loud.example/RSS", "Shouting"),
        ("bbc-news-world-2", "https://feeds.bbci.co.uk/news/world/rss.xml?edition=int", "BBC News: World!"),
    ]
    assert all(f.language is None and f.full_content is False for f in feeds)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("BBC News - World", "bbc-news-world"),
        ("  Ars   Technica!!  ", "ars-technica"),
        ("Süddeutsche Zeitung", "suddeutsche-zeitung"),
        ("日本経済新聞", ""),
        ("x" * 70 + " tail", "x" * 64),
        ("a-" * 40, ("a-" * 32).rstrip("-")),
    ],
)
def test_slugify(title: str, expected: str) -> None:
    assert slugify(title) == expected


def test_names_stay_unique_even_against_natural_suffixes() -> None:
    outlines = "".join(
        f'<outline text="{text}" xmlUrl="https://{i}.example/feed"/>'
        for i, text in enumerate(["Blog", "Blog 2", "Blog", "Blog", "日本", "日本"])
    )
    feeds = read_opml(f"<opml><body>{outlines}</body></opml>".encode())
    assert [f.name for f in feeds] == ["blog", "blog-2", "blog-3", "blog-4", "4-example", "5-example"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "malformed XML"),
        (b"<opml><body><outline xmlUrl='https://x/'></body></opml>", "malformed XML"),
        (b"<opml><body><outline text='Caf\xe9' xmlUrl='https://x/'/></body></opml>", "malformed XML"),  # Latin-1
        (b"<opml><body><outline xmlUrl='&undefined;'/></body></opml>", "malformed XML"),
        (b"<rss version='2.0'><channel/></rss>", "root element is <rss>"),
        (b"<!DOCTYPE opml><opml/>", "DOCTYPE"),
        (b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<opml><body><outline text="&lol2;" xmlUrl="https://x.example/"/></body></opml>""", "DOCTYPE"),
        (b"""<!DOCTYPE opml SYSTEM "file:///etc/passwd"><opml/>""", "DOCTYPE"),
        # Declared encodings Python does not know (LookupError), that are no text encoding (LookupError too), that
        # expat cannot use or whose decoder fails (ValueErrors without context): all the same refusal.
        (b'<?xml version="1.0" encoding="x-bogus"?><opml/>', "unusable encoding"),
        (b'<?xml version="1.0" encoding="rot13"?><opml/>', "unusable encoding"),
        (b'<?xml version="1.0" encoding="utf-7"?><opml/>', "unusable encoding"),
        (b'<?xml version="1.0" encoding="idna"?><opml/>', "unusable encoding"),
    ],
)
def test_read_opml_refusals_are_value_errors(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        read_opml(data)


def test_unique_name() -> None:
    taken = {"blog", "blog-2", "news-3"}
    assert unique_name("news", taken) == "news"
    assert unique_name("blog", taken) == "blog-3"
    assert unique_name("blog", taken) == "blog-4"  # each name returned is taken from then on
    assert unique_name("news", taken) == "news-2"
    assert taken == {"blog", "blog-2", "blog-3", "blog-4", "news", "news-2", "news-3"}


def test_only_http_feed_urls_with_a_host_are_read() -> None:
    urls = [
        "HTTP://Upper.example/rss",
        "  https://spaces.example/rss  ",
        "ht&#9;tp://tab-in-scheme.example/rss",  # urlsplit would drop the tab; the feed list would not
        "http://[::1/rss",
        "http://user@/rss",
        "feed://old.example/rss",
    ]
    outlines = "".join(f'<outline text="f" xmlUrl="{url}"/>' for url in urls)
    feeds = read_opml(f"<opml><body>{outlines}</body></opml>".encode())
    assert [f.url for f in feeds] == ["http://Upper.example/rss", "https://spaces.example/rss"]


def test_read_opml_other_encodings_and_empty_bodies() -> None:
    latin = '<?xml version="1.0" encoding="windows-1252"?><opml><body><outline text="Café €" xmlUrl="https://c.example/"/>'
    assert [f.site for f in read_opml((latin + "</body></opml>").encode("cp1252"))] == ["Café €"]
    utf16 = '<?xml version="1.0" encoding="utf-16"?><opml><body><outline text="Ü" xmlUrl="https://u.example/"/></body></opml>'
    assert [f.name for f in read_opml(utf16.encode("utf-16"))] == ["u"]
    assert read_opml(b"<opml version='2.0'><head/><body/></opml>") == []


FEEDS = [
    Feed("bbc-world", "https://feeds.bbci.co.uk/news/world/rss.xml", site="BBC World"),
    Feed("plain", "https://plain.example/feed?x=1&y=<2>"),
    Feed("quotes", "https://q.example/rss", site='"Quotes" & <Angles> – ünïcode'),
    Feed("twin-a", "https://a.example/rss", site="Twin"),
    Feed("twin-b", "https://b.example/rss", site="Twin"),
    Feed("ctrl", "https://ctrl.example/rss", site="Bell\x07 Tab\there"),
]


def test_write_opml_round_trips() -> None:
    data = write_opml(FEEDS, title="My feeds")
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n<opml version=\"2.0\">")
    assert b"<title>My feeds</title>" in data and b"dateCreated" not in data
    assert b'<outline type="rss" text="BBC World" title="BBC World" xmlUrl="https://feeds.bbci.co.uk/' in data
    back = read_opml(data)
    assert [f.url for f in back] == [f.url for f in FEEDS]
    assert [f.site for f in back] == ["BBC World", "plain", '"Quotes" & <Angles> – ünïcode', "Twin", "Twin",
                                      "Bell Tab\there"]
    # Names come back as slugs of the site; a feed without a site keeps its name; colliding sites get suffixes.
    assert [f.name for f in back] == ["bbc-world", "plain", "quotes-angles-unicode", "twin", "twin-2", "bell-tab-here"]


def test_write_opml_round_trip_keeps_slug_names_exactly() -> None:
    feeds = [Feed("example-news", "https://example.org/rss", site="Example News"), Feed("bare", "http://bare.example/")]
    # A feed without a site is written with its name as the label, which reads back as its site.
    assert read_opml(write_opml(feeds)) == [feeds[0], Feed("bare", "http://bare.example/", site="bare")]


def test_write_opml_is_deterministic_and_handles_no_feeds() -> None:
    assert write_opml(FEEDS) == write_opml(FEEDS)
    assert read_opml(write_opml([])) == []
