"""Serve a bench/corpus.py folder on 127.0.0.1 fast enough never to be what a benchmark measures.

    .venv/bin/python bench/replay.py DIR [--port 0]     # prints the base URL, serves until Ctrl-C

`replay_server(DIR)` runs the same server in a child process (so it does not share the GIL with the pipeline under
test) and yields its base URL; `throughput(base, paths)` measures it with a bare httpx client.

One asyncio process with a minimal HTTP/1.1 parser: keep-alive, Content-Length, Content-Type by extension (the
types wirehouse.localserver uses), ETag and Last-Modified with 304s for If-None-Match / If-Modified-Since (the
pipeline re-polls feeds conditionally), GET and HEAD, no logging. Validators are computed once per file, from its
stat and the base URL, never by hashing the body. From DIR/manifest.json's "serve" entry it also takes:

- origin: the placeholder the corpus writes for its own host; every body is served with the base URL in its place
- error_prefix: paths under it answer 500
- loop_prefix: <prefix>a/<rest> redirects to <prefix>b/<rest> and back, for ever

A folder without a manifest is served as plain static files.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import mimetypes
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from wirehouse.localserver import CONTENT_TYPES

REASONS = {200: "OK", 302: "Found", 304: "Not Modified", 400: "Bad Request", 404: "Not Found",
           405: "Method Not Allowed", 431: "Request Header Fields Too Large", 500: "Internal Server Error"}
MAX_HEAD = 64 * 1024  # request line and headers


@dataclass(frozen=True, slots=True)
class Resource:
    file: Path
    content_type: str
    etag: str
    last_modified: str  # HTTP date
    modified: int  # the same, as a timestamp


class Replay:
    """Answers requests for one corpus folder at one base URL."""

    def __init__(self, root: Path, base: str) -> None:
        self.root = root.resolve()
        self.base = base
        manifest = self.root / "manifest.json"
        rules = json.loads(manifest.read_text(encoding="utf-8")).get("serve", {}) if manifest.is_file() else {}
        self.origin = rules.get("origin", "").encode()
        self.error_prefix: str | None = rules.get("error_prefix")
        self.loop_prefix: str | None = rules.get("loop_prefix")
        # Bodies carry the base URL, so a server on another port serves other bytes: its validators must differ
        # too, or a client that kept an ETag or date from an earlier run would get a 304 for a changed body.
        self.started = time.time()
        self.resources: dict[str, Resource | None] = {}  # by request path, misses included

    def resource(self, path: str) -> Resource | None:
        if path not in self.resources:
            self.resources[path] = self._find(path)
        return self.resources[path]

    def _find(self, path: str) -> Resource | None:
        parts = [part for part in path.split("/") if part]
        if ".." in parts:
            return None
        file = self.root.joinpath(*parts)
        if file.is_dir():
            file = file / "index.html"
        if not file.is_file():
            return None
        stat = file.stat()
        tag = hashlib.blake2s(f"{self.base}|{path}|{stat.st_mtime_ns}|{stat.st_size}".encode(), digest_size=8)
        modified = max(stat.st_mtime, self.started)
        content_type = (CONTENT_TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0]
                        or "application/octet-stream")
        return Resource(file, content_type, f'"{tag.hexdigest()}"', formatdate(modified, usegmt=True), int(modified))

    def respond(self, method: str, target: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body (the body even for HEAD: its length is the Content-Length)."""
        if method not in ("GET", "HEAD"):
            return 405, {"Allow": "GET, HEAD"}, b""
        path = unquote(urlsplit(target).path)
        if self.error_prefix and path.startswith(self.error_prefix):
            return 500, {"Content-Type": "text/plain"}, b"internal server error"
        if self.loop_prefix and path.startswith(self.loop_prefix):
            rest = path[len(self.loop_prefix):]
            other = "b/" + rest[2:] if rest.startswith("a/") else "a/" + rest.removeprefix("b/")
            return 302, {"Location": self.base + self.loop_prefix + other}, b""
        found = self.resource(path)
        if found is None:
            return 404, {"Content-Type": "text/plain"}, b"not found"
        validators = {"ETag": found.etag, "Last-Modified": found.last_modified}
        if self._not_modified(found, headers):
            return 304, validators, b""
        body = found.file.read_bytes()
        if self.origin:
            body = body.replace(self.origin, self.base.encode())
        return 200, {"Content-Type": found.content_type, **validators}, body

    @staticmethod
    def _not_modified(found: Resource, headers: dict[str, str]) -> bool:
        match = headers.get("if-none-match")
        if match is not None:  # takes precedence over If-Modified-Since (RFC 9110 13.2.2)
            tags = {tag.strip().removeprefix("W/") for tag in match.split(",")}
            return "*" in tags or found.etag in tags
        since = headers.get("if-modified-since")
        if since is None:
            return False
        try:
            return found.modified <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError):
            return False

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One connection: requests in turn until the client closes or asks to."""
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line, *lines = head.decode("latin-1").split("\r\n")
                method, target, version = request_line.split(" ", 2)
                headers = {}
                for line in lines:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                if length := int(headers.get("content-length") or 0):
                    await reader.readexactly(length)  # GET and HEAD have none, but the connection must stay in step
                status, extra, body = self.respond(method, target, headers)
                keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
                sent = b"" if method == "HEAD" or status == 304 else body
                writer.write(_head(status, extra, len(body), keep) + sent)
                await writer.drain()
                if not keep:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client went away
        except asyncio.LimitOverrunError:
            writer.write(_head(431, {}, 0, False))
        except ValueError:  # not HTTP
            writer.write(_head(400, {}, 0, False))
        finally:
            with suppress(ConnectionError):
                writer.close()
                await writer.wait_closed()


def _head(status: int, headers: dict[str, str], length: int, keep: bool) -> bytes:
    lines = [f"HTTP/1.1 {status} {REASONS[status]}", *(f"{name}: {value}" for name, value in headers.items())]
    if status != 304:  # a 304's Content-Length would describe the body it stands for
        lines.append(f"Content-Length: {length}")
    lines += ["Connection: keep-alive" if keep else "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1")


def serve(root: Path, port: int = 0) -> None:
    """Serve root on 127.0.0.1:port (0: a free one) until interrupted; the base URL goes to stdout first."""
    listener = socket.create_server(("127.0.0.1", port), backlog=1024)
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    replay = Replay(root, base)
    print(base, flush=True)

    async def run() -> None:
        server = await asyncio.start_server(replay.handle, sock=listener, limit=MAX_HEAD)
        async with server:
            await server.serve_forever()

    with suppress(KeyboardInterrupt):
        asyncio.run(run())


@contextmanager
def replay_server(root: Path) -> Iterator[str]:
    """Serve root from a child process for the duration of the block; yields the base URL."""
    child = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), str(root)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        base = child.stdout.readline().strip()
        if not base.startswith("http://"):
            raise RuntimeError(f"bench/replay.py did not start (exit status {child.wait()})")
        yield base
    finally:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        if child.stdout:
            child.stdout.close()


def throughput(base: str, paths: list[str], concurrency: int = 16) -> dict:
    """GET every path (redirects not followed) with `concurrency` keep-alive connections of a bare httpx client."""

    async def run() -> tuple[int, float]:
        pending = iter(paths)  # shared by the workers: each takes the next path when its request is done
        received = 0
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60, trust_env=False) as client:

            async def worker() -> None:
                nonlocal received
                for path in pending:
                    size = len((await client.get(path)).content)
                    received += size  # not `received += len(await ...)`: that reads `received` before the await

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return received, time.perf_counter() - started

    received, seconds = asyncio.run(run())
    return {"requests": len(paths), "seconds": round(seconds, 3), "requests_per_s": round(len(paths) / seconds, 1),
            "mb_per_s": round(received / seconds / 1e6, 2)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a bench/corpus.py folder on 127.0.0.1.")
    parser.add_argument("root", type=Path)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    args = parser.parse_args(argv)
    serve(args.root, args.port)


if __name__ == "__main__":
    main()
