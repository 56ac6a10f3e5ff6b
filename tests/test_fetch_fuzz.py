"""Hostile responses through the whole page stage: fetch → classify → decode → clean, as process_entries runs it.

A loopback server answers with whatever a hypothesis example says: any status, a Content-Type with a wrong, absent
or garbled charset, a Content-Encoding, and bodies that are random bytes, mutated real pages, text in the wrong
encoding, 5 MB attributes, 100k nested divs, NUL bytes or gzip with garbage inside. Whatever comes back, every
entry gets exactly one PageResult with an outcome and a reason, nothing raises, and memory stays bounded.
"""

from __future__ import annotations

import gzip
import itertools
import socket
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hostile import article, request_path
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import ZYTE
from wirehouse.models import CleanArticle, FeedEntry, Outcome
from wirehouse.settings import Settings
from wirehouse.tasks.pages import process_entries

# A few of the smallest real pages (30-50 KB): mutations of them reach the extractor without costing much.
_PAGE_FILES = sorted(ZYTE.glob("html/*.html.gz"), key=lambda p: p.stat().st_size)[:4] if ZYTE.is_dir() else []
REAL_PAGES = [gzip.decompress(p.read_bytes()) for p in _PAGE_FILES] or [article("A page of our own")]
TEXT = ("Überschrift – Straßenbahn fährt länger. Le café coûte 2 € à Zürich. Привет, мир. 見出しと本文。 "
        "The harbour commission voted on Tuesday to extend the night ferry service. ") * 12
CODECS = ["utf-8", "utf-16", "utf-16-le", "utf-32", "cp1252", "latin-1", "shift_jis", "euc-jp", "koi8-r", "gb18030",
          "big5", "euc-kr", "utf-7", "cp437"]
CHARSET_LABELS = [*CODECS, "bogus", "", "utf8mb4", "x-user-defined", "unicode-1-1-utf-7", "csUnicode", "iso-2022-jp",
                  '"utf-8"', "'utf-8", "utf-8;q=1", "ut\u00e9-8", "utf-8\t", "hz-gb-2312", "replacement"]
MEDIA_TYPES = ["text/html", "TEXT/HTML", "application/xhtml+xml", "text/plain", "application/octet-stream",
               "application/json", "image/png", "text/html,text/plain", "", "html", "*/*"]
KNOWN_ERRORS = {  # what the fetch stage may record for these responses (tasks/fetch.py)
    "network_error", "timeout", "deadline", "too_large", "http_5xx", "http_429", "http_404", "http_410",
    "http_401", "http_403", "http_400", "bad_redirect", "robots_unavailable", "robots_disallowed",
    "host_unavailable", "redirect_loop", "too_many_redirects", "blocked_address", "bad_url", "http_error",
}
NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"  # no reuse: the server closes
MAX_RSS_GROWTH = 1_500_000_000  # bytes of peak-RSS growth a fuzz run may cause

# --- the server -------------------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    body: bytes
    content_type: bytes | None = None
    encoding: bytes | None = None  # Content-Encoding
    extra: list[bytes] = field(default_factory=list)  # raw header lines

    def raw(self) -> bytes:
        lines = [b"HTTP/1.1 %d Fuzzed" % self.status]
        if self.content_type is not None:
            lines.append(b"Content-Type: " + self.content_type)
        if self.encoding is not None:
            lines.append(b"Content-Encoding: " + self.encoding)
        lines += self.extra
        lines += [b"Content-Length: %d" % len(self.body), b"Connection: close"]
        return b"\r\n".join(lines) + b"\r\n\r\n" + self.body


class FuzzServer:
    """Answers each path with the raw bytes registered for it (404 otherwise); threads on 127.0.0.1."""

    def __init__(self) -> None:
        self.responses: dict[str, bytes] = {}
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.base = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._paths = itertools.count()

    def add(self, response: Response) -> str:
        path = f"/page/{next(self._paths)}"
        self.responses[path] = response.raw()
        return self.base + path

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.settimeout(10)
                path = request_path(conn)
                if path:
                    conn.sendall(self.responses.get(path, NOT_FOUND))
            except OSError:
                pass  # the client gave up (a cap or the deadline), or sent no request line


@pytest.fixture(scope="module")
def server() -> Iterator[FuzzServer]:
    srv = FuzzServer()
    threading.Thread(target=srv._accept, daemon=True).start()
    yield srv
    srv._listener.close()


# --- bodies -----------------------------------------------------------------------------------------------------


@st.composite
def mutated_page(draw: st.DrawFn) -> bytes:
    """A real page with random byte flips, insertions, deletions, duplications and a possible truncation."""
    page = bytearray(draw(st.sampled_from(REAL_PAGES)))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(page)))
        op = draw(st.sampled_from(["flip", "insert", "delete", "duplicate", "truncate", "markup"]))
        if op == "flip" and at < len(page):
            page[at] = draw(st.integers(0, 255))
        elif op == "insert":
            page[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif op == "delete":
            del page[at : at + draw(st.integers(1, 5000))]
        elif op == "duplicate":
            piece = page[at : at + draw(st.integers(1, 5000))]
            page[at:at] = piece * draw(st.integers(1, 20))
        elif op == "truncate":
            del page[at:]
        else:
            page[at:at] = draw(st.sampled_from([b"<", b"</div>", b"<!--", b"<script>", b"<![CDATA[", b"\xef\xbb\xbf",
                                                b"&#0;", b"<meta charset=utf-16>", b"<html>", b"\x00" * 8]))
    return bytes(page)


@st.composite
def wrong_encoding(draw: st.DrawFn) -> bytes:
    """Text in one encoding, declared (in <meta>, or nowhere) as another; the header gets its own lie."""
    codec = draw(st.sampled_from(CODECS))
    meta = draw(st.sampled_from([None, *CHARSET_LABELS]))
    head = f"<meta charset='{meta}'>" if meta is not None else ""
    paragraphs = "".join(f"<p>{TEXT}</p>" for _ in range(3))
    html = (f"<!DOCTYPE html><html><head>{head}<title>Straßenbahn – 見出し</title></head><body><article>"
            f"<h1>Straßenbahn</h1>{paragraphs}</article></body></html>")
    return html.encode(codec, "replace")


@st.composite
def enormous_attribute(draw: st.DrawFn) -> bytes:
    size = draw(st.sampled_from([100_000, 4_900_000, 5_000_000]))
    name = draw(st.sampled_from(["class", "style", "data-x", "href", "content"]))
    quote = draw(st.sampled_from(['"', "'", ""]))
    where = draw(st.sampled_from(["<html><head><meta name='description' ", "<html><body><p "]))
    return f"{where}{name}={quote}".encode() + b"x" * size + f"{quote}>{TEXT}</p></body></html>".encode()


@st.composite
def deep_nesting(draw: st.DrawFn) -> bytes:
    depth = draw(st.sampled_from([300, 5_000, 100_000]))
    tag = draw(st.sampled_from([b"div", b"span", b"table", b"p", b"a", b"b"]))
    closed = draw(st.booleans())
    return b"<html><body>" + b"<%s>" % tag * depth + TEXT.encode() + (b"</%s>" % tag * depth if closed else b"")


@st.composite
def nul_bytes(draw: st.DrawFn) -> bytes:
    page = draw(st.sampled_from(REAL_PAGES))
    kind = draw(st.sampled_from(["prefix", "sprinkled", "every_other", "only"]))
    if kind == "prefix":
        return b"\x00" * draw(st.integers(1, 4096)) + page
    if kind == "sprinkled":
        step = draw(st.integers(2, 500))
        return b"\x00".join(page[i : i + step] for i in range(0, len(page), step))
    if kind == "every_other":
        return bytes(b for c in page[:20_000] for b in (c, 0))  # UTF-16-LE lookalike, undeclared
    return b"\x00" * draw(st.integers(1, 100_000))


@st.composite
def compressed(draw: st.DrawFn) -> tuple[bytes, bytes]:
    """(body, Content-Encoding): valid gzip of garbage, corrupt gzip, deflate of garbage, unknown encodings."""
    inner = draw(st.one_of(st.binary(max_size=5000), st.sampled_from(REAL_PAGES), mutated_page()))
    kind = draw(st.sampled_from(["gzip", "gzip-truncated", "gzip-garbage", "gzip-twice", "deflate", "deflate-raw",
                                 "deflate-garbage", "br", "unknown"]))
    if kind == "gzip":
        return gzip.compress(inner), b"gzip"
    if kind == "gzip-truncated":
        packed = gzip.compress(inner)
        return packed[: draw(st.integers(0, max(0, len(packed) - 1)))], b"gzip"
    if kind == "gzip-garbage":
        return b"\x1f\x8b\x08\x00" + draw(st.binary(max_size=2000)), b"gzip"
    if kind == "gzip-twice":
        return gzip.compress(gzip.compress(inner)), b"gzip"  # decoded once: a gzip file served as a page
    if kind == "deflate":
        return zlib.compress(inner), b"deflate"
    if kind == "deflate-raw":
        packer = zlib.compressobj(wbits=-15)
        return packer.compress(inner) + packer.flush(), b"deflate"
    if kind == "deflate-garbage":
        return draw(st.binary(max_size=2000)), b"deflate"
    return inner, draw(st.sampled_from([b"br", b"x-unknown, gzip", b"identity", b"gzip, gzip"]))


header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=60)


@st.composite
def content_types(draw: st.DrawFn) -> bytes | None:
    kind = draw(st.sampled_from(["absent", "plain", "charset", "garbled"]))
    if kind == "absent":
        return None
    media = draw(st.sampled_from(MEDIA_TYPES))
    if kind == "plain":
        return media.encode("latin-1")
    if kind == "charset":
        return f"{media}; charset={draw(st.sampled_from(CHARSET_LABELS))}".encode("latin-1")
    return f"{media}; {draw(header_text)}".encode("latin-1")


@st.composite
def responses(draw: st.DrawFn) -> Response:
    kind = draw(st.sampled_from(["random", "mutated", "encoding", "attribute", "nesting", "nul", "compressed",
                                 "real"]))
    encoding = None
    if kind == "random":
        body = draw(st.binary(max_size=20_000))
    elif kind == "mutated":
        body = draw(mutated_page())
    elif kind == "encoding":
        body = draw(wrong_encoding())
    elif kind == "attribute":
        body = draw(enormous_attribute())
    elif kind == "nesting":
        body = draw(deep_nesting())
    elif kind == "nul":
        body = draw(nul_bytes())
    elif kind == "compressed":
        body, encoding = draw(compressed())
    else:
        body = draw(st.sampled_from(REAL_PAGES))
    status = draw(st.one_of(st.just(200), st.sampled_from([200, 203, 204, 206, 301, 304, 400, 403, 404, 410, 429,
                                                           500, 503])))
    extra = [b"Location: " + draw(st.sampled_from([b"", b"/", b"http://[::1/", b"javascript:x", b"\xff\xfe"]))] \
        if status == 301 else []
    return Response(status, body, draw(content_types()), encoding, extra)


@st.composite
def robots_responses(draw: st.DrawFn) -> Response | None:
    """robots.txt, fetched before the pages of the host: absent, garbage, or a real file."""
    kind = draw(st.sampled_from(["absent"] * 6 + ["garbage", "rules", "error"]))
    if kind == "absent":
        return None
    if kind == "garbage":
        return Response(200, draw(st.one_of(st.binary(max_size=3000), nul_bytes())), b"text/plain")
    if kind == "error":
        return Response(draw(st.sampled_from([403, 500, 503])), b"", b"text/plain")
    rules = draw(st.sampled_from([b"User-agent: *\nAllow: /\n", b"User-agent: *\nDisallow: /page/\n",
                                  b"User-agent: *\nCrawl-delay: \xc2\xb2\nDisallow:\n"]))
    return Response(200, rules, b"text/plain")


# --- the checks -------------------------------------------------------------------------------------------------


def fuzz_settings() -> Settings:
    # The guard stays on (127.0.0.1 allowed), robots.txt is obeyed: the layers a run uses.
    return Settings(allowed_networks=["127.0.0.1/32"], per_host_delay=0, request_timeout=5, request_deadline=15,
                    fetch_retries=0, clean_time_budget=5)


def check_results(entries: list[FeedEntry], results: list) -> None:
    assert [r.url for r in results] == [e.url for e in entries], "one result per entry, in order"
    for result in results:
        assert result.outcome in (Outcome.ARTICLE, Outcome.REJECTED, Outcome.FAILED)
        if result.outcome == Outcome.ARTICLE:
            assert isinstance(result.article, CleanArticle) and result.article.text
        else:
            assert result.reason and isinstance(result.reason, str), result
            assert result.article is None
        fetch = result.fetch
        if fetch is not None:
            # "internal" is the fetcher's last guard: an exception nobody foresaw. It must not happen.
            assert fetch.error is None or fetch.error in KNOWN_ERRORS or fetch.error.startswith("http_"), fetch
            if result.outcome == Outcome.FAILED and fetch.error:
                assert result.reason.startswith(fetch.error)


def run_examples(server: FuzzServer, pages: list[Response], robots: Response | None,
                 feed_html: list[str | None]) -> None:
    server.responses["/robots.txt"] = robots.raw() if robots else NOT_FOUND
    entries = [FeedEntry(feed="fuzz", url=server.add(page), content_html=html)
               for page, html in zip(pages, feed_html, strict=False)]
    results = process_entries(entries, fuzz_settings())
    check_results(entries, results)
    for result in results:  # shown by --hypothesis-show-statistics: which layer each example ended in
        event(f"{result.outcome}: {(result.reason or '').split(':')[0]}")


def peak_rss() -> int:
    """Peak resident set size of this process so far, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    import resource  # no /proc: ru_maxrss is KiB on Linux

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


feed_content = st.one_of(st.none(), st.none(), st.text(max_size=500),
                         st.builds(lambda b: b.decode("utf-8", "replace"), mutated_page()))


def fuzz(server: FuzzServer, examples: int) -> None:
    @settings(max_examples=examples, deadline=None, database=None, print_blob=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
    @given(pages=st.lists(responses(), min_size=1, max_size=3), robots=robots_responses(),
           feed_html=st.lists(feed_content, min_size=3, max_size=3))
    def check(pages: list[Response], robots: Response | None, feed_html: list[str | None]) -> None:
        run_examples(server, pages, robots, feed_html)

    before = peak_rss()
    check()
    growth = peak_rss() - before
    assert growth < MAX_RSS_GROWTH, f"peak RSS grew by {growth / 1e6:.0f} MB"


def test_hostile_responses_through_fetch_and_clean(server: FuzzServer) -> None:
    fuzz(server, examples=100)


@pytest.mark.slow
def test_hostile_responses_through_fetch_and_clean_at_length(server: FuzzServer) -> None:
    fuzz(server, examples=500)


def test_each_kind_of_hostile_page_once(server: FuzzServer) -> None:
    """The worst of each strategy, always (a fuzz run may not draw them), beside a real page that must clean."""
    html = "text/html; charset=utf-8"
    page = REAL_PAGES[0]
    cases = {
        "real page": Response(200, article("The ferry runs through the winter"), html.encode()),
        "5 MB attribute": Response(200, b"<html><body><p class='" + b"x" * 5_000_000 + b"'>Hi</p></body></html>",
                                   html.encode()),
        "4.9 MB attribute, parsed": Response(200, b"<html><body><p title=" + b"x" * 4_900_000 + b">"
                                             + TEXT.encode() + b"</p></body></html>", html.encode()),
        "100k nested divs": Response(200, b"<html><body>" + b"<div>" * 100_000 + TEXT.encode()
                                     + b"</div>" * 100_000, html.encode()),
        "200k elements": Response(200, b"<html><body>" + b"<span>a</span>" * 200_000, html.encode()),
        "NUL bytes": Response(200, b"\x00".join(page[i : i + 50] for i in range(0, len(page), 50)), html.encode()),
        "only NULs": Response(200, b"\x00" * 100_000, html.encode()),
        "UTF-16 labelled UTF-8": Response(200, TEXT.encode("utf-16"), html.encode()),
        "Shift_JIS labelled UTF-8": Response(200, f"<html><body><p>{TEXT}</p></body></html>".encode("shift_jis",
                                                                                                  "replace"),
                                             html.encode()),
        "UTF-8 labelled UTF-16": Response(200, page, b"text/html; charset=utf-16"),
        "cp1252 labelled UTF-8, meta says koi8-r": Response(
            200, f"<html><head><meta charset=koi8-r></head><body><p>{TEXT}</p></body></html>".encode("cp1252",
                                                                                                     "replace"),
            html.encode()),
        "gzip of garbage": Response(200, gzip.compress(bytes(range(256)) * 100), html.encode(), b"gzip"),
        "corrupt gzip": Response(200, b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4, html.encode(), b"gzip"),
        "gzip cut short": Response(200, gzip.compress(page)[:500], html.encode(), b"gzip"),
        "random bytes": Response(200, bytes((i * 7919) % 256 for i in range(50_000)), None),
        "binary as HTML": Response(200, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 100, html.encode()),
    }
    server.responses["/robots.txt"] = NOT_FOUND  # not what a fuzz example left there
    entries = [FeedEntry(feed="hostile", url=server.add(response)) for response in cases.values()]
    before = peak_rss()
    results = process_entries(entries, fuzz_settings())
    growth = peak_rss() - before
    check_results(entries, results)
    outcomes = dict(zip(cases, results, strict=True))
    assert outcomes["real page"].outcome == Outcome.ARTICLE, outcomes["real page"]
    assert outcomes["5 MB attribute"].reason.startswith("over_budget"), outcomes["5 MB attribute"].reason
    assert outcomes["200k elements"].reason.startswith("over_budget"), outcomes["200k elements"].reason
    assert outcomes["corrupt gzip"].reason.startswith("network_error"), outcomes["corrupt gzip"].reason
    assert outcomes["binary as HTML"].reason.startswith("not_html"), outcomes["binary as HTML"].reason
    assert growth < MAX_RSS_GROWTH, f"peak RSS grew by {growth / 1e6:.0f} MB"
