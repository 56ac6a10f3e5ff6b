"""Freshness: how soon an item a feed publishes is an article row, with `wirehouse serve` running continuously.

    .venv/bin/python bench/freshness.py [--minutes 5] [--feeds 50] [--no-baseline] [--json results.json]

A simulated publisher on 127.0.0.1 serves N RSS feeds and their article pages. Each feed publishes at its own
rate (mean gaps spread log-uniformly from 30 s to 30 min; some feeds undated, some quiet then bursting), and starts
with 20 items of history. Each pass starts a real Prefect server and `wirehouse serve` (deployments/prefect.yaml:
an ingest run every 5 minutes that keeps polling feeds as they fall due) on a fresh warehouse, waits for the first
poll of every feed, publishes for --minutes, then stops publishing and lets the pipeline drain for --drain seconds.

Latency = articles.loaded_at - the moment the item appeared in its feed; an item still missing at the end counts
with the time it waited (a lower bound). Polls are the feed requests the publisher answered during the window.
Pass 1 uses the default settings (learned per-feed intervals). The baseline pass replays the same schedule with
every feed polled every minute (WIREHOUSE_MIN_POLL_INTERVAL = WIREHOUSE_MAX_POLL_INTERVAL = 60). Goal: p95 <= 120 s
with the defaults, with fewer polls than the fixed 1-minute schedule.

All simulated sites share one loopback host, which real sites do not: per-host pacing is off (a setting), and
fetching may reach 127.0.0.1. Nothing else departs from the defaults.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import signal
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

import duckdb

from wirehouse.prefect_env import local_prefect_server, prefect_env, start_process, stop_process

ROOT = Path(__file__).resolve().parent.parent
HISTORY = 20  # items each feed holds before the measured window
IN_FEED = 20  # items a feed body shows
_VOCABULARY = """harbour council budget river station minister agreed report schools transport energy court hospital
weather festival union airport museum election police market housing water bridge league farmers library workers
tariffs ferry storm vote coast trial grant plan city region week talks"""
WORDS = _VOCABULARY.split()


@dataclass
class Feed:
    index: int
    gap: float  # mean seconds between items
    dated: bool
    bursty: bool
    times: list[float] = field(default_factory=list)  # appearance times, seconds after the window opens


def schedule(feeds: int, minutes: float, seed: int = 7) -> list[Feed]:
    """Every feed's item times: HISTORY before the window (at its rate), then Poisson arrivals within it."""
    rng = random.Random(seed)
    window = minutes * 60
    out = []
    for i in range(feeds):
        gap = 30 * 60 ** rng.random()  # 30 s .. 30 min, log-uniform
        feed = Feed(i, gap, dated=i % 6 != 5, bursty=i % 8 == 3)
        feed.times = [-gap * (HISTORY - k) for k in range(HISTORY)]
        if feed.bursty:  # quiet, then five items a minute apart somewhere in the window
            start = rng.uniform(0, max(window - 300, 1))
            feed.times += [start + 60 * k for k in range(5)]
        else:
            t = rng.expovariate(1 / gap)
            while t < window:
                feed.times.append(t)
                t += rng.expovariate(1 / gap)
        out.append(feed)
    return out


def paragraph(rng: random.Random) -> str:
    sentences = []
    for _ in range(4):
        words = [rng.choice(WORDS) for _ in range(rng.randint(10, 18))]
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences)


class Publisher:
    """The feeds and pages as they stand at each moment; every request is logged with its time."""

    def __init__(self, feeds: list[Feed]) -> None:
        self.feeds = feeds
        self.opened_at: float | None = None  # wall time the window opened; history is visible before
        self.closed_at: float | None = None  # no item appears after this
        self.requests: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    def appeared(self, feed: Feed, k: int) -> float:
        """Wall time item k appeared (history: before the window opened)."""
        return (self.opened_at or time.time()) + feed.times[k]

    def visible(self, feed: Feed, now: float) -> list[int]:
        history = list(range(HISTORY))
        if self.opened_at is None:
            return history
        limit = (self.closed_at or now) - self.opened_at
        limit = min(limit, now - self.opened_at)
        return history + [k for k in range(HISTORY, len(feed.times)) if feed.times[k] <= limit]

    def feed_body(self, base: str, feed: Feed) -> bytes:
        items = []
        for k in reversed(self.visible(feed, time.time())[-IN_FEED:]):
            date = ""
            if feed.dated:
                date = f"<pubDate>{format_datetime(datetime.fromtimestamp(self.appeared(feed, k), UTC))}</pubDate>"
            items.append(f"<item><title>Feed {feed.index} story {k}</title><link>{base}/a/{feed.index}/{k}.html</link>"
                         f"<guid>{base}/a/{feed.index}/{k}.html</guid>{date}</item>")
        return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {feed.index}</title>'
                f"<link>{base}/</link>{''.join(items)}</channel></rss>").encode()

    def page(self, feed: Feed, k: int) -> bytes:
        rng = random.Random(feed.index * 100_000 + k)
        title = f"Feed {feed.index} story {k}: {' '.join(rng.choice(WORDS) for _ in range(5))}"
        body = "".join(f"<p>{escape(paragraph(rng))}</p>" for _ in range(5))
        return (f"<!DOCTYPE html><html><head><title>{escape(title)}</title></head><body><header>Site {feed.index}"
                f"</header><article><h1>{escape(title)}</h1>{body}</article><footer>About us</footer></body></html>"
                ).encode()

    def log(self, path: str) -> None:
        with self._lock:
            self.requests.append((time.time(), path))

    def pages_served(self) -> int:
        with self._lock:
            return len({path for _, path in self.requests if path.startswith("/a/")})


def handler(publisher: Publisher) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            publisher.log(self.path)
            parts = self.path.strip("/").split("/")
            base = f"http://{self.headers['Host']}"
            if parts[0] == "feeds" and len(parts) == 2:
                body = publisher.feed_body(base, publisher.feeds[int(parts[1].removesuffix(".xml"))])
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.reply(body, "application/rss+xml", etag)
            elif parts[0] == "a" and len(parts) == 3:
                feed, k = publisher.feeds[int(parts[1])], int(parts[2].removesuffix(".html"))
                if k in publisher.visible(feed, time.time()):
                    self.reply(publisher.page(feed, k), "text/html; charset=utf-8")
                else:
                    self.send_error(404)
            else:
                self.send_error(404)

        def reply(self, body: bytes, content_type: str, etag: str | None = None) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def percentile(values: list[float], p: int) -> float:
    """Within the data (no extrapolation past the largest value, which the default method does for few values)."""
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


def run_pass(name: str, feeds: list[Feed], minutes: float, drain: float, extra_env: dict[str, str]) -> dict:
    publisher = Publisher(feeds)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(publisher))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with tempfile.TemporaryDirectory(prefix=f"wirehouse-freshness-{name}-") as tmp:
        folder = Path(tmp)
        feeds_file = folder / "feeds.yaml"
        feeds_file.write_text("feeds:\n" + "".join(f"- name: feed-{f.index}\n  url: {base}/feeds/{f.index}.xml\n"
                                                   for f in feeds))
        db = folder / "w.duckdb"
        (folder / "prefect").mkdir()
        with local_prefect_server(folder / "prefect") as api:
            env = prefect_env(folder / "prefect", api) | {
                "WIREHOUSE_DB": str(db), "WIREHOUSE_FEEDS_FILE": str(feeds_file),
                "WIREHOUSE_ALLOW_PRIVATE_ADDRESSES": "1", "WIREHOUSE_PER_HOST_DELAY": "0",
                "PREFECT_LOGGING_LEVEL": "WARNING"} | extra_env
            serve = start_process([str(Path(sys.executable).parent / "wirehouse"), "serve"], env,
                                  folder / "serve.log", ROOT)
            try:
                started = time.time()
                # The window opens once the history is in: every history page fetched (the cold start is not
                # what is measured). The warehouse is not read meanwhile: a reader would hold up the writer.
                while publisher.pages_served() < HISTORY * len(feeds):
                    if serve.poll() is not None or time.time() - started > 900:
                        log = (folder / "serve.log").read_text()[-3000:]
                        raise RuntimeError(f"serve did not take in the history: {log}")
                    time.sleep(1)
                time.sleep(5)  # the last batch's load
                publisher.opened_at = time.time()
                print(f"[{name}] history ingested after {publisher.opened_at - started:.0f} s; publishing for "
                      f"{minutes:g} min, then {drain:g} s to drain", flush=True)
                time.sleep(minutes * 60)
                publisher.closed_at = time.time()
                time.sleep(drain)
            finally:
                stop_process(serve, signal.SIGINT)
        server.shutdown()
        with duckdb.connect(str(db), read_only=True) as con:
            loaded = dict(con.execute("SELECT url, epoch(loaded_at) FROM articles").fetchall())
            not_loaded = dict(con.execute(
                "SELECT coalesce(reason, outcome), count(*) FROM pages WHERE outcome <> 'article' GROUP BY ALL"
            ).fetchall())
            runs = con.execute("SELECT count(*), count(*) FILTER (status <> 'completed') FROM runs").fetchone()
    end = publisher.closed_at + drain
    latencies, missing = [], 0
    for feed in feeds:
        for k in range(HISTORY, len(feed.times)):
            if feed.times[k] > publisher.closed_at - publisher.opened_at:
                continue  # due after publishing stopped: never appeared
            url = f"{base}/a/{feed.index}/{k}.html"
            appeared = publisher.appeared(feed, k)
            if url in loaded:
                latencies.append(max(0.0, loaded[url] - appeared))
            else:
                missing += 1
                latencies.append(end - appeared)
    polls = sum(1 for at, path in publisher.requests if path.startswith("/feeds/") and publisher.opened_at <= at <= end)
    return {"pass": name, "items": len(latencies), "missing": missing, "polls": polls, "not_loaded": not_loaded,
            "runs": runs[0], "runs_not_completed": runs[1],
            "window_minutes": (end - publisher.opened_at) / 60,
            "p50_s": statistics.median(latencies), "p95_s": percentile(latencies, 95),
            "max_s": max(latencies)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="how long items are published")
    parser.add_argument("--drain", type=float, default=150.0, help="seconds after the last item before measuring")
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--no-baseline", action="store_true", help="skip the fixed 1-minute pass")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    feeds = schedule(args.feeds, args.minutes)
    print(f"{args.feeds} feeds, {sum(len(f.times) - HISTORY for f in feeds)} items to publish in {args.minutes:g} min",
          flush=True)
    results = [run_pass("adaptive", feeds, args.minutes, args.drain, {})]
    if not args.no_baseline:
        fixed = {"WIREHOUSE_MIN_POLL_INTERVAL": "60", "WIREHOUSE_MAX_POLL_INTERVAL": "60"}
        results.append(run_pass("fixed-60s", feeds, args.minutes, args.drain, fixed))
    print(f"\n{'pass':<10} {'items':>6} {'missing':>8} {'polls':>6} {'p50 s':>7} {'p95 s':>7} {'max s':>7}")
    for r in results:
        print(f"{r['pass']:<10} {r['items']:>6} {r['missing']:>8} {r['polls']:>6} {r['p50_s']:>7.1f} "
              f"{r['p95_s']:>7.1f} {r['max_s']:>7.1f}   runs {r['runs']} ({r['runs_not_completed']} not completed); "
              f"pages not loaded: {r['not_loaded'] or 'none'}")
    fixed_polls = args.feeds * results[0]["window_minutes"]
    print(f"\na fixed 1-minute schedule makes {fixed_polls:.0f} polls in this window")
    print(f"adaptive / fixed polls: {results[0]['polls'] / fixed_polls:.2f}")
    if len(results) == 2:
        print(f"adaptive / fixed-60s measured polls: {results[0]['polls'] / max(results[1]['polls'], 1):.2f}; "
              f"p95 ratio: {results[0]['p95_s'] / max(results[1]['p95_s'], 0.001):.2f}")
    met = results[0]["p95_s"] <= 120 and results[0]["polls"] < fixed_polls
    print(f"goal (p95 <= 120 s, fewer polls than every minute): {'met' if met else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
