"""An article page's HTML, for bench/corpus.py: each site a variant of one of seven template families (FAMILIES).

The families: a modern news page, a blog theme, wire-style <section>s, an old table layout (<font>, <br><br>
paragraphs on some sites), AMP, WordPress (Jetpack sharing, comment form) and a Next.js page (hashed class names,
__NEXT_DATA__). A site varies its family by a class-name prefix, the boilerplate parts it prints above, inside and
below the story (cookie banner, close buttons, navigation, ticker, ads, read-more lines, newsletter boxes, captions,
share bars, tags, stray bylines, related links, comments), their order and their wording (Site.pick); the <head>
carries title, description, canonical, feed link and, but on the old layout, Open Graph and often JSON-LD.

corpus.py draws the plan and the story (bench/corpus_model.py's records) and calls make_page and render; it also
takes chrome_page for its bad pages, and the escaping (e, a) and date formats (rfc3339, longdate) for its feeds.
"""

from __future__ import annotations

import html
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from corpus_model import EPOCH, ORIGIN, PLACES, SECTIONS, Block, Entry, Plan, Site, person_name, slugify

from wirehouse.demo_corpus import MONTHS

FAMILIES = ("modern", "blog", "sections", "tables", "amp", "wordpress", "nextjs")
AGENCIES = ("Northlight Images", "Meridian Photo Agency", "Lantern Pictures", "Fieldstone Media")
TOPICS = ("elections", "energy", "housing", "transport", "climate", "courts", "health care", "schools", "trade",
          "space", "budget", "policing", "arts", "farming", "tourism", "technology")
COMMENTS = (
    "Great article, thanks for sharing.",
    "This is exactly what I've been saying for years.",
    "Does anyone know where the full report can be found?",
    "Interesting read, but the headline is misleading.",
    "Well written and balanced, for once.",
    "I live nearby and can confirm all of this.",
    "Why is nobody talking about the cost?",
    "Thank you for covering this story.",
)
# The wordings of the boilerplate parts; each site uses one of each (Site.pick).
COOKIE = (
    ("We use cookies to improve your experience on our site and to show you personalised advertising.",
     ("Accept all", "Manage preferences")),
    ("This website uses cookies. By continuing to browse the site you are agreeing to our use of cookies.",
     ("OK, got it",)),
    ("We and our partners store and access information on your device to serve ads and measure audiences.",
     ("I agree", "Reject all")),
)
SHARE_LABELS = ("Share this article", "Share:", "Share this story")
SHARE_LINKS = ("Share on Facebook", "Tweet", "Share on LinkedIn", "Email this story", "Copy link")
NEWSLETTER = (
    ("Sign up for our daily newsletter", "The day's top stories, in your inbox every morning."),
    ("Get the Morning Briefing", "Free, every weekday. Unsubscribe at any time."),
    ("Never miss a story", "Subscribe to our newsletter for the latest headlines."),
)
RELATED_HEADINGS = ("Related stories", "More from {section}", "Most read", "You may also like")
READ_MORE = ("Read more:", "READ MORE:", "Related:")
ADS = ("Advertisement", "ADVERTISEMENT", "Sponsored content")
COMMENT_FORM = ("Leave a Reply", "Your email address will not be published.", "Required fields are marked *",
                "Save my name, email, and website in this browser for the next time I comment.")
FOOTER_LINKS = ("About us", "Contact", "Privacy policy", "Terms of use", "Advertise with us")


def e(text: str) -> str:
    """Text as an HTML/XML text node."""
    return html.escape(text, quote=False)


def a(text: str) -> str:
    """Text as an attribute value."""
    return html.escape(text)


def rfc3339(stamp: datetime) -> str:
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def longdate(stamp: datetime) -> str:
    return f"{MONTHS[stamp.month - 1]} {stamp.day}, {stamp.year}"


@dataclass(frozen=True, slots=True)
class Page:
    """What a page template draws from."""

    site: Site
    entry: Entry
    blocks: tuple[Block, ...]
    related: tuple[Entry, ...]  # other pages of the site, for link lists
    rng: random.Random  # per-page details: comments, photo credits, ad slots
    charset: str = "utf-8"  # what the page declares

    @property
    def url(self) -> str:
        return ORIGIN + self.entry.path

    @property
    def home(self) -> str:
        return f"{ORIGIN}/s/{self.site.id}/"


def _links(entries: tuple[Entry, ...]) -> str:
    return "".join(f'<li><a href="{ORIGIN}{other.path}">{e(other.title)}</a></li>' for other in entries)


def _cookie(page: Page) -> str:
    c, (text, buttons) = page.site.cls, page.site.pick("cookie", COOKIE)
    actions = "".join(f'<button type="button" class="{c("btn")}">{label}</button>' for label in buttons)
    return (f'<div id="cookie-consent" class="{c("cookie-banner")}" role="dialog" aria-label="Cookie consent">'
            f'<p>{text} <a href="{page.home}privacy">Find out more</a></p>'
            f'<div class="{c("cookie-actions")}">{actions}</div></div>')


def _closebar(page: Page) -> str:
    # A search overlay and a mobile menu, each with its own "close" button: trafilatura keeps the pair.
    c = page.site.cls
    return (f'<div class="{c("search-overlay")}" aria-hidden="true"><form role="search" action="{page.home}">'
            '<input type="search" name="s" placeholder="Search …"><input type="submit" value="Search"></form>'
            f'<button type="button" class="{c("close-btn")}"><span>close</span></button></div>'
            f'<div class="{c("mobile-menu")}"><button type="button" class="{c("close-btn")}"><span>close</span>'
            "</button></div>")


def _nav(page: Page) -> str:
    c = page.site.cls
    items = "".join(f'<li><a href="{page.home}{slugify(name)}/">{name}</a></li>' for name in ("Home", *SECTIONS[:8]))
    return (f'<nav class="{c("main-nav")}" aria-label="Main"><ul>{items}</ul>'
            f'<a class="{c("subscribe")}" href="{page.home}subscribe">Subscribe</a> '
            f'<a href="{page.home}login">Sign in</a></nav>')


def _ticker(page: Page) -> str:
    c = page.site.cls
    return f'<div class="{c("ticker")}"><span>Breaking news</span><ul>{_links(page.related[:2])}</ul></div>'


def _ad(page: Page) -> str:
    c, label, slot = page.site.cls, page.site.pick("ad", ADS), page.rng.randrange(10_000)
    if page.site.family == "amp":
        return (f'<amp-ad width="300" height="250" type="doubleclick" data-slot="/{slot}/{page.site.id}">'
                f'<div placeholder>{label}</div></amp-ad>')
    return (f'<div class="{c("ad-slot")}"><span class="{c("ad-label")}">{label}</span>'
            f'<div id="ad-{slot}" class="{c("ad-unit")}"></div></div>')


def _readmore(page: Page) -> str:
    if not page.related:
        return ""
    other = page.related[-1]
    return (f'<p class="{page.site.cls("read-more")}"><strong>{page.site.pick("readmore", READ_MORE)}</strong> '
            f'<a href="{ORIGIN}{other.path}">{e(other.title)}</a></p>')


def _newsletter(page: Page) -> str:
    c, (heading, pitch) = page.site.cls, page.site.pick("newsletter", NEWSLETTER)
    return (f'<aside class="{c("newsletter")}"><h3>{heading}</h3><p>{e(pitch)}</p>'
            f'<form action="{page.home}newsletter" method="post"><input type="email" name="email" '
            'placeholder="Your email address" required><button type="submit">Sign up</button></form></aside>')


def _caption(page: Page) -> str:
    c, src = page.site.cls, f"{page.home}media/{page.entry.index}-{page.rng.randrange(100)}.jpg"
    image = (f'<amp-img src="{src}" width="1200" height="675" layout="responsive" alt=""></amp-img>'
             if page.site.family == "amp" else f'<img src="{src}" alt="" width="1200" height="675" loading="lazy">')
    credit = f"{person_name(page.rng)} / {page.rng.choice(AGENCIES)}"
    return (f'<figure class="{c("figure")}">{image}<figcaption>{e(page.entry.section)} file picture. '
            f'<span class="{c("credit")}">Photo: {credit}</span></figcaption></figure>')


def _share(page: Page) -> str:
    c, url = page.site.cls, page.url
    if page.site.family == "wordpress":  # Jetpack's sharing and likes blocks
        items = "".join(f'<li class="share-{net.lower()}"><a class="share-{net.lower()} sd-button" href="{url}?share='
                        f'{net.lower()}" target="_blank" title="Click to share on {net}"><span class="sharing-screen-'
                        f'reader-text">Click to share on {net} (Opens in new window)</span></a></li>'
                        for net in ("X", "Facebook", "WhatsApp"))
        return (f'<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Share this:</h3>'
                f'<div class="sd-content"><ul>{items}</ul></div></div><div class="sharedaddy sd-block sd-like">'
                '<h3 class="sd-title">Like this:</h3><span class="loading">Loading...</span></div>')
    label = page.site.pick("share", SHARE_LABELS)
    if page.site.family == "amp":
        buttons = "".join(f'<amp-social-share type="{net}" width="40" height="40"></amp-social-share>'
                          for net in ("facebook", "twitter", "linkedin", "email"))
        return f'<div class="{c("share")}"><span>{label}</span>{buttons}</div>'
    links = "".join(f'<a class="{c("share-link")}" href="{url}#share-{k}">{text}</a>'
                    for k, text in enumerate(SHARE_LINKS[:-1]))
    return (f'<div class="{c("share-bar")}" aria-label="Share"><span class="{c("share-label")}">{label}</span>{links}'
            f'<button type="button" class="{c("share-link")}" data-copy="{url}">{SHARE_LINKS[-1]}</button></div>')


def _tags(page: Page) -> str:
    topics = page.rng.sample(TOPICS, 3)
    items = "".join(f'<li><a href="{page.home}topic/{slugify(topic)}/">{topic}</a></li>' for topic in topics)
    return f'<ul class="{page.site.cls("topics")}">{items}</ul>'


def _byline(page: Page) -> str:
    # The stray "By <name>" line some CMSes print under the story.
    return f"<p>By {e(page.entry.authors[0] if page.entry.authors else page.site.name)}</p>"


def _related(page: Page) -> str:
    heading = page.site.pick("related", RELATED_HEADINGS).format(section=page.entry.section)
    return (f'<section class="{page.site.cls("related")}"><h2>{e(heading)}</h2><ul>{_links(page.related)}</ul>'
            "</section>")


def _comments(page: Page) -> str:
    c, entry, rng = page.site.cls, page.entry, page.rng
    items = []
    for k in range(rng.randrange(4)):
        when = entry.published + timedelta(minutes=rng.randrange(30, 3000))
        items.append(f'<li id="comment-{k}" class="comment"><div class="comment-author vcard"><b class="fn">'
                     f'{e(person_name(rng))}</b> <span class="says">says:</span></div><div class="comment-metadata">'
                     f'<time datetime="{rfc3339(when)}">{longdate(when)} at {when:%H:%M}</time></div>'
                     f'<div class="comment-content"><p>{e(rng.choice(COMMENTS))}</p></div>'
                     '<div class="reply"><a class="comment-reply-link" href="#respond">Reply</a></div></li>')
    thread = (f'<h2 class="comments-title">{len(items)} thoughts on “{e(entry.title)}”</h2>'
              f'<ol class="comment-list">{"".join(items)}</ol>') if items else ""
    reply, notes, required, consent = COMMENT_FORM
    return (f'<div id="comments" class="{c("comments-area")}">{thread}<div id="respond" class="comment-respond">'
            f'<h3 id="reply-title" class="comment-reply-title">{reply}</h3><form action="{page.home}wp-comments-'
            'post.php" method="post" id="commentform" class="comment-form"><p class="comment-notes">'
            '<span id="email-notes">'
            f'{notes}</span> <span class="required-field-message">{required}</span></p>'
            '<p class="comment-form-comment"><label for="comment">Comment *</label> <textarea id="comment" '
            'name="comment" cols="45" rows="8" required></textarea></p><p class="comment-form-author"><label '
            'for="author">Name *</label> <input id="author" name="author" type="text" required></p>'
            '<p class="comment-form-email"><label for="email">Email *</label> <input id="email" name="email" '
            'type="email" required></p><p class="comment-form-cookies-consent"><input id="consent" type="checkbox" '
            f'value="yes"> <label for="consent">{consent}</label></p><p class="form-submit"><input name="submit" '
            'type="submit" class="submit" value="Post Comment"></p></form></div></div>')


def _footer(page: Page) -> str:
    c = page.site.cls
    links = "".join(f'<li><a href="{page.home}{slugify(text)}/">{text}</a></li>' for text in FOOTER_LINKS)
    powered = ('<p class="site-info"><a href="https://wordpress.org/">Proudly powered by WordPress</a></p>'
               if page.site.family == "wordpress" else "")
    tag = "div" if page.site.family == "tables" else "footer"  # old CMSes predate <footer>
    return (f'<{tag} class="{c("site-footer")}"><ul class="{c("footer-links")}">{links}</ul>'
            f'<p class="{c("copyright")}">© {EPOCH.year} {e(page.site.name)}. All rights reserved.</p>{powered}'
            f"</{tag}>")


PARTS: dict[str, Callable[[Page], str]] = {
    "cookie": _cookie, "closebar": _closebar, "nav": _nav, "ticker": _ticker, "ad": _ad, "readmore": _readmore,
    "newsletter": _newsletter, "caption": _caption, "share": _share, "tags": _tags, "byline": _byline,
    "related": _related, "comments": _comments,
}


def _parts(page: Page, names: tuple[str, ...] | list[str]) -> str:
    return "\n".join(PARTS[name](page) for name in names)


def _head(page: Page, *, old: bool = False) -> str:
    """Title, description, canonical, author; Open Graph and JSON-LD unless `old` (a CMS from before them)."""
    site, entry, c = page.site, page.entry, page.site.cls
    viewport = '<meta name="viewport" content="width=device-width, initial-scale=1">'
    charset = (f'<meta http-equiv="Content-Type" content="text/html; charset={page.charset}">' if old
               else f'<meta charset="{page.charset}">\n{viewport}')
    feed = site.feeds[0].path
    feed_type = {".xml": "application/rss+xml", ".atom": "application/atom+xml", ".json": "application/feed+json"}
    lines = [charset, f"<title>{e(entry.title)} – {e(site.name)}</title>",
             f'<meta name="description" content="{a(entry.summary)}">', f'<link rel="canonical" href="{page.url}">',
             f'<link rel="alternate" type="{feed_type[Path(feed).suffix]}" title="{a(site.name)}" '
             f'href="{ORIGIN}{feed}">']
    if entry.authors:
        lines.append(f'<meta name="author" content="{a(", ".join(entry.authors))}">')
    if not old:
        image = f"{page.home}media/{entry.index}-hero.jpg"
        og = {"og:type": "article", "og:site_name": site.name, "og:title": entry.title, "og:description": entry.summary,
              "og:url": page.url, "og:image": image, "article:published_time": rfc3339(entry.published),
              "article:section": entry.section}
        lines += [f'<meta property="{key}" content="{a(value)}">' for key, value in og.items()]
        lines.append('<meta name="twitter:card" content="summary_large_image">')
        if site.jsonld and page.rng.random() < 0.95:
            lines.append(_jsonld(page, image))
    lines.append(f'<link rel="stylesheet" href="{page.home}static/css/main.{site.variant:08x}.css">')
    lines.append(f"<style>.{c('story-body')} p{{font:18px/1.6 Georgia,serif}} .{c('cookie-banner')}{{position:"
                 f"fixed;bottom:0;left:0;right:0;z-index:999}} .{c('ad-slot')}{{min-height:250px;background:#eee}}"
                 "</style>")
    lines.append('<script>window.dataLayer=window.dataLayer||[];window.dataLayer.push({"pageType":"article",'
                 f'"section":{json.dumps(entry.section)}}});</script>')
    return "\n".join(lines)


def _jsonld(page: Page, image: str) -> str:
    entry = page.entry
    data = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": entry.title,
        "description": entry.summary, "image": [image], "datePublished": rfc3339(entry.published),
        "dateModified": rfc3339(entry.published), "articleSection": entry.section,
        "author": [{"@type": "Person", "name": name} for name in entry.authors],
        "mainEntityOfPage": {"@type": "WebPage", "@id": page.url},
        "publisher": {"@type": "NewsMediaOrganization", "name": page.site.name,
                      "logo": {"@type": "ImageObject", "url": f"{page.home}static/logo.png"}},
    }
    return f'<script type="application/ld+json">{_script_json(data)}</script>'


def _script_json(data: object) -> str:
    """JSON for an inline <script>: a "</" in a string would end the script early."""
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _meta_line(page: Page) -> str:
    c, entry = page.site.cls, page.entry
    when = (f'<time class="{c("date")}" datetime="{rfc3339(entry.published)}">'
            f"{longdate(entry.published)}</time>")
    if not entry.authors:
        return when
    names = " and ".join(f'<a rel="author" href="{page.home}author/{slugify(name)}/">{e(name)}</a>'
                         for name in entry.authors)
    return f'<span class="{c("byline")}">By {names}</span> {when}'


def _block(site: Site, block: Block) -> str:
    text = e(block.texts[0])
    if block.kind == "h2":
        return f"<h2>{text}</h2>"
    if block.kind == "quote":
        return f'<blockquote class="{site.cls("quote")}"><p>{text}</p></blockquote>'
    if block.kind == "list":
        return "<ul>" + "".join(f"<li>{e(item)}</li>" for item in block.texts) + "</ul>"
    return f"<p>{text}</p>"


def _br_block(site: Site, block: Block) -> str:
    """Old CMSes: paragraphs are text runs separated by <br><br>, subheads bold text."""
    if block.kind in ("h2", "p"):
        text = e(block.texts[0])
        return f"<b>{text}</b><br><br>" if block.kind == "h2" else f"{text}<br><br>"
    return _block(site, block)


def _section_block(site: Site, block: Block) -> str:
    """Wire-style bodies: each subhead opens a new <section>."""
    if block.kind == "h2":
        return f'</section>\n<section class="{site.cls("story-section")}">\n<h2>{e(block.texts[0])}</h2>'
    return _block(site, block)


def _next_block(site: Site, block: Block) -> str:
    return f'<div data-component="text-block" class="{site.cls("text-block")}">{_block(site, block)}</div>'


def _body(page: Page, render: Callable[[Site, Block], str] = _block) -> str:
    """The blocks, with the site's inline parts after the 2nd block, a third, half and three quarters of the way."""
    count = len(page.blocks)
    slots: dict[int, list[str]] = {}
    for part, at in zip(page.site.inline, (2, count // 3, count // 2, 3 * count // 4), strict=False):
        slots.setdefault(at, []).append(part)
    out = []
    for k, block in enumerate(page.blocks, 1):
        out.append(render(page.site, block))
        out.extend(PARTS[name](page) for name in slots.get(k, ()))
    return "\n".join(out)


def _split_tail(page: Page) -> tuple[list[str], list[str]]:
    """Blog themes put sharing, bylines and related links inside the content element; comments come after."""
    inside = [part for part in page.site.tail if part != "comments"]
    return inside, [part for part in page.site.tail if part == "comments"]


def _modern(page: Page) -> str:
    site, entry, c = page.site, page.entry, page.site.cls
    return f"""<!DOCTYPE html>
<html lang="en" class="no-js">
<head>
{_head(page)}
</head>
<body class="{c("article-page")}">
{_parts(page, site.head)}
<div class="{c("page")}">
<main id="main-content" class="{c("main")}">
<article class="{c("story")}">
<header class="{c("story-header")}">
<a class="{c("kicker")}" href="{page.home}{slugify(entry.section)}/">{e(entry.section)}</a>
<h1 class="{c("headline")}">{e(entry.title)}</h1>
<p class="{c("standfirst")}">{e(entry.summary)}</p>
<div class="{c("story-meta")}">{_meta_line(page)}</div>
</header>
<div class="{c("story-body")}">
{_body(page)}
</div>
</article>
{_parts(page, site.tail)}
</main>
</div>
{_footer(page)}
</body>
</html>
"""


def _blog(page: Page) -> str:
    site, entry, c = page.site, page.entry, page.site.cls
    inside, after = _split_tail(page)
    categories = "".join(f'<li><a href="{page.home}category/{slugify(name)}/">{name}</a></li>' for name in SECTIONS)
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
{_head(page)}
</head>
<body class="single {c("single-post")}">
<div id="wrapper" class="{c("wrapper")}">
{_parts(page, site.head)}
<div class="{c("container")}">
<div class="{c("post")}" id="post-{entry.index}">
<h1 class="{c("post-title")}">{e(entry.title)}</h1>
<div class="{c("post-meta")}">Posted in <a href="{page.home}category/{slugify(entry.section)}/">{e(entry.section)}</a>
· {_meta_line(page)}</div>
<div class="post-content {c("entry")}">
{_body(page)}
{_parts(page, inside)}
</div>
</div>
{_parts(page, after)}
<div class="{c("sidebar")}"><div class="{c("widget")}"><h4>Categories</h4><ul>{categories}</ul></div></div>
</div>
{_footer(page)}
</div>
</body>
</html>
"""


def _sections(page: Page) -> str:
    site, entry, c = page.site, page.entry, page.site.cls
    dateline = f"{page.rng.choice(PLACES).upper()} ({site.name}) —"
    return f"""<!doctype html>
<html lang="en-US" dir="ltr">
<head>
{_head(page)}
</head>
<body class="{c("page-story")}">
{_parts(page, site.head)}
<main>
<section class="{c("story-head")}">
<h1 class="{c("headline")}">{e(entry.title)}</h1>
<div class="{c("story-meta")}">{_meta_line(page)}</div>
</section>
<section class="{c("story-section")}">
<span class="{c("dateline")}">{e(dateline)}</span>
{_body(page, _section_block)}
</section>
{_parts(page, site.tail)}
</main>
{_footer(page)}
</body>
</html>
"""


def _tables(page: Page) -> str:
    site, entry, c = page.site, page.entry, page.site.cls
    render = site.pick("paragraphs", (_block, _br_block))
    sections = "".join(f'<tr><td><a href="{page.home}{slugify(name)}/">{name}</a></td></tr>' for name in SECTIONS)
    byline = f"<b>By {e(' and '.join(entry.authors))}</b><br>" if entry.authors else ""
    return f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<html>
<head>
{_head(page, old=True)}
</head>
<body bgcolor="#ffffff" topmargin="0" leftmargin="0" marginwidth="0" marginheight="0">
<table width="980" align="center" cellpadding="0" cellspacing="0" border="0">
<tr><td colspan="3" class="{c("masthead")}" bgcolor="#003366"><a href="{page.home}">
<img src="{page.home}images/logo.gif" width="420" height="70" border="0" alt="{a(site.name)}"></a>
{_parts(page, site.head)}</td></tr>
<tr>
<td width="160" valign="top" class="{c("leftcol")}" bgcolor="#f2f2f2">
<table width="100%" cellpadding="4">{sections}</table></td>
<td width="620" valign="top" class="{c("storycol")}">
<div class="{c("breadcrumb")}"><a href="{page.home}">Home</a> &gt;
<a href="{page.home}{slugify(entry.section)}/">{e(entry.section)}</a></div>
<font size="5" face="Georgia"><b>{e(entry.title)}</b></font><br>
<font size="2">{byline}<i>Posted
<time datetime="{rfc3339(entry.published)}">{longdate(entry.published)}</time></i></font><br><br>
<table class="{c("tools")}" cellpadding="2" border="0"><tr><td><a href="javascript:window.print()">Print this story</a>
</td><td><a href="javascript:emailStory()">Email this story</a></td></tr></table>
<div class="{c("storytext")}" id="storytext">
{_body(page, render)}
</div>
{_parts(page, site.tail)}
</td>
<td width="200" valign="top" class="{c("rightcol")}">{_ad(page)}</td>
</tr>
<tr><td colspan="3" align="center" bgcolor="#dddddd">{_footer(page)}</td></tr>
</table>
</body>
</html>
"""


def _amp(page: Page) -> str:
    site, entry, c = page.site, page.entry, page.site.cls
    menu = "".join(f'<li><a href="{page.home}{slugify(name)}/">{name}</a></li>' for name in SECTIONS[:8])
    return f"""<!doctype html>
<html ⚡ lang="en">
<head>
{_head(page)}
<script async src="https://cdn.ampproject.org/v0.js"></script>
<script async custom-element="amp-ad" src="https://cdn.ampproject.org/v0/amp-ad-0.1.js"></script>
<script async custom-element="amp-social-share" src="https://cdn.ampproject.org/v0/amp-social-share-0.1.js"></script>
<style amp-boilerplate>body{{animation:-amp-start 8s steps(1,end) 0s 1 normal both}}
@keyframes -amp-start{{from{{visibility:hidden}}to{{visibility:visible}}}}</style>
<noscript><style amp-boilerplate>body{{animation:none}}</style></noscript>
</head>
<body>
<amp-sidebar id="sidebar" layout="nodisplay" side="left">
<button on="tap:sidebar.close" class="{c("sidebar-close")}">close</button><ul>{menu}</ul></amp-sidebar>
<header class="{c("amp-header")}"><button on="tap:sidebar.toggle" class="{c("menu")}">Menu</button>
<a href="{page.home}">{e(site.name)}</a></header>
{_parts(page, site.head)}
<article class="{c("amp-article")}">
<header><h1 class="{c("title")}">{e(entry.title)}</h1><div class="{c("meta")}">{_meta_line(page)}</div></header>
<amp-img src="{page.home}media/{entry.index}-hero.jpg" width="1200" height="675" layout="responsive" alt=""></amp-img>
<div class="{c("article-body")}">
{_body(page)}
</div>
</article>
{_parts(page, site.tail)}
{_footer(page)}
</body>
</html>
"""


def _wordpress(page: Page) -> str:
    site, entry, c = page.site, page.entry, page.site.cls
    inside, after = _split_tail(page)
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
{_head(page)}
<meta name="generator" content="WordPress 6.6.2">
<link rel='stylesheet' id='wp-block-library-css'
 href='{page.home}wp-includes/css/dist/block-library/style.min.css?ver=6.6.2' media='all'>
</head>
<body class="post-template-default single single-post postid-{entry.index} single-format-standard">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<header id="masthead" class="site-header {c("header")}">
{_parts(page, site.head)}
<div class="site-branding"><p class="site-title"><a href="{page.home}" rel="home">{e(site.name)}</a></p></div>
</header>
<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">
<article id="post-{entry.index}" class="post-{entry.index} post type-post status-publish hentry
 category-{slugify(entry.section)}">
<header class="entry-header"><h1 class="entry-title">{e(entry.title)}</h1>
<div class="entry-meta">{_meta_line(page)}</div></header>
<div class="entry-content">
{_body(page)}
{_parts(page, inside)}
</div>
<footer class="entry-footer"><span class="cat-links">Posted in
<a href="{page.home}category/{slugify(entry.section)}/" rel="category tag">{e(entry.section)}</a></span></footer>
</article>
{_parts(page, after)}
</main></div>
<aside id="secondary" class="widget-area"><section class="widget widget_recent_entries">
<h2 class="widget-title">Recent Posts</h2><ul>{_links(page.related)}</ul></section></aside>
</div>
{_footer(page)}
</div>
</body>
</html>
"""


def _nextjs(page: Page) -> str:
    site, entry, c = page.site, page.entry, page.site.cls
    state = {"props": {"pageProps": {"article": {"id": entry.index, "headline": entry.title, "summary": entry.summary,
                                                 "section": entry.section, "authors": list(entry.authors)}}},
             "page": "/[section]/[slug]", "buildId": f"build-{site.variant}"}
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
{_head(page)}
<link rel="preload" href="{page.home}_next/static/chunks/main-{site.variant:08x}.js" as="script">
</head>
<body>
<div id="__next"><div class="{c("layout")}">
{_parts(page, site.head)}
<div class="{c("article-wrapper")}">
<h1 class="{c("headline")}" data-testid="headline">{e(entry.title)}</h1>
<div class="{c("byline")}">{_meta_line(page)}</div>
<div class="{c("article-body")}" data-testid="article-body">
{_body(page, _next_block)}
</div>
{_parts(page, site.tail)}
</div>
{_footer(page)}
</div></div>
<script id="__NEXT_DATA__" type="application/json">{_script_json(state)}</script>
<script src="{page.home}_next/static/chunks/main-{site.variant:08x}.js" defer></script>
</body>
</html>
"""


TEMPLATES: dict[str, Callable[[Page], str]] = {
    "modern": _modern, "blog": _blog, "sections": _sections, "tables": _tables, "amp": _amp,
    "wordpress": _wordpress, "nextjs": _nextjs,
}


def make_page(plan: Plan, entry: Entry, rng: random.Random, blocks: tuple[Block, ...] = (),
              charset: str = "utf-8") -> Page:
    """The page of `entry`, with `blocks` as its story and the site's next few pages as its links."""
    pages = plan.by_site[entry.site]
    at = pages.index(entry.index)
    related = tuple(plan.entries[pages[(at + step) % len(pages)]] for step in range(1, min(5, len(pages))))
    return Page(plan.sites[entry.site], entry, blocks, related, rng, charset)


def render(page: Page) -> str:
    return TEMPLATES[page.site.family](page)


def chrome_page(plan: Plan, entry: Entry, rng: random.Random, heading: str, main: str) -> bytes:
    """A page of the site that holds no article (corpus.py's bad pages): its navigation and footer around `main`."""
    page = make_page(plan, entry, rng)
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{e(heading)} – {e(page.site.name)}</title></head>
<body>
{_nav(page)}
<main class="{page.site.cls("main")}">
{main}
</main>
{_footer(page)}
</body>
</html>
""".encode()
