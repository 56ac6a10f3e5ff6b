"""Per-site learned boilerplate: blocks recurring across one site's pages are learned and removed from new pages."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from wirehouse.models import CleanArticle, Outcome, PageResult
from wirehouse.tasks.clean import clean_html
from wirehouse.warehouse import connect
from wirehouse.warehouse.loaders import load_pages
from wirehouse.warehouse.site_templates import learn_site_templates, site_templates

SITE = "https://www.riverside-courier.example"
# Furniture of this one site that no generic rule knows: trafilatura keeps it as text.
MEMBERSHIP = ("Our newsroom is funded by readers of the Riverside Courier. Members keep local reporting alive "
              "across the valley, from council meetings to high school football.")
BIO = "Dana Whitlock covers the county courthouse and has reported for the Courier since 2009."
WORDS = [
    "council", "river", "budget", "school", "bridge", "mayor", "flood", "water", "road", "teacher", "market",
    "harvest", "festival", "court", "election", "museum", "library", "park", "hospital", "farmer", "railway",
    "storm", "housing",
]


def story(seed: int) -> list[str]:
    """Three paragraphs of article text, different for every seed."""
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(45)).capitalize() + "." for _ in range(3)]


def page(seed: int, *, template: bool = True) -> str:
    paragraphs = [*story(seed), *([MEMBERSHIP, BIO] if template else [])]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>Story number {seed} from the valley</title></head><body><article>"
            f"<h1>Story number {seed} from the valley</h1>{body}</article></body></html>")


def load(con, seeds: range, *, template: bool = True, templates: dict | None = None) -> list[CleanArticle]:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    articles, results = [], []
    for seed in seeds:
        url = f"{SITE}/2026/11/story-{seed}"
        fetched = start + timedelta(hours=seed)
        article = clean_html(page(seed, template=template), url, fetched_at=fetched,
                             template=(templates or {}).get("riverside-courier.example", frozenset()))
        assert isinstance(article, CleanArticle), article
        articles.append(article)
        results.append(PageResult(url, "courier", Outcome.ARTICLE, fetched, article=article))
    load_pages(con, results, "run")
    return articles


@pytest.fixture
def con(tmp_path):
    with connect(tmp_path / "w.duckdb") as con:
        yield con


def learn(con, **overrides) -> int:
    return learn_site_templates(con, **({"window": 500, "min_pages": 5, "min_share": 0.2} | overrides))


def test_blocks_recurring_on_a_site_are_learned_and_removed_from_its_next_pages(con) -> None:
    before = load(con, range(8))
    assert all(MEMBERSHIP in a.text and BIO in a.text for a in before)  # no generic rule removes them

    assert learn(con) == 2
    samples = {s for (s,) in con.execute("SELECT sample FROM site_templates").fetchall()}
    assert samples == {MEMBERSHIP, BIO}
    templates = site_templates(con)
    assert set(templates) == {"riverside-courier.example"}

    [after] = load(con, range(8, 9), templates=templates)
    assert MEMBERSHIP not in after.text and BIO not in after.text
    assert after.text.split("\n\n") == story(8) and after.template_blocks == 2
    assert len(after.block_hashes) == 5  # the hashes still name the template blocks: learning goes on


def test_a_block_on_few_pages_or_on_another_site_is_not_template(con) -> None:
    load(con, range(4))  # four pages: below min_pages
    assert learn(con) == 0
    load(con, range(4, 30), template=False)  # 4 of 30 pages: below min_share
    assert learn(con, min_pages=3) == 0
    assert clean_html(page(99), "https://other.example/a", template=frozenset()).text.count(BIO) == 1


def test_a_redesign_unlearns_the_old_template(con) -> None:
    load(con, range(6))
    assert learn(con) == 2
    load(con, range(6, 40), template=False)  # the site dropped its membership box and bios
    assert learn(con) == 0
    assert site_templates(con) == {}


def test_learning_twice_changes_nothing(con) -> None:
    load(con, range(8))
    learn(con)
    first = con.execute("SELECT * FROM site_templates ORDER BY block_hash").fetchall()
    learn(con)
    assert con.execute("SELECT * FROM site_templates ORDER BY block_hash").fetchall() == first
