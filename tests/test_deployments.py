"""deployments/prefect.yaml points at real flows and declares the schedules the README promises."""

from pathlib import Path

import yaml
from prefect.flows import load_flow_from_entrypoint

ROOT = Path(__file__).resolve().parent.parent
SPEC = yaml.safe_load((ROOT / "deployments" / "prefect.yaml").read_text())


def deployment(name: str) -> dict:
    [found] = [d for d in SPEC["deployments"] if d["name"] == name]
    return found


def test_entrypoints_load_the_flows(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)  # `prefect deploy` runs from the project root
    for spec, flow_name in ((deployment("wirehouse-ingest"), "ingest"), (deployment("wirehouse-enrich"), "enrich")):
        assert load_flow_from_entrypoint(spec["entrypoint"]).name == flow_name


def test_schedules_and_limits() -> None:
    assert deployment("wirehouse-ingest")["schedules"] == [{"interval": 300}]
    assert deployment("wirehouse-enrich")["schedules"][0]["cron"] == "0 2 * * *"
    for spec in SPEC["deployments"]:
        assert spec["concurrency_limit"]["limit"] == 1
        assert spec["work_pool"]["name"] == "wirehouse-pool"
