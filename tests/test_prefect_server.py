"""The production path against a real Prefect server on 127.0.0.1: `prefect deploy` of deployments/prefect.yaml,
a process work pool and worker, ingest and backfill runs triggered through the API; then `wirehouse serve` running
a scheduled ingest by itself and stopping cleanly on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest

from wirehouse.demo import DEMO_ENVIRONMENT

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """A child in its own process group with SIGINT at its default (a background shell may have ignored it)."""
    return subprocess.Popen(args, env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> int:
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """`prefect server start` on a free loopback port with its own home; yields (api url, env for clients)."""
    home = tmp_path_factory.mktemp("prefect-home")
    api = f"http://127.0.0.1:{free_port()}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "WIREHOUSE_"))}
    env |= {"PREFECT_HOME": str(home), "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_UI_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "INFO",
            # the scheduler service inserts the runs of interval schedules: often, so serve's first run is soon
            "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5",
            "PREFECT_RUNNER_POLL_FREQUENCY": "2", "PREFECT_WORKER_QUERY_SECONDS": "2"}
    port = api.split(":")[2].split("/")[0]
    process = start([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", port],
                    env, home / "server.log")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(1)
    else:
        stop(process)
        pytest.fail(f"Prefect server did not start: {(home / 'server.log').read_text()[-3000:]}")
    try:
        yield api, env | {"PREFECT_API_URL": api}
    finally:
        stop(process)


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

    worker = start([prefect, "worker", "start", "--pool", "wirehouse-pool"], run_env, tmp_path / "worker.log")
    try:
        ingest = trigger(api, "ingest/wirehouse-ingest", {"run_for": 0})
        assert ingest["state_type"] == "COMPLETED", (tmp_path / "worker.log").read_text()[-3000:]
        backfill = trigger(api, "backfill/wirehouse-backfill", {"mode": "re-extract"})
        assert backfill["state_type"] == "COMPLETED", (tmp_path / "worker.log").read_text()[-3000:]
    finally:
        stop(worker)
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
    served = start([str(BIN / "wirehouse"), "serve", "--ingest-every", "30"],
                   wirehouse_env(env, db, corpus.feeds_file), tmp_path / "serve.log")
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
        code = stop(served, signal.SIGINT)
    assert code == 0, (tmp_path / "serve.log").read_text()[-3000:]
    assert rows(db, "SELECT count(*) FROM articles") == [(len(corpus.pages),)]
    deployment = httpx.get(f"{api}/deployments/{deployment_id(api, 'ingest/wirehouse-ingest')}", timeout=10).json()
    assert deployment["paused"]  # paused on the way out: a stopped laptop leaves no late runs behind
