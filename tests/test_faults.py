"""Crash anywhere, lose nothing: the real `wirehouse` commands, SIGKILLed at random moments over the demo corpus and
then let finish; and a disk that fills up or turns read-only under the warehouse (a tmpfs in a private mount
namespace, `unshare -rm`). Between every fault, `wirehouse check` must pass: no half-written batch is ever visible."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import httpx
import pytest

from wirehouse.demo import DEMO_ENVIRONMENT
from wirehouse.prefect_env import local_prefect_server, prefect_env, start_process

pytestmark = pytest.mark.slow

WIREHOUSE = str(Path(sys.executable).parent / "wirehouse")


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """One Prefect server for every command of the module (each would otherwise start its own: 13 s apiece)."""
    home = tmp_path_factory.mktemp("prefect-home")
    with local_prefect_server(home) as url:
        yield home, url


def environment(api: tuple[Path, str], db: Path, feeds_file: Path, **settings: str) -> dict[str, str]:
    home, url = api
    return (prefect_env(home, url) | DEMO_ENVIRONMENT | {"PREFECT_LOGGING_LEVEL": "WARNING",
            "WIREHOUSE_DB": str(db), "WIREHOUSE_FEEDS_FILE": str(feeds_file)}
            | {f"WIREHOUSE_{k.upper()}": v for k, v in settings.items()})


def wirehouse(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([WIREHOUSE, *args], env=env, capture_output=True, text=True, timeout=300)


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def run_and_kill(env: dict[str, str], args: list[str], log: Path, kill_when: Callable[[], bool],
                 then: float, limit: float = 120) -> bool:
    """Run a command; once kill_when() holds, wait `then` seconds and SIGKILL its whole process group.
    True if it finished first."""
    process = start_process([WIREHOUSE, *args], env, log)
    deadline = time.monotonic() + limit
    while process.poll() is None and not kill_when() and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        process.wait(timeout=then)
        return True
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return False


def test_sigkill_anywhere_then_resume_loses_and_duplicates_nothing(api, demo_site, tmp_path: Path) -> None:
    site, corpus = demo_site
    pages = len(corpus.pages)
    db = tmp_path / "w.duckdb"
    # small batches and paced fetching: many transactions, so the kills land in fetching, cleaning and loading
    env = environment(api, db, corpus.feeds_file, batch_size="4", per_host_delay="0.1", workers="1")
    rng = random.Random(20261207)
    story: list[str] = []

    def after_page_requests(n: int) -> Callable[[], bool]:
        start = len(site.requests)
        return lambda: sum(1 for path, _ in site.requests[start:] if path.endswith(".html")) >= n

    def after_batches(task: str, n: int) -> Callable[[], bool]:
        """Once n batches (Prefect task runs of that name) completed since now, as the Prefect server saw them."""
        since = datetime.now(UTC).isoformat()
        query = {"task_runs": {"name": {"like_": task}, "state": {"type": {"any_": ["COMPLETED"]}},
                               "start_time": {"after_": since}}}
        return lambda: httpx.post(f"{api[1]}/task_runs/count", json=query, timeout=10).json() >= n

    phases = (
        # killed after a random number of page fetches or finished batches, plus a moment: fetching, cleaning,
        # loading, enriching, committing
        (["ingest"], 6, lambda: after_page_requests(rng.randint(1, 12)), lambda: rng.uniform(0, 1.0)),
        (["enrich"], 4, lambda: after_batches("enrich-batch", rng.randint(1, 6)), lambda: rng.uniform(0, 0.3)),
        (["backfill", "re-extract"], 3, lambda: after_batches("clean-load-archived", rng.randint(1, 4)),
         lambda: rng.uniform(0, 0.3)),
    )
    for args, kills, when, then in phases:
        for k in range(kills):
            finished = run_and_kill(env, args, tmp_path / f"{args[0]}-{k}.log", when(), then())
            checked = wirehouse(env, "check")
            assert checked.returncode == 0, f"after {story}: {checked.stdout}{checked.stderr}"
            articles, enriched, cleaned = rows(db, """SELECT (SELECT count(*) FROM articles),
                (SELECT count(*) FROM enrichments), (SELECT count(*) FROM pages WHERE run_id IN
                (SELECT run_id FROM runs WHERE flow = 'backfill'))""")[0]
            story.append(f"{args[0]} {'finished' if finished else 'killed'}: {articles} articles, {enriched} enriched, "
                         f"{cleaned} re-extracted")
        done = wirehouse(env, *args)
        assert done.returncode == 0, done.stderr[-3000:]
        story.append(f"{args[0]} to the end")
    print("\n".join(story))
    assert rows(db, "SELECT count(*), count(DISTINCT url), count(DISTINCT title) FROM articles") == [
        (pages, pages, pages)], story
    assert {t for (t,) in rows(db, "SELECT title FROM articles")} == {p.title for p in corpus.pages}
    assert rows(db, "SELECT count(*) FROM articles ANTI JOIN enrichments USING (article_id)") == [(0,)]
    assert rows(db, "SELECT count(DISTINCT version) FROM enrichments") == [(1,)]
    assert rows(db, "SELECT count(*) FROM pages") == [(pages,)]
    assert rows(db, "SELECT count(*) FROM backfills WHERE finished_at IS NOT NULL") == [(1,)]
    assert rows(db, "SELECT count(*) FROM mentions")[0][0] > 10 * pages
    # the kills interrupted work in progress: runs were killed with part of the work done
    for flow, done_so_far in (("ingest", r"(\d+) articles"), ("enrich", r"(\d+) enriched"),
                              ("backfill", r"(\d+) re-extracted")):
        progress = [int(re.search(done_so_far, s)[1]) for s in story if s.startswith(f"{flow} killed")]
        assert any(0 < n < pages for n in progress), story


DISK = """
set -e
mount -t tmpfs -o size=96m tmpfs "$DIR"
run() {
    name=$1; shift; set +e; "$WIREHOUSE" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"; echo $? > "$OUT/$name.rc"; set -e
}
run ingest ingest
used=$(du -sk "$DIR" | cut -f1)
mount -o remount,size=$((used + 96))k "$DIR"          # all but a few pages of space taken
run enrich_full enrich
run check_full check
mount -o remount,size=256m "$DIR"                      # space is back
run enrich_again enrich
mount -o remount,ro "$DIR"                             # the warehouse's disk turns read-only
run ingest_readonly ingest --force
run check_readonly check
mount -o remount,rw "$DIR"
run ingest_again ingest --force
run check_again check
"""


def test_disk_full_and_read_only_give_a_clear_error_and_no_damage(api, demo_site, tmp_path: Path) -> None:
    _, corpus = demo_site
    disk, out = tmp_path / "disk", tmp_path / "out"
    disk.mkdir()
    out.mkdir()
    env = environment(api, disk / "w.duckdb", corpus.feeds_file) | {
        "DIR": str(disk), "OUT": str(out), "WIREHOUSE": WIREHOUSE}
    started = time.monotonic()
    done = subprocess.run(["unshare", "-rm", "sh", "-c", DISK], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr

    def result(name: str) -> tuple[int, str]:
        return int((out / f"{name}.rc").read_text()), (out / f"{name}.out").read_text() + (
            out / f"{name}.err").read_text()

    code, said = result("ingest")
    assert code == 0, said
    code, said = result("enrich_full")
    # the command ends on the clear message (Prefect's own run log above it keeps the details)
    assert code == 1 and "enrich stopped: the disk is full" in said[-600:], said
    for name in ("check_full", "check_readonly", "check_again"):
        code, said = result(name)
        assert code == 0, f"{name}: {said}"
    assert result("enrich_again")[0] == 0, result("enrich_again")[1]
    code, said = result("ingest_readonly")
    assert code == 1 and "ingest stopped: the disk is read-only" in said[-600:], said
    assert result("ingest_again")[0] == 0, result("ingest_again")[1]
    print(f"disk faults exercised in {time.monotonic() - started:.0f} s")
