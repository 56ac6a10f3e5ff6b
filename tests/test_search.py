"""Full-text search: BM25 through DuckDB's fts extension loaded offline, articles newer than the index, the fallback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

import wirehouse.warehouse.search as search_module
from wirehouse.cli import app
from wirehouse.warehouse import connect
from wirehouse.warehouse.search import build_search_index, load_fts, search_articles

NOW = datetime.now(UTC)
TEXTS = {
    "ferry": ("Ferry terminal rebuild approved", "The council approved the ferries' new terminal after a long debate."),
    "storm": ("Storm floods valley", "Heavy rain flooded the valley and closed the railway for two days."),
    "budget": ("Budget passes", "The finance minister said the terminal budget and the ferry subsidy would both rise."),
}


def add(con, key: str, title: str, text: str, loaded: datetime) -> None:
    con.execute(
        "INSERT INTO articles (article_id, url, host, feed, title, fetched_at, text, word_count, content_hash, "
        "text_hash, source, extractor, run_id, loaded_at) VALUES (?, ?, 'news.example', 'f', ?, ?, ?, 9, ?, ?, "
        "'page', 'x', 'r', ?)",
        [key, f"https://news.example/{key}", title, loaded, text, key, key, loaded],
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    with connect(path) as con:
        for key, (title, text) in TEXTS.items():
            add(con, key, title, text, NOW - timedelta(days=1))
    return path


def ids(rows: list[tuple]) -> list[str]:
    return [row[0] for row in rows]


def test_the_extension_loads_offline_from_its_package() -> None:
    with connect(":memory:") as con:
        assert load_fts(con)


def test_bm25_ranks_stemmed_matches_and_later_loads_are_found_until_the_next_build(db: Path) -> None:
    with connect(db) as con:
        assert build_search_index(con) == 3
        _, rows = search_articles(con, "ferry terminal")
        assert ids(rows) == ["ferry", "budget"]  # "ferries'" stems to ferry; the title match ranks first
        assert all(row[-1] > 0 for row in rows)
        add(con, "late", "Late ferry news", "A ferry terminal story loaded after the index was built.", NOW)
        _, rows = search_articles(con, "ferry")
        assert ids(rows)[-1] == "late" and rows[-1][-1] is None  # found by substring, unranked
        assert build_search_index(con) == 4
        _, rows = search_articles(con, "ferry")
        assert "late" in ids(rows) and all(row[-1] is not None for row in rows)


def test_without_the_extension_search_scans(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_module, "_extension_file", lambda: None)  # as on a duckdb with no fts wheel
    with connect(db) as con:
        assert build_search_index(con) is None
        _, rows = search_articles(con, "railway")
    assert ids(rows) == ["storm"]


def test_cli_search_reindexes_and_prints(db: Path) -> None:
    result = CliRunner().invoke(app, ["search", "valley flood", "--reindex", "--db", str(db), "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith("storm,Storm floods valley,news.example,")


def test_the_index_is_stale_only_after_articles_change(db: Path) -> None:
    from wirehouse.warehouse.search import search_index_stale

    with connect(db) as con:
        assert search_index_stale(con)  # never built
        build_search_index(con)
        assert not search_index_stale(con)
        add(con, "late", "Late news", "Loaded after the build.", NOW)
        assert search_index_stale(con)
