"""The `wirehouse` command through Typer's runner, on real files and a real warehouse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import flattened_seed
from wirehouse.cli import app
from wirehouse.localserver import serve_directory
from wirehouse.warehouse import connect

runner = CliRunner()
RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Local</title><link>/</link>
<item><title>One</title><link>/one.html</link></item></channel></rss>"""


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    with connect(path) as con:
        con.execute("INSERT INTO feeds (feed, url, added_at) VALUES ('f', 'https://f.example/rss', now())")
    return path


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("ingest", "enrich", "demo", "clean", "sql", "feeds"):
        assert command in result.output


@pytest.mark.parametrize(("fmt", "expected"), [("csv", "feed,url\nf,https://f.example/rss\n"),
                                                ("json", '{"feed": "f", "url": "https://f.example/rss"}\n')])
def test_sql_formats(db: Path, fmt: str, expected: str) -> None:
    result = runner.invoke(app, ["sql", "SELECT feed, url FROM feeds", "--db", str(db), "--format", fmt])
    assert result.exit_code == 0, result.output
    assert result.stdout == expected


def test_sql_is_read_only_and_reports_errors(db: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["sql", "DELETE FROM feeds", "--db", str(db)])
    assert result.exit_code == 1
    assert "read-only" in result.stderr
    missing = runner.invoke(app, ["sql", "SELECT 1", "--db", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 2 and "no warehouse" in missing.stderr


def test_feeds_add_checks_the_feed_then_lists_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "rss.xml").write_text(RSS)
    (tmp_path / "site" / "page.html").write_text("<html><body><p>not a feed</p></body></html>")
    feeds = tmp_path / "feeds.yaml"
    monkeypatch.setenv("WIREHOUSE_ALLOW_PRIVATE_ADDRESSES", "1")
    with serve_directory(tmp_path / "site") as site:
        bad = runner.invoke(app, ["feeds", "add", f"{site.base_url}/page.html", "--feeds", str(feeds)])
        assert bad.exit_code == 1 and "not a usable feed" in bad.stderr
        ok = runner.invoke(app, ["feeds", "add", f"{site.base_url}/rss.xml", "--name", "local", "--feeds", str(feeds)])
        assert ok.exit_code == 0, ok.output
        again = runner.invoke(app, ["feeds", "add", f"{site.base_url}/rss.xml", "--feeds", str(feeds)])
        assert again.exit_code == 1 and "already listed" in again.stderr
    listed = runner.invoke(
        app, ["feeds", "list", "--feeds", str(feeds), "--db", str(tmp_path / "none.duckdb"), "-f", "json"]
    )
    assert listed.exit_code == 0
    [row] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["name"] == "local" and row["url"].endswith("/rss.xml") and row["last_status"] == "never polled"


def test_clean_prints_text(seed_text: str, tmp_path: Path) -> None:
    page = tmp_path / "seed.html"
    page.write_text(flattened_seed(seed_text))
    result = runner.invoke(app, ["clean", str(page), "--format", "txt"])
    assert result.exit_code == 0
    assert result.stdout.startswith("CNN\n\nThe Iranian government")
    assert "Leave a Reply" not in result.stdout
    as_json = json.loads(runner.invoke(app, ["clean", str(page)]).stdout)
    assert as_json["source"] == str(page) and as_json["title"].startswith("Iran is conducting")


def test_clean_refuses_private_urls_by_default() -> None:
    result = runner.invoke(app, ["clean", "http://127.0.0.1:9/x.html"])
    assert result.exit_code == 1 and "blocked_address" in result.stderr


def test_demo_refuses_to_replace_a_real_warehouse(db: Path) -> None:
    result = runner.invoke(app, ["demo", "--db", str(db)])
    assert result.exit_code == 2 and "not a demo warehouse" in result.stderr
    assert db.exists()
