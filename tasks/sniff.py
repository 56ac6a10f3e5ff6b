"""Sniff stage: what a fetched response really is, judged from status, headers and the body's first bytes.

A 200 is not always what was asked for: bot walls, login pages, error pages and paywalls come back with it too.
These checks run before any parser sees the body, so such responses are stored as what they are instead of as
empty feeds or short articles. Pure functions over status/headers/bytes: no network, and they never raise.
"""

from __future__ import annotations

import re
from enum import StrEnum
from html import unescape
from typing import NamedTuple

from wirehouse.tasks.charset import bom_codec, charset_param, utf16_32_without_bom, web_codec
from wirehouse.tasks.http_types import media_type
from wirehouse.tasks.jsonfeed import JSON_FEED_TYPE, looks_like_json_feed

HEAD_BYTES = 64 * 1024  # markup that tells what a document is stands at its top; the rest is not read
THIN_PAGE_CHARS = 1500  # visible text below this: a wall or an error page, not an article
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


class AccessStatus(StrEnum):
    """How a fetch went, as stored in the warehouse (analysts group by it: keep the values stable)."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    PAYWALLED = "paywalled"
    BOT_CHALLENGE = "bot_challenge"
    FORBIDDEN = "forbidden"
    RATE_LIMITED = "rate_limited"
    ROBOTS_DISALLOWED = "robots_disallowed"
    NOT_HTML = "not_html"
    TOO_LARGE = "too_large"
    TIMEOUT = "timeout"
    BLOCKED_ADDRESS = "blocked_address"
    ERROR = "error"


# Fetch error classes (tasks/fetch.py) and what they mean; those in _WALL_ERRORS look at the body first.
ERROR_STATUSES: dict[str, AccessStatus] = {
    "timeout": AccessStatus.TIMEOUT,
    "deadline": AccessStatus.TIMEOUT,
    "blocked_address": AccessStatus.BLOCKED_ADDRESS,
    "too_large": AccessStatus.TOO_LARGE,
    "http_429": AccessStatus.RATE_LIMITED,
    "http_401": AccessStatus.FORBIDDEN,
    "http_403": AccessStatus.FORBIDDEN,
    "robots_disallowed": AccessStatus.ROBOTS_DISALLOWED,
}

_WALL_ERRORS = frozenset({"http_401", "http_403", "http_5xx"})  # errors whose body may be a bot wall
_FLAGS = re.IGNORECASE


class Marker(NamedTuple):
    """A case-insensitive regex, and words (lower case) of which each of its matches holds one: a page without any
    of them is passed over unsearched. Two dozen such regexes over 64 KB cost more than the rest of sorting a
    page; looking for a few words in the lower-cased text is a tenth of that."""

    pattern: re.Pattern[str]
    hints: tuple[str, ...]

    def found(self, html: str, lower: str) -> bool:
        return any(hint in lower for hint in self.hints) and self.pattern.search(html) is not None


class ChallengeMarkers(NamedTuple):
    """Bot-wall signatures, one per vendor."""

    cloudflare: Marker
    datadome: Marker
    perimeterx: Marker
    akamai: Marker
    imperva: Marker
    generic: Marker


# Found only on the wall itself: they mark a challenge whatever else the page holds.
CHALLENGE_MARKERS = ChallengeMarkers(
    cloudflare=Marker(re.compile(
        r"<title>\s*(?:just a moment(?:\.\.\.|…)|attention required! \| cloudflare)"
        r"|cf[-_]chl[-_]|cf-browser-verification|cdn-cgi/challenge-platform/[^\s\"'<>]{0,16}?(?:orchestrate|chl_)",
        _FLAGS,
    ), ("just a moment", "attention required", "chl", "cf-browser-verification", "challenge-platform")),
    datadome=Marker(re.compile(r"captcha-delivery\.com", _FLAGS), ("captcha-delivery.com",)),
    perimeterx=Marker(re.compile(r"\bid\s*=\s*[\"']?px-captcha|<title>\s*access to this page has been denied", _FLAGS),
                      ("px-captcha", "access to this page has been denied")),
    # Akamai's "Access Denied" page: "Reference&#32;&#35;18&#46;2f3c1402&#46;1700000000&#46;1a2b3c".
    akamai=Marker(re.compile(
        r"errors\.edgesuite\.net|reference(?:\s|&#32;)*(?:#|&#35;)\s*[0-9a-f]+(?:\.|&#46;)[0-9a-f]+", _FLAGS
    ), ("edgesuite.net", "reference")),
    imperva=Marker(re.compile(r"_Incapsula_Resource|Incapsula incident ID|<title>\s*pardon our interruption", _FLAGS),
                   ("incapsula", "pardon our interruption")),
    generic=Marker(re.compile(
        r"<title[^<>]*>\s*(?:captcha|bot verification|human verification|are you a robot\??"
        r"|verify (?:that )?you are (?:a )?human)\s*</title",
        _FLAGS,
    ), ("captcha", "verification", "robot", "human")),
)

# Normal pages carry these too (reCAPTCHA in a comment form, Cloudflare's injected bot-detection script, a
# vendor's tracking tag, an article about CAPTCHAs): they mark a challenge only on a page with almost no text.
THIN_PAGE_CHALLENGE_MARKERS = ChallengeMarkers(
    # Not bare "cdn-cgi/challenge-platform": Cloudflare injects .../scripts/jsd/main.js into ordinary pages,
    # error pages included; the challenge page's own URL (orchestrate/chl_page) is a sure marker above.
    cloudflare=Marker(re.compile(r"challenges\.cloudflare\.com|cf-turnstile", _FLAGS),
                      ("challenges.cloudflare.com", "cf-turnstile")),
    datadome=Marker(re.compile(r"datadome", _FLAGS), ("datadome",)),
    perimeterx=Marker(re.compile(r"_pxAppId|perimeterx|px-cdn\.net|px-cloud\.net", _FLAGS),
                      ("_pxappid", "perimeterx", "px-cdn.net", "px-cloud.net")),
    akamai=Marker(re.compile(r"<title>\s*access denied\s*</title", _FLAGS), ("access denied",)),
    imperva=Marker(re.compile(r"incapsula|imperva", _FLAGS), ("incapsula", "imperva")),
    generic=Marker(re.compile(
        r"g-recaptcha|google\.com/recaptcha|recaptcha/api|h-captcha|hcaptcha\.com"
        r"|<title[^<>]*>[^<]{0,200}?(?:captcha|are you a robot|are you (?:a )?human"
        r"|verify(?:ing)? (?:that )?you are (?:a )?human|checking your browser|security check)",
        _FLAGS,
    ), ("captcha", "robot", "human", "checking your browser", "security check")),
)


class PaywallMarkers(NamedTuple):
    """Site-independent signs that the page withholds its text; one regex each, with its hints."""

    json_ld_not_free: Marker
    microdata_not_free: Marker
    content_tier_locked: Marker
    meta_paywall: Marker
    paywall_class: Marker


_FALSY = r"(?:false|no|0|none|off|free)?"
# Each pattern names a structure (a JSON-LD key, a meta tag, a class token), never a bare word: "Subscribe to our
# newsletter" is on every news page and must not mark one.
PAYWALL_MARKERS = PaywallMarkers(
    # schema.org's paywall markup, at the top level or inside hasPart; publishers write false, "false", "False".
    json_ld_not_free=Marker(re.compile(r"[\"']isAccessibleForFree[\"']\s*:\s*(?:false\b|\"false\")", _FLAGS),
                            ("isaccessibleforfree",)),
    microdata_not_free=Marker(re.compile(
        r"<meta\b(?=[^<>]*\bitemprop\s*=\s*[\"']?isAccessibleForFree\b)(?=[^<>]*\bcontent\s*=\s*[\"']?false\b)",
        _FLAGS,
    ), ("isaccessibleforfree",)),
    # Open Graph's article:content_tier is free, metered or locked; a metered page was served whole.
    content_tier_locked=Marker(re.compile(
        r"<meta\b(?=[^<>]*\bproperty\s*=\s*[\"']?article:content_tier\b)(?=[^<>]*\bcontent\s*=\s*[\"']?locked\b)",
        _FLAGS,
    ), ("content_tier",)),
    # <meta name="...paywall..."> unless its content says there is none (content="false", "no", "0", "").
    meta_paywall=Marker(re.compile(
        r"<meta\b(?=[^<>]*\b(?:name|property)\s*=\s*[\"']?[\w:.-]*paywall)"
        rf"(?![^<>]*\bcontent\s*=\s*(?:\"\s*{_FALSY}\s*\"|'\s*{_FALSY}\s*'|{_FALSY}(?=[\s/>])))",
        _FLAGS,
    ), ("paywall",)),
    # Whole class tokens only: "no-paywall" or "paywall-free" must not count.
    paywall_class=Marker(re.compile(
        r"\bclass\s*=\s*[\"'][^\"'<>]*?(?<![\w-])"
        r"(?:paywall|paywalled|is-paywalled|paywall-(?:overlay|wrapper|container|gate|message|prompt|modal|content)"
        r"|piano-paywall|tp-modal|tp-backdrop|subscribers?-only|subscriber-content|premium-content|premium-only)"
        r"(?![\w-])",
        _FLAGS,
    ), ("paywall", "tp-modal", "tp-backdrop", "subscriber", "premium-")),
)

_LOGIN_FORM = re.compile(
    r"<input\b[^<>]*\btype\s*=\s*[\"']?password\b"
    r"|<form\b[^<>]*\b(?:id|name|class|action)\s*=\s*[\"']?[^\"'<>]*(?:log-?in|sign-?in|wp-login\.php)",
    _FLAGS,
)
# A feed root anywhere in the head: feeds with junk before them (PHP warnings, stray text) are still feeds.
_FEED_TAG = re.compile(r"<(?:[\w.-]+:)?(?:rss|feed|rdf|channel)(?=[\s/>])", _FLAGS)
_HTML_TAG = re.compile(r"<(?:html|head|body)(?=[\s/>])", _FLAGS)
_NAME = re.compile(r"[A-Za-z_][\w.:-]*")
_TAG = re.compile(r"<[^<>]*>")
_HIDDEN_OPEN = re.compile(r"<!--|<(script|style|noscript|template)\b", _FLAGS)

FEED_ROOTS = frozenset({"rss", "feed", "rdf", "channel"})  # local names, compared lower-case (CDF writes CHANNEL)
# First elements that make a document without <html> an HTML page (error pages, fragments, PHP warnings).
_HTML_ELEMENTS = frozenset({
    "html", "head", "body", "title", "meta", "link", "script", "style", "noscript", "div", "span", "p", "br", "hr",
    "b", "i", "a", "h1", "h2", "h3", "h4", "h5", "h6", "center", "table", "pre", "form", "iframe", "img", "ul", "ol",
    "section", "header", "main", "article", "nav", "font",
})

# Binary formats a feed or page URL gets answered with (downloads, images, double-compressed bodies).
_MAGIC = (
    b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"PK\x03\x04", b"PK\x05\x06",
    b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"7z\xbc\xaf\x27\x1c", b"\x28\xb5\x2f\xfd", b"II*\x00", b"MM\x00*",
    b"OggS", b"ID3", b"wOFF", b"wOF2", b"\x00asm", b"%!PS",
)
_RIFF = re.compile(rb"RIFF....(?:WEBP|WAVE|AVI )", re.DOTALL)
_ISO_MEDIA = re.compile(rb"....ftyp", re.DOTALL)  # MP4, MOV, AVIF, HEIC


def _head_text(body: bytes, content_type: str | None) -> str:
    """The first HEAD_BYTES as text, good enough for markup checks (which are all ASCII)."""
    head = body[:HEAD_BYTES]
    bom = bom_codec(head)
    if bom:
        return head[bom[1] :].decode(bom[0], "replace")
    codec = utf16_32_without_bom(head) or web_codec(charset_param(content_type))
    if codec and codec.startswith(("utf-16", "utf-32")):
        return head.decode(codec, "replace")
    return head.decode("utf-8", "replace")


# --- document shape -------------------------------------------------------------------------------------------


class _Prolog(NamedTuple):
    root: str | None  # local name of the first element, lower-case; None when text or nothing comes first
    doctype: str | None  # the DOCTYPE's name, lower-case
    exhausted: bool = False  # nothing but whitespace, comments and declarations: an empty document


def _prolog(text: str) -> _Prolog:
    """Skip whitespace, comments, processing instructions and a DOCTYPE; name the first element."""
    pos, doctype, end = 0, None, len(text)
    while pos < end:
        while pos < end and text[pos].isspace():
            pos += 1
        if text.startswith("<!--", pos):
            close = text.find("-->", pos + 4)
            if close < 0:
                break
            pos = close + 3
        elif text.startswith("<?", pos):
            close = text.find("?>", pos + 2)
            if close < 0:
                break
            pos = close + 2
        elif text.startswith("<!", pos):
            if text[pos + 2 : pos + 9].upper() == "DOCTYPE":
                name = _NAME.match(text[pos + 9 : pos + 200].lstrip())
                doctype = name.group(0).lower() if name else doctype
            close = text.find(">", pos)
            bracket = text.find("[", pos, close) if close >= 0 else -1
            if bracket >= 0:  # an internal subset may hold ">" (in entity values): it ends at "]>"
                subset_end = text.find("]", bracket)
                close = text.find(">", subset_end) if subset_end >= 0 else -1
            if close < 0:
                break
            pos = close + 1
        elif text.startswith("<", pos):
            name = _NAME.match(text, pos + 1)
            return _Prolog(name.group(0).rsplit(":", 1)[-1].lower() if name else None, doctype)
        else:
            break
    return _Prolog(None, doctype, exhausted=pos >= end)


def _visible_chars(html: str) -> int:
    """Characters of text a reader would see: no scripts, styles, comments or tags."""
    lower, parts, pos = html.lower(), [], 0
    while True:  # find() rather than one regex: linear even on unclosed <script> or <!-- in hostile bodies
        opened = _HIDDEN_OPEN.search(lower, pos)
        if not opened:
            parts.append(html[pos:])
            break
        parts.append(html[pos : opened.start()])
        closer = "-->" if opened.group(1) is None else f"</{opened.group(1).lower()}"
        close = lower.find(closer, opened.end())
        if close < 0:
            break
        pos = close + len(closer)
    text = unescape(_TAG.sub(" ", "".join(parts)))
    return len("".join(text.split()))  # split() drops what isspace() calls space, at C speed


def _sure_challenge(html: str, lower: str) -> bool:
    return any(marker.found(html, lower) for marker in CHALLENGE_MARKERS)


def _thin_challenge(html: str, lower: str) -> bool:
    return any(m.found(html, lower) for m in THIN_PAGE_CHALLENGE_MARKERS) and _visible_chars(html) < THIN_PAGE_CHARS


def _is_paywalled(html: str, lower: str) -> bool:
    return any(marker.found(html, lower) for marker in PAYWALL_MARKERS)


def _is_binary(head: bytes, text: str) -> bool:
    stripped = head.lstrip()  # a script's stray newline before the PDF it streams
    for candidate in (head, stripped):
        if candidate.startswith(_MAGIC) or _RIFF.match(candidate) or _ISO_MEDIA.match(candidate):
            return True
    return "\0" in text


def _looks_html(text: str, prolog: _Prolog) -> bool:
    if prolog.doctype == "html" or prolog.root in _HTML_ELEMENTS:
        return True
    # Another first element is XML of another kind (OPML has a <head> and a <body> too); text first is junk
    # before the markup.
    return prolog.root is None and bool(_HTML_TAG.search(text[:4096]))


def _html_reason(text: str, lower: str) -> str:
    """"bot_challenge", "login_wall" or "html_page" for an HTML document (lower: the text, lower-cased)."""
    if _sure_challenge(text, lower):
        return "bot_challenge"
    # Before the thin-page markers: a login page often carries a reCAPTCHA, and is no bot wall.
    if _LOGIN_FORM.search(text):
        return "login_wall"
    if _thin_challenge(text, lower):
        return "bot_challenge"
    return "html_page"


# --- feeds ----------------------------------------------------------------------------------------------------


def _feed_reason(body: bytes, content_type: str | None) -> str | None:
    head = body[:HEAD_BYTES]
    text = _head_text(head, content_type)
    if not text.strip() or not head.strip():
        return "empty"
    if _is_binary(head, text):
        return "binary"
    prolog = _prolog(text)
    if prolog.exhausted:
        return "empty"
    if prolog.root in FEED_ROOTS:
        return None  # whatever the Content-Type says: text/html feeds are common
    if prolog.root == "html" or prolog.doctype == "html":
        return _html_reason(text, text.lower())
    feed_tag = _FEED_TAG.search(text)
    html_tag = _HTML_TAG.search(text)
    if feed_tag and (not html_tag or feed_tag.start() < html_tag.start()):
        return None  # a feed after junk (PHP warnings, a stray line): feedparser reads it, flagged bozo
    if _looks_html(text, prolog):
        return _html_reason(text, text.lower())
    if text.lstrip().startswith("{"):
        # The body must name a jsonfeed.org version unless served as JSON Feed's own type: application/json is also
        # what APIs send errors as (`looks_like_json_feed` trusts it: it only picks a parser). The head goes in as
        # decoded above, whatever UTF it came in.
        named = looks_like_json_feed(text.encode("utf-8", "replace"), None)
        return None if named or media_type(content_type) == JSON_FEED_TYPE else "not_feed"
    if prolog.root is None and media_type(content_type) in HTML_TYPES:
        return "html_page"  # plain text served as HTML: an error message
    return "not_feed"


def sniff_feed_body(body: bytes, content_type: str | None) -> str | None:
    """None when a 200 response's body plausibly is a feed (RSS, Atom, RDF, CDF, JSON Feed); else why not.

    Reasons: "empty", "binary", "bot_challenge", "login_wall", "html_page", and "not_feed" for anything else
    (JSON that is no JSON Feed, XML with another root such as OPML or a sitemap, plain text). Reads only the
    first HEAD_BYTES; never raises.
    """
    try:
        return _feed_reason(bytes(body or b""), content_type)
    except Exception:  # a last guard: hostile bytes must not stop a feed run
        return "not_feed"


# --- pages ----------------------------------------------------------------------------------------------------


def _page_status(status: int | None, content_type: str | None, body: bytes, error: str | None) -> AccessStatus:
    if error:
        # Bot walls answer 403 (Cloudflare, Akamai, DataDome), 401 or 503 (Cloudflare's JS check): the body says.
        if error in _WALL_ERRORS:
            text = _head_text(body, content_type)
            if _html_reason(text, text.lower()) == "bot_challenge":
                return AccessStatus.BOT_CHALLENGE
        return ERROR_STATUSES.get(error, AccessStatus.ERROR)
    if status == 304:
        return AccessStatus.NOT_MODIFIED
    if status is None or not 200 <= status < 300:
        return AccessStatus.ERROR
    declared = media_type(content_type)
    if declared and declared not in HTML_TYPES:
        return AccessStatus.NOT_HTML
    head = body[:HEAD_BYTES]
    text = _head_text(head, content_type)
    if not head.strip() or not text.strip():
        return AccessStatus.ERROR  # a 2xx with nothing in it: the server failed, the page may come back
    if _is_binary(head, text) or (not declared and not _looks_html(text, _prolog(text))):
        return AccessStatus.NOT_HTML
    lower = text.lower()  # once, for both: every marker looks for its words in it
    if _html_reason(text, lower) == "bot_challenge":
        return AccessStatus.BOT_CHALLENGE
    if _is_paywalled(text, lower):
        return AccessStatus.PAYWALLED
    return AccessStatus.OK


def classify_page(status: int | None, content_type: str | None, body: bytes | None, error: str | None) -> AccessStatus:
    """What fetching an article page gave, from a FetchResult's status_code, content_type, body and error."""
    try:
        return _page_status(status, content_type, bytes(body or b""), error)
    except Exception:  # a last guard: classification must not stop a run
        return AccessStatus.ERROR
