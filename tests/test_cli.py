"""The `wirehouse` command through Typer's runner, on real files and a real warehouse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import flattened_seed
from wirehouse.cli import app
from wirehouse.localserver import serve_directory
from wirehouse.tasks.feedlist import load_feed_list
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
    for command in ("ingest", "enrich", "backfill", "serve", "demo", "clean", "sql", "feeds"):
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


def test_feeds_add_checks_the_feed_then_lists_it(tmp_path: Path, local_sites: None) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "news.xml").write_text(RSS)
    feeds = tmp_path / "feeds.yaml"
    with serve_directory(tmp_path / "site") as site:
        ok = runner.invoke(app, ["feeds", "add", f"{site.base_url}/news.xml", "--name", "local", "--feeds", str(feeds)])
        assert ok.exit_code == 0, ok.output
        again = runner.invoke(app, ["feeds", "add", f"{site.base_url}/news.xml", "--feeds", str(feeds)])
        assert again.exit_code == 1 and "already listed" in again.stderr
    listed = runner.invoke(
        app, ["feeds", "list", "--feeds", str(feeds), "--db", str(tmp_path / "none.duckdb"), "-f", "json"]
    )
    assert listed.exit_code == 0
    [row] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["name"] == "local" and row["url"].endswith("/news.xml") and row["last_status"] == "never polled"


def test_feeds_add_discovers_the_feed_of_a_homepage(tmp_path: Path, local_sites: None) -> None:
    (tmp_path / "site" / "blog").mkdir(parents=True)
    (tmp_path / "site" / "blog" / "posts.rss").write_text(RSS)
    (tmp_path / "site" / "index.html").write_text(
        '<html><head><link rel="alternate" type="application/rss+xml" href="/blog/posts.rss"></head>'
        "<body><p>Welcome</p></body></html>"
    )
    feeds = tmp_path / "feeds.yaml"
    with serve_directory(tmp_path / "site") as site:
        result = runner.invoke(app, ["feeds", "add", f"{site.base_url}/", "--name", "blog", "--feeds", str(feeds)])
    assert result.exit_code == 0, result.output
    assert "its feed is" in result.output
    [feed] = load_feed_list(feeds)
    assert feed.url.endswith("/blog/posts.rss")


def test_feeds_add_refuses_a_site_without_feeds(tmp_path: Path, local_sites: None) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<html><body><p>no feeds here</p></body></html>")
    with serve_directory(tmp_path / "site") as site:
        result = runner.invoke(app, ["feeds", "add", f"{site.base_url}/", "--feeds", str(tmp_path / "f.yaml")])
    assert result.exit_code == 1 and "not a usable feed" in result.stderr
    assert not (tmp_path / "f.yaml").exists()


def test_opml_import_and_export(tmp_path: Path) -> None:
    opml = tmp_path / "subscriptions.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>'
        '<outline text="News"><outline text="Wire" type="rss" xmlUrl="https://wire.example/rss"/>'
        '<outline text="Blog" type="rss" xmlUrl="https://blog.example/atom.xml"/></outline></body></opml>'
    )
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n  - name: wire\n    url: https://other.example/wire.xml\n")
    result = runner.invoke(app, ["feeds", "import", str(opml), "--feeds", str(feeds)])
    assert result.exit_code == 0, result.output
    assert [(f.name, f.url) for f in load_feed_list(feeds)] == [
        ("wire", "https://other.example/wire.xml"), ("wire-2", "https://wire.example/rss"),
        ("blog", "https://blog.example/atom.xml")]
    again = runner.invoke(app, ["feeds", "import", str(opml), "--feeds", str(feeds)])
    assert again.exit_code == 0 and len(load_feed_list(feeds)) == 3  # already listed: skipped
    exported = runner.invoke(app, ["feeds", "export", "--feeds", str(feeds)])
    assert exported.exit_code == 0
    assert exported.stdout.count("<outline") == 3 and 'xmlUrl="https://blog.example/atom.xml"' in exported.stdout


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


@pytest.mark.parametrize(("args", "message"), [
    (["backfill", "warc"], "warc needs --file"),
    (["backfill", "sitemap"], "sitemap needs --site"),
])
def test_backfill_says_what_a_mode_needs(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and message in result.stderr


def test_backfill_refuses_an_unknown_mode() -> None:
    result = runner.invoke(app, ["backfill", "re-crawl"])
    assert result.exit_code == 2 and "re-extract" in result.stderr  # the choices are listed


def test_readme_documents_every_command() -> None:
    import typer.main

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    group = typer.main.get_group(app)
    names = [f"wirehouse {name}" for name in group.commands if name != "feeds"]
    names += [f"wirehouse feeds {name}" for name in group.commands["feeds"].commands]
    missing = [name for name in names if name not in readme]
    assert not missing, f"README lacks {missing}"
