"""Render the offline demo corpus: four invented news sites, their pages, feeds and a feed list.

The demo and the end-to-end tests serve these files from localhost instead of the internet. The
pages carry the boilerplate real sites have (cookie banners, share bars, comment forms, related
links), and each page comes with what a clean extraction must keep and drop (PageExpectation).

Sources live in seeds/demo: sites.yaml, templates/*.j2 and articles/<site-id>/<slug>.md.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from string import Formatter
from typing import Any

import jinja2
import yaml

DEMO_DIR = Path(__file__).resolve().parent.parent / "seeds" / "demo"
FEEDS_HEADER = "# written by wirehouse.demo_corpus\n"
RELATED_COUNT = 4  # other articles linked from each page (related, trending, ticker)
REQUIRED_FIELDS = frozenset({"title", "published", "section", "summary"})
# strftime's %B follows the process locale; a fixed table keeps the output byte-identical everywhere.
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def mentions(text: str, phrase: str) -> bool:
    """Whether `phrase` occurs in `text` as whole words, ignoring differences in whitespace.

    Whole words, so that the WordPress button text "close" does not match "closed" in a story.
    """
    words = r"\s+".join(re.escape(word) for word in phrase.split())
    return re.search(rf"(?<!\w){words}(?!\w)", text) is not None


@dataclass(frozen=True)
class PageExpectation:
    """One rendered article page and what cleaning it should give."""

    url: str  # absolute URL of the page as served
    site: str  # site id
    title: str
    author: str  # "" when the front matter has none
    published: str  # front matter's timestamp in UTC, e.g. 2026-11-19T07:45:00Z
    first_paragraph: str
    last_paragraph: str
    paragraphs: list[str]  # body paragraphs, subheadings excluded
    # Visible texts of the page that are not article content and must not survive cleaning; none
    # of them occurs (as whole words) in the title, summary or body, so `mentions` can test for them.
    boilerplate: list[str]

    def leaked_boilerplate(self, text: str) -> list[str]:
        """The boilerplate strings that occur in `text`, e.g. a cleaner's output for this page."""
        return [phrase for phrase in self.boilerplate if mentions(text, phrase)]


@dataclass(frozen=True)
class DemoCorpus:
    root: Path  # out_dir
    feeds_file: Path  # out_dir / "feeds.yaml"
    pages: list[PageExpectation]


@dataclass(frozen=True)
class FeedFormat:
    template: str
    file: str  # file name under the site's folder
    mime: str
    full_content: bool  # the feed carries whole bodies, so the pipeline need not fetch pages


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    tagline: str
    template: str
    feed: FeedFormat
    path: str
    language: str
    boilerplate: tuple[str, ...] = ()
    photographers: tuple[str, ...] = ()
    photo_agency: str = ""


@dataclass(frozen=True)
class Block:
    heading: bool  # a "## " subheading rather than a paragraph
    text: str


@dataclass(frozen=True)
class Article:
    slug: str
    path: str  # <site path>/<yyyy>/<mm>/<slug>.html, relative to the output folder
    title: str
    author: str
    published: datetime  # UTC
    section: str
    tags: tuple[str, ...]
    summary: str
    blocks: tuple[Block, ...]

    @property
    def paragraphs(self) -> list[str]:
        return [block.text for block in self.blocks if not block.heading]


def render_corpus(out_dir: Path, base_url: str, *, source: Path = DEMO_DIR) -> DemoCorpus:
    """Write every site's pages, feed and homepage under `out_dir`, plus out_dir/feeds.yaml.

    `base_url` (e.g. http://127.0.0.1:43817) prefixes every absolute URL. `source` is only for
    tests that add or break article files in a copy of seeds/demo.
    """
    base_url = base_url.rstrip("/")
    sites = load_sites(source / "sites.yaml")
    env = _environment(source / "templates")
    pages: list[PageExpectation] = []
    for site in sites:
        articles = [parse_article(path, site) for path in sorted((source / "articles" / site.id).glob("*.md"))]
        pages.extend(_render_site(env, site, articles, out_dir, base_url))
    feeds_file = out_dir / "feeds.yaml"
    _write(feeds_file, _feed_list(sites, base_url))
    return DemoCorpus(root=out_dir, feeds_file=feeds_file, pages=pages)


def load_sites(path: Path) -> list[Site]:
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    formats = {name: FeedFormat(**spec) for name, spec in config["feed_formats"].items()}
    sites = []
    for entry in config["sites"]:
        fields = dict(entry)
        fields["feed"] = formats[fields["feed"]]
        for name in ("boilerplate", "photographers"):
            fields[name] = tuple(fields.get(name, ()))
        sites.append(Site(**fields))
    return sites


def parse_article(path: Path, site: Site) -> Article:
    meta, body = _split_front_matter(path)
    published = _utc(meta["published"], path)
    blocks = parse_body(body)
    if not any(not block.heading for block in blocks):
        raise ValueError(f"{path}: the body has no paragraphs")
    return Article(
        slug=path.stem,
        path=f"{site.path}/{published:%Y/%m}/{path.stem}.html",
        title=str(meta["title"]),
        author=str(meta.get("author") or ""),
        published=published,
        section=str(meta["section"]),
        tags=tuple(str(tag) for tag in meta.get("tags") or ()),
        summary=str(meta["summary"]),
        blocks=blocks,
    )


def parse_body(body: str) -> tuple[Block, ...]:
    """Paragraphs are separated by blank lines; a line starting with '## ' is a subheading."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n[ \t]*\n", body.strip()):
        prose: list[str] = []
        for line in chunk.splitlines():
            if line.startswith("## "):
                blocks.extend(_paragraph(prose))
                prose = []
                blocks.append(Block(heading=True, text=line[3:].strip()))
            else:
                prose.append(line.strip())
        blocks.extend(_paragraph(prose))
    return tuple(blocks)


def _paragraph(lines: list[str]) -> list[Block]:
    text = " ".join(line for line in lines if line)
    return [Block(heading=False, text=text)] if text else []


def _split_front_matter(path: Path) -> tuple[dict[str, Any], str]:
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    head, separator, body = text.removeprefix("---\n").partition("\n---\n")
    meta = yaml.safe_load(head) if text.startswith("---\n") and separator else None
    if not isinstance(meta, dict):
        raise ValueError(f"{path}: expected YAML front matter between two '---' lines")
    missing = sorted(REQUIRED_FIELDS - meta.keys())
    if missing:
        raise ValueError(f"{path}: front matter lacks {', '.join(missing)}")
    return meta, body


def _utc(value: object, path: Path) -> datetime:
    # PyYAML already reads an unquoted ISO timestamp as a datetime; a quoted one stays a string.
    stamp = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if stamp.tzinfo is None:
        raise ValueError(f"{path}: 'published' needs a UTC offset, e.g. 2026-11-19T07:45:00Z")
    return stamp.astimezone(UTC)


def _environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,  # every template is HTML or XML, feeds included
        undefined=jinja2.StrictUndefined,  # a misspelt variable fails the render instead of vanishing
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(rfc822=_rfc822, rfc3339=_rfc3339, longdate=_longdate)
    return env


def _rfc822(stamp: datetime) -> str:
    return format_datetime(stamp, usegmt=True)


def _rfc3339(stamp: datetime) -> str:
    return stamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _longdate(stamp: datetime) -> str:
    return f"{MONTHS[stamp.month - 1]} {stamp.day}, {stamp.year}"


def _render_site(
    env: jinja2.Environment, site: Site, articles: list[Article], out_dir: Path, base_url: str
) -> list[PageExpectation]:
    related = {article.slug: _others(articles, index) for index, article in enumerate(articles)}
    # Facts per slug: the feed needs them too (WordPress guids are ?p=<post id> of the page).
    facts = {article.slug: _page_facts(site, article, related[article.slug]) for article in articles}
    newest_first = sorted(articles, key=lambda article: (article.published, article.slug), reverse=True)
    common = {
        "site": site,
        "base_url": base_url,
        "site_url": f"{base_url}/{site.path}",
        "feed_url": f"{base_url}/{site.path}/{site.feed.file}",
        "updated": newest_first[0].published if articles else None,
    }
    homepage = env.get_template("index.html.j2").render(common, articles=newest_first)
    _write(out_dir / site.path / "index.html", homepage)
    feed = env.get_template(site.feed.template).render(common, articles=newest_first, facts=facts)
    _write(out_dir / site.path / site.feed.file, feed)
    page_template = env.get_template(site.template)
    for article in articles:
        context = {"article": article, "others": related[article.slug], "page": facts[article.slug]}
        _write(out_dir / article.path, page_template.render(common, **context))
    return [_expectation(site, article, related[article.slug], facts[article.slug], base_url) for article in articles]


def _expectation(
    site: Site, article: Article, others: list[Article], facts: dict[str, Any], base_url: str
) -> PageExpectation:
    paragraphs = article.paragraphs
    return PageExpectation(
        url=f"{base_url}/{article.path}",
        site=site.id,
        title=article.title,
        author=article.author,
        published=_rfc3339(article.published),
        first_paragraph=paragraphs[0],
        last_paragraph=paragraphs[-1],
        paragraphs=paragraphs,
        boilerplate=_boilerplate(site, article, facts, others),
    )


def _others(articles: list[Article], index: int) -> list[Article]:
    """The next few articles of the site after this one (wrapping round), for related links."""
    count = min(RELATED_COUNT, len(articles) - 1)
    return [articles[(index + step) % len(articles)] for step in range(1, count + 1)]


def _page_facts(site: Site, article: Article, others: list[Article]) -> dict[str, Any]:
    """Per-page details the templates show; drawn from the slug, not the clock, so output is stable."""
    seed = int.from_bytes(hashlib.sha256(article.slug.encode()).digest()[:4], "big")
    photographer = site.photographers[seed % len(site.photographers)] if site.photographers else ""
    return {
        "author": article.author,
        "section": article.section,
        "credit": f"{photographer} / {site.photo_agency}" if photographer else "",
        "hours_ago": 2 + seed % 10,
        "comments": 3 + seed % 140,
        "post_id": 1000 + seed % 9000,
        "read_more": others[0].title if others else "",
    }


def _boilerplate(site: Site, article: Article, facts: dict[str, Any], others: list[Article]) -> list[str]:
    candidates = [_fill(entry, facts) for entry in site.boilerplate] + [other.title for other in others]
    content = "\n".join([article.title, article.summary, *(block.text for block in article.blocks)])
    # A phrase the article itself contains cannot be required to vanish from the cleaned text.
    kept = (phrase for phrase in candidates if phrase and not mentions(content, phrase))
    return list(dict.fromkeys(kept))


def _fill(entry: str, facts: dict[str, Any]) -> str:
    """Fill an entry's {placeholders}; "" when one is empty, since the template then omits the text."""
    names = [name for _, name, _, _ in Formatter().parse(entry) if name]
    if not all(facts[name] for name in names):
        return ""
    return entry.format(**facts)


def _feed_list(sites: list[Site], base_url: str) -> str:
    feeds = [
        {
            "name": site.id,
            "url": f"{base_url}/{site.path}/{site.feed.file}",
            "site": site.name,
            "language": site.language,
            "full_content": site.feed.full_content,
        }
        for site in sites
    ]
    return FEEDS_HEADER + yaml.safe_dump({"feeds": feeds}, sort_keys=False, allow_unicode=True)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
