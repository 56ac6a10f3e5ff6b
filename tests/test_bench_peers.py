"""bench/peers.py: newspaper4k and news-please, each in its own venv, over zyte-dev pages served on 127.0.0.1.

Slow: the first run makes the venvs under .bench-venvs from PyPI (about 30 s here), later runs reuse them. A failed
install fails the test with pip's message: a broken pin must not pass as a skip.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator

import pytest

from conftest import BENCH, ZYTE, load_bench
from wirehouse.localserver import serve_directory

PAGES = sorted((ZYTE / "html").glob("*.html.gz"))[:3]  # English pages (newspaper4k fails Korean offline)
UNROUTABLE = "http://10.255.255.1/x"  # private, not loopback: the guard must refuse it before any packet


peers = load_bench("peers")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The pages on a loopback server: url -> the start of the page's true article body."""
    root = tmp_path_factory.mktemp("zyte-pages")
    truth = json.loads((ZYTE / "ground-truth.json").read_text())
    with serve_directory(root) as site:
        starts = {}
        for page in PAGES:
            name = page.name.removesuffix(".gz")
            (root / name).write_bytes(gzip.decompress(page.read_bytes()))
            starts[f"{site.base_url}/{name}"] = truth[name.removesuffix(".html")]["articleBody"][:300]
        yield starts


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text))


@pytest.mark.slow
@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.parametrize("peer", peers.PEERS)
def test_peer_extracts_served_pages(served: dict[str, str], peer: str, processes: int) -> None:
    done = peers.run_peer(peer, list(served), processes=processes, timeout=600)
    assert (done.peer, done.processes, done.errors, done.blocked_connections) == (peer, processes, {}, 0)
    assert f"{peer}=={done.version}\n" in (BENCH / "peers" / f"{peer}.txt").read_text()  # the pinned release ran
    assert set(done.texts) == set(served)
    for url, start in served.items():
        assert done.texts[url], url
        assert len(words(start) - words(done.texts[url])) <= len(words(start)) // 5, url  # the article, not chrome
    assert done.seconds > 0 and done.peak_rss_mb > 0
    assert bool(done.note) == (peer == "newspaper4k")  # its nlp() is skipped, and says so


@pytest.mark.slow
@pytest.mark.parametrize("peer", peers.PEERS)
def test_guard_refuses_non_loopback(served: dict[str, str], peer: str) -> None:
    """In a Pool child too: the unroutable URL fails at once (a SYN to it would hang until the timeout)."""
    url = next(iter(served))
    done = peers.run_peer(peer, [url, UNROUTABLE], processes=2, timeout=600)
    assert done.texts[UNROUTABLE] is None and sum(done.errors.values()) == 1
    assert done.blocked_connections >= 1
    assert done.texts[url]  # loopback still works beside it
