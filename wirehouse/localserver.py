"""A static HTTP server on 127.0.0.1 for the demo, tests and benchmarks, with ETag and Last-Modified.

It keeps a log of the paths requested and their statuses, so callers can check what a run fetched.
"""

from __future__ import annotations

import hashlib
import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".json": "application/feed+json; charset=utf-8",
}


@dataclass
class ServedSite:
    root: Path
    base_url: str = ""
    requests: list[tuple[str, int]] = field(default_factory=list)  # (path, status)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def log(self, path: str, status: int) -> None:
        with self._lock:
            self.requests.append((path, status))


def _handler(site: ServedSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            file = (site.root / path.lstrip("/")).resolve()
            if file.is_dir():
                file = file / "index.html"
            if not file.is_relative_to(site.root.resolve()) or not file.is_file():
                return self._send(404, b"not found", "text/plain")
            body = file.read_bytes()
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            modified = formatdate(int(file.stat().st_mtime), usegmt=True)
            if self.headers.get("If-None-Match") == etag or (
                not self.headers.get("If-None-Match") and self.headers.get("If-Modified-Since") == modified
            ):
                return self._send(304, b"", None, etag=etag, modified=modified)
            ctype = CONTENT_TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            self._send(200, body, ctype, etag=etag, modified=modified)

        def _send(self, status: int, body: bytes, ctype: str | None, **validators: str) -> None:
            site.log(urlsplit(self.path).path, status)
            self.send_response(status)
            if ctype:
                self.send_header("Content-Type", ctype)
            if "etag" in validators:
                self.send_header("ETag", validators["etag"])
                self.send_header("Last-Modified", validators["modified"])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # quiet: the log is site.requests
            pass

    return Handler


@contextmanager
def serve_directory(root: Path) -> Iterator[ServedSite]:
    """Serve root on 127.0.0.1 at a free port for the duration of the block."""
    site = ServedSite(root)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    site.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="wirehouse-localserver", daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
