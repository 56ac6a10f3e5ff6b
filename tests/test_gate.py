"""The quality gate on realistic pages built here (index, tag, error, paywall, video and gallery pages, and articles
that must pass) and on the 88 real article pages of the zyte-dev benchmark."""

from __future__ import annotations

import gzip
import json
from html import escape

import lxml.html
import pytest
import trafilatura

from conftest import ZYTE
from wirehouse.tasks.gate import PageSignals, Verdict, judge, page_signals, url_kind
from wirehouse.tasks.page_meta import read_page_meta
from wirehouse.tasks.sniff import classify_page

SITE = "https://courier.example"

STORY = [
    "The city council voted 7-2 on Tuesday night to close the Harbour Street bridge to cars from March, ending "
    "months of argument over the crumbling 1920s crossing that carries about 14,000 vehicles a day.",
    "Engineers told councillors in September that corrosion in the bridge's steel bearings had spread faster than "
    "expected, and that the weight limit imposed last year could no longer guarantee its safety under heavy traffic.",
    "Buses will be diverted over the Mill Road crossing, adding about six minutes to the number 12 and 14 routes, "
    "the transit authority said. Pedestrians and cyclists will still be allowed on the bridge while it is repaired.",
    "Shop owners on Harbour Street, many of whom spoke against the closure at a packed public hearing last month, "
    "said they feared losing passing trade during the busiest months of the year for the waterfront.",
    "Mayor Ellen Okafor said the council had no responsible alternative. She said the city would spend 1.2 million "
    "on signs, temporary parking and a marketing campaign to bring visitors to the street while work continues.",
    "The repairs, estimated at 38 million, are expected to take at least two years. The provincial government has "
    "promised to pay about half of the cost, and the city will borrow the rest over twenty years, officials said.",
    "Councillor David Reyes, who voted against the plan, said the city had ignored warnings about the bridge for a "
    "decade and was now asking residents and businesses to pay for that neglect with years of disruption.",
    "A report commissioned by the council in 2016 had recommended replacing the bearings within five years. That "
    "work was postponed twice as the city redirected money to road resurfacing and a new library branch.",
    "Traffic engineers expect congestion on Mill Road and along the ring road to rise sharply at rush hour, and the "
    "police said officers would direct traffic at the busiest junctions during the first weeks of the closure.",
    "The council will hold an information session for residents and business owners at the central library on "
    "January 14, where engineers will explain the schedule and answer questions about access during the works.",
]
TEASERS = [
    ("Storm Brenna floods coastal roads and halts trains", "An amber rain warning remains in place after more than "
     "100mm of rain fell overnight in parts of the region."),
    ("Inflation eases to 2.6% as food price rises slow", "Consumer price inflation fell more than expected in "
     "October, strengthening the case for a rate cut."),
    ("Museum to return 17 Benin objects to Nigeria", "The handover, agreed after two years of talks, includes brass "
     "plaques and an ivory mask."),
    ("Chipmaker picks Newport for new compound semiconductor plant", "The factory will create about 900 jobs and make "
     "chips for data centres."),
    ("Hospital bracing for an early flu surge", "Staff describe the juggling act that keeps patients moving through "
     "an overstretched system."),
    ("Why the northern rail upgrade keeps slipping", "Another delay has revived an old question about building big "
     "railways on time."),
    ("Court rules police facial recognition vans unlawful", "Three judges found the watchlist rules too vague in a "
     "ruling that could pause deployments."),
    ("Budget talks stall as net payers dig in", "Ministers left without a negotiating framework after a late-night "
     "session exposed deep splits."),
    ("Ferry operator orders two electric ships", "The vessels will replace diesel ferries on the island route from "
     "2028, the company said."),
    ("School meals price rise approved by board", "Parents will pay 20 cents more per lunch from January after a "
     "narrow vote on Monday."),
    ("Library branch to open on Sundays from spring", "The pilot scheme follows a petition signed by more than 3,000 "
     "residents last year."),
    ("Harbour festival returns with a bigger fireworks show", "Organisers expect 40,000 visitors over the three days "
     "of the summer event."),
]
NAV = "".join(f'<li><a href="{SITE}/{s.lower()}">{s}</a></li>' for s in ("News", "World", "Business", "Sport", "Arts"))
HEADER = f'<header><a href="{SITE}/">The Daily Courier</a><nav><ul>{NAV}</ul></nav></header>'
FOOTER = (f'<footer><p>Subscribe to our newsletter to get the morning briefing.</p><a href="{SITE}/about">About us</a>'
          f' <a href="{SITE}/privacy">Privacy policy</a> <a href="{SITE}/contact">Contact the newsroom</a></footer>')


def ld(obj: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def og(kind: str, title: str) -> str:
    return f'<meta property="og:type" content="{kind}"><meta property="og:title" content="{escape(title)}">'


def news_article(headline: str, **extra: object) -> str:
    return ld({"@context": "https://schema.org", "@type": "NewsArticle", "headline": headline,
               "datePublished": "2024-11-19T08:00:00Z", "author": {"@type": "Person", "name": "Ana Lima"}, **extra})


def page(title: str, main: str, *, head: str = "", rail: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | The Daily Courier'
            f'</title>{head}</head><body>{HEADER}<main>{main}</main>{rail}{FOOTER}</body></html>')


def paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{escape(t)}</p>" for t in texts)


def teaser_list(count: int, *, excerpt: str = "") -> str:
    items = (f'<article class="teaser"><h2><a href="{SITE}/news/{i}">{escape(h)}</a></h2><time>19 November 2024'
             f'</time><p>{escape(blurb)}{excerpt}</p></article>' for i, (h, blurb) in enumerate(TEASERS[:count]))
    return "".join(items)


def story_page(headline: str, main: str, *, head: str = "", rail: str = "") -> str:
    return page(headline, f"<article><h1>{escape(headline)}</h1><p>By Ana Lima</p>{main}</article>", head=head,
                rail=rail)


def verdict(html: str | bytes, url: str, *, sniff: bool = True) -> Verdict:
    """The gate as the pipeline runs it: sniffed access status, page signals, trafilatura's main text."""
    body = html.encode() if isinstance(html, str) else html
    tree = lxml.html.fromstring(body)
    meta = read_page_meta(tree)
    doc = trafilatura.bare_extraction(body, url=url, favor_precision=True, include_comments=False)
    status = classify_page(200, "text/html; charset=utf-8", body, None) if sniff else "ok"
    return judge(page_signals(tree, url, meta), doc.text if doc else "", meta.first_meta("og:title"),
                 access_status=status)


# --- pages that are no article --------------------------------------------------------------------------------

HOME = page(
    "Local news, sport and weather",
    f"<h1>Top stories</h1>{teaser_list(12)}",
    head=og("website", "The Daily Courier") + ld({"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "url": f"{SITE}/", "name": "The Daily Courier",
         "potentialAction": {"@type": "SearchAction", "target": f"{SITE}/search?q={{q}}"}},
        {"@type": "NewsMediaOrganization", "name": "The Daily Courier", "url": f"{SITE}/"}]}),
)
# WordPress and Yoast: a CollectionPage, 50-word excerpts and "Read more" links.
TAG_PAGE = page(
    "Climate",
    "<h1>Tag: climate</h1>" + teaser_list(10, excerpt=" " + STORY[1] + ' <a href="#">Read more</a>')
    + f'<a href="{SITE}/tag/climate/page/2/">Older posts</a>',
    head=og("website", "Climate Archives") + ld({"@context": "https://schema.org", "@graph": [
        {"@type": "CollectionPage", "@id": f"{SITE}/tag/climate/", "name": "Climate Archives"},
        {"@type": "BreadcrumbList", "itemListElement": [{"@type": "ListItem", "position": 1, "name": "Home"}]},
        {"@type": "WebSite", "@id": f"{SITE}/#website", "name": "The Daily Courier"}]}),
)
# No metadata at all: a plain list of headlines with a date and a blurb each.
SECTION_PAGE = page(
    "World",
    "<h1>World</h1><ul>" + "".join(f'<li><a href="{SITE}/world/{i}">{escape(h)}</a><time>19 November</time>'
                                   f"<p>{escape(b)}</p></li>" for i, (h, b) in enumerate(TEASERS)) + "</ul>",
)
SOFT_404 = page(
    "Page not found",
    "<h1>Oops! That page can’t be found.</h1><p>It looks like nothing was found at this location. Maybe try one "
    "of the links below or a search?</p>",
    rail=f"<section><h2>Most read</h2>{teaser_list(5)}</section>",
)
PAYWALL_NOTICE = ('<div class="paywall"><p>Subscribe to continue reading. Already a subscriber? '
                  f'<a href="{SITE}/login">Log in</a></p></div>')
PAYWALL_META = og("article", "Bridge to close to cars") + news_article(
    "Bridge to close to cars", isAccessibleForFree="False",
    hasPart={"@type": "WebPageElement", "isAccessibleForFree": "False", "cssSelector": ".paywall"},
)
PAYWALL_STUB = story_page("Bridge to close to cars", paragraphs(STORY[:1]) + PAYWALL_NOTICE, head=PAYWALL_META)
PAYWALLED_ARTICLE = story_page("Bridge to close to cars", paragraphs(STORY[:8]) + PAYWALL_NOTICE, head=PAYWALL_META)
VIDEO_PAGE = page(
    "Watch: waves batter the harbour wall",
    '<h1>Watch: waves batter the harbour wall</h1><div class="player"><iframe width="640" height="360" '
    'src="https://www.youtube.com/embed/dQw4w9WgXcQ" allowfullscreen></iframe></div>'
    "<p>Drone footage shows waves breaking over the harbour wall as Storm Brenna hit the coast.</p>",
    head=og("video.other", "Watch: waves batter the harbour wall") + ld({
        "@context": "https://schema.org", "@type": "VideoObject", "name": "Waves batter the harbour wall",
        "uploadDate": "2024-11-19", "embedUrl": "https://www.youtube.com/embed/dQw4w9WgXcQ",
        "thumbnailUrl": f"{SITE}/img/storm.jpg"}),
    rail=f"<section><h2>More videos</h2>{teaser_list(4)}</section>",
)
# Publishers mark galleries up as news articles too: the photos and their captions tell.
GALLERY = story_page(
    "In pictures: the harbour festival",
    "<p>Thousands turned out for the harbour festival at the weekend.</p>" + "".join(
        f'<figure><img src="{SITE}/img/festival-{i}.jpg" alt=""><figcaption>{escape(h)}. Photograph: Sam Ortiz'
        "</figcaption></figure>" for i, (h, _) in enumerate(TEASERS)),
    head=og("article", "In pictures: the harbour festival") + news_article("In pictures: the harbour festival"),
)

NOT_ARTICLES = [
    pytest.param(HOME, f"{SITE}/", "index_page", id="home-page"),
    pytest.param(TAG_PAGE, f"{SITE}/tag/climate/", "index_page", id="tag-page"),
    pytest.param(SECTION_PAGE, f"{SITE}/world", "index_page", id="section-page-without-metadata"),
    pytest.param(SOFT_404, f"{SITE}/2024/11/19/bridge-to-close", "error_page", id="soft-404"),
    pytest.param(PAYWALL_STUB, f"{SITE}/news/bridge-to-close", "paywall_stub", id="paywall-stub"),
    pytest.param(VIDEO_PAGE, f"{SITE}/video/harbour-waves-5521", "video_page", id="video-page"),
    pytest.param(GALLERY, f"{SITE}/news/harbour-festival-pictures", "gallery", id="gallery"),
]


@pytest.mark.parametrize(("html", "url", "reason"), NOT_ARTICLES)
def test_pages_that_are_no_article_are_rejected_with_their_evidence(html: str, url: str, reason: str) -> None:
    result = verdict(html, url)
    assert result.reason == reason, result
    assert result.detail


def test_a_long_paywalled_article_is_kept_and_flagged() -> None:
    result = verdict(PAYWALLED_ARTICLE, f"{SITE}/news/bridge-to-close")
    assert result == Verdict(None, paywalled=True, detail=result.detail)
    assert "paywalled" in result.detail


# --- articles that must pass ----------------------------------------------------------------------------------

RAIL = f'<section class="more-news"><h2>More news</h2>{teaser_list(12)}</section>'
LINKED = [
    "The council voted on Tuesday to close the <a href='/bridge'>Harbour Street bridge</a> to cars, following a "
    "<a href='/report'>2016 engineering report</a> and <a href='/hearing'>a packed public hearing</a> last month.",
    "Buses will use the <a href='/mill-road'>Mill Road crossing</a>, the <a href='/transit'>transit authority</a> "
    "said, and <a href='/cyclists'>cyclists</a> keep their lane during <a href='/works'>the repairs</a>.",
    "<a href='/okafor'>Mayor Ellen Okafor</a> said the city would spend 1.2 million on signs and parking, and "
    "pointed to <a href='/budget'>the budget</a> and <a href='/plan'>the transport plan</a> adopted in June.",
    "<a href='/reyes'>Councillor David Reyes</a> said the city had ignored warnings for a decade, citing "
    "<a href='/minutes'>the minutes of 2018</a>, <a href='/audit'>an audit</a> and <a href='/letters'>letters</a>.",
    "The province promised half of the cost, <a href='/province'>its finance ministry</a> confirmed in "
    "<a href='/statement'>a statement</a>; the rest will be <a href='/borrowing'>borrowed over twenty years</a>.",
]
BRIEF_TEXT = [*STORY[:4], "The council will hold an information session for residents at the library on January 14."]
ARTICLES = [
    # 150 words, a rail of 12 teasers beside it (not in an <aside>).
    pytest.param("Bridge to close to cars in March", paragraphs(BRIEF_TEXT), "", id="short-brief"),
    pytest.param(
        "Storm Brenna: harbour wall holds as waves hit",
        paragraphs(STORY[:2]) + '<figure><iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>'
        "<figcaption>Drone footage of the harbour wall</figcaption></figure>" + paragraphs(STORY[2:5]),
        ld({"@context": "https://schema.org", "@type": "VideoObject", "name": "Waves at the harbour wall",
            "embedUrl": "https://www.youtube.com/embed/dQw4w9WgXcQ", "uploadDate": "2024-11-19"}),
        id="article-with-video",
    ),
    pytest.param("Council votes to close bridge", "".join(f"<p>{p}</p>" for p in LINKED), "", id="many-links"),
    pytest.param(
        "Harbour festival draws record crowds",
        paragraphs(STORY[:2]) + "".join(
            f'<figure><img src="{SITE}/img/{i}.jpg" alt=""><figcaption>{escape(h)}. Photograph: Sam Ortiz'
            "</figcaption></figure>" for i, (h, _) in enumerate(TEASERS[:3])) + paragraphs(STORY[2:4]),
        "", id="article-with-3-photos",
    ),
]


@pytest.mark.parametrize(("headline", "main", "extra_head"), ARTICLES)
@pytest.mark.parametrize("declared", [True, False], ids=["declared", "no-metadata"])
def test_real_articles_pass(headline: str, main: str, extra_head: str, declared: bool) -> None:
    # Without og:type and JSON-LD the page must pass on its layout and text alone.
    head = og("article", headline) + news_article(headline) + extra_head if declared else ""
    html = story_page(headline, main, head=head, rail=RAIL)
    result = verdict(html, f"{SITE}/2024/11/19/{headline.lower().replace(' ', '-')}")
    assert result == Verdict(None, paywalled=False), result


def test_short_brief_is_150_words() -> None:
    assert len(" ".join(BRIEF_TEXT).split()) >= 150


# --- single rules ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        (f"{SITE}/", "listing"),
        (f"{SITE}/tag/climate/", "listing"),
        (f"{SITE}/category/politics/", "listing"),
        (f"{SITE}/author/ana-lima/", "listing"),
        (f"{SITE}/news/page/3/", "listing"),
        (f"{SITE}/2024/11/", "listing"),
        (f"{SITE}/search?q=bridge", "listing"),
        (f"{SITE}/video/harbour-waves-5521", "video"),
        (f"{SITE}/news/gallery/harbour-festival", "gallery"),
        (f"{SITE}/2024/11/19/bridge-to-close/", None),
        (f"{SITE}/2024/11/19/politics/bridge/index.html", None),
        ("http://entermedia.example/news/news_view.html?idx=8576&page=1", None),  # a query names no listing
    ],
)
def test_url_kind(url: str, kind: str | None) -> None:
    assert url_kind(url) == kind


@pytest.mark.parametrize(
    "title", ["404 Not Found", "Page Not Found | The Daily Courier", "Oops! That page can’t be found. – Courier",
              "Error", "Error 404: page not found"],
)
def test_error_titles_on_short_texts_are_error_pages(title: str) -> None:
    assert judge(PageSignals(title=title), "We looked everywhere.", None).reason == "error_page"


@pytest.mark.parametrize(
    "title", ["Not found: the children who vanished from the care system", "Error in census leaves town short",
              "Sorry seems to be the hardest word for ministers", "404 days after the flood, families wait"],
)
def test_headlines_that_mention_errors_are_articles(title: str) -> None:
    assert judge(PageSignals(title=title), "\n\n".join(STORY[:3]), title).reason is None


@pytest.mark.parametrize(
    ("declared", "free"),
    [(False, False), ("False", False), ("false", False), (True, True), ("True", True), (None, None)],
)
def test_is_accessible_for_free_in_any_spelling(declared: object, free: bool | None) -> None:
    markup = {} if declared is None else {"isAccessibleForFree": declared}
    tree = lxml.html.fromstring(f"<html><head>{news_article('A headline', **markup)}</head><body></body></html>")
    assert page_signals(tree, f"{SITE}/news/a", read_page_meta(tree)).accessible_for_free is free


@pytest.mark.parametrize(
    "html", ["<p>Just a line</p>", "<html><head><title>Home</title></head></html>", "<svg><title>Logo</title></svg>"],
    ids=["fragment", "no-body", "svg-title"],
)
def test_fragments_and_empty_pages_do_not_break_the_gate(html: str) -> None:
    tree = lxml.html.fromstring(html)
    signals = page_signals(tree, f"{SITE}/news/a", read_page_meta(tree))
    assert judge(signals, "", None) == Verdict(None, paywalled=False)


@pytest.mark.parametrize(
    "prompt",
    ["Subscribe now to continue reading this story.", "To continue reading, please subscribe.",
     "This article is for subscribers only.", "Start your free trial to read the full story",
     "You've reached your free article limit.", "Continue reading with a Courier subscription"],
)
def test_a_trailing_subscription_prompt_flags_truncation(prompt: str) -> None:
    result = judge(PageSignals(), "\n\n".join([*STORY[:6], prompt]), None)
    assert (result.reason, result.paywalled) == (None, True)
    assert result.detail.startswith("prompt ")


@pytest.mark.parametrize(
    "promotion",
    ["Subscribe to our newsletter to read the best stories of the week", "Subscribe for unlimited access to The "
     "Courier", "Register to receive breaking news alerts", "Continue reading the main story"],
)
def test_promotions_are_no_paywall(promotion: str) -> None:
    assert judge(PageSignals(), "\n\n".join([*STORY[:2], promotion]), None) == Verdict(None, paywalled=False)


# --- real pages -----------------------------------------------------------------------------------------------


def test_real_article_pages_pass() -> None:
    truth = json.loads((ZYTE / "ground-truth.json").read_text())
    # Not sniffed (35 ms a page, this test's time budget): paywalls show in their isAccessibleForFree here.
    verdicts = {
        path.name.split(".")[0]: verdict(gzip.decompress(path.read_bytes()), truth[path.name.split(".")[0]]["url"],
                                         sniff=False)
        for path in sorted((ZYTE / "html").glob("*.html.gz"))
    }
    assert len(verdicts) == 88
    rejected = {page_id: v for page_id, v in verdicts.items() if v.reason}
    assert len(rejected) <= 1, rejected
    # Two WSJ pages hold only a paywall's teaser (the benchmark's own text for them stops at "..."): kept, flagged.
    teasers = {page_id for page_id, text in truth.items() if text["articleBody"].rstrip().endswith("...")}
    assert len(teasers) == 2 and all(verdicts[page_id].paywalled for page_id in teasers)
