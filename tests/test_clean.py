"""The cleaner on the seed document (two renderings), the demo corpus and public benchmark pages."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from conftest import ZYTE, flattened_seed
from wirehouse.cli import app
from wirehouse.models import CleanArticle
from wirehouse.tasks.clean import CleanJob, CleanOptions, Rejected, canonical_url, clean_html, clean_many

SEED_TITLE = "Iran is conducting urgent diplomacy as it prepares for Israel's response to missile attacks"
SEED_BOILERPLATE = ["close", "By Vanessa", "Leave a Reply", "Your email address will not be published",
                    "Required fields are marked"]


def seed_paragraphs(seed_text: str) -> list[str]:
    """The article as the seed file has it: from the CNN dateline to the contributors line."""
    lines = [line.strip() for line in seed_text.splitlines() if line.strip()]
    start = lines.index("CNN")
    end = next(i for i, line in enumerate(lines) if line.endswith("contributed to the reporting."))
    return lines[start : end + 1]


def assert_is_the_seed_article(article: CleanArticle | Rejected, seed_text: str) -> None:
    assert isinstance(article, CleanArticle), article
    blocks = article.text.split("\n\n")
    if blocks[0] == SEED_TITLE:
        blocks = blocks[1:]
    assert blocks == seed_paragraphs(seed_text)
    assert article.text.endswith("contributed to the reporting.")
    for line in blocks:
        assert not any(line.startswith(b) for b in SEED_BOILERPLATE), line
    assert article.title == SEED_TITLE
    assert article.language == "en"


def test_flattened_seed_cleans_to_the_article(seed_text: str) -> None:
    article = clean_html(flattened_seed(seed_text), "https://example.org/iran-diplomacy")
    assert_is_the_seed_article(article, seed_text)
    assert article.boilerplate_blocks >= 4  # close, By Vanessa, Leave a Reply, the e-mail notice


def test_wordpress_seed_page_cleans_to_the_article(seed_text: str, demo_site) -> None:
    _, corpus = demo_site
    [page] = [p for p in corpus.pages if p.site == "gulf-post" and p.title == SEED_TITLE]
    body = (corpus.root / urlsplit(page.url).path.lstrip("/")).read_bytes()
    assert b"Leave a Reply" in body and b"By Vanessa" in body  # the page really carries the furniture
    assert_is_the_seed_article(clean_html(body, page.url), seed_text)


def test_every_demo_page_cleans_to_its_article(demo_site) -> None:
    _, corpus = demo_site
    for page in corpus.pages:
        body = (corpus.root / urlsplit(page.url).path.lstrip("/")).read_bytes()
        article = clean_html(body, page.url)
        assert isinstance(article, CleanArticle), (page.url, article)
        for paragraph in page.paragraphs:
            assert paragraph in article.text, (page.url, paragraph)
        blocks = article.text.split("\n\n")
        for furniture in page.boilerplate:
            # a word like "close" may be in a sentence; as a block of its own, or a phrase anywhere, it is furniture
            left = furniture in blocks if len(furniture.split()) < 3 else furniture in article.text
            assert not left, (page.url, furniture)
        assert article.title == page.title
        assert blocks[0] == page.first_paragraph and blocks[-1] == page.last_paragraph, page.url


def test_rejects_pages_without_an_article() -> None:
    nav_only = "<html><body><nav><a href='/'>Home</a><a href='/world'>World</a></nav></body></html>"
    assert isinstance(clean_html(nav_only, "https://example.org/", options=CleanOptions(min_text_chars=250)), Rejected)
    assert isinstance(clean_html(b"\x00\x01\x02binary\xff\xfe", "https://example.org/x"), Rejected)


def test_wrong_declared_encoding_still_cleans() -> None:
    text = "Zürich und Genève: die Stadtväter stimmten für den Bau eines neuen Bahnhofs. " * 6
    page = f"<html><head><meta charset='utf-8'></head><body><article><p>{text}</p></article></body></html>"
    article = clean_html(page.encode("latin-1"), "https://example.org/de")
    assert isinstance(article, CleanArticle)
    assert "Zürich" in article.text


def test_cli_cleans_a_directory_as_json_lines(tmp_path: Path) -> None:
    pages = sorted((ZYTE / "html").glob("*.html.gz"))[:5]
    for page in pages:
        (tmp_path / page.name).write_bytes(page.read_bytes())
    plain = tmp_path / "sub" / pages[0].name.removesuffix(".gz")  # uncompressed, one folder down
    plain.parent.mkdir()
    plain.write_bytes(gzip.decompress(pages[0].read_bytes()))
    result = CliRunner().invoke(app, ["clean", str(tmp_path)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 6
    truth = json.loads((ZYTE / "ground-truth.json").read_text())
    for record in records:
        assert {"source", "title", "byline", "authors", "published", "published_source", "sitename", "language",
                "text"} <= record.keys()
        page_id = Path(record["source"]).name.split(".")[0]
        first_words = " ".join(truth[page_id]["articleBody"].split()[:6])
        assert first_words in " ".join(record["text"].split()), record["source"]


@pytest.mark.parametrize(
    ("declared", "fetched", "expected"),
    [
        ("https://news.example/2026/11/story", "https://news.example/2026/11/story?utm=x",
         "https://news.example/2026/11/story"),
        ("/2026/11/story", "https://www.news.example/s?id=1", "https://www.news.example/2026/11/story"),
        ("https://news.example/", "https://news.example/2026/11/story", "https://news.example/2026/11/story"),
        ("https://other.example/their-story", "https://news.example/a", "https://news.example/a"),
        (None, "https://news.example/a", "https://news.example/a"),
    ],
)
def test_canonical_url_is_trusted_only_on_the_same_site(declared, fetched, expected) -> None:
    assert canonical_url(declared, fetched) == expected


def test_worker_processes_clean_like_this_process(demo_site) -> None:
    from wirehouse.parallel import WorkerPool

    _, corpus = demo_site
    jobs = [CleanJob((corpus.root / urlsplit(p.url).path.lstrip("/")).read_bytes(), p.url) for p in corpus.pages[:6]]
    pool = WorkerPool(2, min_items=1)
    try:
        in_workers = list(clean_many(jobs, CleanOptions(), pool))
    finally:
        pool.shutdown()
    assert in_workers == list(clean_many(jobs, CleanOptions()))
