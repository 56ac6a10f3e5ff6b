"""Continuous ingestion: one ingest run that keeps polling picks up an item published while it runs."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import duckdb

from wirehouse.localserver import serve_directory

PARAGRAPH = ("The harbour council agreed on Tuesday to rebuild the eastern ferry pier before the winter storms, "
             "after a report found the old timber supports had rotted through in several places. ")


def write_page(root: Path, name: str, title: str) -> None:
    body = "".join(f"<p>{PARAGRAPH}{title}, part {i}.</p>" for i in range(4))
    (root / name).write_text(f"<!DOCTYPE html><html><head><title>{title}</title></head><body><article>"
                             f"<h1>{title}</h1>{body}</article></body></html>")


def write_feed(root: Path, base: str, names: list[str]) -> None:
    items = "".join(f"<item><title>{n}</title><link>{base}/{n}</link></item>" for n in names)
    (root / "feed.xml").write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
                                   f"<link>{base}/</link>{items}</channel></rss>")


def test_a_continuous_run_polls_again_when_the_feed_is_due(prefect_server, tmp_path: Path, monkeypatch) -> None:
    from wirehouse.flows.ingest import ingest

    root = tmp_path / "site"
    root.mkdir()
    write_page(root, "first.html", "Ferry pier to be rebuilt")
    write_page(root, "second.html", "Storm closes the eastern pier early")
    for key, value in {"WIREHOUSE_ALLOW_PRIVATE_ADDRESSES": "1", "WIREHOUSE_PER_HOST_DELAY": "0",
                       "WIREHOUSE_MIN_POLL_INTERVAL": "1", "WIREHOUSE_MAX_POLL_INTERVAL": "1"}.items():
        monkeypatch.setenv(key, value)
    with serve_directory(root) as site:
        write_feed(root, site.base_url, ["first.html"])
        feeds = tmp_path / "feeds.yaml"
        feeds.write_text(f"feeds:\n- name: local\n  url: {site.base_url}/feed.xml\n")
        db = tmp_path / "w.duckdb"

        def publish_later() -> None:  # once the first article is in, the feed gains a second item
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and ("/first.html", 200) not in site.requests:
                time.sleep(0.1)
            write_feed(root, site.base_url, ["first.html", "second.html"])

        publisher = threading.Thread(target=publish_later)
        publisher.start()
        counts = ingest(feeds_file=str(feeds), db=str(db), run_for=6)
        publisher.join()
        feed_requests = [r for r in site.requests if r[0] == "/feed.xml"]
    assert counts["cycles"] >= 3 and counts["pages_article"] == 2
    assert len(feed_requests) >= 3  # polled again and again within the one run, at the learned (1 s) interval
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchone() == (1,)
        assert {t for (t,) in con.execute("SELECT title FROM articles").fetchall()} == {
            "Ferry pier to be rebuilt", "Storm closes the eastern pier early"}
        assert con.execute("SELECT poll_interval FROM feeds").fetchone() == (1.0,)
