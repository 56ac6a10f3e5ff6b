"""Small HTTP vocabulary shared by the feed, discovery and page tasks: media types and fetchable URLs.

Both take values straight from the web (headers, feed fields, href attributes), so both are total: odd input gives
"" or False, never an exception.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def media_type(content_type: str | None) -> str:
    """The type/subtype of a Content-Type value, lower-case and without parameters: "text/html" from
    "Text/HTML; charset=UTF-8"; "" when there is none."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_http_url(url: str) -> bool:
    """Whether `url` is an absolute http(s) URL (scheme in any case) with a host; callers strip it first."""
    # The scheme as written, not as urlsplit forgives it (spaces or controls before it, a tab inside it): URLs are
    # stored and compared as text, and the feed list checks the prefix.
    if not url[:8].lower().startswith(("http://", "https://")):
        return False
    try:
        # hostname, not netloc: "http://user@/" and "http://:80/" have a netloc but nothing to connect to.
        return bool(urlsplit(url).hostname)
    except ValueError:  # unparseable netlocs such as "http://[::1/x"
        return False
