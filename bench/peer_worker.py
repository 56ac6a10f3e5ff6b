"""One peer extractor over a list of URLs, run inside that peer's own virtualenv (bench/peers.py makes it).

    <peer venv>/bin/python bench/peer_worker.py PEER --urls urls.json --out out.json [--processes N]

Stdlib and the peer only: this file must not import wirehouse, whose venv it never runs in. Each peer is used end
to end as its users call it, downloading every page itself over HTTP:
- newspaper4k: `Article(url, fetch_images=False)`, `.download()`, `.parse()`; the text is `.text`. `.nlp()` is
  skipped: see NEWSPAPER4K_NOTE. Its default binary-content check sends a HEAD and a streamed GET before the GET
  of each page: three requests an article, on the clock like the rest.
- news-please: `NewsPlease.from_url(url, request_args={"timeout": ...}, fetch_images=False)`; the text is
  `.maintext` (None read as ""). A failed download is no exception there (from_url answers `{}`): it is recorded
  as DownloadFailed.

Before the clock: imports, and one small in-memory page through the same code (no network). On the clock: every
URL, in this process (--processes 1) or in a fork Pool of N processes (imap, one URL per task), pool start and
stop included. An exception fails its URL only (text null, class name counted).

Network guard, in every process (Pool children are forked after it is installed): name lookups and socket
connects to anything but 127.0.0.1, ::1 (and the name localhost) raise ConnectionRefusedError before a packet
leaves, and are counted; a peer that reaches for images, robots.txt or data files is refused, and the run says so.

Peak RSS: `ru_maxrss` of this process plus that of each Pool child (each child reports its own with every result:
RUSAGE_CHILDREN would give only the largest one), in MB.

out.json: {"peer", "version", "processes", "seconds", "peak_rss_mb", "blocked_connections", "note",
"results": [{"url", "text", "error", "blocked"}]}, results in the order of urls.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import resource
import socket
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
NEWSPAPER4K_NOTE = (
    "nlp() skipped: its summary splits sentences with NLTK's punkt/punkt_tab data, which newspaper4k 0.9.6 fetches "
    "from raw.githubusercontent.com at run time (nltk.download) when missing; `pip install newspaper4k` does not "
    "even install nltk (the [nlp] extra does), and no package on PyPI ships that data"
)
WARM_URL = "http://127.0.0.1/warm-up.html"
WARM_HTML = (
    "<html><head><title>Warm-up</title></head><body><article><h1>Warm-up</h1>"
    + "<p>This paragraph only loads the lazily built parts of the extractor before the clock starts.</p>" * 5
    + "</article></body></html>"
)

_blocked = 0  # refused attempts in this process; each URL's result carries its own share


def _refuse_unless_loopback(host: object) -> None:
    global _blocked
    name = host.decode() if isinstance(host, bytes) else host
    if name not in LOOPBACK:
        _blocked += 1
        raise ConnectionRefusedError(f"peer_worker: {name!r} is not loopback")


def install_guard() -> None:
    """Refuse every lookup and connect that is not loopback (a lookup alone would send a DNS query)."""

    def lookup(real: Callable[..., Any]) -> Callable[..., Any]:
        def guarded(host: object, *args: Any, **kwargs: Any) -> Any:
            if host is not None:  # None: the local wildcard address, no lookup
                _refuse_unless_loopback(host)
            return real(host, *args, **kwargs)

        return guarded

    def connect(real: Callable[..., Any]) -> Callable[..., Any]:
        def guarded(sock: socket.socket, address: Any) -> Any:
            if sock.family in (socket.AF_INET, socket.AF_INET6):  # other families (AF_UNIX) are local
                _refuse_unless_loopback(address[0])
            return real(sock, address)

        return guarded

    # socket.create_connection and urllib3 look these up on the module at call time, so they go through the guard.
    for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex"):
        setattr(socket, name, lookup(getattr(socket, name)))
    for name in ("connect", "connect_ex"):
        setattr(socket.socket, name, connect(getattr(socket.socket, name)))


class DownloadFailed(Exception):
    """news-please's from_url logs a failed download and answers {} instead of raising."""


@dataclass(frozen=True)
class Peer:
    distribution: str  # the name pip installed it under, for its version
    extract: Callable[[str], str]  # url -> main text, downloading the page itself
    warm_up: Callable[[], object]  # the same code on WARM_HTML, without the network
    note: str = ""


def newspaper4k(timeout: float) -> Peer:
    import newspaper

    def extract(url: str) -> str:
        article = newspaper.Article(url, fetch_images=False, request_timeout=timeout)
        return article.download().parse().text  # parse() raises ArticleException when the download failed

    def warm_up() -> object:
        return newspaper.Article(WARM_URL, fetch_images=False).download(input_html=WARM_HTML).parse()

    return Peer("newspaper4k", extract, warm_up, NEWSPAPER4K_NOTE)


def news_please(timeout: float) -> Peer:
    from newsplease import NewsPlease

    def extract(url: str) -> str:
        article = NewsPlease.from_url(url, request_args={"timeout": timeout}, fetch_images=False)
        if not article:
            raise DownloadFailed(url)
        return article.maintext or ""

    def warm_up() -> object:
        return NewsPlease.from_html(WARM_HTML, WARM_URL, fetch_images=False)

    return Peer("news-please", extract, warm_up)


PEERS: dict[str, Callable[[float], Peer]] = {"newspaper4k": newspaper4k, "news-please": news_please}
_peer: Peer  # set before any Pool forks, so children inherit it


def process(url: str) -> dict[str, Any]:
    before = _blocked
    try:
        text, error = _peer.extract(url), None
    except Exception as exc:  # any failure is this URL's, never the run's
        text, error = None, type(exc).__name__
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"url": url, "text": text, "error": error, "blocked": _blocked - before, "pid": os.getpid(),
            "peak_kib": peak_kib}


def run(peer_name: str, urls: list[str], processes: int, timeout: float) -> dict[str, Any]:
    global _peer
    install_guard()
    # Steady state offline: tldextract (newspaper4k's URL parsing) would fetch the public suffix list on first use
    # and cache it; its bundled snapshot serves instead. Read when tldextract is imported, so set before.
    os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
    logging.disable(logging.CRITICAL)  # the peers log every failed download and guessed date
    warnings.simplefilter("ignore")  # e.g. newspaper4k's "nltk is not installed" at import
    _peer = PEERS[peer_name](timeout)
    _peer.warm_up()
    warm_up_blocked = _blocked
    started = time.perf_counter()
    if processes == 1:
        results = [process(url) for url in urls]
    else:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            results = list(pool.imap(process, urls, chunksize=1))
    seconds = time.perf_counter() - started
    peaks = {os.getpid(): resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
    for result in results:
        pid, peak = result.pop("pid"), result.pop("peak_kib")
        peaks[pid] = max(peaks.get(pid, 0), peak)
    return {"peer": peer_name, "version": version(_peer.distribution), "processes": processes,
            "seconds": round(seconds, 3), "peak_rss_mb": round(sum(peaks.values()) / 1024, 1),
            "blocked_connections": warm_up_blocked + sum(r["blocked"] for r in results),
            "note": _peer.note, "results": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("peer", choices=sorted(PEERS))
    parser.add_argument("--urls", type=Path, required=True, help="JSON list of URLs")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=30, help="seconds per HTTP request")
    args = parser.parse_args()
    urls = json.loads(args.urls.read_text())
    args.out.write_text(json.dumps(run(args.peer, urls, args.processes, args.timeout)))


if __name__ == "__main__":
    main()
