"""Feed autodiscovery: which feed URLs a homepage declares or links to, and which paths are worth probing.

Pure functions over a page's HTML; fetching the page and probing the candidates is the caller's job.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree

from wirehouse.tasks.http_types import is_http_url, media_type

# Where feeds live by convention when a page declares none: WordPress, Blogger, Hugo, Jekyll, Ghost, static sites.
COMMON_FEED_PATHS: tuple[str, ...] = (
    "/feed",
    "/feed/",
    "/rss",
    "/rss.xml",
    "/atom.xml",
    "/feed.xml",
    "/index.xml",
    "/feeds/posts/default",
    "/?feed=rss2",
    "/feed.json",
)

# <link rel="alternate" type=...> values that announce a feed (text/xml: old RSS 0.9x sites still say so).
FEED_TYPES = frozenset({
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "text/xml",
})

# A path segment that names a feed: /rss, /rss2, /rss.xml, /feed/, /feeds/…, but not /feedback or /rss-guide.
_FEED_SEGMENT = re.compile(r"/(?:rss|feeds?)\d*(?:\.[a-z]+)?(?:/|$)")
# WordPress announces its REST API as rel=alternate type=application/json on every page: not a feed.
_API_PATH = re.compile(r"/wp-json(?:/|$)|[?&]rest_route=")
# "Subscribe in Feedly/Inoreader" links wrap the feed URL in their own: they are reader pages, not feeds.
_WRAPPED_URL = re.compile(r"https?(?::|%3a)", re.IGNORECASE)


def _parse_html(html: str | bytes) -> etree._Element | None:
    """The document, or None when lxml cannot make one (empty input, an encoding libxml2 does not know)."""
    if isinstance(html, str):
        # lxml refuses str that carries an XML encoding declaration; as UTF-8 bytes with the encoding stated it won't.
        attempts = [(html.encode("utf-8", "replace"), "utf-8")]
    else:
        attempts = [(html, None), (html.decode("utf-8", "replace").encode("utf-8"), "utf-8")]
    for data, encoding in attempts:
        try:
            return lxml.html.document_fromstring(data, parser=lxml.html.HTMLParser(encoding=encoding))
        except (etree.LxmlError, ValueError, LookupError):
            continue
    return None


def _absolute(href: str, base: str) -> str | None:
    """`href` resolved against `base`, without fragment, when it is an http(s) URL with a host."""
    href = href.strip()
    # The old feed: pseudo-scheme: feed://host/rss means http, feed:https://host/rss wraps a URL.
    if href[:5].lower() == "feed:":
        rest = href[5:]
        href = rest if rest[:4].lower() == "http" else "http:" + rest
    try:
        url = urldefrag(urljoin(base, href)).url
    except ValueError:  # urljoin splits both URLs: an unparseable netloc such as "http://[::1"
        return None
    return url if is_http_url(url) else None


def _rel_tokens(value: str | None) -> set[str]:
    return set((value or "").lower().split())


def _is_comment_feed(label: str | None, url: str) -> bool:
    """WordPress and others announce a comments feed next to the posts feed; it holds no articles."""
    return "comments" in (label or "").lower() or "/comments/feed" in urlsplit(url).path.lower()


def _looks_like_feed_url(url: str) -> bool:
    parts = urlsplit(url)
    path = parts.path.lower()
    if _WRAPPED_URL.search(url, len(parts.scheme) + 3):
        return False
    path_query = f"{path}?{parts.query.lower()}" if parts.query else path
    return (
        any(path_query.endswith(common) for common in COMMON_FEED_PATHS)
        or _FEED_SEGMENT.search(path) is not None
        or (parts.hostname or "").startswith("feeds.")  # feeds.feedburner.com/Name and the like
    )


def _dedupe(urls: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(urls))


def discover_feeds(html: str | bytes, page_url: str) -> list[str]:
    """Feed URLs a page offers, best first: declared `<link rel=alternate>` feeds, then feed-looking `<a>` links.

    Relative URLs resolve against `<base href>` when there is one, else `page_url`. Comments feeds are dropped
    when anything else is found. Broken or empty HTML gives [], never an exception.
    """
    root = _parse_html(html)
    if root is None:
        return []
    base = page_url
    for element in root.iter("base"):
        href = element.get("href")
        if href and (resolved := _absolute(href, page_url)):
            base = resolved
            break  # the first <base href> is the one browsers use
    declared: list[tuple[str, bool]] = []
    linked: list[tuple[str, bool]] = []
    for element in root.iter("link", "a"):
        href = element.get("href")
        if not href or not (url := _absolute(href, base)):
            continue
        if element.tag == "link":
            feed_type = media_type(element.get("type")) in FEED_TYPES
            announced = feed_type and "alternate" in _rel_tokens(element.get("rel"))
            if announced and not _API_PATH.search(url):
                declared.append((url, _is_comment_feed(element.get("title"), url)))
        elif _looks_like_feed_url(url):
            linked.append((url, _is_comment_feed(element.get("title") or element.text_content(), url)))
    candidates = declared + linked
    if any(not is_comment for _, is_comment in candidates):
        candidates = [(url, is_comment) for url, is_comment in candidates if not is_comment]
    return _dedupe(url for url, _ in candidates)


def probe_urls(page_url: str) -> list[str]:
    """COMMON_FEED_PATHS on the site root of `page_url`, in order; ValueError when it is not an http(s) URL."""
    url = page_url.strip()
    if not is_http_url(url):
        raise ValueError(f"not an http(s) URL: {page_url!r}")
    parts = urlsplit(url)  # the scheme comes back lower-case
    return [f"{parts.scheme}://{parts.netloc}{path}" for path in COMMON_FEED_PATHS]
