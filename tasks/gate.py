"""Quality gate: pages that are no article (index, video, gallery and error pages, paywall stubs) are recorded with
a reason instead of loaded, and articles whose text a paywall cut short are flagged.

page_signals reads cheap facts off the raw page once; judge weighs them against the cleaned text. The gate is
conservative, because a rejected article is lost while a loaded index page is only noise: each rule pairs what the
page says it is (its markup, title or URL) with text too short or too list-like for a story, a page that declares
an article (JSON-LD article type, og:type article) is never taken for an index, and every threshold leaves a
150-word brief, an article with a video, with photos or with many links well clear. No rule names a site.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from lxml.etree import XPath
from lxml.html import HtmlElement

from wirehouse.tasks.page_meta import PageMeta

# --- thresholds -----------------------------------------------------------------------------------------------

# Index pages. Among the 88 benchmark articles, link text reaches 83% of the text outside nav/header/footer/aside,
# and a related-stories rail 61 <article>s: layout counts only when both are high, and only as one kind of evidence.
INDEX_LINK_SHARE = 0.5  # share of the content's visible text that is link text
INDEX_TEASERS = 10  # teaser blocks: <article>s, headings that hold a link, list items with a link and a blurb
# An index's text is its teasers: headlines that are links' texts (18% of the blocks at most on the 88 articles), and
# one-sentence blurbs (but a quarter of the 88 articles have a median block of 21 words or fewer too).
HEADLINE_MIN_WORDS = 4  # shorter link texts are navigation ("World news") or names ("Mayor Ellen Okafor")
HEADLINE_BLOCK_SHARE = 0.3  # evidence with another kind
HEADLINE_MAJORITY = 0.5  # alone: the text is the page's list of links
HEADLINE_MIN_BLOCKS = 4
LIST_TEXT_MAX_WORDS = 600  # 20 teasers of a 10-word headline and a 20-word blurb
LIST_TEXT_MIN_BLOCKS = 8
LIST_TEXT_MEDIAN_WORDS = 20
# Video and gallery pages: the caption of a player or of the photos, not a story. A brief runs 150 words and more.
# Counted in running text: blocks that are a link's text (a related-stories rail) or a photo's caption are not.
VIDEO_MAX_WORDS = 100
GALLERY_MAX_WORDS = 100
GALLERY_MIN_FIGURES = 8  # captioned <figure>s that make a gallery without any declaration
GALLERY_MIN_IMAGES = 6  # a gallery URL alone: its photos must be in the page
LISTED_ARTICLES = 3  # JSON-LD article objects that make a list's markup (one per teaser), not an article
# Error pages: a soft 404 says so in a line or two, sometimes above a list of suggested stories.
ERROR_TITLE_MAX_WORDS = 200
ERROR_TEXT_MAX_WORDS = 60  # the message alone; longer texts may be stories that quote such a message
ERROR_LEAD_BLOCKS = 3  # the message stands at the top
# Paywalls: a stub is a headline, a sentence and a prompt. A teaser of a paragraph or two is the story's lede,
# its most informative part (who, what, where): kept and flagged, like any longer truncated text.
PAYWALL_STUB_WORDS = 50
PAYWALL_PROMPT_MAX_WORDS = 40  # a subscription prompt is a line, not a paragraph of the story
PAYWALL_PROMPT_BLOCKS = 3  # it stands among the last blocks

# --- vocabularies ---------------------------------------------------------------------------------------------

# Any type ending in "Article" counts too (NewsArticle, ReportageNewsArticle, OpinionNewsArticle, ...).
ARTICLE_TYPES = frozenset({"BlogPosting", "LiveBlogPosting", "Report", "SocialMediaPosting"})
LISTING_TYPES = frozenset({"CollectionPage", "ItemList", "SearchResultsPage", "ProfilePage"})
# What a site declares on every page; a page declaring nothing more says it is the site, not a story.
SITE_TYPES = frozenset({
    "WebSite", "Organization", "NewsMediaOrganization", "Corporation", "SearchAction", "EntryPoint",
    "SiteNavigationElement", "WPHeader", "WPFooter", "WPSideBar", "BreadcrumbList", "ListItem", "ImageObject",
    "Brand", "ContactPoint", "PostalAddress", "Place", "Person",
})
VIDEO_TYPES = frozenset({"VideoObject", "VideoGallery", "Clip", "Episode", "TVEpisode", "BroadcastEvent"})
GALLERY_TYPES = frozenset({"ImageGallery", "MediaGallery"})

# The segment before the last names a listing (/tag/brexit, /author/jane-doe); a page number or search ends a path.
_LIST_PATH = re.compile(
    r"/(?:tags?|topics?|categor(?:y|ies)|sections?|authors?|archives?|labels?|keywords?)/[^/]+/?$"
    r"|/(?:page|p)/\d+/?$|/(?:search|archives?|latest|all-news|most-read|most-popular)/?$"
    r"|/(?:19|20)\d\d(?:/\d\d?){0,2}/?$",  # date archives: /2019/, /2019/11/, /2019/11/18/
    re.IGNORECASE,
)
_VIDEO_PATH = re.compile(r"/(?:videos?|watch|clips?|live-?tv)(?:/|$)", re.IGNORECASE)
_GALLERY_PATH = re.compile(r"/(?:galler(?:y|ies)|photos?|pictures|slideshows?|in-pictures|photo-?essays?)(?:/|$)",
                           re.IGNORECASE)
_VIDEO_EMBED = re.compile(
    r"youtube(?:-nocookie)?\.com/embed|youtu\.be/|player\.vimeo\.com|dailymotion\.com/embed|jwplayer|jwplatform"
    r"|brightcove|players?\.|/player/|/embed/video|video/embed|wistia|kaltura|twitch\.tv|facebook\.com/plugins/video",
    re.IGNORECASE,
)

# Soft 404s: a title segment that is nothing but an error, or the message itself in the first lines of the text.
_ERROR_TITLE = re.compile(
    r"(?:(?:http\s*)?error\s*)?(?:404|410)(?:\s*error)?(?:\W*(?:page|file)?\s*not\s*found)?"
    r"|(?:error|oops|sorry|whoops)\W*(?:page\s+)?(?:not\s+found)?"
    r"|(?:page|file|article|content|story|post)?\s*not\s+found"
    r"|page\s+(?:unavailable|missing|gone)"
    r"|(?:this\s+)?page\s+(?:does\s*n[o']t|doesn['’]t|no\s+longer)\s+exists?"
    r"|(?:oops\W*)?(?:that|this|the)\s+page\s+can(?:no|['’])t\s+be\s+found",
    re.IGNORECASE,
)
# Not ":": a kicker such as "Not found: the children who vanished" is a headline.
_TITLE_SEPARATORS = re.compile(r"\s+[-|–—•·»]\s+|\s*[|•·»]\s*")
_ERROR_TEXT = re.compile(
    r"\bpage\s+not\s+found\b|\berror\s+404\b|\b404\s+error\b"
    r"|\b(?:page|content|article)\s+you(?:['’]re|\s+are|\s+were)?\s+(?:looking\s+for|requested|trying\s+to\s+\w+)"
    r"|\b(?:this|that|the)\s+page\s+(?:does\s*n[o']t|doesn['’]t|no\s+longer|might\s+not|may\s+not)\s+exist"
    r"|\b(?:can(?:no|['’])t|could\s*n(?:o|['’])t)\s+find\s+(?:the|that|this)\s+page\b",
    re.IGNORECASE,
)

# A line saying the text goes on behind the paywall. Promotions ("Subscribe to our newsletter", "Subscribe for
# unlimited access") are on free articles too and do not match.
_PAYWALL_PROMPT = re.compile(
    r"\b(?:subscribe|subscription|sign\s+(?:in|up)|log\s*in|register|become\s+a\s+(?:member|subscriber)"
    r"|start\s+(?:your|a)\s+(?:free\s+)?trial)\b.{0,80}?\bto\s+(?:(?:continue|keep)\s+reading"
    r"|read\s+(?:the\s+)?(?:full|rest|whole|entire)|unlock\s+(?:this|the\s+(?:full|rest)))"
    r"|\bto\s+(?:continue|keep)\s+reading\W+(?:please\s+)?(?:subscribe|sign|log|register|become)"
    r"|\b(?:continue|keep)\s+reading\s+(?:with|by|for)\b.{0,40}?\b(?:subscri|member|account|trial)"
    r"|\b(?:this|the\s+full|the\s+rest\s+of\s+this)\s+(?:article|story|content)\s+is\s+(?:only\s+)?"
    r"(?:(?:available|reserved|exclusive)\s+)?(?:only\s+)?(?:to|for)\s+(?:our\s+)?(?:paying\s+)?(?:subscribers|members)"
    r"|\byou(?:['’]ve|\s+have)\s+(?:reached|used)\s+(?:your|all\s+(?:of\s+)?your|the)\b.{0,30}?"
    r"\b(?:limit|free\s+(?:articles|stories))",
    re.IGNORECASE,
)

# Words, or single CJK characters (those scripts do not space words): over-counting there errs towards passing.
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]|[^\W\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]+")
_WS = re.compile(r"\s+")

# XPaths over the content: what a reader sees, outside the page's chrome (nav, header, footer, aside).
_HIDDEN = "ancestor::script or ancestor::style or ancestor::noscript or ancestor::template or ancestor::svg"
_CHROME = "ancestor-or-self::nav or ancestor-or-self::header or ancestor-or-self::footer or ancestor-or-self::aside"
_VISIBLE_TEXT = XPath(f".//text()[not({_HIDDEN} or {_CHROME})]")
_LINK_TEXT = XPath(f".//a//text()[not({_HIDDEN} or {_CHROME})]")
_ANCHORS = XPath(f".//a[@href][not({_CHROME})]")
_IMAGES = XPath(f".//img[not({_CHROME})]")
_CAPTIONS = XPath(f".//figure//figcaption[not({_CHROME})]")
# Three ways to mark up a list of stories: <article>s, linked headings, list items with a link and a blurb.
_TEASER_MARKUP = (
    XPath(f".//article[not({_CHROME})]"),
    XPath(f".//*[self::h2 or self::h3 or self::h4][.//a[@href]][not({_CHROME})]"),
    XPath(f".//li[.//a[@href]][.//p or .//time or .//img][not({_CHROME})]"),
)


# --- signals --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageSignals:
    """Cheap facts about a raw page, read once before the text is judged."""

    jsonld_types: frozenset[str] = frozenset()
    article_objects: int = 0  # JSON-LD objects of an article type: a list of many is an index's markup
    og_type: str | None = None  # lower-cased: "article", "website", "video.other", ...
    accessible_for_free: bool | None = None  # schema.org isAccessibleForFree, False when any part says so
    # Texts of the content's links (outside nav, header, footer, aside) of HEADLINE_MIN_WORDS words and more,
    # case-folded: an index's headlines, a teaser card's whole text.
    link_texts: frozenset[str] = frozenset()
    link_text_share: float = 0.0  # share of the content's visible text that is inside <a>
    teasers: int = 0  # the most of: <article>s, headings holding a link, list items with a link and a blurb
    players: int = 0  # <video>s and video-player <iframe>s
    images: int = 0  # <img>s in the content
    captions: tuple[str, ...] = ()  # the content's <figure>s' <figcaption>s: the cleaned text may hold them
    title: str = ""  # the <title>, whitespace collapsed
    url_kind: str | None = None  # "listing", "video" or "gallery" when the URL's path says so


def url_kind(url: str) -> str | None:
    """What a URL's path says the page is: "listing" (tag, section, author, search, page N, the home page),
    "video", "gallery", or None (an article, or nothing said). Queries are not read: articles carry ?page=1 too."""
    path = urlsplit(url).path or "/"
    if path == "/" or _LIST_PATH.search(path):
        return "listing"
    if _VIDEO_PATH.search(path):
        return "video"
    if _GALLERY_PATH.search(path):
        return "gallery"
    return None


def _is_article_type(kind: str) -> bool:
    return kind in ARTICLE_TYPES or kind.endswith("Article")


def _free_flags(node: object, depth: int = 0) -> list[bool]:
    """Every isAccessibleForFree in a JSON-LD object and its parts (hasPart holds the paywalled section)."""
    if depth > 4:
        return []
    if isinstance(node, list):
        return [flag for item in node for flag in _free_flags(item, depth + 1)]
    if not isinstance(node, dict):
        return []
    flags = []
    value = node.get("isAccessibleForFree")
    if isinstance(value, bool):
        flags.append(value)
    elif isinstance(value, str) and value.strip().lower() in ("true", "false"):
        flags.append(value.strip().lower() == "true")
    return flags + _free_flags(node.get("hasPart"), depth + 1)


def _accessible_for_free(meta: PageMeta) -> bool | None:
    flags = [flag for obj in meta.jsonld for flag in _free_flags(obj)]
    flags += [value.strip().lower() == "true" for value in meta.meta.get("isaccessibleforfree", ())]
    if not flags:
        return None
    return all(flags)


def _chars(nodes: list) -> int:
    return sum(len(_WS.sub("", str(node))) for node in nodes)


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _headline_length(text: str) -> bool:
    # Space-separated words: a URL as link text ("http://amzn.to/2iJF") is one, and no headline.
    return len(text.split()) >= HEADLINE_MIN_WORDS


def _text_of(element: HtmlElement) -> str:
    return _WS.sub(" ", "".join(element.itertext())).strip()


def page_signals(tree: HtmlElement, url: str, meta: PageMeta) -> PageSignals:
    """The page's signals from its parsed tree, which is only read: the same tree can go to trafilatura.

    The page's layout (link-text share, teasers: the slowest reads) serves only the index rule, which a page
    declaring itself an article never meets, so such a page skips it.
    """
    body = tree.find(".//body")
    root = body if body is not None else tree
    types = meta.types()
    declared = PageSignals(
        jsonld_types=frozenset(types),
        article_objects=sum(1 for _ in meta.objects_of(*(t for t in types if _is_article_type(t)))),
        og_type=(meta.first_meta("og:type") or "").lower() or None,
    )
    link_text_share, teasers = 0.0, 0
    if not _declares_article(declared):
        visible, linked = _chars(_VISIBLE_TEXT(root)), _chars(_LINK_TEXT(root))
        link_text_share = round(linked / visible, 3) if visible else 0.0
        teasers = max(len(markup(root)) for markup in _TEASER_MARKUP)
    frames = [f.get("src") or f.get("data-src") or "" for f in root.iter("iframe")]
    captions = (_text_of(caption) for caption in _CAPTIONS(root))
    return replace(
        declared,
        accessible_for_free=_accessible_for_free(meta),
        link_texts=frozenset(t for t in (_text_of(a).casefold() for a in _ANCHORS(root)) if _headline_length(t)),
        link_text_share=link_text_share,
        teasers=teasers,
        players=len(list(root.iter("video"))) + sum(bool(_VIDEO_EMBED.search(src)) for src in frames),
        images=len(_IMAGES(root)),
        captions=tuple(caption for caption in captions if caption),
        title=_WS.sub(" ", tree.findtext(".//title") or "").strip(),
        url_kind=url_kind(url),
    )


# --- verdict --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    reason: str | None  # None: an article; else "index_page", "video_page", "gallery", "error_page", "paywall_stub"
    paywalled: bool  # the text we have is truncated by a paywall (kept, but flagged)
    detail: str = ""  # the evidence, short, for the warehouse's reason column


@dataclass(frozen=True, slots=True)
class _Text:
    blocks: tuple[str, ...]  # the story's blocks, a trailing subscription prompt left out
    words: int
    running: int  # words outside blocks that are a link's text or a caption

    @property
    def median_block_words(self) -> float:
        return statistics.median(_words(block) for block in self.blocks) if self.blocks else 0.0


def _blocks(text: str) -> list[str]:
    """Blocks are lines: the pipeline's blank-line paragraphs and trafilatura's one-per-line output both split right."""
    lines = (_WS.sub(" ", raw).strip().lstrip("-•*· ") for raw in text.splitlines())  # trafilatura's "- " items
    return [line for line in lines if _WORD.search(line)]


def _prompt_at(blocks: list[str]) -> int | None:
    """Where a trailing "subscribe to continue reading" prompt begins among the last blocks."""
    for i in range(max(0, len(blocks) - PAYWALL_PROMPT_BLOCKS), len(blocks)):
        if _words(blocks[i]) <= PAYWALL_PROMPT_MAX_WORDS and _PAYWALL_PROMPT.search(blocks[i]):
            return i
    return None


def _declares_article(signals: PageSignals) -> bool:
    # Many article objects are a list's markup (one per teaser), not an article.
    return 0 < signals.article_objects < LISTED_ARTICLES or signals.og_type == "article"


def _error_title(title: str) -> bool:
    """The title, or one of its "Site | Section | Headline" parts, is nothing but an error."""
    segments = [title, *_TITLE_SEPARATORS.split(title)]
    return any(_ERROR_TITLE.fullmatch(segment.strip(" !.?…")) for segment in segments)


def _error_page(signals: PageSignals, text: _Text, title: str | None) -> str | None:
    for candidate in (title or "", signals.title):
        if candidate and _error_title(candidate) and text.words < ERROR_TITLE_MAX_WORDS:
            return f"title {candidate[:60]!r}, {text.words} words"
    message = _ERROR_TEXT.search(" ".join(text.blocks[:ERROR_LEAD_BLOCKS]))
    if message and text.words < ERROR_TEXT_MAX_WORDS:
        return f"text {message.group(0)!r}, {text.words} words"
    return None


def _listing_declared(signals: PageSignals) -> str | None:
    listing = sorted(signals.jsonld_types & LISTING_TYPES)
    if listing:
        return listing[0]
    if signals.article_objects >= LISTED_ARTICLES:
        return f"{signals.article_objects} article objects"
    if signals.jsonld_types and signals.jsonld_types <= SITE_TYPES and "WebSite" in signals.jsonld_types:
        return "WebSite only"
    if signals.og_type == "website" and signals.url_kind == "listing":
        return "og:type website"
    return None


def _is_headline(block: str, link_texts: frozenset[str]) -> bool:
    """A block that is a link's text, lies inside one (a teaser card that is one link), or begins with one
    (trafilatura glues a teaser's headline to its blurb)."""
    if not _headline_length(block):
        return False
    folded = block.casefold()
    return any(folded in text or folded.startswith(text) for text in link_texts)


def _is_furniture(block: str, signals: PageSignals) -> bool:
    """A block that is no running text: a link's text (a related-stories rail) or a photo's caption."""
    if any(block in caption for caption in signals.captions):
        return True
    folded = block.casefold()
    return _headline_length(block) and any(folded in text for text in signals.link_texts)


def _index_page(signals: PageSignals, text: _Text) -> str | None:
    """Two kinds of evidence among: what the page declares, its URL, its layout, its headlines, its blurbs; or a
    text that is mostly headlines."""
    if _declares_article(signals):
        return None
    headlines = sum(_is_headline(block, signals.link_texts) for block in text.blocks)
    if headlines >= HEADLINE_MIN_BLOCKS and headlines >= HEADLINE_MAJORITY * len(text.blocks):
        return f"{headlines} of {len(text.blocks)} blocks are headlines"
    many_teasers = signals.link_text_share >= INDEX_LINK_SHARE and signals.teasers >= INDEX_TEASERS
    list_shaped = (
        text.words < LIST_TEXT_MAX_WORDS
        and len(text.blocks) >= LIST_TEXT_MIN_BLOCKS
        and text.median_block_words <= LIST_TEXT_MEDIAN_WORDS
    )
    evidence = [
        _listing_declared(signals),
        "listing URL" if signals.url_kind == "listing" else None,
        f"link text {signals.link_text_share:.0%}, {signals.teasers} teasers" if many_teasers else None,
        f"{headlines} of {len(text.blocks)} blocks are headlines"
        if headlines >= HEADLINE_MIN_BLOCKS and headlines >= HEADLINE_BLOCK_SHARE * len(text.blocks)
        else None,
        f"{len(text.blocks)} blocks of {text.median_block_words:g} words" if list_shaped else None,
    ]
    found = [item for item in evidence if item]
    return ", ".join(found) if len(found) >= 2 else None


def _video_page(signals: PageSignals, text: _Text) -> str | None:
    declares_video = signals.jsonld_types & VIDEO_TYPES
    article = _declares_article(signals)
    if (signals.og_type or "").startswith("video"):
        declared = f"og:type {signals.og_type}"
    elif declares_video and not article:
        declared = sorted(declares_video)[0]
    elif signals.url_kind == "video" and not article:
        declared = "video URL"
    else:
        return None
    # Players are often written in by script: a declared VideoObject stands for one.
    if (signals.players or declares_video) and text.running < VIDEO_MAX_WORDS:
        return f"{declared}, players {signals.players}, {text.running} words of text"
    return None


def _gallery(signals: PageSignals, text: _Text) -> str | None:
    if declared := sorted(signals.jsonld_types & GALLERY_TYPES):
        evidence = declared[0]
    elif signals.url_kind == "gallery" and signals.images >= GALLERY_MIN_IMAGES:
        evidence = f"gallery URL, {signals.images} images"
    elif len(signals.captions) >= GALLERY_MIN_FIGURES:
        evidence = f"{len(signals.captions)} captioned figures"
    else:
        return None
    return f"{evidence}, {text.running} words besides captions" if text.running < GALLERY_MAX_WORDS else None


def _paywall_evidence(signals: PageSignals, access_status: str, prompt: str | None) -> str | None:
    if access_status == "paywalled":
        return "access paywalled"
    if signals.accessible_for_free is False:
        return "isAccessibleForFree false"
    return f"prompt {prompt[:40]!r}" if prompt else None


def judge(signals: PageSignals, text: str, title: str | None, *, access_status: str = "ok") -> Verdict:
    """Whether a cleaned page is an article. The first rule that holds gives the reason (an error page's or an
    index's short text is no paywall's teaser); paywall evidence flags the verdict whatever it is."""
    blocks = _blocks(text)
    prompt_at = _prompt_at(blocks)
    story = blocks[:prompt_at] if prompt_at is not None else blocks
    shape = _Text(
        tuple(story),
        words=sum(_words(block) for block in story),
        running=sum(_words(block) for block in story if not _is_furniture(block, signals)),
    )
    paywall = _paywall_evidence(signals, access_status, blocks[prompt_at] if prompt_at is not None else None)
    for reason, detail in (
        ("error_page", _error_page(signals, shape, title)),
        ("index_page", _index_page(signals, shape)),
        ("video_page", _video_page(signals, shape)),
        ("gallery", _gallery(signals, shape)),
    ):
        if detail:
            return Verdict(reason, paywalled=paywall is not None, detail=detail)
    if paywall and shape.running < PAYWALL_STUB_WORDS:
        return Verdict("paywall_stub", paywalled=True, detail=f"{paywall}, {shape.running} words of text")
    if paywall:
        return Verdict(None, paywalled=True, detail=f"{paywall}, {shape.running} words kept")
    return Verdict(None, paywalled=False)
