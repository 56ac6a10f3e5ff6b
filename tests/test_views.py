"""The analyst views on a small warehouse whose answers are worked out by hand.

Two sites over two ISO weeks (Monday 2024-05-06 and Monday 2024-05-13):

    article  host       published (UTC)   fetched      story  words  entities
    a1       alpha.com  05-07 10:00       05-07        a1     100    biden (twice), us
    a2       alpha.com  05-07 23:30       05-07        a2     200    biden, gallant, hamas
    b1       beta.org   05-07 08:00       05-13 08:00  a1      98    us
    a3       alpha.com  -                 05-14 09:00  a3      40    biden
    b2       beta.org   05-14 12:00       05-14        b2     300    us, nato, gallant
    a4       alpha.com  05-15 08:00       05-15        a4      60    biden, nato
    a5       alpha.com  05-15 09:00       05-15        a4      80    biden, us
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from wirehouse.warehouse import connect
from wirehouse.warehouse.views import install_views, view_files

MON1, MON2 = date(2024, 5, 6), date(2024, 5, 13)


def ts(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2024, 5, day, hour, minute, tzinfo=UTC)


ARTICLES = [
    # article_id, host, feed, title, published_at, fetched_at, story_id, authors, word_count, text, paywalled,
    # template_blocks, boilerplate_blocks
    ("a1", "alpha.com", "alpha", "Talks open", ts(7, 10), ts(7, 11), "a1", ["Ann"], 100, "Talks open.", False, 2, 1),
    ("a2", "alpha.com", "alpha", "Visit", ts(7, 23, 30), ts(7, 23, 45), "a2", [], 200,
     "A visit.\n\nLeave a Reply", False, 0, 3),
    ("b1", "beta.org", "beta", "Talks open (wire)", ts(7, 8), ts(13, 8), "a1", ["Cy"], 98, "Talks open.", False, 0, 0),
    ("a3", "alpha.com", "alpha", "Undated", None, ts(14, 9), "a3", None, 40, "Short.\n\nALL RIGHTS RESERVED", True,
     1, 0),
    ("b2", "beta.org", "beta", "Summit", ts(14), ts(14), "b2", ["Di"], 300, "A summit.", False, 0, 0),
    ("a4", "alpha.com", "alpha", "Alliance", ts(15, 8), ts(15, 8), "a4", ["Bo"], 60, "Alliance news.", False, 0, 0),
    ("a5", "alpha.com", "alpha", "Alliance again", ts(15, 9), ts(15, 9), "a4", [], 80,
     "Alliance news. sign up for our newsletter", False, 0, 0),
]
ENTITIES = [
    ("biden", "Joe Biden", "PERSON"),
    ("gallant", "Yoav Gallant", "PERSON"),
    ("hamas", "Hamas", "ORG"),
    ("nato", "NATO", "ORG"),
    ("us", "United States", "GPE"),
]
MENTIONS = [  # article_id, entity_id, label
    ("a1", "biden", "PERSON"), ("a1", "biden", "PERSON"), ("a1", "us", "GPE"),
    ("a1", "date_may", "DATE"),  # dates get an entity_id but are no entity
    ("a1", None, "CARDINAL"),
    ("a2", "biden", "PERSON"), ("a2", "gallant", "PERSON"), ("a2", "hamas", "ORG"),
    ("b1", "us", "GPE"),
    ("a3", "biden", "PERSON"),
    ("b2", "us", "GPE"), ("b2", "nato", "ORG"), ("b2", "gallant", "PERSON"),
    ("a4", "biden", "PERSON"), ("a4", "nato", "ORG"),
    ("a5", "biden", "PERSON"), ("a5", "us", "GPE"),
]
QUOTES = [  # article_id, speaker, speaker_kind, speaker_entity_id, speaker_canonical
    ("a2", "Gallant", "named", "gallant", "Yoav Gallant"),
    ("a2", "he", "named", "gallant", "Yoav Gallant"),
    ("b2", "Gallant", "named", "gallant", "Yoav Gallant"),
    ("a4", "Yoav Gallant", "named", "gallant", "Yoav Gallant"),
    ("a4", "a senior official", "anonymous", None, None),
    ("b1", "officials", "anonymous", None, None),
    ("a3", "Biden", "named", "biden", "Joe Biden"),
    ("a5", "he", "unknown", None, None),
]
FETCHES = [  # host, kind, access_status, elapsed_ms, tries, fetched_at
    ("www.alpha.com", "page", "ok", 100, 1, ts(7, 11)),
    ("www.alpha.com", "page", "ok", 300, 1, ts(7, 12)),
    ("www.alpha.com", "page", "bot_challenge", 50, 3, ts(7, 13)),
    ("alpha.com", "page", "ok", 200, 1, ts(7, 14)),
    ("feeds.beta.org", "feed", "not_modified", 20, 1, ts(7, 9)),
    ("www.alpha.com", "page", "timeout", 10000, 2, ts(8, 9)),
]
FEEDS = [("alpha", "new", 0), ("beta", "failed", 2), ("gamma", None, 0)]
FEED_POLLS = [  # feed, polled_at, status, entries, new_entries, undated
    ("alpha", ts(7, 6), "new", 4, 3, 1),
    ("alpha", ts(14, 6), "not_modified", 0, 0, 0),
    ("beta", ts(7, 6), "new", 2, 2, 0),
    ("beta", ts(14, 6), "failed", 0, 0, 0),
    ("beta", ts(15, 6), "failed", 0, 0, 0),
]


def fill(con: duckdb.DuckDBPyConnection) -> None:
    con.executemany(
        "INSERT INTO articles (article_id, host, feed, title, published_at, fetched_at, story_id, authors, word_count,"
        " text, paywalled, template_blocks, boilerplate_blocks, url, content_hash, text_hash, source, extractor,"
        " run_id, loaded_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'https://' || $2 || '/' || $1, $1, $1, 'page',"
        " 'test', 'r1', $6)",
        ARTICLES,
    )
    con.executemany("INSERT INTO entities VALUES (?, ?, ?, NULL, '2024-05-01')", ENTITIES)
    con.executemany(
        "INSERT INTO mentions (article_id, entity_id, label, start_char, end_char, text, version, run_id) "
        "VALUES (?, ?, ?, 0, 1, 'x', 'v1', 'r2')",
        MENTIONS,
    )
    con.executemany(
        "INSERT INTO quotes (article_id, speaker, speaker_kind, speaker_entity_id, speaker_canonical, quote_index,"
        " start_char, end_char, text, version, run_id) VALUES (?, ?, ?, ?, ?, 0, 0, 1, 'x', 'v1', 'r2')",
        QUOTES,
    )
    con.executemany(
        "INSERT INTO fetches (url, host, kind, access_status, elapsed_ms, tries, fetched_at, run_id) "
        "VALUES ('https://' || $1 || '/', $1, $2, $3, $4, $5, $6, 'r1')",
        FETCHES,
    )
    con.executemany(
        "INSERT INTO feeds (feed, url, added_at, last_status, consecutive_failures) "
        "VALUES ($1, 'https://' || $1 || '.example/feed', '2024-05-01', $2, $3)",
        FEEDS,
    )
    con.executemany(
        "INSERT INTO feed_polls (feed, polled_at, status, entries, new_entries, undated, run_id, conditional,"
        " skipped_no_link, duplicate_links) VALUES (?, ?, ?, ?, ?, ?, 'r1', false, 0, 0)",
        FEED_POLLS,
    )
    con.execute(
        "INSERT INTO runs VALUES "
        "('r1', 'ingest', '2024-05-14 10:00:00+00', '2024-05-14 10:02:30+00', 'completed',"
        " '{\"feeds_polled\": 2, \"entries_new\": 5, \"pages_article\": 4, \"reason: too_short\": 1}', NULL),"
        "('r2', 'enrich', '2024-05-14 11:00:00+00', NULL, 'running', NULL, NULL)"
    )


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    with connect(tmp_path_factory.mktemp("views") / "w.duckdb") as con:
        fill(con)
        install_views(con)
        yield con


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_articles_per_source_day(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(con, "SELECT * FROM articles_per_source_day ORDER BY day, host") == [
        ("alpha.com", "alpha", date(2024, 5, 7), 2, 2, 300),
        ("beta.org", "beta", date(2024, 5, 7), 1, 1, 98),
        ("alpha.com", "alpha", date(2024, 5, 14), 1, 1, 40),  # no published date: the day it was fetched
        ("beta.org", "beta", date(2024, 5, 14), 1, 1, 300),
        ("alpha.com", "alpha", date(2024, 5, 15), 2, 1, 140),  # a4 and its copy a5: one story
    ]


def test_days_are_utc_whatever_the_session_time_zone(con: duckdb.DuckDBPyConnection) -> None:
    tokyo = con.cursor()
    tokyo.execute("SET TimeZone = 'Asia/Tokyo'")  # a2 (23:30 UTC) is already the next day in Tokyo
    assert rows(tokyo, "SELECT articles FROM articles_per_source_day WHERE host = 'alpha.com' AND day = '2024-05-07'") \
        == [(2,)]


def test_entity_trends_this_week_against_last(con: duckdb.DuckDBPyConnection) -> None:
    top = rows(con, "SELECT name, period_start, articles, previous, change, change_ratio FROM entity_trends "
                    "WHERE period = 'week' AND latest ORDER BY change DESC, name")
    assert top == [
        ("NATO", MON2, 2, 0, 2, None),  # new this week
        ("Joe Biden", MON2, 3, 2, 1, 0.5),
        ("United States", MON2, 2, 2, 0, 0.0),
        ("Yoav Gallant", MON2, 1, 1, 0, 0.0),
        ("Hamas", MON2, 0, 1, -1, -1.0),  # out of the news: still a row
    ]


def test_entity_trends_compare_with_the_calendar_period_before(con: duckdb.DuckDBPyConnection) -> None:
    biden = rows(con, "SELECT period_start, articles, previous, latest FROM entity_trends "
                      "WHERE entity_id = 'biden' AND period = 'day' ORDER BY period_start")
    assert biden == [
        (date(2024, 5, 7), 2, 0, False),  # a1 mentions him twice: one article
        (date(2024, 5, 8), 0, 2, False),
        (date(2024, 5, 14), 1, 0, False),  # not the 2 of May 7th: nothing on the 13th
        (date(2024, 5, 15), 2, 1, True),
    ]
    assert rows(con, "SELECT period, max(period_start) FROM entity_trends GROUP BY ALL ORDER BY 1") == [
        ("day", date(2024, 5, 15)), ("week", MON2)]  # nothing after the newest period
    assert rows(con, "SELECT count(*) FROM entity_trends WHERE entity_id NOT IN (SELECT entity_id FROM entities)") \
        == [(0,)]


def test_entity_cooccurrence(con: duckdb.DuckDBPyConnection) -> None:
    pairs = rows(con, "SELECT entity_a, entity_b, articles FROM entity_cooccurrence ORDER BY ALL")
    assert pairs == [
        ("biden", "gallant", 1), ("biden", "hamas", 1), ("biden", "nato", 1), ("biden", "us", 2),
        ("gallant", "hamas", 1), ("gallant", "nato", 1), ("gallant", "us", 1), ("nato", "us", 1),
    ]
    assert rows(con, "SELECT name_a, name_b, first_seen, last_seen FROM entity_cooccurrence "
                     "WHERE entity_a = 'biden' AND entity_b = 'us'") == [
        ("Joe Biden", "United States", ts(7, 10), ts(15, 9))]


def test_quoted_speakers(con: duckdb.DuckDBPyConnection) -> None:
    speakers = rows(con, "SELECT speaker, speaker_entity_id, speaker_kind, quotes, articles, quoted_about "
                         "FROM quoted_speakers ORDER BY quotes DESC, speaker_kind")
    assert speakers == [
        # his articles a2 (Biden, Hamas), b2 (United States, NATO), a4 (Biden, NATO); himself left out
        ("Yoav Gallant", "gallant", "named", 4, 3, ["Joe Biden", "NATO", "Hamas", "United States"]),
        (None, None, "anonymous", 2, 2, ["Joe Biden", "NATO", "United States"]),
        ("Joe Biden", "biden", "named", 1, 1, None),  # a3 names nobody else
        (None, None, "unknown", 1, 1, ["Joe Biden", "United States"]),
    ]


def test_story_clusters(con: duckdb.DuckDBPyConnection) -> None:
    stories = rows(con, "SELECT story_id, copies, outlets, outlet_count, first_published, last_published, title, url "
                        "FROM story_clusters WHERE copies > 1 ORDER BY story_id")
    assert stories == [
        # b1 came out earlier, but a1 was loaded first: the story is a1's
        ("a1", 2, ["alpha.com", "beta.org"], 2, ts(7, 8), ts(7, 10), "Talks open", "https://alpha.com/a1"),
        ("a4", 2, ["alpha.com"], 1, ts(15, 8), ts(15, 9), "Alliance", "https://alpha.com/a4"),
    ]
    assert rows(con, "SELECT count(*) FROM story_clusters") == [(5,)]


def test_source_health(con: duckdb.DuckDBPyConnection) -> None:
    health = rows(con, "SELECT host, kind, day, requests, ok, ok_share, bot_challenge, not_modified, timeout, tries, "
                       "median_ms FROM source_health ORDER BY ALL")
    assert health == [
        # www.alpha.com and alpha.com are one site, as in articles.host
        ("alpha.com", "page", date(2024, 5, 7), 4, 3, 0.75, 1, 0, 0, 6, 150.0),
        ("alpha.com", "page", date(2024, 5, 8), 1, 0, 0.0, 0, 0, 1, 2, 10000.0),
        ("feeds.beta.org", "feed", date(2024, 5, 7), 1, 0, 0.0, 0, 1, 0, 1, 20.0),
    ]


def test_feed_health(con: duckdb.DuckDBPyConnection) -> None:
    health = rows(con, "SELECT feed, last_status, consecutive_failures, polls, failed_polls, failed_share, "
                       "not_modified_polls, new_entries, last_new_at, undated_share, articles FROM feed_health "
                       "ORDER BY feed")
    assert health == [
        ("alpha", "new", 0, 2, 0, 0.0, 1, 3, ts(7, 6), 0.25, 5),
        ("beta", "failed", 2, 3, 2, 2 / 3, 0, 2, ts(7, 6), 0.0, 2),
        ("gamma", None, 0, 0, 0, None, 0, 0, None, None, 0),  # never polled
    ]


def test_extraction_health(con: duckdb.DuckDBPyConnection) -> None:
    alpha = rows(con, "SELECT week, articles, median_words, p10_words, p90_words, no_date_share, no_authors_share, "
                      "paywalled_share, residue_share, avg_template_blocks, avg_boilerplate_blocks, "
                      "prev_median_words, median_ratio FROM extraction_health WHERE host = 'alpha.com' ORDER BY week")
    assert alpha == [
        (MON1, 2, 150.0, 110.0, 190.0, 0.0, 0.5, 0.0, 0.5, 1.0, 2.0, None, None),
        # a3 has no date, no authors (NULL) and a paywall; a5 no authors; residue in any case: a3 and a5
        (MON2, 3, 60.0, 44.0, 76.0, 1 / 3, 2 / 3, 1 / 3, 2 / 3, 1 / 3, 0.0, 150.0, 0.4),
    ]
    # b1 came out in week 1 but was fetched (and cleaned) in week 2
    assert rows(con, "SELECT week, articles FROM extraction_health WHERE host = 'beta.org'") == [(MON2, 2)]


def test_run_history(con: duckdb.DuckDBPyConnection) -> None:
    runs = rows(con, "SELECT run_id, flow, status, duration_s, feeds_polled, entries_new, pages_article, "
                     "pages_rejected, articles_enriched FROM run_history ORDER BY run_id")
    assert runs == [
        ("r1", "ingest", "completed", 150.0, 2, 5, 4, None, None),  # counters it never added are NULL
        ("r2", "enrich", "running", None, None, None, None, None, None),
    ]


def test_every_view_file_is_one_view_named_for_its_file(con: duckdb.DuckDBPyConnection) -> None:
    names = set()
    for path in view_files():
        created = re.findall(r"CREATE OR REPLACE VIEW (\w+)", path.read_text(encoding="utf-8"))
        assert created == [re.sub(r"^\d+_", "", path.stem)], path.name
        names.update(created)
    assert len(names) >= 9
    installed = {name for (name,) in rows(con, "SELECT view_name FROM duckdb_views() WHERE NOT internal")}
    assert installed == names
    described = rows(con, "SELECT view_name FROM duckdb_views() WHERE NOT internal AND comment IS NULL")
    assert described == []


def test_installing_again_changes_nothing(con: duckdb.DuckDBPyConnection) -> None:
    before = rows(con, "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal ORDER BY 1")
    install_views(con)
    install_views(con)
    assert rows(con, "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal ORDER BY 1") == before
    assert rows(con, "SELECT count(*) FROM story_clusters") == [(5,)]


def test_connections_installing_at_once_do_not_fail(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    connect(db).close()
    errors = []

    def install() -> None:
        try:
            for _ in range(5):
                with connect(db) as con:
                    install_views(con)
        except Exception as exc:  # the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=install) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with connect(db) as con:
        assert len(rows(con, "SELECT view_name FROM duckdb_views() WHERE NOT internal")) == len(view_files())


def test_connect_installs_the_views_and_reinstalls_them_only_when_their_files_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wirehouse.warehouse.views as views

    db = tmp_path / "v.duckdb"
    with connect(db) as con:
        first = con.execute("SELECT digest, installed_at FROM schema_views").fetchall()
        assert {name for (name,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()} \
            == {path.stem for path in view_files()}
    with connect(db) as con:
        assert con.execute("SELECT digest, installed_at FROM schema_views").fetchall() == first  # nothing to do

    upgraded = tmp_path / "views"  # a release that changes one view
    upgraded.mkdir()
    for path in view_files():
        upgraded.joinpath(path.name).write_text(path.read_text())
    upgraded.joinpath("run_history.sql").write_text(
        "CREATE OR REPLACE VIEW run_history AS SELECT run_id, flow, status FROM runs;\n")
    monkeypatch.setattr(views, "VIEWS", upgraded)
    with connect(db) as con:
        assert con.execute("SELECT digest FROM schema_views").fetchone()[0] != first[0][0]
        assert [c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'run_history'")
                .fetchall()] == ["run_id", "flow", "status"]
