"""A replay corpus for benchmarks: N news pages on many invented sites, their feeds, and what each page holds.

    .venv/bin/python bench/corpus.py --articles 100000 --out /tmp/c100k [--seed 1] [--no-eval]

Serve the folder with bench/replay.py, which answers the special paths below and writes its own base URL where
the files say ORIGIN: the feeds are written before anyone knows the port, and relative links would make every
entry a `relative_link` note in the warehouse. Output (the folder must be empty or absent):

- s/<site>/...          article pages; about max(8, N // 100) sites, each a variant of one of seven template
                        families (FAMILIES) with its own class names, boilerplate parts and their order: the HTML is
                        bench/corpus_html.py's, the plan's records (sites, pages, blocks) bench/corpus_model.py's
- feeds/<site>-<k>.xml|.atom|.json   1–3 feeds a site (RSS 2.0 mostly, Atom, JSON Feed 1.1); each page in one
- eval/<id>.html, feeds/eval.xml     the real zyte-dev pages, decompressed (unless --no-eval)
- truth.jsonl           one line per article page: {"path", "title", "text" (body paragraphs, "\\n\\n"), "kind"}
- bad.jsonl             {"path", "kind"} for the ~5% pages that are not articles or not well served (BAD_KINDS)
- manifest.json         seed, counts, feed paths, sites, eval paths → ground-truth ids, total words and bytes

The text is real English: sentences of the demo corpus and of shared/eval/enrich-dev, recombined into articles of
300–2000 words (median ~600). ~10% of the pages are wire copies of another site's story (same body, a new lead
and/or cut short). Everything is a function of the seed: the plan (sites, titles, dates, kinds) is drawn in this
process, each page from its own random stream in a pool of worker processes, so the output is byte-identical
whatever the number of workers.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import multiprocessing
import os
import random
import re
import struct
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import yaml
from corpus_html import FAMILIES, a, chrome_page, e, longdate, make_page, render, rfc3339
from corpus_model import EPOCH, ORIGIN, PLACES, SECTIONS, Block, Entry, Feed, Plan, Site, person_name, slugify

from wirehouse.demo_corpus import DEMO_DIR, load_sites, parse_article

SHARED_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
ERROR_PREFIX = "/_500/"  # replay.py answers 500 under this prefix
LOOP_PREFIX = "/_loop/"  # replay.py redirects /_loop/a/<rest> to /_loop/b/<rest> and back
SPAN_MINUTES = 60 * 24 * 60  # pages are dated in the span before EPOCH
MIN_WORDS, MEDIAN_WORDS, MAX_WORDS = 300, 600, 2000
LONGEST_SENTENCE = 55  # words; a body stops after the sentence that reaches its target, so targets stay below
MIN_ARTICLES = 40  # room for every bad kind and some articles
BAD_SHARE, SYNDICATED_SHARE = 0.05, 0.10
CHUNK = 250  # pages a worker renders per task
HUGE_BYTES = 3 * 1024 * 1024
# Not articles, or not served as one. Every kind occurs at least once; the rest are drawn by these weights (the
# 3 MB pages are rare, or a large corpus would be mostly them on disk).
BAD_KINDS = {
    "not_found": 1.0,  # listed, never written: 404
    "server_error": 1.0,  # under ERROR_PREFIX: 500
    "redirect_loop": 1.0,  # under LOOP_PREFIX
    "soft_404": 1.0,  # 200 with the site's chrome and "Page not found"
    "tiny": 1.0,  # a few words, no article
    "empty": 1.0,  # 0 bytes
    "binary": 1.0,  # PDF or PNG bytes under .html
    "huge": 0.1,  # an article inside 3 MB of inline state
    "truncated": 1.0,  # an article page cut off mid-way
    "broken_markup": 1.0,  # closing tags dropped, stray ones added
    "cp1252_as_utf8": 1.0,  # windows-1252 bytes, utf-8 declared in the header and the <meta>
    "utf8_as_cp1252": 1.0,  # utf-8 bytes, windows-1252 in the <meta> (.htm: the server sends no charset)
    "index_page": 1.0,  # a section front: a list of links
}
ARTICLE_KINDS = ("article", "syndicated")
EVAL_SITE = "zyte-dev eval pages"
EVAL_FEED = "/feeds/eval.xml"

HEAD_PARTS = ("cookie", "closebar", "nav", "ticker", "ad")
INLINE_PARTS = ("readmore", "ad", "newsletter", "caption")
TAIL_PARTS = ("share", "tags", "byline", "related", "newsletter", "comments", "ad")
# Parts a family always has: WordPress themes come with close buttons, Jetpack sharing and the comment form.
FAMILY_PARTS = {"wordpress": {"closebar", "share", "byline", "comments"}}
PREFIXES = ("", "c-", "td-", "article-", "nw-", "o-", "gp-", "story-", "x-", "mod-")

MASTHEADS = ("Courier", "Ledger", "Gazette", "Herald", "Times", "Post", "Chronicle", "Observer", "Tribune", "Dispatch",
             "Sentinel", "Journal", "Examiner", "Record", "Standard", "Bulletin", "Wire", "Press")
# Words a headline fragment should not end on.
STOPWORDS = frozenset(("a", "an", "and", "as", "at", "but", "by", "for", "from", "he", "her", "his", "in", "into", "is",
                       "it", "its", "of", "on", "or", "said", "says", "she", "that", "the", "their", "they", "this",
                       "to", "was", "we", "were", "which", "who", "with"))
CONJUNCTIONS = frozenset(("and", "but", "so", "however", "yet", "or", "also", "then"))
KICKERS = ("Analysis", "Explainer", "Live", "Exclusive", "Opinion", "Watch")
_SENTENCE_BREAK = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[\"“‘(]?[A-Z0-9])")
_ABBREVIATION = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Capt|No|Jr|Sr|Inc|Corp|Ltd|Jan|Feb|Aug"
                           r"|Sept|Oct|Nov|Dec|vs)|\b[A-Z])\.$")
_SENTENCE_END = re.compile(r"[.!?][\"”’)]?$")


# -- the plan: sites and pages, drawn in order from one random stream ---------------------------------------------


def sentence_pool(shared_eval: Path = SHARED_EVAL) -> tuple[str, ...]:
    """Sentences of the demo articles and of the enrich-dev news texts (when that folder exists), deduplicated."""
    paragraphs = [paragraph for site in load_sites(DEMO_DIR / "sites.yaml")
                  for path in sorted((DEMO_DIR / "articles" / site.id).glob("*.md"))
                  for paragraph in parse_article(path, site).paragraphs]
    for doc in sorted((shared_eval / "enrich-dev" / "docs").glob("*.txt")):
        # The first block is the headline and a date line.
        paragraphs.extend(block for block in doc.read_text(encoding="utf-8").split("\n\n")[1:] if block.strip())
    sentences = (sentence for paragraph in paragraphs for sentence in _sentences(paragraph))
    return tuple(dict.fromkeys(s for s in sentences if _usable(s)))


def _sentences(paragraph: str) -> Iterator[str]:
    pending = ""
    for piece in _SENTENCE_BREAK.split(" ".join(paragraph.split())):
        pending = f"{pending} {piece}" if pending else piece
        if not _ABBREVIATION.search(pending):  # "Dr. Haddadin" is one sentence
            yield pending
            pending = ""
    if pending:
        yield pending


def _usable(sentence: str) -> bool:
    quotes_closed = sentence.count('"') % 2 == 0 and sentence.count("“") == sentence.count("”")
    return 5 <= len(sentence.split()) <= LONGEST_SENTENCE and bool(_SENTENCE_END.search(sentence)) and quotes_closed


def make_plan(n: int, seed: int, pool: tuple[str, ...] | None = None) -> Plan:
    if n < MIN_ARTICLES:
        raise ValueError(f"at least {MIN_ARTICLES} articles, so that every bad kind fits")
    rng = random.Random(seed)
    pool = pool or sentence_pool()
    sites = [_site(rng, k) for k in range(max(8, n // 100))]
    weights = [rng.lognormvariate(0, 1) for _ in sites]  # a few big sites, many small ones
    owners = list(range(len(sites))) + rng.choices(range(len(sites)), weights=weights, k=n - len(sites))
    kinds = _kinds(rng, n)
    published = [EPOCH - timedelta(minutes=rng.randrange(1, SPAN_MINUTES)) for _ in range(n)]
    titles = [_headline(rng, pool) for _ in range(n)]
    articles = [i for i, kind in enumerate(kinds) if kind == "article"]
    entries: list[Entry] = []
    for i, kind in enumerate(kinds):
        summary, section = rng.choice(pool), rng.choice(SECTIONS)
        authors = tuple(person_name(rng) for _ in range(rng.choice((0, 1, 1, 1, 1, 2))))
        source = -1
        if kind == "syndicated":  # a wire copy: another site's story, hours later, often under the same headline
            source = _other_site_article(rng, articles, owners, owners[i])
            published[i] = min(EPOCH, published[source] + timedelta(minutes=rng.randrange(20, 720)))
            titles[i] = titles[source] if rng.random() < 0.7 else titles[i]
        path = _path(sites[owners[i]], i, kind, titles[i], section, published[i])
        entries.append(Entry(i, owners[i], kind, path, titles[i], summary, authors, section, published[i], source))
    by_site = [sorted((i for i in range(n) if owners[i] == k), key=lambda i: (published[i], i), reverse=True)
               for k in range(len(sites))]
    sites = [replace(site, feeds=_feeds(rng, site, len(pages))) for site, pages in zip(sites, by_site, strict=True)]
    return Plan(seed, pool, tuple(sites), tuple(entries), tuple(tuple(pages) for pages in by_site))


def _site(rng: random.Random, k: int) -> Site:
    family = FAMILIES[k % len(FAMILIES)]  # round robin: every family occurs from 7 sites on
    place, masthead = rng.choice(PLACES), rng.choice(MASTHEADS)
    forced = FAMILY_PARTS.get(family, set())
    head = [part for part in HEAD_PARTS if part in forced or rng.random() < 0.6]
    tail = [part for part in TAIL_PARTS if part in forced or rng.random() < 0.5]
    rng.shuffle(head)
    rng.shuffle(tail)
    return Site(
        id=f"{slugify(place)}-{slugify(masthead)}-{k}",
        name=f"The {place} {masthead}",
        family=family,
        prefix=rng.choice(PREFIXES),
        head=tuple(head),
        inline=tuple(part for part in INLINE_PARTS if rng.random() < 0.5),
        tail=tuple(tail),
        variant=rng.randrange(1 << 30),
        url_style=rng.randrange(4),
        jsonld=family != "tables" and rng.random() < 0.85,
    )


def _kinds(rng: random.Random, n: int) -> list[str]:
    bad = max(len(BAD_KINDS), round(n * BAD_SHARE))
    chosen = rng.sample(range(n), bad + round((n - bad) * SYNDICATED_SHARE))
    extra = rng.choices(list(BAD_KINDS), weights=list(BAD_KINDS.values()), k=bad - len(BAD_KINDS))
    kinds = ["article"] * n
    for i, kind in zip(chosen, [*BAD_KINDS, *extra, *["syndicated"] * (len(chosen) - bad)], strict=True):
        kinds[i] = kind
    return kinds


def _other_site_article(rng: random.Random, articles: list[int], owners: list[int], site: int) -> int:
    for _ in range(50):  # sites are many and small, so this ends at once but for pathological plans
        source = rng.choice(articles)
        if owners[source] != site:
            return source
    return source


def _feeds(rng: random.Random, site: Site, pages: int) -> tuple[Feed, ...]:
    count = min(pages, rng.choice((1, 1, 2, 2, 3)))
    extensions = rng.choices((".xml", ".atom", ".json"), weights=(7, 2, 1), k=count)
    return tuple(Feed(f"/feeds/{site.id}-{k}{ext}", rng.random() < 0.7, rng.random() < 0.6)
                 for k, ext in enumerate(extensions, 1))


def _path(site: Site, index: int, kind: str, title: str, section: str, published: datetime) -> str:
    slug = f"{slugify(title)[:60].rstrip('-')}-{index}"
    tail = (f"{published:%Y/%m/%d}/{slug}.html", f"{slugify(section)}/{slug}.html",
            f"news/{published:%Y%m%d}/{slug}.html", f"article/{index}/{slug}.html")[site.url_style]
    path = f"/s/{site.id}/{tail}"
    if kind == "server_error":
        return ERROR_PREFIX + path[1:]
    if kind == "redirect_loop":
        return f"{LOOP_PREFIX}a/{path[1:]}"
    return path.removesuffix(".html") + ".htm" if kind == "utf8_as_cp1252" else path


def _fragment(rng: random.Random, sentence: str, shortest: int, longest: int) -> str:
    """The start of a sentence as a headline: its first clause when that is short enough, no trailing 'of the'."""
    raw = sentence.split()
    clause = next((k + 1 for k, word in enumerate(raw) if word.endswith((",", ";", ":"))), len(raw))
    words = [word for word in (w.strip("“”\"‘’(),;:") for w in raw) if word]
    if words and words[0].lower() in CONJUNCTIONS:
        words = words[1:]
    part = words[: clause if shortest <= clause <= longest else rng.randint(shortest, longest)]
    while len(part) > 2 and part[-1].lower().rstrip(".!?") in STOPWORDS:
        part.pop()
    text = " ".join(part).rstrip(".!?")
    return text[:1].upper() + text[1:]


def _headline(rng: random.Random, pool: tuple[str, ...]) -> str:
    title = _fragment(rng, rng.choice(pool), 4, 11)
    return f"{rng.choice(KICKERS)}: {title}" if rng.random() < 0.1 else title


# -- article bodies -------------------------------------------------------------------------------------------------


def body(plan: Plan, entry: Entry) -> tuple[Block, ...]:
    """The story's blocks; a syndicated copy's are its source's, with a new lead and/or cut short."""
    if entry.kind != "syndicated":
        return _own_body(plan, entry.index)
    blocks = list(_own_body(plan, entry.source))
    rng = random.Random(f"{plan.seed}:wire:{entry.index}")
    change = rng.choice(("lead", "cut", "both"))
    if change != "cut":  # a new top paragraph, no shorter than the one it replaces (the story keeps its length)
        lead: list[str] = []
        while sum(len(sentence.split()) for sentence in lead) < len(blocks[0].texts[0].split()):
            lead.append(rng.choice(plan.pool))
        blocks[0] = Block("p", (" ".join(lead),))
    if change != "lead":  # the shortest run of leading blocks that has `keep` words
        keep = max(MIN_WORDS, int(words(blocks) * rng.uniform(0.55, 0.85)))
        while words(blocks[:-1]) >= keep:
            blocks.pop()
    while words(blocks) > MAX_WORDS:  # a longer lead on a long story
        blocks.pop()
    while blocks[-1].kind == "h2":
        blocks.pop()
    return tuple(blocks)


def _own_body(plan: Plan, index: int) -> tuple[Block, ...]:
    rng = random.Random(f"{plan.seed}:body:{index}")
    target = 0
    while not MIN_WORDS <= target <= MAX_WORDS - LONGEST_SENTENCE:
        target = round(rng.lognormvariate(0, 0.5) * MEDIAN_WORDS)
    # Sentences have 5 words or more: this many always reach the target, headings included.
    sentences = iter(rng.sample(plan.pool, min(len(plan.pool), MAX_WORDS // 4)))
    blocks: list[Block] = []
    count, since_heading = 0, 0
    while count < target:
        roll = rng.random()
        if since_heading >= 4 and target - count > 150 and roll < 0.25:
            blocks.append(Block("h2", (_fragment(rng, next(sentences), 3, 6),)))
            since_heading = 0
            continue
        kind = "p" if not blocks or roll > 0.1 else ("quote" if roll < 0.06 else "list")
        size = {"p": rng.choice((1, 2, 2, 3, 3, 4)), "quote": 1, "list": rng.randint(3, 5)}[kind]
        texts: list[str] = []
        while len(texts) < size and count < target:
            texts.append(next(sentences))
            count += len(texts[-1].split())
        blocks.append(Block(kind, tuple(texts) if kind == "list" else (" ".join(texts),)))
        since_heading += 1
    return tuple(blocks)


def paragraphs(blocks: tuple[Block, ...] | list[Block]) -> list[str]:
    return [text for block in blocks if block.kind != "h2" for text in block.texts]


def words(blocks: tuple[Block, ...] | list[Block]) -> int:
    return sum(len(text.split()) for text in paragraphs(blocks))


def article_html(plan: Plan, entry: Entry, rng: random.Random, charset: str = "utf-8") -> str:
    """The entry's page with its story (what the bad pages that hold an article start from)."""
    return render(make_page(plan, entry, rng, body(plan, entry), charset))


# -- bad pages ------------------------------------------------------------------------------------------------------


def _soft_404(plan: Plan, entry: Entry, rng: random.Random) -> bytes:
    return chrome_page(plan, entry, rng, "Page not found", "<h1>Page not found</h1><p>Sorry, we couldn't find the "
                       "page you were looking for. It may have been moved or deleted.</p>")


def _index_page(plan: Plan, entry: Entry, rng: random.Random) -> bytes:
    stories = [plan.entries[i] for i in plan.by_site[entry.site][:20] if i != entry.index]
    items = "".join(f'<li><a href="{ORIGIN}{story.path}">{e(story.title)}</a> <time datetime="'
                    f'{rfc3339(story.published)}">{longdate(story.published)}</time><p>{e(story.summary)}</p></li>'
                    for story in stories)
    return chrome_page(plan, entry, rng, entry.section, f"<h1>{e(entry.section)}</h1><ul>{items}</ul>")


def _tiny(plan: Plan, entry: Entry, rng: random.Random) -> bytes:
    return (f"<html><head><title>{e(entry.title)}</title></head><body><p>This story is no longer available.</p>"
            "</body></html>").encode()


def _binary(plan: Plan, entry: Entry, rng: random.Random) -> bytes:
    noise = rng.randbytes(rng.randrange(8_000, 60_000))
    if rng.random() < 0.5:
        return (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length " + str(len(noise)).encode()
                + b" /Filter /FlateDecode >>\nstream\n" + noise + b"\nendstream\nendobj\n%%EOF\n")

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", 640, 480, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", noise) + chunk(b"IEND", b"")


def _huge(plan: Plan, entry: Entry, rng: random.Random) -> bytes:
    # An article inside a page bloated by inline application state, as some single-page apps ship.
    page = article_html(plan, entry, rng).encode()
    record = b'{"type":"Recommendation","title":"Sponsored","tracking":"' + b"0123456789abcdef" * 8 + b'"},'
    records = record * ((HUGE_BYTES - len(page)) // len(record))
    state = b"<script>window.__INITIAL_STATE__=[" + records + b"{}];</script>"
    return page.replace(b"</body>", state + b"\n</body>", 1)


def _truncated(plan: Plan, entry: Entry, rng: random.Random) -> bytes:
    page = article_html(plan, entry, rng).encode()
    return page[: int(len(page) * rng.uniform(0.3, 0.7))]  # mid-tag, maybe mid-character


def _broken_markup(plan: Plan, entry: Entry, rng: random.Random) -> bytes:
    page = re.sub(r"</(?:p|div|li|section|article)>", "", article_html(plan, entry, rng))
    page = page.replace("<h1", "</td></span><font><h1", 1).replace("</body>", "</div></font></table></body>", 1)
    return page.encode()


BAD_PAGES: dict[str, Callable[[Plan, Entry, random.Random], bytes | None]] = {
    "not_found": lambda plan, entry, rng: None,
    "server_error": lambda plan, entry, rng: None,
    "redirect_loop": lambda plan, entry, rng: None,
    "soft_404": _soft_404,
    "tiny": _tiny,
    "empty": lambda plan, entry, rng: b"",
    "binary": _binary,
    "huge": _huge,
    "truncated": _truncated,
    "broken_markup": _broken_markup,
    "cp1252_as_utf8": lambda plan, entry, rng: article_html(plan, entry, rng).encode("cp1252", "xmlcharrefreplace"),
    "utf8_as_cp1252": lambda plan, entry, rng: article_html(plan, entry, rng, "windows-1252").encode(),
    "index_page": _index_page,
}


# -- feeds ----------------------------------------------------------------------------------------------------------


def _guid(feed: Feed, entry: Entry) -> str:
    return ORIGIN + entry.path if feed.permalinks else f"urn:wirehouse-replay:{entry.site}:{entry.index}"


def _rss(name: str, home: str, feed: Feed, items: list[Entry]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">',
             f"<channel>\n<title>{e(name)}</title>\n<link>{home}</link>\n<description>Latest stories from {e(name)}"
             f'</description>\n<language>en</language>\n<atom:link href="{ORIGIN}{feed.path}" rel="self" '
             f'type="application/rss+xml"/>\n<lastBuildDate>{format_datetime(items[0].published, usegmt=True)}'
             "</lastBuildDate>"]
    for entry in items:
        creators = "".join(f"<dc:creator>{e(author)}</dc:creator>" for author in entry.authors)
        summary = f"<description>{e(entry.summary)}</description>" if feed.summaries else ""
        lines.append(f"<item><title>{e(entry.title)}</title><link>{ORIGIN}{entry.path}</link>"
                     f'<guid isPermaLink="{str(feed.permalinks).lower()}">{_guid(feed, entry)}</guid>'
                     f"<pubDate>{format_datetime(entry.published, usegmt=True)}</pubDate>{creators}"
                     f"<category>{e(entry.section)}</category>{summary}</item>")
    return "\n".join([*lines, "</channel>\n</rss>\n"])


def _atom(name: str, home: str, feed: Feed, items: list[Entry]) -> str:
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
             f'<title>{e(name)}</title>\n<link rel="alternate" type="text/html" href="{home}"/>\n'
             f'<link rel="self" type="application/atom+xml" href="{ORIGIN}{feed.path}"/>\n'
             f"<id>{ORIGIN}{feed.path}</id>\n"
             f"<updated>{rfc3339(items[0].published)}</updated>\n<author><name>{e(name)}</name></author>"]
    for entry in items:
        authors = "".join(f"<author><name>{e(author)}</name></author>" for author in entry.authors)
        summary = f'<summary type="text">{e(entry.summary)}</summary>' if feed.summaries else ""
        lines.append(f'<entry><title type="text">{e(entry.title)}</title><link rel="alternate" type="text/html" '
                     f'href="{ORIGIN}{entry.path}"/><id>{_guid(feed, entry)}</id><published>'
                     f"{rfc3339(entry.published)}</published><updated>{rfc3339(entry.published)}</updated>"
                     f'{authors}<category term="{a(entry.section)}"/>{summary}</entry>')
    return "\n".join([*lines, "</feed>\n"])


def _json_feed(name: str, home: str, feed: Feed, items: list[Entry]) -> str:
    def item(entry: Entry) -> dict[str, object]:
        # JSON Feed requires content_html or content_text: a summary-only feed carries the title there.
        fields: dict[str, object] = {"id": _guid(feed, entry), "url": ORIGIN + entry.path, "title": entry.title,
                                     "content_text": entry.summary if feed.summaries else entry.title,
                                     "date_published": rfc3339(entry.published), "tags": [entry.section]}
        if feed.summaries:
            fields["summary"] = entry.summary
        if entry.authors:
            fields["authors"] = [{"name": author} for author in entry.authors]
        return fields

    document = {"version": "https://jsonfeed.org/version/1.1", "title": name, "home_page_url": home,
                "feed_url": ORIGIN + feed.path, "language": "en", "items": [item(entry) for entry in items]}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


FEED_WRITERS: dict[str, Callable[[str, str, Feed, list[Entry]], str]] = {".xml": _rss, ".atom": _atom,
                                                                          ".json": _json_feed}


def _write_feeds(plan: Plan, out: Path) -> list[str]:
    """Every site's feeds: the site's pages dealt round-robin among them, so each page is in exactly one."""
    paths = []
    for site, pages in zip(plan.sites, plan.by_site, strict=True):
        for k, feed in enumerate(site.feeds):
            items = [plan.entries[i] for i in pages[k :: len(site.feeds)]]
            text = FEED_WRITERS[Path(feed.path).suffix](site.name, f"{ORIGIN}/s/{site.id}/", feed, items)
            _write(out, feed.path, text.encode())
            paths.append(feed.path)
    return paths


def _write_eval(out: Path, shared_eval: Path) -> tuple[dict[str, str], int]:
    """The zyte-dev pages as /eval/<id>.html and their feed; returns {path: ground-truth id} and their bytes."""
    files = sorted((shared_eval / "zyte-dev" / "html").glob("*.html.gz"))
    if not files:
        return {}, 0
    pages: dict[str, str] = {}
    items, size = [], 0
    for k, file in enumerate(files):
        truth_id = file.name.removesuffix(".html.gz")
        path = f"/eval/{truth_id}.html"
        data = gzip.decompress(file.read_bytes())
        _write(out, path, data)
        found = re.search(rb"<title[^>]*>(.*?)</title>", data, re.DOTALL | re.IGNORECASE)
        title = " ".join(html.unescape(found.group(1).decode("utf-8", "replace")).split()) if found else ""
        items.append(Entry(k, -1, "eval", path, title or truth_id, "", (), "Eval", EPOCH - timedelta(hours=k)))
        pages[path] = truth_id
        size += len(data)
    _write(out, EVAL_FEED, _rss(EVAL_SITE, f"{ORIGIN}/eval/", Feed(EVAL_FEED, False, True), items).encode())
    return pages, size


# -- the corpus -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rendered:
    """What a worker reports for a range of pages: the lines of truth.jsonl and bad.jsonl, in page order."""

    truth: str
    bad: str
    kinds: Counter[str]
    words: int
    bytes: int


_WORK: tuple[Plan, Path] | None = None  # set before the workers fork, so they inherit it instead of unpickling it
_MADE_DIRS: set[Path] = set()


def _write(out: Path, path: str, data: bytes) -> None:
    file = out / path.lstrip("/")
    if file.parent not in _MADE_DIRS:
        file.parent.mkdir(parents=True, exist_ok=True)
        _MADE_DIRS.add(file.parent)
    file.write_bytes(data)


def _render_range(bounds: tuple[int, int]) -> Rendered:
    assert _WORK is not None
    plan, out = _WORK
    truth, bad, kinds, total_words, total_bytes = [], [], Counter[str](), 0, 0
    for index in range(*bounds):
        entry = plan.entries[index]
        rng = random.Random(f"{plan.seed}:page:{index}")
        if entry.kind in ARTICLE_KINDS:
            blocks = body(plan, entry)
            data: bytes | None = render(make_page(plan, entry, rng, blocks)).encode()  # blocks, not article_html: once
            text = "\n\n".join(paragraphs(blocks))
            truth.append(json.dumps({"path": entry.path, "title": entry.title, "text": text, "kind": entry.kind},
                                    ensure_ascii=False) + "\n")
            total_words += len(text.split())
        else:
            data = BAD_PAGES[entry.kind](plan, entry, rng)
            bad.append(json.dumps({"path": entry.path, "kind": entry.kind}) + "\n")
        if data is not None:
            _write(out, entry.path, data)
            total_bytes += len(data)
        kinds[entry.kind] += 1
    return Rendered("".join(truth), "".join(bad), kinds, total_words, total_bytes)


def _render_all(plan: Plan, out: Path) -> Iterator[Rendered]:
    global _WORK
    _WORK = (plan, out)
    _MADE_DIRS.clear()  # a previous corpus of this process wrote elsewhere
    bounds = [(start, min(start + CHUNK, len(plan.entries))) for start in range(0, len(plan.entries), CHUNK)]
    workers = min(len(os.sched_getaffinity(0)), len(bounds))
    if workers == 1:  # not worth a fork (and a small corpus in a test process with threads stays out of fork's way)
        yield from map(_render_range, bounds)
        return
    # fork: the workers inherit the plan, and this module need not be importable by name (tests load it by path).
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(_render_range, bounds)


def generate(n: int, out: Path, seed: int = 1, include_eval: bool = True) -> dict:
    """Write a corpus of n pages (articles, wire copies, bad pages) into `out`, which must be empty or absent."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty: a corpus is written into a fresh folder")
    plan = make_plan(n, seed)
    out.mkdir(parents=True, exist_ok=True)
    kinds, total_words, total_bytes = Counter[str](), 0, 0
    with (out / "truth.jsonl").open("w", encoding="utf-8") as truth, (out / "bad.jsonl").open("w") as bad:
        for rendered in _render_all(plan, out):
            truth.write(rendered.truth)
            bad.write(rendered.bad)
            kinds.update(rendered.kinds)
            total_words += rendered.words
            total_bytes += rendered.bytes
    feeds = _write_feeds(plan, out)
    evals, eval_bytes = _write_eval(out, SHARED_EVAL) if include_eval else ({}, 0)
    if evals:
        feeds.append(EVAL_FEED)
        kinds["eval"] = len(evals)
    manifest = {
        "seed": seed, "articles": n, "feeds": feeds, "pages": dict(sorted(kinds.items())), "eval": evals,
        "words": total_words, "bytes": total_bytes + eval_bytes,
        "sites": {site.id: {"name": site.name, "family": site.family, "feeds": [feed.path for feed in site.feeds]}
                  for site in plan.sites},
        # What bench/replay.py needs to serve the folder.
        "serve": {"origin": ORIGIN, "error_prefix": ERROR_PREFIX, "loop_prefix": LOOP_PREFIX},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def feeds_yaml(manifest_or_dir: dict | Path, base_url: str) -> str:
    """A wirehouse feed list (seeds/feeds.yaml format) of the corpus's feeds, served at base_url."""
    manifest = (manifest_or_dir if isinstance(manifest_or_dir, dict)
                else json.loads((Path(manifest_or_dir) / "manifest.json").read_text(encoding="utf-8")))
    owners = {path: site["name"] for site in manifest["sites"].values() for path in site["feeds"]}
    feeds = [{"name": Path(path).stem, "url": base_url.rstrip("/") + path, "site": owners.get(path, EVAL_SITE),
              "language": "en"} for path in manifest["feeds"]]
    return "# written by bench/corpus.py\n" + yaml.safe_dump({"feeds": feeds}, sort_keys=False, allow_unicode=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a replay corpus for benchmarks (see bench/corpus.py).")
    parser.add_argument("--articles", type=int, required=True, help="pages listed in the feeds, bad ones included")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (must be empty or absent)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-eval", action="store_true", help="leave out the zyte-dev eval pages")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        manifest = generate(args.articles, args.out, args.seed, include_eval=not args.no_eval)
    except (ValueError, FileExistsError) as exc:  # too few articles, a folder in use
        parser.error(str(exc))
    pages = ", ".join(f"{count} {kind}" for kind, count in manifest["pages"].items())
    print(f"{args.out}: {pages}; {len(manifest['sites'])} sites, {len(manifest['feeds'])} feeds, "
          f"{manifest['words']:,} words, {manifest['bytes'] / 1e6:,.0f} MB in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
