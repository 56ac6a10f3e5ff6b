"""`wirehouse serve`: every deployment of deployments/prefect.yaml, with its schedule, served by this process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

DEPLOYMENTS_FILE = Path(__file__).resolve().parent.parent / "deployments" / "prefect.yaml"
# An interval deployment's first run comes this soon after serve starts, not one whole interval later.
FIRST_RUN_AFTER = timedelta(seconds=5)
# A continuous ingest run stops this long before the next one is due, so runs do not queue up.
RUN_FOR_MARGIN = 20


def load_spec(path: Path = DEPLOYMENTS_FILE) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text())["deployments"]


def _flow(entrypoint: str) -> Any:
    """The flow an entrypoint names ("flows/ingest.py:ingest"), imported from the installed package."""
    from importlib import import_module

    file, name = entrypoint.split(":")
    return getattr(import_module(f"wirehouse.flows.{Path(file).stem}"), name)


def _schedules(spec: dict, timezone: str | None, interval: float | None) -> list:
    from prefect.schedules import Cron, Interval

    schedules = []
    for s in spec.get("schedules") or []:
        if "interval" in s:
            seconds = interval or s["interval"]
            schedules.append(Interval(timedelta(seconds=seconds), anchor_date=datetime.now(UTC) + FIRST_RUN_AFTER,
                                      timezone=s.get("timezone")))
        else:
            schedules.append(Cron(s["cron"], timezone=timezone or s.get("timezone")))
    return schedules


def build_deployments(
    spec: list[dict[str, Any]], *, timezone: str | None = None, ingest_every: float | None = None
) -> list[RunnerDeployment]:
    """Runner deployments as declared; timezone overrides the cron schedules', ingest_every the ingest interval."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig

    deployments = []
    for d in spec:
        flow = _flow(d["entrypoint"])
        parameters = dict(d.get("parameters") or {})
        interval = ingest_every if flow.name == "ingest" else None
        if interval and "run_for" in parameters:
            parameters["run_for"] = max(0, interval - RUN_FOR_MARGIN)
        limit = d.get("concurrency_limit")
        deployments.append(flow.to_deployment(
            name=d["name"], description=d.get("description"), tags=d.get("tags"), parameters=parameters,
            schedules=_schedules(d, timezone, interval),
            concurrency_limit=ConcurrencyLimitConfig(**limit) if isinstance(limit, dict) else limit,
        ))
    return deployments


def serve_all(spec_file: Path = DEPLOYMENTS_FILE, *, timezone: str | None = None,
              ingest_every: float | None = None) -> None:
    """Register the deployments and run their scheduled (and triggered) runs until interrupted."""
    from prefect import serve

    serve(*build_deployments(load_spec(spec_file), timezone=timezone, ingest_every=ingest_every))
