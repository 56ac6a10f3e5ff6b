"""The real pipeline end to end: demo feeds on 127.0.0.1 → Prefect flows → DuckDB rows with spaCy entities."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from wirehouse.demo import demo_environment
from wirehouse.models import Feed
from wirehouse.tasks.feedlist import append_to_feed_list

SEED_TITLE = "Iran is conducting urgent diplomacy as it prepares for Israel's response to missile attacks"


@pytest.fixture(scope="module")
def warehouse(prefect_server, demo_site, tmp_path_factory: pytest.TempPathFactory):
    """Ingest twice and enrich twice; yields what each run reported and the server's request log."""
    from wirehouse.flows.enrich import enrich
    from wirehouse.flows.ingest import ingest

    site, corpus = demo_site
    db = tmp_path_factory.mktemp("warehouse") / "w.duckdb"
    # every run polls every feed (a fixed interval of 0): the runs below check what repeat polls do
    every_run = {"WIREHOUSE_MIN_POLL_INTERVAL": "0", "WIREHOUSE_MAX_POLL_INTERVAL": "0"}
    with demo_environment(), pytest.MonkeyPatch.context() as mp:
        for key, value in every_run.items():
            mp.setenv(key, value)
        first = ingest(feeds_file=str(corpus.feeds_file), db=str(db))
        requests_after_first = len(site.requests)
        second = ingest(feeds_file=str(corpus.feeds_file), db=str(db))
        requests_after_second = len(site.requests)
        third = ingest(feeds_file=str(corpus.feeds_file), db=str(db))
        requests_in_second = site.requests[requests_after_first:requests_after_second]
        requests_in_third = site.requests[requests_after_second:]
        enriched = enrich(db=str(db))
        enriched_again = enrich(db=str(db))
    return {"db": db, "corpus": corpus, "first": first, "second": second, "third": third,
            "second_requests": requests_in_second, "third_requests": requests_in_third,
            "enriched": enriched, "enriched_again": enriched_again}


def query(db: Path, sql: str, *params: object) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_every_demo_article_is_loaded(warehouse) -> None:
    corpus = warehouse["corpus"]
    assert warehouse["first"]["feeds_polled"] == 4
    assert warehouse["first"]["pages_article"] == len(corpus.pages)
    rows = query(warehouse["db"], "SELECT title, feed, source, word_count, language FROM articles")
    assert sorted(r[0] for r in rows) == sorted(p.title for p in corpus.pages)
    assert all(r[3] > 100 and r[4] == "en" for r in rows)
    # harbour-times carries full content:encoded: its articles come from the feed, with no page fetched
    assert {r[2] for r in rows if r[1] == "harbour-times"} == {"feed"}
    assert {r[2] for r in rows if r[1] != "harbour-times"} == {"page"}


def test_seed_article_is_clean_in_the_warehouse(warehouse, seed_text: str) -> None:
    [(text,)] = query(warehouse["db"], "SELECT text FROM articles WHERE title = ?", SEED_TITLE)
    assert text.startswith("CNN\n\nThe Iranian government is extremely nervous")
    assert text.endswith("contributed to the reporting.")
    for furniture in ("By Vanessa", "Leave a Reply", "Your email address", "Required fields", "Share this"):
        assert furniture not in text
    assert "\nclose\n" not in f"\n{text}\n"


def test_ingest_again_is_a_no_op(warehouse) -> None:
    for run in ("second", "third"):
        assert warehouse[run]["entries_new"] == 0
        assert not any(k.startswith("pages_") for k in warehouse[run])
    # second run: full GETs of the four feeds (their bodies unchanged: not parsed), which shows their ETags honest
    assert warehouse["second"]["feeds_unchanged"] == 4
    assert sorted(status for _, status in warehouse["second_requests"]) == [200] * 4
    # from then on, conditional requests: four 304s, nothing else
    assert sorted(status for _, status in warehouse["third_requests"]) == [304] * 4
    counts = query(warehouse["db"], "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM pages)")
    assert counts == [(len(warehouse["corpus"].pages), len(warehouse["corpus"].pages))]


def test_entities_found_by_spacy(warehouse) -> None:
    assert warehouse["enriched"]["articles_enriched"] == len(warehouse["corpus"].pages)
    assert warehouse["enriched_again"] == {}  # nothing left to do
    seed_entities = set(
        query(
            warehouse["db"],
            "SELECT m.text, m.label FROM mentions m JOIN articles a USING (article_id) WHERE a.title = ?",
            SEED_TITLE,
        )
    )
    assert {("Joe Biden", "PERSON"), ("Benjamin Netanyahu", "PERSON"), ("Yoav Gallant", "PERSON")} <= seed_entities
    assert {("Iran", "GPE"), ("Israel", "GPE"), ("Tehran", "GPE")} <= seed_entities
    canonical_people = {name for (name,) in query(
        warehouse["db"], "SELECT DISTINCT e.name FROM mentions m JOIN entities e USING (entity_id) "
        "JOIN articles a USING (article_id) WHERE a.title = ? AND e.label = 'PERSON'", SEED_TITLE)}
    assert {"Joe Biden", "Benjamin Netanyahu", "Yoav Gallant", "Abbas Araghchi", "Hassan Nasrallah"} <= canonical_people
    speakers = dict(query(warehouse["db"], "SELECT split_part(q.text, ' ', 1) || ' ' || split_part(q.text, ' ', 2), "
                          "q.speaker_canonical FROM quotes q JOIN articles a USING (article_id) WHERE a.title = ?",
                          SEED_TITLE))
    assert speakers["Our punch"] == "Yoav Gallant" and speakers["is the"] == "Abbas Araghchi"
    # offsets point into the stored text
    bad = query(
        warehouse["db"],
        "SELECT count(*) FROM mentions m JOIN articles a USING (article_id) "
        "WHERE substr(a.text, m.start_char + 1, m.end_char - m.start_char) <> m.text",
    )
    assert bad == [(0,)]


def test_runs_are_recorded(warehouse) -> None:
    rows = query(warehouse["db"], "SELECT flow, status FROM runs ORDER BY started_at")
    assert rows == [("ingest", "completed")] * 3 + [("enrich", "completed")] * 2


def test_bad_feeds_are_recorded_and_do_not_stop_the_others(prefect_server, demo_site, tmp_path: Path) -> None:
    from wirehouse.flows.ingest import ingest

    site, corpus = demo_site
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(corpus.feeds_file.read_text())
    broken = {"gone": f"{site.base_url}/no/such/feed.xml", "a-page": f"{site.base_url}/gulf-post/index.html",
              "nowhere": "http://127.0.0.1:9/feed.xml"}
    for name, url in broken.items():
        append_to_feed_list(feeds, Feed(name, url))
    db = tmp_path / "w.duckdb"
    with demo_environment():
        counts = ingest(feeds_file=str(feeds), db=str(db))
    assert counts["feeds_failed"] == 3 and counts["pages_article"] == len(corpus.pages)
    health = dict(query(db, "SELECT feed, last_error FROM feeds WHERE consecutive_failures = 1"))
    assert health["gone"] == "http_404"
    assert health["a-page"] == "not_a_feed: html_page"
    assert health["nowhere"] == "connect_error"
