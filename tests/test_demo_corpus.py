"""Tests of wirehouse.demo_corpus: the offline demo sites, their feeds and what each page should clean to."""

from __future__ import annotations

import html
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
import yaml

from wirehouse.demo_corpus import DEMO_DIR, DemoCorpus, PageExpectation, mentions, parse_body, render_corpus

BASE_URL = "http://127.0.0.1:43817"
SITES = ("daily-courier", "metro-wire", "harbour-times", "gulf-post")
# The project's seed page, in the read-only shared/ folder beside the repository.
SEED_FILE = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_b1ec6d719b2adf36.txt"
SEED_URL = f"{BASE_URL}/gulf-post/2024/10/iran-urgent-diplomacy.html"
SEED_LAST = "CNN's Kayla Tausche, Dania Karni and Katie Bo Lillis contributed to the reporting."


class _VisibleText(HTMLParser):
    """Text a reader (or a scraper) sees: no head, scripts or styles; a space at every tag boundary."""

    HIDDEN = frozenset({"head", "script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in self.HIDDEN
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in self.HIDDEN
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(markup: str) -> str:
    parser = _VisibleText()
    parser.feed(markup)
    return " ".join("".join(parser.parts).split())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> DemoCorpus:
    # Rendered once for the read-only tests below; tests that change the sources render their own.
    return render_corpus(tmp_path_factory.mktemp("demo") / "www", BASE_URL)


def local_file(corpus: DemoCorpus, url: str) -> Path:
    assert url.startswith(BASE_URL + "/"), url
    return corpus.root / url.removeprefix(BASE_URL + "/")


def page_html(corpus: DemoCorpus, page: PageExpectation) -> str:
    return local_file(corpus, page.url).read_text(encoding="utf-8")


def feeds_by_name(corpus: DemoCorpus) -> dict[str, dict]:
    return {feed["name"]: feed for feed in yaml.safe_load(corpus.feeds_file.read_text())["feeds"]}


def tree(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def test_rendering_twice_gives_identical_bytes(tmp_path: Path) -> None:
    first = render_corpus(tmp_path / "a", BASE_URL)
    second = render_corpus(tmp_path / "b", BASE_URL)
    assert tree(first.root) == tree(second.root)
    assert first.pages == second.pages
    assert len(tree(first.root)) == len(first.pages) + 2 * len(SITES) + 1  # + feed and index per site, feeds.yaml


def test_one_page_per_article_file_in_filename_order(corpus: DemoCorpus) -> None:
    for site in SITES:
        stems = sorted(path.stem for path in (DEMO_DIR / "articles" / site).glob("*.md"))
        urls = [page.url for page in corpus.pages if page.site == site]
        assert [url.rsplit("/", 1)[1] for url in urls] == [f"{stem}.html" for stem in stems]


def test_corpus_has_at_least_thirty_pages(corpus: DemoCorpus) -> None:
    # Passes once all four article folders are written (two are another writer's).
    assert len(corpus.pages) >= 30


def test_pages_are_written_where_their_urls_point(corpus: DemoCorpus) -> None:
    for page in corpus.pages:
        assert re.fullmatch(rf"{BASE_URL}/{page.site}/\d{{4}}/\d{{2}}/[a-z0-9-]+\.html", page.url)
        assert page.url[len(BASE_URL) :].startswith(f"/{page.site}/{page.published[:4]}/{page.published[5:7]}/")
        assert f'rel="canonical" href="{page.url}"' in page_html(corpus, page)


def test_pages_look_like_real_article_pages(corpus: DemoCorpus) -> None:
    for page in corpus.pages:
        markup = page_html(corpus, page)
        assert markup.lstrip().lower().startswith("<!doctype html")
        assert markup.count("<script") >= 2 and "<meta" in markup and "<style" in markup, page.url
        assert page.title in visible_text(markup)


def test_feeds_yaml_lists_four_feeds_one_with_full_content(corpus: DemoCorpus) -> None:
    text = corpus.feeds_file.read_text(encoding="utf-8")
    assert corpus.feeds_file == corpus.root / "feeds.yaml"
    assert text.startswith("# written by wirehouse.demo_corpus\n")
    feeds = yaml.safe_load(text)["feeds"]
    assert [feed["name"] for feed in feeds] == list(SITES)
    assert [feed["name"] for feed in feeds if feed["full_content"] is True] == ["harbour-times"]
    for feed in feeds:
        assert set(feed) == {"name", "url", "site", "language", "full_content"}
        assert feed["language"] == "en"
        assert local_file(corpus, feed["url"]).is_file()
    assert feeds[1]["url"] == f"{BASE_URL}/metro-wire/feed.atom"


@pytest.mark.parametrize(("site", "version"), [(s, "atom10" if s == "metro-wire" else "rss20") for s in SITES])
def test_feed_parses_cleanly_and_lists_exactly_its_pages(corpus: DemoCorpus, site: str, version: str) -> None:
    parsed = feedparser.parse(local_file(corpus, feeds_by_name(corpus)[site]["url"]).read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == version
    pages = {page.url: page for page in corpus.pages if page.site == site}
    assert sorted(entry.link for entry in parsed.entries) == sorted(pages)
    for entry in parsed.entries:
        page = pages[entry.link]
        assert entry.title == page.title
        assert entry.get("author", "") == page.author
        assert entry.summary and entry.id
        assert f"{entry.published_parsed.tm_year:04}-{entry.published_parsed.tm_mon:02}" == page.published[:7]


def test_wordpress_feed_uses_post_id_guids(corpus: DemoCorpus) -> None:
    parsed = feedparser.parse(local_file(corpus, feeds_by_name(corpus)["gulf-post"]["url"]).read_bytes())
    for entry in parsed.entries:
        post_id = re.fullmatch(rf"{BASE_URL}/gulf-post/\?p=(\d+)", entry.id)
        assert post_id, entry.id
        assert f"postid-{post_id[1]} " in local_file(corpus, entry.link).read_text(encoding="utf-8")


def test_only_the_full_content_feed_carries_bodies(corpus: DemoCorpus) -> None:
    for name, feed in feeds_by_name(corpus).items():
        parsed = feedparser.parse(local_file(corpus, feed["url"]).read_bytes())
        pages = {page.url: page for page in corpus.pages if page.site == name}
        for entry in parsed.entries:
            if not feed["full_content"]:
                assert "content" not in entry
                continue
            body = html.unescape(entry.content[0].value)
            assert all(f"<p>{paragraph}</p>" in body for paragraph in pages[entry.link].paragraphs)


def test_every_page_shows_its_paragraphs(corpus: DemoCorpus) -> None:
    for page in corpus.pages:
        markup = html.unescape(page_html(corpus, page))
        assert page.first_paragraph in markup and page.last_paragraph in markup, page.url
        assert (page.first_paragraph, page.last_paragraph) == (page.paragraphs[0], page.paragraphs[-1])
        text = visible_text(page_html(corpus, page))
        positions = [text.find(" ".join(paragraph.split())) for paragraph in page.paragraphs]
        assert -1 not in positions and positions == sorted(positions), page.url


def test_boilerplate_is_visible_and_is_not_article_content(corpus: DemoCorpus) -> None:
    for page in corpus.pages:
        text = visible_text(page_html(corpus, page))
        assert len(page.boilerplate) >= 8, page.url
        assert [phrase for phrase in page.boilerplate if not mentions(text, phrase)] == [], page.url
        article = "\n".join([page.title, *page.paragraphs])
        assert page.leaked_boilerplate(article) == [], page.url


def test_every_site_shows_its_own_kind_of_boilerplate(corpus: DemoCorpus) -> None:
    expected = {
        "daily-courier": {"Manage preferences", "Sign up for the Morning Briefing", "Related articles", "Most read"},
        "metro-wire": {"Advertisement", "Trending now"},
        "harbour-times": {"Email this story", "Back to top"},
        "gulf-post": {"close", "Share this:", "Like this:", "Leave a Reply"},
    }
    for page in corpus.pages:
        assert expected[page.site] <= set(page.boilerplate), page.url
    courier = [page for page in corpus.pages if page.site == "daily-courier"]
    assert all(any(re.fullmatch(r"Photo: .+ / .+", phrase) for phrase in page.boilerplate) for page in courier)
    assert all(any(phrase.startswith("Read more: ") for phrase in page.boilerplate) for page in courier)


def test_seed_page_keeps_the_seed_article_and_its_wordpress_boilerplate(corpus: DemoCorpus) -> None:
    (page,) = [page for page in corpus.pages if page.url == SEED_URL]
    markup = page_html(corpus, page)
    header = markup[markup.index('<header id="masthead"') : markup.index("</header>")]
    assert len(re.findall(r">\s*close\s*<", header)) == 2
    text = visible_text(markup)
    for phrase in ("By Vanessa", "Leave a Reply", "Your email address will not be published."):
        assert phrase in text
        assert phrase in page.boilerplate
    assert text.index(SEED_LAST) < text.index("By Vanessa") < text.index("Leave a Reply")
    assert page.title == "Iran is conducting urgent diplomacy as it prepares for Israel's response to missile attacks"
    assert (page.author, page.published) == ("Vanessa", "2024-10-11T09:00:00Z")


def test_seed_article_body_is_the_scraped_text_verbatim(corpus: DemoCorpus) -> None:
    (page,) = [page for page in corpus.pages if page.url == SEED_URL]
    lines = [line for line in SEED_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert page.paragraphs == lines[lines.index("CNN") : lines.index(SEED_LAST) + 1]
    assert page.first_paragraph == "CNN" and page.last_paragraph == SEED_LAST


def test_gulf_post_credits_every_post_to_the_republisher_account(corpus: DemoCorpus) -> None:
    authors = {page.author for page in corpus.pages if page.site == "gulf-post"}
    assert authors == {"Vanessa"}


def test_homepages_link_their_feed_and_articles(corpus: DemoCorpus) -> None:
    for name, feed in feeds_by_name(corpus).items():
        markup = (corpus.root / name / "index.html").read_text(encoding="utf-8")
        mime = "application/atom+xml" if feed["url"].endswith(".atom") else "application/rss+xml"
        link = rf'<link rel="alternate" type="{re.escape(mime)}"[^>]* href="{re.escape(feed["url"])}"'
        assert re.search(link, markup), name
        assert all(f'href="{page.url}"' in markup for page in corpus.pages if page.site == name)


def test_new_article_files_are_picked_up(tmp_path: Path) -> None:
    source = tmp_path / "demo"
    shutil.copytree(DEMO_DIR, source)
    (source / "articles" / "metro-wire" / "zz-extra.md").write_text(
        "---\ntitle: Extra story\nauthor:\npublished: '2026-12-01T10:00:00+01:00'\nsection: World\n"
        "summary: An added file.\n---\nFirst line\nwrapped.\n\n## A subheading\n\nLast one.\n",
        encoding="utf-8",
    )
    corpus = render_corpus(tmp_path / "www", BASE_URL, source=source)
    page = [page for page in corpus.pages if page.site == "metro-wire"][-1]  # sorted by file name
    assert page.url == f"{BASE_URL}/metro-wire/2026/12/zz-extra.html"
    assert (page.author, page.published) == ("", "2026-12-01T09:00:00Z")
    assert page.paragraphs == ["First line wrapped.", "Last one."]
    assert not any(phrase.startswith("By ") for phrase in page.boilerplate)  # no byline without an author
    atom = feedparser.parse((corpus.root / "metro-wire" / "feed.atom").read_bytes())
    assert atom.bozo == 0 and atom.entries[0].link == page.url  # newest first


def test_parse_body_splits_paragraphs_and_subheadings() -> None:
    blocks = parse_body("\nOne\ntwo.\n\n## Head\nThree.\n  \nFour.\n")
    assert [(block.heading, block.text) for block in blocks] == [
        (False, "One two."),
        (True, "Head"),
        (False, "Three."),
        (False, "Four."),
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [("close\nIran is", ["close"]), ("shops will be closed", []), ("Leave a\nReply", ["Leave a Reply"])],
)
def test_leaked_boilerplate_matches_whole_words(text: str, found: list[str]) -> None:
    page = PageExpectation(BASE_URL, "gulf-post", "t", "a", "p", "f", "l", ["f"], ["close", "Leave a Reply"])
    assert page.leaked_boilerplate(text) == found


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("no front matter\n", "front matter between"),
        ("---\ntitle: T\n---\nBody.\n", "lacks published, section, summary"),
        ("---\ntitle: T\npublished: 2026-11-01T10:00:00\nsection: S\nsummary: S\n---\nBody.\n", "UTC offset"),
        ("---\ntitle: T\npublished: 2026-11-01T10:00:00Z\nsection: S\nsummary: S\n---\n## Only a head\n", "no para"),
    ],
)
def test_bad_article_files_are_rejected_with_the_reason(tmp_path: Path, content: str, error: str) -> None:
    source = tmp_path / "demo"
    shutil.copytree(DEMO_DIR, source)
    (source / "articles" / "gulf-post" / "bad.md").write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=error):
        render_corpus(tmp_path / "www", BASE_URL, source=source)
