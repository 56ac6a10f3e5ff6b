"""Saved queries by name with typed parameters, every output format, and the Parquet export round trip."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from wirehouse.cli import app
from wirehouse.warehouse import connect
from wirehouse.warehouse.saved_queries import QueryError, saved_queries, saved_query

NOW = datetime.now(UTC)
# (entity, days ago of each article mentioning it): Ferry rises 1 → 3, Harbour falls 2 → 1.
MENTIONED = {"Ferry Board": [1, 2.5, 3, 9], "Harbour Trust": [4, 10, 11]}  # none on a period boundary


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    db = tmp_path / "w.duckdb"
    with connect(db) as con:
        n = 0
        for entity, ages in MENTIONED.items():
            con.execute("INSERT INTO entities VALUES (?, ?, 'ORG', NULL, ?)", [entity, entity, NOW])
            for age in ages:
                n += 1
                day = NOW - timedelta(days=age)
                con.execute(
                    "INSERT INTO articles (article_id, url, host, feed, title, published_at, fetched_at, text, "
                    "word_count, content_hash, text_hash, source, extractor, run_id, loaded_at, story_id) "
                    "VALUES (?, ?, 'news.example', 'f', ?, ?, ?, ?, 3, ?, ?, 'page', 'x', 'r', ?, ?)",
                    [f"a{n}", f"https://news.example/{n}", f"Story {n}", day, day, f"{entity} met on day {age}.",
                     f"c{n}", f"t{n}", NOW, f"a{n}"],
                )
                con.execute("INSERT INTO mentions (article_id, start_char, end_char, text, label, version, run_id, "
                            "canonical, entity_id) VALUES (?, 0, ?, ?, 'ORG', 'v', 'r', ?, ?)",
                            [f"a{n}", len(entity), entity, entity, entity])
    return db


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_saved_queries_declare_themselves_and_run_with_their_defaults(warehouse: Path) -> None:
    queries = saved_queries()
    assert {"top-entities", "trending-entities", "stories", "rejections"} <= set(queries)
    assert "pending-pages" not in queries  # the pipeline's own statements are not offered
    for name, query in queries.items():
        assert query.description, name
        code, _, err = run("sql", "--query", name, "--db", str(warehouse), "--format", "json")
        assert code == 0, (name, err)


def test_trending_entities_takes_the_period_as_a_parameter(warehouse: Path) -> None:
    code, out, _ = run("sql", "-q", "trending-entities", "-p", "days=7", "--db", str(warehouse), "-f", "json")
    assert code == 0
    rows = {r["entity"]: (r["articles"], r["before"], r["change"]) for r in map(json.loads, out.splitlines())}
    assert rows == {"Ferry Board": (3, 1, 2), "Harbour Trust": (1, 2, -1)}
    code, out, _ = run("sql", "-q", "trending_entities", "-p", "days=2", "-p", "limit=1", "--db", str(warehouse),
                       "-f", "csv")
    assert code == 0 and out.splitlines() == ["entity,label,articles,before,change,ratio", "Ferry Board,ORG,1,2,-1,0.5"]


def test_bad_parameters_are_clear_errors() -> None:
    query = saved_query("trending-entities")
    with pytest.raises(QueryError, match="takes days, limit; not weeks"):
        query.bind({"weeks": "2"})
    with pytest.raises(QueryError, match="not a INTEGER"):
        query.bind({"days": "seven"})
    with pytest.raises(QueryError, match="no saved query 'nope'"):
        saved_query("nope")
    code, _, err = run("sql", "-q", "stories", "-p", "min_outlets")
    assert code == 2 and "name=value" in err


def test_every_format_and_a_file(warehouse: Path, tmp_path: Path) -> None:
    sql = "SELECT title, word_count FROM articles ORDER BY article_id LIMIT 2"
    assert run("sql", sql, "--db", str(warehouse), "-f", "parquet")[0] == 2  # parquet needs --out
    out = tmp_path / "top.parquet"
    assert run("sql", sql, "--db", str(warehouse), "-f", "parquet", "-o", str(out))[0] == 0
    rows = pq.read_table(out).to_pylist()
    assert rows == [{"title": "Story 1", "word_count": 3}, {"title": "Story 2", "word_count": 3}]
    csv_file = tmp_path / "top.csv"
    assert run("sql", sql, "--db", str(warehouse), "-f", "csv", "-o", str(csv_file))[0] == 0
    assert csv_file.read_text().splitlines() == ["title,word_count", "Story 1,3", "Story 2,3"]
    code, out, _ = run("sql", sql, "--db", str(warehouse))
    assert code == 0 and "Story 1" in out


def test_export_writes_parquet_partitioned_by_day_that_reads_back_the_same(warehouse: Path, tmp_path: Path) -> None:
    target = tmp_path / "export"
    code, _, err = run("export", "--to", str(target), "--db", str(warehouse))
    assert code == 0, err
    days = {p.name for p in (target / "articles").iterdir() if p.is_dir()}
    published = {(NOW - timedelta(days=age)).date() for ages in MENTIONED.values() for age in ages}
    assert days == {f"day={day}" for day in published}  # (2.5 and 3 days ago fall on one day before 12:00 UTC)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table, key in (("articles", "article_id"), ("mentions", "article_id")):
            stored = con.execute(f"SELECT * FROM {table} ORDER BY {key}").fetchall()
            read = con.execute(
                f"SELECT * EXCLUDE (day) FROM read_parquet('{target}/{table}/*/*.parquet', hive_partitioning = true) "
                f"ORDER BY {key}"
            ).fetchall()
            assert read == stored, table
        assert con.execute(f"SELECT count(*) FROM '{target}/entities/entities.parquet'").fetchone()[0] == 2
    assert run("export", "--to", str(target), "--db", str(warehouse))[0] == 0  # again: replaced, not doubled
    with duckdb.connect() as con:
        assert con.execute(f"SELECT count(*) FROM read_parquet('{target}/articles/*/*.parquet')").fetchone()[0] == 7


def test_analysts_read_the_published_snapshot_unless_they_ask_for_the_live_file(warehouse: Path) -> None:
    from wirehouse.warehouse.snapshot import publish_snapshot

    with connect(warehouse) as con:
        publish_snapshot(con, warehouse)
        con.execute("DELETE FROM mentions WHERE article_id = 'a1'")
        con.execute("DELETE FROM articles WHERE article_id = 'a1'")  # after the publish: only the live file has it
    sql = "SELECT count(*) AS n FROM articles"
    assert run("sql", sql, "--db", str(warehouse), "-f", "csv")[1].splitlines() == ["n", "7"]
    assert run("sql", sql, "--db", str(warehouse), "-f", "csv", "--live")[1].splitlines() == ["n", "6"]


def test_export_never_deletes_a_folder_it_did_not_write(warehouse: Path, tmp_path: Path) -> None:
    target = tmp_path / "mine"
    (target / "articles").mkdir(parents=True)
    (target / "articles" / "notes.txt").write_text("my own work")
    code, _, err = run("export", "--to", str(target), "--db", str(warehouse))
    assert code == 2 and "not a wirehouse export" in err
    assert (target / "articles" / "notes.txt").read_text() == "my own work"
