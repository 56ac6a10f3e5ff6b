"""What every flow does around its stages: settings, the runs table, logging and the summary artifact."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import duckdb
from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from wirehouse.models import RunStats
from wirehouse.settings import Settings
from wirehouse.warehouse import connect
from wirehouse.warehouse.loaders import finish_run, start_run


def flow_settings(**overrides: Any) -> Settings:
    """Settings from the environment and config file, with a flow's non-empty parameters on top."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


@dataclass
class RunContext:
    settings: Settings
    con: duckdb.DuckDBPyConnection
    run_id: str
    stats: RunStats = field(default_factory=RunStats)
    details: dict[str, Any] = field(default_factory=dict)  # non-count facts for the summary


@contextmanager
def recorded_run(flow: str, settings: Settings) -> Iterator[RunContext]:
    """Open the warehouse, record the run (completed or failed) and publish its summary."""
    con = connect(settings.db)
    run_id = start_run(con, flow, str(flow_run.id) if flow_run.id else None)
    ctx = RunContext(settings, con, run_id)
    try:
        yield ctx
    except BaseException as exc:
        finish_run(con, run_id, ctx.stats.counts, error=f"{type(exc).__name__}: {exc}"[:2000])
        con.close()
        raise
    finish_run(con, run_id, ctx.stats.counts)
    con.close()
    summary = "\n".join(f"| {k} | {v} |" for k, v in sorted(ctx.stats.counts.items()))
    get_run_logger().info("%s run %s: %s", flow, run_id, ctx.stats.counts)
    create_markdown_artifact(
        f"# {flow} run\n\n| counter | value |\n|---|---|\n{summary}\n",
        key=f"wirehouse-{flow}-summary",
        description=f"wirehouse {flow} run {run_id}",
    )
