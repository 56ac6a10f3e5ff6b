"""A hostile web on 127.0.0.1: every way a feed or page goes wrong, as routes of one test server."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = b"<html><body><p>hello</p></body></html>"
CHALLENGE = (b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
             b"<div id='cf-chl-widget'>Checking your browser before accessing the site.</div></body></html>")
PARAGRAPHS = [
    "The harbour commission voted on Tuesday to extend the night ferry service through the winter months.",
    "Commissioner Ana Ruiz said the decision followed a survey of more than two thousand passengers in Lisbon.",
    "The extension will cost about 1.2 million euros and will be paid for by the regional transport fund.",
    "Critics on the council said the money would be better spent on new buses for the outer districts.",
]


def article(title: str, extra: str = "") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head><body><article>"
            f"<h1>{title}</h1>{body}{extra}</article></body></html>").encode()


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[["Handler", int], Reply | None]  # (handler, nth request to this path) → reply; None: handled


class Handler(BaseHTTPRequestHandler):
    site: HostileSite  # set per server

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        nth = self.site.count(self.path, self.headers.get("If-None-Match"))
        route = self.site.routes.get(path)
        reply = route(self, nth) if route else Reply(404, b"not found")
        if reply is not None:
            self.send(reply)

    def send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        headers = {"Content-Type": "text/html; charset=utf-8"} | reply.headers
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if reply.status != 304:
            self.wfile.write(reply.body)

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class HostileSite:
    routes: dict[str, Route]
    base_url: str = ""
    hits: Counter[str] = field(default_factory=Counter)
    log: list[tuple[str, str | None]] = field(default_factory=list)  # (path+query, If-None-Match sent)
    starts: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, path: str, validator: str | None) -> int:
        with self._lock:
            self.hits[path] += 1
            self.log.append((path, validator))
            self.starts.append(time.monotonic())
            return self.hits[path]


def _drip(handler: Handler, _: int) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    try:
        for _ in range(1000):
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(0.05)
    except (BrokenPipeError, ConnectionResetError):
        pass


def _huge(handler: Handler, _: int) -> None:
    """50 MB, chunked, no Content-Length: only a streaming cap can stop it."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    chunk = b"<p>" + b"x" * 65_000 + b"</p>"
    try:
        for _ in range(50_000_000 // len(chunk)):
            handler.wfile.write(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass


def _slow(seconds: float, reply: Reply) -> Route:
    def route(_: Handler, __: int) -> Reply:
        time.sleep(seconds)
        return reply

    return route


def _with_etag(body: bytes, content_type: str) -> Route:
    etag = f'"{hash(body) & 0xFFFFFFFF:x}"'

    def route(handler: Handler, _: int) -> Reply:
        if handler.headers.get("If-None-Match") == etag:
            return Reply(304, headers={"ETag": etag})
        return Reply(200, body, {"Content-Type": content_type, "ETag": etag})

    return route


BOMB = gzip.compress(b"\0" * 100_000_000, compresslevel=9)  # 100 MB of zeros in ~100 KB
CP1252_ARTICLE = article("Café société", "<p>Un résumé: l'été à Zürich coûte cher, dit la ministre.</p>").decode()


def fetch_routes() -> dict[str, Route]:
    """Routes for the fetch stage alone."""
    return {
        "/robots.txt": lambda h, n: Reply(200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"}),
        "/private/page": lambda h, n: Reply(200, article("Private")),
        "/flaky": lambda h, n: Reply(500, b"oops") if n == 1 else Reply(200, article("Flaky but fine")),
        "/limited": lambda h, n: (Reply(429, b"slow down", {"Retry-After": "1"}) if n == 1
                                  else Reply(200, article("Rate limited once"))),
        "/limited-long": lambda h, n: Reply(429, b"slow down", {"Retry-After": "3600"}),
        "/huge": _huge,
        "/bomb": lambda h, n: Reply(200, BOMB, {"Content-Encoding": "gzip"}),
        "/ok": _with_etag(PAGE, "text/html"),
        "/article": lambda h, n: Reply(200, article("A fine article")),
        "/missing": lambda h, n: Reply(404, b"no"),
        "/broken": lambda h, n: Reply(503, b"down"),
        "/loop": lambda h, n: Reply(302, headers={"Location": "/loop2"}),
        "/loop2": lambda h, n: Reply(302, headers={"Location": "/loop"}),
        "/hop": lambda h, n: Reply(301, headers={"Location": "/ok"}),
        "/slow": _slow(0.4, Reply(200, PAGE)),
        "/timeout": _slow(5, Reply(200, PAGE)),
        "/big": lambda h, n: Reply(200, b"x" * 50_000),
        "/drip": _drip,
        "/binary.html": lambda h, n: Reply(200, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 40,
                                           {"Content-Type": "application/octet-stream"}),
        # declared UTF-8 by the server, really windows-1252 as its meta tag says
        "/charset.html": lambda h, n: Reply(200, CP1252_ARTICLE.replace("charset='utf-8'", "charset='windows-1252'")
                                            .encode("cp1252")),
        "/to-metadata": lambda h, n: Reply(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}),
        "/challenge": lambda h, n: Reply(200, CHALLENGE),
        "/gone.xml": lambda h, n: Reply(410, b"gone"),
    }


def rss(base: str, paths: list[str]) -> bytes:
    items = "".join(f"<item><title>{p}</title><link>{base}{p}</link><guid>{p}</guid>"
                    f"<pubDate>Tue, 24 Nov 2026 08:00:00 GMT</pubDate></item>" for p in paths)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title><link>{base}/</link>'
            f"{items}</channel></rss>").encode()


def json_feed(base: str, paths: list[str]) -> bytes:
    items = [{"id": p, "url": f"{base}{p}", "title": p, "date_published": "2026-11-24T08:00:00Z"} for p in paths]
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "Hostile JSON", "items": items}).encode()


@contextmanager
def serve(routes: dict[str, Route]) -> Iterator[HostileSite]:
    site = HostileSite(routes)
    handler = type("SiteHandler", (Handler,), {"site": site})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    site.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


def request_path(conn: socket.socket) -> str:
    """The path a raw client connection asks for ("" when no request line came): for servers that write bytes."""
    head = b""
    while b"\r\n\r\n" not in head and len(head) < 65_536:
        chunk = conn.recv(4096)
        if not chunk:
            break
        head += chunk
    parts = head.split(b" ", 2)
    return parts[1].decode("latin-1").split("?")[0] if len(parts) > 2 else ""
