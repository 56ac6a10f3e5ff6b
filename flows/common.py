"""What every flow does around its stages: the runs table, warehouse connections, the summary artifact."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import duckdb
from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from wirehouse.models import RunStats
from wirehouse.settings import Settings
from wirehouse.warehouse import connect
from wirehouse.warehouse.loaders import finish_run, start_run
from wirehouse.warehouse.snapshot import publish_snapshot


@dataclass
class RunContext:
    settings: Settings
    run_id: str = ""
    stats: RunStats = field(default_factory=RunStats)

    @contextmanager
    def warehouse(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for one step. Held only while writing, so other processes get their turn between."""
        con = connect(self.settings.db, wait=self.settings.lock_wait)
        try:
            yield con
        finally:
            con.close()


def _publish(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Publish the analysts' snapshot. A failure (a full disk) is logged, never the run's outcome: the live
    warehouse holds everything, and the next run publishes again."""
    if not settings.publish_snapshot:
        return
    try:
        publish_snapshot(con, settings.db)
    except Exception as exc:
        get_run_logger().warning("snapshot not published: %s: %s", type(exc).__name__, exc)


@contextmanager
def recorded_run(flow: str, settings: Settings) -> Iterator[RunContext]:
    """Record the run in the warehouse (completed or failed), publish the analysts' snapshot and a summary artifact."""
    ctx = RunContext(settings)
    with ctx.warehouse() as con:
        ctx.run_id = start_run(con, flow, str(flow_run.id) if flow_run.id else None)
    try:
        yield ctx
    except BaseException as exc:
        with ctx.warehouse() as con:
            finish_run(con, ctx.run_id, ctx.stats.counts, error=f"{type(exc).__name__}: {exc}"[:2000])
            _publish(con, settings)  # what the failed run committed is sound: analysts see it too
        raise
    with ctx.warehouse() as con:
        finish_run(con, ctx.run_id, ctx.stats.counts)
        _publish(con, settings)
    summary = "\n".join(f"| {k} | {v} |" for k, v in sorted(ctx.stats.counts.items()))
    get_run_logger().info("%s run %s: %s", flow, ctx.run_id, ctx.stats.counts)
    create_markdown_artifact(
        f"# {flow} run\n\n| counter | value |\n|---|---|\n{summary}\n",
        key=f"wirehouse-{flow}-summary",
        description=f"wirehouse {flow} run {ctx.run_id}",
    )
