"""Writers take turns on the live warehouse; analysts read a published snapshot and never lock the writers out.

The proof runs two writers and a long-lived reader, each in its own process: this file is also the script they run
(`python tests/test_concurrency.py ROLE DIR`), so what they do is plain, linted code next to the checks.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from wirehouse.models import (
    ArticleDates,
    CleanArticle,
    Feed,
    FeedEntry,
    FeedPoll,
    FeedState,
    Outcome,
    PageResult,
    PollStatus,
)
from wirehouse.settings import Settings
from wirehouse.tasks.schedule import after_poll
from wirehouse.warehouse import WarehouseBusy, connect
from wirehouse.warehouse.loaders import PollRecord, finish_run, load_pages, record_polls, start_run, sync_feeds
from wirehouse.warehouse.snapshot import SnapshotMissing, open_snapshot, publish_snapshot, snapshot_path

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
FEED_A = Feed("wire-a", "https://a.example/feed.xml", site="A")
FEED_B = Feed("wire-b", "https://b.example/feed.xml", site="B")
A_BATCH = 7  # articles writer A loads per transaction: the reader must only ever see multiples of it
B_BATCH = 5  # entries writer B records per poll
A_BATCHES = 5  # transactions of writer A
B_RUNS = 5  # recorded runs of writer B, three connections each
WORK_SECONDS = 0.15  # the fetching/cleaning a real step does between two writes
LOCK_WAIT = 60.0


def article(url: str, n: int) -> CleanArticle:
    return CleanArticle(url=url, title=f"T{n}", byline="A", authors=("A",), dates=ArticleDates(NOW, "feed"),
                        sitename="A", language="en", text=f"Article number {n} says something. " * 20,
                        source="page", extractor="test")


def a_batch(batch: int) -> list[PageResult]:
    urls = [f"https://a.example/{batch}/{i}" for i in range(A_BATCH)]
    return [PageResult(u, FEED_A.name, Outcome.ARTICLE, NOW, article=article(u, batch * A_BATCH + i))
            for i, u in enumerate(urls)]


def b_poll(batch: int) -> PollRecord:
    entries = tuple(FeedEntry(feed=FEED_B.name, url=f"https://b.example/{batch}/{i}", title=f"E{i}")
                    for i in range(B_BATCH))
    poll = FeedPoll(FEED_B, PollStatus.NEW, NOW, http_status=200, body_hash=f"h{batch}", entries=entries)
    return PollRecord(poll, after_poll(FeedState(), poll, Settings())[0])


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """What the writers wrote, as one consistent read."""
    (a_articles, a_pages, b_entries, b_polls, b_runs, b_done) = con.execute(
        "SELECT (SELECT count(*) FROM articles WHERE feed = 'wire-a'),"
        " (SELECT count(*) FROM pages WHERE feed = 'wire-a'),"
        " (SELECT count(*) FROM entries WHERE feed = 'wire-b'),"
        " (SELECT count(*) FROM feed_polls WHERE feed = 'wire-b'),"
        " (SELECT count(*) FROM runs WHERE flow = 'b'),"
        " (SELECT count(*) FROM runs WHERE flow = 'b' AND status = 'completed')"
    ).fetchone()
    return {"a_articles": a_articles, "a_pages": a_pages, "b_entries": b_entries, "b_polls": b_polls,
            "b_runs": b_runs, "b_done": b_done}


# -- the processes ----------------------------------------------------------------------------------


def _ready_and_wait(root: Path, role: str) -> None:
    (root / f"ready-{role}").touch()
    deadline = time.monotonic() + 60
    while not (root / "go").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("no go signal")
        time.sleep(0.01)


@dataclass
class Turns:
    """A writer's connections: the time each waited for the lock, and held it."""

    waits: list[float] = field(default_factory=list)
    holds: list[float] = field(default_factory=list)

    @contextmanager
    def connect(self, db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
        t = time.monotonic()
        con = connect(db, wait=LOCK_WAIT)
        got = time.monotonic()
        self.waits.append(got - t)
        try:
            yield con
        finally:
            con.close()
            self.holds.append(time.monotonic() - got)

    def report(self) -> dict:
        return {"connections": len(self.waits), "max_wait_s": round(max(self.waits), 3),
                "total_wait_s": round(sum(self.waits), 3), "total_hold_s": round(sum(self.holds), 3)}


def writer_a(root: Path) -> dict:
    """Ingest-like: batches of articles, each loaded in its own connection, which then publishes."""
    db, turns = root / "w.duckdb", Turns()
    _ready_and_wait(root, "a")
    for batch in range(A_BATCHES):
        time.sleep(WORK_SECONDS)
        with turns.connect(db) as con:
            assert load_pages(con, a_batch(batch), f"a-{batch}") == A_BATCH
            publish_snapshot(con, db)
    return turns.report()


def writer_b(root: Path) -> dict:
    """Another flow at the same time: a recorded run per poll, each step in its own connection, then a publish."""
    db, turns = root / "w.duckdb", Turns()
    _ready_and_wait(root, "b")
    for batch in range(B_RUNS):
        with turns.connect(db) as con:
            run_id = start_run(con, "b", f"b-{batch}")
        time.sleep(WORK_SECONDS)
        with turns.connect(db) as con:
            assert record_polls(con, [b_poll(batch)], run_id) == B_BATCH
        time.sleep(WORK_SECONDS)
        with turns.connect(db) as con:
            finish_run(con, run_id, {"entries": B_BATCH})
            publish_snapshot(con, db)
    return turns.report()


def reader(root: Path) -> dict:
    """An analyst: one connection held open throughout, and fresh ones now and then to see newer snapshots."""
    db = root / "w.duckdb"
    held = open_snapshot(db)
    first = counts(held)
    _ready_and_wait(root, "reader")
    seen, queries, bad = [first], 0, []
    fresh = open_snapshot(db)
    fresh_opened = time.monotonic()
    deadline = time.monotonic() + 60
    while not (root / "stop").exists() and time.monotonic() < deadline:
        if time.monotonic() - fresh_opened > 0.2:
            fresh.close()
            fresh = open_snapshot(db)
            fresh_opened = time.monotonic()
        for con, name in ((held, "held"), (fresh, "fresh")):
            c = counts(con)
            queries += 1
            if name == "held" and c != first:
                bad.append(f"the held connection's snapshot changed: {first} -> {c}")
            if c["a_articles"] % A_BATCH or c["a_pages"] != c["a_articles"]:
                bad.append(f"half a batch of A: {c}")
            # B's steps are transactions of their own: a snapshot may fall between them, never inside one
            if c["b_entries"] != B_BATCH * c["b_polls"] or not c["b_done"] <= c["b_polls"] <= c["b_runs"]:
                bad.append(f"half a step of B: {c}")
            if name == "fresh" and c != seen[-1]:
                seen.append(c)
    held.close()
    fresh.close()
    return {"queries": queries, "snapshots_seen": len(seen), "bad": bad[:5],
            "a_articles_seen": [c["a_articles"] for c in seen], "b_polls_seen": [c["b_polls"] for c in seen]}


ROLES = {"a": writer_a, "b": writer_b, "reader": reader}


# -- the proof ----------------------------------------------------------------------------------


def _spawn(role: str, root: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, role, str(root)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=root)


def _wait_for(path: Path, procs: list[subprocess.Popen], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        dead = [p for p in procs if p.poll() is not None]
        assert not dead, dead[0].communicate()
        assert time.monotonic() < deadline, f"no {path.name}"
        time.sleep(0.02)


def _finish(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "lock" not in err.lower() and "busy" not in err.lower(), err
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.slow  # 8-15 s: three processes, and writers that wait their turn
def test_two_writers_and_a_reader_at_once(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with connect(db) as con:
        sync_feeds(con, [FEED_A, FEED_B])
        publish_snapshot(con, db)

    procs = {role: _spawn(role, tmp_path) for role in ("reader", "a", "b")}
    for role in procs:
        _wait_for(tmp_path / f"ready-{role}", list(procs.values()))
    started = time.monotonic()
    (tmp_path / "go").touch()
    a, b = _finish(procs["a"]), _finish(procs["b"])
    written = time.monotonic() - started
    (tmp_path / "stop").touch()
    seen = _finish(procs["reader"])
    print(f"\nwrote for {written:.1f}s: A {a}, B {b}\nreader: {seen}")

    assert seen["bad"] == []
    assert seen["snapshots_seen"] >= 3, seen  # it did see the writers' progress, not one frozen file
    # they did collide and waited their turn: a connection that meets the lock pauses at least 50 ms before retrying
    assert max(a["max_wait_s"], b["max_wait_s"]) >= 0.05, (a, b)
    expected = {"a_articles": A_BATCH * A_BATCHES, "a_pages": A_BATCH * A_BATCHES, "b_entries": B_BATCH * B_RUNS,
                "b_polls": B_RUNS, "b_runs": B_RUNS, "b_done": B_RUNS}
    with connect(db, read_only=True) as con:
        assert counts(con) == expected  # nothing lost, nothing twice
        (interleaved,) = con.execute(
            "SELECT count(*) FROM runs, (SELECT min(loaded_at) AS lo, max(loaded_at) AS hi FROM articles)"
            " WHERE flow = 'b' AND finished_at BETWEEN lo AND hi"
        ).fetchone()
        print(f"B runs finished between A's first and last batch: {interleaved} of {B_RUNS}")
        live = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in _TABLES}
    with open_snapshot(db) as snap:
        assert counts(snap) == expected
        assert {t: snap.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in _TABLES} == live
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


_TABLES = ("articles", "pages", "entries", "feed_polls", "runs", "fetches", "feeds")


# -- the snapshot itself ---------------------------------------------------------------------------


def _warehouse_with(db: Path, batches: int) -> None:
    with connect(db) as con:
        sync_feeds(con, [FEED_A])
        for batch in range(batches):
            load_pages(con, a_batch(batch), f"a-{batch}")


def test_snapshot_path_naming() -> None:
    assert snapshot_path(Path("data/wirehouse.duckdb")) == Path("data/wirehouse.read.duckdb")
    assert snapshot_path("/srv/w.duckdb") == Path("/srv/w.read.duckdb")
    assert snapshot_path(Path("w.db")) == Path("w.db.read.duckdb")
    with pytest.raises(ValueError, match="is a snapshot"):
        snapshot_path(Path("data/wirehouse.read.duckdb"))


def test_open_snapshot_without_one_says_how_to_make_one(tmp_path: Path) -> None:
    _warehouse_with(tmp_path / "w.duckdb", 1)
    with pytest.raises(SnapshotMissing, match=r"no snapshot of .*w\.duckdb at .*w\.read\.duckdb.*publish_snapshot"):
        open_snapshot(tmp_path / "w.duckdb")
    assert issubclass(SnapshotMissing, FileNotFoundError)


def test_publish_is_atomic_for_a_reader_holding_the_old_snapshot(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    _warehouse_with(db, 1)
    with connect(db) as con:
        assert publish_snapshot(con, db) == tmp_path / "w.read.duckdb"
    old = open_snapshot(db)
    assert counts(old)["a_articles"] == A_BATCH
    with connect(db) as con:
        load_pages(con, a_batch(1), "a-1")
        publish_snapshot(con, db)
    # The old file is unlinked, not changed: the held connection reads it whole, texts included.
    assert counts(old)["a_articles"] == A_BATCH
    assert old.execute("SELECT sum(length(text)) > 0 FROM articles").fetchone()[0]
    # A new connection sees the new snapshot even while this process still holds the old one.
    with open_snapshot(db) as new:
        assert counts(new)["a_articles"] == 2 * A_BATCH
    assert counts(old)["a_articles"] == A_BATCH
    with pytest.raises(duckdb.Error, match="read-only"):
        old.execute("DELETE FROM articles")
    old.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb", "w.read.duckdb"]


def test_publish_to_a_chosen_target_and_its_guards(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    _warehouse_with(db, 1)
    with connect(db) as con:
        target = publish_snapshot(con, db, tmp_path / "elsewhere" / "copy.duckdb")
        with pytest.raises(ValueError, match="cannot be the warehouse itself"):
            publish_snapshot(con, db, db)
        with pytest.raises(ValueError, match="needs a connection on"):
            publish_snapshot(con, tmp_path / "other.duckdb")
    with duckdb.connect(str(target), read_only=True) as copy:
        assert copy.execute("SELECT count(*) FROM articles").fetchone()[0] == A_BATCH


def _analyst(code: str, db: Path) -> subprocess.Popen:
    """Another process that opens the warehouse as `code` says and keeps it open."""
    script = f"import duckdb, sys, time\nfrom wirehouse.warehouse.snapshot import open_snapshot\n{code}\n"
    script += "print('open', flush=True)\ntime.sleep(60)"
    proc = subprocess.Popen([sys.executable, "-c", script, str(db)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "open"
    return proc


def test_only_a_reader_of_the_live_file_locks_writers_out(tmp_path: Path) -> None:
    """Why the snapshot exists: any connection in another process, even read-only, blocks DuckDB's one writer."""
    db = tmp_path / "w.duckdb"
    _warehouse_with(db, 1)
    with connect(db) as con:
        publish_snapshot(con, db)
    analyst = _analyst("con = duckdb.connect(sys.argv[1], read_only=True)", db)
    try:
        with pytest.raises(WarehouseBusy, match="in use by another process"):
            connect(db, wait=0.5)
    finally:
        analyst.kill()
        analyst.wait()
    analyst = _analyst("con = open_snapshot(sys.argv[1])", db)
    try:
        with connect(db) as con:  # no wait: the analyst holds another file
            load_pages(con, a_batch(1), "a-1")
            publish_snapshot(con, db)
        with open_snapshot(db) as snap:
            assert counts(snap)["a_articles"] == 2 * A_BATCH
    finally:
        analyst.kill()
        analyst.wait()


if __name__ == "__main__":
    result = ROLES[sys.argv[1]](Path(sys.argv[2]))
    print(json.dumps(result), flush=True)
