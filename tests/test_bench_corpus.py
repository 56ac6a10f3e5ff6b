"""bench/corpus.py and bench/replay.py on a tiny corpus: what the benchmark corpus promises, and how it is served."""

from __future__ import annotations

import json
import re
from collections import Counter
from email.utils import formatdate
from itertools import pairwise
from pathlib import Path

import feedparser
import httpx
import pytest
import trafilatura

from conftest import load_bench
from wirehouse.localserver import CONTENT_TYPES
from wirehouse.models import Feed
from wirehouse.tasks.jsonfeed import parse_json_feed

PAGES = 60  # room for every bad kind (13), a few wire copies, pages on all 7 template families
# Boilerplate the templates print that trafilatura drops on every family; the other parts ("Read more:" lines,
# stray bylines, old-CMS tool links) it keeps on some pages, which is what wirehouse's own rules are for.
DROPPED = ("Leave a Reply", "Your email address will not be published.", "Manage preferences", "Share on Facebook",
           "All rights reserved.", "Proudly powered by WordPress", "Click to share on Facebook", "Like this:")


corpus, replay = load_bench("corpus"), load_bench("replay")
corpus_html, corpus_model = load_bench("corpus_html"), load_bench("corpus_model")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("replay-corpus")
    return root, corpus.generate(PAGES, root, seed=1)


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _norm(text: str) -> str:
    return " ".join(text.split())


def _files(root: Path) -> dict[str, bytes]:
    """The synthetic part of a corpus: pages, feeds and truth, without the eval pages (and the manifest's list)."""
    files = {path.relative_to(root).as_posix(): path for path in root.rglob("*") if path.is_file()}
    return {name: path.read_bytes() for name, path in sorted(files.items())
            if not name.startswith("eval/") and name not in ("feeds/eval.xml", "manifest.json")}


def test_a_seed_gives_the_same_bytes(built: tuple[Path, dict], tmp_path: Path) -> None:
    root, _ = built
    again, other = tmp_path / "again", tmp_path / "other"
    corpus.generate(PAGES, again, seed=1, include_eval=False)
    corpus.generate(PAGES, other, seed=2, include_eval=False)
    assert _files(again) == _files(root)
    assert (other / "truth.jsonl").read_bytes() != (root / "truth.jsonl").read_bytes()
    with pytest.raises(FileExistsError):
        corpus.generate(PAGES, again)


def test_every_page_is_in_exactly_one_feed(built: tuple[Path, dict]) -> None:
    root, manifest = built
    listed: Counter[str] = Counter()
    for path in manifest["feeds"]:
        body = (root / path.lstrip("/")).read_bytes()
        if path.endswith(".json"):
            links = [entry.url for entry in parse_json_feed(Feed("f", "http://x/"), body, base_url=corpus_model.ORIGIN)]
        else:
            parsed = feedparser.parse(body)
            assert not parsed.bozo, (path, parsed.get("bozo_exception"))
            assert all(entry.get("id") and entry.get("published") for entry in parsed.entries)
            links = [entry.link for entry in parsed.entries]
        assert links, path
        listed.update(link.removeprefix(corpus_model.ORIGIN) for link in links)
    expected = [row["path"] for row in _lines(root / "truth.jsonl") + _lines(root / "bad.jsonl")]
    assert len(expected) == PAGES
    assert listed == Counter([*expected, *manifest["eval"]])
    assert {Path(path).suffix for path in manifest["feeds"]} >= {".xml", ".atom"}


def test_pages_articles_and_bad_kinds(built: tuple[Path, dict]) -> None:
    root, manifest = built
    truth = _lines(root / "truth.jsonl")
    lengths = [len(row["text"].split()) for row in truth]
    assert all(corpus.MIN_WORDS <= length <= corpus.MAX_WORDS for length in lengths)
    assert sum(lengths) == manifest["words"]
    assert {row["kind"] for row in truth} == {"article", "syndicated"}
    assert {row["kind"] for row in _lines(root / "bad.jsonl")} == set(corpus.BAD_KINDS)
    assert sum(count for kind, count in manifest["pages"].items() if kind != "eval") == PAGES
    assert {site["family"] for site in manifest["sites"].values()} == set(corpus_html.FAMILIES)
    files = {row["kind"]: root / row["path"].lstrip("/") for row in _lines(root / "bad.jsonl")}
    assert not any(files[kind].exists() for kind in ("not_found", "server_error", "redirect_loop"))  # the server's
    by_kind = {kind: file.read_bytes() for kind, file in files.items() if file.exists()}
    assert by_kind["empty"] == b""
    assert by_kind["binary"].startswith((b"%PDF-", b"\x89PNG"))
    assert len(by_kind["huge"]) > 3_000_000
    assert not by_kind["truncated"].rstrip().endswith(b"</html>")
    with pytest.raises(UnicodeDecodeError):
        by_kind["cp1252_as_utf8"].decode("utf-8")
    assert b'charset="windows-1252"' in by_kind["utf8_as_cp1252"] and by_kind["utf8_as_cp1252"].decode("utf-8")
    if corpus.SHARED_EVAL.is_dir():
        truth_ids = json.loads((corpus.SHARED_EVAL / "zyte-dev" / "ground-truth.json").read_text(encoding="utf-8"))
        assert manifest["eval"] and set(manifest["eval"].values()) <= set(truth_ids)
        assert all((root / path.lstrip("/")).stat().st_size > 1000 for path in manifest["eval"])


def test_wire_copies_are_near_duplicates_of_another_sites_story(built: tuple[Path, dict]) -> None:
    root, _ = built
    texts = {row["path"]: row["text"].split("\n\n") for row in _lines(root / "truth.jsonl")}
    plan = corpus.make_plan(PAGES, 1)
    copies = [entry for entry in plan.entries if entry.kind == "syndicated"]
    assert copies
    for copy in copies:
        source = plan.entries[copy.source]
        assert source.kind == "article" and source.site != copy.site
        mine, theirs = texts[copy.path], set(texts[source.path])
        assert mine != texts[source.path]  # a new lead, or cut short
        assert sum(paragraph in theirs for paragraph in mine) >= 0.6 * len(mine)
    # Unrelated articles share (almost) nothing, or every page would look like a copy of every other.
    articles = [entry for entry in plan.entries if entry.kind == "article"]
    for first, second in pairwise(articles):
        shared = set(texts[first.path]) & set(texts[second.path])
        assert len(shared) <= 1


def test_trafilatura_finds_each_familys_article_without_its_boilerplate(built: tuple[Path, dict]) -> None:
    root, manifest = built
    checked: Counter[str] = Counter()
    seen_families = set()
    for row in _lines(root / "truth.jsonl"):
        family = manifest["sites"][row["path"].split("/")[2]]["family"]
        if family in seen_families:
            continue
        seen_families.add(family)
        page = (root / row["path"].lstrip("/")).read_text(encoding="utf-8")
        extracted = _norm(trafilatura.extract(page) or "")
        assert _norm(row["text"].split("\n\n")[0]) in extracted, family
        visible = re.sub(r"<[^>]+>", " ", page)
        for phrase in DROPPED:
            if phrase in visible and phrase not in row["text"]:
                assert phrase not in extracted, (family, phrase)
                checked[phrase] += 1
    assert seen_families == set(corpus_html.FAMILIES)
    assert checked["Leave a Reply"] and checked["All rights reserved."] >= len(corpus_html.FAMILIES)


def test_replay_server(built: tuple[Path, dict]) -> None:
    root, manifest = built
    bad = {row["kind"]: row["path"] for row in _lines(root / "bad.jsonl")}
    article = _lines(root / "truth.jsonl")[0]["path"]
    feeds = {Path(path).suffix: path for path in manifest["feeds"]}
    with replay.replay_server(root) as base, httpx.Client(base_url=base, trust_env=False) as client:
        page = client.get(article)
        assert page.status_code == 200 and page.headers["content-type"] == CONTENT_TYPES[".html"]
        assert f'href="{base}{article}"' in page.text and corpus_model.ORIGIN not in page.text
        for suffix, path in feeds.items():
            feed = client.get(path)
            assert feed.status_code == 200 and feed.headers["content-type"] == CONTENT_TYPES[suffix]
            assert int(feed.headers["content-length"]) == len(feed.content)
            again = client.get(path, headers={"If-None-Match": feed.headers["etag"]})
            assert again.status_code == 304 and again.content == b""
            dated = client.get(path, headers={"If-Modified-Since": feed.headers["last-modified"]})
            assert dated.status_code == 304
            assert client.get(path, headers={"If-Modified-Since": formatdate(0, usegmt=True)}).status_code == 200
        assert client.get(bad["not_found"]).status_code == 404
        assert client.get(bad["server_error"]).status_code == 500
        hop = client.get(bad["redirect_loop"])
        assert hop.status_code == 302
        back = client.get(hop.headers["location"])
        assert back.status_code == 302 and back.headers["location"] == f"{base}{bad['redirect_loop']}"
        assert client.get(bad["binary"]).headers["content-type"] == CONTENT_TYPES[".html"]
        assert client.get(bad["utf8_as_cp1252"]).headers["content-type"] == "text/html"  # no charset: the <meta> says
        assert client.head(article).headers["content-length"] == str(len(page.content))
        figures = replay.throughput(base, [article, *feeds.values()] * 10, concurrency=4)
    assert figures["requests"] == 10 * (1 + len(feeds)) and figures["requests_per_s"] > 0 and figures["mb_per_s"] > 0
