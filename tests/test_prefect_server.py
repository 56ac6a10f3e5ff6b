"""The production path against a real Prefect server on 127.0.0.1: `prefect deploy` of deployments/prefect.yaml,
a process work pool and worker, ingest and backfill runs triggered through the API; then `wirehouse serve` running
a scheduled ingest by itself and stopping cleanly on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest

from wirehouse.demo import DEMO_ENVIRONMENT
from wirehouse.prefect_env import local_prefect_server, prefect_env, start_process, stop_process

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A real Prefect server on 127.0.0.1; yields (api url, env for its clients)."""
    home = tmp_path_factory.mktemp("prefect-home")
    with local_prefect_server(home) as api:
        yield api, prefect_env(home, api)


def deployment_id(api: str, name: str) -> str:
    response = httpx.get(f"{api}/deployments/name/{name}", timeout=10)
    response.raise_for_status()
    return response.json()["id"]


def wait_for(api: str, run_id: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = httpx.get(f"{api}/flow_runs/{run_id}", timeout=10).json()
        if run["state_type"] in FINAL:
            return run
        time.sleep(1)
    pytest.fail(f"flow run {run_id} did not finish in {timeout} s")


def trigger(api: str, name: str, parameters: dict) -> dict:
    url = f"{api}/deployments/{deployment_id(api, name)}/create_flow_run"
    for _ in range(10):  # the server's SQLite answers 503 while another writer (the worker starting) holds it
        response = httpx.post(url, json={"parameters": parameters}, timeout=10)
        if response.status_code != 503:
            break
        time.sleep(1)
    response.raise_for_status()
    return wait_for(api, response.json()["id"])


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def wirehouse_env(env: dict[str, str], db: Path, feeds_file: Path) -> dict[str, str]:
    return env | DEMO_ENVIRONMENT | {"WIREHOUSE_DB": str(db), "WIREHOUSE_FEEDS_FILE": str(feeds_file)}


def test_deploy_worker_and_runs_through_the_api(server, demo_site, tmp_path: Path) -> None:
    api, env = server
    _, corpus = demo_site
    db = tmp_path / "w.duckdb"
    run_env = wirehouse_env(env, db, corpus.feeds_file)
    prefect = str(BIN / "prefect")
    subprocess.run([prefect, "work-pool", "create", "wirehouse-pool", "--type", "process"], env=env, cwd=ROOT,
                   check=True, capture_output=True)
    deployed = subprocess.run([prefect, "--no-prompt", "deploy", "--all", "--prefect-file",
                               "deployments/prefect.yaml"], env=env, cwd=ROOT, capture_output=True, text=True)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    listed = httpx.post(f"{api}/deployments/filter", json={}, timeout=10).json()
    assert {d["name"] for d in listed} == {"wirehouse-ingest", "wirehouse-enrich", "wirehouse-backfill"}
    for d in listed:  # one run at a time; a late one waits
        assert (d["global_concurrency_limit"]["limit"], d["concurrency_options"]["collision_strategy"]) == (
            1, "ENQUEUE")

    worker = start_process([prefect, "worker", "start", "--pool", "wirehouse-pool"], run_env, tmp_path / "worker.log",
                           ROOT)
    try:
        ingest = trigger(api, "ingest/wirehouse-ingest", {"run_for": 0})
        assert ingest["state_type"] == "COMPLETED", (tmp_path / "worker.log").read_text()[-3000:]
        backfill = trigger(api, "backfill/wirehouse-backfill", {"mode": "re-extract"})
        assert backfill["state_type"] == "COMPLETED", (tmp_path / "worker.log").read_text()[-3000:]
    finally:
        stop_process(worker)
    assert rows(db, "SELECT count(*) FROM articles") == [(len(corpus.pages),)]
    assert rows(db, "SELECT flow, status FROM runs ORDER BY started_at") == [
        ("ingest", "completed"), ("backfill", "completed")]
    assert rows(db, "SELECT mode, runs, finished_at IS NOT NULL FROM backfills") == [("re-extract", 1, True)]
    artifacts = httpx.post(f"{api}/artifacts/filter",
                           json={"artifacts": {"flow_run_id": {"any_": [ingest["id"]]}}}, timeout=10).json()
    [summary] = [a for a in artifacts if a["key"] == "wirehouse-ingest-summary"]
    assert "| pages_article | " in summary["data"] and "| feeds_polled | 4 |" in summary["data"]


def test_serve_runs_the_scheduled_ingest_and_stops_on_ctrl_c(server, demo_site, tmp_path: Path) -> None:
    api, env = server
    _, corpus = demo_site
    db = tmp_path / "served.duckdb"
    # Deployments of a work pool and served ones do not mix under one name: serve what the worker ran, afresh.
    for d in httpx.post(f"{api}/deployments/filter", json={}, timeout=10).json():
        httpx.delete(f"{api}/deployments/{d['id']}", timeout=10).raise_for_status()
    served = start_process([str(BIN / "wirehouse"), "serve", "--ingest-every", "30"],
                           wirehouse_env(env, db, corpus.feeds_file), tmp_path / "serve.log", ROOT)
    try:
        deadline, completed = time.monotonic() + 150, []
        while time.monotonic() < deadline and not completed:
            time.sleep(2)
            assert served.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
            runs = httpx.post(f"{api}/flow_runs/filter", timeout=10, json={
                "deployments": {"id": {"any_": [deployment_id(api, "ingest/wirehouse-ingest")]}},
                "flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}}).json()
            # a run the schedule made, after this serve started (not the one triggered through the API above)
            completed = [r for r in runs if r["auto_scheduled"]]
        assert completed, (tmp_path / "serve.log").read_text()[-3000:]
        assert completed[0]["parameters"] == {"run_for": 10}
    finally:
        code = stop_process(served, signal.SIGINT)
    assert code == 0, (tmp_path / "serve.log").read_text()[-3000:]
    assert rows(db, "SELECT count(*) FROM articles") == [(len(corpus.pages),)]
    deployment = httpx.get(f"{api}/deployments/{deployment_id(api, 'ingest/wirehouse-ingest')}", timeout=10).json()
    assert deployment["paused"]  # paused on the way out: a stopped laptop leaves no late runs behind
