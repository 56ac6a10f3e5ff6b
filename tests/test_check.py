"""`wirehouse check`: a sound warehouse passes every check; each kind of damage fails its own check, and only it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from wirehouse.cli import app
from wirehouse.warehouse import connect
from wirehouse.warehouse.check import check_warehouse

TEXT = "Ada Lovelace met Charles Babbage in London."
SOUND = [
    "INSERT INTO feeds (feed, url, added_at) VALUES ('f', 'https://f.example/rss', now())",
    "INSERT INTO entries (feed, url_id, url, first_seen_at, run_id) "
    "VALUES ('f', 'u1', 'https://f.example/1', now(), 'r')",
    "INSERT INTO pages (url_id, url, feed, outcome, article_id, fetched_at, run_id) "
    "VALUES ('u1', 'https://f.example/1', 'f', 'article', 'a1', now(), 'r')",
    "INSERT INTO articles (article_id, url, host, feed, title, fetched_at, text, word_count, content_hash, text_hash, "
    f"source, extractor, run_id, loaded_at, story_id) VALUES ('a1', 'https://f.example/1', 'f.example', 'f', 'T', "
    f"now(), '{TEXT}', 7, 'c', 'h', 'page', 'x', 'r', now(), 'a1')",
    "INSERT INTO enrichments (article_id, version, text_hash, mentions, enriched_at, run_id) "
    "VALUES ('a1', 'v1', 'h', 2, now(), 'r')",
    "INSERT INTO mentions (article_id, start_char, end_char, text, label, version, run_id) VALUES "
    "('a1', 0, 12, 'Ada Lovelace', 'PERSON', 'v1', 'r'), ('a1', 36, 42, 'London', 'GPE', 'v1', 'r')",
    "INSERT INTO sentences VALUES ('a1', 0, 0, 43, 'v1', 'r')",
]
DAMAGE = {
    "orphans": "DELETE FROM articles WHERE article_id = 'a1'; DELETE FROM pages",
    "article_sources": "UPDATE pages SET outcome = 'rejected', article_id = NULL",
    "article_feeds": "DELETE FROM feeds",
    "page_outcomes": "DELETE FROM entries",
    "enrichment_versions": "UPDATE mentions SET version = 'v0' WHERE text = 'London'",
    "mention_offsets": "UPDATE mentions SET start_char = 35 WHERE text = 'London'",
    "stories": "UPDATE articles SET story_id = 'gone'",
}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    with connect(path) as con:
        for statement in SOUND:
            con.execute(statement)
    return path


def failing(db: Path) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {r.name for r in check_warehouse(con) if r.violations}


def test_a_sound_warehouse_passes(db: Path) -> None:
    assert failing(db) == set()
    result = CliRunner().invoke(app, ["check", "--db", str(db)])
    assert result.exit_code == 0 and "articles" in result.output


@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_each_kind_of_damage_fails_its_check(db: Path, name: str) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute(DAMAGE[name])
    assert failing(db) == {name}
    result = CliRunner().invoke(app, ["check", "--db", str(db)])
    assert result.exit_code == 1 and f"{name}: first of" in result.output  # the offending rows are shown


def test_every_check_is_exercised() -> None:
    from wirehouse.warehouse.check import CHECKS

    assert {p.stem.split("_", 1)[1] for p in CHECKS.glob("*.sql")} == set(DAMAGE)
