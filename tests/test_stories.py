"""Story clusters: one agency story re-published by three sites is one story in the warehouse, across runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from wirehouse.models import CleanArticle, Outcome, PageResult
from wirehouse.tasks.clean import clean_html
from wirehouse.warehouse import connect
from wirehouse.warehouse.loaders import load_pages

WIRE = [
    "LISBON (Agency) — Portugal's parliament on Tuesday approved a budget that raises spending on public hospitals "
    "and schools, ending weeks of uncertainty that had threatened to topple the minority government.",
    "The bill passed with 116 votes in favour and 94 against, after the main opposition party agreed to abstain "
    "in exchange for a cut in income tax for workers under 35 and a review of rent controls in the capital.",
    "Finance Minister Joana Ribeiro told lawmakers the plan would keep the deficit below one percent of economic "
    "output while allowing the state to hire more than four thousand nurses over the next two years.",
    "Unions representing teachers welcomed the extra money but said it fell short of what was needed to fill "
    "vacancies in the poorer districts south of the Tagus river, where some classes have gone without a teacher "
    "since September.",
    "Economists at the central bank warned last month that slowing growth in the euro zone could reduce tax "
    "revenue next year, and the European Commission is expected to publish its assessment of the plan in the "
    "spring.",
    "The opposition leader said his party would continue to scrutinise the housing measures, which he described "
    "as timid, and promised to table amendments when the rent law returns to parliament in February.",
]
OTHER = [
    "PORTO (Agency) — Portugal's football federation on Tuesday named a new coach for the under-21 team after a "
    "disappointing qualifying campaign that ended with a home defeat to Slovakia.",
    "The federation said the former midfielder, who led a second-division club to promotion last season, had "
    "signed a contract until the end of the next European championship cycle.",
    "Supporters gathered outside the stadium in Porto on Tuesday evening to protest against ticket prices, which "
    "have risen sharply since the league signed a new broadcasting deal with a streaming service.",
    "The new coach is expected to announce his first squad next month ahead of friendly matches against Spain and "
    "Morocco in the south of the country, the federation said in a statement on its website.",
]


def republished(site: str, paragraphs: list[str], *, lead: str, edit: bool = False) -> str:
    body = list(paragraphs)
    if edit:  # a copy-editor's touch: a word changed, a paragraph dropped, an update line added
        body[2] = body[2].replace("more than four thousand", "over 4,000")
        body = [*body[:-1], "This story was updated with comment from the opposition."]
    blocks = "".join(f"<p>{p}</p>" for p in [lead, *body])
    return (f"<html><head><title>Portugal approves budget | {site}</title></head><body><article>"
            f"<h1>Portugal approves budget</h1>{blocks}</article><footer>© {site}</footer></body></html>")


PAGES = {
    "https://daily-star.example/world/portugal-budget": republished(
        "Daily Star", WIRE, lead="Sign up for our world news briefing in the box below."),
    "https://valley-times.example/2026/11/portugal-budget-passes": republished(
        "Valley Times", WIRE, lead="From our wire partners:", edit=True),
    "https://metro-herald.example/news/12345": republished(
        "Metro Herald", WIRE, lead="Story continues below the advertisement."),
    "https://metro-herald.example/sport/67890": republished(
        "Metro Herald", OTHER, lead="Story continues below the advertisement."),
}


@pytest.fixture
def con(tmp_path):
    with connect(tmp_path / "w.duckdb") as con:
        yield con


def load(con, urls: list[str], run: str, threshold: float = 0.5) -> None:
    start = datetime(2026, 11, 24, tzinfo=UTC)
    results = []
    for i, url in enumerate(urls):
        article = clean_html(PAGES[url], url)
        assert isinstance(article, CleanArticle), article
        results.append(PageResult(url, "f", Outcome.ARTICLE, start + timedelta(minutes=i), article=article))
    load_pages(con, results, run, story_threshold=threshold)


def stories(con) -> dict[str, str]:
    return dict(con.execute("SELECT url, story_id FROM articles").fetchall())


def test_an_agency_story_republished_by_three_sites_is_one_story(con) -> None:
    urls = list(PAGES)
    load(con, urls, "r1")
    found = stories(con)
    copies = {found[u] for u in urls[:3]}
    assert len(copies) == 1 and found[urls[3]] not in copies
    first = con.execute("SELECT article_id FROM articles WHERE url = ?", [urls[0]]).fetchone()[0]
    assert copies == {first}  # the cluster is named after its first article
    assert con.execute("SELECT count(DISTINCT content_hash) FROM articles").fetchone()[0] == 4  # not exact copies


def test_copies_arriving_in_later_runs_join_the_story_and_reloading_changes_nothing(con) -> None:
    urls = list(PAGES)
    load(con, urls[:1], "r1")
    load(con, urls[1:], "r2")
    load(con, urls, "r3")
    found = stories(con)
    assert len({found[u] for u in urls[:3]}) == 1 and found[urls[3]] != found[urls[0]]
    assert con.execute("SELECT count(*) FROM story_buckets").fetchone()[0] == 4 * 32


def test_the_threshold_is_a_setting(con) -> None:
    load(con, list(PAGES), "r1", threshold=0.99)
    assert len(set(stories(con).values())) == 4


def test_a_warehouse_from_before_story_clusters_upgrades_and_its_articles_get_stories(tmp_path) -> None:
    from wirehouse.warehouse.db import migrations

    db = tmp_path / "old.duckdb"
    old = duckdb.connect(str(db))  # the schema as the previous release left it: migrations 1 to 3
    old.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
                "applied_at TIMESTAMPTZ NOT NULL)")
    for version, path in migrations()[:3]:
        old.execute(path.read_text())
        old.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, path.stem])
    text = "\n\n".join(WIRE)
    old.execute("INSERT INTO articles (article_id, url, feed, title, author, fetched_at, text, word_count, "
                "content_hash, text_hash, source, extractor, run_id, loaded_at) VALUES ('old1', "
                "'https://www.old-paper.example/2025/portugal-budget', 'f', 'Budget', 'Ana Silva', '2025-06-01', ?, 1, "
                "'c', 't', 'page', 'trafilatura 2.3.1', 'r0', now())", [text])
    old.close()

    with connect(db) as con:  # migrates in place
        row = con.execute("SELECT byline, host, story_id FROM articles WHERE article_id = 'old1'").fetchone()
        assert row == ("Ana Silva", "old-paper.example", None)
        load(con, [next(iter(PAGES))], "r1")  # the next load gives the old article its story, and the copy joins it
        found = stories(con)
        assert found["https://www.old-paper.example/2025/portugal-budget"] == "old1"
        assert found[next(iter(PAGES))] == "old1"
