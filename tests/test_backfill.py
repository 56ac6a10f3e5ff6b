"""Backfills through the real flows: the demo corpus on 127.0.0.1, the WARC archive, DuckDB, Prefect's test server."""

from __future__ import annotations

import io
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from rich.console import Console

from wirehouse.demo import demo_environment
from wirehouse.models import ArchiveRef
from wirehouse.progress import rich_progress
from wirehouse.tasks.archive import WarcWriter, read_response

FIXED_INTERVAL_0 = {"WIREHOUSE_MIN_POLL_INTERVAL": "0", "WIREHOUSE_MAX_POLL_INTERVAL": "0"}


def rows(db: Path, sql: str, *params: object) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def execute(db: Path, sql: str) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute(sql)


@pytest.fixture(scope="module")
def ingested(prefect_server, demo_site, tmp_path_factory: pytest.TempPathFactory):
    """The demo corpus ingested once (with its archive); each test works on its own copy."""
    from wirehouse.flows.ingest import ingest

    site, corpus = demo_site
    folder = tmp_path_factory.mktemp("ingested")
    with demo_environment():
        ingest(feeds_file=str(corpus.feeds_file), db=str(folder / "w.duckdb"))
    return folder, site, corpus


@pytest.fixture
def warehouse(ingested, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder, _, corpus = ingested
    shutil.copytree(folder, tmp_path, dirs_exist_ok=True)
    for key, value in FIXED_INTERVAL_0.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("WIREHOUSE_FEEDS_FILE", str(corpus.feeds_file))
    monkeypatch.setenv("WIREHOUSE_DB", str(tmp_path / "w.duckdb"))
    with demo_environment():
        yield tmp_path / "w.duckdb"


def articles(db: Path) -> dict[str, tuple]:
    return {url: rest for url, *rest in rows(db, "SELECT url, title, text_hash, published_at FROM articles")}


def test_every_fetched_page_is_archived_byte_for_byte(ingested) -> None:
    folder, _, corpus = ingested
    db = folder / "w.duckdb"
    archived = rows(db, "SELECT url, warc_file, warc_offset, warc_length FROM pages WHERE warc_file IS NOT NULL")
    fetched = {url for (url,) in rows(db, "SELECT url FROM fetches WHERE kind = 'page' AND access_status = 'ok'")}
    assert {url for url, *_ in archived} == fetched and len(fetched) >= 20
    served = {p.url: p for p in corpus.pages}
    for url, file, offset, length in archived:
        response = read_response(folder / "w-archive", ArchiveRef(file, offset, length))
        assert response.url == url and response.status == 200
        path = corpus.root / url.split("/", 3)[3]
        assert response.body == path.read_bytes(), url
        assert url in served


def test_re_extract_gives_the_same_articles_without_the_network(warehouse: Path, ingested) -> None:
    from wirehouse.flows.backfill import backfill

    _, site, _ = ingested
    before, requests = articles(warehouse), len(site.requests)
    shown = io.StringIO()
    with rich_progress(Console(file=shown, width=100)):
        counts = backfill(mode="re-extract")
    assert len(site.requests) == requests  # nothing fetched
    archived = rows(warehouse, "SELECT count(*) FROM pages WHERE warc_file IS NOT NULL")[0][0]
    assert counts["pages_article"] == archived
    assert articles(warehouse) == before  # the same text, title and date for every article
    assert "pages re-extracted" in shown.getvalue() and f"{archived}/{archived}" in shown.getvalue()  # the bar
    again = backfill(mode="re-extract")  # the same backfill, finished: nothing left to do
    assert not any(k.startswith("pages_") for k in again) and again["backfill_runs"] == 2


def test_a_stricter_cleaner_removes_what_it_now_rejects(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from wirehouse.flows.backfill import backfill
    from wirehouse.warehouse.check import check_warehouse

    attempts = rows(warehouse, "SELECT url_id, attempts FROM pages ORDER BY url_id")
    monkeypatch.setenv("WIREHOUSE_MIN_TEXT_CHARS", "3500")  # a new cleaner setting: a new backfill by itself
    strict = backfill(mode="re-extract")
    assert 0 < strict["reason: too_short"] < strict["pages_rejected"] + strict["pages_article"]
    # every article a page still points to, and no other: the rejected pages' articles are gone
    assert rows(warehouse, "SELECT count(*) FROM articles") == rows(
        warehouse, "SELECT count(DISTINCT article_id) FROM pages WHERE outcome = 'article'")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert [r.name for r in check_warehouse(con) if r.violations] == []
    monkeypatch.delenv("WIREHOUSE_MIN_TEXT_CHARS")
    back = backfill(mode="re-extract")  # the usual settings again: another backfill, and the articles are back
    assert back["backfill_runs"] == 1 and "reason: too_short" not in back
    assert len(articles(warehouse)) == len(rows(warehouse, "SELECT url FROM pages WHERE outcome = 'article'"))
    # reading a body back from the archive is not a fetch: no attempt is used up
    assert rows(warehouse, "SELECT url_id, attempts FROM pages ORDER BY url_id") == attempts


def test_re_extract_interrupted_then_resumed(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import wirehouse.flows.backfill as backfill_module

    monkeypatch.setenv("WIREHOUSE_BATCH_SIZE", "5")
    before = articles(warehouse)
    archived = rows(warehouse, "SELECT count(*) FROM pages WHERE warc_file IS NOT NULL")[0][0]
    real_load, calls = backfill_module.load_pages, []

    def load_then_crash(con, results, run_id, **kw):
        calls.append(len(results))
        if len(calls) == 3:
            raise RuntimeError("simulated crash")
        return real_load(con, results, run_id, **kw)

    monkeypatch.setattr(backfill_module, "load_pages", load_then_crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        backfill_module.backfill(mode="re-extract")
    monkeypatch.setattr(backfill_module, "load_pages", real_load)
    [(started,)] = rows(warehouse, "SELECT started_at FROM backfills")
    done = rows(warehouse, "SELECT count(*) FROM pages WHERE cleaned_at >= ?", started)[0][0]
    assert done == 10  # two batches landed, the third rolled back

    resumed = backfill_module.backfill(mode="re-extract")
    assert resumed["pages_article"] == archived - 10  # only the rest
    assert rows(warehouse, "SELECT count(*) FROM pages WHERE cleaned_at >= ?", started)[0][0] == archived
    assert articles(warehouse) == before
    assert rows(warehouse, "SELECT runs, finished_at IS NOT NULL FROM backfills") == [(2, True)]
    assert rows(warehouse, "SELECT status FROM runs WHERE flow = 'backfill' ORDER BY started_at") == [
        ("failed",), ("completed",)]


def test_fetch_backfills_only_the_selected_missing_pages(warehouse: Path, ingested) -> None:
    from wirehouse.flows.backfill import backfill

    _, site, _ = ingested
    # daily-courier's pages never fetched (an outage that outlasted the retries, say)
    execute(warehouse, "DELETE FROM articles WHERE feed = 'daily-courier'; "
                       "DELETE FROM pages WHERE feed = 'daily-courier'")
    missing = rows(warehouse, """SELECT url, published_at FROM entries WHERE feed = 'daily-courier'""")
    since, until = "2026-11-15", "2026-11-20"
    first, last = datetime(2026, 11, 15, tzinfo=UTC), datetime(2026, 11, 20, 23, 59, 59, tzinfo=UTC)
    wanted = {u for u, p in missing if first <= p <= last}
    assert 0 < len(wanted) < len(missing)
    requests = len(site.requests)
    counts = backfill(mode="fetch", since=since, until=until, feeds=["daily-courier"])
    fetched = {path for path, _ in site.requests[requests:] if path != "/robots.txt"}
    assert {u.split("/", 3)[3] for u in wanted} == {p.lstrip("/") for p in fetched}
    assert counts["pages_article"] == len(wanted)
    assert backfill(mode="fetch", since=since, until=until, feeds=["daily-courier"]).get("pages_article", 0) == 0


def test_re_enrich_redoes_the_selection_once(warehouse: Path) -> None:
    from wirehouse.flows.backfill import backfill
    from wirehouse.flows.enrich import enrich

    enrich()
    chosen = rows(warehouse, "SELECT count(*) FROM articles WHERE feed = 'metro-wire'")[0][0]
    first = backfill(mode="re-enrich", feeds=["metro-wire"])
    assert first["articles_enriched"] == chosen
    [(newest_run,)] = rows(warehouse, "SELECT run_id FROM runs WHERE flow = 'backfill'")
    assert rows(warehouse, "SELECT DISTINCT a.feed FROM enrichments e JOIN articles a USING (article_id) "
                           "WHERE e.run_id = ?", newest_run) == [("metro-wire",)]
    assert backfill(mode="re-enrich", feeds=["metro-wire"]).get("articles_enriched", 0) == 0  # resumed: done
    assert backfill(mode="re-enrich", feeds=["metro-wire"], restart=True)["articles_enriched"] == chosen


def test_sitemap_backfill_reads_the_range(prefect_server, ingested, tmp_path: Path, monkeypatch) -> None:
    from wirehouse.flows.backfill import backfill

    _, site, corpus = ingested
    pages = [p for p in corpus.pages if p.site == "gulf-post"]
    lastmods = [p.published for p in pages]
    inside = [p.url for p in pages if "2026-11-12" <= p.published[:10] <= "2026-11-22"]
    assert 0 < len(inside) < len(pages)
    urls = "".join(f"<url><loc>{p.url}</loc><lastmod>{m}</lastmod></url>" for p, m in zip(pages, lastmods, strict=True))
    sitemap = corpus.root / "gulf-post" / "sitemap-test.xml"
    sitemap.write_text(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')
    monkeypatch.setenv("WIREHOUSE_FEEDS_FILE", str(corpus.feeds_file))
    db = tmp_path / "fresh.duckdb"  # nothing ingested before
    with demo_environment():
        counts = backfill(mode="sitemap", sites=[site.base_url], files=[f"{site.base_url}/gulf-post/sitemap-test.xml"],
                          since="2026-11-12", until="2026-11-22", db=str(db))
        assert counts["sitemap_urls"] == len(inside) and counts["pages_article"] == len(inside)
        assert sorted(u for (u,) in rows(db, "SELECT url FROM articles")) == sorted(inside)
        again = backfill(mode="sitemap", sites=[site.base_url], files=[f"{site.base_url}/gulf-post/sitemap-test.xml"],
                         since="2026-11-12", until="2026-11-22", db=str(db))
    assert again["entries_new"] == 0 and "pages_article" not in again


def test_warc_backfill_loads_a_foreign_capture_once(prefect_server, ingested, tmp_path: Path, monkeypatch) -> None:
    """A WARC written elsewhere (URLs on hosts we never contact), with a PDF, a huge page, a broken URL and a
    damaged tail."""
    from wirehouse.flows.backfill import backfill

    _, site, corpus = ingested
    chosen = [p for p in corpus.pages if p.site == "metro-wire"][:4]
    captured = datetime(2026, 11, 20, 12, tzinfo=UTC)
    with WarcWriter(tmp_path / "capture", prefix="cc-news") as writer:
        for page in chosen:
            body = (corpus.root / page.url.split("/", 3)[3]).read_bytes()
            writer.write_response(page.url.replace(site.base_url, "https://metro.example"), captured, 200,
                                  "text/html; charset=utf-8", body)
        writer.write_response("https://metro.example/report.pdf", captured, 200, "application/pdf", b"%PDF-1.4 ...")
        writer.write_response("https://metro.example/huge.html", captured, 200, "text/html", b"<p>" * 100_000)
        writer.write_response("http://[broken/x.html", captured, 200, "text/html", b"<html></html>")
    [warc] = list((tmp_path / "capture").rglob("*.warc.gz"))
    with warc.open("ab") as damaged:
        damaged.write(b"\x1f\x8b\x08\x00garbage")
    db, requests = tmp_path / "w.duckdb", len(site.requests)
    monkeypatch.setenv("WIREHOUSE_MAX_RESPONSE_BYTES", "200000")  # the huge page is read no further than that
    counts = backfill(mode="warc", files=[str(warc)], db=str(db))
    assert len(site.requests) == requests
    assert counts["pages_article"] == 4 and counts["reason: not_html"] == 1 and counts["warc_errors"] == 1
    assert counts["reason: too_large"] == 1 and counts["warc_bad_urls"] == 1
    titles = {t for (t,) in rows(db, "SELECT title FROM articles WHERE url LIKE 'https://metro.example/%'")}
    assert titles == {p.title for p in chosen}
    assert rows(db, "SELECT count(*) FROM pages WHERE warc_file = ?", str(warc.resolve())) == [(6,)]
    again = backfill(mode="warc", files=[str(warc)], db=str(db))
    assert again["warc_already_loaded"] == 6 and "pages_article" not in again
