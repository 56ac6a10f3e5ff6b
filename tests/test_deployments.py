"""deployments/prefect.yaml: valid for `prefect deploy`, pointing at real flows, and what `wirehouse serve` builds
from it. (Deploying to a real server and serving scheduled runs: tests/test_prefect_server.py.)"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from prefect.cli.deploy._models import PrefectYamlModel
from prefect.flows import load_flow_from_entrypoint

from wirehouse.serve import DEPLOYMENTS_FILE, build_deployments, load_spec

ROOT = Path(__file__).resolve().parent.parent
RAW = yaml.safe_load(DEPLOYMENTS_FILE.read_text())


def deployment(name: str) -> dict:
    [found] = [d for d in RAW["deployments"] if d["name"] == name]
    return found


def test_prefect_reads_the_file() -> None:
    """The model `prefect deploy` validates the file with: every deployment, its schedules and limits."""
    model = PrefectYamlModel.model_validate(RAW)
    by_name = {d.name: d for d in model.deployments}
    assert set(by_name) == {"wirehouse-ingest", "wirehouse-enrich", "wirehouse-backfill"}
    assert by_name["wirehouse-ingest"].schedules[0].interval == timedelta(minutes=5)
    assert by_name["wirehouse-enrich"].schedules[0].cron == "0 2 * * *"
    assert by_name["wirehouse-backfill"].schedules == []
    for d in model.deployments:
        assert d.concurrency_limit.limit == 1 and d.concurrency_limit.collision_strategy == "ENQUEUE"
        assert d.work_pool.name == "wirehouse-pool"


def test_entrypoints_load_the_flows(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)  # `prefect deploy` runs from the project root
    names = {d["name"]: load_flow_from_entrypoint(d["entrypoint"]).name for d in RAW["deployments"]}
    assert names == {"wirehouse-ingest": "ingest", "wirehouse-enrich": "enrich", "wirehouse-backfill": "backfill"}


def test_parameters_are_the_flows_own() -> None:
    """A parameter the flow does not take would fail every scheduled run: check them against the signatures."""
    for d in RAW["deployments"]:
        file, name = d["entrypoint"].split(":")
        flow = load_flow_from_entrypoint(f"{ROOT / file}:{name}")
        assert set(d.get("parameters") or {}) <= set(flow.parameters.properties)


def test_serve_builds_the_declared_deployments() -> None:
    before = datetime.now(UTC)
    built = {d.name: d for d in build_deployments(load_spec(), timezone="Europe/Berlin")}
    assert set(built) == {"wirehouse-ingest", "wirehouse-enrich", "wirehouse-backfill"}
    [ingest] = built["wirehouse-ingest"].schedules
    assert ingest.schedule.interval == timedelta(seconds=300)
    # the first ingest comes right after serve starts, not one interval later
    assert before < ingest.schedule.anchor_date <= datetime.now(UTC) + timedelta(seconds=10)
    [enrich] = built["wirehouse-enrich"].schedules
    assert (enrich.schedule.cron, enrich.schedule.timezone) == ("0 2 * * *", "Europe/Berlin")
    assert built["wirehouse-backfill"].schedules == []
    assert built["wirehouse-ingest"].parameters == {"run_for": 280}
    assert all(d.concurrency_limit == 1 for d in built.values())


def test_serve_can_ingest_more_often() -> None:
    built = {d.name: d for d in build_deployments(load_spec(), ingest_every=60)}
    assert built["wirehouse-ingest"].schedules[0].schedule.interval == timedelta(seconds=60)
    assert built["wirehouse-ingest"].parameters == {"run_for": 40}  # it ends before the next run is due
