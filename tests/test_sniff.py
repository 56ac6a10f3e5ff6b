"""Sniffing responses before a parser sees them: feeds that are not feeds, walls, paywalls, charsets."""

from __future__ import annotations

import codecs
import gzip
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SHARED
from wirehouse.tasks.charset import decode_body
from wirehouse.tasks.sniff import AccessStatus, classify_page, sniff_feed_body

SUITE = SHARED / "eval" / "feedparser-suite"

# --- realistic bodies -----------------------------------------------------------------------------------------

CLOUDFLARE_CHALLENGE = b"""<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta http-equiv="X-UA-Compatible" content="IE=Edge">
<meta name="robots" content="noindex,nofollow"><meta name="viewport" content="width=device-width,initial-scale=1">
<style>*{box-sizing:border-box;margin:0;padding:0}html{line-height:1.15}</style>
<meta http-equiv="refresh" content="390">
</head><body class="no-js"><div class="main-wrapper" role="main"><div class="main-content">
<noscript><div id="challenge-error-title"><div class="h2"><span id="challenge-error-text">
Enable JavaScript and cookies to continue</span></div></div></noscript></div></div>
<script>(function(){window._cf_chl_opt={cvId: '3',cZone: "news.example.com",cType: 'managed',cRay: '8a1b2c3d4e5f6789',
cUPMDTk: "\\/feed\\/?__cf_chl_tk=abc-1720000000-0-gaNycGzNDWU",fa: "\\/feed\\/?__cf_chl_f_tk=abc"};
var cpo = document.createElement('script');
cpo.src = '/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1?ray=8a1b2c3d4e5f6789';
document.getElementsByTagName('head')[0].appendChild(cpo);}());</script></body></html>
"""

CLOUDFLARE_BLOCK = b"""<!DOCTYPE html>
<!--[if lt IE 7]> <html class="no-js ie6 oldie" lang="en-US"> <![endif]-->
<!--[if gt IE 8]><!--> <html class="no-js" lang="en-US"> <!--<![endif]-->
<head>
<title>Attention Required! | Cloudflare</title>
<meta charset="UTF-8" />
<link rel="stylesheet" id="cf_styles-css" href="/cdn-cgi/styles/cf.errors.css" />
</head>
<body>
  <div id="cf-wrapper">
    <div id="cf-error-details" class="cf-error-details-wrapper">
      <h1 data-translate="block_headline">Sorry, you have been blocked</h1>
      <h2 class="cf-subheadline">You are unable to access example.com</h2>
      <p>This website is using a security service to protect itself from online attacks.</p>
      <span>Cloudflare Ray ID: <strong class="font-semibold">8a1b2c3d4e5f6789</strong></span>
    </div>
  </div>
</body>
</html>
"""

DATADOME = b"""<html><head><title>news.example.com</title><style>#cmsg{animation: A 1.5s;}@keyframes A{0%{opacity:0;}
99%{opacity:0;}100%{opacity:1;}}</style></head><body style="margin:0"><p id="cmsg">Please enable JS and disable any ad
blocker</p><script data-cfasync="false">var dd={'rt':'c','cid':'AHrlqAAAAAMAx0','hsh':'2211F522B61E269B869FA6EAFFB5E1',
't':'fe','s':17434,'e':'c2e8a','host':'geo.captcha-delivery.com'}</script>
<script data-cfasync="false" src="https://ct.captcha-delivery.com/c.js"></script></body></html>
"""

PERIMETERX = b"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Access to this page has been denied</title>
</head><body><section class="container"><div class="page-title-wrapper"><div class="page-title">
<h1 class="page-title">Access to this page has been denied</h1></div></div><div class="content-wrapper">
<div class="content"><div id="px-captcha"></div><p>Press &amp; Hold to confirm you are a human (and not a bot).</p>
</div></div></section><script>window._pxAppId = 'PXa1b2c3d4';window._pxJsClientSrc = '/a1b2c3d4/init.js';</script>
<script src="/a1b2c3d4/captcha/captcha.js?a=c&u=5b0a&v=&m=0"></script></body></html>
"""

AKAMAI = b"""<HTML><HEAD>
<TITLE>Access Denied</TITLE>
</HEAD><BODY>
<H1>Access Denied</H1>

You don't have permission to access "http&#58;&#47;&#47;www&#46;example&#46;com&#47;rss&#47;news&#46;xml"
on this server.<P>
Reference&#32;&#35;18&#46;2f3c1402&#46;1700000000&#46;1a2b3c4d
<P>https&#58;&#47;&#47;errors&#46;edgesuite&#46;net&#47;18&#46;2f3c1402&#46;1700000000&#46;1a2b3c4d</P>
</BODY>
</HTML>
"""

RECAPTCHA_PAGE = b"""<!doctype html><html><head><meta charset="utf-8"><title>Security check</title>
<script src="https://www.google.com/recaptcha/api.js" async defer></script></head>
<body><h1>One more step</h1><p>Please complete the security check to access news.example.com.</p>
<form action="/__verify" method="post"><div class="g-recaptcha" data-sitekey="6LcAbCdEfGhIjKlMnOp"></div>
<button type="submit">Continue</button></form></body></html>
"""

HCAPTCHA_PAGE = b"""<!DOCTYPE html><html><head><title>Verify you are human</title>
<script src="https://js.hcaptcha.com/1/api.js" async defer></script></head><body>
<form method="POST"><div class="h-captcha" data-sitekey="10000000-ffff-ffff-ffff-000000000001"></div>
<input type="submit" value="Submit"></form></body></html>
"""

WORDPRESS_LOGIN = b"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<title>Log In &lsaquo; Example News &#8212; WordPress</title>
<meta name='robots' content='max-image-preview:large, noindex, noarchive' />
<link rel='stylesheet' id='login-css' href='https://news.example.com/wp-admin/css/login.min.css?ver=6.5.2'
 media='all' />
<script src="https://www.google.com/recaptcha/api.js?render=6LcAbCdEf" id="recaptcha-js"></script>
</head>
<body class="login no-js login-action-login wp-core-ui  locale-en-us">
<div id="login">
<h1><a href="https://wordpress.org/">Powered by WordPress</a></h1>
<form name="loginform" id="loginform" action="https://news.example.com/wp-login.php" method="post">
<p><label for="user_login">Username or Email Address</label>
<input type="text" name="log" id="user_login" class="input" value="" size="20" autocomplete="username" /></p>
<div class="user-pass-wrap"><label for="user_pass">Password</label>
<div class="wp-pwd">
<input type="password" name="pwd" id="user_pass" class="input password-input" value="" size="20" />
</div></div>
<p class="submit"><input type="submit" name="wp-submit" id="wp-submit" class="button button-primary" value="Log In" />
<input type="hidden" name="redirect_to" value="https://news.example.com/wp-admin/" /></p>
</form>
<p id="nav"><a href="https://news.example.com/wp-login.php?action=lostpassword">Lost your password?</a></p>
</div>
</body>
</html>
"""

# Email-first sign-in: no password field on the first page, but a login form.
SSO_LOGIN = b"""<!DOCTYPE html><html><head><title>Sign in | Example Media</title></head><body>
<form id="signin-form" action="/account/signin" method="post"><label>Email <input type="email" name="email"></label>
<button>Next</button></form></body></html>"""

NOT_FOUND_404 = b"""<!DOCTYPE html>
<html lang="en-US">
<head><meta charset="UTF-8"><title>Page not found &#8211; Example News</title>
<link rel="alternate" type="application/rss+xml" title="Example News &raquo; Feed"
 href="https://news.example.com/feed/" />
</head>
<body class="error404">
<header><nav><a href="/">Home</a> <a href="/politics/">Politics</a> <a href="/sport/">Sport</a></nav></header>
<main><h1>Oops! That page can&rsquo;t be found.</h1>
<p>It looks like nothing was found at this location. Maybe try a search?</p>
<form role="search" method="get" action="https://news.example.com/"><input type="search" name="s"></form></main>
<footer><p>Subscribe to our newsletter</p></footer>
</body>
</html>
"""

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages >>\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xdb\x00C\x00\x08\x06\x06"

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="/feed.xsl"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>Example News</title>
<link>https://news.example.com/</link>
<description>Latest headlines</description>
<item>
<title>Council approves new tram line</title>
<link>https://news.example.com/2024/05/tram</link>
<description><![CDATA[<p>The council voted 31 to 12 in favour. <a href="/subscribe">Subscribe</a></p>]]></description>
<pubDate>Mon, 06 May 2024 09:30:00 +0000</pubDate>
</item>
</channel>
</rss>
"""

GZIPPED_RSS = gzip.compress(RSS)

ATOM_WITH_BOM_AND_COMMENT = codecs.BOM_UTF8 + b"""
<!-- generator="Example CMS 4.2" -->
<!-- cached 2024-05-06T09:30:00Z -->
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Example News</title>
  <id>tag:news.example.com,2024:feed</id>
  <updated>2024-05-06T09:30:00Z</updated>
  <entry><title>Caf\xc3\xa9 reopens</title>
    <id>tag:news.example.com,2024:1</id><updated>2024-05-06T09:30:00Z</updated></entry>
</feed>
"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="https://news.example.com/"><title>Example News</title></channel>
</rdf:RDF>
"""

RSS_WITH_DOCTYPE = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
  "http://my.netscape.com/publish/formats/rss-0.91.dtd" [ <!ENTITY copy "&#169;"> <!ENTITY gt2 ">"> ]>
<rss version="0.91"><channel><title>Caf\xe9 News &copy;</title></channel></rss>
"""

# A PHP warning printed before the feed: feedparser still reads it (bozo), so it is a feed.
RSS_AFTER_PHP_WARNING = b"""<br />
<b>Warning</b>:  Undefined variable $post in <b>/var/www/wp-content/plugins/seo/feed.php</b> on line <b>42</b><br />
""" + RSS

# Feed items may talk about anything, CAPTCHAs and logins included.
RSS_ABOUT_CAPTCHAS = RSS.replace(
    b"Council approves new tram line", b"Just a moment... why CAPTCHA and g-recaptcha walls are everywhere"
).replace(b"<description>Latest", b'<description>&lt;input type="password"&gt; Latest')

JSON_FEED = b"""{
  "version": "https://jsonfeed.org/version/1.1",
  "title": "Example News",
  "home_page_url": "https://news.example.com/",
  "feed_url": "https://news.example.com/feed.json",
  "items": [{"id": "1", "url": "https://news.example.com/2024/05/tram", "content_text": "The council voted."}]
}"""
# PHP's json_encode escapes slashes by default.
JSON_FEED_PHP = b'{"version":"https:\\/\\/jsonfeed.org\\/version\\/1.1","title":"PHP","items":[]}'

XHTML_PAGE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Example News</title></head>
<body><p>Our feed has moved.</p></body></html>
"""

OPML = b"""<?xml version="1.0"?><opml version="2.0"><head><title>Subscriptions</title></head>
<body><outline text="Example" type="rss" xmlUrl="https://news.example.com/feed"/></body></opml>"""
SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://news.example.com/</loc></url></urlset>"""
JSON_ERROR = b'{"error": "rate limit exceeded", "retry_after": 60}'

_PARAGRAPH = (
    "<p>The city council approved the long-debated tram extension on Monday evening, ending a two-year dispute "
    "between residents of the eastern districts and the transport authority. The line will run from the central "
    "station to the university campus, with eleven new stops along the way.</p>\n"
)


def article(head: str = "", body_attrs: str = "", before_text: str = "", footer: str = "") -> bytes:
    """A news article page of ordinary length, with pieces put where sites put them."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Council approves tram extension | Example News</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="canonical" href="https://news.example.com/2024/05/tram">
{head}
</head><body{body_attrs}>
<header><a href="/">Example News</a><nav><a href="/politics/">Politics</a><a href="/sport/">Sport</a></nav></header>
<main><article><h1>Council approves tram extension</h1>
{before_text}
{_PARAGRAPH * 8}
</article></main>
<footer>{footer}<p>&copy; 2024 Example News</p></footer>
</body></html>
""".encode()


NEWSLETTER_FOOTER = (
    '<div class="newsletter"><h3>Subscribe to our newsletter</h3><form action="/newsletter" method="post">'
    '<input type="email" name="email"><div class="g-recaptcha" data-sitekey="6LcAbC"></div>'
    "<button>Subscribe</button></form></div>"
)
NEWS_ARTICLE_JSON_LD = """<script type="application/ld+json">
{{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Council approves tram extension",
  "datePublished": "2024-05-06T09:30:00Z", "author": {{"@type": "Person", "name": "A. Reporter"}},
  "isAccessibleForFree": {free}{has_part}}}
</script>"""
HAS_PART = (
    ',\n  "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": false, "cssSelector": ".article-body"}'
)


def json_ld(free: str, has_part: str = "") -> str:
    return NEWS_ARTICLE_JSON_LD.format(free=free, has_part=has_part)


PAYWALLED_JSON_LD = article(head=json_ld("false", HAS_PART))
ARTICLE = article(footer=NEWSLETTER_FOOTER)

# --- sniff_feed_body ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        pytest.param(RSS, "application/rss+xml", None, id="rss"),
        pytest.param(RSS, "text/html; charset=UTF-8", None, id="rss-served-as-html"),
        pytest.param(ATOM_WITH_BOM_AND_COMMENT, "application/atom+xml", None, id="atom-bom-comments"),
        pytest.param(RDF, "application/rdf+xml", None, id="rdf"),
        pytest.param(RSS_WITH_DOCTYPE, "text/xml", None, id="rss-doctype-internal-subset"),
        pytest.param(RSS_AFTER_PHP_WARNING, "text/html", None, id="rss-after-php-warning"),
        pytest.param(RSS_ABOUT_CAPTCHAS, "application/rss+xml", None, id="rss-mentioning-walls"),
        pytest.param(b"<CHANNEL HREF='http://example.org/'><TITLE>x</TITLE></CHANNEL>", None, None, id="cdf"),
        pytest.param(b"\n\n  <r:rss xmlns:r='x'><r:channel/></r:rss>", None, None, id="prefixed-root"),
        pytest.param(RSS.decode().encode("utf-16"), "text/xml", None, id="utf16-bom"),
        pytest.param(RSS.decode().replace("UTF-8", "UTF-16").encode("utf-16-le"), None, None, id="utf16le-no-bom"),
        pytest.param(RSS.decode().encode("utf-32-be"), None, None, id="utf32be-no-bom"),
        pytest.param(JSON_FEED, "application/feed+json", None, id="json-feed"),
        pytest.param(JSON_FEED, "text/plain", None, id="json-feed-as-text"),
        pytest.param(JSON_FEED_PHP, "application/json", None, id="json-feed-escaped-slashes-as-json"),
        pytest.param(JSON_FEED_PHP, "text/plain", None, id="json-feed-escaped-slashes-as-text"),
        pytest.param(JSON_FEED_PHP, None, None, id="json-feed-escaped-slashes-untyped"),
        pytest.param(JSON_FEED.decode().encode("utf-16"), None, None, id="json-feed-utf16-bom"),
        pytest.param(JSON_FEED.decode().encode("utf-16-le"), None, None, id="json-feed-utf16le-no-bom"),
        pytest.param(JSON_ERROR, "application/feed+json", None, id="json-typed-as-json-feed"),
        pytest.param(CLOUDFLARE_CHALLENGE, "text/html; charset=UTF-8", "bot_challenge", id="cloudflare-challenge"),
        pytest.param(CLOUDFLARE_BLOCK, "text/html", "bot_challenge", id="cloudflare-attention-required"),
        pytest.param(DATADOME, "text/html;charset=utf-8", "bot_challenge", id="datadome"),
        pytest.param(PERIMETERX, "text/html", "bot_challenge", id="perimeterx"),
        pytest.param(AKAMAI, "text/html", "bot_challenge", id="akamai-reference"),
        pytest.param(RECAPTCHA_PAGE, "text/html", "bot_challenge", id="recaptcha"),
        pytest.param(HCAPTCHA_PAGE, "text/html", "bot_challenge", id="hcaptcha"),
        pytest.param(WORDPRESS_LOGIN, "text/html; charset=UTF-8", "login_wall", id="wordpress-login"),
        pytest.param(SSO_LOGIN, "text/html", "login_wall", id="email-first-sign-in"),
        pytest.param(NOT_FOUND_404, "text/html", "html_page", id="404-page"),
        pytest.param(ARTICLE, "text/html", "html_page", id="article-page"),
        pytest.param(XHTML_PAGE, "application/xml", "html_page", id="xml-declared-xhtml"),
        pytest.param(b"<div class='error'>Feed temporarily unavailable</div>", None, "html_page", id="html-fragment"),
        pytest.param(b"Service temporarily unavailable", "text/html", "html_page", id="text-as-html"),
        pytest.param(b"", "application/rss+xml", "empty", id="empty"),
        pytest.param(b" \r\n\t \n", "application/rss+xml", "empty", id="whitespace"),
        pytest.param(codecs.BOM_UTF8 + b"\n\n", "text/xml", "empty", id="bom-only"),
        pytest.param(b'<?xml version="1.0"?>\n<!-- nothing here -->\n', "text/xml", "empty", id="prolog-only"),
        pytest.param(PDF, "application/rss+xml", "binary", id="pdf"),
        pytest.param(b"\r\n" + PDF, "text/html", "binary", id="pdf-after-newline"),
        pytest.param(GZIPPED_RSS, "application/rss+xml", "binary", id="gzip-magic"),
        pytest.param(PNG, "image/png", "binary", id="png"),
        pytest.param(JPEG, None, "binary", id="jpeg"),
        pytest.param(b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "application/zip", "binary", id="zip"),
        pytest.param(b"<rss>\x00\x01\x02\x03garbage\x00", None, "binary", id="nul-after-feed-root"),
        pytest.param(b"garbage\x00\x01\x02\x03<rss>", None, "binary", id="nul-bytes"),
        pytest.param(OPML, "text/xml", "not_feed", id="opml"),
        pytest.param(SITEMAP, "application/xml", "not_feed", id="sitemap"),
        pytest.param(JSON_ERROR, "application/json", "not_feed", id="json-error"),
        pytest.param(b"Rate limit exceeded. Try again later.", "text/plain", "not_feed", id="plain-text"),
    ],
)
def test_sniff_feed_body(body: bytes, content_type: str | None, expected: str | None) -> None:
    assert sniff_feed_body(body, content_type) == expected


def test_json_feeds_have_one_detector_and_no_import_cycle() -> None:
    # sniff uses jsonfeed's detector; jsonfeed must stay importable on its own, without sniff.
    code = "import sys, wirehouse.tasks.jsonfeed; assert 'wirehouse.tasks.sniff' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_sniff_feed_body_reads_only_the_head() -> None:
    # A feed root past the first 64 KB is not looked for: junk that long is no feed.
    assert sniff_feed_body(b"x" * 70_000 + RSS, None) == "not_feed"
    assert sniff_feed_body(RSS + b"<!-- pad -->" * 20_000, None) is None


# --- the feedparser suite -------------------------------------------------------------------------------------

_HEADER_CONTENT_TYPE = re.compile(r"^Header:\s*Content-type:\s*(.*?)\s*$", re.IGNORECASE | re.MULTILINE)
# Files in the suite that are no feed, and what sniff_feed_body says about them.
SUITE_NOT_FEEDS: dict[str, str] = {}


def _suite_files(folder: str) -> list[Path]:
    return sorted(p for p in (SUITE / folder).rglob("*") if p.is_file())


def _suite_content_type(body: bytes) -> str | None:
    """The Content-Type the suite's own server would send, from the file's header comment."""
    match = _HEADER_CONTENT_TYPE.search(body[:2000].decode("latin-1"))
    return match.group(1) if match else None


def test_feedparser_wellformed_suite_is_judged_feeds() -> None:
    files = _suite_files("wellformed")
    assert len(files) > 1000
    verdicts = {str(p.relative_to(SUITE)): sniff_feed_body(p.read_bytes(), _suite_content_type(p.read_bytes()))
                for p in files}
    not_feeds = {name: reason for name, reason in verdicts.items() if reason is not None}
    assert not_feeds == SUITE_NOT_FEEDS


@pytest.mark.parametrize("folder", ["illformed", "encoding", "entities", "json"])
def test_feedparser_suite_never_raises(folder: str) -> None:
    files = _suite_files(folder)
    assert files
    for path in files:
        body = path.read_bytes()
        reason = sniff_feed_body(body, _suite_content_type(body))
        assert reason in (None, "empty", "binary", "bot_challenge", "login_wall", "html_page", "not_feed"), path
        # Truncated bodies (a cut connection) must not raise either.
        for size in (1, 7, len(body) // 2):
            sniff_feed_body(body[:size], None)


def test_feedparser_encoding_suite_is_judged_feeds() -> None:
    # UTF-16/32 with and without BOM, legacy CJK encodings, charsets from headers: all still feeds.
    verdicts = {p.name: sniff_feed_body(p.read_bytes(), _suite_content_type(p.read_bytes()))
                for p in _suite_files("encoding")}
    assert {name: reason for name, reason in verdicts.items() if reason is not None} == {}


# --- classify_page --------------------------------------------------------------------------------------------

HTML = "text/html; charset=utf-8"


@pytest.mark.parametrize(
    ("status", "content_type", "body", "error", "expected"),
    [
        # Fetch errors (tasks/fetch.py) say it all.
        pytest.param(None, None, None, "timeout", AccessStatus.TIMEOUT, id="timeout"),
        pytest.param(None, None, None, "deadline", AccessStatus.TIMEOUT, id="deadline"),
        pytest.param(None, None, None, "blocked_address", AccessStatus.BLOCKED_ADDRESS, id="blocked-address"),
        pytest.param(None, None, None, "too_large", AccessStatus.TOO_LARGE, id="too-large"),
        pytest.param(None, None, None, "robots_disallowed", AccessStatus.ROBOTS_DISALLOWED, id="robots"),
        pytest.param(None, None, None, "connect_error", AccessStatus.ERROR, id="connect-error"),
        pytest.param(None, None, None, "dns_error", AccessStatus.ERROR, id="dns-error"),
        pytest.param(None, None, None, "too_many_redirects", AccessStatus.ERROR, id="redirects"),
        pytest.param(429, HTML, b"<html><body>Too many requests</body></html>", "http_429", AccessStatus.RATE_LIMITED,
                     id="429"),
        pytest.param(429, HTML, CLOUDFLARE_CHALLENGE, "http_429", AccessStatus.RATE_LIMITED, id="429-stays-rate"),
        pytest.param(403, HTML, b"<html><h1>403 Forbidden</h1><hr>nginx</html>", "http_403", AccessStatus.FORBIDDEN,
                     id="403-nginx"),
        pytest.param(403, None, None, "http_403", AccessStatus.FORBIDDEN, id="403-no-body"),
        pytest.param(401, HTML, b"<html><body>Unauthorized</body></html>", "http_401", AccessStatus.FORBIDDEN,
                     id="401"),
        pytest.param(403, HTML, CLOUDFLARE_CHALLENGE, "http_403", AccessStatus.BOT_CHALLENGE, id="403-cloudflare"),
        pytest.param(403, HTML, CLOUDFLARE_BLOCK, "http_403", AccessStatus.BOT_CHALLENGE, id="403-cf-block"),
        pytest.param(403, HTML, DATADOME, "http_403", AccessStatus.BOT_CHALLENGE, id="403-datadome"),
        pytest.param(403, HTML, PERIMETERX, "http_403", AccessStatus.BOT_CHALLENGE, id="403-perimeterx"),
        pytest.param(403, "text/html", AKAMAI, "http_403", AccessStatus.BOT_CHALLENGE, id="403-akamai"),
        pytest.param(401, HTML, RECAPTCHA_PAGE, "http_401", AccessStatus.BOT_CHALLENGE, id="401-captcha"),
        pytest.param(503, HTML, CLOUDFLARE_CHALLENGE, "http_5xx", AccessStatus.BOT_CHALLENGE, id="503-cloudflare"),
        pytest.param(503, HTML, b"<html><body>Service Unavailable</body></html>", "http_5xx", AccessStatus.ERROR,
                     id="503"),
        pytest.param(404, HTML, NOT_FOUND_404, "http_404", AccessStatus.ERROR, id="404"),
        pytest.param(410, HTML, b"Gone", "http_410", AccessStatus.ERROR, id="410"),
        # Responses.
        pytest.param(304, None, b"", None, AccessStatus.NOT_MODIFIED, id="304"),
        pytest.param(None, None, None, None, AccessStatus.ERROR, id="no-response"),
        pytest.param(200, HTML, ARTICLE, None, AccessStatus.OK, id="article-newsletter-footer"),
        pytest.param(200, "application/xhtml+xml", ARTICLE, None, AccessStatus.OK, id="xhtml-type"),
        pytest.param(200, None, ARTICLE, None, AccessStatus.OK, id="no-type-html-body"),
        pytest.param(203, "TEXT/HTML", ARTICLE, None, AccessStatus.OK, id="203-upper-case-type"),
        pytest.param(200, "application/pdf", PDF, None, AccessStatus.NOT_HTML, id="pdf"),
        pytest.param(200, None, PDF, None, AccessStatus.NOT_HTML, id="no-type-pdf"),
        pytest.param(200, "text/html", PDF, None, AccessStatus.NOT_HTML, id="pdf-served-as-html"),
        pytest.param(200, "text/html", GZIPPED_RSS, None, AccessStatus.NOT_HTML, id="gzip-served-as-html"),
        pytest.param(200, "image/jpeg", JPEG, None, AccessStatus.NOT_HTML, id="jpeg"),
        pytest.param(200, "application/json", JSON_ERROR, None, AccessStatus.NOT_HTML, id="json"),
        pytest.param(200, "text/plain", b"Hello", None, AccessStatus.NOT_HTML, id="text-plain"),
        pytest.param(200, None, b"Plain words, no markup.", None, AccessStatus.NOT_HTML, id="no-type-text"),
        pytest.param(200, HTML, b"", None, AccessStatus.ERROR, id="empty-200"),
        pytest.param(200, HTML, CLOUDFLARE_CHALLENGE, None, AccessStatus.BOT_CHALLENGE, id="200-cloudflare"),
        pytest.param(200, HTML, PERIMETERX, None, AccessStatus.BOT_CHALLENGE, id="200-perimeterx"),
        pytest.param(200, HTML, RECAPTCHA_PAGE, None, AccessStatus.BOT_CHALLENGE, id="200-captcha"),
        pytest.param(200, HTML, PAYWALLED_JSON_LD, None, AccessStatus.PAYWALLED, id="json-ld-false"),
        pytest.param(200, HTML, article(head=json_ld('"False"')), None, AccessStatus.PAYWALLED, id="json-ld-False"),
        pytest.param(200, HTML, article(head=json_ld('"false"')), None, AccessStatus.PAYWALLED, id="json-ld-str"),
        pytest.param(200, HTML, article(head=json_ld("true", HAS_PART)), None, AccessStatus.PAYWALLED,
                     id="json-ld-has-part"),
        pytest.param(200, HTML, article(head='<meta itemprop="isAccessibleForFree" content="False">'), None,
                     AccessStatus.PAYWALLED, id="microdata"),
        pytest.param(200, HTML, article(head='<meta property="article:content_tier" content="locked">'), None,
                     AccessStatus.PAYWALLED, id="content-tier-locked"),
        pytest.param(200, HTML, article(head='<meta name="cXenseParse:pageclass-paywall" content="true">'), None,
                     AccessStatus.PAYWALLED, id="meta-paywall"),
        pytest.param(200, HTML, article(head='<meta content="hard" name="paywall">'), None,
                     AccessStatus.PAYWALLED, id="meta-paywall-content-first"),
        pytest.param(200, HTML, article(before_text='<div class="article-teaser paywall">Read on with a plan</div>'),
                     None, AccessStatus.PAYWALLED, id="class-paywall"),
        pytest.param(200, HTML, article(before_text='<div class="tp-modal tp-active"></div>'), None,
                     AccessStatus.PAYWALLED, id="class-piano-tp-modal"),
        pytest.param(200, HTML, article(before_text="<section class='subscriber-only'>…</section>"), None,
                     AccessStatus.PAYWALLED, id="class-subscriber-only"),
        pytest.param(200, HTML, article(body_attrs=' class="single premium-content"'), None, AccessStatus.PAYWALLED,
                     id="class-premium-content"),
        # Conservative: words, negated markers and ordinary page furniture are no paywall.
        pytest.param(200, HTML, article(head=json_ld("true")), None, AccessStatus.OK, id="json-ld-true"),
        pytest.param(200, HTML, article(head='<meta name="paywall" content="false">'), None, AccessStatus.OK,
                     id="meta-paywall-false"),
        pytest.param(200, HTML, article(head="<meta name='has-paywall' content=''>"), None, AccessStatus.OK,
                     id="meta-paywall-empty"),
        pytest.param(200, HTML, article(head='<meta property="article:content_tier" content="metered">'), None,
                     AccessStatus.OK, id="content-tier-metered"),
        pytest.param(200, HTML, article(body_attrs=' class="single no-paywall"'), None, AccessStatus.OK,
                     id="class-no-paywall"),
        pytest.param(200, HTML, article(head="<style>.paywall{display:none}</style>"), None, AccessStatus.OK,
                     id="paywall-css-rule"),
        pytest.param(200, HTML, article(footer="<p>Subscribe now! Premium content for subscribers only.</p>"), None,
                     AccessStatus.OK, id="subscribe-words"),
        # Cloudflare's bot-detection script is injected into ordinary pages; articles may discuss CAPTCHAs.
        pytest.param(
            200, HTML,
            article(head="<script>(function(){var a=document.createElement('script');"
                         "a.src='/cdn-cgi/challenge-platform/scripts/jsd/main.js';})();</script>"),
            None, AccessStatus.OK, id="cloudflare-jsd-injection",
        ),
        pytest.param(200, HTML, article(before_text="<h2>Why every site shows a CAPTCHA now</h2>"), None,
                     AccessStatus.OK, id="article-about-captchas"),
        pytest.param(200, HTML, WORDPRESS_LOGIN, None, AccessStatus.OK, id="login-page-is-not-a-status"),
    ],
)
def test_classify_page(
    status: int | None, content_type: str | None, body: bytes | None, error: str | None, expected: AccessStatus
) -> None:
    assert classify_page(status, content_type, body, error) is expected


def test_access_status_values_are_stable() -> None:
    # Stored in the warehouse and grouped by: renaming one is a migration.
    assert [s.value for s in AccessStatus] == [
        "ok", "not_modified", "paywalled", "bot_challenge", "forbidden", "rate_limited", "robots_disallowed",
        "not_html", "too_large", "timeout", "blocked_address", "error",
    ]
    assert AccessStatus.BOT_CHALLENGE == "bot_challenge"


# --- decode_body ----------------------------------------------------------------------------------------------

FRENCH = (
    "<html><head><title>Les actualités</title></head><body><p>Le café de la gare a rouvert ses portes – une très "
    "bonne nouvelle pour les habitués du quartier, qui attendaient ce moment depuis des mois. « C’est génial », "
    "déclare Hélène, élève au lycée voisin. Le propriétaire a déjà prévu une fête.</p></body></html>"
)
RUSSIAN = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
    "<title>Новости</title></head><body><p>Москва — столица России. Мэр заявил о новых планах «по развитию».</p>"
    "</body></html>"
)
KOI8 = '<html><head><meta charset="koi8-r"></head><body><p>Москва - столица России.</p></body></html>'
# ① is in Windows' Shift_JIS (cp932), which browsers decode for the label, not in strict Shift_JIS.
JAPANESE = (
    '<!DOCTYPE html><html><head><meta charset="Shift_JIS"><title>ニュース</title></head>'
    "<body><p>東京都は①今日、新しい計画を発表した。</p></body></html>"
)


@pytest.mark.parametrize(
    ("body", "content_type", "text", "source"),
    [
        pytest.param(FRENCH.encode(), "text/html; charset=utf-8", FRENCH, "header", id="header-utf8"),
        pytest.param(FRENCH.encode("cp1252"), 'text/html; charset="windows-1252"', FRENCH, "header",
                     id="header-quoted"),
        # Header says UTF-8, bytes are windows-1252: the header fails and the page's own <meta> wins.
        pytest.param(FRENCH.replace("<head>", '<head><meta charset="windows-1252">').encode("cp1252"),
                     "text/html; charset=utf-8",
                     FRENCH.replace("<head>", '<head><meta charset="windows-1252">'), "meta", id="wrong-header-meta"),
        # ... and with no <meta>, detection (which must not read French as a Baltic code page).
        pytest.param(FRENCH.encode("cp1252"), "text/html; charset=utf-8", FRENCH, "detected",
                     id="wrong-header-detected"),
        # What browsers do: latin-1 and ASCII labels mean windows-1252, so 0x80 is € and 0x93/0x94 are quotes.
        pytest.param(b"<p>\x80 5 \x93quoted\x94</p>", "text/html; charset=ISO-8859-1", "<p>€ 5 “quoted”</p>",
                     "header", id="latin1-is-cp1252"),
        pytest.param(b"<p>\x93hi\x94</p>", "text/html; charset=us-ascii", "<p>“hi”</p>", "header",
                     id="ascii-is-cp1252"),
        pytest.param(b"<p>\x81\x8d</p>", "text/html; charset=windows-1252", "<p>\x81\x8d</p>", "header",
                     id="cp1252-undefined-bytes"),
        pytest.param(JAPANESE.encode("cp932"), "text/html", JAPANESE, "meta", id="meta-shift-jis"),
        pytest.param(RUSSIAN.encode("cp1251"), None, RUSSIAN, "meta", id="meta-http-equiv-windows-1251"),
        pytest.param(RUSSIAN.encode("cp1251"), "text/html; charset=utf-8", RUSSIAN, "meta", id="wrong-header-1251"),
        pytest.param(b'<?xml version="1.0" encoding="ISO-8859-1"?><html><p>caf\xe9</p></html>', "application/xhtml+xml",
                     '<?xml version="1.0" encoding="ISO-8859-1"?><html><p>café</p></html>', "meta", id="xml-decl"),
        # A <meta> readable as ASCII cannot be UTF-16: browsers read such pages as UTF-8.
        pytest.param('<meta charset="utf-16"><p>café</p>'.encode(), None, '<meta charset="utf-16"><p>café</p>', "meta",
                     id="meta-utf16-means-utf8"),
        pytest.param(codecs.BOM_UTF16_LE + FRENCH.encode("utf-16-le"), "text/html", FRENCH, "bom", id="utf16le-bom"),
        pytest.param(codecs.BOM_UTF16_BE + FRENCH.encode("utf-16-be"), None, FRENCH, "bom", id="utf16be-bom"),
        # A BOM outranks the header, as in browsers.
        pytest.param(codecs.BOM_UTF8 + FRENCH.encode(), "text/html; charset=iso-8859-1", FRENCH, "bom",
                     id="utf8-bom-over-header"),
        pytest.param(KOI8.encode("koi8-r"), "text/html; charset=x-bogus", KOI8, "meta", id="unknown-header-charset"),
        pytest.param(b"<p>+AGEAYgBj-</p>", "text/html; charset=utf-7", "<p>+AGEAYgBj-</p>", "detected",
                     id="utf7-refused"),
        pytest.param(b"<p>plain</p>", "text/html; charset=base64", "<p>plain</p>", "detected", id="non-text-codec"),
        pytest.param(b"", None, "", "detected", id="empty"),
    ],
)
def test_decode_body(body: bytes, content_type: str | None, text: str, source: str) -> None:
    assert decode_body(body, content_type) == (text, source)


def test_decode_body_garbage_never_raises() -> None:
    rng = random.Random(20240506)
    for size in (1, 2, 3, 17, 1000, 70_000):
        body = rng.randbytes(size)
        for content_type in (None, "text/html; charset=utf-8", "text/html; charset=utf-16", "text/html; charset=\0"):
            text, source = decode_body(body, content_type)
            assert isinstance(text, str)
            assert source in ("header", "bom", "meta", "detected", "fallback")
    # Bytes no charset explains come back replaced, not raised.
    text, source = decode_body(b"\xff\xfe\xfd" * 10 + b"\x81\x00\x9f" * 10, None)
    assert isinstance(text, str) and source in ("bom", "detected", "fallback")


def test_sniffers_never_raise_on_hostile_bytes() -> None:
    rng = random.Random(7)
    samples = [rng.randbytes(n) for n in (0, 1, 5, 300, 5000, 70_000)]
    samples += [p * (70_000 // len(p)) for p in (b"<", b"<!--", b"<!DOCTYPE [", b"<?", b"<script", b"<meta ",
                                                   b'class="', b"<title>", b"\x00<", b"cdn-cgi/challenge-platform/")]
    samples += [CLOUDFLARE_CHALLENGE[:n] for n in range(0, len(CLOUDFLARE_CHALLENGE), 97)]
    for body in samples:
        assert sniff_feed_body(body, "text/html") in (
            None, "empty", "binary", "bot_challenge", "login_wall", "html_page", "not_feed"
        )
        for status, error in ((200, None), (403, "http_403"), (None, None)):
            assert isinstance(classify_page(status, None, body, error), AccessStatus)
